// The browser client's state logic, as pure functions (no DOM, no socket, no clock): apply a snapshot,
// apply a change, buffer changes that arrive before the snapshot, derive the view (H6), and find the
// joins and leaves worth a toast. Every function returns a new state and never mutates its input.
//
// A room's state:
//   { synced, epoch, seq, entries: Map<userId, entry>, pending: change[], gap }
// where an entry is the server's { userId, online, lastDisconnected, data: { displayName, avatarUrl,
// role, isSpeaking, isRecording } }.

/** The state of a room before its first snapshot. */
export function emptyRoom() {
  return { synced: false, epoch: null, seq: 0, entries: new Map(), pending: [], gap: false };
}

/**
 * Applies a snapshot {epoch, seq, entries} (S1), then any buffered changes that follow it in sequence.
 * Buffered changes the snapshot already includes (seq <= snapshot.seq) are dropped.
 */
export function applySnapshot(state, snapshot) {
  const entries = new Map();
  for (const e of snapshot.entries) entries.set(e.userId, e);
  let next = { synced: true, epoch: snapshot.epoch ?? null, seq: snapshot.seq, entries, pending: [], gap: false };
  const buffered = [...state.pending].sort((a, b) => a.seq - b.seq);
  for (const change of buffered) {
    if (change.seq > next.seq) next = applyChange(next, change);
  }
  return next;
}

/**
 * Applies one change {seq, kind, entry} (P11, S3). Before the first snapshot it is buffered. A change
 * already seen (seq <= state.seq) is ignored, so a replay after resume never duplicates anything. A
 * change that skips a sequence number is not applied: the state is marked `gap`, and the caller must
 * resume or take a fresh snapshot (S2: never a silent gap).
 */
export function applyChange(state, change) {
  if (!state.synced) {
    return { ...state, pending: [...state.pending, change] };
  }
  if (change.seq <= state.seq || state.gap) return state;
  if (change.seq !== state.seq + 1) return { ...state, gap: true };
  const entries = new Map(state.entries);
  if (change.kind === 'remove') entries.delete(change.entry.userId);
  else entries.set(change.entry.userId, change.entry);
  return { ...state, seq: change.seq, entries };
}

const ROLE_ORDER = { participant: 0, observer: 1 };

/** Compares two entries for the participants panel (H6): self first, participants before observers, name, id. */
export function compareParticipants(selfUserId) {
  return (a, b) => {
    if ((a.userId === selfUserId) !== (b.userId === selfUserId)) return a.userId === selfUserId ? -1 : 1;
    const ra = ROLE_ORDER[a.data?.role] ?? 2;
    const rb = ROLE_ORDER[b.data?.role] ?? 2;
    if (ra !== rb) return ra - rb;
    const na = (a.data?.displayName ?? '').toLocaleLowerCase();
    const nb = (b.data?.displayName ?? '').toLocaleLowerCase();
    if (na !== nb) return na < nb ? -1 : 1;
    return a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0;
  };
}

/**
 * The derived view every client gets (H6): the online participants sorted, and the ids of those
 * speaking and recording.
 */
export function deriveView(state, selfUserId) {
  const participants = [...state.entries.values()].filter((e) => e.online).sort(compareParticipants(selfUserId));
  return {
    participants,
    speakingUserIds: participants.filter((e) => e.data?.isSpeaking === true).map((e) => e.userId),
    recordingUserIds: participants.filter((e) => e.data?.isRecording === true).map((e) => e.userId),
  };
}

/**
 * The joins and leaves worth a toast between two states of a room: users who became online or stopped
 * being online. None before the first snapshot (the initial list is not news), none for yourself, and
 * none for a reconnect or reload (the server continues such a session without a leave or a join, T2/T3,
 * so the online set does not change), nor across a server restart (a new epoch). Works the same
 * for a change and for a resync snapshot.
 */
export function toasts(before, after, selfUserId) {
  if (!before.synced || !after.synced) return [];
  // A new epoch means the server restarted: its first snapshot is not news (everyone rejoins shortly).
  if (before.epoch && after.epoch && before.epoch !== after.epoch) return [];
  const out = [];
  for (const [userId, e] of after.entries) {
    if (userId !== selfUserId && e.online && !before.entries.get(userId)?.online) {
      out.push({ kind: 'join', userId, displayName: e.data?.displayName ?? userId });
    }
  }
  for (const [userId, e] of before.entries) {
    if (userId !== selfUserId && e.online && !after.entries.get(userId)?.online) {
      out.push({ kind: 'leave', userId, displayName: e.data?.displayName ?? userId });
    }
  }
  return out;
}

/** Initials for an avatar placeholder: up to two letters of the display name. */
export function initials(displayName) {
  const words = (displayName ?? '').trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return '?';
  const letters = words.length === 1 ? [...words[0]].slice(0, 2) : [[...words[0]][0], [...words[words.length - 1]][0]];
  return letters.join('').toLocaleUpperCase();
}
