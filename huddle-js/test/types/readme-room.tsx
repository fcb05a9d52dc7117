// The React example of README.md, as it stands there: it must compile against the declarations.
import { HuddlePresenceProvider, useHuddlePresence } from '@huddle-presence/client/react';
import { describeEvent } from '@huddle-presence/client';

function Room({ huddleId, userId }: { huddleId: string; userId: string }) {
  const { participants, speakingUserIds, recordingUserIds, me, status, setSpeaking, leave, events } =
    useHuddlePresence(huddleId, { userId });
  const speaking = me?.data.isSpeaking === true;
  return (
    <section>
      <p>{status}</p>
      <button aria-pressed={speaking} onClick={() => setSpeaking(!speaking)}>Speaking</button>
      <button onClick={leave}>Leave</button>
      <ul>
        {participants.map((p) => (
          <li key={p.userId}>
            {p.data.displayName}
            {speakingUserIds.includes(p.userId) && ' · speaking'}
            {recordingUserIds.includes(p.userId) && ' · recording'}
          </li>
        ))}
      </ul>
      <div aria-live="polite">{events.slice(-3).map((e) => <p key={e.id}>{describeEvent(e)}</p>)}</div>
    </section>
  );
}

export function App() {
  return (
    <HuddlePresenceProvider>
      <Room huddleId="…the huddle's id…" userId="…your user id…" />
    </HuddlePresenceProvider>
  );
}
