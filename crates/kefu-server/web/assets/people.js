// 设置 › 人员: the shop's people, invitations, and what owners and admins do to accounts.

import { api } from './shell.js';

const ROLE = { owner: '店主', admin: '管理员', supervisor: '主管', agent: '客服' };
const $ = (id) => document.getElementById(id);
let teams = [];
let me = null;
let editing = null;

function show(box, text) {
  $(box).textContent = text;
  $(box).hidden = !text;
}

function when(ms) {
  if (!ms) return '从未';
  return new Date(ms).toLocaleString('zh-CN', { hour12: false });
}

function languages(text) {
  return text.split(/[,，\s]+/).map((s) => s.trim()).filter(Boolean);
}

function teamBoxes(fieldset, prefix, chosen) {
  for (const el of fieldset.querySelectorAll('label')) el.remove();
  if (!teams.length) {
    const none = document.createElement('label');
    none.textContent = '（还没有技能组，可在路由设置里添加）';
    fieldset.append(none);
  }
  for (const t of teams) {
    const label = document.createElement('label');
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.value = t.id;
    box.id = `${prefix}-${t.id}`;
    box.checked = chosen.includes(t.id);
    label.append(box, ` ${t.name}`);
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
  cell(tr, ROLE[p.role] || p.role);
  const state = cell(tr, p.state === 'active' ? '在职' : '已停用', p.state === 'active' ? '' : 'state-deactivated');
  if (p.locked) {
    const lock = document.createElement('span');
    lock.className = 'state-locked';
    lock.textContent = '（登录已锁定）';
    state.append(lock);
  }
  cell(tr, p.teams.map((id) => teams.find((t) => t.id === id)?.name || id).join('、') || '—');
  cell(tr, String(p.capacity));
  cell(tr, when(p.last_seen_at));
  const actions = cell(tr, '', 'actions');
  if (p.id === me.id) return tr;
  actions.append(button('编辑', 'act-edit', () => openEdit(p)));
  if (p.state === 'active') {
    actions.append(button('停用', 'act-deactivate', async () => {
      if (!confirm(`停用 ${p.display_name}？对方会立即下线，手上的会话回到排队。`)) return;
      await api('POST', `/api/v1/people/${p.id}/deactivate`);
      await load();
    }));
    actions.append(button('重置密码', 'act-reset', async () => {
      const r = await api('POST', `/api/v1/people/${p.id}/password-reset`);
      issued(`${p.display_name} 的重置密码链接（24 小时内有效，只能用一次）${r.emailed ? '，已发邮件' : '，请复制发给对方'}：`, r.link);
    }));
  } else {
    actions.append(button('恢复', 'act-reactivate', async () => {
      await api('POST', `/api/v1/people/${p.id}/reactivate`);
      await load();
    }));
  }
  if (p.locked) {
    actions.append(button('解锁', 'act-unlock', async () => {
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
  cell(tr, ROLE[inv.grant.role] || '客服');
  cell(tr, `有效期至 ${when(inv.expires_at)}`);
  const actions = cell(tr, '', 'actions');
  actions.append(button('重新发送', 'act-resend', async () => {
    const r = await api('POST', `/api/v1/invitations/${inv.id}/resend`);
    issued(`新的邀请链接（旧链接已失效）${r.emailed ? '，已发邮件' : ''}：`, r.link);
    await load();
  }));
  actions.append(button('撤销', 'act-revoke', async () => {
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
    show('invite-error', '请填写邮箱');
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
    issued(`已邀请 ${email}（7 天内有效，只能用一次）${r.emailed ? '，邀请邮件已发出' : '，请复制链接发给对方'}：`, r.link);
    $('invite-email').value = '';
    await load();
  } catch (e) {
    show('invite-error', e.message);
  }
});

$('issued-copy').addEventListener('click', async () => {
  $('issued-link').select();
  try { await navigator.clipboard.writeText($('issued-link').value); } catch (_) { document.execCommand('copy'); }
  $('issued-copy').textContent = '已复制';
});

async function start() {
  try {
    const who = await api('GET', '/api/v1/me');
    me = who.user;
    $('shop-name').textContent = who.shop.name;
    if (me.role !== 'owner' && me.role !== 'admin') {
      show('page-error', '只有店主和管理员可以管理人员。');
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
