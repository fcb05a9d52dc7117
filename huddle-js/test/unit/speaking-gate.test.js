// Speaking detection's pure parts: the hysteresis gate and the RMS level.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { createSpeakingGate, rmsLevel } from '../../src/speaking-gate.js';

test('speaking starts above the on-threshold and survives short pauses', () => {
  const gate = createSpeakingGate({ on: 0.1, off: 0.05, holdMs: 300 });
  assert.equal(gate(0.02, 0), false);
  assert.equal(gate(0.2, 100), true);
  assert.equal(gate(0.01, 200), true, 'a breath between words');
  assert.equal(gate(0.2, 300), true);
  assert.equal(gate(0.01, 400), true);
  assert.equal(gate(0.01, 699), true);
  assert.equal(gate(0.01, 700), false, 'quiet for holdMs');
  assert.equal(gate(0.07, 800), false, 'between thresholds does not start speaking');
});

test('rmsLevel: silence is 0, a full-scale square wave is 1', () => {
  assert.equal(rmsLevel(new Uint8Array([128, 128, 128])), 0);
  assert.equal(rmsLevel(new Uint8Array([0, 0, 0, 0])), 1);
  assert.equal(rmsLevel(new Uint8Array([])), 0);
});
