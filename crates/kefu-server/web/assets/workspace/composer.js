// The composer's helpers: the internal-note switch, the typing signal to the customer, and
// the quick-phrase picker that `/` opens. Sending itself lives in dialogue.js.

import { selected } from './state.js';
import { get, post } from './api.js';
import { toast } from './page.js';
import { h } from './format.js';
import { t } from '../i18n.js';

const composerEl = document.getElementById('composer');
const textarea = composerEl.querySelector('textarea');
const noteToggle = document.getElementById('note-toggle');
const savePhrase = document.getElementById('save-phrase');
const picker = document.getElementById('phrase-picker');
const listEl = document.getElementById('phrase-list');

// The typing signal goes out at most this often; the other side shows it for a few seconds.
const TYPING_EVERY_MS = 2000;
// Phrases change rarely; reload them when the picker opens after this long.
const PHRASES_FRESH_MS = 60 * 1000;

let socket = null;
let noteMode = false;
let lastTyping = 0;
let phrases = [];
let loadedAt = 0;
let loading = null;
const pick = { open: false, items: [], index: 0 };

// ---- internal notes ----

export function isNoteMode() {
  return noteMode;
}

export function setNoteMode(on) {
  noteMode = Boolean(on);
  noteToggle.setAttribute('aria-pressed', noteMode ? 'true' : 'false');
  composerEl.classList.toggle('is-note', noteMode);
  if (!textarea.disabled) textarea.placeholder = t(noteMode ? 'workspace-composer-note_placeholder' : 'workspace-composer-placeholder');
}

// ---- typing ----

function signalTyping() {
  const c = selected();
  // A note is not something the customer should see being written.
  if (!c || noteMode || !socket || !textarea.value.trim()) return;
  const now = Date.now();
  if (now - lastTyping < TYPING_EVERY_MS) return;
  lastTyping = now;
  socket.send({ type: 'typing', conversation_id: c.id });
}

// ---- quick phrases ----

async function loadPhrases(force) {
  if (!force && loadedAt && Date.now() - loadedAt < PHRASES_FRESH_MS) return phrases;
  if (!loading) {
    loading = get('/api/v1/quick-phrases')
      .then((data) => {
        phrases = (data && data.quick_phrases) || [];
        loadedAt = Date.now();
        return phrases;
      })
      .catch(() => phrases) // Keep what we had; the picker still works offline.
      .finally(() => { loading = null; });
  }
  return loading;
}

// The `/word` right before the caret, when the slash starts the text or follows a space.
function slashToken() {
  const caret = textarea.selectionStart;
  if (caret !== textarea.selectionEnd) return null;
  const m = textarea.value.slice(0, caret).match(/(?:^|\s)\/([^\s/]*)$/);
  return m ? { start: caret - m[1].length - 1, end: caret, query: m[1].toLowerCase() } : null;
}

function closePicker() {
  pick.open = false;
  picker.hidden = true;
  textarea.removeAttribute('aria-activedescendant');
}

function renderPicker() {
  listEl.replaceChildren(...pick.items.map((p, i) => h('li', {
    class: `phrase-item${i === pick.index ? ' is-active' : ''}`,
    role: 'option',
    id: `phrase-${p.id}`,
    'aria-selected': i === pick.index ? 'true' : 'false',
    dataset: { id: p.id },
    onmousedown: (ev) => {
      ev.preventDefault(); // Keep the focus (and the caret) in the textarea.
      insert(p);
    },
  },
  h('span', { class: 'phrase-title' }, p.title, p.shop_wide ? null : h('span', { class: 'phrase-mine' }, t('workspace-phrase-mine'))),
  h('span', { class: 'phrase-text' }, p.text))));
  if (!pick.items.length) listEl.append(h('li', { class: 'phrase-empty muted' }, t('workspace-phrase-none')));
  const active = listEl.children[pick.index];
  if (active && pick.items.length) {
    active.scrollIntoView({ block: 'nearest' });
    textarea.setAttribute('aria-activedescendant', active.id);
  }
}

async function updatePicker() {
  const token = slashToken();
  if (!token) {
    closePicker();
    return;
  }
  const all = await loadPhrases(false);
  // The text may have changed while the phrases loaded.
  const now = slashToken();
  if (!now) {
    closePicker();
    return;
  }
  const q = now.query;
  pick.items = all.filter((p) => !q || p.title.toLowerCase().includes(q) || p.text.toLowerCase().includes(q));
  if (!pick.open) pick.index = 0;
  pick.index = Math.min(pick.index, Math.max(0, pick.items.length - 1));
  pick.open = true;
  picker.hidden = false;
  renderPicker();
}

function insert(phrase) {
  const token = slashToken();
  if (!token) return;
  const v = textarea.value;
  textarea.value = v.slice(0, token.start) + phrase.text + v.slice(token.end);
  const caret = token.start + phrase.text.length;
  textarea.setSelectionRange(caret, caret);
  closePicker();
  textarea.focus();
  signalTyping();
}

// Called first by the textarea's keydown: true when the picker took the key.
export function composerKeydown(ev) {
  if (!pick.open) return false;
  const n = pick.items.length;
  if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
    if (n) pick.index = (pick.index + (ev.key === 'ArrowDown' ? 1 : n - 1)) % n;
    renderPicker();
  } else if ((ev.key === 'Enter' || ev.key === 'Tab') && !ev.shiftKey && !ev.isComposing) {
    if (!n) return false;
    insert(pick.items[pick.index]);
  } else if (ev.key === 'Escape') {
    closePicker();
  } else {
    return false;
  }
  ev.preventDefault();
  return true;
}

async function saveAsPhrase() {
  const text = textarea.value.trim();
  if (!text) {
    toast(t('workspace-phrase-empty'));
    return;
  }
  const title = text.replace(/\s+/g, ' ').slice(0, 12);
  try {
    await post('/api/v1/quick-phrases', { title, text });
    await loadPhrases(true);
    toast(t('workspace-phrase-saved', { title }));
  } catch (err) {
    toast(t('workspace-phrase-failed', { message: err.message }));
  }
}

export function initComposer(agentSocket) {
  socket = agentSocket;
  noteToggle.addEventListener('click', () => {
    setNoteMode(!noteMode);
    textarea.focus();
  });
  savePhrase.addEventListener('click', saveAsPhrase);
  textarea.addEventListener('input', () => {
    updatePicker();
    signalTyping();
  });
  textarea.addEventListener('click', () => { if (pick.open) updatePicker(); });
  textarea.addEventListener('blur', () => closePicker());
  loadPhrases(true);
}
