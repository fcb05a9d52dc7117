// The client's state logic, as pure functions (no DOM, no socket, no clock): apply a snapshot, apply a
// change, buffer changes that arrive before the snapshot, derive the view (H6) and the Convex-shaped
// list (J3), and find the events worth a toast (joins, leaves, recording started or stopped). Every
// function returns a new value and never mutates its input.
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
  // A join moves the user to the end, so the map keeps the server's list order (P8: earliest online first).
  if (change.kind === 'remove' || change.kind === 'join') entries.delete(change.entry.userId);
  if (change.kind !== 'remove') entries.set(change.entry.userId, change.entry);
  return { ...state, seq: change.seq, entries };
}

const ROLE_ORDER = { host: 0, participant: 0, observer: 1 };

/** Compares two entries for the participants panel (H6): self first, hosts and participants before observers, name, id. */
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
 * The events worth a toast between two states of a room: users who came online or stopped being online,
 * and online users who started or stopped recording (people expect to know when they are recorded).
 * None before the first snapshot (the initial list is not news), none about yourself, and none for a
 * reconnect or reload (the server continues such a session without a leave or a join, T2/T3, so the
 * online set does not change), nor across a server restart (a new epoch). Works the same for a change
 * and for a resync snapshot. Each event is {kind, userId, displayName}, kind one of 'join', 'leave',
 * 'recording-started', 'recording-stopped'.
 */
export function roomEvents(before, after, selfUserId) {
  if (!before.synced || !after.synced) return [];
  // A new epoch means the server restarted: its first snapshot is not news (everyone rejoins shortly).
  if (before.epoch && after.epoch && before.epoch !== after.epoch) return [];
  const out = [];
  const event = (kind, e) => ({ kind, userId: e.userId, displayName: e.data?.displayName ?? e.userId });
  for (const [userId, e] of after.entries) {
    if (userId === selfUserId || !e.online) continue;
    const was = before.entries.get(userId);
    if (!was?.online) {
      out.push(event('join', e));
    } else if ((was.data?.isRecording === true) !== (e.data?.isRecording === true)) {
      out.push(event(e.data?.isRecording === true ? 'recording-started' : 'recording-stopped', e));
    }
  }
  for (const [userId, e] of before.entries) {
    if (userId !== selfUserId && e.online && !after.entries.get(userId)?.online) out.push(event('leave', e));
  }
  return out;
}

const EVENT_TEXT = {
  join: 'joined',
  leave: 'left',
  'recording-started': 'started recording',
  'recording-stopped': 'stopped recording',
};

/** The sentence a toast shows for an event: "Cy joined", "Cy started recording". */
export function describeEvent(event) {
  return `${event.displayName} ${EVENT_TEXT[event.kind] ?? event.kind}`;
}

/**
 * The room as Convex's `usePresence` returns it (J3): every entry the server listed, online users first
 * in the order they came online, then offline users by `lastDisconnected`, newest first (P8), with the
 * caller's own entry moved to the front. Each item is {userId, online, lastDisconnected, data}, plus
 * `name` and `image` (Convex's optional fields) from the display name and avatar. Undefined before the
 * first snapshot, as Convex's hook is while loading.
 */
export function presenceList(state, selfUserId) {
  if (!state.synced) return undefined;
  const all = [...state.entries.values()];
  const offline = all.filter((e) => !e.online).sort((a, b) =>
    b.lastDisconnected - a.lastDisconnected || (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
  const ordered = [...all.filter((e) => e.online), ...offline];
  const self = ordered.findIndex((e) => e.userId === selfUserId);
  if (self > 0) ordered.unshift(...ordered.splice(self, 1));
  return ordered.map((e) => {
    const item = { userId: e.userId, online: e.online, lastDisconnected: e.lastDisconnected, data: e.data };
    if (e.data?.displayName != null) item.name = e.data.displayName;
    if (e.data?.avatarUrl != null) item.image = e.data.avatarUrl;
    return item;
  });
}

/** Initials for an avatar placeholder: up to two letters of the display name. */
export function initials(displayName) {
  const words = (displayName ?? '').trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return '?';
  const letters = words.length === 1 ? [...words[0]].slice(0, 2) : [[...words[0]][0], [...words[words.length - 1]][0]];
  return letters.join('').toLocaleUpperCase();
}
