// Speaking detection from an audio level, as a pure step function: a level above `on` for a moment
// starts speaking; it stops only after the level stayed below `off` for `holdMs` (hysteresis), so a
// breath between words does not flip the flag. Feed it (level 0…1, time in ms); it returns the state.
export function createSpeakingGate({ on = 0.06, off = 0.03, holdMs = 400 } = {}) {
  let speaking = false;
  let quietSince = null;
  return function step(level, nowMs) {
    if (!speaking) {
      if (level >= on) {
        speaking = true;
        quietSince = null;
      }
    } else if (level < off) {
      quietSince ??= nowMs;
      if (nowMs - quietSince >= holdMs) speaking = false;
    } else {
      quietSince = null;
    }
    return speaking;
  };
}

/** Root-mean-square level of a time-domain buffer of bytes centred on 128, in 0…1. */
export function rmsLevel(bytes) {
  let sum = 0;
  for (const b of bytes) {
    const v = (b - 128) / 128;
    sum += v * v;
  }
  return bytes.length ? Math.sqrt(sum / bytes.length) : 0;
}
