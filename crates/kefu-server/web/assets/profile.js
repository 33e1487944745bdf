// Customer profile (/customers/{id}): name, tier, channels, conversations, orders, tickets and
// notes in the merchant's words; edit the name and tags, merge and unmerge. Ids stay behind 详情.

import { api, get, post } from './workspace/api.js';
import { CONVERSATION_STATUS_LABELS, fullTime, h, label } from './workspace/format.js';
import { toast, whoAmI } from './workspace/page.js';
import { ratingText } from './workspace/rating.js';
import { loadCatalogue } from './i18n.js';

const $ = (id) => document.getElementById(id);
const id = decodeURIComponent(location.pathname.split('/').filter(Boolean).pop() || '');
const ORDER_LABELS = {
  created: '待付款', paid: '已付款', shipped: '已发货', delivered: '已送达', completed: '已完成',
  refund_requested: '退款中', refunded: '已退款', cancelled: '已取消',
};
let profile = null;

const empty = (text) => h('li', { class: 't-meta' }, text);
const money = (cents, currency) => `${currency === 'CNY' ? '¥' : `${currency} `}${(cents / 100).toFixed(2)}`;

function render(p) {
  profile = p;
  document.title = `${p.name} · 顾客资料`;
  $('p-name').textContent = p.name;
  $('p-tier').textContent = p.tier_label;
  $('name-input').value = p.name;
  $('p-since').textContent = `首次联系 ${fullTime(p.created_at)}`;
  $('p-merged').replaceChildren(...(p.merged_into ? [
    `已合并到 ${p.merged_into.name} `,
    h('a', { href: `/customers/${encodeURIComponent(p.merged_into.id)}` }, '查看'), ' ',
    h('button', { type: 'button', class: 'btn btn-ghost', onclick: () => unmerge(p.id) }, '拆分'),
  ] : []));
  $('p-tags').replaceChildren(...(p.tags.length ? p.tags.map((t) => h('span', { class: 'chip' }, t,
    h('button', { type: 'button', class: 'btn-ghost chip-x', 'aria-label': `删除标签 ${t}`, onclick: () => saveTags(p.tags.filter((x) => x !== t)) }, '×'))) : ['无']));
  $('p-channels').replaceChildren(...(p.channels.length ? p.channels.map((c) => h('li', null,
    h('strong', null, c.label), ' ', c.channel === 'email' ? c.external_id : '', h('span', { class: 't-meta' }, ` 自 ${fullTime(c.created_at)}`))) : [empty('暂无')]));
  $('p-conversations').replaceChildren(...(p.conversations.length ? p.conversations.map((c) => h('li', null,
    h('a', { href: `/history?customer_id=${encodeURIComponent(p.id)}` }, `${c.channel_label} · ${c.status_label || label(CONVERSATION_STATUS_LABELS, c.status)}`),
    ` ${fullTime(c.updated_at)}`, c.rating ? h('div', { class: 'p-rating' }, ratingText(c.rating)) : null,
    h('div', { class: 't-meta' }, c.snippet || ''))) : [empty('暂无会话')]));
  $('p-orders').replaceChildren(...(p.orders.length ? p.orders.map((o) => h('li', null,
    `订单 ${o.number} · ${label(ORDER_LABELS, o.status)} · ${money(o.amount_cents, o.currency)} · ${fullTime(o.created_at)}`)) : [empty('暂无订单')]));
  $('p-tickets').replaceChildren(...(p.tickets.length ? p.tickets.map((t) => h('li', null,
    h('a', { href: '/tickets' }, `#${t.number} ${t.title}`), ` · ${t.state} · ${fullTime(t.created_at)}`)) : [empty('暂无工单')]));
  $('p-notes').replaceChildren(...(p.notes.length ? p.notes.map((n) => h('li', null, n.content, h('div', { class: 't-meta' }, fullTime(n.created_at)))) : [empty('暂无备注')]));
  $('p-merged-from').replaceChildren(...(p.merged_from.length ? p.merged_from.map((m) => h('li', null,
    h('a', { href: `/customers/${encodeURIComponent(m.id)}` }, m.name), ' ',
    h('button', { type: 'button', class: 'btn btn-ghost', onclick: () => unmerge(m.id) }, '拆分'))) : [empty('没有合并的顾客')]));
  $('p-details').textContent = [`顾客编号 ${p.id}`, ...p.channels.map((c) => `${c.label}：${c.external_id}`),
    ...p.merged_from.map((m) => `并入：${m.id}`)].join('\n');
}

async function load() {
  try {
    render(await get(`/api/v1/customers/${encodeURIComponent(id)}/profile`));
  } catch (err) {
    $('p-name').textContent = err.status === 404 ? '找不到这位顾客' : '加载失败';
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
  return change({ tags }, '标签已保存');
}

async function unmerge(who) {
  try {
    await post(`/api/v1/customers/${encodeURIComponent(who)}/unmerge`);
    toast('已拆分');
    await load();
  } catch (err) {
    toast(err.message);
  }
}

async function start() {
  const me = await whoAmI(start);
  if (!me) return;
  await loadCatalogue('workspace');
  $('shop-name').textContent = (me.shop && me.shop.name) || 'kefu';
  $('name-form').addEventListener('submit', (e) => {
    e.preventDefault();
    change({ name: $('name-input').value.trim() }, '名称已保存');
  });
  $('tag-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const t = $('tag-input').value.trim();
    if (!t || !profile) return;
    $('tag-input').value = '';
    saveTags([...profile.tags.filter((x) => x !== t), t]);
  });
  $('merge-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const from = $('merge-input').value.trim();
    if (!from) return;
    try {
      await post(`/api/v1/customers/${encodeURIComponent(id)}/merge`, { from });
      $('merge-input').value = '';
      toast('已合并');
      await load();
    } catch (err) {
      toast(err.message);
    }
  });
  await load();
}

start();
