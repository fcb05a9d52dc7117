// The hosts' panel (H9): the huddle's title, public viewing and join policy; invite links (create,
// copy, revoke); and the members (a page at a time) with a role to choose and a Remove button (confirmed). Shown to hosts
// only; the server refuses anyone else (not_a_host). Every action reloads the panel from the server.
import { api } from '../api.js';

function el(tag, props = {}, ...children) {
  const n = Object.assign(document.createElement(tag), props);
  n.append(...children);
  return n;
}

export function hostPanel(root, huddleId, selfId, onError) {
  const base = `/api/huddles/${encodeURIComponent(huddleId)}`;
  const $ = (sel) => root.querySelector(sel);
  const act = async (fn) => {
    try {
      onError('');
      await fn();
      await refresh();
    } catch (e) {
      onError(e.message);
    }
  };

  let editing = false;
  // The members come a page at a time (GET …/members); "More members" appends the next page.
  let nextCursor = null;
  async function showMembers(cursor) {
    const page = await api('GET', `${base}/members?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    const rows = page.members.filter((m) => m.userId !== selfId).map(memberRow);
    if (cursor) $('#host-members').append(...rows);
    else $('#host-members').replaceChildren(...rows);
    nextCursor = page.nextCursor;
    $('#host-members-more').hidden = !nextCursor;
  }

  async function refresh() {
    const [detail, invites] = await Promise.all([api('GET', base), api('GET', `${base}/invites`), showMembers(null)]);
    if (!editing) { // a reload never overwrites settings the host is changing
      $('#host-title').value = detail.title;
      $('#host-public').checked = detail.publicViewing;
      $('#host-policy').value = detail.joinPolicy;
    }
    $('#host-invites').replaceChildren(...invites.invites.map((i) => el('li', {},
      `${i.role} invite · used ${i.uses}${i.maxUses ? ` of ${i.maxUses}` : ''}`
        + (i.expiresAt ? ` · until ${new Date(i.expiresAt).toLocaleString()}` : ''), ' ',
      button('Revoke', () => act(() => api('DELETE', `${base}/invites/${encodeURIComponent(i.inviteId)}`))))));
  }

  function memberRow(m) {
    const select = el('select', { ariaLabel: `Role of ${m.displayName}` },
      ...['host', 'participant', 'observer'].map((r) => el('option', { value: r, textContent: r, selected: r === m.role })));
    select.addEventListener('change', () => act(() => api('PUT', `${base}/members/${encodeURIComponent(m.userId)}`,
      { role: select.value })));
    const remove = button('Remove', () => {
      // eslint-disable-next-line no-alert
      if (!window.confirm(`Remove ${m.displayName} from this huddle?`)) return;
      act(() => api('DELETE', `${base}/members/${encodeURIComponent(m.userId)}?ban=false`));
    });
    const li = el('li', {}, el('span', { className: 'name', textContent: m.displayName }), ' ', select, ' ', remove);
    li.dataset.userId = m.userId;
    return li;
  }

  function button(text, onClick) {
    const b = el('button', { type: 'button', className: 'secondary', textContent: text });
    b.addEventListener('click', onClick);
    return b;
  }

  $('#host-members-more').addEventListener('click', async () => {
    try {
      onError('');
      if (nextCursor) await showMembers(nextCursor);
    } catch (e) {
      onError(e.message);
    }
  });
  for (const type of ['input', 'change']) $('#host-settings').addEventListener(type, () => { editing = true; });
  $('#host-settings').addEventListener('submit', (e) => {
    e.preventDefault();
    editing = false;
    act(() => api('PATCH', base, {
      title: $('#host-title').value, publicViewing: $('#host-public').checked, joinPolicy: $('#host-policy').value,
    }));
  });
  $('#host-invite').addEventListener('click', () => act(async () => {
    const inv = await api('POST', `${base}/invites`, { role: 'participant' });
    $('#host-invite-link').value = new URL(inv.url, location.origin).href;
  }));
  $('#host-copy').addEventListener('click', async () => {
    const link = $('#host-invite-link').value;
    if (!link) return;
    try {
      await navigator.clipboard.writeText(link);
    } catch {
      $('#host-invite-link').select(); // no clipboard here: selected for the user to copy
    }
  });
  root.hidden = false;
  return { refresh: () => act(async () => {}) };
}
