// Left column: the conversation list with its three tabs. Rows are kept by id and patched in
// place, because the list re-renders on every frame and every second; rebuilding it would
// steal keyboard focus and make rows flicker under the mouse.

import { state } from './state.js';
import {
  CHANNEL_LABELS, CONVERSATION_STATUS_LABELS, elapsed, h, isOpen, label,
} from './format.js';

const listEl = document.getElementById('conversation-list');
const emptyEl = document.getElementById('list-empty');
const rows = new Map(); // id -> <li>
// A queued customer waiting longer than this is flagged: it is the number supervisors watch.
const LATE_AFTER_MS = 3 * 60 * 1000;

let onSelect = () => {};

const FILTERS = {
  mine: (c) => state.me && c.agent_id === state.me.id && isOpen(c),
  queued: (c) => c.status === 'queued',
  all: () => true,
};

function lastActivity(c) {
  return c.last_message_at || c.updated_at || c.created_at || 0;
}

// Queued: first come, first served, so the oldest is on top. Elsewhere the freshest activity
// is what needs eyes; finished conversations sink to the bottom of 全部.
function compare(tab) {
  if (tab === 'queued') return (a, b) => (a.created_at || 0) - (b.created_at || 0);
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
    h('span', { class: 'unread-dot', 'aria-hidden': 'true' }),
    h('span', { class: 'ci-name' }),
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
  li.classList.toggle('is-unread', state.unread.has(c.id));
  li.setAttribute('aria-selected', c.id === state.selectedId ? 'true' : 'false');
  li.querySelector('.ci-name').textContent = c.customer_name || '访客';
  li.querySelector('.ci-preview').textContent = c.last_message_preview || '（暂无消息）';
  li.querySelector('.channel-tag').textContent = label(CHANNEL_LABELS, c.channel);
  const badge = li.querySelector('.badge');
  badge.textContent = label(CONVERSATION_STATUS_LABELS, c.status);
  badge.className = `badge badge-${c.status}`;
  patchTime(li, c, Date.now());
}

// The customer waits from their last message on; for a queued conversation that is the
// waiting time supervisors care about, elsewhere it tells how stale a dialogue is.
function patchTime(li, c, now) {
  const time = li.querySelector('.ci-time');
  const since = lastActivity(c);
  time.textContent = elapsed(since, now);
  time.title = c.status === 'queued' ? '已等待（距最后一条消息）' : '距最后一条消息';
  time.classList.toggle('is-late', c.status === 'queued' && now - since > LATE_AFTER_MS);
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
  emptyEl.textContent = state.tab === 'queued' ? '没有排队中的顾客' : '暂无会话';

  const unread = [...state.unread].filter((id) => state.conversations.has(id)).length;
  document.title = unread ? `(${unread}) 客服工作台 · kefu` : '客服工作台 · kefu';
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

export function initList(handlers) {
  onSelect = handlers.onSelect;
  for (const tab of document.querySelectorAll('.tab')) {
    tab.addEventListener('click', () => {
      state.tab = tab.dataset.tab;
      renderList();
    });
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
