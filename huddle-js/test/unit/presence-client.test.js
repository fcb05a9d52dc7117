// The presence client driven with a fake socket, storage, timers, beacon and window (T1–T3, S1–S2, H6).
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { createHuddlePresence, serverEndpoints } from '../../src/presence-client.js';
import { FakeSocket, memoryStorage, entry } from '../support/fakes.js';

function harness(extra = {}) {
  FakeSocket.reset();
  const timers = [];
  const beacons = [];
  const toasts = [];
  const views = [];
  const statuses = [];
  const lifecycle = new EventTarget();
  let online = true;
  let ids = 0;
  const storage = extra.storage ?? memoryStorage();
  const client = createHuddlePresence({
    url: 'ws://test/ws', huddleId: 'h1', userId: 'me',
    WebSocket: FakeSocket, storage,
    sendBeacon: (url, body) => { beacons.push({ url, body: JSON.parse(body) }); return true; },
    setTimeout: (fn, ms) => { timers.push({ fn, ms }); return timers.length; },
    clearTimeout: (id) => { timers[id - 1].cleared = true; },
    random: () => 1,
    newId: () => `sess-${++ids}`,
    lifecycle,
    isOnline: () => online,
    onEvent: (t) => toasts.push(t),
    onView: (v) => views.push(v),
    onStatus: (s) => statuses.push(s),
    ...extra,
  });
  const socket = () => FakeSocket.last();
  const network = (up) => {
    online = up;
    lifecycle.dispatchEvent(new Event(up ? 'online' : 'offline'));
  };
  return { client, storage, timers, beacons, toasts, views, statuses, lifecycle, network, socket };
}


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
  const storage = memoryStorage({ 'huddle-presence:session:h1:me': 'sess-dup', 'huddle-presence:token:h1:sess-dup': 'stale' });
  const h = harness({ storage });
  h.client.start();
  h.socket().open();
  h.socket().receive({ type: 'error', requestId: 'r2', code: 'invalid_session_token', message: 'live' });
  const joins = h.socket().sent.filter((m) => m.type === 'join');
  assert.equal(joins.length, 2);
  assert.equal(joins[1].sessionId, 'sess-1');
  assert.equal(joins[1].sessionToken, undefined);
  assert.equal(storage.getItem('huddle-presence:session:h1:me'), 'sess-1');
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

test('J2: status goes connecting, live on the snapshot, reconnecting when the socket drops, live again on resume, offline when stopped', () => {
  const h = harness();
  h.client.start();
  assert.equal(h.client.status(), 'connecting');
  h.socket().open();
  assert.equal(h.client.status(), 'connecting', 'an open socket is not yet a current list');
  h.socket().receive({ type: 'snapshot', room: 'h1', epoch: 'e1', seq: 1, entries: [entry('me', 'Me')] });
  assert.equal(h.client.status(), 'live');
  h.socket().drop();
  assert.equal(h.client.status(), 'reconnecting');
  h.timers[0].fn();
  assert.equal(h.client.status(), 'reconnecting', 'still coming back while the new socket opens');
  h.socket().open();
  h.socket().receive({ type: 'resumed', room: 'h1', epoch: 'e1', seq: 1 });
  assert.equal(h.client.status(), 'live');
  h.client.stop();
  assert.deepEqual(h.statuses, ['connecting', 'live', 'reconnecting', 'live', 'offline']);
});

test('J2: getSnapshot is the same object until something changes; subscribers hear every change, not the quiet ones', () => {
  const h = harness();
  let heard = 0;
  const off = h.client.subscribe(() => heard++);
  h.client.start();
  h.socket().open();
  const before = h.client.getSnapshot();
  assert.equal(h.client.getSnapshot(), before);
  h.socket().receive({ type: 'snapshot', room: 'h1', epoch: 'e1', seq: 1, entries: [entry('me', 'Me'), entry('a', 'Ann')] });
  const after = h.client.getSnapshot();
  assert.notEqual(after, before);
  assert.equal(after.status, 'live');
  assert.equal(after.me.userId, 'me');
  assert.deepEqual(after.participants.map((e) => e.userId), ['me', 'a']);
  assert.ok(Object.isFrozen(after));
  const heardSoFar = heard;
  h.socket().receive({ type: 'change', room: 'h1', seq: 1, kind: 'join', entry: entry('a', 'Ann') });
  assert.equal(heard, heardSoFar, 'a replayed change (seq already held) changes nothing and wakes nobody');
  assert.equal(h.client.getSnapshot(), after);
  off();
  h.socket().receive({ type: 'change', room: 'h1', seq: 2, kind: 'leave', entry: entry('a', 'Ann', {}, false) });
  assert.equal(heard, heardSoFar, 'an unsubscribed listener is not called');
});

test('J2: events carry growing ids, and the snapshot keeps only the latest maxEvents', () => {
  const h = harness({ maxEvents: 2 });
  h.client.start();
  h.socket().open();
  h.socket().receive({ type: 'snapshot', room: 'h1', epoch: 'e1', seq: 1, entries: [entry('me', 'Me')] });
  h.socket().receive({ type: 'change', room: 'h1', seq: 2, kind: 'join', entry: entry('a', 'Ann') });
  h.socket().receive({ type: 'change', room: 'h1', seq: 3, kind: 'update', entry: entry('a', 'Ann', { isRecording: true }) });
  h.socket().receive({ type: 'change', room: 'h1', seq: 4, kind: 'leave', entry: entry('a', 'Ann', { isRecording: true }, false) });
  assert.deepEqual(h.client.getSnapshot().events.map((e) => [e.id, e.kind]), [[2, 'recording-started'], [3, 'leave']]);
  assert.deepEqual(h.toasts.map((e) => e.id), [1, 2, 3], 'onEvent hears every one');
});

test('T3: pagehide sends the goodbye with its grace and ends this page\'s socket without a leave or a reconnect', () => {
  const h = harness();
  h.client.start();
  h.socket().open();
  h.socket().receive({ type: 'joined', sessionId: 'sess-1', sessionToken: 'tok-1' });
  h.lifecycle.dispatchEvent(new Event('pagehide'));
  assert.deepEqual(h.beacons, [{ url: '/api/presence/disconnect', body: { sessionToken: 'tok-1', graceMs: 1500 } }]);
  assert.equal(h.socket().readyState, 3);
  assert.equal(h.socket().types().includes('leave'), false, 'a reload must be able to continue the session');
  h.socket().drop();
  assert.equal(h.timers.length, 0, 'a page that is going away does not reconnect');
  assert.equal(FakeSocket.all.length, 1);
});

test('T3: a page restored from the back/forward cache (pageshow, persisted) reconnects with its session; a plain pageshow does nothing', () => {
  const h = harness();
  h.client.start();
  h.socket().open();
  h.socket().receive({ type: 'joined', sessionId: 'sess-1', sessionToken: 'tok-1' });
  h.lifecycle.dispatchEvent(new Event('pageshow'));
  assert.equal(FakeSocket.all.length, 1);
  h.lifecycle.dispatchEvent(new Event('pagehide'));
  const restored = new Event('pageshow');
  restored.persisted = true;
  h.lifecycle.dispatchEvent(restored);
  assert.equal(FakeSocket.all.length, 2);
  h.socket().open();
  const join = h.socket().sent.find((m) => m.type === 'join');
  assert.deepEqual([join.sessionId, join.sessionToken], ['sess-1', 'tok-1']);
});

test('J2: without a network it shows offline and stops trying; the online event reconnects at once', () => {
  const h = harness();
  h.client.start();
  h.socket().open();
  h.socket().receive({ type: 'snapshot', room: 'h1', epoch: 'e1', seq: 1, entries: [] });
  h.network(false);
  assert.equal(h.client.status(), 'offline');
  assert.equal(h.socket().readyState, 3);
  assert.equal(h.timers.length, 0, 'no retries while offline');
  h.network(true);
  assert.equal(FakeSocket.all.length, 2, 'no backoff wait once the network is back');
  assert.equal(h.client.status(), 'reconnecting');
  h.socket().open();
  h.socket().receive({ type: 'resumed', room: 'h1', epoch: 'e1', seq: 1 });
  assert.equal(h.client.status(), 'live');
});

test('J2: a retry that finds no network waits for it as offline instead of opening a socket', () => {
  let up = true;
  const h = harness({ isOnline: () => up });
  h.client.start();
  h.socket().open();
  up = false;
  h.socket().drop();
  h.timers[0].fn();
  assert.equal(FakeSocket.all.length, 1);
  assert.equal(h.client.status(), 'offline');
});

test('leave: over the open socket at once, forgetting the session token; with no socket, by beacon without a grace', () => {
  const h = harness();
  h.client.start();
  h.socket().open();
  h.socket().receive({ type: 'joined', sessionId: 'sess-1', sessionToken: 'tok-1' });
  h.client.leave();
  const leave = h.socket().sent.at(-1);
  assert.deepEqual([leave.type, leave.sessionId, leave.graceMs], ['leave', 'sess-1', undefined]);
  assert.equal(h.storage.getItem('huddle-presence:token:h1:sess-1'), null);
  assert.equal(h.client.status(), 'offline');

  const cut = harness();
  cut.client.start();
  cut.socket().open();
  cut.socket().receive({ type: 'joined', sessionId: 'sess-1', sessionToken: 'tok-9' });
  cut.socket().drop();
  cut.client.leave();
  assert.deepEqual(cut.beacons, [{ url: '/api/presence/disconnect', body: { sessionToken: 'tok-9' } }]);
  assert.equal(cut.timers[0].cleared, true, 'the pending retry is cancelled');
  assert.equal(FakeSocket.all.length, 1);
});

test('P2: another user signed in within the same tab takes a session id of their own', () => {
  const storage = memoryStorage();
  const ann = harness({ storage, userId: 'ann' });
  const bob = harness({ storage, userId: 'bob', newId: () => 'sess-bob' });
  assert.notEqual(ann.client.sessionId(), bob.client.sessionId());
});

test('errors the server answers with show in the snapshot until the next join succeeds', () => {
  const h = harness();
  h.client.start();
  h.socket().open();
  h.socket().receive({ type: 'error', requestId: 'r2', code: 'not_a_member', message: 'you are not a member of this huddle' });
  assert.deepEqual(h.client.getSnapshot().error, { code: 'not_a_member', message: 'you are not a member of this huddle' });
  h.socket().receive({ type: 'joined', sessionId: 'sess-1', sessionToken: 'tok-1' });
  assert.equal(h.client.getSnapshot().error, null);
});

test('J3: presenceList is undefined while loading, then the same array until the room changes', () => {
  const h = harness();
  h.client.start();
  h.socket().open();
  assert.equal(h.client.presenceList(), undefined);
  h.socket().receive({ type: 'snapshot', room: 'h1', epoch: 'e1', seq: 1, entries: [entry('a', 'Ann'), entry('me', 'Me')] });
  const list = h.client.presenceList();
  assert.deepEqual(list.map((e) => e.userId), ['me', 'a']);
  assert.equal(h.client.presenceList(), list);
  h.socket().receive({ type: 'change', room: 'h1', seq: 2, kind: 'update', entry: entry('a', 'Ann', { isSpeaking: true }) });
  assert.notEqual(h.client.presenceList(), list);
});

test('serverEndpoints: the socket and beacon of a server, of the page\'s own origin, and behind a path', () => {
  assert.deepEqual(serverEndpoints('https://presence.example.com', 'tok en'), {
    url: 'wss://presence.example.com/ws?token=tok+en', beaconUrl: 'https://presence.example.com/api/presence/disconnect',
  });
  const page = { origin: 'http://localhost:5173', href: 'http://localhost:5173/rooms/1' };
  assert.deepEqual(serverEndpoints(undefined, undefined, page), {
    url: 'ws://localhost:5173/ws', beaconUrl: 'http://localhost:5173/api/presence/disconnect',
  });
  assert.equal(serverEndpoints('https://example.com/presence', undefined, page).url, 'wss://example.com/presence/ws');
  assert.throws(() => serverEndpoints(undefined, undefined, undefined), /give the server URL/);
});

test('R1: a room the server says is degraded shows reconnecting, keeps its list, and is live again with the snapshot that follows "live"', () => {
  const h = harness();
  h.client.start();
  h.socket().open();
  h.socket().receive({ type: 'snapshot', room: 'h1', epoch: 'e1', seq: 2, entries: [entry('a', 'Ann'), entry('me', 'Me')] });
  assert.equal(h.client.getSnapshot().status, 'live');
  h.socket().receive({ type: 'status', room: 'h1', state: 'degraded' });
  assert.equal(h.client.getSnapshot().status, 'reconnecting');
  assert.deepEqual(h.client.view().participants.map((e) => e.userId), ['me', 'a'], 'the list is kept meanwhile');
  assert.equal(h.socket().readyState, 1, 'the socket stays open');
  h.socket().receive({ type: 'status', room: 'h1', state: 'live' });
  h.socket().receive({ type: 'snapshot', room: 'h1', epoch: 'e2', seq: 1, entries: [entry('me', 'Me')] });
  assert.equal(h.client.getSnapshot().status, 'live');
  assert.deepEqual(h.client.view().participants.map((e) => e.userId), ['me'], 'the fresh snapshot replaces the list');
  assert.deepEqual(h.statuses.slice(-2), ['reconnecting', 'live']);
});
