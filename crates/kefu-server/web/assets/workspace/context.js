// Right column: who the customer is. The customer record is fetched once per customer and
// cached, since the same customer is reopened often and identities rarely change.

import { selected, agentName, queueEntry, teamName } from './state.js';
import { get } from './api.js';
import { renderHandoff } from './handoff.js';
import {
  CHANNEL_LABELS, CONVERSATION_STATUS_LABELS, SOURCE_LABELS, fullTime, h, label,
} from './format.js';

const customers = new Map(); // customer id -> Promise<Customer|null>
const $ = (id) => document.getElementById(id);

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

function renderIdentities(list, cust) {
  if (!cust) {
    list.replaceChildren(h('li', { class: 'muted' }, '无法加载顾客资料'));
    return;
  }
  const ids = cust.identities || [];
  // What they told the widget's pre-chat form (手机号, 邮箱, 订单号; masked by the server).
  const told = (cust.prechat || []).map((line) => h('li', { class: 'identity prechat-line' },
    h('span', { class: 'channel-tag' }, line.label), h('span', {}, line.value)));
  if (!ids.length && !told.length) {
    list.replaceChildren(h('li', { class: 'muted' }, '暂无'));
    return;
  }
  list.replaceChildren(...ids.map((idn) => h('li', { class: 'identity' },
    h('span', { class: 'channel-tag' }, label(CHANNEL_LABELS, idn.channel)),
    h('span', { class: 'mono' }, idn.external_id))), ...told);
}

export function renderContext() {
  const c = selected();
  $('context-empty').hidden = Boolean(c);
  $('context').hidden = !c;
  if (!c) return;
  $('ctx-name').textContent = c.customer_name || '访客';
  $('ctx-channel').textContent = label(CHANNEL_LABELS, c.channel);
  $('ctx-status').textContent = label(CONVERSATION_STATUS_LABELS, c.status);
  $('ctx-source').textContent = label(SOURCE_LABELS, c.source);
  $('ctx-agent').textContent = c.agent_id ? (agentName(c.agent_id) || c.agent_id) : '未分配';
  $('ctx-team').textContent = teamName(c.team_id) || '—';
  const entry = queueEntry(c.id);
  $('ctx-priority').textContent = `${c.priority || 0}${entry && entry.vip ? '（VIP）' : ''}`;
  $('ctx-created').textContent = fullTime(c.created_at);
  $('ctx-customer-id').textContent = c.customer_id;
  $('ctx-conversation-id').textContent = c.id;
  renderHandoff(c);

  const list = $('ctx-identities');
  const wanted = c.customer_id;
  list.dataset.customerId = wanted;
  if (!list.children.length || list.dataset.loaded !== wanted) {
    list.replaceChildren(h('li', { class: 'muted' }, '加载中…'));
  }
  customer(wanted).then((cust) => {
    // The agent may have clicked elsewhere while this was loading.
    if (list.dataset.customerId !== wanted) return;
    if (cust && cust.display_name) $('ctx-name').textContent = cust.display_name;
    renderIdentities(list, cust);
    list.dataset.loaded = wanted;
  });
}
