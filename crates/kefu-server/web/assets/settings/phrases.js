// Settings › Quick phrases: the shop-wide quick phrases every agent can use.

import { $, api, fieldError, fillText, guardUnsaved, loadCatalogue, t, toast } from './common.js';

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
    $('phrase-form-title').textContent = t('phrases-edit');
    $('phrase-title').focus();
  });
  const del = Object.assign(document.createElement('button'), { type: 'button', className: 'btn btn-small btn-danger', textContent: t('remove') });
  del.addEventListener('click', async () => {
    if (!confirm(t('phrases-confirm_delete', { title: p.title }))) return;
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
  $('phrase-form-title').textContent = t('phrases-new');
  fieldError($('phrase-title'), '');
  fieldError($('phrase-text'), '');
}

async function save(e) {
  e.preventDefault();
  fieldError($('phrase-title'), '');
  fieldError($('phrase-text'), '');
  const body = { title: $('phrase-title').value, text: $('phrase-text').value };
  if (!body.title.trim()) return fieldError($('phrase-title'), t('phrases-need_title'));
  if (!body.text.trim()) return fieldError($('phrase-text'), t('phrases-need_text'));
  if ([...body.title.trim()].length > 40) return fieldError($('phrase-title'), t('phrases-title_long'));
  if ([...body.text.trim()].length > 1000) return fieldError($('phrase-text'), t('phrases-text_long'));
  try {
    if (editing) await api('PUT', `/api/v1/quick-phrases/${encodeURIComponent(editing.id)}`, body);
    else await api('POST', '/api/v1/quick-phrases', { ...body, shop_wide: true });
    toast(t('saved'));
    reset();
    await load();
  } catch (err) {
    fieldError(/title|\u6807\u9898/i.test(err.message) ? $('phrase-title') : $('phrase-text'), err.message);
  }
}

async function main() {
  await loadCatalogue('settings');
  fillText();
  $('phrase-form').addEventListener('submit', save);
  $('phrase-form').addEventListener('reset', () => setTimeout(() => { editing = null; $('phrase-form-title').textContent = t('phrases-new'); }));
  guardUnsaved(() => $('phrase-title').value.trim() !== (editing?.title ?? '') || $('phrase-text').value.trim() !== (editing?.text ?? ''));
  await load();
}

main();
