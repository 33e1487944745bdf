// The bot's hand-off card in the right column, in the merchant's words: why the bot handed
// over, the knowledge base's titles of what the customer asked, what they gave (尺码 L), their
// mood as a word with a small trend, their tier, their orders. Codes stay in the 详情 toggle.
// Pushed by `handoff` frames and fetched from /conversations/{id}/context when a bot
// conversation is opened.

import { get } from './api.js';
import { h, joinList } from './format.js';
import { currentLanguage, formatMoney, has, t } from '../i18n.js';

const cards = new Map(); // conversation id -> card (or null: none / failed)
const $ = (id) => document.getElementById(id);

/** A `handoff` frame: keep its card (the agent may open the conversation later). */
export function onHandoff(frame) {
  if (frame.conversation_id && frame.card) cards.set(frame.conversation_id, frame.card);
}

function yuan(cents) {
  return formatMoney(cents / 100);
}

// The card carries codes and the server's words; the page says the code in its own language
// (a card pushed over the socket was worded once for everyone) and falls back to the words.
function word(id, fallback) {
  return has(id) ? t(id) : (fallback || '');
}

// The mood word, an arrow for the trend and one small bar per recent message (heights are
// classes, so no numbers and no inline styles).
function mood(m) {
  if (!m) return t('card-none');
  const bars = h('span', { class: 'spark', role: 'img', 'aria-label': t('card-spark', { n: m.levels.length }) },
    ...m.levels.map((lv) => h('i', { class: `spark-bar lv-${lv}` })));
  return h('span', { class: 'mood' },
    h('span', { class: `mood-word mood-${m.code}` }, word(`card-mood-${m.code}`, m.word)),
    m.trend ? h('span', { class: `mood-trend trend-${m.trend}` }, t(`card-trend-${m.trend}`)) : null,
    bars);
}

function slots(list) {
  if (!list.length) return t('card-none');
  return h('span', { class: 'slot-list' }, ...list.map((s) => h('span', { class: 'slot' }, h('span', { class: 'slot-label' }, word(`card-slot-${s.kind}`, s.label)), ` ${s.value}`)));
}

/** A topic's title in the reader's language when the knowledge base has it, else as written. */
function topicTitle(intent) {
  const short = currentLanguage() === 'en' ? 'en' : 'zh';
  return (intent.titles && intent.titles[short]) || intent.title;
}

function intents(list) {
  if (!list.length) return t('card-none');
  return h('ul', { class: 'intent-list' }, ...list.map((i) => h('li', {}, topicTitle(i))));
}

function orderLine(o) {
  const line = t('workspace-order_line', { number: o.order_no, status: word(`card-order-${o.status}`, o.status_label), amount: yuan(o.amount_cents) });
  return o.items.length ? `${line} · ${joinList(o.items)}` : line;
}

function render(box, card) {
  const codes = $('ctx-details-bot');
  if (!card) {
    box.hidden = true;
    if (codes) codes.replaceChildren();
    return;
  }
  box.hidden = false;
  const orders = card.recent_orders || [];
  const c = card.customer;
  box.replaceChildren(
    h('h3', { class: 'card-subtitle' }, t('card-title')),
    h('dl', { class: 'facts' },
      h('dt', {}, t('card-reason')), h('dd', { class: 'handoff-reason' }, (card.reason && word(`card-reason-${card.reason}`, card.reason_text)) || card.reason_text || t('card-none')),
      h('dt', {}, t('card-intents')), h('dd', { class: 'handoff-intents' }, intents(card.intents || [])),
      h('dt', {}, t('card-slots')), h('dd', { class: 'handoff-slots' }, slots(card.slots || [])),
      h('dt', {}, t('card-mood')), h('dd', { class: 'handoff-mood' }, mood(card.mood)),
      h('dt', {}, t('card-tier')), h('dd', { class: 'handoff-tier' },
        t('card-tier_detail', { tier: word(`card-tier-${c.tier}`, c.tier_label), orders: c.orders_in_window, spent: yuan(c.spent_cents) }))),
    h('h3', { class: 'card-subtitle' }, t('card-orders')),
    orders.length
      ? h('ul', { class: 'identities' }, ...orders.map((o) => h('li', {}, orderLine(o))))
      : h('p', { class: 'muted' }, t('card-no_orders')));
  if (codes) {
    codes.replaceChildren(
      h('dt', {}, t('card-details-intents')), h('dd', { class: 'mono' }, (card.intents || []).map((i) => i.id).join(', ') || t('card-none')),
      h('dt', {}, t('card-details-reason')), h('dd', { class: 'mono' }, card.reason || t('card-none')));
  }
}

/** Show the card of conversation `c` (fetched once) in the box under the customer facts. */
export function renderHandoff(c) {
  const box = $('ctx-handoff');
  if (!box) return;
  if (!c || (c.source !== 'bot_to_human' && c.status !== 'bot')) {
    render(box, null);
    return;
  }
  box.dataset.conversationId = c.id;
  if (cards.has(c.id)) {
    render(box, cards.get(c.id));
    return;
  }
  get(`/api/v1/conversations/${encodeURIComponent(c.id)}/context`)
    .then((card) => card, () => null)
    .then((card) => {
      cards.set(c.id, card);
      if (box.dataset.conversationId === c.id) render(box, card);
    });
}
