// The participants panel on useHuddlePresence: the live list (you first), speaking and recording badges,
// the flag toggles, the connection status, and toasts for joins, leaves and recordings.
import { useHuddlePresence, type HuddleStatus } from '@huddle-presence/client/react';
import type { User } from './api';
import { Avatar } from './Avatar';
import { Toasts } from './Toasts';

const STATUS_TEXT: Record<HuddleStatus, string> = {
  connecting: 'connecting…', live: 'live', reconnecting: 'reconnecting…', offline: 'offline',
};

export function ParticipantsPanel({ huddleId, user }: { huddleId: string; user: User }) {
  const { participants, speakingUserIds, recordingUserIds, me, status, setSpeaking, setRecording, leave, events, error } =
    useHuddlePresence(huddleId, user);
  // The toggles show what the room shows (the server's word), so a reload or a second tab agrees.
  const speaking = me?.data.isSpeaking === true;
  const recording = me?.data.isRecording === true;

  return (
    <section className="card" aria-labelledby="panel-heading">
      <div className="panel-head">
        <h2 id="panel-heading">In the huddle <span id="count" className="muted">({participants.length})</span></h2>
        <span id="status" className="connection" data-status={status} role="status">{STATUS_TEXT[status]}</span>
      </div>
      <div className="controls">
        <button type="button" id="speak" className="toggle" aria-pressed={speaking} disabled={!me} onClick={() => setSpeaking(!speaking)}>
          Speaking
        </button>
        <button type="button" id="record" className="toggle rec" aria-pressed={recording} disabled={!me} onClick={() => setRecording(!recording)}>
          Recording
        </button>
        <button type="button" id="leave" className="secondary" onClick={() => { leave(); location.hash = '#/'; }}>Leave</button>
      </div>
      {error ? <p className="error" role="alert">{error.message}</p> : null}
      <ul id="participants" className="participants">
        {participants.map((p) => (
          <li key={p.userId} data-user-id={p.userId} className={speakingUserIds.includes(p.userId) ? 'speaking' : undefined}>
            <Avatar key={p.data.avatarUrl ?? ''} name={p.data.displayName} url={p.data.avatarUrl} />
            <span className="who">
              <span className="name">{p.data.displayName ?? p.userId}{p.userId === user.userId ? ' (you)' : ''}</span>
              <span className="muted role"> · {p.data.role}</span>
            </span>
            <span className="badges">
              {speakingUserIds.includes(p.userId) ? <span className="badge speaking">Speaking</span> : null}
              {recordingUserIds.includes(p.userId) ? <span className="badge recording">Recording</span> : null}
            </span>
          </li>
        ))}
      </ul>
      <Toasts events={events} />
    </section>
  );
}
