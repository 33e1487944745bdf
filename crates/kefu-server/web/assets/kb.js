// Knowledge-base page: search and edit FAQs, bulk import with a per-line report, version
// history with rollback, and the bot's training status (polled while it trains).
// `?draft=text` opens a new FAQ with that question (the hotspot page links here).

import './shell.js';
import { fillText, formatDateTime, loadCatalogue, t } from './i18n.js';
import { get, put, post, api, csrfToken } from './workspace/api.js';
import { h } from './workspace/format.js';
import { toast, whoAmI } from './workspace/page.js';

const $ = (id) => document.getElementById(id);
let faqs = [];
let editing = null; // the FAQ id being edited, or '' for a new one
let pollTimer = null;

/** The languages an FAQ can be written in; each FAQ has one of them and may translate into the other. */
const LANGUAGES = ['zh', 'en'];
const otherLanguage = (f) => LANGUAGES.find((l) => l !== ((f && f.language) || 'zh'));
const languageName = (l) => t(`language-${l}`);

/** The languages of `wanted` an FAQ has no answer in. */
function missingLanguages(f) {
  return LANGUAGES.filter((l) => l !== (f.language || 'zh') && !(f.translations && f.translations[l]));
}

function languagesCell(f) {
  const own = languageName(f.language || 'zh');
  const missing = missingLanguages(f);
  if (!missing.length) return h('td', {}, t('has_translation', { own, other: languageName(otherLanguage(f)) }));
  return h('td', {}, `${own} · `, h('span', { class: 'kb-missing' }, missing.map((l) => t('missing_translation', { language: languageName(l) })).join(' ')));
}

/** A date and time in the reader's language and the shop's time zone. */
const fullTime = (ms) => formatDateTime(ms);

async function showTraining() {
  try {
    const status = await get('/api/v1/kb/training');
    const box = $('training');
    if (status.state === 'training') {
      box.textContent = t('kb-training', { version: status.serving_version });
      clearTimeout(pollTimer);
      pollTimer = setTimeout(showTraining, 500);
    } else {
      const figures = { version: status.serving_version, faqs: status.faqs, flows: status.flows, ms: status.last_took_ms };
      box.textContent = t(status.last_took_ms != null ? 'kb-serving-took' : 'kb-serving', figures);
    }
  } catch (err) {
    toast(err.message);
  }
}

async function loadFaqs() {
  const q = $('kb-search').value.trim();
  faqs = await get(`/api/v1/kb/faqs${q ? `?q=${encodeURIComponent(q)}` : ''}`);
  const onlyMissing = $('kb-untranslated').checked;
  const shown = onlyMissing ? faqs.filter((f) => missingLanguages(f).length) : faqs;
  const rows = shown.map((f) => h('tr', {},
    h('td', { class: 'mono' }, f.id),
    h('td', {}, f.question),
    h('td', {}, String((f.similar || []).length)),
    h('td', { class: 'kb-answer' }, f.answer),
    languagesCell(f),
    h('td', {}, [f.l1, f.l2].filter(Boolean).join(' / ') || '—'),
    h('td', {}, t(f.enabled ? (f.transfer_to_human ? 'kb-status-enabled-transfer' : 'kb-status-enabled') : 'kb-status-disabled')),
    h('td', {}, h('button', { class: 'btn btn-ghost', type: 'button', onclick: () => edit(f) }, t('kb-edit')))));
  $('kb-faqs').tBodies[0].replaceChildren(...rows);
}

function edit(f) {
  editing = f ? f.id : '';
  const form = $('kb-form');
  const v = f || { id: '', question: '', similar: [], answer: '', enabled: true };
  form.elements.id.value = v.id;
  form.elements.id.readOnly = Boolean(f);
  form.elements.question.value = v.question;
  form.elements.similar.value = (v.similar || []).join('\n');
  form.elements.answer.value = v.answer;
  form.elements.answer_fallback.value = v.answer_fallback || '';
  form.elements.l1.value = v.l1 || '';
  form.elements.l2.value = v.l2 || '';
  form.elements.enabled.checked = v.enabled !== false;
  form.elements.transfer_to_human.checked = Boolean(v.transfer_to_human);
  const other = otherLanguage(v);
  const tr = (v.translations && v.translations[other]) || {};
  form.elements.t_question.value = tr.question || '';
  form.elements.t_similar.value = (tr.similar || []).join('\n');
  form.elements.t_answer.value = tr.answer || '';
  form.elements.t_answer_fallback.value = tr.answer_fallback || '';
  $('kb-own-language').textContent = t('own_language', { language: languageName(v.language || 'zh') });
  $('kb-other-language').textContent = t('other_language', { language: languageName(other) });
  $('kb-translation-error').hidden = true;
  $('kb-editor-title').textContent = f ? t('kb-edit-heading-id', { id: f.id }) : t('kb-new');
  $('kb-delete').hidden = !f;
  $('kb-editor').hidden = false;
  form.elements[f ? 'question' : 'id'].focus();
}

async function save(ev) {
  ev.preventDefault();
  const e = ev.target.elements;
  const orNull = (s) => (s.trim() ? s.trim() : null);
  const original = faqs.find((f) => f.id === editing) || {};
  const faq = {
    ...original,
    id: e.id.value.trim(),
    question: e.question.value.trim(),
    similar: e.similar.value.split('\n').map((s) => s.trim()).filter(Boolean),
    answer: e.answer.value.trim(),
    answer_fallback: orNull(e.answer_fallback.value),
    l1: orNull(e.l1.value),
    l2: orNull(e.l2.value),
    enabled: e.enabled.checked,
    transfer_to_human: e.transfer_to_human.checked,
    translations: translationsOf(original, e),
  };
  if (!faq.translations) {
    showTranslationError(t('translation_incomplete'));
    return;
  }
  try {
    const saved = await put(`/api/v1/kb/faqs/${encodeURIComponent(faq.id)}`, faq);
    toast(t('kb-saved', { version: saved.version }));
    $('kb-editor').hidden = true;
    await Promise.all([loadFaqs(), loadVersions(), showTraining()]);
  } catch (err) {
    const problem = Array.isArray(err.details) && err.details.find((d) => String(d.path).includes('translations.'));
    if (problem) showTranslationError(problem.message);
    toast(err.message);
  }
}

/** The FAQ's translations with the other language's side of the form: blank removes it,
 * half-filled (a question without an answer or the reverse) is refused here (null). */
function translationsOf(original, e) {
  const other = otherLanguage(original.id ? original : { language: 'zh' });
  const translations = { ...(original.translations || {}) };
  const question = e.t_question.value.trim();
  const answer = e.t_answer.value.trim();
  const similar = e.t_similar.value.split('\n').map((s) => s.trim()).filter(Boolean);
  const fallback = e.t_answer_fallback.value.trim();
  if (!question && !answer && !similar.length && !fallback) {
    delete translations[other];
    return translations;
  }
  if (!question || !answer) return null;
  translations[other] = { question, similar, answer, answer_fallback: fallback || null };
  return translations;
}

function showTranslationError(text) {
  const box = $('kb-translation-error');
  box.textContent = text;
  box.hidden = false;
}

async function remove() {
  if (!editing || !confirm(t('kb-delete-confirm', { id: editing }))) return;
  try {
    await api('DELETE', `/api/v1/kb/faqs/${encodeURIComponent(editing)}`);
    $('kb-editor').hidden = true;
    await Promise.all([loadFaqs(), loadVersions(), showTraining()]);
  } catch (err) {
    toast(err.message);
  }
}

async function importFile(ev) {
  ev.preventDefault();
  const file = ev.target.elements.file.files[0];
  if (!file) return;
  const format = file.name.toLowerCase().endsWith('.json') ? 'json' : 'csv';
  const res = await fetch(`/api/v1/kb/import?format=${format}`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': format === 'json' ? 'application/json' : 'text/csv', 'x-csrf-token': csrfToken() },
    body: await file.text(),
  });
  const body = await res.json().catch(() => ({}));
  const report = $('kb-import-report');
  if (!res.ok) {
    report.replaceChildren(h('li', {}, (body.error && body.error.message) || t('kb-import-failed', { status: res.status })));
    return;
  }
  report.replaceChildren(
    h('li', {}, t('kb-import-done', { added: body.added, replaced: body.replaced, version: body.version })),
    ...body.bad_rows.map((b) => h('li', { class: 'kb-danger' }, t('kb-import-bad-row', { line: b.line, message: b.message }))));
  await Promise.all([loadFaqs(), loadVersions(), showTraining()]);
}

async function loadQuestions() {
  const list = await get('/api/v1/kb/questions');
  const teach = async (q, body) => {
    try {
      await post(`/api/v1/kb/questions/${encodeURIComponent(q.key)}/teach`, body);
      toast(t('kb-taught'));
      await Promise.all([loadFaqs(), loadVersions(), loadQuestions(), showTraining()]);
    } catch (err) {
      toast(err.message);
    }
  };
  const attach = (q) => {
    const id = prompt(t('kb-attach-prompt', { text: q.text }));
    if (id) teach(q, { faq_id: id.trim() });
  };
  const create = (q) => {
    const id = prompt(t('kb-new-id-prompt'));
    if (!id) return;
    const answer = prompt(t('kb-new-answer-prompt', { text: q.text }));
    if (answer) teach(q, { new_faq: { id: id.trim(), question: q.text, answer: answer.trim() } });
  };
  const dismiss = async (q) => {
    try {
      await post(`/api/v1/kb/questions/${encodeURIComponent(q.key)}/dismiss`, {});
      await loadQuestions();
    } catch (err) {
      toast(err.message);
    }
  };
  const rows = list.map((q) => h('tr', {},
    h('td', {}, q.text),
    h('td', {}, String(q.count)),
    h('td', {}, t(q.kind === 'unknown' ? 'kb-kind-unknown' : 'kb-kind-guessed')),
    h('td', {}, fullTime(q.last_at)),
    h('td', {},
      h('button', { class: 'btn btn-ghost', type: 'button', onclick: () => attach(q) }, t('kb-attach')),
      h('button', { class: 'btn btn-ghost', type: 'button', onclick: () => create(q) }, t('kb-new')),
      h('button', { class: 'btn btn-ghost', type: 'button', onclick: () => dismiss(q) }, t('kb-dismiss')))));
  $('kb-questions').tBodies[0].replaceChildren(...(rows.length ? rows : [h('tr', {}, h('td', { colspan: '5', class: 'muted' }, t('kb-none')))]));
}

async function loadVersions() {
  const list = await get('/api/v1/kb/versions');
  const rows = list.map((v, i) => h('tr', {},
    h('td', {}, `v${v.version}`),
    h('td', {}, v.note),
    h('td', {}, fullTime(v.created_at)),
    h('td', {}, i === 0 ? t('kb-current') : h('button', { class: 'btn btn-ghost', type: 'button', onclick: () => rollback(v.version) }, t('kb-rollback')))));
  $('kb-versions').tBodies[0].replaceChildren(...rows);
}

async function rollback(version) {
  if (!confirm(t('kb-rollback-confirm', { version }))) return;
  try {
    await post('/api/v1/kb/rollback', { version });
    await Promise.all([loadFaqs(), loadVersions(), showTraining()]);
  } catch (err) {
    toast(err.message);
  }
}

async function start() {
  await loadCatalogue('kb');
  fillText();
  $('kb-untranslated').addEventListener('change', () => loadFaqs().catch((e) => toast(e.message)));
  $('kb-translation').addEventListener('input', () => { $('kb-translation-error').hidden = true; });
  const me = await whoAmI(start);
  if (!me) return;
  $('shop-name').textContent = (me.shop && me.shop.name) || 'kefu';
  let searchTimer = null;
  $('kb-search').addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => loadFaqs().catch((e) => toast(e.message)), 250);
  });
  $('kb-new').addEventListener('click', () => edit(null));
  $('kb-cancel').addEventListener('click', () => { $('kb-editor').hidden = true; });
  $('kb-delete').addEventListener('click', remove);
  $('kb-form').addEventListener('submit', save);
  $('kb-import').addEventListener('submit', (ev) => importFile(ev).catch((e) => toast(e.message)));
  await Promise.all([loadFaqs(), loadVersions(), loadQuestions(), showTraining()]).catch((e) => toast(e.message));
  const draft = new URLSearchParams(location.search).get('draft');
  if (draft) {
    edit(null);
    $('kb-form').elements.question.value = draft;
  }
}

start();
