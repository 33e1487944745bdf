// Settings › Alerts and sales events: the alert rules (validated whole; each problem at its field) and the
// promotion windows (大促, sales events) the dashboard compares against.

import { $, api, ApiError, clearProblems, fillText, guardUnsaved, loadCatalogue, runSave, t } from './common.js';

/// Alert kinds with a name and a threshold unit in the catalogue (`alerts-kind-…`, `alerts-unit-…`).
const KINDS = ['response_time', 'bad_review_share', 'negative_comment_share', 'category_bot_resolution', 'category_surge', 'customer_complaints'];
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
    const [name, unit] = KINDS.includes(r.kind) ? [t(`alerts-kind-${r.kind}`), t(`alerts-unit-${r.kind}`)] : [r.kind, ''];
    const card = document.createElement('div');
    card.className = 'team-card';
    const on = Object.assign(document.createElement('input'), { type: 'checkbox', checked: r.enabled });
    on.addEventListener('change', () => { r.enabled = on.checked; });
    const head = document.createElement('label');
    head.className = 'switch';
    head.append(on, ` ${t('common-in_parens', { text: name, detail: r.id })}`);
    const grid = document.createElement('div');
    grid.className = 'grid-3';
    grid.append(
      field(t('alerts-threshold', { unit }), `rules[${i}].threshold`, number(r, 'threshold', { step: 'any' })),
      field(t('alerts-window'), `rules[${i}].window_mins`, number(r, 'window_mins')),
      field(t('alerts-cooldown'), `rules[${i}].cooldown_mins`, number(r, 'cooldown_mins')));
    card.append(head, grid);
    return card;
  }));
}

const toLocal = (ms) => new Date(ms - new Date(ms).getTimezoneOffset() * 60000).toISOString().slice(0, 16);

function renderPromos() {
  $('promos').replaceChildren(...promos.map((p, i) => {
    const row = document.createElement('div');
    row.className = 'grid-3 promo-row';
    const name = Object.assign(document.createElement('input'), { type: 'text', value: p.name, placeholder: t('alerts-promo_placeholder') });
    name.addEventListener('input', () => { p.name = name.value; });
    const from = Object.assign(document.createElement('input'), { type: 'datetime-local', value: toLocal(p.from) });
    from.addEventListener('change', () => { p.from = new Date(from.value).getTime(); });
    const to = Object.assign(document.createElement('input'), { type: 'datetime-local', value: toLocal(p.to) });
    to.addEventListener('change', () => { p.to = new Date(to.value).getTime(); });
    const del = Object.assign(document.createElement('button'), { type: 'button', className: 'btn btn-small btn-danger', textContent: t('common-delete') });
    del.addEventListener('click', () => { promos.splice(i, 1); renderPromos(); });
    row.append(field(t('common-name'), `promos[${i}].name`, name), field(t('alerts-promo_from'), `promos[${i}].from`, from), field(t('alerts-promo_to'), `promos[${i}].to`, to), del);
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
    if (!p.name.trim()) out.push({ path: `promos[${i}].name`, message: t('common-need_name') });
    else if (promos.slice(0, i).some((o) => o.name === p.name)) out.push({ path: `promos[${i}].name`, message: t('alerts-promo_duplicate') });
    if (!(p.to > p.from)) out.push({ path: `promos[${i}].to`, message: t('alerts-promo_order') });
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
  fillText();
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
