// The home page: guest sign-in, create a huddle, open one by link or slug. Thin DOM glue only.
import { api, me } from './api.js';

const $ = (id) => document.getElementById(id);

async function show() {
  const user = await me();
  $('sign-in').hidden = !!user;
  $('signed-in').hidden = !user;
  if (user) $('me-name').textContent = user.displayName;
}

$('sign-in').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('sign-in-error').textContent = '';
  const avatarUrl = $('avatar-url').value.trim();
  try {
    await api('POST', '/api/auth/guest', { displayName: $('display-name').value, ...(avatarUrl ? { avatarUrl } : {}) });
    // Back to the page that asked for sign-in (e.g. an invite link), if it is one of this site's huddles.
    const next = new URLSearchParams(location.search).get('next');
    if (next && /^\/h\/[^/]/.test(next)) {
      location.assign(next);
      return;
    }
    await show();
    $('title').focus();
  } catch (err) {
    $('sign-in-error').textContent = err.message;
  }
});

$('create').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('create-error').textContent = '';
  try {
    const huddle = await api('POST', '/api/huddles', { title: $('title').value });
    location.assign(`/h/${encodeURIComponent(huddle.slug)}`);
  } catch (err) {
    $('create-error').textContent = err.message;
  }
});

$('open').addEventListener('submit', (e) => {
  e.preventDefault();
  const value = $('link').value.trim();
  const slug = value.includes('/h/') ? value.split('/h/')[1].split(/[?#/]/)[0] : value;
  if (slug) location.assign(`/h/${encodeURIComponent(slug)}`);
});

show();
