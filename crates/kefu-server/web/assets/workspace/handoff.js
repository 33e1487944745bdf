// The bot's hand-off card in the right column: why the bot handed over, what the customer
// asked, the slots they gave, the mood, their orders. Pushed by `handoff` frames and fetched
// from /conversations/{id}/context when a bot conversation is opened.

import { get } from './api.js';
import { h } from './format.js';

const cards = new Map(); // conversation id -> card (or null: none / failed)
const $ = (id) => document.getElementById(id);

/** A `handoff` frame: keep its card (the agent may open the conversation later). */
export function onHandoff(frame) {
  if (frame.conversation_id && frame.card) cards.set(frame.conversation_id, frame.card);
}

function mood(trend) {
  if (!trend || !trend.length) return '—';
  const last = trend[trend.length - 1];
  const word = last < -0.3 ? '负面' : last > 0.3 ? '正面' : '中性';
  return `${word}（${trend.map((x) => x.toFixed(1)).join(' → ')}）`;
}

function yuan(cents) {
  return `¥${(cents / 100).toFixed(2)}`;
}

function render(box, card) {
  if (!card) {
    box.hidden = true;
    return;
  }
  box.hidden = false;
  const slots = Object.entries(card.slots || {});
  const orders = card.recent_orders || [];
  box.replaceChildren(
    h('h3', { class: 'card-subtitle' }, '机器人交接'),
    h('dl', { class: 'facts' },
      h('dt', {}, '转人工原因'), h('dd', { class: 'handoff-reason' }, card.reason_text || '—'),
      h('dt', {}, '咨询意图'), h('dd', {}, (card.intents || []).join('、') || '—'),
      h('dt', {}, '已提供'), h('dd', {}, slots.map(([k, v]) => `${k}: ${v}`).join('；') || '—'),
      h('dt', {}, '情绪'), h('dd', {}, mood(card.sentiment_trend)),
      h('dt', {}, '顾客等级'), h('dd', {}, `${card.customer.tier}（近期 ${card.customer.orders_in_window} 单，${yuan(card.customer.spent_cents)}）`)),
    h('h3', { class: 'card-subtitle' }, '最近订单'),
    orders.length
      ? h('ul', { class: 'identities' }, ...orders.map((o) => h('li', {}, `${o.order_no} · ${o.status} · ${yuan(o.amount_cents)}${o.items.length ? ` · ${o.items.join('、')}` : ''}`)))
      : h('p', { class: 'muted' }, '暂无订单'));
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
