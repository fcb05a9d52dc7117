// The browser's presence client for one huddle (the seed's `useHuddlePresence`, without React):
// joins with a session id stable per tab, keeps a live WebSocket, resumes without duplicates after a
// reconnect, stays present while the tab is hidden, and says goodbye with sendBeacon on pagehide.
// Its state logic lives in presence-state.js; everything it touches outside (socket, storage, timers,
// randomness, beacon) is injected, so tests drive it with fakes. Wire protocol: docs/protocol.md.
import { emptyRoom, applySnapshot, applyChange, deriveView, toasts } from './presence-state.js';

const DEFAULTS = {
  interval: 10_000, // P1: the session's heartbeat interval; the socket's pings keep it alive (T1)
  graceMs: 1_500, // T3: a reload within this continues the session; a closed tab leaves after it
  backoffBaseMs: 500,
  backoffMaxMs: 15_000,
  beaconUrl: '/api/presence/disconnect',
};

/**
 * Creates a client. Options:
 *   url        WebSocket URL (e.g. wss://host/ws)
 *   huddleId   the huddle's id (or its slug when readOnly)
 *   userId     the signed-in user's id (for "self first" and no self-toasts)
 *   readOnly   true for a slug viewer: subscribe only, never join (H4)
 *   interval, graceMs, backoffBaseMs, backoffMaxMs, beaconUrl
 *   WebSocket, storage (sessionStorage), sendBeacon(url, body), setTimeout, clearTimeout, random, newId
 *   onView(view), onToast(toast), onStatus(status), onError(error)
 */
export function createHuddlePresence(options) {
  const o = { ...DEFAULTS, ...options };
  const keys = {
    session: `huddle-presence:session:${o.huddleId}`,
    token: (sessionId) => `huddle-presence:token:${o.huddleId}:${sessionId}`,
  };
  let sessionId = o.readOnly ? null : o.storage.getItem(keys.session);
  if (!o.readOnly && !sessionId) {
    sessionId = o.newId();
    o.storage.setItem(keys.session, sessionId);
  }
  let state = emptyRoom();
  let socket = null;
  let stopped = true;
  let attempt = 0;
  let retryTimer = null;
  // Flags go with a join only once the user has set some: an observer has none to send (H5).
  let flags = null;
  let requestCounter = 0;

  const status = (s) => o.onStatus?.(s);
  const send = (msg) => {
    if (socket && socket.readyState === 1) socket.send(JSON.stringify({ requestId: `r${++requestCounter}`, ...msg }));
  };
  const emitView = () => o.onView?.(deriveView(state, o.userId));

  function subscribe() {
    const resume = state.synced && state.epoch ? { epoch: state.epoch, seq: state.seq } : undefined;
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
        const before = state;
        state = applySnapshot(state.gap ? { ...state, pending: [] } : state, msg);
        for (const t of toasts(before, state, o.userId)) o.onToast?.(t);
        emitView();
        break;
      }
      case 'resumed':
        // S2: the missed changes follow; keep what we hold.
        state = { ...state, gap: false };
        break;
      case 'change':
      case 'changes': {
        // 'changes' is a batch of consecutive changes of one room: applied one by one, one render.
        const before = state;
        for (const c of msg.type === 'change' ? [msg] : msg.changes) state = applyChange(state, c);
        if (state.gap && !before.gap) subscribe(); // never a silent gap: resume from what we hold, or get a snapshot
        if (state.entries !== before.entries) {
          for (const t of toasts(before, state, o.userId)) o.onToast?.(t);
          emitView();
        }
        break;
      }
      case 'joined':
        o.storage.setItem(keys.token(sessionId), msg.sessionToken);
        status('joined');
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
          o.onError?.(msg);
        }
        break;
      default:
        break;
    }
  }

  function connect() {
    status('connecting');
    socket = new o.WebSocket(o.url);
    const mine = socket;
    socket.onopen = () => {
      attempt = 0;
      status('connected');
      subscribe();
      join();
    };
    socket.onmessage = (e) => mine === socket && onMessage(e);
    socket.onclose = () => {
      if (mine !== socket) return;
      socket = null;
      if (!stopped) scheduleReconnect();
    };
  }

  function scheduleReconnect() {
    // Exponential backoff with jitter, so a server restart is not met by every client at once.
    const ceiling = Math.min(o.backoffMaxMs, o.backoffBaseMs * 2 ** attempt);
    const delay = Math.round(ceiling * (0.5 + o.random() * 0.5));
    attempt++;
    status('reconnecting');
    retryTimer = o.setTimeout(() => {
      retryTimer = null;
      if (!stopped) connect();
    }, delay);
  }

  return {
    /** Connects and joins; reconnects until stopped. */
    start() {
      if (!stopped) return;
      stopped = false;
      connect();
    },

    /** Sets this session's flags (H5); they are sent now, and again with every rejoin. */
    setFlags(patch) {
      flags = { isSpeaking: false, isRecording: false, ...flags, ...patch };
      if (!o.readOnly) send({ type: 'flags', huddleId: o.huddleId, sessionId, ...patch });
    },

    /**
     * The goodbye for pagehide (T3): a beacon that ends the session after a short grace, so a reload
     * (which rejoins with the same session id) continues it and a closed tab leaves. Hidden tabs are
     * not a goodbye: the socket's pings keep them present (T1).
     */
    goodbye() {
      if (o.readOnly) return;
      const sessionToken = o.storage.getItem(keys.token(sessionId));
      if (sessionToken) o.sendBeacon(o.beaconUrl, JSON.stringify({ sessionToken, graceMs: o.graceMs }));
    },

    /** Leaves at once over the socket (the "Leave" button) and stops reconnecting. */
    leave() {
      if (!o.readOnly) send({ type: 'leave', huddleId: o.huddleId, sessionId });
      o.storage.removeItem(keys.token(sessionId));
      this.stop();
    },

    /** Stops: closes the socket and cancels any reconnect. The session lives to its deadline (T2). */
    stop() {
      stopped = true;
      if (retryTimer !== null) o.clearTimeout(retryTimer);
      retryTimer = null;
      const s = socket;
      socket = null;
      s?.close();
      status('stopped');
    },

    /** The current derived view (H6). */
    view: () => deriveView(state, o.userId),
    sessionId: () => sessionId,
    flags: () => ({ isSpeaking: false, isRecording: false, ...flags }),
  };
}
