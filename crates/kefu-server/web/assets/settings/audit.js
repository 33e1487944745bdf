// Settings › Audit log: the shop's audit entries, filtered by person, action and date, and whether
// the hash chain is intact.

import { $, api, fieldError, fillText, has, loadCatalogue, t, when } from './common.js';

let entries = [];
let names = {};

function personOf(actor) {
  const id = actor.replace(/^(user|token-of-user):/, '');
  const name = names[id];
  if (!name) return actor;
  return actor.startsWith('token-of-user:') ? t('audit-via_token', { name }) : name;
}

function actionName(a) {
  return has(`action-${a}`) ? t('common-in_parens', { text: t(`action-${a}`), detail: a }) : a;
}

function dayStart(v) { return v ? new Date(`${v}T00:00:00`).getTime() : null; }

function render() {
  const person = $('f-person').value;
  const action = $('f-action').value;
  const from = dayStart($('f-from').value);
  const to = dayStart($('f-to').value);
  fieldError($('f-to'), from !== null && to !== null && to < from ? t('audit-to_before_from') : '');
  const shown = entries.filter((e) => (!person || e.actor === person) && (!action || e.action === action)
    && (from === null || e.at >= from) && (to === null || e.at < to + 86_400_000)).reverse();
  $('audit-rows').replaceChildren(...shown.slice(0, 500).map((e) => {
    const tr = document.createElement('tr');
    for (const c of [when(e.at), personOf(e.actor), actionName(e.action), e.target || '', JSON.stringify(e.detail ?? {})]) {
      tr.append(Object.assign(document.createElement('td'), { textContent: c }));
    }
    return tr;
  }));
  $('audit-count').textContent = t(shown.length > 500 ? 'audit-count_capped' : 'audit-count', { total: entries.length, shown: shown.length });
}

function options(select, values, label) {
  for (const v of values) select.append(Object.assign(document.createElement('option'), { value: v, textContent: label(v) }));
}

async function loadAll() {
  let after = 0;
  for (;;) {
    const page = await api('GET', `/api/v1/audit?after=${after}&limit=1000`);
    entries.push(...page.entries);
    if (page.entries.length < 1000) break;
    after = page.entries[page.entries.length - 1].pos;
  }
}

async function main() {
  await loadCatalogue('settings');
  fillText();
  const [agents] = await Promise.all([api('GET', '/api/v1/agents'), loadAll()]);
  names = Object.fromEntries(agents.agents.map((a) => [a.id, a.display_name]));
  options($('f-person'), [...new Set(entries.map((e) => e.actor))], personOf);
  options($('f-action'), [...new Set(entries.map((e) => e.action))].sort(), actionName);
  for (const id of ['f-person', 'f-action', 'f-from', 'f-to']) $(id).addEventListener('change', render);
  render();
  try {
    const chain = await api('GET', '/api/v1/audit/verify');
    $('chain-state').textContent = chain.intact
      ? t('audit-chain_intact', { n: chain.shop_entries })
      : t('audit-chain_broken', { at: chain.broken_at });
    $('chain-state').dataset.state = chain.intact ? 'intact' : 'broken';
  } catch (e) {
    $('chain-state').textContent = t('load_failed', { message: e.message });
  }
}

main();
