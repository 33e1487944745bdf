// Actions that are not about one open ticket: creating a ticket and acting on the ticked rows.

import { post } from '../workspace/api.js';
import { h } from '../workspace/format.js';
import { t as tr } from '../i18n.js';
import {
  store, workflow, departmentName, priorityLabel, PRIORITIES, actionError, typeName, stateName,
} from './store.js';

const $ = (id) => document.getElementById(id);
let hooks = { onCreated: () => {}, onBulkDone: () => {} };

function options(select, pairs, value) {
  select.replaceChildren(...pairs.map(([v, text]) => h('option', { value: v }, text)));
  if (value !== undefined) select.value = value;
}

// ---------- New ticket ----------

function openNewTicket() {
  const dialog = $('new-ticket-dialog');
  const form = $('new-ticket-form');
  form.reset();
  $('new-ticket-error').hidden = true;
  options($('new-type'), [...store.workflows.values()].map((w) => [w.ticket_type, typeName(w.ticket_type)]), store.type);
  options($('new-priority'), PRIORITIES.map((p) => [p, priorityLabel(p)]), 'normal');
  dialog.showModal();
  $('new-title').focus();
}

async function submitNewTicket(ev) {
  ev.preventDefault();
  const title = $('new-title').value.trim();
  if (!title) {
    $('new-title').focus();
    return;
  }
  const body = {
    ticket_type: $('new-type').value,
    title,
    priority: $('new-priority').value,
  };
  const description = $('new-description').value.trim();
  if (description) body.description = description;
  const button = $('new-submit');
  button.disabled = true;
  try {
    const view = await post('/api/v1/tickets', body);
    $('new-ticket-dialog').close();
    hooks.onCreated(view);
  } catch (err) {
    const box = $('new-ticket-error');
    box.textContent = actionError(err);
    box.hidden = false;
  } finally {
    button.disabled = false;
  }
}

// ---------- Bulk actions ----------

export function fillBulkChoices() {
  const wf = workflow();
  options($('bulk-state'), [['', tr('tickets-page-bulk-choose-state')], ...(wf ? wf.states.map((s) => [s.key, stateName(s.key)]) : [])], '');
  options($('bulk-priority'), [['', tr('tickets-page-bulk-choose-priority')], ...PRIORITIES.map((p) => [p, priorityLabel(p)])], '');
  options($('bulk-department'),
    [['', tr('tickets-page-bulk-choose-department')], ...[...store.departments.values()].map((d) => [d.key, departmentName(d.key)])], '');
}

export function renderBulkBar() {
  const bar = $('bulk-bar');
  // Ticked rows that a reload or live update removed cannot be acted on; forget them.
  for (const id of store.checked) if (!store.tickets.has(id)) store.checked.delete(id);
  const n = store.checked.size;
  const keepResults = !$('bulk-results').hidden;
  bar.hidden = store.view !== 'list' || (n === 0 && !keepResults);
  $('bulk-count').textContent = tr('tickets-page-bulk-count', { n });
  for (const b of bar.querySelectorAll('.bulk-apply')) {
    const select = $(b.dataset.select);
    b.disabled = n === 0 || !select.value;
  }
}

function ticketLabel(id) {
  const t = store.tickets.get(id);
  return t ? `#${t.number} ${t.title}` : id;
}

function showResults(results, doneText) {
  const failed = results.filter((r) => !r.ok);
  const box = $('bulk-results');
  const okCount = results.length - failed.length;
  box.replaceChildren(
    h('p', { class: failed.length ? 'bulk-summary is-error' : 'bulk-summary' },
      failed.length ? tr('tickets-page-bulk-some-failed', { action: doneText, ok: okCount, failed: failed.length })
        : tr('tickets-page-bulk-all-ok', { action: doneText, ok: okCount })),
    ...(failed.length ? [h('ul', { class: 'bulk-failures' },
      ...failed.map((r) => h('li', null,
        h('span', { class: 'bulk-ticket' }, ticketLabel(r.id)),
        tr('tickets-page-bulk-failure', { error: r.error || tr('tickets-page-bulk-failed') }))))] : []),
    h('button', {
      type: 'button', class: 'btn btn-ghost btn-small', onclick: () => { box.hidden = true; renderBulkBar(); },
    }, tr('tickets-page-bulk-close-results')));
  box.hidden = false;
}

async function runBulk(action, doneText) {
  const ids = [...store.checked];
  if (!ids.length) return;
  const bar = $('bulk-bar');
  for (const b of bar.querySelectorAll('button, select')) b.disabled = true;
  try {
    const data = await post('/api/v1/tickets/bulk', { ids, action });
    const results = (data && data.results) || [];
    // Keep the failures ticked so the agent can retry or act on them another way.
    for (const r of results) if (r.ok) store.checked.delete(r.id);
    showResults(results, doneText);
  } catch (err) {
    showResults(ids.map((id) => ({ id, ok: false, error: actionError(err) })), doneText);
  } finally {
    for (const b of bar.querySelectorAll('button, select')) b.disabled = false;
    fillBulkChoices();
    hooks.onBulkDone();
  }
}

export function initActions(opts) {
  hooks = { ...hooks, ...opts };
  $('new-ticket-button').addEventListener('click', openNewTicket);
  $('new-ticket-form').addEventListener('submit', submitNewTicket);
  $('new-cancel').addEventListener('click', () => $('new-ticket-dialog').close());

  const bar = $('bulk-bar');
  bar.addEventListener('change', (ev) => {
    if (ev.target.tagName === 'SELECT') renderBulkBar();
  });
  bar.addEventListener('click', (ev) => {
    const b = ev.target.closest('button');
    if (!b) return;
    if (b.id === 'bulk-clear') {
      store.checked.clear();
      $('bulk-results').hidden = true;
      hooks.onBulkDone();
      return;
    }
    const value = b.dataset.select ? $(b.dataset.select).value : '';
    if (!value) return;
    if (b.dataset.action === 'transition') {
      runBulk({ type: 'transition', to: value }, tr('tickets-page-bulk-did-move', { state: stateName(value) }));
    } else if (b.dataset.action === 'priority') {
      runBulk({ type: 'priority', to: value }, tr('tickets-page-bulk-did-priority', { priority: priorityLabel(value) }));
    } else if (b.dataset.action === 'assign') {
      runBulk({ type: 'assign', department: value }, tr('tickets-page-bulk-did-assign', { department: departmentName(value) }));
    }
  });
}
