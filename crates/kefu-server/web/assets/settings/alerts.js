// 设置 › 告警与大促: the alert rules (validated whole; each problem at its field) and the
// promotion windows (大促) the dashboard compares against.

import { $, api, ApiError, clearProblems, guardUnsaved, loadCatalogue, runSave } from './common.js';

const KIND = {
  response_time: ['平均回复时长过长', '秒'], bad_review_share: ['差评占比过高', '比例 0-1'], negative_comment_share: ['负面评论占比过高', '比例 0-1'],
  category_bot_resolution: ['某类问题机器人解决率过低', '比例 0-1'], category_surge: ['某类问题突增', '倍'], customer_complaints: ['同一客户多次投诉', '次'],
};
let loadedRules = null;
let rules = null;
let loadedPromos = null;
let promos = null;

function field(label, path, control) {
  control.dataset.path = path;
  const wrap = document.createElement('div');
  wrap.className = 'field';
  wrap.dataset.path = path;
  const l = document.createElement('label');
  l.append(label, control);
  wrap.append(l, Object.assign(document.createElement('p'), { className: 'field-error', hidden: true }));
  return wrap;
}

function number(obj, key, attrs = {}) {
  const i = Object.assign(document.createElement('input'), { type: 'number', value: obj[key], ...attrs });
  i.addEventListener('input', () => { obj[key] = i.value === '' ? null : Number(i.value); });
  return i;
}

function renderRules() {
  $('rules').replaceChildren(...rules.rules.map((r, i) => {
    const [name, unit] = KIND[r.kind] || [r.kind, ''];
    const card = document.createElement('div');
    card.className = 'team-card';
    const on = Object.assign(document.createElement('input'), { type: 'checkbox', checked: r.enabled });
    on.addEventListener('change', () => { r.enabled = on.checked; });
    const head = document.createElement('label');
    head.className = 'switch';
    head.append(on, ` ${name}（${r.id}）`);
    const grid = document.createElement('div');
    grid.className = 'grid-3';
    grid.append(
      field(`阈值（${unit}）`, `rules[${i}].threshold`, number(r, 'threshold', { step: 'any' })),
      field('统计窗口（分钟）', `rules[${i}].window_mins`, number(r, 'window_mins')),
      field('冷却（分钟）', `rules[${i}].cooldown_mins`, number(r, 'cooldown_mins')));
    card.append(head, grid);
    return card;
  }));
}

const toLocal = (ms) => new Date(ms - new Date(ms).getTimezoneOffset() * 60000).toISOString().slice(0, 16);

function renderPromos() {
  $('promos').replaceChildren(...promos.map((p, i) => {
    const row = document.createElement('div');
    row.className = 'grid-3 promo-row';
    const name = Object.assign(document.createElement('input'), { type: 'text', value: p.name, placeholder: '如：双11' });
    name.addEventListener('input', () => { p.name = name.value; });
    const from = Object.assign(document.createElement('input'), { type: 'datetime-local', value: toLocal(p.from) });
    from.addEventListener('change', () => { p.from = new Date(from.value).getTime(); });
    const to = Object.assign(document.createElement('input'), { type: 'datetime-local', value: toLocal(p.to) });
    to.addEventListener('change', () => { p.to = new Date(to.value).getTime(); });
    const del = Object.assign(document.createElement('button'), { type: 'button', className: 'btn btn-small btn-danger', textContent: '删除' });
    del.addEventListener('click', () => { promos.splice(i, 1); renderPromos(); });
    row.append(field('名称', `promos[${i}].name`, name), field('开始', `promos[${i}].from`, from), field('结束', `promos[${i}].to`, to), del);
    return row;
  }));
}

/// "rules[0].threshold: a share in (0, 1]" → a problem at that path.
function asProblems(e) {
  if (!(e instanceof ApiError) || !Array.isArray(e.details)) return e;
  const details = e.details.map((d) => (typeof d === 'string' ? { path: d.split(': ')[0], message: d.split(': ').slice(1).join(': ') } : d));
  return new ApiError(e.status, e.code, e.message, details);
}

function promoProblems() {
  const out = [];
  promos.forEach((p, i) => {
    if (!p.name.trim()) out.push({ path: `promos[${i}].name`, message: '请填写名称' });
    else if (promos.slice(0, i).some((o) => o.name === p.name)) out.push({ path: `promos[${i}].name`, message: '名称重复' });
    if (!(p.to > p.from)) out.push({ path: `promos[${i}].to`, message: '结束时间应晚于开始时间' });
  });
  return out;
}

async function loadRules() {
  const view = await api('GET', '/api/v1/analytics/alerts');
  loadedRules = view.rules;
  rules = structuredClone(loadedRules);
  clearProblems($('rules-form'));
  renderRules();
}

async function loadPromos() {
  loadedPromos = await api('GET', '/api/v1/analytics/promotions');
  promos = structuredClone(loadedPromos);
  clearProblems($('promo-form'));
  renderPromos();
}

async function main() {
  await loadCatalogue('settings');
  $('rules-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const saved = await runSave($('rules-form'), $('rules-error'), async () => {
      try { return await api('PUT', '/api/v1/analytics/alert-rules', rules); } catch (err) { throw asProblems(err); }
    }, loadRules);
    if (saved) { loadedRules = saved; rules = structuredClone(saved); renderRules(); }
  });
  $('rules-form').addEventListener('reset', (e) => { e.preventDefault(); rules = structuredClone(loadedRules); clearProblems($('rules-form')); renderRules(); });
  $('promo-add').addEventListener('click', () => {
    const now = Date.now();
    promos.push({ name: '', from: now, to: now + 7 * 86_400_000 });
    renderPromos();
  });
  $('promo-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const saved = await runSave($('promo-form'), $('promo-error'), async () => {
      const found = promoProblems();
      if (found.length) throw new ApiError(422, 'invalid_document', found[0].message, found);
      return api('PUT', '/api/v1/analytics/promotions', promos);
    }, loadPromos);
    if (saved) { loadedPromos = saved; promos = structuredClone(saved); renderPromos(); }
  });
  $('promo-form').addEventListener('reset', (e) => { e.preventDefault(); promos = structuredClone(loadedPromos); clearProblems($('promo-form')); renderPromos(); });
  guardUnsaved(() => (loadedRules && JSON.stringify(rules) !== JSON.stringify(loadedRules)) || (loadedPromos && JSON.stringify(promos) !== JSON.stringify(loadedPromos)));
  await Promise.all([loadRules(), loadPromos()]);
}

main();
