// The side panel for one ticket. Its form controls live in the HTML and are never re-rendered,
// so a live update to the ticket cannot wipe a note or comment the agent is typing.

import { get, post, put } from '../workspace/api.js';
import { h } from '../workspace/format.js';
import { t as tr } from '../i18n.js';
import {
  store, stateName, departmentName, agentName, who, describeChange, priorityLabel, slaLabel,
  PRIORITIES, actionError, fullTime, typeName, moveName, joinList,
} from './store.js';

const $ = (id) => document.getElementById(id);
let onChanged = () => {};
let returnFocus = null;
let busy = false;

function setStatus(text, isError) {
  const s = $('panel-status');
  s.textContent = text || '';
  s.classList.toggle('is-error', Boolean(isError));
}

function fillSelect(select, options, value) {
  select.replaceChildren(...options.map(([v, text, disabled]) => h('option', { value: v, disabled }, text)));
  select.value = value;
}

function renderFacts(t) {
  const sla = t.sla || {};
  const due = (ms) => tr('tickets-page-fact-due', { time: fullTime(ms) });
  const rows = [
    ['tickets-page-fact-type', typeName(t.ticket_type)],
    ['tickets-page-fact-state', stateName(t.state, t.ticket_type)],
    ['tickets-page-fact-sla', slaLabel(t.sla_status)],
    ['tickets-page-fact-first-response', sla.first_responded_at ? tr('tickets-page-fact-responded', { time: fullTime(sla.first_responded_at) })
      : sla.first_response_due ? due(sla.first_response_due) : '—'],
    ['tickets-page-fact-next-response', sla.next_response_due ? due(sla.next_response_due) : '—'],
    ['tickets-page-fact-resolution', sla.resolution_due ? fullTime(sla.resolution_due) : '—'],
    ['tickets-page-fact-paused', sla.paused_since ? fullTime(sla.paused_since) : '—'],
    ['tickets-page-fact-tags', t.tags && t.tags.length ? joinList(t.tags) : '—'],
    ['tickets-page-fact-created', fullTime(t.created_at)],
    ['tickets-page-fact-updated', fullTime(t.updated_at)],
    ['tickets-page-fact-closed', t.closed_at ? fullTime(t.closed_at) : '—'],
    ['tickets-page-fact-conversations', t.conversation_ids && t.conversation_ids.length
      ? tr('tickets-page-fact-conversation-count', { n: t.conversation_ids.length }) : '—'],
  ];
  $('panel-facts').replaceChildren(...rows.flatMap(([k, v]) => [h('dt', null, tr(k)), h('dd', null, v)]));
}

function renderMoves(t) {
  const moves = t.moves || [];
  $('panel-moves').replaceChildren(...(moves.length
    ? moves.map((m) => h('button', {
      type: 'button', class: 'btn move-button', dataset: { to: m.to },
      title: tr('tickets-page-move-to', { state: stateName(m.to, t.ticket_type) }), disabled: busy,
    }, moveName(t.state, m.to, m.name, t.ticket_type)))
    : [h('span', { class: 'muted' }, tr('tickets-page-no-moves'))]));
}

function renderControls(t) {
  fillSelect($('panel-priority'), PRIORITIES.map((p) => [p, priorityLabel(p)]), t.priority);
  // The API cannot clear a department, only change it, so "unassigned" is shown but not offered.
  const depts = [...store.departments.values()].map((d) => [d.key, departmentName(d.key)]);
  if (!t.department) depts.unshift(['', departmentName(''), true]);
  fillSelect($('panel-department'), depts, t.department || '');
  const people = [['', agentName('')], ...[...store.agents.values()].map((a) => [a.id, agentName(a.id)])];
  if (t.assignee_id && !store.agents.has(t.assignee_id)) people.push([t.assignee_id, agentName(t.assignee_id)]);
  fillSelect($('panel-assignee'), people, t.assignee_id || '');
}

function renderComments(t) {
  const list = t.comments || [];
  $('panel-comments').replaceChildren(...(list.length ? list.map((c) => h('li', {
    class: `comment${c.public ? ' is-public' : ''}`,
  },
  h('div', { class: 'comment-meta' },
    h('span', { class: 'comment-who' }, who(c.author)),
    h('span', { class: `badge ${c.public ? 'badge-public' : ''}` }, tr(c.public ? 'tickets-page-comment-public' : 'tickets-page-comment-internal')),
    h('time', { class: 'muted' }, fullTime(c.at))),
  h('div', { class: 'comment-body' }, c.body)))
    : [h('li', { class: 'muted' }, tr('tickets-page-no-comments'))]));
}

function renderHistory(t) {
  // Newest first: the agent opens a ticket to learn what just happened.
  const list = [...(t.history || [])].reverse();
  $('panel-history').replaceChildren(...list.map((e) => h('li', { class: 'history-item' },
    h('div', { class: 'history-meta' },
      h('time', null, fullTime(e.at)),
      h('span', { class: 'history-who' }, who(e.by))),
    h('div', null, describeChange(e.change, t.ticket_type)))));
}

export function renderPanel() {
  const t = store.panel;
  if (!t) return;
  $('panel-number').textContent = `#${t.number}`;
  $('panel-title').textContent = t.title;
  $('panel-state').textContent = stateName(t.state, t.ticket_type);
  const sla = $('panel-sla');
  sla.textContent = slaLabel(t.sla_status);
  sla.className = `badge sla sla-${t.sla_status}`;
  const prio = $('panel-prio');
  prio.textContent = priorityLabel(t.priority);
  prio.className = `badge prio prio-${t.priority}`;
  $('panel-description').textContent = t.description || tr('tickets-page-no-description');
  $('panel-owner').textContent = `${departmentName(t.department)} · ${agentName(t.assignee_id)}`;
  renderFacts(t);
  renderMoves(t);
  renderControls(t);
  renderComments(t);
  renderHistory(t);
}

export function isPanelOpen(id) {
  return Boolean(store.panel && (id === undefined || store.panel.id === id));
}

let openSeq = 0;

export async function openPanel(id, opener) {
  const seq = ++openSeq;
  returnFocus = opener || document.activeElement;
  const changed = !store.panel || store.panel.id !== id;
  if (changed) {
    $('move-note').value = '';
    $('comment-form').reset();
    $('comment-submit').textContent = tr('tickets-page-comment-add-note');
    setStatus('');
  }
  const cached = store.tickets.get(id) || (changed ? null : store.panel);
  store.panel = cached;
  $('ticket-panel').hidden = false;
  if (cached) renderPanel();
  else {
    $('panel-number').textContent = '';
    $('panel-title').textContent = tr('tickets-page-loading');
  }
  if (changed) $('panel-close').focus();
  // The list copy may be a frame behind (comments, history); fetch the full current view.
  try {
    const fresh = await get(`/api/v1/tickets/${encodeURIComponent(id)}`);
    if (seq !== openSeq || $('ticket-panel').hidden) return; // closed or another ticket opened
    store.panel = fresh;
    renderPanel();
  } catch (err) {
    if (seq === openSeq) setStatus(actionError(err), true);
  }
}

export function closePanel() {
  if ($('ticket-panel').hidden) return;
  openSeq += 1;
  store.panel = null;
  $('ticket-panel').hidden = true;
  onChanged(null);
  if (returnFocus && returnFocus.isConnected) returnFocus.focus();
  else {
    // The opener was re-rendered away; find its replacement by id.
    const id = returnFocus && returnFocus.dataset ? returnFocus.dataset.id : null;
    const cls = id && returnFocus.classList[0];
    const again = cls && document.querySelector(`.${CSS.escape(cls)}[data-id="${CSS.escape(id)}"]`);
    if (again) again.focus();
  }
  returnFocus = null;
}

// Every action answers with the full TicketView; one path applies it everywhere.
async function act(run, doneText) {
  if (!store.panel || busy) return false;
  busy = true;
  renderMoves(store.panel);
  setStatus(tr('tickets-page-working'));
  try {
    const view = await run(encodeURIComponent(store.panel.id));
    // The agent may have opened another ticket while this one was saving.
    if (store.panel && store.panel.id === view.id) {
      store.panel = view;
      setStatus(doneText);
    }
    onChanged(view);
    return true;
  } catch (err) {
    setStatus(actionError(err), true);
    return false;
  } finally {
    busy = false;
    if (store.panel) renderPanel();
  }
}

export function initPanel(opts) {
  onChanged = opts.onChanged;
  $('panel-close').addEventListener('click', closePanel);
  $('panel-moves').addEventListener('click', async (ev) => {
    const b = ev.target.closest('.move-button');
    if (!b) return;
    const note = $('move-note').value.trim();
    const body = note ? { to: b.dataset.to, note } : { to: b.dataset.to };
    const ok = await act((id) => post(`/api/v1/tickets/${id}/transition`, body),
      tr('tickets-page-did-move', { state: stateName(b.dataset.to, store.panel.ticket_type) }));
    if (ok) $('move-note').value = '';
  });
  $('panel-priority').addEventListener('change', (ev) => {
    const priority = ev.target.value;
    act((id) => put(`/api/v1/tickets/${id}/priority`, { priority }), tr('tickets-page-did-priority', { priority: priorityLabel(priority) }));
  });
  $('panel-department').addEventListener('change', (ev) => {
    const department = ev.target.value;
    // The server drops the assignee when none is sent; keep whoever holds the ticket.
    const body = { department };
    if (store.panel.assignee_id) body.assignee_id = store.panel.assignee_id;
    act((id) => post(`/api/v1/tickets/${id}/assign`, body), tr('tickets-page-did-department', { department: departmentName(department) }));
  });
  $('panel-assignee').addEventListener('change', (ev) => {
    const assignee = ev.target.value;
    const body = assignee ? { assignee_id: assignee } : {};
    act((id) => post(`/api/v1/tickets/${id}/assign`, body), assignee ? tr('tickets-page-did-assign', { name: agentName(assignee) }) : tr('tickets-page-did-unassign'));
  });
  const form = $('comment-form');
  const publicBox = $('comment-public');
  const submit = $('comment-submit');
  publicBox.addEventListener('change', () => {
    submit.textContent = tr(publicBox.checked ? 'tickets-page-comment-send' : 'tickets-page-comment-add-note');
  });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const text = $('comment-body').value.trim();
    if (!text) {
      $('comment-body').focus();
      return;
    }
    const body = { body: text, public: publicBox.checked };
    const ok = await act((id) => post(`/api/v1/tickets/${id}/comments`, body),
      tr(body.public ? 'tickets-page-did-send' : 'tickets-page-did-note'));
    if (ok) {
      form.reset();
      submit.textContent = tr('tickets-page-comment-add-note');
    }
  });
  $('comment-body').addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) {
      ev.preventDefault();
      form.requestSubmit();
    }
  });
}
