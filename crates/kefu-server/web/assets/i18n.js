// The message catalogue. Every string a page shows goes through `t(key, args)`. The catalogues
// are Fluent files in crates/kefu-i18n/locales/<lang>/<area>.ftl, one per language; the server
// serves each area as JSON (`/assets/i18n/<lang>/<area>.json`, `{name}` placeholders).

const LANG_KEY = 'kefu.lang';
const FALLBACK = 'zh-CN';
/** The languages with a catalogue, as [tag, own name]. */
export const LANGUAGES = [['zh-CN', '简体中文'], ['en', 'English']]; // i18n-exempt: each language by its own name
const messages = new Map();

/** A supported tag for a browser language (`en-US` → `en`, `zh-TW` → `zh-CN`), else null. */
export function supportedLanguage(tag) {
  const primary = String(tag || '').toLowerCase().split(/[-_]/)[0];
  if (primary === 'zh') return 'zh-CN';
  if (primary === 'en') return 'en';
  return null;
}

/** The language to show: the person's choice (stored in this browser), else the browser's, else zh-CN. */
export function currentLanguage() {
  try {
    const chosen = supportedLanguage(localStorage.getItem(LANG_KEY));
    if (chosen) return chosen;
  } catch (_) {
    // Private mode without storage: fall through to the browser's language.
  }
  for (const tag of navigator.languages || [navigator.language]) {
    const lang = supportedLanguage(tag);
    if (lang) return lang;
  }
  return FALLBACK;
}

/** Remember a language choice in this browser (the server keeps the signed-in person's own). */
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

const loading = new Map();

/**
 * Load one area's strings (in the current language, falling back to zh-CN). Each area is
 * fetched once per page however many modules ask for it (the shell, the API wrapper, a page).
 */
export function loadCatalogue(area) {
  if (!loading.has(area)) loading.set(area, fetchArea(area));
  return loading.get(area);
}

async function fetchArea(area) {
  let table;
  try {
    table = await fetchCatalogue(currentLanguage(), area);
  } catch (_) {
    try {
      table = await fetchCatalogue(FALLBACK, area);
    } catch (_) {
      // Nothing reached the server: the next caller tries again.
      loading.delete(area);
      return;
    }
  }
  for (const [k, v] of Object.entries(table)) messages.set(k, v);
  document.documentElement.lang = currentLanguage();
}

/** Whether the loaded catalogues have `key`. */
export function has(key) {
  return messages.has(key);
}

/** The string for `key`, with `{name}` placeholders filled from `args`; the key itself if missing. */
export function t(key, args) {
  const text = messages.has(key) ? messages.get(key) : key;
  if (!args) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in args ? String(args[name] ?? '') : whole));
}

/** Attributes a page may take from the catalogue: `data-t-placeholder="id"` fills `placeholder`. */
const TEXT_ATTRIBUTES = ['placeholder', 'title', 'aria-label', 'alt', 'value'];

/**
 * Fill static page text from the catalogue: `[data-t]` sets the element's text, and
 * `[data-t-placeholder]`, `[data-t-title]`, `[data-t-aria-label]`, `[data-t-alt]`,
 * `[data-t-value]` set that attribute. `<title data-t>` works too.
 */
export function fillText(root = document) {
  for (const node of root.querySelectorAll('[data-t]')) node.textContent = t(node.dataset.t);
  for (const attr of TEXT_ATTRIBUTES) {
    for (const node of root.querySelectorAll(`[data-t-${attr}]`)) node.setAttribute(attr, t(node.getAttribute(`data-t-${attr}`)));
  }
}

let timeZone;
/** The shop's time zone (`+08:00`), used by every date and time the pages format. */
export function setTimeZone(zone) {
  timeZone = zone || undefined;
}

function dateFormat(options) {
  try {
    return new Intl.DateTimeFormat(currentLanguage(), { ...options, timeZone });
  } catch (_) {
    // A browser without offset time zones: the visitor's own zone is the next best.
    return new Intl.DateTimeFormat(currentLanguage(), options);
  }
}

/** A date and time (ms since the epoch) in the reader's language and the shop's time zone. */
export function formatDateTime(ms, options = { dateStyle: 'medium', timeStyle: 'short' }) {
  return ms == null ? '' : dateFormat(options).format(new Date(ms));
}

/** A time of day (ms since the epoch), e.g. 14:05. */
export function formatTime(ms) {
  return formatDateTime(ms, { hour: '2-digit', minute: '2-digit' });
}

/** A number in the reader's language (grouping, decimals). */
export function formatNumber(n, options) {
  return new Intl.NumberFormat(currentLanguage(), options).format(n);
}

/** An amount of money (in yuan unless `currency` says otherwise), e.g. ¥1,299.00. */
export function formatMoney(amount, currency = 'CNY') {
  return new Intl.NumberFormat(currentLanguage(), { style: 'currency', currency, currencyDisplay: 'narrowSymbol' }).format(amount);
}
