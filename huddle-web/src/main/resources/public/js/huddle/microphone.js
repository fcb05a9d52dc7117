// Speaking from the microphone's real level (Web Audio analyser), where the browser allows it: the level
// goes through the package's speaking gate (hysteresis), and onSpeaking hears each change.
import { createSpeakingGate, rmsLevel } from '../client/index.js';

export function microphone(onSpeaking) {
  let stream = null;
  let context = null;
  let timer = null;
  return {
    async start() {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      context = new AudioContext();
      const analyser = context.createAnalyser();
      analyser.fftSize = 1024;
      context.createMediaStreamSource(stream).connect(analyser);
      const buffer = new Uint8Array(analyser.fftSize);
      const gate = createSpeakingGate();
      let last = false;
      timer = setInterval(() => {
        analyser.getByteTimeDomainData(buffer);
        const speaking = gate(rmsLevel(buffer), performance.now());
        if (speaking !== last) onSpeaking((last = speaking));
      }, 100);
    },
    stop() {
      clearInterval(timer);
      stream?.getTracks().forEach((t) => t.stop());
      context?.close();
      stream = context = timer = null;
      onSpeaking(false);
    },
  };
}
