// @huddle-presence/client: the presence client and its pure state functions, with no dependencies. The
// huddle page loads these modules as they are (the server serves this folder at /js/client/); React
// apps import them through the package, and its ./react and ./convex entries build on them.
export { createHuddlePresence, serverEndpoints } from './presence-client.js';
export {
  emptyRoom, applySnapshot, applyChange, compareParticipants, deriveView, roomEvents, describeEvent,
  presenceList, initials,
} from './presence-state.js';
export { createSpeakingGate, rmsLevel } from './speaking-gate.js';
