// Types of @huddle-presence/client: the presence client and its pure state functions.

/** What a room shows for one user (H5): the server sets every field but the two flags. */
export interface HuddleEntryData {
  displayName?: string | null;
  avatarUrl?: string | null;
  role?: 'host' | 'participant' | 'observer' | null;
  isSpeaking?: boolean;
  isRecording?: boolean;
}

/** One user's entry in a room, as the server sends it. */
export interface HuddleEntry {
  userId: string;
  online: boolean;
  /** When the user went offline (epoch ms), 0 while online. */
  lastDisconnected: number;
  data: HuddleEntryData;
}

/** The derived view every client gets (H6). */
export interface HuddleView {
  /** Online users: you first, then hosts and participants before observers, then by name. */
  participants: HuddleEntry[];
  speakingUserIds: string[];
  recordingUserIds: string[];
}

/**
 * connecting: opening the first socket; live: the room's list is current; reconnecting: the socket
 * dropped and the client is coming back (sessions live on meanwhile, T2), or the server said the
 * room is degraded (its store is out of reach: the list may be stale) until its next snapshot;
 * offline: stopped, left, or the browser has no network.
 */
export type HuddleStatus = 'connecting' | 'live' | 'reconnecting' | 'offline';

export type HuddleEventKind = 'join' | 'leave' | 'recording-started' | 'recording-stopped';

/** Something worth a toast. Never about yourself, never for a reload or a reconnect. */
export interface HuddleEvent {
  /** Grows by one per event of a client: remember the last you showed. */
  id: number;
  kind: HuddleEventKind;
  userId: string;
  displayName: string;
}

export interface HuddleError {
  code: string;
  message: string;
}

/** The client's state as one immutable object: the same object until something changes. */
export interface HuddleSnapshot extends HuddleView {
  status: HuddleStatus;
  /** False until the room's first snapshot arrived. */
  synced: boolean;
  /** Your own entry, or null (a viewer, or not in the list yet). */
  me: HuddleEntry | null;
  /** The latest events, oldest first (at most `maxEvents`). */
  events: readonly HuddleEvent[];
  /** The last error the server answered with (e.g. not_a_member), cleared by the next join. */
  error: HuddleError | null;
}

/** An item of Convex's usePresence list (J3). */
export interface PresenceState {
  userId: string;
  online: boolean;
  lastDisconnected: number;
  data?: HuddleEntryData;
  name?: string;
  image?: string;
}

export interface Flags {
  isSpeaking?: boolean;
  isRecording?: boolean;
}

export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: any) => void) | null;
  onmessage: ((event: { data: any }) => void) | null;
  onclose: ((event: any) => void) | null;
}

export interface HuddlePresenceOptions {
  /** The WebSocket URL; see serverEndpoints. */
  url: string;
  /** The huddle's canonical id, or its slug when readOnly. */
  huddleId: string;
  /** The signed-in user's id: for "self first", `me`, and no events about yourself. */
  userId?: string;
  /** Watch only, never join (H4): for viewers who are not signed in. */
  readOnly?: boolean;
  /** The session's heartbeat interval in ms (P1: 1 000…300 000); default 10 000. */
  interval?: number;
  /** T3: a reload within this many ms continues the session; default 1 500. */
  graceMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Where the pagehide goodbye goes; default /api/presence/disconnect. */
  beaconUrl?: string;
  /** How many events the snapshot keeps; default 20. */
  maxEvents?: number;
  WebSocket?: new (url: string) => SocketLike;
  storage?: StorageLike;
  sendBeacon?: (url: string, body: string) => boolean;
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (handle: any) => void;
  random?: () => number;
  newId?: () => string;
  /** Where pagehide, pageshow, online and offline are listened for; default the window. */
  lifecycle?: EventTarget | null;
  isOnline?: () => boolean;
  onView?: (view: HuddleView) => void;
  onEvent?: (event: HuddleEvent) => void;
  onStatus?: (status: HuddleStatus) => void;
  onError?: (error: HuddleError) => void;
}

export interface HuddlePresenceClient {
  /** Connects, subscribes and (unless read-only) joins; reconnects until stopped. */
  start(): void;
  /** Sets this session's flags (H5): sent now, and again with every rejoin. */
  setFlags(flags: Flags): void;
  /** The pagehide goodbye: ends the session after the grace unless a reload continues it. */
  goodbye(): void;
  /** Leaves at once and stops. */
  leave(): void;
  /** Closes the socket without a goodbye; the session lives to its deadline (T2). */
  stop(): void;
  /** Takes another socket URL (a refreshed token) for the next connect; the open socket carries on. */
  setUrl(url: string): void;
  subscribe(listener: () => void): () => void;
  getSnapshot(): HuddleSnapshot;
  /** The room as Convex's usePresence returns it, or undefined before the first snapshot. */
  presenceList(): PresenceState[] | undefined;
  view(): HuddleView;
  status(): HuddleStatus;
  sessionId(): string | null;
  flags(): Required<Flags>;
}

export function createHuddlePresence(options: HuddlePresenceOptions): HuddlePresenceClient;

/** The socket and beacon addresses of a server (its base URL, or the page's origin when omitted). */
export function serverEndpoints(
  server?: string,
  token?: string,
  location?: { origin: string; href: string },
): { url: string; beaconUrl: string };

/** A room's state, as the pure functions below pass it along. */
export interface RoomState {
  synced: boolean;
  epoch: string | null;
  seq: number;
  entries: Map<string, HuddleEntry>;
  pending: RoomChange[];
  gap: boolean;
}

export interface RoomSnapshotMessage {
  epoch?: string | null;
  seq: number;
  entries: HuddleEntry[];
}

export interface RoomChange {
  seq: number;
  kind: 'join' | 'leave' | 'update' | 'remove';
  entry: HuddleEntry;
}

export function emptyRoom(): RoomState;
export function applySnapshot(state: RoomState, snapshot: RoomSnapshotMessage): RoomState;
export function applyChange(state: RoomState, change: RoomChange): RoomState;
export function compareParticipants(selfUserId?: string | null): (a: HuddleEntry, b: HuddleEntry) => number;
export function deriveView(state: RoomState, selfUserId?: string | null): HuddleView;
export function roomEvents(before: RoomState, after: RoomState, selfUserId?: string | null): Omit<HuddleEvent, 'id'>[];
/** "Cy joined", "Cy started recording". */
export function describeEvent(event: Pick<HuddleEvent, 'kind' | 'displayName'>): string;
export function presenceList(state: RoomState, selfUserId?: string | null): PresenceState[] | undefined;
/** Up to two letters of a display name, or "?". */
export function initials(displayName?: string | null): string;

/** Speaking from an audio level with hysteresis: feed (level 0…1, time in ms), get speaking or not. */
export function createSpeakingGate(options?: { on?: number; off?: number; holdMs?: number }): (level: number, nowMs: number) => boolean;
/** Root-mean-square level of a time-domain buffer of bytes centred on 128, in 0…1. */
export function rmsLevel(bytes: ArrayLike<number>): number;
