// Types of @huddle-presence/client/react.
import type { ReactElement, ReactNode } from 'react';
import type { HuddleEntry, HuddleError, HuddleEvent, HuddleStatus } from '../index.js';

export type { HuddleEntry, HuddleEntryData, HuddleError, HuddleEvent, HuddleEventKind, HuddleStatus } from '../index.js';

export interface HuddlePresenceProviderProps {
  /** The Huddle Presence server's base URL; omit it when the app is served from the same origin. */
  url?: string;
  /** A token for the socket (a guest token, or a JWT from your identity provider); omit it to use the cookie. */
  token?: string;
  children?: ReactNode;
}

export function HuddlePresenceProvider(props: HuddlePresenceProviderProps): ReactElement;

/** Who you are. Your name and avatar come from your profile on the server (H5). */
export interface HuddleProfile {
  userId: string;
}

export interface UseHuddlePresenceOptions {
  /** Overrides the provider's URL. */
  url?: string;
  /** Overrides the provider's token. */
  token?: string;
  /** The session's heartbeat interval in ms (1 000…300 000); default 10 000. */
  interval?: number;
  /** Watch without joining; the default when no profile is given. */
  readOnly?: boolean;
}

export interface HuddlePresence {
  /** Online users: you first, then hosts and participants before observers, then by name (H6). */
  participants: HuddleEntry[];
  speakingUserIds: string[];
  recordingUserIds: string[];
  /** Your own entry once the room shows it; null for a viewer. */
  me: HuddleEntry | null;
  status: HuddleStatus;
  /** The latest join, leave and recording events, oldest first; each id is new. */
  events: readonly HuddleEvent[];
  /** The last error the server answered with (not_a_member, …), or null. */
  error: HuddleError | null;
  /** Sets your speaking flag (participants and hosts). The same function while the hook's huddle and user stay. */
  setSpeaking(on: boolean): void;
  /** Sets your recording flag (participants and hosts). The same function while the hook's huddle and user stay. */
  setRecording(on: boolean): void;
  /** Leaves at once (the "Leave" button). Unmounting leaves too. */
  leave(): void;
}

/**
 * Live presence of one huddle (J2). With a profile it joins as that user (who must be a member); without
 * one it watches (huddleId may then be the slug). A null or empty huddleId connects nothing.
 */
export function useHuddlePresence(
  huddleId: string | null | undefined,
  profile?: HuddleProfile | null,
  options?: UseHuddlePresenceOptions,
): HuddlePresence;
