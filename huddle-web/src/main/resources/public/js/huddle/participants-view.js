// The participants panel: one row per online user, in the H6 order, with an avatar (the user's image,
// or their initials when there is none or it fails to load), their name and role, and the speaking and
// recording badges. Rebuilt from the view on every change; the DOM holds no state of its own.
import { initials } from '../client/index.js';

// Avatar URLs that failed to load in this page, so a re-render shows the initials at once instead of
// another broken image.
const failed = new Set();

export function renderParticipants(list, count, view, selfId) {
  list.replaceChildren(...view.participants.map((e) => row(e, view, selfId)));
  count.textContent = `(${view.participants.length})`;
}

function row(e, view, selfId) {
  const li = document.createElement('li');
  li.dataset.userId = e.userId;
  const speaking = view.speakingUserIds.includes(e.userId);
  const recording = view.recordingUserIds.includes(e.userId);
  li.classList.toggle('speaking', speaking);
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
  li.append(avatar(e.data), who, badges);
  return li;
}

function avatar(data) {
  const box = document.createElement('span');
  box.className = 'avatar';
  box.setAttribute('aria-hidden', 'true');
  const url = data?.avatarUrl;
  if (!url || failed.has(url)) {
    box.textContent = initials(data?.displayName);
    return box;
  }
  const img = document.createElement('img');
  img.alt = '';
  img.referrerPolicy = 'no-referrer';
  img.addEventListener('error', () => {
    failed.add(url);
    box.replaceChildren(initials(data?.displayName));
  });
  img.src = url;
  box.append(img);
  return box;
}

function badge(kind, text) {
  const b = document.createElement('span');
  b.className = `badge ${kind}`;
  b.textContent = text;
  return b;
}
