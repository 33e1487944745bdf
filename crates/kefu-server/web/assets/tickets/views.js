// The two ways to look at the same tickets: a board with one column per workflow state, and a
// sortable table whose rows can be ticked for bulk actions. Both re-render whole from the store;
// a page holds at most a few hundred tickets, so diffing would buy nothing.

import { h } from '../workspace/format.js';
import { t as tr } from '../i18n.js';
import {
  store, workflow, stateName, departmentName, agentName, ago, priorityLabel, slaLabel, sortedTickets, fullTime,
} from './store.js';

const $ = (id) => document.getElementById(id);
let handlers = { onOpen: () => {}, onChecked: () => {} };

function badges(t) {
  return [
    h('span', { class: `badge prio prio-${t.priority}`, title: tr('tickets-page-priority') }, priorityLabel(t.priority)),
    h('span', { class: `badge sla sla-${t.sla_status}`, title: tr('tickets-page-sla-status') }, slaLabel(t.sla_status)),
  ];
}

function card(t) {
  return h('button', {
    type: 'button',
    class: `ticket-card${store.fresh.has(t.id) ? ' is-fresh' : ''}${store.panel && store.panel.id === t.id ? ' is-open' : ''}`,
    dataset: { id: t.id },
    'aria-label': tr('tickets-page-card-label', { number: t.number, title: t.title }),
  },
  h('span', { class: 'card-top' },
    h('span', { class: 'ticket-number' }, `#${t.number}`),
    ...badges(t)),
  h('span', { class: 'card-title' }, t.title),
  h('span', { class: 'card-foot' },
    h('span', { class: 'card-dept' }, departmentName(t.department)),
    t.assignee_id ? h('span', { class: 'card-assignee' }, agentName(t.assignee_id)) : null,
    h('span', { class: 'card-age', title: tr('tickets-page-updated-at', { time: fullTime(t.updated_at) }), dataset: { at: t.updated_at } },
      ago(t.updated_at))));
}

// Re-rendering replaces the focused element; put focus back on its replacement so keyboard
// users do not get thrown to the top of the page by a live update.
function keepFocus(render) {
  const active = document.activeElement;
  const id = active && active.dataset ? active.dataset.id : null;
  const cls = id ? active.classList[0] : null;
  render();
  if (!id || !cls) return;
  const again = document.querySelector(`.${CSS.escape(cls)}[data-id="${CSS.escape(id)}"]`);
  if (again && again !== active) again.focus();
}

export function renderBoard() {
  const board = $('ticket-board');
  const wf = workflow();
  if (!wf) {
    board.replaceChildren(h('p', { class: 'empty' }, tr('tickets-page-no-types')));
    return;
  }
  const byState = new Map(wf.states.map((s) => [s.key, []]));
  for (const t of sortedTickets()) {
    if (!byState.has(t.state)) byState.set(t.state, []); // a state removed from the workflow
    byState.get(t.state).push(t);
  }
  keepFocus(() => {
    board.replaceChildren(...[...byState.entries()].map(([key, list]) => {
      const def = wf.states.find((s) => s.key === key);
      const headId = `col-${key}`;
      return h('section', {
        class: `board-column${def && def.terminal ? ' is-terminal' : ''}`,
        dataset: { state: key },
        'aria-labelledby': headId,
      },
      h('header', { class: 'column-head' },
        h('h2', { id: headId, class: 'column-name' }, stateName(key)),
        def && def.department ? h('span', { class: 'column-dept' }, departmentName(def.department)) : null,
        h('span', { class: 'tab-count' }, String(list.length))),
      h('div', { class: 'column-cards' },
        ...(list.length ? list.map(card) : [h('p', { class: 'column-empty' }, tr('tickets-page-column-empty'))])));
    }));
  });
}

function row(t) {
  const checked = store.checked.has(t.id);
  return h('tr', {
    dataset: { id: t.id },
    class: `${checked ? 'is-checked' : ''}${store.fresh.has(t.id) ? ' is-fresh' : ''}`,
  },
  h('td', { class: 'col-check' },
    h('input', {
      type: 'checkbox', class: 'row-check', checked, dataset: { id: t.id },
      'aria-label': tr('tickets-page-check-row', { number: t.number }),
    })),
  h('td', { class: 'mono' }, `#${t.number}`),
  h('td', { class: 'col-title' },
    h('button', { type: 'button', class: 'row-open', dataset: { id: t.id } }, t.title)),
  h('td', null, stateName(t.state)),
  h('td', null, badges(t)[0]),
  h('td', null, badges(t)[1]),
  h('td', null, departmentName(t.department)),
  h('td', null, t.assignee_id ? agentName(t.assignee_id) : '—'),
  h('td', { class: 'card-age', title: fullTime(t.updated_at), dataset: { at: t.updated_at } }, ago(t.updated_at)));
}

export function renderTable() {
  const body = $('ticket-rows');
  const list = sortedTickets();
  keepFocus(() => {
    body.replaceChildren(...(list.length ? list.map(row)
      : [h('tr', null, h('td', { colspan: 9, class: 'empty' }, tr('tickets-page-none-match')))]));
  });
  for (const th of document.querySelectorAll('#ticket-table th[data-sort]')) {
    const on = th.dataset.sort === store.sort.key;
    th.setAttribute('aria-sort', on ? (store.sort.dir === 'asc' ? 'ascending' : 'descending') : 'none');
  }
  syncCheckAll();
}

function syncCheckAll() {
  const all = $('check-all');
  const ids = [...store.tickets.keys()];
  const ticked = ids.filter((id) => store.checked.has(id)).length;
  all.checked = ids.length > 0 && ticked === ids.length;
  all.indeterminate = ticked > 0 && ticked < ids.length;
}

export function renderViews() {
  const board = store.view === 'board';
  $('ticket-board').hidden = !board;
  $('ticket-list').hidden = board;
  for (const b of document.querySelectorAll('.view-button')) {
    b.setAttribute('aria-pressed', String(b.dataset.view === store.view));
  }
  if (board) renderBoard();
  else renderTable();
  const n = store.tickets.size;
  $('ticket-count').textContent = n >= 200 ? tr('tickets-page-count-capped', { n, limit: 200 }) : tr('tickets-page-count', { n });
}

// Relative times drift while the page stays open; refresh the text without a re-render.
export function tickTimes() {
  const now = Date.now();
  for (const el of document.querySelectorAll('.card-age[data-at]')) {
    el.textContent = ago(Number(el.dataset.at), now);
  }
}

export function initViews(opts) {
  handlers = { ...handlers, ...opts };
  $('ticket-board').addEventListener('click', (ev) => {
    const c = ev.target.closest('.ticket-card');
    if (c) handlers.onOpen(c.dataset.id, c);
  });
  const table = $('ticket-table');
  table.addEventListener('click', (ev) => {
    const sortButton = ev.target.closest('th[data-sort] button');
    if (sortButton) {
      const key = sortButton.parentElement.dataset.sort;
      const s = store.sort;
      // First click on a new column sorts the way people usually want it: text A→Z, the rest
      // biggest/newest/worst first.
      if (s.key === key) s.dir = s.dir === 'asc' ? 'desc' : 'asc';
      else store.sort = { key, dir: key === 'title' || key === 'state' ? 'asc' : 'desc' };
      renderTable();
      return;
    }
    if (ev.target.closest('input, label, .col-check')) return;
    const tr = ev.target.closest('tbody tr[data-id]');
    if (tr) handlers.onOpen(tr.dataset.id, tr.querySelector('.row-open') || tr);
  });
  table.addEventListener('change', (ev) => {
    const box = ev.target;
    if (box.id === 'check-all') {
      for (const t of store.tickets.values()) {
        if (box.checked) store.checked.add(t.id);
        else store.checked.delete(t.id);
      }
    } else if (box.classList.contains('row-check')) {
      if (box.checked) store.checked.add(box.dataset.id);
      else store.checked.delete(box.dataset.id);
    } else return;
    // Update in place rather than re-render: ticking several rows in a row must not replace
    // the checkboxes under the pointer or the keyboard focus.
    for (const tr of table.querySelectorAll('tbody tr[data-id]')) {
      const on = store.checked.has(tr.dataset.id);
      tr.classList.toggle('is-checked', on);
      const cb = tr.querySelector('.row-check');
      if (cb) cb.checked = on;
    }
    syncCheckAll();
    handlers.onChecked();
  });
}
