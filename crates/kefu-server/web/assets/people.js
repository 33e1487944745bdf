// Settings › People: the shop's people, invitations, and what owners and admins do to accounts.

import { api } from './shell.js';
import { fillText, formatDateTime, loadCatalogue, t } from './i18n.js';

const roleName = (role) => t(`people-role-${role || 'agent'}`);
const $ = (id) => document.getElementById(id);
let teams = [];
let me = null;
let editing = null;

function show(box, text) {
  $(box).textContent = text;
  $(box).hidden = !text;
}

function when(ms) {
  if (!ms) return t('people-never');
  return formatDateTime(ms);
}

function languages(text) {
  return text.split(/[,\uFF0C\s]+/).map((s) => s.trim()).filter(Boolean);
}

function teamBoxes(fieldset, prefix, chosen) {
  for (const el of fieldset.querySelectorAll('label')) el.remove();
  if (!teams.length) {
    const none = document.createElement('label');
    none.textContent = t('people-no-teams');
    fieldset.append(none);
  }
  for (const team of teams) {
    const label = document.createElement('label');
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.value = team.id;
    box.id = `${prefix}-${team.id}`;
    box.checked = chosen.includes(team.id);
    label.append(box, ` ${team.name}`);
    fieldset.append(label);
  }
}

function chosenTeams(fieldset) {
  return [...fieldset.querySelectorAll('input:checked')].map((b) => b.value);
}

function button(text, cls, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = `btn btn-small ${cls || ''}`;
  b.textContent = text;
  b.addEventListener('click', async () => {
    show('page-error', '');
    try { await onClick(); } catch (e) { show('page-error', e.message); }
  });
  return b;
}

function issued(note, link) {
  $('issued').hidden = false;
  $('issued-note').textContent = note;
  $('issued-link').value = link;
  $('issued-link').select();
}

function cell(tr, text, cls) {
  const td = document.createElement('td');
  td.textContent = text;
  if (cls) td.className = cls;
  tr.append(td);
  return td;
}

function personRow(p) {
  const tr = document.createElement('tr');
  tr.dataset.email = p.email;
  cell(tr, p.display_name);
  cell(tr, p.email);
  cell(tr, roleName(p.role));
  const state = cell(tr, t(p.state === 'active' ? 'people-state-active' : 'people-state-deactivated'), p.state === 'active' ? '' : 'state-deactivated');
  if (p.locked) {
    const lock = document.createElement('span');
    lock.className = 'state-locked';
    lock.textContent = t('people-locked');
    state.append(lock);
  }
  cell(tr, p.teams.map((id) => teams.find((team) => team.id === id)?.name || id).join(t('people-list-separator')) || '—');
  cell(tr, String(p.capacity));
  cell(tr, when(p.last_seen_at));
  const actions = cell(tr, '', 'actions');
  if (p.id === me.id) return tr;
  actions.append(button(t('people-edit'), 'act-edit', () => openEdit(p)));
  if (p.state === 'active') {
    actions.append(button(t('people-deactivate'), 'act-deactivate', async () => {
      if (!confirm(t('people-deactivate-confirm', { name: p.display_name }))) return;
      await api('POST', `/api/v1/people/${p.id}/deactivate`);
      await load();
    }));
    actions.append(button(t('people-reset-password'), 'act-reset', async () => {
      const r = await api('POST', `/api/v1/people/${p.id}/password-reset`);
      issued(t(r.emailed ? 'people-reset-issued-emailed' : 'people-reset-issued', { name: p.display_name }), r.link);
    }));
  } else {
    actions.append(button(t('people-reactivate'), 'act-reactivate', async () => {
      await api('POST', `/api/v1/people/${p.id}/reactivate`);
      await load();
    }));
  }
  if (p.locked) {
    actions.append(button(t('people-unlock'), 'act-unlock', async () => {
      await api('POST', `/api/v1/people/${p.id}/unlock`);
      await load();
    }));
  }
  return tr;
}

function invitationRow(inv) {
  const tr = document.createElement('tr');
  tr.dataset.email = inv.email;
  cell(tr, inv.email);
  cell(tr, roleName(inv.grant.role));
  cell(tr, t('people-expires', { time: when(inv.expires_at) }));
  const actions = cell(tr, '', 'actions');
  actions.append(button(t('people-resend'), 'act-resend', async () => {
    const r = await api('POST', `/api/v1/invitations/${inv.id}/resend`);
    issued(t(r.emailed ? 'people-resent-emailed' : 'people-resent'), r.link);
    await load();
  }));
  actions.append(button(t('people-revoke'), 'act-revoke', async () => {
    await api('DELETE', `/api/v1/invitations/${inv.id}`);
    await load();
  }));
  return tr;
}

async function load() {
  const list = await api('GET', '/api/v1/people');
  teams = list.teams;
  teamBoxes($('invite-teams'), 'invite-team', []);
  $('people-rows').replaceChildren(...list.people.map(personRow));
  $('pending-rows').replaceChildren(...list.invitations.map(invitationRow));
  $('pending-empty').hidden = list.invitations.length > 0;
}

function openEdit(p) {
  editing = p;
  $('edit-name').value = p.display_name;
  $('edit-role').value = p.role;
  $('edit-capacity').value = p.capacity;
  $('edit-languages').value = p.languages.join(', ');
  teamBoxes($('edit-teams'), 'edit-team', p.teams);
  show('edit-error', '');
  $('edit-dialog').showModal();
}

$('edit-cancel').addEventListener('click', () => $('edit-dialog').close());
$('edit-save').addEventListener('click', async () => {
  const p = editing;
  try {
    const capacity = Number($('edit-capacity').value) || null;
    await api('PUT', `/api/v1/people/${p.id}`, {
      display_name: $('edit-name').value.trim(),
      teams: chosenTeams($('edit-teams')),
      capacity,
      languages: languages($('edit-languages').value),
    });
    if ($('edit-role').value !== p.role) await api('PUT', `/api/v1/agents/${p.id}/role`, { role: $('edit-role').value });
    $('edit-dialog').close();
    await load();
  } catch (e) {
    show('edit-error', e.message);
  }
});

$('invite-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  show('invite-error', '');
  const email = $('invite-email').value.trim();
  if (!email) {
    show('invite-error', t('people-email-required'));
    return;
  }
  const capacity = Number($('invite-capacity').value) || null;
  try {
    const r = await api('POST', '/api/v1/invitations', {
      email,
      role: $('invite-role').value,
      teams: chosenTeams($('invite-teams')),
      capacity,
      languages: languages($('invite-languages').value),
    });
    issued(t(r.emailed ? 'people-invited-emailed' : 'people-invited', { email }), r.link);
    $('invite-email').value = '';
    await load();
  } catch (e) {
    show('invite-error', e.message);
  }
});

$('issued-copy').addEventListener('click', async () => {
  $('issued-link').select();
  try { await navigator.clipboard.writeText($('issued-link').value); } catch (_) { document.execCommand('copy'); }
  $('issued-copy').textContent = t('people-copied');
});

async function start() {
  await loadCatalogue('people');
  fillText();
  try {
    const who = await api('GET', '/api/v1/me');
    me = who.user;
    $('shop-name').textContent = who.shop.name;
    if (me.role !== 'owner' && me.role !== 'admin') {
      show('page-error', t('people-managers-only'));
      for (const s of document.querySelectorAll('.settings-card')) s.hidden = true;
      return;
    }
    if (me.role !== 'owner') {
      for (const sel of ['invite-role', 'edit-role']) $(sel).querySelector('option[value="owner"]').remove();
    }
    await load();
  } catch (e) {
    show('page-error', e.message);
  }
}

start();
