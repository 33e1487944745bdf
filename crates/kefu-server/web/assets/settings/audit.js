// 设置 › 审计日志: the shop's audit entries, filtered by person, action and date, and whether
// the hash chain is intact.

import { $, api, fieldError, loadCatalogue, t, when } from './common.js';

let entries = [];
let names = {};

function personOf(actor) {
  const id = actor.replace(/^(user|token-of-user):/, '');
  const name = names[id];
  if (!name) return actor;
  return actor.startsWith('token-of-user:') ? `${name}（令牌）` : name;
}

function actionName(a) {
  const name = t(`action-${a}`);
  return name === `action.${a}` ? a : `${name}（${a}）`;
}

function dayStart(v) { return v ? new Date(`${v}T00:00:00`).getTime() : null; }

function render() {
  const person = $('f-person').value;
  const action = $('f-action').value;
  const from = dayStart($('f-from').value);
  const to = dayStart($('f-to').value);
  fieldError($('f-to'), from !== null && to !== null && to < from ? '结束日期早于开始日期' : '');
  const shown = entries.filter((e) => (!person || e.actor === person) && (!action || e.action === action)
    && (from === null || e.at >= from) && (to === null || e.at < to + 86_400_000)).reverse();
  $('audit-rows').replaceChildren(...shown.slice(0, 500).map((e) => {
    const tr = document.createElement('tr');
    for (const c of [when(e.at), personOf(e.actor), actionName(e.action), e.target || '', JSON.stringify(e.detail ?? {})]) {
      tr.append(Object.assign(document.createElement('td'), { textContent: c }));
    }
    return tr;
  }));
  $('audit-count').textContent = `共 ${entries.length} 条，筛选后 ${shown.length} 条${shown.length > 500 ? '（显示最新 500 条）' : ''}`;
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
  const [agents] = await Promise.all([api('GET', '/api/v1/agents'), loadAll()]);
  names = Object.fromEntries(agents.agents.map((a) => [a.id, a.display_name]));
  options($('f-person'), [...new Set(entries.map((e) => e.actor))], personOf);
  options($('f-action'), [...new Set(entries.map((e) => e.action))].sort(), actionName);
  for (const id of ['f-person', 'f-action', 'f-from', 'f-to']) $(id).addEventListener('change', render);
  render();
  try {
    const chain = await api('GET', '/api/v1/audit/verify');
    $('chain-state').textContent = chain.intact
      ? `哈希链完整：本店 ${chain.shop_entries} 条记录均未被改动、删除或插入。`
      : `哈希链在第 ${chain.broken_at} 条处断开：有记录被改动、删除或插入，请立即排查。`;
    $('chain-state').dataset.state = chain.intact ? 'intact' : 'broken';
  } catch (e) {
    $('chain-state').textContent = t('load_failed', { message: e.message });
  }
}

main();
