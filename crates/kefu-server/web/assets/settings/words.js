// 设置 › 敏感词: the shop's own words (added one by one or imported from a .txt list, one a
// line), saved as one list, and a box to test a reply against them and the built-in lists.

import { $, api, fieldError, guardUnsaved, loadCatalogue, runSave, t } from './common.js';

const ACTION = { block: '拦截', warn: '提醒确认', flag: '仅标记' };
let loaded = [];
let words = [];

function render() {
  $('word-rows').replaceChildren(...words.map((w, i) => {
    const tr = document.createElement('tr');
    tr.dataset.path = `words[${i}]`;
    for (const c of [w.word, w.category, ACTION[w.action] || w.action]) tr.append(Object.assign(document.createElement('td'), { textContent: c }));
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
  if (!w) return '请填写词语';
  if ([...w].length > 50) return '词语不超过 50 个字';
  if (words.some((x) => x.word === w)) return `「${w}」已在列表中`;
  words.push({ word: w, category: $('word-category').value.trim() || '自定义', action: $('word-action').value });
  return '';
}

async function load() {
  loaded = (await api('GET', '/api/v1/sensitive-words')).words;
  words = structuredClone(loaded);
  render();
}

async function main() {
  await loadCatalogue('settings');
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
    fieldError($('word-new'), skipped ? `已导入 ${lines.length - skipped} 个，跳过 ${skipped} 个（重复或过长）` : '');
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
      const verdict = { ok: '可以发送', flag: '可以发送，但会被标记', warn: '需要确认后发送', block: '会被拦截' }[r.verdict] || r.verdict;
      const hits = r.hits.map((h) => `${h.word}（${h.category}，${ACTION[h.action] || h.action}）`).join('、');
      box.textContent = hits ? `${verdict}：${hits}` : verdict;
      box.hidden = false;
    } catch (err) {
      fieldError($('check-text'), err.message);
    }
  });
  guardUnsaved(() => JSON.stringify(words) !== JSON.stringify(loaded));
  await load();
}

main();
