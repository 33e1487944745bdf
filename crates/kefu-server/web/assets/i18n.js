// The message catalogue. Every string a page shows goes through `t(key, args)`; catalogues are
// JSON files per language and area (`/assets/i18n/<lang>/<area>.json`), so each part of the UI
// owns one file and the i18n work later only adds languages.

const LANG_KEY = 'kefu.lang';
const FALLBACK = 'zh-CN';
const messages = new Map();

/** The language the person picked (stored in this browser), or zh-CN. */
export function currentLanguage() {
  try {
    return localStorage.getItem(LANG_KEY) || FALLBACK;
  } catch (_) {
    return FALLBACK;
  }
}

/** Remember a language choice for later visits; only zh-CN has a catalogue so far. */
export function setLanguage(lang) {
  try {
    localStorage.setItem(LANG_KEY, lang);
  } catch (_) {
    // Private mode without storage: the choice lasts for this page only.
  }
}

async function fetchCatalogue(lang, area) {
  const res = await fetch(`/assets/i18n/${lang}/${area}.json`, { credentials: 'same-origin' });
  if (!res.ok) throw new Error(`catalogue ${lang}/${area}: HTTP ${res.status}`);
  return res.json();
}

/** Load one area's strings (in the chosen language, falling back to zh-CN). */
export async function loadCatalogue(area) {
  let table;
  try {
    table = await fetchCatalogue(currentLanguage(), area);
  } catch (_) {
    try {
      table = await fetchCatalogue(FALLBACK, area);
    } catch (_) {
      table = {};
    }
  }
  for (const [k, v] of Object.entries(table)) messages.set(k, v);
}

/** The string for `key`, with `{name}` placeholders filled from `args`; the key itself if missing. */
export function t(key, args) {
  const text = messages.has(key) ? messages.get(key) : key;
  if (!args) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in args ? String(args[name] ?? '') : whole));
}

/** Fill every `[data-t]` element under `root` with its catalogue string (static page text). */
export function fillText(root = document) {
  for (const node of root.querySelectorAll('[data-t]')) node.textContent = t(node.dataset.t);
}
