// Stands in for the `api` that Convex generates (convex/_generated/api): the drop-in accepts it and
// ignores it, so an app moving off Convex can leave its calls as they are.
export const api = { presence: {} } as const;
