// 设置 › 快捷短语: the shop-wide quick phrases every agent can use.

import { $, api, fieldError, guardUnsaved, loadCatalogue, t, toast } from './common.js';

let editing = null;

function row(p) {
  const tr = document.createElement('tr');
  const title = document.createElement('td');
  title.className = 'strong';
  title.textContent = p.title;
  const text = document.createElement('td');
  text.textContent = p.text;
  const tools = document.createElement('td');
  tools.className = 'actions';
  const edit = Object.assign(document.createElement('button'), { type: 'button', className: 'btn btn-small', textContent: t('edit') });
  edit.addEventListener('click', () => {
    editing = p;
    $('phrase-title').value = p.title;
    $('phrase-text').value = p.text;
    $('phrase-form-title').textContent = '编辑短语';
    $('phrase-title').focus();
  });
  const del = Object.assign(document.createElement('button'), { type: 'button', className: 'btn btn-small btn-danger', textContent: t('remove') });
  del.addEventListener('click', async () => {
    if (!confirm(`删除「${p.title}」？`)) return;
    await api('DELETE', `/api/v1/quick-phrases/${encodeURIComponent(p.id)}`);
    await load();
  });
  tools.append(edit, ' ', del);
  tr.append(title, text, tools);
  return tr;
}

async function load() {
  const list = await api('GET', '/api/v1/quick-phrases');
  const shopWide = list.quick_phrases.filter((v) => v.shop_wide);
  $('phrase-rows').replaceChildren(...shopWide.map(row));
  $('phrase-empty').hidden = shopWide.length > 0;
}

function reset() {
  editing = null;
  $('phrase-form').reset();
  $('phrase-form-title').textContent = '新建全店短语';
  fieldError($('phrase-title'), '');
  fieldError($('phrase-text'), '');
}

async function save(e) {
  e.preventDefault();
  fieldError($('phrase-title'), '');
  fieldError($('phrase-text'), '');
  const body = { title: $('phrase-title').value, text: $('phrase-text').value };
  if (!body.title.trim()) return fieldError($('phrase-title'), '请填写标题');
  if (!body.text.trim()) return fieldError($('phrase-text'), '请填写内容');
  if ([...body.title.trim()].length > 40) return fieldError($('phrase-title'), '标题不超过 40 个字');
  if ([...body.text.trim()].length > 1000) return fieldError($('phrase-text'), '内容不超过 1000 个字');
  try {
    if (editing) await api('PUT', `/api/v1/quick-phrases/${encodeURIComponent(editing.id)}`, body);
    else await api('POST', '/api/v1/quick-phrases', { ...body, shop_wide: true });
    toast(t('saved'));
    reset();
    await load();
  } catch (err) {
    fieldError(/title|标题/i.test(err.message) ? $('phrase-title') : $('phrase-text'), err.message);
  }
}

async function main() {
  await loadCatalogue('settings');
  $('phrase-form').addEventListener('submit', save);
  $('phrase-form').addEventListener('reset', () => setTimeout(() => { editing = null; $('phrase-form-title').textContent = '新建全店短语'; }));
  guardUnsaved(() => $('phrase-title').value.trim() !== (editing?.title ?? '') || $('phrase-text').value.trim() !== (editing?.text ?? ''));
  await load();
}

main();
