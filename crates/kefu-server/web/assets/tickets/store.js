// The tickets page's state and every word a person reads about a ticket. The API speaks in
// keys, ids and unix milliseconds; turning them into the reader's words happens here and
// nowhere else (the words themselves live in the `tickets` catalogue).

import { currentLanguage, formatDateTime, has, t } from '../i18n.js';

export const store = {
  me: null,
  shop: null,
  workflows: new Map(), // ticket_type -> Workflow, in the server's order
  departments: new Map(), // key -> Department
  agents: new Map(), // id -> User
  type: null, // selected ticket_type
  view: 'board',
  tickets: new Map(), // id -> TicketView matching the current type and filters
  filters: { department: '', sla: '', mine: false, closed: false },
  sort: { key: 'updated', dir: 'desc' },
  checked: new Set(), // ids ticked in the list view
  fresh: new Set(), // ids changed live, highlighted briefly so the change is noticed
  panel: null, // TicketView shown in the side panel; kept apart so filters never hide it
};

export const PRIORITIES = ['urgent', 'high', 'normal', 'low'];

// Unknown values are shown raw rather than hidden: a new enum value on the server should be
// visible, not silently blank.
function word(prefix, value) {
  if (value === null || value === undefined || value === '') return '—';
  const id = `${prefix}-${value}`;
  return has(id) ? t(id) : String(value);
}

/** A date and time in the reader's language and the shop's time zone; '' without one. */
export const fullTime = (ms) => (ms ? formatDateTime(ms) : '');

// The built-in workflows and departments are stored with their Chinese default names. To an
// English reader those are shown from the catalogue; a name the shop wrote itself differs
// from the default and is shown as written.
let defaults = null;

/** Fetch the zh-CN default names once, when the reader's language is another one. */
export async function loadDefaultNames() {
  if (currentLanguage() === 'zh-CN') return;
  try {
    const res = await fetch('/assets/i18n/zh-CN/tickets.json', { credentials: 'same-origin' });
    if (res.ok) defaults = await res.json();
  } catch (_) {
    // Without the defaults every stored name is shown as written.
  }
}

/** `name` as the reader reads it: the catalogue's words for an untouched built-in name. */
export function builtinName(id, name) {
  if (!has(id)) return name || '';
  if (!name || currentLanguage() === 'zh-CN') return name || t(id);
  return defaults && defaults[id] === name ? t(id) : name;
}

export const priorityLabel = (p) => word('tickets-page-priority', p);
export const slaLabel = (s) => word('tickets-page-sla', s);

export function workflow(type = store.type) {
  return store.workflows.get(type) || null;
}

/** A ticket type's name in the reader's words. */
export function typeName(type) {
  const wf = store.workflows.get(type);
  return builtinName(`tickets-page-type-${type}`, wf ? wf.name : type);
}

export function stateName(key, type = store.type) {
  const wf = workflow(type);
  const st = wf && wf.states.find((s) => s.key === key);
  if (!key) return '—';
  return builtinName(`tickets-page-state-${key}`, st ? st.name : key);
}

/** A move's name (from → to) in the reader's words. */
export function moveName(from, to, name, type = store.type) {
  return builtinName(`tickets-page-step-${from}-${to}`, name) || stateName(to, type);
}

export function departmentName(key) {
  if (!key) return t('tickets-page-unassigned-department');
  const d = store.departments.get(key);
  return builtinName(`tickets-page-dept-${key}`, d ? d.name || d.key : key);
}

export function agentName(id) {
  if (!id) return t('tickets-page-unassigned');
  if (store.me && id === store.me.id) return t('tickets-page-me', { name: store.me.display_name || t('tickets-page-me-plain') });
  const a = store.agents.get(id);
  return a ? a.display_name || a.email || id : id;
}

export function who(author) {
  if (!author) return '—';
  if (author.kind === 'user') return agentName(author.id);
  if (author.kind === 'customer') return t('tickets-page-customer');
  if (author.kind === 'system') return t('tickets-page-system');
  return String(author.kind);
}

/** Items joined the reader's way (、 in Chinese, commas in English). */
export const joinList = (items) => items.join(t('tickets-page-list-separator'));

// Coarse on purpose: cards are scanned, not read, and a ticking seconds counter on every card
// would only distract.
export function ago(ms, now = Date.now()) {
  if (!ms) return '';
  const min = Math.floor(Math.max(0, now - ms) / 60000);
  if (min < 1) return t('tickets-page-just-now');
  const rtf = new Intl.RelativeTimeFormat(currentLanguage(), { numeric: 'always', style: 'short' });
  if (min < 60) return rtf.format(-min, 'minute');
  const hours = Math.floor(min / 60);
  if (hours < 24) return rtf.format(-hours, 'hour');
  return rtf.format(-Math.floor(hours / 24), 'day');
}

function tagList(tags) {
  return tags && tags.length ? joinList(tags) : t('tickets-page-tags-none');
}

// One history line in words. Unknown kinds are shown by their key so a new server-side change
// is visible rather than silently dropped.
export function describeChange(change, type) {
  const c = change || {};
  switch (c.kind) {
    case 'created':
      return t('tickets-page-change-created', { state: stateName(c.state, type) });
    case 'moved': {
      const transition = c.transition ? moveName(c.from, c.to, c.transition, type) : t('tickets-page-change-moved-plain');
      const base = t('tickets-page-change-moved', { transition, from: stateName(c.from, type), to: stateName(c.to, type) });
      return c.note ? t('tickets-page-change-with-note', { change: base, note: c.note }) : base;
    }
    case 'assigned': {
      const department = c.from_department !== c.to_department
        ? t('tickets-page-change-department', { from: departmentName(c.from_department), to: departmentName(c.to_department) }) : '';
      const assignee = c.from_assignee !== c.to_assignee
        ? t('tickets-page-change-assignee', { from: agentName(c.from_assignee), to: agentName(c.to_assignee) }) : '';
      if (department && assignee) return t('tickets-page-change-both', { department, assignee });
      return department || assignee || t('tickets-page-change-reassigned');
    }
    case 'priority':
      return t('tickets-page-change-priority', { from: priorityLabel(c.from), to: priorityLabel(c.to) });
    case 'commented':
      return c.public ? t('tickets-page-change-public-reply') : t('tickets-page-change-internal-note');
    case 'tagged':
      return t('tickets-page-change-tags', { from: tagList(c.from), to: tagList(c.to) });
    case 'sla_warning':
      return t('tickets-page-change-sla-warning', { target: word('tickets-page-target', c.target) });
    case 'sla_breached':
      return t('tickets-page-change-sla-breached', { target: word('tickets-page-target', c.target) });
    case 'escalated': {
      // The action is an internally tagged object ({action, department?}); tolerate a bare key.
      const a = typeof c.action === 'string' ? { action: c.action } : c.action || {};
      const action = word('tickets-page-escalation', a.action);
      return a.department ? t('tickets-page-change-escalated-to', { action, department: departmentName(a.department) })
        : t('tickets-page-change-escalated', { action });
    }
    default:
      return c.kind ? String(c.kind) : '—';
  }
}

export function matchesFilters(ticket) {
  const f = store.filters;
  if (ticket.ticket_type !== store.type) return false;
  if (f.department && ticket.department !== f.department) return false;
  if (f.sla && ticket.sla_status !== f.sla) return false;
  if (f.mine && (!store.me || ticket.assignee_id !== store.me.id)) return false;
  if (!f.closed && ticket.closed_at) return false;
  return true;
}

// Orders for the list's sort: "worse" compares greater so descending puts trouble first.
const PRIORITY_RANK = { low: 0, normal: 1, high: 2, urgent: 3 };
const SLA_RANK = { done: 0, paused: 1, ok: 2, warning: 3, breached: 4 };

function stateIndex(key) {
  const wf = workflow();
  const i = wf ? wf.states.findIndex((s) => s.key === key) : -1;
  return i < 0 ? 999 : i;
}

const SORT_VALUE = {
  number: (x) => x.number,
  title: (x) => x.title || '',
  state: (x) => stateIndex(x.state),
  priority: (x) => PRIORITY_RANK[x.priority] ?? -1,
  sla: (x) => SLA_RANK[x.sla_status] ?? -1,
  updated: (x) => x.updated_at || 0,
};

export function sortedTickets() {
  const { key, dir } = store.sort;
  const value = SORT_VALUE[key] || SORT_VALUE.updated;
  const sign = dir === 'asc' ? 1 : -1;
  return [...store.tickets.values()].sort((a, b) => {
    const va = value(a);
    const vb = value(b);
    const cmp = typeof va === 'string' ? va.localeCompare(vb, currentLanguage()) : va - vb;
    // Ties fall back to the newest activity so the order stays stable across live updates.
    return cmp !== 0 ? sign * cmp : (b.updated_at || 0) - (a.updated_at || 0);
  });
}

// The status code says enough for a person; the server's message follows for the details.
export function actionError(err) {
  if (err.status === 403) return t('tickets-page-error-forbidden', { message: err.message });
  if (err.status === 409) return t('tickets-page-error-conflict', { message: err.message });
  if (err.status === 404) return t('tickets-page-error-not-found', { message: err.message });
  return err.message || t('tickets-page-error-failed');
}
