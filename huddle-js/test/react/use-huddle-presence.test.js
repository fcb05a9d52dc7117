// The hook's contract (J2, J3) in jsdom, with a fake socket the test opens and feeds by hand: StrictMode,
// mount and unmount, pagehide and reload, status, events, sharing one socket. Runs once against React 19
// and once against React 18 (vitest.config.js).
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { StrictMode, createElement, version as reactVersion } from 'react';
import { version as reactDomVersion } from 'react-dom';
import { act, cleanup, render, renderHook } from '@testing-library/react';
import { FakeSocket, entry } from '../support/fakes.js';

const SERVER = 'https://presence.test';
let beacons;
let api; // the package's React entries, imported afresh per test: a new page has a new module registry

async function loadPage() {
  vi.resetModules();
  api = {
    ...(await import('../../src/react/index.js')),
    usePresence: (await import('../../src/convex/index.js')).default,
  };
  return api;
}

beforeEach(async () => {
  FakeSocket.reset();
  vi.stubGlobal('WebSocket', FakeSocket);
  beacons = [];
  Object.defineProperty(window.navigator, 'sendBeacon', {
    configurable: true,
    value: (url, body) => beacons.push({ url, body: JSON.parse(body) }),
  });
  sessionStorage.clear();
  await loadPage();
});

afterEach(async () => {
  cleanup();
  await nextTask();
  vi.unstubAllGlobals();
});

/** Lets the deferred close (one task) run. */
const nextTask = () => act(() => new Promise((resolve) => setTimeout(resolve, 5)));

function wrapper({ strict = false, token } = {}) {
  return ({ children }) => {
    const provided = createElement(api.HuddlePresenceProvider, { url: SERVER, token }, children);
    return strict ? createElement(StrictMode, null, provided) : provided;
  };
}

const useAnn = () => api.useHuddlePresence('h1', { userId: 'ann' });
const socket = () => FakeSocket.last();
const openAndSync = (entries) => act(() => {
  socket().open();
  socket().receive({ type: 'joined', huddleId: 'h1', sessionId: socket().sent.find((m) => m.type === 'join').sessionId, sessionToken: 'tok-ann' });
  socket().receive({ type: 'snapshot', room: 'h1', epoch: 'e1', seq: 1, entries });
});

test(`runs on the React under test (${reactVersion})`, () => {
  expect(reactVersion.split('.')[0]).toBe(process.env.REACT_MAJOR);
  expect(reactDomVersion).toBe(reactVersion);
});

describe('J2: mount and unmount', () => {
  test('joins on mount over one socket to the provider\'s server, with its token', async () => {
    renderHook(useAnn, { wrapper: wrapper({ token: 't-1' }) });
    expect(FakeSocket.all).toHaveLength(1);
    expect(socket().url).toBe('wss://presence.test/ws?token=t-1');
    act(() => socket().open());
    expect(socket().types()).toEqual(['subscribe', 'join']);
    expect(socket().sent[1]).toMatchObject({ type: 'join', huddleId: 'h1', interval: 10000 });
  });

  test('StrictMode\'s double mount keeps one socket and sends no leave', async () => {
    const { result } = renderHook(useAnn, { wrapper: wrapper({ strict: true }) });
    await nextTask();
    expect(FakeSocket.all).toHaveLength(1);
    openAndSync([entry('ann', 'Ann')]);
    await nextTask();
    expect(socket().readyState).toBe(1);
    expect(socket().types()).not.toContain('leave');
    expect(result.current.status).toBe('live');
    expect(result.current.me.userId).toBe('ann');
  });

  test('unmount says goodbye at once (a leave over the socket) and closes it', async () => {
    const { unmount } = renderHook(useAnn, { wrapper: wrapper() });
    openAndSync([entry('ann', 'Ann')]);
    unmount();
    await nextTask();
    expect(socket().types().filter((t) => t === 'leave')).toHaveLength(1);
    expect(socket().readyState).toBe(3);
  });

  test('a view that moves (unmounted and mounted again in one commit) keeps the connection', async () => {
    function Room({ where }) {
      const inner = createElement(Probe, { key: where });
      return createElement(where === 'left' ? 'aside' : 'main', null, inner);
    }
    function Probe() {
      useAnn();
      return null;
    }
    const { rerender } = render(createElement(Room, { where: 'left' }), { wrapper: wrapper() });
    openAndSync([entry('ann', 'Ann')]);
    rerender(createElement(Room, { where: 'right' }));
    await nextTask();
    expect(FakeSocket.all).toHaveLength(1);
    expect(socket().types()).not.toContain('leave');
  });

  test('leave() leaves at once, shows offline, and the later unmount sends nothing more', async () => {
    const { result, unmount } = renderHook(useAnn, { wrapper: wrapper() });
    openAndSync([entry('ann', 'Ann')]);
    act(() => result.current.leave());
    expect(result.current.status).toBe('offline');
    expect(socket().types().filter((t) => t === 'leave')).toHaveLength(1);
    unmount();
    await nextTask();
    expect(socket().types().filter((t) => t === 'leave')).toHaveLength(1);
    expect(beacons).toEqual([]);
  });

  test('no huddle id connects nothing and shows offline', () => {
    const { result } = renderHook(() => api.useHuddlePresence(null, { userId: 'ann' }), { wrapper: wrapper() });
    expect(FakeSocket.all).toHaveLength(0);
    expect(result.current.status).toBe('offline');
    expect(result.current.participants).toEqual([]);
  });

  test('H4: without a profile it only watches: subscribes by slug, never joins, sends no goodbye', async () => {
    const { unmount } = renderHook(() => api.useHuddlePresence('design-sync-ab12cd'), { wrapper: wrapper() });
    act(() => socket().open());
    expect(socket().sent.map((m) => [m.type, m.huddle])).toEqual([['subscribe', 'design-sync-ab12cd']]);
    window.dispatchEvent(new Event('pagehide'));
    unmount();
    await nextTask();
    expect(beacons).toEqual([]);
    expect(socket().types()).toEqual(['subscribe']);
  });
});

describe('J2: pagehide and reload (T3)', () => {
  test('pagehide sends the goodbye beacon with a grace; the reloaded page continues the session with no leave in between', async () => {
    renderHook(useAnn, { wrapper: wrapper() });
    openAndSync([entry('ann', 'Ann')]);
    const first = socket();
    const sessionId = first.sent.find((m) => m.type === 'join').sessionId;
    window.dispatchEvent(new Event('pagehide'));
    expect(beacons).toEqual([{ url: `${SERVER}/api/presence/disconnect`, body: { sessionToken: 'tok-ann', graceMs: 1500 } }]);
    expect(first.types()).not.toContain('leave');

    await loadPage(); // the reloaded page: same sessionStorage, new modules
    renderHook(useAnn, { wrapper: wrapper() });
    act(() => socket().open());
    expect(socket()).not.toBe(first);
    expect(socket().sent.find((m) => m.type === 'join')).toMatchObject({ sessionId, sessionToken: 'tok-ann' });
  });
});

describe('J2: what it returns', () => {
  test('status goes connecting, live, reconnecting, live', async () => {
    const { result } = renderHook(useAnn, { wrapper: wrapper() });
    expect(result.current.status).toBe('connecting');
    openAndSync([entry('ann', 'Ann')]);
    expect(result.current.status).toBe('live');
    act(() => socket().drop());
    expect(result.current.status).toBe('reconnecting');
    await act(() => new Promise((resolve) => setTimeout(resolve, 600))); // the first retry waits 250…500 ms
    act(() => {
      socket().open();
      socket().receive({ type: 'resumed', room: 'h1', epoch: 'e1', seq: 1 });
    });
    expect(result.current.status).toBe('live');
    expect(FakeSocket.all).toHaveLength(2);
  });

  test('H6: participants sorted with you first, the speaking and recording sets, and your entry', () => {
    const { result } = renderHook(useAnn, { wrapper: wrapper() });
    openAndSync([
      entry('cy', 'Cy', { isRecording: true }), entry('bo', 'bo', { role: 'observer' }),
      entry('ann', 'Ann'), entry('al', 'Al', { isSpeaking: true }),
    ]);
    expect(result.current.participants.map((p) => p.userId)).toEqual(['ann', 'al', 'cy', 'bo']);
    expect(result.current.speakingUserIds).toEqual(['al']);
    expect(result.current.recordingUserIds).toEqual(['cy']);
    expect(result.current.me.data.displayName).toBe('Ann');
  });

  test('setSpeaking and setRecording send the flags; the result is stable between changes, the setters for good', () => {
    const { result, rerender } = renderHook(useAnn, { wrapper: wrapper() });
    openAndSync([entry('ann', 'Ann')]);
    const before = result.current;
    rerender();
    expect(result.current).toBe(before);
    act(() => result.current.setSpeaking(true));
    act(() => result.current.setRecording(true));
    expect(socket().sent.filter((m) => m.type === 'flags').map(({ isSpeaking, isRecording }) => ({ isSpeaking, isRecording })))
      .toEqual([{ isSpeaking: true, isRecording: undefined }, { isSpeaking: undefined, isRecording: true }]);
    act(() => socket().receive({ type: 'change', room: 'h1', seq: 2, kind: 'update', entry: entry('ann', 'Ann', { isSpeaking: true }) }));
    expect(result.current.speakingUserIds).toEqual(['ann']);
    expect(result.current).not.toBe(before);
    expect([result.current.setSpeaking, result.current.setRecording, result.current.leave])
      .toEqual([before.setSpeaking, before.setRecording, before.leave]);
  });

  test('events: join, recording and leave of others, with growing ids; none for the first list', () => {
    const { result } = renderHook(useAnn, { wrapper: wrapper() });
    openAndSync([entry('ann', 'Ann')]);
    expect(result.current.events).toEqual([]);
    act(() => {
      socket().receive({ type: 'change', room: 'h1', seq: 2, kind: 'join', entry: entry('cy', 'Cy') });
      socket().receive({ type: 'change', room: 'h1', seq: 3, kind: 'update', entry: entry('cy', 'Cy', { isRecording: true }) });
      socket().receive({ type: 'change', room: 'h1', seq: 4, kind: 'leave', entry: entry('cy', 'Cy', { isRecording: true }, false) });
    });
    expect(result.current.events.map((e) => [e.id, e.kind, e.displayName]))
      .toEqual([[1, 'join', 'Cy'], [2, 'recording-started', 'Cy'], [3, 'leave', 'Cy']]);
  });

  test('an error the server answers with shows as error', () => {
    const { result } = renderHook(useAnn, { wrapper: wrapper() });
    act(() => {
      socket().open();
      socket().receive({ type: 'error', requestId: 'r2', code: 'not_a_member', message: 'not a member' });
    });
    expect(result.current.error).toEqual({ code: 'not_a_member', message: 'not a member' });
  });

  test('a refreshed token is used at the next connect, with no leave and no new socket', async () => {
    let token = 't-1';
    function App({ children }) {
      return createElement(api.HuddlePresenceProvider, { url: SERVER, token }, children);
    }
    const { rerender } = renderHook(useAnn, { wrapper: App });
    openAndSync([entry('ann', 'Ann')]);
    token = 't-2';
    rerender();
    await nextTask();
    expect(FakeSocket.all).toHaveLength(1);
    expect(socket().types()).not.toContain('leave');
    act(() => socket().drop());
    await act(() => new Promise((resolve) => setTimeout(resolve, 600)));
    expect(socket().url).toBe('wss://presence.test/ws?token=t-2');
  });
});

describe('one socket per tab', () => {
  test('two components on one huddle, and Convex\'s usePresence beside them, share one socket', async () => {
    function Both() {
      const a = useAnn();
      const b = useAnn();
      const convex = api.usePresence({}, 'h1', 'ann');
      return createElement('p', null, `${a.participants.length} ${b.participants.length} ${convex === undefined ? 'loading' : convex.length}`);
    }
    const view = render(createElement(Both), { wrapper: wrapper({ strict: true }) });
    await nextTask();
    expect(FakeSocket.all).toHaveLength(1);
    expect(view.container.textContent).toBe('0 0 loading');
    openAndSync([entry('ann', 'Ann'), entry('bo', 'Bo')]);
    expect(view.container.textContent).toBe('2 2 2');
  });
});

describe('J3: Convex\'s usePresence', () => {
  test('undefined while loading, then every entry in Convex\'s shape, yours first and offline users after', () => {
    const { result } = renderHook(() => api.usePresence({ list: 'ignored' }, 'h1', 'ann', 20_000), { wrapper: wrapper() });
    expect(result.current).toBeUndefined();
    act(() => socket().open());
    expect(socket().sent.find((m) => m.type === 'join')).toMatchObject({ huddleId: 'h1', interval: 20000 });
    act(() => socket().receive({ type: 'snapshot', room: 'h1', epoch: 'e1', seq: 1, entries: [
      entry('bo', 'Bo'), entry('ann', 'Ann'), { ...entry('zed', 'Zed', {}, false), lastDisconnected: 500 },
    ] }));
    expect(result.current).toEqual([
      { userId: 'ann', online: true, lastDisconnected: 0, data: entry('ann', 'Ann').data, name: 'Ann' },
      { userId: 'bo', online: true, lastDisconnected: 0, data: entry('bo', 'Bo').data, name: 'Bo' },
      { userId: 'zed', online: false, lastDisconnected: 500, data: entry('zed', 'Zed').data, name: 'Zed' },
    ]);
  });
});
