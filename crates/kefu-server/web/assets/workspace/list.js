// Left column: the conversation list with its three tabs. Rows are kept by id and patched in
// place, because the list re-renders on every frame and every second; rebuilding it would
// steal keyboard focus and make rows flicker under the mouse.

import {
  state, queueEntry, teamName, AMBER_AFTER_MS, RED_AFTER_MS,
} from './state.js';
import {
  CHANNEL_ICONS, CHANNEL_LABELS, CONVERSATION_STATUS_LABELS, elapsed, h, isOpen, label,
} from './format.js';
import { t } from '../i18n.js';

const listEl = document.getElementById('conversation-list');
const emptyEl = document.getElementById('list-empty');
const rows = new Map(); // id -> <li>

let onSelect = () => {};

const FILTERS = {
  mine: (c) => state.me && c.agent_id === state.me.id && isOpen(c),
  queued: (c) => c.status === 'queued',
  all: () => true,
};

function lastActivity(c) {
  return c.last_message_at || c.updated_at || c.created_at || 0;
}

// Queued: served by priority, then first come first served — the order routing uses, so
// the top row is the one that will be taken next. Elsewhere the freshest activity needs
// eyes; finished conversations sink to the bottom of 全部.
function compare(tab) {
  if (tab === 'queued') {
    return (a, b) => (b.priority || 0) - (a.priority || 0)
      || (a.handed_off_at || a.created_at || 0) - (b.handed_off_at || b.created_at || 0);
  }
  return (a, b) => {
    const openDiff = Number(isOpen(b)) - Number(isOpen(a));
    if (openDiff) return openDiff;
    return lastActivity(b) - lastActivity(a);
  };
}

function buildRow(id) {
  const li = h('li', {
    class: 'conversation-item',
    role: 'option',
    tabindex: '-1',
    dataset: { id },
  },
  h('div', { class: 'ci-top' },
    h('span', { class: 'ci-channel', 'aria-hidden': 'true' }),
    h('span', { class: 'ci-name' }),
    h('span', { class: 'priority-badge', hidden: true }),
    h('span', { class: 'unread-count', hidden: true }),
    h('span', { class: 'ci-time' })),
  h('div', { class: 'ci-bottom' },
    h('span', { class: 'ci-preview' }),
    h('span', { class: 'channel-tag' }),
    h('span', { class: 'badge' })));
  li.addEventListener('click', () => onSelect(id));
  return li;
}

function patchRow(li, c) {
  li.dataset.status = c.status;
  li.classList.toggle('is-selected', c.id === state.selectedId);
  li.classList.toggle('is-closed', !isOpen(c));
  const unread = state.unread.get(c.id) || 0;
  li.classList.toggle('is-unread', unread > 0);
  li.setAttribute('aria-selected', c.id === state.selectedId ? 'true' : 'false');
  li.querySelector('.ci-channel').textContent = CHANNEL_ICONS[c.channel] || '•';
  li.querySelector('.ci-name').textContent = c.customer_name || t('workspace-visitor');
  const typing = (state.typing.get(c.customer_id) || 0) > Date.now();
  li.querySelector('.ci-preview').textContent = typing ? t('workspace-typing_short') : (c.last_message_preview || t('workspace-no_messages'));
  li.querySelector('.ci-preview').classList.toggle('is-typing', typing);
  const tag = li.querySelector('.channel-tag');
  tag.textContent = label(CHANNEL_LABELS, c.channel);
  tag.dataset.channel = c.channel || '';
  const count = li.querySelector('.unread-count');
  count.hidden = unread === 0;
  count.textContent = unread > 99 ? '99+' : String(unread);
  count.title = t('workspace-unread', { n: unread });
  const entry = queueEntry(c.id);
  const prio = li.querySelector('.priority-badge');
  const vip = Boolean(entry && entry.vip);
  prio.hidden = !(c.priority > 0 || vip);
  prio.textContent = vip ? 'VIP' : t('workspace-priority');
  prio.title = t('workspace-priority_n', { n: c.priority || 0 });
  const badge = li.querySelector('.badge');
  const position = c.status === 'queued' && entry && entry.position ? ` ${t('workspace-queue_position', { n: entry.position })}` : '';
  badge.textContent = label(CONVERSATION_STATUS_LABELS, c.status) + position;
  badge.className = `badge badge-${c.status}`;
  badge.title = c.team_id ? t('workspace-team_is', { name: teamName(c.team_id) }) : '';
  patchTime(li, c, Date.now());
}

// An open conversation whose customer waits for an answer shows how long they have waited
// (from their first unanswered message), amber after a minute and red after three; any
// other row shows how long ago the last message was, in grey.
function patchTime(li, c, now) {
  const time = li.querySelector('.ci-time');
  const since = isOpen(c) ? state.waitingSince.get(c.id) : undefined;
  const waiting = since !== undefined;
  const waited = waiting ? now - since : 0;
  time.textContent = waiting ? t('workspace-waiting_for', { time: elapsed(since, now) }) : elapsed(lastActivity(c), now);
  time.title = waiting ? t('workspace-waiting-title') : t('workspace-since_last-title');
  time.dataset.waiting = waiting ? String(Math.floor(waited / 1000)) : '';
  time.classList.toggle('is-waiting', waiting);
  time.classList.toggle('is-amber', waiting && waited > AMBER_AFTER_MS && waited <= RED_AFTER_MS);
  time.classList.toggle('is-late', waiting && waited > RED_AFTER_MS);
}

export function renderList() {
  const filter = FILTERS[state.tab];
  const all = [...state.conversations.values()];
  for (const [tab, f] of Object.entries(FILTERS)) {
    const count = all.filter((c) => f(c) && (tab === 'all' ? isOpen(c) : true)).length;
    const badge = document.querySelector(`.tab-count[data-count="${tab}"]`);
    badge.textContent = String(count);
    badge.classList.toggle('has-items', count > 0);
  }
  for (const tab of document.querySelectorAll('.tab')) {
    tab.setAttribute('aria-selected', tab.dataset.tab === state.tab ? 'true' : 'false');
  }

  const visible = all.filter(filter).sort(compare(state.tab));
  const keep = new Set(visible.map((c) => c.id));
  for (const [id, li] of rows) {
    if (!keep.has(id)) {
      li.remove();
      rows.delete(id);
    }
  }
  const hadFocus = listEl.contains(document.activeElement) ? document.activeElement.dataset.id : null;
  visible.forEach((c, i) => {
    let li = rows.get(c.id);
    if (!li) {
      li = buildRow(c.id);
      rows.set(c.id, li);
    }
    patchRow(li, c);
    // Only move nodes that are out of place: moving a node blurs it.
    if (listEl.children[i] !== li) listEl.insertBefore(li, listEl.children[i] || null);
  });
  // Roving tabindex: Tab enters the list once, arrows move within it.
  const focusId = hadFocus || state.selectedId || (visible[0] && visible[0].id);
  for (const [id, li] of rows) li.tabIndex = id === focusId ? 0 : -1;
  if (hadFocus && rows.has(hadFocus) && document.activeElement !== rows.get(hadFocus)) {
    rows.get(hadFocus).focus();
  }
  emptyEl.hidden = visible.length > 0;
  emptyEl.textContent = state.tab === 'queued' ? t('workspace-list-empty_queue') : t('workspace-list-empty');

  let unread = 0;
  for (const [id, n] of state.unread) if (state.conversations.has(id)) unread += n;
  document.title = unread ? t('workspace-title_unread', { count: unread }) : t('workspace-page_title');
}

export function tickTimes() {
  const now = Date.now();
  for (const [id, li] of rows) {
    const c = state.conversations.get(id);
    if (c) patchTime(li, c, now);
  }
}

function moveFocus(delta) {
  const items = [...listEl.querySelectorAll('.conversation-item')];
  if (!items.length) return;
  const current = items.indexOf(document.activeElement);
  const start = current >= 0 ? current : items.findIndex((li) => li.dataset.id === state.selectedId);
  const next = items[Math.max(0, Math.min(items.length - 1, start + delta))];
  next.focus();
  onSelect(next.dataset.id);
}

export function selectTab(tab) {
  if (!FILTERS[tab]) return;
  state.tab = tab;
  renderList();
}

export function initList(handlers) {
  onSelect = handlers.onSelect;
  for (const tab of document.querySelectorAll('.tab')) {
    tab.addEventListener('click', () => selectTab(tab.dataset.tab));
  }
  listEl.addEventListener('keydown', (ev) => {
    if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      ev.preventDefault();
      moveFocus(ev.key === 'ArrowDown' ? 1 : -1);
    } else if ((ev.key === 'Enter' || ev.key === ' ') && ev.target.dataset.id) {
      ev.preventDefault();
      onSelect(ev.target.dataset.id);
    }
  });
}
