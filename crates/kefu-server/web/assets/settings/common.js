// What every settings page shares: the message catalogue, the API (the workspace's wrapper),
// and one form helper: load → fill, save with CSRF, each 422 problem at its field, stale
// saves offered a reload, unsaved changes guarded, cancel restores what was loaded.

import { api, ApiError } from '../workspace/api.js';
import { formatDateTime, has, t } from '../i18n.js';

export { api, ApiError };

// The one message catalogue (`/assets/i18n.js`): the language the person chose, zh-CN else.
export { fillText, has, loadCatalogue, t } from '../i18n.js';

export const $ = (id) => document.getElementById(id);

/// Read `a.b[2].c` from an object.
export function getPath(obj, path) {
  return path.split(/\.|\[(\d+)\]/).filter((p) => p !== undefined && p !== '').reduce((o, k) => (o == null ? undefined : o[k]), obj);
}

/// Write `a.b.c` into an object, making the objects on the way.
export function setPath(obj, path, value) {
  const keys = path.split('.');
  let o = obj;
  for (const k of keys.slice(0, -1)) o = o[k] ??= {};
  o[keys[keys.length - 1]] = value;
}

/// Clear every shown problem under `root`.
export function clearProblems(root) {
  for (const p of root.querySelectorAll('.field-error')) { p.textContent = ''; p.hidden = true; }
  for (const el of root.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
}

function fieldFor(root, path) {
  for (let p = path; p; p = p.replace(/(\.[^.[\]]+|\[\d+\])$/, '')) {
    const f = root.querySelector(`[data-path="${CSS.escape(p)}"]`) || root.querySelector(`[name="${CSS.escape(p)}"]`);
    if (f) return f;
    if (!/[.[]/.test(p)) break;
  }
  return null;
}

/// Show each problem at the field whose `data-path` (or `name`) is its path, or the nearest
/// enclosing one; what finds no field goes to the form's summary box.
export function showProblems(root, problems, summary) {
  const rest = [];
  for (const { path, message } of problems) {
    const field = fieldFor(root, path);
    const box = field && (field.closest('.field') || field).querySelector('.field-error');
    if (box) {
      box.textContent = box.textContent ? `${box.textContent}${t('common-problem_sep')}${message}` : message;
      box.hidden = false;
      field.setAttribute('aria-invalid', 'true');
    } else {
      rest.push(t('common-problem_at', { path, message }));
    }
  }
  if (summary) {
    summary.textContent = rest.join('\n');
    summary.hidden = !rest.length;
  }
  const first = root.querySelector('[aria-invalid="true"]');
  if (first && first.focus) first.focus();
}

/// A short message at the bottom of the page; `action` adds a button ({label, run}).
export function toast(text, action) {
  let box = document.querySelector('.toast');
  if (!box) {
    box = document.createElement('div');
    box.className = 'toast';
    box.setAttribute('role', 'status');
    document.body.append(box);
  }
  box.replaceChildren(document.createTextNode(text));
  if (action) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'btn btn-small';
    b.textContent = action.label;
    b.addEventListener('click', action.run);
    box.append(' ', b);
  }
  box.hidden = false;
  clearTimeout(box.timer);
  if (!action) box.timer = setTimeout(() => { box.hidden = true; }, 4000);
}

/// Ask before leaving while `dirty()` says there are unsaved changes.
export function guardUnsaved(dirty) {
  window.addEventListener('beforeunload', (e) => {
    if (dirty()) { e.preventDefault(); e.returnValue = ''; }
  });
}

/// Copy text and say so.
export async function copy(text) {
  try { await navigator.clipboard.writeText(text); toast(t('copied')); } catch (_) { toast(t('copy_failed')); }
}

/// Run a save: clear old problems, call `save()`, show 422 problems at their fields (what the
/// user typed stays), offer a reload on 409, and any other failure in the summary.
export async function runSave(root, summary, save, reload) {
  clearProblems(root);
  if (summary) summary.hidden = true;
  try {
    const out = await save();
    toast(t('saved'));
    return out;
  } catch (e) {
    if (e instanceof ApiError && e.status === 422 && Array.isArray(e.details)) {
      showProblems(root, e.details, summary);
    } else if (e instanceof ApiError && e.status === 409) {
      toast(t('stale'), { label: t('reload'), run: () => reload() });
    } else if (summary) {
      summary.textContent = e.message;
      summary.hidden = false;
    }
    return null;
  }
}

/// A form whose controls are named by JSON paths (`widget.greeting`): fill from a loaded
/// document, read back over it, save (to `saveUrl(loaded)` when given: a versioned document
/// names its base version there), cancel to what was loaded.
export function formPage({ form, summary, url, saveUrl, method = 'PUT', onLoaded }) {
  let loaded = null;
  const controls = () => [...form.querySelectorAll('[name]')];
  const fill = (doc) => {
    for (const el of controls()) {
      const v = getPath(doc, el.name);
      if (el.type === 'checkbox' && el.dataset.list !== undefined) el.checked = (v || []).includes(el.value);
      else if (el.type === 'checkbox') el.checked = !!v;
      else if (el.type === 'radio') el.checked = el.value === String(v);
      else el.value = v ?? '';
    }
  };
  const read = () => {
    const doc = structuredClone(loaded || {});
    const lists = new Set();
    for (const el of controls()) {
      if (el.type === 'checkbox' && el.dataset.list !== undefined) {
        if (!lists.has(el.name)) { setPath(doc, el.name, []); lists.add(el.name); }
        if (el.checked) getPath(doc, el.name).push(el.value);
      } else if (el.type === 'checkbox') setPath(doc, el.name, el.checked);
      else if (el.type === 'radio') { if (el.checked) setPath(doc, el.name, el.value); }
      else if (el.type === 'number') setPath(doc, el.name, el.value === '' ? null : Number(el.value));
      else setPath(doc, el.name, el.value);
    }
    return doc;
  };
  const load = async () => {
    try {
      loaded = await api('GET', url);
    } catch (e) {
      if (e instanceof ApiError && e.status === 403) throw new Error(t('common-forbidden'));
      throw e;
    }
    fill(loaded);
    clearProblems(form);
    if (onLoaded) onLoaded(loaded);
  };
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const saved = await runSave(form, summary, () => api(method, saveUrl ? saveUrl(loaded) : url, read()), load);
    if (saved) { loaded = saved; fill(saved); if (onLoaded) onLoaded(saved); }
  });
  form.addEventListener('reset', (e) => {
    e.preventDefault();
    if (loaded) fill(loaded);
    clearProblems(form);
  });
  guardUnsaved(() => loaded && JSON.stringify(read()) !== JSON.stringify(loaded));
  return { load, read, fill };
}

/// Show one message at the field holding `control` (APIs that answer 400 without paths).
export function fieldError(control, message) {
  const box = control.closest('.field')?.querySelector('.field-error');
  if (!box) { toast(message); return; }
  box.textContent = message;
  box.hidden = !message;
  if (message) control.setAttribute('aria-invalid', 'true'); else control.removeAttribute('aria-invalid');
}

/// A time for people to read, in the reader's language and the shop's time zone.
export function when(ms) {
  return ms ? formatDateTime(ms) : '';
}

/// Items of a list in one line (、 in Chinese, commas in English).
export function joinList(items) {
  return items.join(t('common-list_sep'));
}

// A page whose loading failed (most often: not an owner or admin) says so in words rather
// than staying blank.
window.addEventListener('unhandledrejection', (e) => {
  const err = e.reason;
  const text = err instanceof ApiError && err.status === 403 ? t('common-forbidden') : t('load_failed', { message: err?.message ?? err });
  const box = document.getElementById('form-error');
  if (box) { box.textContent = text; box.hidden = false; } else toast(text);
});

/// A version's note in words (`edit`, `people`, `restore N`).
export function noteText(note) {
  const restore = /^restore (\d+)$/.exec(note);
  if (restore) return t('history-restored', { n: restore[1] });
  return has(`history-note-${note}`) ? t(`history-note-${note}`) : note;
}
