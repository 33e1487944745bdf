// Settings › Ticket types and departments: each ticket type's workflow drawn as states and moves and edited as
// JSON (checked before it is sent, the server's verdict shown at the editor), and the
// departments with their members.

import { $, api, fieldError, fillText, guardUnsaved, joinList, loadCatalogue, t, toast } from './common.js';

let workflows = [];
let people = [];
let loadedText = '';

const current = () => workflows.find((w) => w.ticket_type === $('wf-type').value);

function draw(wf) {
  $('wf-states').replaceChildren(...wf.states.map((s) => {
    const chip = document.createElement('span');
    chip.className = `chip${s.key === wf.initial ? ' chip-start' : ''}${s.terminal ? ' chip-any' : ''}`;
    const marks = [s.key === wf.initial ? t('tickets-mark-initial') : '', s.terminal ? t('tickets-mark-terminal') : '', s.pauses_sla ? t('tickets-mark-pauses_sla') : '', s.awaits_customer ? t('tickets-mark-awaits_customer') : ''].filter(Boolean);
    chip.textContent = `${t('common-in_parens', { text: s.name, detail: s.key })}${marks.length ? ` · ${joinList(marks)}` : ''}`;
    return chip;
  }));
  const name = (k) => wf.states.find((s) => s.key === k)?.name || k;
  $('wf-moves').replaceChildren(...wf.transitions.map((move) => {
    let text = t('tickets-move', { from: name(move.from), to: name(move.to), name: move.name });
    if (move.roles?.length) text = t('common-in_parens', { text, detail: joinList(move.roles) });
    if (move.departments?.length) text = t('tickets-move_departments', { text, departments: joinList(move.departments) });
    return Object.assign(document.createElement('li'), { textContent: text });
  }));
}

function show() {
  const wf = current();
  if (!wf) return;
  loadedText = JSON.stringify(wf, null, 2);
  $('wf-json').value = loadedText;
  fieldError($('wf-json'), '');
  draw(wf);
}

/// What is wrong with the edited JSON before the server sees it, in the reader's words.
function check(text) {
  let wf;
  try { wf = JSON.parse(text); } catch (e) { return [null, t('tickets-bad_json', { error: e.message })]; }
  if (wf.ticket_type !== $('wf-type').value) return [null, t('tickets-wrong_type', { type: $('wf-type').value })];
  const keys = new Set((wf.states || []).map((s) => s.key));
  if (!keys.has(wf.initial)) return [null, t('tickets-bad_initial', { state: wf.initial })];
  const bad = (wf.transitions || []).find((move) => !keys.has(move.from) || !keys.has(move.to));
  if (bad) return [null, t('tickets-bad_move', { name: bad.name })];
  return [wf, ''];
}

async function loadWorkflows() {
  workflows = (await api('GET', '/api/v1/ticket-types')).workflows;
  const keep = $('wf-type').value;
  $('wf-type').replaceChildren(...workflows.map((w) => Object.assign(document.createElement('option'), { value: w.ticket_type, textContent: t('common-in_parens', { text: w.name, detail: w.ticket_type }) })));
  if (keep) $('wf-type').value = keep;
  show();
}

function deptCard(d) {
  const card = document.createElement('div');
  card.className = 'team-card';
  const title = document.createElement('p');
  title.className = 'strong';
  title.textContent = t('common-in_parens', { text: d.name, detail: d.key });
  const box = document.createElement('div');
  box.className = 'choices';
  for (const p of people) {
    const c = Object.assign(document.createElement('input'), { type: 'checkbox', value: p.id, checked: d.members.includes(p.id) });
    const l = document.createElement('label');
    l.append(c, ` ${p.display_name}`);
    box.append(l);
  }
  const save = Object.assign(document.createElement('button'), { type: 'button', className: 'btn btn-small', textContent: t('tickets-save_members') });
  save.addEventListener('click', async () => {
    const members = [...box.querySelectorAll('input:checked')].map((c) => c.value);
    try { await api('PUT', `/api/v1/departments/${encodeURIComponent(d.key)}`, { name: d.name, members }); toast(t('saved')); } catch (e) { toast(e.message); }
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
  fillText();
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
      toast(t('saved'));
      await loadWorkflows();
    } catch (err) {
      fieldError($('wf-json'), err.status === 409 ? t('tickets-stale', { message: err.message }) : err.message);
    }
  });
  $('wf-form').addEventListener('reset', (e) => { e.preventDefault(); show(); });
  $('dept-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const key = $('dept-key').value.trim();
    const name = $('dept-name').value.trim();
    fieldError($('dept-key'), key ? '' : t('tickets-need_key'));
    fieldError($('dept-name'), name ? '' : t('common-need_name'));
    if (!key || !name) return;
    try {
      await api('PUT', `/api/v1/departments/${encodeURIComponent(key)}`, { name, members: [] });
      $('dept-key').value = '';
      $('dept-name').value = '';
      toast(t('saved'));
      await loadDepartments();
    } catch (err) { fieldError($('dept-key'), err.message); }
  });
  guardUnsaved(() => loadedText && $('wf-json').value !== loadedText);
  await Promise.all([loadWorkflows(), loadDepartments()]);
}

main();
