// HTTP calls the integration tests make to the real server, as an app's own code would.
import { inject } from 'vitest';

export const server = () => inject('serverUrl');

async function call(method, path, body, token) {
  const res = await fetch(server() + path, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${JSON.stringify(data)}`);
  return data;
}

/** A guest user: {userId, token, displayName}. */
export async function signIn(displayName) {
  const { userId, token } = await call('POST', '/api/auth/guest', { displayName });
  return { userId, token, displayName };
}

/** A new huddle created by `user` (its first participant): {id, slug, …}. */
export function createHuddle(user, title) {
  return call('POST', '/api/huddles', { title }, user.token);
}

/** Makes `user` a member of the huddle with `role`. */
export function joinHuddle(user, huddle, role = 'participant') {
  return call('POST', `/api/huddles/${huddle.id}/join`, { role }, user.token);
}

/** The room's list over plain HTTP (P8), to check what the server holds. */
export function list(user, huddle) {
  return call('GET', `/api/presence/list?huddle=${encodeURIComponent(huddle.id)}`, null, user.token);
}
