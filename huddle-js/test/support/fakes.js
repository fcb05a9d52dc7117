// Fakes of what the client touches outside: a socket the test opens, feeds and drops by hand, and storage.

/** A WebSocket the test drives: open(), receive(msg), drop(); every instance is kept in FakeSocket.all. */
export class FakeSocket {
  static all = [];

  static reset() {
    FakeSocket.all = [];
  }

  static last() {
    return FakeSocket.all[FakeSocket.all.length - 1];
  }

  constructor(url) {
    this.url = url;
    this.readyState = 0;
    this.sent = [];
    this.onopen = null;
    this.onmessage = null;
    this.onclose = null;
    FakeSocket.all.push(this);
  }

  send(text) {
    if (this.readyState !== 1) throw new Error('send on a socket that is not open');
    this.sent.push(JSON.parse(text));
  }

  close() {
    this.readyState = 3;
  }

  open() {
    this.readyState = 1;
    this.onopen?.();
  }

  receive(msg) {
    this.onmessage?.({ data: JSON.stringify(msg) });
  }

  drop() {
    this.readyState = 3;
    this.onclose?.({ code: 1006 });
  }

  types() {
    return this.sent.map((m) => m.type);
  }
}

/** sessionStorage's three methods over a Map (exposed as `map`). */
export function memoryStorage(initial = {}) {
  const m = new Map(Object.entries(initial));
  return {
    getItem: (k) => (m.has(k) ? m.get(k) : null),
    setItem: (k, v) => m.set(k, String(v)),
    removeItem: (k) => m.delete(k),
    map: m,
  };
}

/** A room entry as the server sends it. */
export const entry = (userId, name, extra = {}, online = true) => ({
  userId, online, lastDisconnected: online ? 0 : 1000,
  data: { displayName: name, avatarUrl: null, role: 'participant', isSpeaking: false, isRecording: false, ...extra },
});
