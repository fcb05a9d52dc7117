// The browser presence client driven with a fake socket, storage, timers and beacon (T1–T3, S1–S2, H6).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHuddlePresence } from '../../main/resources/public/js/presence-client.js';

class FakeSocket {
  static all = [];
  constructor(url) {
    this.url = url;
    this.readyState = 0;
    this.sent = [];
    FakeSocket.all.push(this);
  }
  send(text) { this.sent.push(JSON.parse(text)); }
  close() { this.readyState = 3; }
  open() { this.readyState = 1; this.onopen?.(); }
  receive(msg) { this.onmessage?.({ data: JSON.stringify(msg) }); }
  drop() { this.readyState = 3; this.onclose?.({ code: 1006 }); }
  types() { return this.sent.map((m) => m.type); }
}

function memoryStorage(initial = {}) {
  const m = new Map(Object.entries(initial));
  return { getItem: (k) => (m.has(k) ? m.get(k) : null), setItem: (k, v) => m.set(k, String(v)), removeItem: (k) => m.delete(k), map: m };
}

function harness(extra = {}) {
  FakeSocket.all = [];
  const timers = [];
  const beacons = [];
  const toasts = [];
  const views = [];
  let ids = 0;
  const storage = extra.storage ?? memoryStorage();
  const client = createHuddlePresence({
    url: 'ws://test/ws', huddleId: 'h1', userId: 'me',
    WebSocket: FakeSocket, storage,
    sendBeacon: (url, body) => { beacons.push({ url, body: JSON.parse(body) }); return true; },
    setTimeout: (fn, ms) => { timers.push({ fn, ms }); return timers.length; },
    clearTimeout: () => {},
    random: () => 1,
    newId: () => `sess-${++ids}`,
    onToast: (t) => toasts.push(t),
    onView: (v) => views.push(v),
    ...extra,
  });
  const socket = () => FakeSocket.all[FakeSocket.all.length - 1];
  return { client, storage, timers, beacons, toasts, views, socket };
}

const entry = (userId, name, extra = {}) => ({ userId, online: true, lastDisconnected: 0, data: { displayName: name, role: 'participant', isSpeaking: false, isRecording: false, ...extra } });

test('joins with a session id that is stable for the tab and survives a reload', () => {
  const storage = memoryStorage();
  const first = harness({ storage });
  first.client.start();
  first.socket().open();
  const join = first.socket().sent.find((m) => m.type === 'join');
  assert.equal(join.sessionId, 'sess-1');
  assert.equal(join.interval, 10000);
  assert.equal(join.flags, undefined, 'no flags until the user sets some (an observer may send none, H5)');
  first.socket().receive({ type: 'joined', huddleId: 'h1', sessionId: 'sess-1', sessionToken: 'tok-1' });

  // A reload: a new client with the same sessionStorage continues the session and proves it with its token.
  const reloaded = harness({ storage });
  reloaded.client.start();
  reloaded.socket().open();
  const rejoin = reloaded.socket().sent.find((m) => m.type === 'join');
  assert.equal(rejoin.sessionId, 'sess-1');
  assert.equal(rejoin.sessionToken, 'tok-1');
});

test('S1, H6: a snapshot then changes give the sorted view; toasts only for real joins and leaves of others', () => {
  const h = harness();
  h.client.start();
  h.socket().open();
  assert.deepEqual(h.socket().types(), ['subscribe', 'join']);
  h.socket().receive({ type: 'snapshot', room: 'h1', epoch: 'e1', seq: 2, entries: [entry('b', 'bob'), entry('me', 'Me')] });
  assert.deepEqual(h.toasts, [], 'the initial list is not news');
  h.socket().receive({ type: 'change', room: 'h1', seq: 3, kind: 'join', entry: entry('a', 'Ann') });
  h.socket().receive({ type: 'change', room: 'h1', seq: 4, kind: 'update', entry: entry('a', 'Ann', { isSpeaking: true }) });
  h.socket().receive({ type: 'change', room: 'h1', seq: 5, kind: 'leave', entry: { ...entry('b', 'bob'), online: false } });
  assert.deepEqual(h.toasts.map((t) => `${t.kind} ${t.userId}`), ['join a', 'leave b']);
  const view = h.client.view();
  assert.deepEqual(view.participants.map((e) => e.userId), ['me', 'a']);
  assert.deepEqual(view.speakingUserIds, ['a']);
});

test('S3: a batch of changes is applied in order with one render; a gap inside it resubscribes', () => {
  const h = harness();
  h.client.start();
  h.socket().open();
  h.socket().receive({ type: 'snapshot', room: 'h1', epoch: 'e1', seq: 2, entries: [entry('b', 'bob'), entry('me', 'Me')] });
  const rendersBefore = h.views.length;
  h.socket().receive({ type: 'changes', room: 'h1', changes: [
    { type: 'change', room: 'h1', seq: 3, kind: 'join', entry: entry('a', 'Ann') },
    { type: 'change', room: 'h1', seq: 4, kind: 'update', entry: entry('a', 'Ann', { isSpeaking: true }) },
    { type: 'change', room: 'h1', seq: 5, kind: 'leave', entry: { ...entry('b', 'bob'), online: false } },
  ] });
  assert.equal(h.views.length, rendersBefore + 1, 'one render for the whole batch');
  assert.deepEqual(h.toasts.map((t) => `${t.kind} ${t.userId}`), ['join a', 'leave b']);
  assert.deepEqual(h.client.view().speakingUserIds, ['a']);
  h.socket().sent.length = 0;
  h.socket().receive({ type: 'changes', room: 'h1', changes: [
    { type: 'change', room: 'h1', seq: 6, kind: 'join', entry: entry('c', 'Cy') },
    { type: 'change', room: 'h1', seq: 8, kind: 'join', entry: entry('d', 'Di') },
  ] });
  assert.deepEqual(h.socket().sent.map((m) => [m.type, m.resume]), [['subscribe', { epoch: 'e1', seq: 6 }]]);
  assert.deepEqual(h.client.view().participants.map((e) => e.userId), ['me', 'a', 'c']);
  assert.deepEqual(h.toasts.map((t) => `${t.kind} ${t.userId}`), ['join a', 'leave b', 'join c'], 'the part before the gap is shown');
});

test('changes before the snapshot are buffered and applied after it', () => {
  const h = harness();
  h.client.start();
  h.socket().open();
  h.socket().receive({ type: 'change', room: 'h1', seq: 3, kind: 'join', entry: entry('a', 'Ann') });
  h.socket().receive({ type: 'snapshot', room: 'h1', epoch: 'e1', seq: 2, entries: [entry('me', 'Me')] });
  assert.deepEqual(h.client.view().participants.map((e) => e.userId), ['me', 'a']);
});

test('T2, S2: after a dropped socket it reconnects with backoff and jitter, resumes from its seq, and shows no duplicate', () => {
  const h = harness({ random: () => 0 });
  h.client.start();
  h.socket().open();
  h.socket().receive({ type: 'joined', sessionId: 'sess-1', sessionToken: 'tok-1' });
  h.socket().receive({ type: 'snapshot', room: 'h1', epoch: 'e1', seq: 5, entries: [entry('me', 'Me'), entry('a', 'Ann')] });
  h.socket().drop();
  assert.equal(h.timers.length, 1);
  assert.equal(h.timers[0].ms, 250, 'first retry: half of 500 ms at random() = 0');
  h.timers[0].fn();
  h.socket().drop();
  assert.equal(h.timers[1].ms, 500, 'backoff doubles');
  h.timers[1].fn();
  h.socket().open();
  const sub = h.socket().sent.find((m) => m.type === 'subscribe');
  assert.deepEqual(sub.resume, { epoch: 'e1', seq: 5 });
  assert.equal(sub.huddle, 'h1');
  const join = h.socket().sent.find((m) => m.type === 'join');
  assert.equal(join.sessionToken, 'tok-1');
  h.socket().receive({ type: 'resumed', room: 'h1', epoch: 'e1', seq: 5 });
  h.socket().receive({ type: 'change', room: 'h1', seq: 5, kind: 'join', entry: entry('a', 'Ann') });
  h.socket().receive({ type: 'change', room: 'h1', seq: 6, kind: 'join', entry: entry('c', 'Cy') });
  assert.deepEqual(h.client.view().participants.map((e) => e.userId), ['me', 'a', 'c']);
  assert.deepEqual(h.toasts.map((t) => t.userId), ['c']);
});

test('S2: a sequence gap makes it resubscribe with its last seq instead of applying past the gap', () => {
  const h = harness();
  h.client.start();
  h.socket().open();
  h.socket().receive({ type: 'snapshot', room: 'h1', epoch: 'e1', seq: 1, entries: [] });
  h.socket().sent.length = 0;
  h.socket().receive({ type: 'change', room: 'h1', seq: 3, kind: 'join', entry: entry('a', 'Ann') });
  assert.deepEqual(h.socket().sent.map((m) => [m.type, m.resume]), [['subscribe', { epoch: 'e1', seq: 1 }]]);
  assert.equal(h.client.view().participants.length, 0);
  h.socket().receive({ type: 'snapshot', room: 'h1', epoch: 'e1', seq: 3, entries: [entry('a', 'Ann'), entry('b', 'Bob')] });
  assert.deepEqual(h.client.view().participants.map((e) => e.userId), ['a', 'b']);
});

test('T1, T3: a hidden tab does nothing; pagehide sends the goodbye beacon with a departure grace', () => {
  const h = harness();
  h.client.start();
  h.socket().open();
  h.socket().receive({ type: 'joined', sessionId: 'sess-1', sessionToken: 'tok-1' });
  h.client.goodbye();
  assert.deepEqual(h.beacons, [{ url: '/api/presence/disconnect', body: { sessionToken: 'tok-1', graceMs: 1500 } }]);
});

test('flags are sent now and again with every rejoin', () => {
  const h = harness();
  h.client.start();
  h.socket().open();
  h.client.setFlags({ isSpeaking: true });
  assert.deepEqual(h.socket().sent.at(-1), { requestId: h.socket().sent.at(-1).requestId, type: 'flags', huddleId: 'h1', sessionId: 'sess-1', isSpeaking: true });
  h.socket().drop();
  h.timers[0].fn();
  h.socket().open();
  assert.deepEqual(h.socket().sent.find((m) => m.type === 'join').flags, { isSpeaking: true, isRecording: false });
});

test('a duplicated tab whose session id is taken gets a new session id', () => {
  const storage = memoryStorage({ 'huddle-presence:session:h1': 'sess-dup', 'huddle-presence:token:h1:sess-dup': 'stale' });
  const h = harness({ storage });
  h.client.start();
  h.socket().open();
  h.socket().receive({ type: 'error', requestId: 'r2', code: 'invalid_session_token', message: 'live' });
  const joins = h.socket().sent.filter((m) => m.type === 'join');
  assert.equal(joins.length, 2);
  assert.equal(joins[1].sessionId, 'sess-1');
  assert.equal(joins[1].sessionToken, undefined);
  assert.equal(storage.getItem('huddle-presence:session:h1'), 'sess-1');
});

test('H4: a read-only viewer subscribes by slug and never joins or sends a beacon', () => {
  const h = harness({ readOnly: true, huddleId: 'design-sync-ab12cd' });
  h.client.start();
  h.socket().open();
  assert.deepEqual(h.socket().types(), ['subscribe']);
  assert.equal(h.socket().sent[0].huddle, 'design-sync-ab12cd');
  h.client.goodbye();
  assert.deepEqual(h.beacons, []);
});

test('stop closes the socket and never reconnects', () => {
  const h = harness();
  h.client.start();
  h.socket().open();
  h.client.stop();
  assert.equal(h.socket().readyState, 3);
  assert.equal(h.timers.length, 0);
});

test('session_ended (deadline passed while frozen, or a copy said goodbye): it rejoins with a new session', () => {
  const h = harness();
  h.client.start();
  h.socket().open();
  h.socket().receive({ type: 'joined', sessionId: 'sess-1', sessionToken: 'tok-1' });
  h.socket().receive({ type: 'error', requestId: null, code: 'session_ended', message: 'ended' });
  const joins = h.socket().sent.filter((m) => m.type === 'join');
  assert.equal(joins.length, 2);
  assert.equal(joins[1].sessionId, 'sess-2');
  assert.equal(joins[1].sessionToken, undefined);
});
