// Settings › Routing: teams (members, backup pool, hours), the ordered rules with their conditions as
// chips, a "test this message" box over the draft, the VIP policy and the timings — one
// routing document, saved whole (GET/PUT /api/v1/routing; 422 problems at their fields).

import { $, api, clearProblems, fillText, guardUnsaved, joinList, loadCatalogue, noteText, runSave, t, toast, ApiError, when } from './common.js';

/// Channels and sentiments with a name in the catalogue (`routing-channel-…`, `routing-sentiment-…`).
const CHANNELS = ['widget', 'dm', 'comment', 'order_message', 'live', 'email', 'api'];
const SENTIMENTS = ['negative', 'neutral', 'positive'];
const channelName = (c) => (CHANNELS.includes(c) ? t(`routing-channel-${c}`) : c);
const sentimentName = (s) => (SENTIMENTS.includes(s) ? t(`routing-sentiment-${s}`) : s);
let loaded = null;
let doc = null;
/// The newest kept version when the page loaded: the base of the next save.
let current = 0;
let people = [];

const list = (text) => text.split(/[,\uFF0C\s]+/).map((s) => s.trim()).filter(Boolean);

function el(tag, attrs = {}, ...kids) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (k in node && typeof v !== 'string') node[k] = v;
    else node.setAttribute(k, v);
  }
  node.append(...kids.filter((k) => k !== null && k !== undefined));
  return node;
}

/// A labelled control with its problem line; `path` is where the server reports problems.
function field(label, path, control) {
  control.dataset.path = path;
  return el('div', { class: 'field', 'data-path': path }, el('label', {}, label, control), el('p', { class: 'field-error', hidden: true }));
}

function input(value, onInput, attrs = {}) {
  return el('input', { type: 'text', value: value ?? '', oninput: (e) => onInput(e.target.value), ...attrs });
}

function teamSelect(value, onChange, blank) {
  const s = el('select', { onchange: (e) => onChange(e.target.value || null) }, el('option', { value: '' }, blank));
  for (const tm of doc.teams) s.append(el('option', { value: tm.id }, tm.name || tm.id));
  s.value = value || '';
  return s;
}

function peopleBoxes(chosen, path) {
  const box = el('div', { class: 'choices', 'data-path': path });
  for (const p of people) {
    box.append(el('label', {}, el('input', {
      type: 'checkbox', checked: chosen.includes(p.id),
      onchange: (e) => {
        const i = chosen.indexOf(p.id);
        if (e.target.checked && i < 0) chosen.push(p.id);
        if (!e.target.checked && i >= 0) chosen.splice(i, 1);
      },
    }), ` ${p.display_name}`));
  }
  return el('div', { class: 'field', 'data-path': path }, box, el('p', { class: 'field-error', hidden: true }));
}

function hoursEditor(team, i) {
  const on = el('input', { type: 'checkbox', checked: !!team.hours, onchange: (e) => {
    team.hours = e.target.checked ? { weekdays: [1, 2, 3, 4, 5], open: '09:00', close: '18:00', utc_offset_minutes: 480 } : null;
    render();
  } });
  const wrap = el('div', { class: 'field', 'data-path': `teams[${i}].hours` }, el('label', { class: 'switch' }, on, ` ${t('routing-team_hours')}`));
  if (team.hours) {
    const h = team.hours;
    const days = el('div', { class: 'choices', 'data-path': `teams[${i}].hours.weekdays` });
    [1, 2, 3, 4, 5, 6, 7].forEach((day, d) => days.append(el('label', {}, el('input', { type: 'checkbox', checked: h.weekdays.includes(d + 1), onchange: (e) => {
      h.weekdays = e.target.checked ? [...h.weekdays, d + 1].sort() : h.weekdays.filter((x) => x !== d + 1);
    } }), ` ${t(`hours-day-${day}`)}`)));
    wrap.append(days, el('div', { class: 'copy-row' },
      input(h.open, (v) => { h.open = v; }, { type: 'time', 'aria-label': t('routing-opens') }), ' – ',
      input(h.close, (v) => { h.close = v; }, { type: 'time', 'aria-label': t('routing-closes') })));
  }
  wrap.append(el('p', { class: 'field-error', hidden: true }));
  return wrap;
}

function teamCard(team, i) {
  return el('div', { class: 'team-card' },
    el('div', { class: 'grid-2' },
      field(t('common-name'), `teams[${i}].name`, input(team.name, (v) => { team.name = v; })),
      field(t('routing-team_id'), `teams[${i}].id`, input(team.id, (v) => { team.id = v; }))),
    el('p', { class: 'sub' }, t('routing-members')), peopleBoxes(team.members, `teams[${i}].members`),
    el('p', { class: 'sub' }, t('routing-backup')), peopleBoxes(team.backup, `teams[${i}].backup`),
    hoursEditor(team, i),
    el('button', { type: 'button', class: 'btn btn-small btn-danger', onclick: () => { doc.teams.splice(i, 1); render(); } }, t('remove')));
}

/// The conditions of a rule as chips: "Keywords: refund, broken".
function chips(when) {
  const out = [];
  const add = (key, text) => out.push(el('span', { class: 'chip' }, t('routing-chip', { name: t(`chip-${key}`), values: text })));
  if (when.channels?.length) add('channels', joinList(when.channels.map(channelName)));
  for (const k of ['keywords', 'intents', 'hotspots', 'customer_tags', 'languages']) if (when[k]?.length) add(k, joinList(when[k]));
  if (when.vip !== null && when.vip !== undefined) add('vip', when.vip ? t('common-yes') : t('common-no'));
  if (when.sentiment) add('sentiment', sentimentName(when.sentiment));
  if (when.strong_emotion !== null && when.strong_emotion !== undefined) add('strong_emotion', when.strong_emotion ? t('common-yes') : t('common-no'));
  if (!out.length) out.push(el('span', { class: 'chip chip-any' }, t('chip-any')));
  return el('div', { class: 'chips' }, ...out);
}

function ruleItem(rule, i) {
  const w = rule.when;
  const move = (d) => { const j = i + d; [doc.rules[i], doc.rules[j]] = [doc.rules[j], doc.rules[i]]; render(); };
  const chipBox = el('div', {}, chips(w));
  const redraw = () => chipBox.replaceChildren(chips(w));
  const sentiment = el('select', { onchange: (e) => { w.sentiment = e.target.value || null; redraw(); } }, el('option', { value: '' }, t('common-any')),
    ...SENTIMENTS.map((k) => el('option', { value: k }, sentimentName(k))));
  sentiment.value = w.sentiment || '';
  const vip = el('select', { onchange: (e) => { w.vip = e.target.value === '' ? null : e.target.value === 'yes'; redraw(); } },
    el('option', { value: '' }, t('common-any')), el('option', { value: 'yes' }, t('common-yes')), el('option', { value: 'no' }, t('common-no')));
  vip.value = w.vip === true ? 'yes' : w.vip === false ? 'no' : '';
  return el('li', { class: `rule${rule.enabled ? '' : ' rule-off'}` },
    el('div', { class: 'rule-head' },
      el('span', { class: 'rule-n' }, `${i + 1}`),
      el('label', { class: 'switch' }, el('input', { type: 'checkbox', checked: rule.enabled, onchange: (e) => { rule.enabled = e.target.checked; } }), ` ${t('routing-rule_on')}`),
      chipBox,
      el('span', { class: 'rule-tools' },
        el('button', { type: 'button', class: 'btn btn-small', disabled: i === 0, onclick: () => move(-1), 'aria-label': `${t('up')} ${rule.name}` }, '↑'),
        el('button', { type: 'button', class: 'btn btn-small', disabled: i === doc.rules.length - 1, onclick: () => move(1), 'aria-label': `${t('down')} ${rule.name}` }, '↓'),
        el('button', { type: 'button', class: 'btn btn-small btn-danger', onclick: () => { doc.rules.splice(i, 1); render(); } }, t('remove')))),
    el('div', { class: 'grid-3' },
      field(t('routing-rule_name'), `rules[${i}].name`, input(rule.name, (v) => { rule.name = v; })),
      field(t('routing-assign_to'), `rules[${i}].team`, teamSelect(rule.team, (v) => { rule.team = v; }, t('routing-default_team'))),
      field(t('routing-priority'), `rules[${i}].priority`, input(rule.priority, (v) => { rule.priority = Number(v); }, { type: 'number', min: '-100', max: '100' })),
      field(t('routing-keywords'), `rules[${i}].when.keywords`, input((w.keywords || []).join(', '), (v) => { w.keywords = list(v); redraw(); })),
      field(t('chip-customer_tags'), `rules[${i}].when.customer_tags`, input((w.customer_tags || []).join(', '), (v) => { w.customer_tags = list(v); redraw(); })),
      field(t('routing-channels'), `rules[${i}].when.channels`, input((w.channels || []).join(', '), (v) => { w.channels = list(v); redraw(); })),
      field(t('chip-sentiment'), `rules[${i}].when.sentiment`, sentiment),
      field('VIP', `rules[${i}].when.vip`, vip)));
}

/// Simple controls bound to a path of the document.
const BOUND = [
  ['vip-enabled', 'vip.enabled', 'bool'], ['vip-window', 'vip.window_days', 'num'], ['vip-orders', 'vip.min_orders', 'num'],
  ['vip-boost', 'vip.priority_boost', 'num'], ['offer-timeout', 'timings.offer_timeout_secs', 'num'],
  ['overflow', 'timings.overflow_after_secs', 'num'], ['sticky', 'timings.sticky', 'bool'], ['auto-close', 'timings.auto_close_after_mins', 'num'],
];

function render() {
  $('teams').replaceChildren(...doc.teams.map(teamCard));
  $('rules').replaceChildren(...doc.rules.map(ruleItem));
  for (const [id, path, kind] of BOUND) {
    const [a, b] = path.split('.');
    if (kind === 'bool') $(id).checked = !!doc[a][b]; else $(id).value = doc[a][b];
  }
  $('vip-spent').value = (doc.vip.min_spent_cents / 100).toString();
  $('default-team').replaceWith(Object.assign(teamSelect(doc.default_team, (v) => { doc.default_team = v; }, t('any_agent')), { id: 'default-team' }));
  $('vip-team').replaceWith(Object.assign(teamSelect(doc.vip.team, (v) => { doc.vip.team = v; }, t('none')), { id: 'vip-team' }));
}

function bindStatic() {
  for (const [id, path, kind] of BOUND) {
    const [a, b] = path.split('.');
    $(id).addEventListener(kind === 'bool' ? 'change' : 'input', (e) => {
      doc[a][b] = kind === 'bool' ? e.target.checked : (e.target.value === '' ? null : Number(e.target.value));
    });
  }
  $('vip-spent').addEventListener('input', (e) => { doc.vip.min_spent_cents = Math.round(Number(e.target.value) * 100); });
  $('add-team').addEventListener('click', () => {
    doc.teams.push({ id: `team-${doc.teams.length + 1}`, name: t('new_team'), skills: [], members: [], backup: [], hours: null });
    render();
  });
  $('add-rule').addEventListener('click', () => {
    doc.rules.push({ name: t('new_rule'), enabled: true, when: { keywords: [] }, team: null, priority: 0 });
    render();
  });
  $('trial-run').addEventListener('click', runTrial);
  $('trial-text').addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); runTrial(); } });
  $('routing-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const saved = await runSave($('routing-form'), $('form-error'), () => api('PUT', `/api/v1/routing?base_version=${current}`, doc), load);
    if (saved) { loaded = structuredClone(saved); doc = structuredClone(saved); render(); await loadHistory(); }
  });
  $('routing-form').addEventListener('reset', (e) => {
    e.preventDefault();
    doc = structuredClone(loaded);
    clearProblems($('routing-form'));
    render();
  });
  guardUnsaved(() => loaded && JSON.stringify(doc) !== JSON.stringify(loaded));
}

async function runTrial() {
  const box = $('trial-result');
  const err = $('trial-text').closest('.field').querySelector('.field-error');
  err.hidden = true;
  try {
    const r = await api('POST', '/api/v1/routing/test', { text: $('trial-text').value, config: doc });
    const lines = [
      r.rule ? t('trial_rule', { n: r.rule_position, rule: r.rule }) : t('trial_default'),
      t('trial_team', { team: r.team_name || r.team || t('any_agent') }) + ` · ${t('trial_priority', { p: r.priority })}${r.vip ? ` · ${t('trial_vip')}` : ''}`,
      t('trial_read', { language: r.language, l1: r.hotspots[0] || '-', l2: r.hotspots[1] || '-', sentiment: sentimentName(r.sentiment) }),
    ];
    box.replaceChildren(...lines.map((l) => el('p', {}, l)));
    box.hidden = false;
  } catch (e) {
    err.textContent = e.message;
    err.hidden = false;
  }
}

/// What an old version held, in words: its teams, and its rules with their conditions.
function versionSummary(old) {
  const teams = joinList(old.teams.map((tm) => tm.name || tm.id)) || t('none');
  const rules = old.rules.map((r, i) => el('li', {}, `${i + 1}. ${r.enabled ? r.name : t('common-in_parens', { text: r.name, detail: t('rule_off') })}`, chips(r.when)));
  return [el('p', {}, t('history-teams', { teams })), el('ol', { class: 'history-rules' }, ...rules),
    el('p', { class: 'sub' }, t('history-timings', { overflow: old.timings.overflow_after_secs, close: old.timings.auto_close_after_mins }))];
}

async function viewVersion(v, box) {
  if (!box.hidden) { box.hidden = true; return; }
  const old = await api('GET', `/api/v1/routing/versions/${v.version}`);
  box.replaceChildren(...versionSummary(old));
  box.hidden = false;
}

async function restoreVersion(v) {
  if (!window.confirm(t('history-confirm', { n: v.version }))) return;
  try {
    await api('POST', `/api/v1/routing/versions/${v.version}/restore?base_version=${current}`, {});
    toast(t('history-done', { n: v.version }));
    await load();
  } catch (e) {
    if (e instanceof ApiError && e.status === 409) toast(t('stale'), { label: t('reload'), run: () => load() });
    else toast(e.message);
  }
}

function versionItem(v) {
  const box = el('div', { class: 'history-view', hidden: true });
  const latest = v.version === current;
  return el('li', { class: 'history-item' },
    el('div', { class: 'history-head' },
      el('span', { class: 'history-what' }, t('history-version', { n: v.version }), latest ? el('span', { class: 'chip' }, t('history-current')) : null),
      el('span', { class: 'sub' }, `${v.author || t('history-system')} · ${when(v.created_at)} · ${noteText(v.note)}`),
      el('span', { class: 'rule-tools' },
        el('button', { type: 'button', class: 'btn btn-small', onclick: () => viewVersion(v, box) }, t('history-view')),
        latest ? null : el('button', { type: 'button', class: 'btn btn-small', onclick: () => restoreVersion(v) }, t('history-restore')))),
    box);
}

async function loadHistory() {
  const history = await api('GET', '/api/v1/routing/versions');
  current = history.current;
  const items = history.versions.map(versionItem);
  $('history').replaceChildren(...(items.length ? items : [el('li', { class: 'sub' }, t('history-empty'))]));
}

async function load() {
  const [config, agents] = await Promise.all([api('GET', '/api/v1/routing'), api('GET', '/api/v1/agents')]);
  await loadHistory();
  people = agents.agents;
  loaded = config;
  doc = structuredClone(config);
  clearProblems($('routing-form'));
  render();
}

async function main() {
  await loadCatalogue('settings');
  fillText();
  bindStatic();
  try {
    await load();
  } catch (e) {
    $('form-error').textContent = t('load_failed', { message: e.message });
    $('form-error').hidden = false;
  }
}

main();
