// Labels and time formatting shared by the workspace modules. The API speaks in enum values
// and unix milliseconds; everything a person reads is decided here, in one place, through the
// catalogue and the Intl helpers of /assets/i18n.js.

import { formatDateTime, formatTime, has, t } from '../i18n.js';

// The label "tables" are catalogue id prefixes: `label(CHANNEL_LABELS, 'dm')` reads the
// message `workspace-channel-dm` (the page loads the `workspace` and `handover` areas).
export const ROLE_LABELS = 'role-';
export const USER_STATUS_LABELS = 'workspace-presence-';
export const CHANNEL_LABELS = 'workspace-channel-';
export const CONVERSATION_STATUS_LABELS = 'workspace-status-';
export const SOURCE_LABELS = 'workspace-source-';
export const SENDER_LABELS = 'sender-';
// One glyph per channel so a row says where the customer is at a glance, even when the label
// is cut off; the label stays beside it for anyone who does not know the glyphs.
export const CHANNEL_ICONS = {
  widget: '🌐',
  dm: '💬',
  comment: '🗨',
  order_message: '📦',
  live: '📺',
  email: '✉',
  api: '🔌',
};

// A channel tag: glyph + label, with the raw value kept for tests and styling.
export function channelTag(channel) {
  return h('span', { class: 'channel-tag', dataset: { channel: channel || '' }, title: label(CHANNEL_LABELS, channel) },
    h('span', { class: 'channel-icon', 'aria-hidden': 'true' }, CHANNEL_ICONS[channel] || '•'),
    label(CHANNEL_LABELS, channel));
}

// Unknown values are shown raw rather than hidden: a new enum value on the server should be
// visible, not silently blank. `table` is a catalogue id prefix, or (older pages) an object.
export function label(table, value) {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof table === 'string') return has(`${table}${value}`) ? t(`${table}${value}`) : String(value);
  return table[value] || String(value);
}

/** Items of a short list joined the reader's way (、 in Chinese, a comma in English). */
export function joinList(items) {
  return items.join(t('workspace-list_separator'));
}

export function isOpen(conv) {
  return conv.status !== 'resolved' && conv.status !== 'closed';
}

function pad(n) {
  return n < 10 ? `0${n}` : String(n);
}

// Compact "how long ago / how long waiting" for list rows, which refresh every second.
export function elapsed(ms, now = Date.now()) {
  if (!ms) return '';
  const s = Math.max(0, Math.floor((now - ms) / 1000));
  if (s < 60) return t('workspace-elapsed-s', { s });
  const m = Math.floor(s / 60);
  if (m < 60) return t('workspace-elapsed-ms', { m, s: pad(s % 60) });
  const h = Math.floor(m / 60);
  if (h < 24) return t('workspace-elapsed-hm', { h, m: pad(m % 60) });
  return t('workspace-elapsed-d', { d: Math.floor(h / 24) });
}

/** A message's time: the time of day today, else the date too (shop time zone). */
export function clockTime(ms) {
  const day = { year: 'numeric', month: 'numeric', day: 'numeric' };
  if (formatDateTime(ms, day) === formatDateTime(Date.now(), day)) return formatTime(ms);
  return formatDateTime(ms, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** A full date and time with seconds, for titles and records. */
export function fullTime(ms) {
  if (!ms) return '—';
  return formatDateTime(ms, { dateStyle: 'medium', timeStyle: 'medium' });
}

// Tiny element builder so that user content can only ever enter the DOM as text.
export function h(tag, attrs, ...children) {
  const node = document.createElement(tag);
  if (attrs) {
    for (const [key, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) continue;
      if (key === 'class') node.className = value;
      else if (key === 'dataset') Object.assign(node.dataset, value);
      else if (key.startsWith('on') && typeof value === 'function') {
        node.addEventListener(key.slice(2), value);
      } else node.setAttribute(key, value === true ? '' : String(value));
    }
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}
