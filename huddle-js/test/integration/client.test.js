// The package's client against the real server (J1, H6, T2, T3, S1): two users in one huddle, flags,
// events, a reload that continues the session, a goodbye, and a read-only viewer.
import { afterEach, expect, test, vi } from 'vitest';
import { createHuddlePresence, serverEndpoints } from '../../src/index.js';
import { createHuddle, joinHuddle, list, server, signIn } from './api.js';

const running = [];
afterEach(() => {
  for (const c of running.splice(0)) c.stop();
});

function memoryStorage() {
  const m = new Map();
  return { getItem: (k) => (m.has(k) ? m.get(k) : null), setItem: (k, v) => m.set(k, String(v)), removeItem: (k) => m.delete(k) };
}

/** A client as one browser tab of `user` would run it; `tab.storage` and `tab.window` stand for the tab. */
function open(user, huddleId, tab = { storage: memoryStorage(), window: new EventTarget() }, extra = {}) {
  const events = [];
  const client = createHuddlePresence({
    ...serverEndpoints(server(), user?.token),
    huddleId, userId: user?.userId, readOnly: !user, storage: tab.storage, lifecycle: tab.window,
    onEvent: (e) => events.push(e), ...extra,
  });
  client.start();
  running.push(client);
  return { client, events, tab, names: () => client.getSnapshot().participants.map((p) => p.data.displayName) };
}

const until = (check) => vi.waitFor(check, { timeout: 10_000, interval: 25 });

async function annAndBob(title) {
  const ann = await signIn('Ann');
  const bob = await signIn('Bob');
  const huddle = await createHuddle(ann, title);
  await joinHuddle(bob, huddle);
  return { ann, bob, huddle };
}

/**
 * Ann's client, then Bob's once Ann's list is current (else Bob may be in Ann's first list: no join
 * event); ready once Bob's session token is kept, which his goodbye needs (his join may reach Ann
 * before its reply reaches him).
 */
async function openBoth({ ann, bob, huddle }) {
  const a = open(ann, huddle.id);
  await until(() => expect(a.names()).toEqual(['Ann']));
  const b = open(bob, huddle.id);
  await until(() => {
    expect(a.names()).toEqual(['Ann', 'Bob']);
    expect(b.tab.storage.getItem(`huddle-presence:token:${huddle.id}:${b.client.sessionId()}`)).not.toBeNull();
  });
  return { a, b };
}

test('H6, S1: two users see each other live, themselves first; a join is an event for the other only', async () => {
  const { a, b } = await openBoth(await annAndBob('See each other'));
  await until(() => expect(b.names()).toEqual(['Bob', 'Ann']));
  expect(a.client.status()).toBe('live');
  expect(a.events.map((e) => [e.kind, e.displayName])).toEqual([['join', 'Bob']]);
  expect(b.events).toEqual([]);
  expect(b.client.getSnapshot().me.data.displayName).toBe('Bob');
});

test('H5: flags set on one client show in the other; a recording start and stop are events', async () => {
  const { ann, bob, huddle } = await annAndBob('Flags');
  const { a, b } = await openBoth({ ann, bob, huddle });
  b.client.setFlags({ isSpeaking: true, isRecording: true });
  await until(() => {
    expect(a.client.getSnapshot().speakingUserIds).toEqual([bob.userId]);
    expect(a.client.getSnapshot().recordingUserIds).toEqual([bob.userId]);
  });
  b.client.setFlags({ isRecording: false });
  await until(() => expect(a.events.map((e) => e.kind)).toEqual(['join', 'recording-started', 'recording-stopped']));
});

test('T2, T3: a reload (pagehide goodbye, then the same tab rejoins within the grace) makes no leave or join', async () => {
  const { ann, bob, huddle } = await annAndBob('Reload');
  const { a, b } = await openBoth({ ann, bob, huddle });
  const sessionBefore = b.client.sessionId();
  b.tab.window.dispatchEvent(new Event('pagehide'));
  const reloaded = open(bob, huddle.id, b.tab);
  expect(reloaded.client.sessionId()).toBe(sessionBefore);
  await until(() => expect(reloaded.client.getSnapshot().me?.userId).toBe(bob.userId));
  // Outlast the departure grace (1.5 s): had the reload not continued the session, Bob would leave now.
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  expect(a.events.map((e) => e.kind)).toEqual(['join']);
  expect(a.names()).toEqual(['Ann', 'Bob']);
  expect((await list(ann, huddle)).filter((e) => e.online)).toHaveLength(2);
});

test('T3: a closed tab (pagehide, and nothing after) leaves within the grace; leave() leaves at once', async () => {
  const { ann, bob, huddle } = await annAndBob('Close');
  const { a, b } = await openBoth({ ann, bob, huddle });
  b.tab.window.dispatchEvent(new Event('pagehide'));
  await until(() => expect(a.events.map((e) => e.kind)).toEqual(['join', 'leave']));
  expect(a.names()).toEqual(['Ann']);

  const again = open(bob, huddle.id);
  await until(() => expect(a.names()).toEqual(['Ann', 'Bob']));
  again.client.leave();
  await until(() => expect(a.names()).toEqual(['Ann']));
  expect(again.client.status()).toBe('offline');
});

test('H4: a viewer without sign-in watches by slug and never appears', async () => {
  const { ann, huddle } = await annAndBob('Watch');
  const a = open(ann, huddle.id);
  const viewer = open(null, huddle.slug);
  await until(() => expect(viewer.names()).toEqual(['Ann']));
  expect(viewer.client.getSnapshot().me).toBeNull();
  expect(a.names()).toEqual(['Ann']);
  expect((await list(ann, huddle)).map((e) => e.userId)).toEqual([ann.userId]);
});
