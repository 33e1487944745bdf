// Customer profile (/customers/{id}): name, tier, channels, conversations, orders, tickets and
// notes in the merchant's words; edit the name and tags, merge and unmerge. Ids stay behind 详情.

import { api, get, post } from './workspace/api.js';
import { CHANNEL_LABELS, CONVERSATION_STATUS_LABELS, fullTime, h, label } from './workspace/format.js';
import { toast, whoAmI } from './workspace/page.js';
import { ratingText } from './workspace/rating.js';
import { fillText, formatMoney, has, loadCatalogue, t } from './i18n.js';

const $ = (id) => document.getElementById(id);
const id = decodeURIComponent(location.pathname.split('/').filter(Boolean).pop() || '');
const ORDER_LABELS = 'profile-order-';
let profile = null;

const empty = (text) => h('li', { class: 't-meta' }, text);
const money = (cents, currency) => formatMoney(cents / 100, currency || 'CNY');
// The tier by its code in the reader's words; the server's words for a tier we do not know.
const tierWord = (p) => (has(`card-tier-${p.tier}`) ? t(`card-tier-${p.tier}`) : p.tier_label);

function render(p) {
  profile = p;
  document.title = t('profile-title_named', { name: p.name });
  $('p-name').textContent = p.name;
  $('p-tier').textContent = tierWord(p);
  $('name-input').value = p.name;
  $('p-since').textContent = t('profile-since', { time: fullTime(p.created_at) });
  $('p-merged').replaceChildren(...(p.merged_into ? [
    `${t('profile-merged_into', { name: p.merged_into.name })} `,
    h('a', { href: `/customers/${encodeURIComponent(p.merged_into.id)}` }, t('profile-view')), ' ',
    h('button', { type: 'button', class: 'btn btn-ghost', onclick: () => unmerge(p.id) }, t('profile-unmerge')),
  ] : []));
  $('p-tags').replaceChildren(...(p.tags.length ? p.tags.map((tag) => h('span', { class: 'chip' }, tag,
    h('button', { type: 'button', class: 'btn-ghost chip-x', 'aria-label': t('profile-remove_tag', { tag }), onclick: () => saveTags(p.tags.filter((x) => x !== tag)) }, '×'))) : [t('profile-no_tags')]));
  $('p-channels').replaceChildren(...(p.channels.length ? p.channels.map((c) => h('li', null,
    h('strong', null, label(CHANNEL_LABELS, c.channel)), ' ', c.channel === 'email' ? c.external_id : '',
    h('span', { class: 't-meta' }, ` ${t('profile-channel_since', { time: fullTime(c.created_at) })}`))) : [empty(t('profile-none'))]));
  $('p-conversations').replaceChildren(...(p.conversations.length ? p.conversations.map((c) => h('li', null,
    h('a', { href: `/history?customer_id=${encodeURIComponent(p.id)}` }, `${label(CHANNEL_LABELS, c.channel)} · ${label(CONVERSATION_STATUS_LABELS, c.status)}`),
    ` ${fullTime(c.updated_at)}`, c.rating ? h('div', { class: 'p-rating' }, ratingText(c.rating)) : null,
    h('div', { class: 't-meta' }, c.snippet || ''))) : [empty(t('profile-no_conversations'))]));
  $('p-orders').replaceChildren(...(p.orders.length ? p.orders.map((o) => h('li', null,
    t('profile-order_line', { number: o.number, status: label(ORDER_LABELS, o.status), amount: money(o.amount_cents, o.currency), time: fullTime(o.created_at) }))) : [empty(t('profile-no_orders'))]));
  $('p-tickets').replaceChildren(...(p.tickets.length ? p.tickets.map((tk) => h('li', null,
    h('a', { href: '/tickets' }, `#${tk.number} ${tk.title}`), ` · ${tk.state} · ${fullTime(tk.created_at)}`)) : [empty(t('profile-no_tickets'))]));
  $('p-notes').replaceChildren(...(p.notes.length ? p.notes.map((n) => h('li', null, n.content, h('div', { class: 't-meta' }, fullTime(n.created_at)))) : [empty(t('profile-no_notes'))]));
  $('p-merged-from').replaceChildren(...(p.merged_from.length ? p.merged_from.map((m) => h('li', null,
    h('a', { href: `/customers/${encodeURIComponent(m.id)}` }, m.name), ' ',
    h('button', { type: 'button', class: 'btn btn-ghost', onclick: () => unmerge(m.id) }, t('profile-unmerge')))) : [empty(t('profile-no_merged'))]));
  $('p-details').textContent = [t('profile-detail-id', { id: p.id }),
    ...p.channels.map((c) => t('workspace-identity_line', { channel: label(CHANNEL_LABELS, c.channel), id: c.external_id })),
    ...p.merged_from.map((m) => t('profile-detail-merged', { id: m.id }))].join('\n');
}

async function load() {
  try {
    render(await get(`/api/v1/customers/${encodeURIComponent(id)}/profile`));
  } catch (err) {
    $('p-name').textContent = t(err.status === 404 ? 'profile-not_found' : 'profile-load_failed');
    toast(err.message);
  }
}

async function change(body, done) {
  try {
    render(await api('PATCH', `/api/v1/customers/${encodeURIComponent(id)}`, body));
    toast(done);
  } catch (err) {
    toast(err.message);
  }
}

function saveTags(tags) {
  return change({ tags }, t('profile-tags_saved'));
}

async function unmerge(who) {
  try {
    await post(`/api/v1/customers/${encodeURIComponent(who)}/unmerge`);
    toast(t('profile-unmerged'));
    await load();
  } catch (err) {
    toast(err.message);
  }
}

async function start() {
  const me = await whoAmI(start);
  if (!me) return;
  await Promise.all(['workspace', 'profile'].map(loadCatalogue));
  fillText();
  $('shop-name').textContent = (me.shop && me.shop.name) || 'kefu';
  $('name-form').addEventListener('submit', (e) => {
    e.preventDefault();
    change({ name: $('name-input').value.trim() }, t('profile-name_saved'));
  });
  $('tag-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const tag = $('tag-input').value.trim();
    if (!tag || !profile) return;
    $('tag-input').value = '';
    saveTags([...profile.tags.filter((x) => x !== tag), tag]);
  });
  $('merge-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const from = $('merge-input').value.trim();
    if (!from) return;
    try {
      await post(`/api/v1/customers/${encodeURIComponent(id)}/merge`, { from });
      $('merge-input').value = '';
      toast(t('profile-merged_done'));
      await load();
    } catch (err) {
      toast(err.message);
    }
  });
  await load();
}

start();
