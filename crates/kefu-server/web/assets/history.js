// History page: every conversation of the shop, filtered and searched (the server answers from
// its blind index), newest first; a result opens its transcript read-only beside the list.

import { get } from './workspace/api.js';
import { CHANNEL_LABELS, CONVERSATION_STATUS_LABELS, SENDER_LABELS, fullTime, h, label } from './workspace/format.js';
import { toast, whoAmI } from './workspace/page.js';
import { ratingText } from './workspace/rating.js';
import { fillText, loadCatalogue, t } from './i18n.js';

const $ = (id) => document.getElementById(id);
let next = null;
let shown = 0;

function params(cursor) {
  const q = new URLSearchParams();
  const form = new FormData($('search-form'));
  for (const [key, value] of form.entries()) {
    const v = String(value).trim();
    if (!v) continue;
    if (key === 'from') q.set('from', String(new Date(`${v}T00:00:00`).getTime()));
    else if (key === 'to') q.set('to', String(new Date(`${v}T00:00:00`).getTime() + 86400000));
    else q.set(key, v);
  }
  if (cursor) q.set('cursor', cursor);
  return q;
}

function row(r) {
  const open = () => openTranscript(r);
  return h('li', { class: 'result' },
    h('button', { type: 'button', class: 'result-open', onclick: open, dataset: { conversation: r.conversation_id } },
      h('span', { class: 'result-top' },
        h('strong', { class: 'result-name' }, r.customer_name || t('history-customer')),
        h('span', { class: 'result-tag' }, label(CHANNEL_LABELS, r.channel)),
        h('span', { class: `result-status status-${r.status}` }, label(CONVERSATION_STATUS_LABELS, r.status)),
        h('span', { class: 'result-agent' }, r.agent_name ? t('history-agent_is', { name: r.agent_name }) : t('history-no_agent'))),
      h('span', { class: 'result-snippet' }, r.snippet || t('history-no_messages')),
      r.rating ? h('span', { class: 'result-rating' }, ratingText(r.rating)) : null,
      h('span', { class: 'result-times' }, t('history-times', { started: fullTime(r.created_at), latest: fullTime(r.matched_at || r.updated_at) }))));
}

async function search(more) {
  const q = params(more ? next : null);
  if (!more) {
    $('results').replaceChildren();
    shown = 0;
  }
  $('result-count').textContent = t('history-searching');
  try {
    const page = await get(`/api/v1/conversations/search?${q}`);
    $('results').append(...page.results.map(row));
    shown += page.results.length;
    next = page.next || null;
    $('more').hidden = !next;
    $('result-count').textContent = shown ? t(next ? 'history-found_more' : 'history-found', { n: shown }) : t('history-none');
  } catch (err) {
    $('result-count').textContent = '';
    toast(err.message);
  }
}

async function openTranscript(r) {
  $('transcript').hidden = false;
  $('t-title').textContent = r.customer_name || t('history-customer');
  const meta = [label(CHANNEL_LABELS, r.channel), label(CONVERSATION_STATUS_LABELS, r.status), fullTime(r.created_at)];
  if (r.rating) meta.push(ratingText(r.rating));
  $('t-meta').textContent = meta.join(' · ');
  $('t-profile').href = `/customers/${encodeURIComponent(r.customer_id)}`;
  $('t-messages').replaceChildren(h('li', { class: 't-loading' }, t('history-loading')));
  try {
    const data = await get(`/api/v1/conversations/${encodeURIComponent(r.conversation_id)}/messages?limit=1000`);
    $('t-messages').replaceChildren(...data.messages.map((m) => h('li', { class: `t-msg from-${m.sender_kind}` },
      h('span', { class: 't-who' }, label(SENDER_LABELS, m.sender_kind)),
      h('span', { class: 't-text' }, m.content),
      h('time', { class: 't-time' }, fullTime(m.created_at)))));
  } catch (err) {
    $('t-messages').replaceChildren();
    toast(err.message);
  }
}

async function loadAgents() {
  try {
    const list = await get('/api/v1/agents');
    $('f-agent').append(...list.agents.map((a) => h('option', { value: a.id }, a.display_name || a.email)));
  } catch (_) { /* the filter stays with 全部客服 */ }
}

async function start() {
  const me = await whoAmI(start);
  if (!me) return;
  await Promise.all(['workspace', 'handover', 'history'].map(loadCatalogue));
  fillText();
  $('shop-name').textContent = (me.shop && me.shop.name) || 'kefu';
  const given = new URLSearchParams(location.search);
  if (given.get('customer_id')) $('f-customer').value = given.get('customer_id');
  if (given.get('q')) $('q').value = given.get('q');
  $('search-form').addEventListener('submit', (e) => { e.preventDefault(); search(false); });
  $('more').addEventListener('click', () => search(true));
  $('t-close').addEventListener('click', () => { $('transcript').hidden = true; });
  await loadAgents();
  await search(false);
}

start();
