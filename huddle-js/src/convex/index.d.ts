// Types of @huddle-presence/client/convex: the same signature as @convex-dev/presence/react.
import type { PresenceState } from '../index.js';

export type { PresenceState } from '../index.js';
export { HuddlePresenceProvider } from '../react/index.js';
export type { HuddlePresenceProviderProps } from '../react/index.js';

/**
 * Convex's `usePresence` backed by a Huddle Presence server (J3). `presence` is accepted and ignored
 * (pass Convex's `api.presence` as before); `roomId` is the huddle's id; `interval` is in ms.
 * Undefined while loading; then your own entry first, online users, then offline users newest first.
 */
export default function usePresence(
  presence: unknown,
  roomId: string,
  userId: string,
  interval?: number,
): PresenceState[] | undefined;
