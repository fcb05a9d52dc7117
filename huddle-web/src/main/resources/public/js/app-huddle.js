// The huddle page: the live participants panel, speaking and recording indicators, toasts for joins,
// leaves and recordings, and the connection's status. Thin DOM glue over the presence client (the
// @huddle-presence/client package, served at /js/client/); each part of the page is its own module
// under ./huddle/, and this one puts them together.
import { api, me } from './api.js';
import { createHuddlePresence, serverEndpoints } from './client/index.js';
import { renderParticipants } from './huddle/participants-view.js';
import { showToast } from './huddle/toasts.js';
import { showStatus } from './huddle/connection-status.js';
import { microphone } from './huddle/microphone.js';

const $ = (id) => document.getElementById(id);
const slug = decodeURIComponent(location.pathname.split('/h/')[1] ?? '').replace(/\/$/, '');

function setPressed(button, on, onText, offText) {
  button.setAttribute('aria-pressed', String(on));
  if (onText) button.textContent = on ? onText : offText;
}

async function main() {
  if (!slug) throw new Error('no huddle in the address');
  const user = await me();
  let detail = await api('GET', `/api/huddles/${encodeURIComponent(slug)}`);
  // H3: a signed-in visitor opening the huddle is registered as an observer, by an explicit write (X4).
  if (user) detail = await api('POST', `/api/huddles/${encodeURIComponent(detail.id)}/open`);
  document.title = `${detail.title} · Huddle Presence`;
  $('title').textContent = detail.title;
  const readOnly = !user;
  const participant = detail.role === 'participant';
  $('viewer-note').hidden = !readOnly;
  $('controls').hidden = readOnly;
  // H5: observers cannot set flags, so they get no flag controls.
  for (const id of ['mic', 'speak', 'record']) $(id).hidden = !participant;
  $('become-participant').hidden = readOnly || participant;

  // ?interval=ms tunes the session interval (P1: 1 000…300 000 ms); the default is 10 s.
  const asked = Number(new URLSearchParams(location.search).get('interval'));
  const interval = asked >= 1000 && asked <= 300000 ? asked : undefined;
  // The client says goodbye on pagehide (T3: a closed tab leaves after a short grace, a reload
  // continues); hidden tabs stay present (T1).
  const client = createHuddlePresence({
    ...(interval ? { interval } : {}),
    ...serverEndpoints(),
    huddleId: readOnly ? slug : detail.id,
    userId: user?.userId,
    readOnly,
    onView: (view) => renderParticipants($('participants'), $('count'), view, user?.userId),
    onEvent: (event) => showToast($('toasts'), event),
    onStatus: (status) => showStatus($('status'), status),
    onError: (e) => { $('error').textContent = e.message; },
  });
  client.start();

  const setSpeaking = (on) => {
    client.setFlags({ isSpeaking: on });
    setPressed($('speak'), on);
  };
  $('speak').addEventListener('click', () => setSpeaking(!client.flags().isSpeaking));
  $('record').addEventListener('click', () => {
    const on = !client.flags().isRecording;
    client.setFlags({ isRecording: on });
    setPressed($('record'), on, 'Stop recording', 'Start recording');
  });
  let mic = null;
  $('mic').addEventListener('click', async () => {
    if (mic) {
      mic.stop();
      mic = null;
      setPressed($('mic'), false, 'Mute microphone', 'Unmute microphone');
      return;
    }
    if (!navigator.mediaDevices?.getUserMedia) {
      $('mic-note').textContent = 'No microphone here: use the Speaking button.';
      return;
    }
    try {
      mic = microphone(setSpeaking);
      await mic.start();
      setPressed($('mic'), true, 'Mute microphone', 'Unmute microphone');
      $('mic-note').textContent = '';
    } catch (err) {
      mic = null;
      $('mic-note').textContent = `Microphone unavailable (${err.name ?? err.message}): use the Speaking button.`;
    }
  });
  $('become-participant').addEventListener('click', async () => {
    await api('POST', `/api/huddles/${encodeURIComponent(detail.id)}/join`, { role: 'participant' });
    location.reload();
  });
  $('leave').addEventListener('click', () => {
    client.leave();
    location.assign('/');
  });
}

main().catch((err) => {
  $('title').textContent = 'Huddle unavailable';
  showStatus($('status'), 'offline');
  $('error').textContent = err.message;
});
