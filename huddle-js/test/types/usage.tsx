// A typed use of every entry of the package, compiled by `npm run typecheck` (tsc, nothing emitted).
// The @ts-expect-error lines prove the declarations refuse what the code would not accept.
import {
  createHuddlePresence, serverEndpoints, describeEvent, deriveView, emptyRoom, applySnapshot, presenceList, initials,
  createSpeakingGate, rmsLevel,
  type HuddleEvent, type HuddleSnapshot, type HuddleStatus, type PresenceState,
} from '@huddle-presence/client';
import { HuddlePresenceProvider, useHuddlePresence, type HuddlePresence } from '@huddle-presence/client/react';
import usePresence from '@huddle-presence/client/convex';
import { useEffect, useState } from 'react';

const { url, beaconUrl } = serverEndpoints('https://presence.example.com', 'a-token');
const client = createHuddlePresence({ url, beaconUrl, huddleId: 'h1', userId: 'u1', onEvent: (e) => console.log(describeEvent(e)) });
client.start();
client.setFlags({ isSpeaking: true });
const snapshot: HuddleSnapshot = client.getSnapshot();
const live: boolean = snapshot.status === 'live';
// @ts-expect-error 'connected' is not a status
const wrong: boolean = snapshot.status === 'connected';
const unsubscribe: () => void = client.subscribe(() => client.getSnapshot());
unsubscribe();
const list: PresenceState[] | undefined = client.presenceList();
const view = deriveView(applySnapshot(emptyRoom(), { seq: 1, entries: [] }), 'u1');
const names: string[] = view.participants.map((p) => p.data.displayName ?? initials(p.data.displayName));
const alsoList = presenceList(emptyRoom(), 'u1');
const gate = createSpeakingGate({ holdMs: 300 });
const speaking: boolean = gate(rmsLevel(new Uint8Array(1024)), 0);
// @ts-expect-error a client needs a huddle
createHuddlePresence({ url });

function Toasts({ events }: { events: readonly HuddleEvent[] }) {
  const [shown, setShown] = useState(0);
  useEffect(() => {
    const last = events.at(-1);
    if (last && last.id > shown) setShown(last.id);
  }, [events, shown]);
  return <ul>{events.map((e) => <li key={e.id}>{describeEvent(e)}</li>)}</ul>;
}

function Room({ huddleId, userId }: { huddleId: string; userId: string }) {
  const presence: HuddlePresence = useHuddlePresence(huddleId, { userId }, { interval: 5_000 });
  const status: HuddleStatus = presence.status;
  const speaking = presence.speakingUserIds.includes(userId);
  // @ts-expect-error the setters take a boolean
  presence.setSpeaking('yes');
  return (
    <section>
      <p>{status}</p>
      <button type="button" aria-pressed={speaking} onClick={() => presence.setSpeaking(!speaking)}>Speaking</button>
      <button type="button" onClick={() => presence.setRecording(true)}>Record</button>
      <button type="button" onClick={presence.leave}>Leave</button>
      <ul>{presence.participants.map((p) => <li key={p.userId}>{p.data.displayName}{p === presence.me ? ' (you)' : ''}</li>)}</ul>
      <Toasts events={presence.events} />
      {presence.error ? <p role="alert">{presence.error.message}</p> : null}
    </section>
  );
}

function Watcher({ slug }: { slug: string }) {
  const { participants } = useHuddlePresence(slug);
  const none = useHuddlePresence(null);
  return <p>{participants.length + none.participants.length}</p>;
}

function ConvexStyle({ roomId, userId }: { roomId: string; userId: string }) {
  const api = { presence: {} };
  const state = usePresence(api.presence, roomId, userId);
  const slower = usePresence(api.presence, roomId, userId, 30_000);
  if (state === undefined) return <p>Loading…</p>;
  // @ts-expect-error the roomId is a string
  usePresence(api.presence, 42, userId);
  return <ul>{[...state, ...(slower ?? [])].map((p) => <li key={p.userId}>{p.name ?? p.userId} {p.online ? 'online' : p.lastDisconnected}</li>)}</ul>;
}

export function App() {
  return (
    <HuddlePresenceProvider url="https://presence.example.com" token="a-token">
      <Room huddleId="h1" userId="u1" />
      <Watcher slug="design-sync-ab12cd" />
      <ConvexStyle roomId="h1" userId="u1" />
    </HuddlePresenceProvider>
  );
}

export const used = [live, wrong, list, names, alsoList, speaking, beaconUrl];
