// @huddle-presence/client/react: useHuddlePresence, a thin binding over the shared presence client. The
// client owns the socket; the hook only subscribes (useSyncExternalStore), so every component that
// shows the same huddle reads the same state and a tab keeps one socket per huddle.
import { createElement, useMemo, useSyncExternalStore } from 'react';
import { HuddlePresenceContext, useRoomStore } from './shared-room.js';

/** Gives the hooks below it the server's URL and, optionally, a token for the socket. */
export function HuddlePresenceProvider({ url, token, children }) {
  const value = useMemo(() => ({ url, token }), [url, token]);
  return createElement(HuddlePresenceContext.Provider, { value }, children);
}

/**
 * Live presence of one huddle (J2): joins on mount (or only watches, without a profile), says goodbye
 * on unmount and on pagehide, and returns the H6 view with the connection status and join, leave and
 * recording events.
 */
export function useHuddlePresence(huddleId, profile, options) {
  const store = useRoomStore(huddleId, profile?.userId, options);
  const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot, store.getServerSnapshot);
  return useMemo(() => ({
    participants: snapshot.participants,
    speakingUserIds: snapshot.speakingUserIds,
    recordingUserIds: snapshot.recordingUserIds,
    me: snapshot.me,
    status: snapshot.status,
    events: snapshot.events,
    error: snapshot.error,
    setSpeaking: store.setSpeaking,
    setRecording: store.setRecording,
    leave: store.leave,
  }), [snapshot, store]);
}
