// 设置 › 工单类型与部门: each ticket type's workflow drawn as states and moves and edited as
// JSON (checked before it is sent, the server's verdict shown at the editor), and the
// departments with their members.

import { $, api, fieldError, guardUnsaved, loadCatalogue, toast } from './common.js';

let workflows = [];
let people = [];
let loadedText = '';

const current = () => workflows.find((w) => w.ticket_type === $('wf-type').value);

function draw(wf) {
  $('wf-states').replaceChildren(...wf.states.map((s) => {
    const chip = document.createElement('span');
    chip.className = `chip${s.key === wf.initial ? ' chip-start' : ''}${s.terminal ? ' chip-any' : ''}`;
    const marks = [s.key === wf.initial ? '起点' : '', s.terminal ? '终态' : '', s.pauses_sla ? '暂停计时' : '', s.awaits_customer ? '等客户' : ''].filter(Boolean);
    chip.textContent = `${s.name}（${s.key}）${marks.length ? ` · ${marks.join('、')}` : ''}`;
    return chip;
  }));
  const name = (k) => wf.states.find((s) => s.key === k)?.name || k;
  $('wf-moves').replaceChildren(...wf.transitions.map((t) => Object.assign(document.createElement('li'), {
    textContent: `${name(t.from)} → ${name(t.to)}：${t.name}${t.roles?.length ? `（${t.roles.join('、')}）` : ''}${t.departments?.length ? `［${t.departments.join('、')}］` : ''}`,
  })));
}

function show() {
  const wf = current();
  if (!wf) return;
  loadedText = JSON.stringify(wf, null, 2);
  $('wf-json').value = loadedText;
  fieldError($('wf-json'), '');
  draw(wf);
}

/// What is wrong with the edited JSON before the server sees it, in Chinese.
function check(text) {
  let wf;
  try { wf = JSON.parse(text); } catch (e) { return [null, `JSON 格式错误：${e.message}`]; }
  if (wf.ticket_type !== $('wf-type').value) return [null, `ticket_type 应为 ${$('wf-type').value}`];
  const keys = new Set((wf.states || []).map((s) => s.key));
  if (!keys.has(wf.initial)) return [null, `起点 ${wf.initial} 不在 states 中`];
  const bad = (wf.transitions || []).find((t) => !keys.has(t.from) || !keys.has(t.to));
  if (bad) return [null, `流转「${bad.name}」指向不存在的状态`];
  return [wf, ''];
}

async function loadWorkflows() {
  workflows = (await api('GET', '/api/v1/ticket-types')).workflows;
  const keep = $('wf-type').value;
  $('wf-type').replaceChildren(...workflows.map((w) => Object.assign(document.createElement('option'), { value: w.ticket_type, textContent: `${w.name}（${w.ticket_type}）` })));
  if (keep) $('wf-type').value = keep;
  show();
}

function deptCard(d) {
  const card = document.createElement('div');
  card.className = 'team-card';
  const title = document.createElement('p');
  title.className = 'strong';
  title.textContent = `${d.name}（${d.key}）`;
  const box = document.createElement('div');
  box.className = 'choices';
  for (const p of people) {
    const c = Object.assign(document.createElement('input'), { type: 'checkbox', value: p.id, checked: d.members.includes(p.id) });
    const l = document.createElement('label');
    l.append(c, ` ${p.display_name}`);
    box.append(l);
  }
  const save = Object.assign(document.createElement('button'), { type: 'button', className: 'btn btn-small', textContent: '保存成员' });
  save.addEventListener('click', async () => {
    const members = [...box.querySelectorAll('input:checked')].map((c) => c.value);
    try { await api('PUT', `/api/v1/departments/${encodeURIComponent(d.key)}`, { name: d.name, members }); toast('已保存'); } catch (e) { toast(e.message); }
  });
  card.append(title, box, save);
  return card;
}

async function loadDepartments() {
  const { departments } = await api('GET', '/api/v1/departments');
  $('departments').replaceChildren(...departments.map(deptCard));
}

async function main() {
  await loadCatalogue('settings');
  people = (await api('GET', '/api/v1/agents')).agents;
  $('wf-type').addEventListener('change', show);
  $('wf-json').addEventListener('input', () => { const [wf] = check($('wf-json').value); if (wf) draw(wf); });
  $('wf-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const [wf, problem] = check($('wf-json').value);
    fieldError($('wf-json'), problem);
    if (!wf) return;
    try {
      await api('PUT', `/api/v1/ticket-types/${encodeURIComponent(wf.ticket_type)}`, wf);
      toast('已保存');
      await loadWorkflows();
    } catch (err) {
      fieldError($('wf-json'), err.status === 409 ? `${err.message}（请重新加载后再改）` : err.message);
    }
  });
  $('wf-form').addEventListener('reset', (e) => { e.preventDefault(); show(); });
  $('dept-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const key = $('dept-key').value.trim();
    const name = $('dept-name').value.trim();
    fieldError($('dept-key'), key ? '' : '请填写编号');
    fieldError($('dept-name'), name ? '' : '请填写名称');
    if (!key || !name) return;
    try {
      await api('PUT', `/api/v1/departments/${encodeURIComponent(key)}`, { name, members: [] });
      $('dept-key').value = '';
      $('dept-name').value = '';
      toast('已保存');
      await loadDepartments();
    } catch (err) { fieldError($('dept-key'), err.message); }
  });
  guardUnsaved(() => loadedText && $('wf-json').value !== loadedText);
  await Promise.all([loadWorkflows(), loadDepartments()]);
}

main();
