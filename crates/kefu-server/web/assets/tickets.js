// Tickets page entry point: loads who I am and the shop's workflows, keeps the ticket list for
// the selected type and filters, and applies live `ticket` frames from the agent socket.

import './shell.js';
import { get, post } from './workspace/api.js';
import { AgentSocket } from './workspace/socket.js';
import { h } from './workspace/format.js';
import { fillText, loadCatalogue, t as tr } from './i18n.js';
import { store, matchesFilters, typeName, departmentName, loadDefaultNames } from './tickets/store.js';
import { toast, whoAmI } from './workspace/page.js';
import { initViews, renderViews, tickTimes } from './tickets/views.js';
import { initPanel, openPanel, closePanel, renderPanel, isPanelOpen } from './tickets/panel.js';
import { initActions, renderBulkBar, fillBulkChoices } from './tickets/actions.js';

const $ = (id) => document.getElementById(id);
const LIMIT = 200;
let loadSeq = 0;
let wasClosed = false;

function render() {
  renderViews();
  renderBulkBar();
}

// The shell draws the person's name and role; the shop name is repeated here for pages that
// load before the shell has asked /me.
function renderTopbar() {
  $('shop-name').textContent = (store.shop && store.shop.name) || 'kefu';
}

function renderTypeTabs() {
  const tabs = $('type-tabs');
  tabs.replaceChildren(...[...store.workflows.values()].map((wf) => h('button', {
    type: 'button', role: 'tab', class: 'tab type-tab', dataset: { type: wf.ticket_type },
    'aria-selected': String(wf.ticket_type === store.type),
    tabindex: wf.ticket_type === store.type ? '0' : '-1',
  }, typeName(wf.ticket_type))));
}

function renderFilterChoices() {
  const dept = $('filter-department');
  dept.replaceChildren(h('option', { value: '' }, tr('tickets-page-all-departments')),
    ...[...store.departments.values()].map((d) => h('option', { value: d.key }, departmentName(d.key))));
  dept.value = store.filters.department;
}

function query() {
  const f = store.filters;
  // Empty parameters are left out: the server reads `state=` as a filter for the empty key.
  const q = new URLSearchParams({ type: store.type, limit: String(LIMIT) });
  if (!f.closed) q.set('open', 'true');
  if (f.department) q.set('department', f.department);
  if (f.sla) q.set('sla', f.sla);
  if (f.mine) q.set('assignee', 'me');
  return `/api/v1/tickets?${q}`;
}

async function loadTickets() {
  if (!store.type) return;
  const seq = ++loadSeq;
  $('ticket-count').textContent = tr('tickets-page-loading');
  try {
    const data = await get(query());
    if (seq !== loadSeq) return; // a newer filter change already asked again
    store.tickets = new Map(((data && data.tickets) || []).map((t) => [t.id, t]));
    render();
  } catch (err) {
    if (seq !== loadSeq) return;
    $('ticket-count').textContent = tr('tickets-page-load-failed');
    toast(tr('tickets-page-load-failed-toast', { message: err.message }));
  }
}

function selectType(type, focus) {
  if (!store.workflows.has(type) || type === store.type) return;
  store.type = type;
  store.checked.clear();
  $('bulk-results').hidden = true;
  store.tickets = new Map();
  sessionStorage.setItem('tickets.type', type);
  renderTypeTabs();
  fillBulkChoices();
  if (focus) document.querySelector(`.type-tab[data-type="${CSS.escape(type)}"]`).focus();
  render();
  loadTickets();
}

function setView(view) {
  store.view = view;
  sessionStorage.setItem('tickets.view', view);
  render();
}

// Whatever changed a ticket (this page, another agent, the SLA sweeper), the server's view is
// the one to show; keep it if it still fits the filters, drop it otherwise.
function applyView(view) {
  if (matchesFilters(view)) store.tickets.set(view.id, view);
  else {
    store.tickets.delete(view.id);
    store.checked.delete(view.id);
  }
  store.fresh.add(view.id);
  setTimeout(() => { store.fresh.delete(view.id); }, 2500);
  render();
}

const fetching = new Map(); // id -> whether another frame arrived while fetching

// Frames carry the raw ticket without SLA standing or allowed moves, so fetch the view. Bursts
// of frames for one ticket (a move plus its SLA bookkeeping) collapse into one extra fetch.
async function onTicketFrame(ticket) {
  if (!ticket || !ticket.id) return;
  const relevant = ticket.ticket_type === store.type || store.tickets.has(ticket.id) || isPanelOpen(ticket.id);
  if (!relevant) return;
  if (fetching.has(ticket.id)) {
    fetching.set(ticket.id, true);
    return;
  }
  fetching.set(ticket.id, false);
  try {
    const view = await get(`/api/v1/tickets/${encodeURIComponent(ticket.id)}`);
    applyView(view);
    if (isPanelOpen(view.id)) {
      store.panel = view;
      renderPanel();
    }
  } catch (_) {
    // Gone or no longer visible to us; the next reload settles it.
  } finally {
    const again = fetching.get(ticket.id);
    fetching.delete(ticket.id);
    if (again) onTicketFrame(ticket);
  }
}

// The page has no connection badge of its own today; the reload on reconnect matters more
// than the words, so both work without one.
function renderConnection(kind, info) {
  const box = $('connection-state');
  const text = box ? box.querySelector('.conn-text') : null;
  const say = (words) => { if (text) text.textContent = words; };
  if (box) box.dataset.state = kind;
  if (kind === 'open') {
    say(tr('tickets-page-conn-open'));
    // Changes made while the socket was down were never sent; catch up once.
    if (wasClosed) loadTickets();
    wasClosed = false;
  } else if (kind === 'connecting') say(tr('tickets-page-conn-connecting'));
  else {
    wasClosed = true;
    say(info && info.retryIn ? tr('tickets-page-conn-retry', { seconds: info.retryIn }) : tr('tickets-page-conn-lost'));
  }
}

function wireToolbar() {
  const tabs = $('type-tabs');
  tabs.addEventListener('click', (ev) => {
    const b = ev.target.closest('.type-tab');
    if (b) selectType(b.dataset.type, false);
  });
  // Arrow keys move between tabs, as screen-reader users expect from a tablist.
  tabs.addEventListener('keydown', (ev) => {
    if (ev.key !== 'ArrowLeft' && ev.key !== 'ArrowRight') return;
    const keys = [...store.workflows.keys()];
    const i = keys.indexOf(store.type);
    const next = keys[(i + (ev.key === 'ArrowRight' ? 1 : keys.length - 1)) % keys.length];
    ev.preventDefault();
    selectType(next, true);
  });
  for (const b of document.querySelectorAll('.view-button')) {
    b.addEventListener('click', () => setView(b.dataset.view));
  }
  const onFilter = () => {
    store.filters = {
      department: $('filter-department').value,
      sla: $('filter-sla').value,
      mine: $('filter-mine').checked,
      closed: $('filter-closed').checked,
    };
    loadTickets();
  };
  for (const id of ['filter-department', 'filter-sla', 'filter-mine', 'filter-closed']) {
    $(id).addEventListener('change', onFilter);
  }
  document.addEventListener('keydown', (ev) => {
    if (ev.key !== 'Escape' || ev.defaultPrevented) return;
    if (document.querySelector('dialog[open]')) return; // the dialog closes itself first
    closePanel();
  });
}

let textReady = null;

async function main() {
  // The catalogues first (shell: role names), once: main runs again when /me failed.
  textReady = textReady || Promise.all([loadCatalogue('tickets'), loadCatalogue('shell')]).then(loadDefaultNames);
  await textReady;
  fillText();
  const who = await whoAmI(main);
  if (!who) return;
  store.me = who.user;
  store.shop = who.shop;
  renderTopbar();

  const [types, depts, agents] = await Promise.all([
    get('/api/v1/ticket-types').catch((err) => { toast(tr('tickets-page-types-failed', { message: err.message })); return null; }),
    get('/api/v1/departments').catch(() => null), // names only; keys are shown without them
    get('/api/v1/agents').catch(() => null),
  ]);
  for (const wf of (types && types.workflows) || []) store.workflows.set(wf.ticket_type, wf);
  for (const d of (depts && depts.departments) || []) store.departments.set(d.key, d);
  for (const a of (agents && agents.agents) || []) store.agents.set(a.id, a);

  const remembered = sessionStorage.getItem('tickets.type');
  store.type = store.workflows.has(remembered) ? remembered : [...store.workflows.keys()][0] || null;
  store.view = sessionStorage.getItem('tickets.view') === 'list' ? 'list' : 'board';

  renderTypeTabs();
  renderFilterChoices();
  fillBulkChoices();
  wireToolbar();
  initViews({ onOpen: (id, opener) => openPanel(id, opener), onChecked: renderBulkBar });
  initPanel({ onChanged: (view) => (view ? applyView(view) : render()) });
  initActions({
    onCreated: (view) => {
      if (view.ticket_type !== store.type) selectType(view.ticket_type, false);
      applyView(view);
      toast(tr('tickets-page-created', { number: view.number }));
      openPanel(view.id, $('new-ticket-button'));
    },
    onBulkDone: () => { render(); loadTickets(); },
  });
  render();
  loadTickets();

  const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
  const socket = new AgentSocket(`${scheme}${location.host}/ws/agent`, {
    onFrame: (frame) => { if (frame && frame.type === 'ticket') onTicketFrame(frame.ticket); },
    onState: renderConnection,
    beforeReconnect: () => get('/api/v1/me'),
  });
  socket.connect();
  setInterval(tickTimes, 30000);
  window.addEventListener('online', () => socket.reconnectNow());
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') socket.reconnectNow();
  });
}

main();
