// The supervisor view: queues per team, agents with status and load, and every open
// conversation with a take-over button that assigns it to the supervisor. Figures come from
// the routing API (/queue, /routing); on a server without it they are derived from the
// conversations the workspace already holds.

import { state, agentName, teamName } from './state.js';
import { get, post } from './api.js';
import { toast } from './page.js';
import { t } from '../i18n.js';
import {
  CHANNEL_ICONS, CHANNEL_LABELS, USER_STATUS_LABELS, elapsed, h, joinList, label,
} from './format.js';

const $ = (id) => document.getElementById(id);
const REFRESH_MS = 5000;
let timer = null;
let onConversation = () => {};
let onChange = () => {};

export function canSupervise() {
  return Boolean(state.me && ['owner', 'admin', 'supervisor'].includes(state.me.role));
}

// Teams (技能组) for names and the transfer dialog. Quietly empty before routing exists.
export async function loadRouting() {
  try {
    const data = await get('/api/v1/routing');
    state.teams = new Map(((data && data.teams) || []).map((team) => [team.id, team]));
  } catch (_) {
    state.teams = new Map();
  }
}

export async function loadQueue() {
  try {
    state.queue = await get('/api/v1/queue');
  } catch (_) {
    state.queue = null;
  }
  onChange();
}

function lateClass(ms) {
  if (ms > 180000) return 'is-late';
  if (ms > 60000) return 'is-amber';
  return '';
}

// A cell counting up from `since`. Only these cells change every second (see tick), so the
// rows and their buttons stay put under the supervisor's mouse.
function sinceCell(since, now) {
  if (!since) return h('td', {}, '—');
  return h('td', { class: lateClass(now - since), dataset: { since: String(since) } }, elapsed(since, now));
}

function takeOverButton(id) {
  return h('button', {
    class: 'btn btn-small take-over',
    type: 'button',
    dataset: { id },
    onclick: async (ev) => {
      ev.currentTarget.disabled = true;
      try {
        const conv = await post(`/api/v1/conversations/${encodeURIComponent(id)}/assign`, { agent_id: state.me.id });
        if (conv && conv.id) onConversation(conv);
        toast(t('workspace-sv-taken_over'));
      } catch (err) {
        toast(t('workspace-sv-take_over_failed', { message: err.message }));
      }
      render();
    },
  }, t('workspace-sv-take_over'));
}

function channelCell(c) {
  return h('td', {}, `${CHANNEL_ICONS[c.channel] || ''} ${label(CHANNEL_LABELS, c.channel)}`);
}

function renderTeams(now) {
  const q = state.queue;
  let teams;
  if (q && Array.isArray(q.teams) && q.teams.length) {
    teams = q.teams.map((team) => [team.name || team.id, team.waiting, team.waiting ? now - team.longest_wait_secs * 1000 : 0]);
  } else {
    // No teams configured (or no routing API): one queue for the whole shop.
    const waiting = [...state.conversations.values()].filter((c) => c.status === 'queued');
    const oldest = waiting.reduce((m, c) => Math.min(m, state.waitingSince.get(c.id) || c.handed_off_at || c.created_at), now);
    teams = [[t('workspace-sv-all'), waiting.length, waiting.length ? oldest : 0]];
  }
  $('sv-teams').tBodies[0].replaceChildren(...teams.map(([name, n, since]) => h('tr', {},
    h('td', {}, name), h('td', {}, String(n)), sinceCell(since, now))));
}

function renderWaiting(now) {
  const q = state.queue;
  const byId = new Map((q && q.waiting ? q.waiting : []).map((w) => [w.conversation_id, w]));
  const waiting = [...state.conversations.values()].filter((c) => c.status === 'queued');
  waiting.sort((a, b) => ((byId.get(a.id) || {}).position || 1e9) - ((byId.get(b.id) || {}).position || 1e9)
    || (b.priority || 0) - (a.priority || 0));
  const rows = waiting.map((c, i) => {
    const w = byId.get(c.id) || {};
    const since = w.since || state.waitingSince.get(c.id) || c.handed_off_at || c.created_at;
    return h('tr', { dataset: { id: c.id } },
      h('td', {}, String(w.position || i + 1)),
      h('td', {}, c.customer_name || t('workspace-visitor'),
        (w.vip || c.priority > 0) ? h('span', { class: 'priority-badge' }, w.vip ? 'VIP' : t('workspace-priority')) : null),
      channelCell(c),
      h('td', {}, teamName(w.team_id || c.team_id) || '—'),
      sinceCell(since, now),
      h('td', {}, takeOverButton(c.id)));
  });
  $('sv-waiting').tBodies[0].replaceChildren(...(rows.length ? rows : [h('tr', {}, h('td', { colspan: '6', class: 'muted' }, t('workspace-list-empty_queue')))]));
}

function renderAgents() {
  const q = state.queue;
  let agents;
  if (q && Array.isArray(q.agents)) {
    agents = q.agents;
  } else {
    const load = new Map();
    for (const c of state.conversations.values()) {
      if (c.status === 'assigned' && c.agent_id) load.set(c.agent_id, (load.get(c.agent_id) || 0) + 1);
    }
    agents = [...state.agents.values()].map((a) => ({ ...a, load: load.get(a.id) || 0, capacity: a.capacity, teams: [] }));
  }
  $('sv-agents').tBodies[0].replaceChildren(...agents.map((a) => h('tr', { dataset: { id: a.id } },
    h('td', {}, a.display_name || agentName(a.id) || a.id),
    h('td', {}, h('span', { class: `presence presence-${a.status}` }, label(USER_STATUS_LABELS, a.status)),
      // Present but not a seat: routing gives them nothing until they switch 接待 on.
      a.takes_chats === false && a.status !== 'offline' ? h('span', { class: 'presence presence-off' }, t('status-not_taking')) : null),
    h('td', {}, `${a.load || 0} / ${a.capacity || '—'}`),
    h('td', {}, joinList((a.teams || []).map((team) => teamName(team))) || '—'))));
}

function renderActive(now) {
  const active = [...state.conversations.values()].filter((c) => c.status === 'assigned' || c.status === 'bot');
  active.sort((a, b) => (state.waitingSince.get(a.id) || Infinity) - (state.waitingSince.get(b.id) || Infinity));
  const rows = active.map((c) => {
    const since = state.waitingSince.get(c.id);
    return h('tr', { dataset: { id: c.id } },
      h('td', {}, c.customer_name || t('workspace-visitor')),
      channelCell(c),
      h('td', {}, agentName(c.agent_id) || '—'),
      sinceCell(since, now),
      h('td', {}, c.agent_id === (state.me && state.me.id) ? h('span', { class: 'muted' }, t('workspace-me')) : takeOverButton(c.id)));
  });
  $('sv-active').tBodies[0].replaceChildren(...(rows.length ? rows : [h('tr', {}, h('td', { colspan: '5', class: 'muted' }, t('workspace-none_yet')))]));
}

export function render() {
  if (state.view !== 'supervisor') return;
  const now = Date.now();
  renderTeams(now);
  renderWaiting(now);
  renderAgents();
  renderActive(now);
  $('sv-updated').textContent = state.queue ? '' : t('workspace-sv-estimated');
}

// Every second: move the counters on, nothing else.
export function tick() {
  if (state.view !== 'supervisor') return;
  const now = Date.now();
  for (const td of document.querySelectorAll('#supervisor td[data-since]')) {
    const since = Number(td.dataset.since);
    td.textContent = elapsed(since, now);
    td.className = lateClass(now - since);
  }
}

export function showView(view) {
  state.view = view === 'supervisor' && canSupervise() ? 'supervisor' : 'desk';
  const sv = state.view === 'supervisor';
  $('supervisor').hidden = !sv;
  $('desk').hidden = sv;
  $('supervisor-toggle').setAttribute('aria-pressed', sv ? 'true' : 'false');
  $('supervisor-toggle').textContent = t(sv ? 'workspace-back_to_desk' : 'workspace-supervisor_view');
  clearInterval(timer);
  if (sv) {
    loadQueue();
    timer = setInterval(loadQueue, REFRESH_MS);
  }
  render();
}

export function initSupervisor(handlers) {
  onConversation = handlers.onConversation;
  onChange = () => { render(); handlers.onQueue(); };
  $('supervisor-toggle').hidden = !canSupervise();
  $('supervisor-toggle').addEventListener('click', () => showView(state.view === 'supervisor' ? 'desk' : 'supervisor'));
  loadRouting().then(() => handlers.onQueue());
}
