// Right column: who the customer is, in words. The customer record is fetched once per
// customer and cached, since the same customer is reopened often and identities rarely change.
// Ids and identity hashes are only in the 详情 toggle (closed by default).

import { selected, agentName, queueEntry, teamName } from './state.js';
import { get } from './api.js';
import { renderHandoff } from './handoff.js';
import { ratingText } from './rating.js';
import { has, t } from '../i18n.js';
import {
  CHANNEL_LABELS, CONVERSATION_STATUS_LABELS, SOURCE_LABELS, fullTime, h, label,
} from './format.js';

const customers = new Map(); // customer id -> Promise<Customer|null>
const ratings = new Map(); // conversation id -> { key, promise }
const $ = (id) => document.getElementById(id);

/** Nothing to prepare: workspace.js loads the catalogue and fills the page's labels. */
export async function initContext() {}

function customer(id) {
  if (!customers.has(id)) {
    const p = get(`/api/v1/customers/${encodeURIComponent(id)}`).catch(() => {
      customers.delete(id); // Do not cache a failure; the next selection retries.
      return null;
    });
    customers.set(id, p);
  }
  return customers.get(id);
}

// Channels in words; an email address (masked) is the merchant's own kind of identifier, the
// rest (visitor hashes, platform ids) go to 详情.
function renderIdentities(list, cust) {
  const raw = $('ctx-identity-ids');
  if (!cust) {
    list.replaceChildren(h('li', { class: 'muted' }, t('workspace-customer_failed')));
    raw.textContent = '';
    return;
  }
  const ids = cust.identities || [];
  raw.textContent = ids.map((idn) => t('workspace-identity_line', { channel: label(CHANNEL_LABELS, idn.channel), id: idn.external_id })).join('\n') || t('card-none');
  // What they told the widget's pre-chat form (手机号, 邮箱, 订单号; masked by the server).
  const told = (cust.prechat || []).map((line) => h('li', { class: 'identity prechat-line' },
    h('span', { class: 'channel-tag' }, prechatLabel(line)), h('span', {}, line.value)));
  if (!ids.length && !told.length) {
    list.replaceChildren(h('li', { class: 'muted' }, t('workspace-none_yet')));
    return;
  }
  list.replaceChildren(...ids.map((idn) => h('li', { class: 'identity' },
    h('span', { class: 'channel-tag' }, label(CHANNEL_LABELS, idn.channel)),
    idn.channel === 'email' ? h('span', {}, idn.external_id) : null)), ...told);
}

// A pre-chat answer's name by its field code, in the reader's language.
function prechatLabel(line) {
  return has(`workspace-prechat-${line.field}`) ? t(`workspace-prechat-${line.field}`) : line.label;
}

// A resolved conversation's rating, fetched again whenever the conversation changed (the
// rating arrives as the customer's message, which updates the conversation).
function renderRating(c) {
  const box = $('ctx-rating');
  if (c.status !== 'resolved' && c.status !== 'closed') {
    box.textContent = t('card-rating_none');
    return;
  }
  const key = `${c.updated_at}:${c.last_message_at}`;
  let entry = ratings.get(c.id);
  if (!entry || entry.key !== key) {
    entry = { key, promise: get(`/api/v1/conversations/${encodeURIComponent(c.id)}/rating`).then((r) => r.rating, () => null) };
    ratings.set(c.id, entry);
  }
  box.dataset.conversationId = c.id;
  entry.promise.then((r) => {
    if (box.dataset.conversationId === c.id) box.textContent = ratingText(r);
  });
}

export function renderContext() {
  const c = selected();
  $('context-empty').hidden = Boolean(c);
  $('context').hidden = !c;
  if (!c) return;
  $('ctx-name').textContent = c.customer_name || t('workspace-visitor');
  $('ctx-channel').textContent = label(CHANNEL_LABELS, c.channel);
  $('ctx-status').textContent = label(CONVERSATION_STATUS_LABELS, c.status);
  $('ctx-source').textContent = label(SOURCE_LABELS, c.source);
  $('ctx-agent').textContent = c.agent_id ? (agentName(c.agent_id) || '—') : t('workspace-unassigned');
  $('ctx-team').textContent = teamName(c.team_id) || '—';
  const entry = queueEntry(c.id);
  $('ctx-priority').textContent = `${c.priority || 0}${entry && entry.vip ? t('workspace-vip_suffix') : ''}`;
  $('ctx-created').textContent = fullTime(c.created_at);
  $('ctx-customer-id').textContent = c.customer_id;
  $('ctx-conversation-id').textContent = c.id;
  renderRating(c);
  renderHandoff(c);

  const list = $('ctx-identities');
  const wanted = c.customer_id;
  list.dataset.customerId = wanted;
  if (!list.children.length || list.dataset.loaded !== wanted) {
    list.replaceChildren(h('li', { class: 'muted' }, t('workspace-loading')));
  }
  customer(wanted).then((cust) => {
    // The agent may have clicked elsewhere while this was loading.
    if (list.dataset.customerId !== wanted) return;
    if (cust && cust.display_name) $('ctx-name').textContent = cust.display_name;
    renderIdentities(list, cust);
    list.dataset.loaded = wanted;
  });
}
