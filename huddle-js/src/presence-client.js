// The presence client for one huddle, for the huddle page and React apps alike: joins with a session id
// stable per tab, keeps a live WebSocket, resumes without duplicates after a reconnect, stays present
// while the tab is hidden, and says goodbye with sendBeacon on pagehide. Its state logic lives in
// presence-state.js. Everything it touches outside (socket, storage, timers, randomness, beacon, the
// window's lifecycle events) defaults to the browser's and can be injected, so tests drive it with
// fakes. It is an external store: subscribe(listener) and getSnapshot(), as React's
// useSyncExternalStore expects. Wire protocol: docs/protocol.md.
import { emptyRoom, applySnapshot, applyChange, deriveView, roomEvents, presenceList } from './presence-state.js';

const DEFAULTS = {
  interval: 10_000, // P1: the session's heartbeat interval; the socket's pings keep it alive (T1)
  graceMs: 1_500, // T3: a reload within this continues the session; a closed tab leaves after it
  backoffBaseMs: 500,
  backoffMaxMs: 15_000,
  beaconUrl: '/api/presence/disconnect',
  maxEvents: 20,
};

const OPEN = 1;

/**
 * The WebSocket and beacon addresses of a server. `server` is its base URL (https://presence.example.com)
 * or undefined for the page's own origin; `token` (optional) goes in the socket's query, since browsers
 * cannot set headers on a WebSocket. Without a token the socket carries the page's cookie.
 */
export function serverEndpoints(server, token, location = globalThis.location) {
  if (server == null && !location) throw new Error('serverEndpoints: give the server URL (there is no page origin here)');
  const base = new URL(server ?? location.origin, location?.href);
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  const ws = new URL('ws', base);
  ws.protocol = base.protocol === 'https:' ? 'wss:' : 'ws:';
  if (token) ws.searchParams.set('token', token);
  return { url: ws.href, beaconUrl: new URL('api/presence/disconnect', base).href };
}

/** What the client uses from the browser unless told otherwise; read when a client is created. */
function browserEnvironment() {
  const g = globalThis;
  return {
    WebSocket: g.WebSocket,
    storage: sessionStorageOrMemory(g),
    sendBeacon: (url, body) => {
      if (g.navigator?.sendBeacon) return g.navigator.sendBeacon(url, body);
      g.fetch?.(url, { method: 'POST', body, keepalive: true }).catch(() => {});
      return true;
    },
    setTimeout: (fn, ms) => g.setTimeout(fn, ms),
    clearTimeout: (t) => g.clearTimeout(t),
    random: Math.random,
    newId: () => (g.crypto?.randomUUID ? g.crypto.randomUUID() : randomHex(g.crypto)),
    lifecycle: g.window,
    isOnline: () => g.navigator?.onLine !== false,
  };
}

// crypto.randomUUID exists only in secure contexts (https, localhost); a LAN address over http has none.
function randomHex(crypto) {
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

// sessionStorage throws where storage is blocked (sandboxed frames, some privacy settings): then a reload
// cannot continue the session, but presence still works.
function sessionStorageOrMemory(g) {
  try {
    if (g.sessionStorage) return g.sessionStorage;
  } catch {
    // fall through
  }
  return memoryStorage();
}

function memoryStorage() {
  const m = new Map();
  return { getItem: (k) => (m.has(k) ? m.get(k) : null), setItem: (k, v) => m.set(k, String(v)), removeItem: (k) => m.delete(k) };
}

/**
 * Creates a client (not yet started). Options:
 *   url        WebSocket URL (e.g. wss://host/ws); see serverEndpoints
 *   huddleId   the huddle's id (or its slug when readOnly)
 *   userId     the signed-in user's id (for "self first", `me`, and no events about yourself)
 *   readOnly   true for a viewer: subscribe only, never join (H4)
 *   interval, graceMs, backoffBaseMs, backoffMaxMs, beaconUrl, maxEvents
 *   WebSocket, storage, sendBeacon(url, body), setTimeout, clearTimeout, random, newId,
 *   lifecycle (an EventTarget for pagehide/pageshow/online/offline), isOnline()
 *   onView(view), onEvent(event), onStatus(status), onError(error)
 */
export function createHuddlePresence(options) {
  const o = { ...DEFAULTS, ...browserEnvironment(), ...options };
  const keys = {
    // Per user too: an app that signs another user in within the same tab must not reuse the session (P2).
    session: `huddle-presence:session:${o.huddleId}:${o.userId ?? ''}`,
    token: (sessionId) => `huddle-presence:token:${o.huddleId}:${sessionId}`,
  };
  let sessionId = o.readOnly ? null : o.storage.getItem(keys.session);
  if (!o.readOnly && !sessionId) {
    sessionId = o.newId();
    o.storage.setItem(keys.session, sessionId);
  }
  let room = emptyRoom();
  let status = 'offline';
  let error = null;
  let events = [];
  let eventCount = 0;
  let socket = null;
  let stopped = true;
  let suspended = false; // after pagehide: the page is going away (or into the back/forward cache)
  let wasLive = false;
  let attempt = 0;
  let retryTimer = null;
  // Flags go with a join only once the user has set some: an observer has none to send (H5).
  let flags = null;
  let requestCounter = 0;
  const listeners = new Set();
  let snapshot = null;
  let viewOf = { entries: null, view: null };
  let listOf = { entries: null, list: undefined };

  const view = () => {
    if (viewOf.entries !== room.entries) viewOf = { entries: room.entries, view: deriveView(room, o.userId) };
    return viewOf.view;
  };
  const notify = () => {
    snapshot = null;
    for (const listener of [...listeners]) listener();
  };
  const setStatus = (s) => {
    if (s === status) return;
    status = s;
    if (s === 'live') wasLive = true;
    o.onStatus?.(s);
    notify();
  };
  const send = (msg) => {
    if (socket && socket.readyState === OPEN) socket.send(JSON.stringify({ requestId: `r${++requestCounter}`, ...msg }));
  };

  function roomChanged(before) {
    const found = roomEvents(before, room, o.userId).map((e) => ({ id: ++eventCount, ...e }));
    if (found.length) events = [...events, ...found].slice(-o.maxEvents);
    for (const e of found) o.onEvent?.(e);
    if (room.entries !== before.entries) o.onView?.(view());
    notify();
  }

  function subscribe() {
    const resume = room.synced && room.epoch ? { epoch: room.epoch, seq: room.seq } : undefined;
    // Always by what we were given: a slug viewer must stay a viewer (by id it would be registered, H3).
    send({ type: 'subscribe', huddle: o.huddleId, ...(resume ? { resume } : {}) });
  }

  function join() {
    if (o.readOnly) return;
    const sessionToken = o.storage.getItem(keys.token(sessionId)) ?? undefined;
    send({
      type: 'join', huddleId: o.huddleId, sessionId, interval: o.interval,
      ...(sessionToken ? { sessionToken } : {}), ...(flags ? { flags } : {}),
    });
  }

  function onMessage(event) {
    let msg;
    try {
      msg = JSON.parse(event.data);
    } catch {
      return;
    }
    switch (msg.type) {
      case 'snapshot': {
        const before = room;
        room = applySnapshot(room.gap ? { ...room, pending: [] } : room, msg);
        roomChanged(before);
        setStatus('live');
        break;
      }
      case 'status':
        // R1: the server's store is out of reach ('degraded': the list may be stale) or back ('live':
        // a fresh snapshot follows, which makes the status live again).
        if (msg.state === 'degraded') setStatus('reconnecting');
        break;
      case 'resumed':
        // S2: the missed changes follow; keep what we hold.
        room = { ...room, gap: false };
        setStatus('live');
        break;
      case 'change':
      case 'changes': {
        // 'changes' is a batch of consecutive changes of one room: applied one by one, one render.
        const before = room;
        for (const c of msg.type === 'change' ? [msg] : msg.changes) room = applyChange(room, c);
        if (room.gap && !before.gap) subscribe(); // never a silent gap: resume from what we hold, or get a snapshot
        if (room.entries !== before.entries) roomChanged(before);
        break;
      }
      case 'joined':
        o.storage.setItem(keys.token(sessionId), msg.sessionToken);
        if (error) {
          error = null;
          notify();
        }
        break;
      case 'error':
        if (msg.code === 'invalid_session_token' || msg.code === 'session_ended') {
          // Another tab holds this session id (a duplicated tab copies sessionStorage), or the server
          // ended our session (its deadline passed while the tab was frozen, or a copy's goodbye
          // ended it): take a new session rather than stay invisible.
          o.storage.removeItem(keys.token(sessionId));
          sessionId = o.newId();
          o.storage.setItem(keys.session, sessionId);
          join();
        } else {
          error = { code: msg.code, message: msg.message };
          o.onError?.(error);
          notify();
        }
        break;
      default:
        break;
    }
  }

  function connect() {
    if (!o.isOnline()) {
      setStatus('offline'); // the 'online' event reconnects at once
      return;
    }
    setStatus(wasLive || attempt > 0 ? 'reconnecting' : 'connecting');
    socket = new o.WebSocket(o.url);
    const mine = socket;
    socket.onopen = () => {
      if (mine !== socket) return;
      attempt = 0;
      subscribe();
      join();
    };
    socket.onmessage = (e) => mine === socket && onMessage(e);
    socket.onclose = () => {
      if (mine !== socket) return;
      socket = null;
      if (!stopped && !suspended) scheduleReconnect();
    };
  }

  function scheduleReconnect() {
    // Exponential backoff with jitter, so a server restart is not met by every client at once.
    const ceiling = Math.min(o.backoffMaxMs, o.backoffBaseMs * 2 ** attempt);
    const delay = Math.round(ceiling * (0.5 + o.random() * 0.5));
    attempt++;
    setStatus('reconnecting');
    retryTimer = o.setTimeout(() => {
      retryTimer = null;
      if (!stopped && !suspended) connect();
    }, delay);
  }

  function disconnect() {
    if (retryTimer !== null) o.clearTimeout(retryTimer);
    retryTimer = null;
    const s = socket;
    socket = null;
    s?.close();
  }

  // The window's lifecycle. pagehide is the goodbye (T3) and the end of this page's socket; a page
  // restored from the back/forward cache (pageshow, persisted) comes back. Hidden tabs are not a
  // goodbye: the socket's pings keep them present (T1). Without a network there is nothing to try.
  const lifecycle = {
    pagehide: () => {
      client.goodbye();
      suspended = true;
      disconnect();
    },
    pageshow: (e) => {
      if (!e.persisted || !suspended || stopped) return;
      suspended = false;
      connect();
    },
    offline: () => {
      if (stopped || suspended) return;
      disconnect();
      setStatus('offline');
    },
    online: () => {
      if (stopped || suspended || socket) return;
      disconnect();
      attempt = 0;
      connect();
    },
  };
  const listen = (on) => {
    if (!o.lifecycle) return;
    for (const [type, fn] of Object.entries(lifecycle)) {
      if (on) o.lifecycle.addEventListener(type, fn);
      else o.lifecycle.removeEventListener(type, fn);
    }
  };

  const client = {
    /** Connects, subscribes and (unless read-only) joins; reconnects until stopped. */
    start() {
      if (!stopped) return;
      stopped = false;
      suspended = false;
      listen(true);
      connect();
    },

    /** Sets this session's flags (H5); they are sent now, and again with every rejoin. */
    setFlags(patch) {
      flags = { isSpeaking: false, isRecording: false, ...flags, ...patch };
      if (!o.readOnly) send({ type: 'flags', huddleId: o.huddleId, sessionId, ...patch });
    },

    /**
     * The goodbye for pagehide (T3): a beacon that ends the session after a short grace, so a reload
     * (which rejoins with the same session id) continues it and a closed tab leaves. Registered on
     * start; call it yourself only where there is no window.
     */
    goodbye() {
      if (o.readOnly) return;
      const sessionToken = o.storage.getItem(keys.token(sessionId));
      if (sessionToken) o.sendBeacon(o.beaconUrl, JSON.stringify({ sessionToken, graceMs: o.graceMs }));
    },

    /** Leaves at once (the "Leave" button, or a view that goes away) and stops reconnecting. */
    leave() {
      if (!o.readOnly) {
        const sessionToken = o.storage.getItem(keys.token(sessionId));
        if (socket && socket.readyState === OPEN) send({ type: 'leave', huddleId: o.huddleId, sessionId });
        else if (sessionToken) o.sendBeacon(o.beaconUrl, JSON.stringify({ sessionToken }));
        o.storage.removeItem(keys.token(sessionId));
      }
      client.stop();
    },

    /** Stops: closes the socket and cancels any reconnect. The session lives to its deadline (T2). */
    stop() {
      stopped = true;
      listen(false);
      disconnect();
      setStatus('offline');
    },

    /** Calls `listener` after every change of the snapshot; returns the function that unsubscribes. */
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    /**
     * The client's state as one immutable object, the same object until something changes:
     * {status, synced, participants, speakingUserIds, recordingUserIds, me, events, error}.
     */
    getSnapshot() {
      if (snapshot) return snapshot;
      const v = view();
      const me = o.userId == null ? null : v.participants.find((e) => e.userId === o.userId) ?? null;
      snapshot = Object.freeze({ status, synced: room.synced, ...v, me, events, error });
      return snapshot;
    },

    /** The room in the shape of Convex's usePresence (J3), or undefined before the first snapshot. */
    presenceList() {
      if (listOf.entries !== room.entries || listOf.synced !== room.synced) {
        listOf = { entries: room.entries, synced: room.synced, list: presenceList(room, o.userId) };
      }
      return listOf.list;
    },

    /**
     * Takes another socket URL (a refreshed token) for the next connect; the open socket, already
     * authenticated, carries on.
     */
    setUrl(url) {
      o.url = url;
    },

    /** The current derived view (H6). */
    view,
    status: () => status,
    sessionId: () => sessionId,
    flags: () => ({ isSpeaking: false, isRecording: false, ...flags }),
  };
  return client;
}
