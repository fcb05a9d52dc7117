// Unit tests of the client's pure state functions (H6, P8, P11, S1–S3, T2/T3 events, J3's list).
import { test } from 'vitest';
import assert from 'node:assert/strict';
import {
  emptyRoom, applySnapshot, applyChange, deriveView, roomEvents, describeEvent, presenceList, initials,
} from '../../src/presence-state.js';

const entry = (userId, displayName, { online = true, role = 'participant', isSpeaking = false, isRecording = false, lastDisconnected = 1000 } = {}) => ({
  userId, online, lastDisconnected: online ? 0 : lastDisconnected,
  data: { displayName, avatarUrl: null, role, isSpeaking, isRecording },
});
const change = (seq, kind, e) => ({ seq, kind, entry: e });

test('S1: a snapshot sets the entries and the sequence number', () => {
  const s = applySnapshot(emptyRoom(), { epoch: 'e1', seq: 4, entries: [entry('a', 'Ann'), entry('b', 'Bob')] });
  assert.equal(s.synced, true);
  assert.equal(s.seq, 4);
  assert.equal(s.epoch, 'e1');
  assert.deepEqual([...s.entries.keys()], ['a', 'b']);
});

test('S1: changes that arrive before the snapshot are buffered, then applied after it; older ones dropped', () => {
  let s = emptyRoom();
  s = applyChange(s, change(6, 'join', entry('c', 'Cy')));
  s = applyChange(s, change(5, 'update', entry('a', 'Ann', { isSpeaking: true })));
  s = applyChange(s, change(4, 'join', entry('b', 'Bob')));
  assert.equal(s.synced, false);
  assert.equal(s.pending.length, 3);
  s = applySnapshot(s, { epoch: 'e', seq: 4, entries: [entry('a', 'Ann'), entry('b', 'Bob')] });
  assert.equal(s.seq, 6);
  assert.equal(s.pending.length, 0);
  assert.equal(s.entries.get('a').data.isSpeaking, true);
  assert.ok(s.entries.has('c'));
});

test('P11: changes apply in sequence; a repeated change is ignored (resume replays without duplicates)', () => {
  let s = applySnapshot(emptyRoom(), { seq: 0, entries: [] });
  s = applyChange(s, change(1, 'join', entry('a', 'Ann')));
  const again = applyChange(s, change(1, 'join', entry('a', 'Ann')));
  assert.equal(again, s);
  s = applyChange(s, change(2, 'leave', entry('a', 'Ann', { online: false })));
  assert.equal(s.entries.get('a').online, false);
  s = applyChange(s, change(3, 'remove', entry('a', 'Ann', { online: false })));
  assert.equal(s.entries.has('a'), false);
  assert.equal(s.seq, 3);
});

test('S2: a change that skips a sequence number is not applied and marks a gap', () => {
  let s = applySnapshot(emptyRoom(), { seq: 2, entries: [entry('a', 'Ann')] });
  const gapped = applyChange(s, change(4, 'join', entry('b', 'Bob')));
  assert.equal(gapped.gap, true);
  assert.equal(gapped.entries.has('b'), false);
  assert.equal(applyChange(gapped, change(3, 'join', entry('c', 'Cy'))), gapped, 'nothing applies until resynced');
  const resynced = applySnapshot(gapped, { seq: 4, entries: [entry('a', 'Ann'), entry('b', 'Bob'), entry('c', 'Cy')] });
  assert.equal(resynced.gap, false);
  assert.equal(resynced.entries.size, 3);
});

test('H6: self first, then participants before observers, then name case-insensitively, then user id', () => {
  const s = applySnapshot(emptyRoom(), {
    seq: 1,
    entries: [
      entry('o1', 'aaron', { role: 'observer' }),
      entry('p2', 'bob'),
      entry('p1', 'Bob'),
      entry('p3', 'Alice'),
      entry('me', 'Zed', { role: 'observer' }),
      entry('gone', 'Al', { online: false }),
    ],
  });
  const view = deriveView(s, 'me');
  assert.deepEqual(view.participants.map((e) => e.userId), ['me', 'p3', 'p1', 'p2', 'o1']);
});

test('H6: speaking and recording sets hold the online users whose flags are true', () => {
  const s = applySnapshot(emptyRoom(), {
    seq: 1,
    entries: [
      entry('a', 'Ann', { isSpeaking: true }),
      entry('b', 'Bob', { isRecording: true }),
      entry('c', 'Cy', { isSpeaking: true, isRecording: true }),
      entry('d', 'Di', { online: false, isSpeaking: true }),
    ],
  });
  const view = deriveView(s, 'a');
  assert.deepEqual(view.speakingUserIds, ['a', 'c']);
  assert.deepEqual(view.recordingUserIds, ['b', 'c']);
});

test('events: none for the first snapshot, one per real join and leave, none for yourself', () => {
  const first = applySnapshot(emptyRoom(), { seq: 1, entries: [entry('me', 'Me'), entry('a', 'Ann')] });
  assert.deepEqual(roomEvents(emptyRoom(), first, 'me'), []);
  const joined = applyChange(first, change(2, 'join', entry('b', 'Bob')));
  assert.deepEqual(roomEvents(first, joined, 'me'), [{ kind: 'join', userId: 'b', displayName: 'Bob' }]);
  const left = applyChange(joined, change(3, 'leave', entry('a', 'Ann', { online: false })));
  assert.deepEqual(roomEvents(joined, left, 'me'), [{ kind: 'leave', userId: 'a', displayName: 'Ann' }]);
  const selfLeft = applyChange(left, change(4, 'leave', entry('me', 'Me', { online: false })));
  assert.deepEqual(roomEvents(left, selfLeft, 'me'), []);
});

test('events: an update (a flag flip) and a reconnect that continues the session are not news', () => {
  const s = applySnapshot(emptyRoom(), { seq: 1, entries: [entry('a', 'Ann')] });
  const speaking = applyChange(s, change(2, 'update', entry('a', 'Ann', { isSpeaking: true })));
  assert.deepEqual(roomEvents(s, speaking, 'me'), []);
  // A reconnect resynced with a snapshot in which Ann is still online: no leave/join pair.
  const resynced = applySnapshot(speaking, { seq: 2, entries: [entry('a', 'Ann', { isSpeaking: true })] });
  assert.deepEqual(roomEvents(speaking, resynced, 'me'), []);
});

test('events: a resync snapshot after a gap reports who really came and went meanwhile', () => {
  const s = applySnapshot(emptyRoom(), { seq: 1, entries: [entry('a', 'Ann')] });
  const after = applySnapshot(s, { seq: 9, entries: [entry('a', 'Ann', { online: false }), entry('b', 'Bob')] });
  assert.deepEqual(roomEvents(s, after, 'me').map((t) => `${t.kind} ${t.userId}`).sort(), ['join b', 'leave a']);
});

test('initials: two letters from the name, or ? for none', () => {
  assert.equal(initials('Ann Lee'), 'AL');
  assert.equal(initials('bob'), 'BO');
  assert.equal(initials('  '), '?');
  assert.equal(initials(undefined), '?');
  assert.equal(initials('Émile Zola Jr'), 'ÉJ');
});

test('events: none across a new epoch (a restarted server), where everyone rejoins in a moment', () => {
  const s = applySnapshot(emptyRoom(), { epoch: 'e1', seq: 5, entries: [entry('a', 'Ann'), entry('b', 'Bob')] });
  const restarted = applySnapshot(s, { epoch: 'e2', seq: 1, entries: [entry('b', 'Bob')] });
  assert.deepEqual(roomEvents(s, restarted, 'me'), []);
});

test('H6: hosts sort with participants, before observers', () => {
  const s = applySnapshot(emptyRoom(), {
    seq: 1,
    entries: [entry('o', 'Al', { role: 'observer' }), entry('p', 'Cy'), entry('h', 'Bo', { role: 'host' })],
  });
  assert.deepEqual(deriveView(s, 'me').participants.map((e) => e.userId), ['h', 'p', 'o']);
});

test('events: an online user who starts or stops recording is news; yourself and a newcomer already recording are not', () => {
  const s = applySnapshot(emptyRoom(), { seq: 1, entries: [entry('me', 'Me'), entry('c', 'Cy')] });
  const started = applyChange(s, change(2, 'update', entry('c', 'Cy', { isRecording: true })));
  assert.deepEqual(roomEvents(s, started, 'me'), [{ kind: 'recording-started', userId: 'c', displayName: 'Cy' }]);
  const stopped = applyChange(started, change(3, 'update', entry('c', 'Cy')));
  assert.deepEqual(roomEvents(started, stopped, 'me'), [{ kind: 'recording-stopped', userId: 'c', displayName: 'Cy' }]);
  const mine = applyChange(stopped, change(4, 'update', entry('me', 'Me', { isRecording: true })));
  assert.deepEqual(roomEvents(stopped, mine, 'me'), []);
  const newcomer = applyChange(mine, change(5, 'join', entry('d', 'Di', { isRecording: true })));
  assert.deepEqual(roomEvents(mine, newcomer, 'me').map((e) => e.kind), ['join'], 'the join says it; the badge shows the recording');
  const speaking = applyChange(newcomer, change(6, 'update', entry('c', 'Cy', { isSpeaking: true })));
  assert.deepEqual(roomEvents(newcomer, speaking, 'me'), [], 'speaking is too frequent to be news');
});

test('describeEvent: the sentence of each kind of toast', () => {
  assert.equal(describeEvent({ kind: 'join', displayName: 'Ann' }), 'Ann joined');
  assert.equal(describeEvent({ kind: 'leave', displayName: 'Ann' }), 'Ann left');
  assert.equal(describeEvent({ kind: 'recording-started', displayName: 'Cy' }), 'Cy started recording');
  assert.equal(describeEvent({ kind: 'recording-stopped', displayName: 'Cy' }), 'Cy stopped recording');
});

test('J3, P8: the Convex-shaped list is undefined before the snapshot, then self first, online by arrival, offline newest first', () => {
  assert.equal(presenceList(emptyRoom(), 'me'), undefined, 'Convex returns undefined while loading');
  let s = applySnapshot(emptyRoom(), {
    seq: 1,
    entries: [
      entry('b', 'Bob'), entry('me', 'Me', { role: 'observer' }),
      entry('x', 'Xi', { online: false, lastDisconnected: 100 }), entry('y', 'Yu', { online: false, lastDisconnected: 300 }),
    ],
  });
  s = applyChange(s, change(2, 'join', entry('x', 'Xi')));
  s = applyChange(s, change(3, 'leave', entry('b', 'Bob', { online: false, lastDisconnected: 200 })));
  const list = presenceList(s, 'me');
  assert.deepEqual(list.map((e) => [e.userId, e.online, e.lastDisconnected]),
    [['me', true, 0], ['x', true, 0], ['y', false, 300], ['b', false, 200]]);
  assert.deepEqual(list[1], { userId: 'x', online: true, lastDisconnected: 0, data: entry('x', 'Xi').data, name: 'Xi' },
    "Convex's optional name from the display name; no image without an avatar");
  const withAvatar = applySnapshot(emptyRoom(), { seq: 1, entries: [{ ...entry('a', 'Ann'), data: { displayName: 'Ann', avatarUrl: 'https://a.example/a.png' } }] });
  assert.equal(presenceList(withAvatar, 'me')[0].image, 'https://a.example/a.png');
});
