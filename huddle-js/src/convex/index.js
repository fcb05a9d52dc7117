// @huddle-presence/client/convex: a drop-in for `usePresence` from @convex-dev/presence/react (J3), backed
// by a Huddle Presence server instead of Convex functions. Change the import and wrap the app in
// <HuddlePresenceProvider url=…>; the call stays as it was.
import { useSyncExternalStore } from 'react';
import { useRoomStore } from '../react/shared-room.js';

export { HuddlePresenceProvider } from '../react/index.js';

/**
 * Convex's signature and return shape: the room's entries {userId, online, lastDisconnected, data}
 * (plus `name` and `image`), your own first, then online users, then offline users newest first; or
 * undefined while loading. `presence` (Convex's `api.presence`) is accepted and ignored; `roomId` is
 * the huddle's id; `userId` must be the id the server knows you by (it takes your identity from your
 * token, never from this argument); `interval` is the session's heartbeat interval in ms.
 */
export default function usePresence(presence, roomId, userId, interval = 10_000) {
  const store = useRoomStore(roomId, userId, { interval, readOnly: false });
  return useSyncExternalStore(store.subscribe, store.getPresenceList, () => undefined);
}
