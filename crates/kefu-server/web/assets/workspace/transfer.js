// The transfer dialog: hand the selected conversation to a colleague or a team (技能组), with
// a note for whoever takes it. Uses the routing API's /transfer; on a server without it,
// a supervisor's transfer to an agent falls back to /assign plus an internal note.

import { state, selected, agentName } from './state.js';
import { api, get, post } from './api.js';
import { toast } from './page.js';
import { USER_STATUS_LABELS, h, label } from './format.js';
import { t } from '../i18n.js';

const $ = (id) => document.getElementById(id);
const dialog = $('transfer-dialog');
const form = $('transfer-form');
const agentSelect = $('transfer-agent');
const teamSelect = $('transfer-team');
const noteInput = $('transfer-note');
const errorBox = $('transfer-error');
const submit = $('transfer-submit');

let onConversation = () => {};

function kind() {
  const checked = form.querySelector('input[name="kind"]:checked');
  return checked ? checked.value : 'agent';
}

function showKind() {
  $('transfer-agent-field').hidden = kind() !== 'agent';
  $('transfer-team-field').hidden = kind() !== 'team';
}

function showError(text) {
  errorBox.textContent = text || '';
  errorBox.hidden = !text;
}

async function loadTargets(c) {
  try {
    const data = await get('/api/v1/agents');
    for (const a of (data && data.agents) || []) state.agents.set(a.id, a);
  } catch (_) {
    // Keep the names we know.
  }
  const agents = [...state.agents.values()].filter((a) => a.id !== c.agent_id && (!state.me || a.id !== state.me.id));
  agentSelect.replaceChildren(...agents.map((a) => h('option', { value: a.id },
    t('workspace-transfer-agent_option', { name: a.display_name || a.email, status: label(USER_STATUS_LABELS, a.status) }))));
  teamSelect.replaceChildren(...[...state.teams.values()].map((team) => h('option', { value: team.id }, team.name || team.id)));
  $('transfer-team-choice').hidden = state.teams.size === 0;
}

export async function openTransfer() {
  const c = selected();
  if (!c || $('transfer-button').hidden || dialog.open) return;
  showError('');
  noteInput.value = '';
  form.querySelector('input[value="agent"]').checked = true;
  showKind();
  await loadTargets(c);
  dialog.showModal();
  agentSelect.focus();
}

// The routing API answers an unknown route with "route not found"; anything else is real.
function missingRoute(err) {
  return err.status === 404 && /route/.test(err.message || '');
}

async function transfer(c, body) {
  try {
    return await post(`/api/v1/conversations/${encodeURIComponent(c.id)}/transfer`, body);
  } catch (err) {
    if (!missingRoute(err)) throw err;
  }
  if (!body.agent_id) throw new Error(t('workspace-transfer-no_teams'));
  const conv = await post(`/api/v1/conversations/${encodeURIComponent(c.id)}/assign`, { agent_id: body.agent_id });
  if (body.note) {
    await api('POST', `/api/v1/conversations/${encodeURIComponent(c.id)}/notes`, { text: t('workspace-transfer-note_prefix', { note: body.note }) });
  }
  return conv;
}

async function onSubmit(ev) {
  ev.preventDefault();
  const c = selected();
  if (!c) return;
  const body = {};
  if (kind() === 'team') body.team_id = teamSelect.value;
  else body.agent_id = agentSelect.value;
  if (!body.agent_id && !body.team_id) {
    showError(t('workspace-transfer-pick'));
    return;
  }
  const note = noteInput.value.trim();
  if (note) body.note = note;
  submit.disabled = true;
  try {
    const conv = await transfer(c, body);
    if (conv && conv.id) onConversation(conv);
    dialog.close();
    const to = body.agent_id ? (agentName(body.agent_id) || t('workspace-transfer-a_colleague')) : (state.teams.get(body.team_id) || {}).name || body.team_id;
    toast(t('workspace-transfer-done', { to }));
  } catch (err) {
    showError(t('workspace-transfer-failed', { message: err.message }));
  } finally {
    submit.disabled = false;
  }
}

export function initTransfer(handlers) {
  onConversation = handlers.onConversation;
  $('transfer-button').addEventListener('click', openTransfer);
  $('transfer-cancel').addEventListener('click', () => dialog.close());
  for (const r of form.querySelectorAll('input[name="kind"]')) r.addEventListener('change', showKind);
  form.addEventListener('submit', onSubmit);
}
