// Settings › Sensitive words: the shop's own words (added one by one or imported from a .txt list, one a
// line), saved as one list, and a box to test a reply against them and the built-in lists.

import { $, api, fieldError, fillText, guardUnsaved, joinList, loadCatalogue, runSave, t } from './common.js';

/// What happens to a reply with the word, named in the catalogue (`words-action-…`).
const ACTIONS = ['block', 'warn', 'flag'];
const actionName = (a) => (ACTIONS.includes(a) ? t(`words-action-${a}`) : a);
let loaded = [];
let words = [];

function render() {
  $('word-rows').replaceChildren(...words.map((w, i) => {
    const tr = document.createElement('tr');
    tr.dataset.path = `words[${i}]`;
    for (const c of [w.word, w.category, actionName(w.action)]) tr.append(Object.assign(document.createElement('td'), { textContent: c }));
    const td = document.createElement('td');
    const b = Object.assign(document.createElement('button'), { type: 'button', className: 'btn btn-small btn-danger', textContent: t('remove') });
    b.addEventListener('click', () => { words.splice(i, 1); render(); });
    td.append(b);
    tr.append(td);
    return tr;
  }));
}

function add(word) {
  const w = word.trim();
  if (!w) return t('words-need_word');
  if ([...w].length > 50) return t('words-too_long');
  if (words.some((x) => x.word === w)) return t('words-listed', { word: w });
  words.push({ word: w, category: $('word-category').value.trim() || t('words-category_custom'), action: $('word-action').value });
  return '';
}

async function load() {
  loaded = (await api('GET', '/api/v1/sensitive-words')).words;
  words = structuredClone(loaded);
  render();
}

async function main() {
  await loadCatalogue('settings');
  fillText();
  $('word-add').addEventListener('click', () => {
    const problem = add($('word-new').value);
    fieldError($('word-new'), problem);
    if (!problem) { $('word-new').value = ''; render(); }
  });
  $('word-new').addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); $('word-add').click(); } });
  $('word-file').addEventListener('change', async () => {
    const file = $('word-file').files[0];
    if (!file) return;
    const lines = (await file.text()).split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
    const skipped = lines.filter((l) => add(l)).length;
    render();
    fieldError($('word-new'), skipped ? t('words-imported', { added: lines.length - skipped, skipped }) : '');
    $('word-file').value = '';
  });
  $('words-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const saved = await runSave($('words-form'), $('form-error'), () => api('PUT', '/api/v1/sensitive-words', { words }), load);
    if (saved) { loaded = saved.words; words = structuredClone(loaded); render(); }
  });
  $('words-form').addEventListener('reset', (e) => { e.preventDefault(); words = structuredClone(loaded); render(); });
  $('check-run').addEventListener('click', async () => {
    fieldError($('check-text'), '');
    try {
      const r = await api('POST', '/api/v1/sensitive-words/check', { text: $('check-text').value });
      const box = $('check-result');
      const verdict = ['ok', 'flag', 'warn', 'block'].includes(r.verdict) ? t(`words-verdict-${r.verdict}`) : r.verdict;
      const hits = joinList(r.hits.map((h) => t('words-hit', { word: h.word, category: h.category, action: actionName(h.action) })));
      box.textContent = hits ? t('words-verdict_hits', { verdict, hits }) : verdict;
      box.hidden = false;
    } catch (err) {
      fieldError($('check-text'), err.message);
    }
  });
  guardUnsaved(() => JSON.stringify(words) !== JSON.stringify(loaded));
  await load();
}

main();
