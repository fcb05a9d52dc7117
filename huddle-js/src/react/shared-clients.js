// One client per (server, huddle, user) in a tab, shared by every hook that asks for it and
// reference-counted. The last release waits one task before saying goodbye, so React's StrictMode (which
// mounts, unmounts and mounts again at once) and a view that moves within the same tick reuse the open
// connection instead of leaving and joining again.
import { createHuddlePresence, serverEndpoints } from '../presence-client.js';

const DEFAULT_INTERVAL = 10_000;
const held = new Map(); // key -> { client, refs, closing }

/** The normalized settings of a shared client, or null when there is no huddle to watch. */
export function clientConfig(huddleId, userId, options, context) {
  if (!huddleId) return null;
  const config = {
    url: options?.url ?? context?.url ?? null,
    token: options?.token ?? context?.token ?? null,
    huddleId,
    userId: userId ?? null,
    readOnly: options?.readOnly ?? !userId,
    interval: options?.interval ?? DEFAULT_INTERVAL,
  };
  // Not the token: a refreshed token must not cost a leave and a join. It is used at the next connect.
  config.key = JSON.stringify([config.url, huddleId, config.userId, config.readOnly, config.interval]);
  return config;
}

/** The socket and beacon addresses of a config (in the browser only: without a URL it needs the page's origin). */
export function endpointsOf(config) {
  return serverEndpoints(config.url ?? undefined, config.token ?? undefined);
}

/** Takes a reference to the config's client, creating and starting it if needed. */
export function acquire(config) {
  const endpoints = endpointsOf(config);
  let entry = held.get(config.key);
  if (!entry) {
    const client = createHuddlePresence({
      ...endpoints,
      huddleId: config.huddleId,
      userId: config.userId ?? undefined,
      readOnly: config.readOnly,
      interval: config.interval,
    });
    entry = { client, refs: 0, closing: null };
    held.set(config.key, entry);
    client.start();
  }
  entry.client.setUrl(endpoints.url);
  if (entry.closing !== null) {
    clearTimeout(entry.closing);
    entry.closing = null;
  }
  entry.refs++;
  const mine = entry;
  let released = false;
  return {
    client: mine.client,
    release() {
      if (released) return;
      released = true;
      if (--mine.refs > 0 || held.get(config.key) !== mine) return;
      mine.closing = setTimeout(() => {
        mine.closing = null;
        if (mine.refs === 0 && held.get(config.key) === mine) {
          held.delete(config.key);
          mine.client.leave();
        }
      }, 0);
    },
  };
}

/** The config's client if one is held, without taking a reference. */
export function peek(config) {
  return held.get(config.key)?.client ?? null;
}

/** Leaves at once for everyone holding the config's client; the next acquire starts a new one. */
export function leaveNow(config) {
  const entry = held.get(config.key);
  if (!entry) return;
  held.delete(config.key);
  if (entry.closing !== null) clearTimeout(entry.closing);
  entry.client.leave();
}
