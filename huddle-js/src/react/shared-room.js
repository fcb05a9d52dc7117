// The React side of a shared client: a store for useSyncExternalStore that takes a reference to the
// client when React subscribes and gives it back when React unsubscribes. Nothing is opened during
// render, so a render React throws away costs nothing.
import { createContext, useContext, useEffect, useMemo } from 'react';
import { acquire, clientConfig, endpointsOf, leaveNow, peek } from './shared-clients.js';

export const HuddlePresenceContext = createContext(null);

const EMPTY = { synced: false, participants: [], speakingUserIds: [], recordingUserIds: [], me: null, events: [], error: null };
const CONNECTING = Object.freeze({ ...EMPTY, status: 'connecting' });
const IDLE = Object.freeze({ ...EMPTY, status: 'offline' });

const idleStore = {
  config: null,
  subscribe: () => () => {},
  getSnapshot: () => IDLE,
  getServerSnapshot: () => IDLE,
  getPresenceList: () => undefined,
  client: () => null,
  setSpeaking: () => {},
  setRecording: () => {},
  leave: () => {},
};

function roomStore(config) {
  if (!config) return idleStore;
  let holding = null;
  const client = () => holding?.client ?? peek(config);
  return {
    config,
    subscribe(listener) {
      const h = acquire(config);
      holding = h;
      const off = h.client.subscribe(listener);
      return () => {
        off();
        h.release();
        if (holding === h) holding = null;
      };
    },
    getSnapshot: () => client()?.getSnapshot() ?? CONNECTING,
    getServerSnapshot: () => CONNECTING,
    getPresenceList: () => client()?.presenceList(),
    client,
    // The same functions for as long as the store lives, so they can sit in effects' dependencies.
    setSpeaking: (on) => client()?.setFlags({ isSpeaking: Boolean(on) }),
    setRecording: (on) => client()?.setFlags({ isRecording: Boolean(on) }),
    leave: () => leaveNow(config),
  };
}

/** The store of the shared client for these settings, the same object while they stay the same. */
export function useRoomStore(huddleId, userId, options) {
  const context = useContext(HuddlePresenceContext);
  const config = clientConfig(huddleId, userId, options, context);
  const key = config?.key ?? null;
  const store = useMemo(() => roomStore(config), [key]); // the key stands for the whole config
  const token = config?.token;
  useEffect(() => {
    if (store.config) store.client()?.setUrl(endpointsOf({ ...store.config, token }).url);
  }, [store, token]);
  return store;
}
