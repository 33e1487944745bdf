// 建工单 from a conversation through a form: type, title, a description prefilled with a
// short summary of what the bot learned (intent in words, what the customer already gave,
// their latest order), which messages to attach (checkboxes; internal notes start unticked
// and are attached only when ticked), and whether to tell the customer now (off by default).

import { selected } from './state.js';
import { get, post } from './api.js';
import { toast } from './page.js';
import { h, joinList } from './format.js';
import { has, t } from '../i18n.js';

const $ = (id) => document.getElementById(id);
const dialog = $('ticket-dialog');
const form = $('ticket-form');
const list = $('ticket-messages');
const errorBox = $('ticket-error');

let current = null; // the conversation the open form is for

function showError(text) {
  errorBox.textContent = text || '';
  errorBox.hidden = !text;
}

// A card code in the reader's words, else the server's words.
function cardWord(id, fallback) {
  return has(id) ? t(id) : fallback;
}

/** The description's first lines: the bot's context card in words, when there is one. */
export function summaryOf(card) {
  if (!card) return '';
  const lines = [];
  // The card names topics by the knowledge base's titles and slots by their labels.
  const intents = (card.intents || []).map((i) => i.title).filter(Boolean);
  if (intents.length) lines.push(t('ticket-summary-intent', { value: joinList(intents) }));
  const slots = card.slots || [];
  if (slots.length) lines.push(t('ticket-summary-slots', { value: joinList(slots.map((s) => `${cardWord(`card-slot-${s.kind}`, s.label)} ${s.value}`)) }));
  const order = (card.recent_orders || [])[0];
  if (order) {
    const items = order.items && order.items.length ? ` ${joinList(order.items)}` : '';
    lines.push(t('ticket-summary-order', { value: `${order.order_no}${items}` }));
  }
  if (card.reason_text) lines.push(t('ticket-summary-reason', { value: cardWord(`card-reason-${card.reason}`, card.reason_text) }));
  return lines.join('\n');
}

function messageRow(m) {
  const note = m.sender_kind === 'note';
  return h('li', { class: note ? 'is-note' : '' },
    h('label', {},
      h('input', { type: 'checkbox', value: m.id, checked: !note, dataset: { kind: m.sender_kind } }),
      h('span', { class: 'tm-who' }, t(`sender-${m.sender_kind}`)),
      h('span', { class: 'tm-text' }, m.content)));
}

async function fill(c) {
  list.replaceChildren(h('li', { class: 'muted' }, t('ticket-loading')));
  const [card, data] = await Promise.all([
    c.source === 'bot_to_human' || c.status === 'bot'
      ? get(`/api/v1/conversations/${encodeURIComponent(c.id)}/context`).catch(() => null)
      : Promise.resolve(null),
    get(`/api/v1/conversations/${encodeURIComponent(c.id)}/messages?limit=200`).catch(() => null),
  ]);
  if (current !== c.id) return;
  if (!$('ticket-description').value) $('ticket-description').value = summaryOf(card);
  const messages = ((data && data.messages) || []).sort((a, b) => a.seq - b.seq);
  list.replaceChildren(...(messages.length
    ? messages.map(messageRow)
    : [h('li', { class: 'muted' }, t('ticket-no_messages'))]));
}

async function open() {
  const c = selected();
  if (!c || dialog.open) return;
  current = c.id;
  showError('');
  $('ticket-title').value = t('ticket-default_title', { name: c.customer_name || t('handover-the_customer') });
  $('ticket-description').value = '';
  $('ticket-notify').checked = false;
  dialog.showModal();
  $('ticket-title').focus();
  await fill(c);
}

async function submit(ev) {
  ev.preventDefault();
  const c = selected();
  if (!c || current !== c.id) return;
  const title = $('ticket-title').value.trim();
  if (!title) {
    showError(t('ticket-title_required'));
    return;
  }
  const body = {
    ticket_type: $('ticket-type').value,
    title,
    description: $('ticket-description').value.trim(),
    conversation_id: c.id,
    message_ids: [...list.querySelectorAll('input[type="checkbox"]:checked')].map((i) => i.value),
    notify_customer: $('ticket-notify').checked,
  };
  $('ticket-submit').disabled = true;
  try {
    const ticket = await post('/api/v1/tickets', body);
    dialog.close();
    toast(t('ticket-created', { number: ticket.number, title: ticket.title }));
  } catch (err) {
    showError(t('ticket-failed', { message: err.message }));
  } finally {
    $('ticket-submit').disabled = false;
  }
}

export function initTicketButton() {
  $('ticket-dialog-title').textContent = t('ticket-title');
  $('ticket-type-label').textContent = t('ticket-type');
  $('ticket-title-label').textContent = t('ticket-subject');
  $('ticket-description-label').textContent = t('ticket-description');
  $('ticket-attach-label').textContent = t('ticket-attach');
  $('ticket-notify-label').textContent = t('ticket-notify');
  $('ticket-cancel').textContent = t('ticket-cancel');
  $('ticket-submit').textContent = t('ticket-submit');
  $('ticket-button').addEventListener('click', open);
  $('ticket-cancel').addEventListener('click', () => dialog.close());
  form.addEventListener('submit', submit);
}
