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
import { hostPanel } from './huddle/host-panel.js';

const $ = (id) => document.getElementById(id);
const slug = decodeURIComponent(location.pathname.split('/h/')[1] ?? '').replace(/\/$/, '');

function setPressed(button, on, onText, offText) {
  button.setAttribute('aria-pressed', String(on));
  if (onText) button.textContent = on ? onText : offText;
}

// Shows the controls a member of `role` may use (H9: hosts and participants set flags, observers do
// not; under `invite` an observer is told why).
function showRole(role, joinPolicy) {
  const speaker = role === 'participant' || role === 'host';
  for (const id of ['mic', 'speak', 'record']) $(id).hidden = !speaker;
  $('become-participant').hidden = speaker || joinPolicy !== 'open';
  $('observer-note').hidden = speaker || joinPolicy === 'open';
}

async function main() {
  if (!slug) throw new Error('no huddle in the address');
  const user = await me();
  const params = new URLSearchParams(location.search);
  const inviteToken = params.get('invite');
  // A private huddle is not found by slug until one is a member; an invite link carries its id too.
  let detail = await api('GET', `/api/huddles/${encodeURIComponent(slug)}`)
    .catch((e) => { if (inviteToken && user && e.status === 404) return null; throw e; });
  if (user && inviteToken) {
    // An invite link (H9): join with it, then drop it from the address so a reload does not spend it again.
    const id = detail?.id ?? params.get('id');
    if (id) detail = await api('POST', `/api/huddles/${encodeURIComponent(id)}/join`, { inviteToken });
    params.delete('invite');
    params.delete('id');
    history.replaceState(null, '', `${location.pathname}${params.size ? `?${params}` : ''}`);
  }
  if (!detail) throw new Error('no such huddle, or it is not public');
  // H3: a signed-in visitor opening the huddle is registered as an observer, by an explicit write (X4).
  if (user) detail = await api('POST', `/api/huddles/${encodeURIComponent(detail.id)}/open`);
  document.title = `${detail.title} · Huddle Presence`;
  $('title').textContent = detail.title;
  const readOnly = !user;
  $('viewer-note').hidden = !readOnly;
  if (readOnly) $('sign-in-link').href = `/?next=${encodeURIComponent(location.pathname + location.search)}`;
  $('controls').hidden = readOnly;
  let role = detail.role;
  showRole(role, detail.joinPolicy);
  const panel = role === 'host' ? hostPanel($('host-panel'), detail.id, user.userId, (m) => { $('error').textContent = m; }) : null;
  panel?.refresh();

  // ?interval=ms tunes the session interval (P1: 1 000…300 000 ms); the default is 10 s.
  const asked = Number(new URLSearchParams(location.search).get('interval'));
  const interval = asked >= 1000 && asked <= 300000 ? asked : undefined;
  // The client says goodbye on pagehide (T3: a closed tab leaves after a short grace, a reload
  // continues); hidden tabs stay present (T1).
  let mic = null;
  // The host panel's member list follows who is in the room and their roles.
  let members = '';
  const client = createHuddlePresence({
    ...(interval ? { interval } : {}),
    ...serverEndpoints(),
    huddleId: readOnly ? slug : detail.id,
    userId: user?.userId,
    readOnly,
    onView: (view) => {
      renderParticipants($('participants'), $('count'), view, user?.userId);
      const now = view.participants.map((e) => `${e.userId}:${e.data?.role}`).sort().join();
      if (panel && now !== members) panel.refresh();
      members = now;
      // A host's role change shows in the room's stream (H9): follow it at once.
      const mine = view.participants.find((e) => e.userId === user?.userId)?.data?.role;
      if (mine && mine !== role) {
        role = mine;
        showRole(role, detail.joinPolicy);
        if (role !== 'participant' && role !== 'host') setPressed($('speak'), false);
      }
    },
    onEvent: (event) => showToast($('toasts'), event),
    onStatus: (status) => showStatus($('status'), status),
    onError: (e) => {
      if (e.code === 'removed_from_huddle') {
        // H9: removed by a host. Say so plainly and stop sending anything.
        mic?.stop();
        client.stop();
        $('controls').hidden = true;
        $('host-panel').hidden = true;
        $('removed-note').hidden = false;
        return;
      }
      $('error').textContent = e.message;
    },
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
    try {
      await api('POST', `/api/huddles/${encodeURIComponent(detail.id)}/join`, { role: 'participant' });
      location.reload();
    } catch (err) {
      $('error').textContent = err.message;
    }
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
