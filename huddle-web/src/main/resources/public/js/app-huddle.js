// The huddle page: the live participants panel, speaking and recording indicators, join/leave toasts.
// Thin DOM glue over presence-client.js (state) and speaking-gate.js (audio level → speaking).
import { api, me } from './api.js';
import { createHuddlePresence } from './presence-client.js';
import { createSpeakingGate, rmsLevel } from './speaking-gate.js';
import { initials } from './presence-state.js';

const $ = (id) => document.getElementById(id);
const slug = decodeURIComponent(location.pathname.split('/h/')[1] ?? '').replace(/\/$/, '');

function renderParticipants(view, selfId) {
  const list = $('participants');
  list.replaceChildren(...view.participants.map((e) => {
    const li = document.createElement('li');
    li.dataset.userId = e.userId;
    const speaking = view.speakingUserIds.includes(e.userId);
    const recording = view.recordingUserIds.includes(e.userId);
    if (speaking) li.classList.add('speaking');
    const avatar = document.createElement('span');
    avatar.className = 'avatar';
    avatar.setAttribute('aria-hidden', 'true');
    if (e.data?.avatarUrl) {
      const img = document.createElement('img');
      img.src = e.data.avatarUrl;
      img.alt = '';
      img.referrerPolicy = 'no-referrer';
      img.onerror = () => avatar.replaceChildren(initials(e.data?.displayName));
      avatar.append(img);
    } else {
      avatar.textContent = initials(e.data?.displayName);
    }
    const who = document.createElement('span');
    who.className = 'who';
    const name = document.createElement('span');
    name.className = 'name';
    name.textContent = (e.data?.displayName ?? e.userId) + (e.userId === selfId ? ' (you)' : '');
    const role = document.createElement('span');
    role.className = 'muted role';
    role.textContent = ` · ${e.data?.role ?? ''}`;
    who.append(name, role);
    const badges = document.createElement('span');
    badges.className = 'badges';
    if (speaking) badges.append(badge('speaking', 'Speaking'));
    if (recording) badges.append(badge('recording', 'Recording'));
    li.append(avatar, who, badges);
    return li;
  }));
  $('count').textContent = `(${view.participants.length})`;
}

function badge(kind, text) {
  const b = document.createElement('span');
  b.className = `badge ${kind}`;
  b.textContent = text;
  return b;
}

function toast(t) {
  const div = document.createElement('div');
  div.className = 'toast';
  div.textContent = `${t.displayName} ${t.kind === 'join' ? 'joined' : 'left'}`;
  $('toasts').append(div);
  setTimeout(() => div.remove(), 4000);
}

function setPressed(button, on, onText, offText) {
  button.setAttribute('aria-pressed', String(on));
  if (onText) button.textContent = on ? onText : offText;
}

/** Speaking from the microphone's real level (Web Audio analyser), where the browser allows it. */
function microphone(onSpeaking) {
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
  const client = createHuddlePresence({
    ...(interval ? { interval } : {}),
    url: `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`,
    huddleId: readOnly ? slug : detail.id,
    userId: user?.userId,
    readOnly,
    WebSocket,
    storage: sessionStorage,
    sendBeacon: (url, body) => navigator.sendBeacon(url, body),
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (t) => clearTimeout(t),
    random: Math.random,
    newId: () => crypto.randomUUID(),
    onView: (view) => renderParticipants(view, user?.userId),
    onToast: toast,
    onStatus: (s) => { $('status').textContent = s === 'joined' || s === 'connected' ? '' : s; },
    onError: (e) => { $('error').textContent = e.message; },
  });
  // T3: a closed tab leaves after a short grace; a reload continues. Hidden tabs stay (no visibilitychange).
  addEventListener('pagehide', () => client.goodbye());
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
  $('error').textContent = err.message;
});
