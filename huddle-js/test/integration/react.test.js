// The React hook and the Convex drop-in against the real server (J2, J3): one socket under StrictMode,
// live flags and events, unmount as a goodbye, and Convex's list with offline users.
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { StrictMode, createElement } from 'react';
import { act, cleanup, renderHook } from '@testing-library/react';
import { HuddlePresenceProvider, useHuddlePresence } from '../../src/react/index.js';
import usePresence from '../../src/convex/index.js';
import { createHuddle, joinHuddle, server, signIn } from './api.js';

const sockets = [];
let Real;
beforeEach(() => {
  sessionStorage.clear();
  Real = globalThis.WebSocket; // setup.js's
  vi.stubGlobal('WebSocket', class CountedWebSocket extends Real {
    constructor(url) {
      super(url);
      sockets.push(url);
    }
  });
});
afterEach(async () => {
  cleanup();
  await new Promise((resolve) => setTimeout(resolve, 50));
  vi.stubGlobal('WebSocket', Real);
  sockets.length = 0;
});

const until = (check) => vi.waitFor(check, { timeout: 10_000, interval: 25 });

function as(user, strict = true) {
  return ({ children }) => {
    const provided = createElement(HuddlePresenceProvider, { url: server(), token: user.token }, children);
    return strict ? createElement(StrictMode, null, provided) : provided;
  };
}

test('J2: under StrictMode each user holds one socket; flags and events flow both ways; unmount leaves at once', async () => {
  const ann = await signIn('Ann');
  const bob = await signIn('Bob');
  const huddle = await createHuddle(ann, 'React');
  await joinHuddle(bob, huddle);
  const a = renderHook(() => useHuddlePresence(huddle.id, ann), { wrapper: as(ann) });
  // Bob comes once Ann's list is current, so his arrival is a join event rather than part of her first list.
  await until(() => expect(a.result.current.participants.map((p) => p.data.displayName)).toEqual(['Ann']));
  const b = renderHook(() => useHuddlePresence(huddle.id, bob), { wrapper: as(bob) });
  await until(() => {
    expect(a.result.current.participants.map((p) => p.data.displayName)).toEqual(['Ann', 'Bob']);
    expect(b.result.current.participants.map((p) => p.data.displayName)).toEqual(['Bob', 'Ann']);
  });
  expect(a.result.current.status).toBe('live');
  expect(sockets.filter((u) => u.includes(ann.token))).toHaveLength(1);
  expect(sockets.filter((u) => u.includes(bob.token))).toHaveLength(1);

  act(() => b.result.current.setSpeaking(true));
  await until(() => expect(a.result.current.speakingUserIds).toEqual([bob.userId]));
  act(() => b.result.current.setRecording(true));
  await until(() => expect(a.result.current.recordingUserIds).toEqual([bob.userId]));

  b.unmount();
  await until(() => expect(a.result.current.participants.map((p) => p.userId)).toEqual([ann.userId]));
  expect(a.result.current.events.map((e) => e.kind)).toEqual(['join', 'recording-started', 'leave']);
  expect(b.result.current.me).not.toBeNull(); // what it showed last; nothing renders it any more
});

test('J3: Convex\'s usePresence is undefined while loading, then the room with yourself first and leavers offline', async () => {
  const ann = await signIn('Ann');
  const bob = await signIn('Bob');
  const huddle = await createHuddle(ann, 'Convex');
  await joinHuddle(bob, huddle);
  const api = { presence: {} };
  const a = renderHook(() => usePresence(api.presence, huddle.id, ann.userId), { wrapper: as(ann) });
  expect(a.result.current).toBeUndefined();
  const b = renderHook(() => usePresence(api.presence, huddle.id, bob.userId), { wrapper: as(bob) });
  await until(() => expect(a.result.current?.map((p) => [p.name, p.online])).toEqual([['Ann', true], ['Bob', true]]));
  expect(b.result.current[0]).toMatchObject({ userId: bob.userId, online: true, lastDisconnected: 0, name: 'Bob' });
  const before = Date.now();
  b.unmount();
  await until(() => expect(a.result.current.map((p) => [p.name, p.online])).toEqual([['Ann', true], ['Bob', false]]));
  expect(a.result.current[1].lastDisconnected).toBeGreaterThanOrEqual(before - 1_000);
});
