// Middle column: the dialogue of the selected conversation and the composer.
//
// Sent messages live in an outbox keyed by client_id until the server acknowledges them. The
// client_id is the dedupe key on the server, so resending it after a reconnect (or from the
// retry button) can never produce a duplicate message.

import { state, selected, agentName } from './state.js';
import { toast } from './page.js';
import { get, post } from './api.js';
import {
  CONVERSATION_STATUS_LABELS, SENDER_LABELS, channelTag, clockTime, fullTime, h, joinList, label,
} from './format.js';
import { composerKeydown, isNoteMode, setNoteMode } from './composer.js';
import {
  heldByColleague, renderComposerOwner, resolvePending, resolveWithUndo,
} from './handover.js';
import { t } from '../i18n.js';

const MAX_BYTES = 8 * 1024; // The server refuses more (message_too_large); say so before sending.
const encoder = new TextEncoder();

const emptyEl = document.getElementById('dialogue-empty');
const dialogueEl = document.getElementById('dialogue');
const messagesEl = document.getElementById('messages');
const composer = document.getElementById('composer');
const textarea = composer.querySelector('textarea');
const sendButton = document.getElementById('send-button');
const noteEl = document.getElementById('composer-note');
const takeButton = document.getElementById('take-button');
const resolveButton = document.getElementById('resolve-button');

let socket = null;
let onConversation = () => {};
const shown = new Map(); // message id -> Message, for the selected conversation only
const outbox = new Map(); // client_id -> {client_id, conversation_id, content, failed, error}
let loadToken = 0; // guards against a slow history load landing after the agent moved on

function nearBottom() {
  return messagesEl.scrollHeight - messagesEl.scrollTop - messagesEl.clientHeight < 80;
}

function scrollToBottom() {
  messagesEl.scrollTop = messagesEl.scrollHeight;
}

function senderText(m) {
  const kind = label(SENDER_LABELS, m.sender_kind);
  if (m.sender_kind === 'customer') {
    const c = selected();
    return c && c.customer_name ? t('workspace-who', { kind, name: c.customer_name }) : kind;
  }
  if (m.sender_kind === 'agent' || m.sender_kind === 'note') {
    if (state.me && m.sender_id === state.me.id) return t('workspace-who', { kind, name: t('workspace-me') });
    const name = agentName(m.sender_id);
    return name ? t('workspace-who', { kind, name }) : kind;
  }
  return kind;
}

function messageNode(m) {
  const li = h('li', {
    class: `message from-${m.sender_kind}`,
    dataset: { id: m.id, seq: String(m.seq) },
  },
  h('div', { class: 'message-meta' },
    h('span', { class: 'message-sender' }, senderText(m)),
    m.sender_kind === 'note' ? h('span', { class: 'note-tag', title: t('workspace-note-only_agents') }, t('workspace-note-internal')) : channelTag(m.channel),
    h('time', { datetime: new Date(m.created_at).toISOString(), title: fullTime(m.created_at) }, clockTime(m.created_at)),
    m.flags && m.flags.length
      ? h('span', { class: 'flag-tag', title: joinList(m.flags.map((f) => t('workspace-flag-word', f))) }, t('workspace-flag'))
      : null),
  h('div', { class: 'message-body' }, m.content));
  if (m.client_id) li.dataset.clientId = m.client_id;
  return li;
}

// Pending rows carry only data-client-id: data-id is reserved for ids the server assigned, so
// `.message[data-id]` always means "stored on the server".
function pendingNode(entry) {
  const kind = entry.note ? 'note' : 'agent';
  const li = h('li', {
    class: `message from-${kind} is-pending${entry.failed ? ' is-failed' : ''}`,
    dataset: { clientId: entry.client_id },
  },
  h('div', { class: 'message-meta' },
    h('span', { class: 'message-sender' }, t('workspace-who', { kind: label(SENDER_LABELS, kind), name: t('workspace-me') }))),
  h('div', { class: 'message-body' }, entry.content),
  h('div', { class: 'message-state' },
    entry.failed ? t('workspace-send_failed', { error: entry.error || t('workspace-unknown_error') }) : t('workspace-sending'),
    entry.failed ? h('button', {
      class: 'btn btn-small retry-button',
      type: 'button',
      onclick: () => retry(entry.client_id),
    }, t('workspace-retry')) : null));
  return li;
}

function findPending(clientId) {
  return [...messagesEl.querySelectorAll('.message.is-pending')]
    .find((li) => li.dataset.clientId === clientId) || null;
}

// Keeps DOM order == seq order no matter in which order history and live frames arrive;
// pending rows always stay last because they have no seq yet.
function place(node, seq) {
  for (const child of messagesEl.children) {
    if (child === node) continue;
    if (child.classList.contains('is-pending') || Number(child.dataset.seq) > seq) {
      messagesEl.insertBefore(node, child);
      return;
    }
  }
  messagesEl.append(node);
}

function addMessage(m, clientId = m.client_id) {
  const pending = clientId ? findPending(clientId) : null;
  if (pending && shown.has(m.id)) pending.remove();
  if (shown.has(m.id)) return;
  const stick = nearBottom();
  shown.set(m.id, m);
  const node = messageNode(m);
  if (pending) pending.remove();
  place(node, m.seq);
  if (stick || pending) scrollToBottom();
}

function renderPending(entry) {
  const old = findPending(entry.client_id);
  const node = pendingNode(entry);
  if (old) old.replaceWith(node);
  else {
    messagesEl.append(node);
    scrollToBottom();
  }
}

function settle(message) {
  if (!message || !message.client_id) return;
  outbox.delete(message.client_id);
}

// Notes go over HTTP: they have no socket frame, and the answer is the stored note.
async function transmitNote(entry) {
  try {
    const m = await post(`/api/v1/conversations/${encodeURIComponent(entry.conversation_id)}/notes`,
      { text: entry.content, client_id: entry.client_id });
    outbox.delete(entry.client_id);
    if (m && m.conversation_id === state.selectedId) addMessage(m, entry.client_id);
  } catch (err) {
    onSendError({ client_id: entry.client_id, code: err.code, message: err.message });
  }
  return true;
}

function transmit(entry) {
  if (entry.note) return transmitNote(entry);
  return socket.send({
    type: 'send',
    conversation_id: entry.conversation_id,
    content: entry.content,
    client_id: entry.client_id,
    confirm: !!entry.confirm,
  });
}

function retry(clientId) {
  const entry = outbox.get(clientId);
  if (!entry) return;
  entry.failed = false;
  entry.error = null;
  if (entry.conversation_id === state.selectedId) renderPending(entry);
  transmit(entry);
}

function send() {
  const c = selected();
  if (!c) return;
  const content = textarea.value.trim();
  if (!content) return;
  const size = encoder.encode(content).length;
  if (size > MAX_BYTES) {
    noteEl.textContent = t('workspace-composer-too_long', { kib: Math.ceil(size / 1024) });
    noteEl.classList.add('is-error');
    return;
  }
  const entry = {
    client_id: crypto.randomUUID(),
    conversation_id: c.id,
    content,
    note: isNoteMode(),
    failed: false,
    error: null,
  };
  outbox.set(entry.client_id, entry);
  textarea.value = '';
  // A note is a one-off aside: the next message goes to the customer again.
  if (entry.note) setNoteMode(false);
  updateNote();
  renderPending(entry);
  // When the socket is down the entry just waits; resendPending() sends it on reconnect.
  transmit(entry);
  textarea.focus();
}

function updateNote() {
  noteEl.classList.remove('is-error');
  if (!socket || !socket.isOpen) noteEl.textContent = t('workspace-composer-offline');
  else noteEl.textContent = '';
}

function renderHead() {
  const c = selected();
  if (!c) return;
  document.getElementById('dialogue-name').textContent = c.customer_name || t('workspace-visitor');
  document.getElementById('dialogue-channel').replaceChildren(channelTag(c.channel));
  const prio = document.getElementById('dialogue-priority');
  prio.hidden = !(c.priority > 0);
  prio.title = t('workspace-priority_n', { n: c.priority || 0 });
  renderTyping();
  const badge = document.getElementById('dialogue-status');
  badge.textContent = label(CONVERSATION_STATUS_LABELS, c.status);
  badge.className = `badge badge-${c.status}`;
  takeButton.hidden = c.status !== 'queued';
  // A colleague's conversation: the server refuses my reply, resolve and transfer.
  const theirs = heldByColleague(c);
  resolveButton.hidden = theirs || resolvePending(c.id) || !['bot', 'queued', 'assigned'].includes(c.status);
  document.getElementById('transfer-button').hidden = theirs || !['bot', 'queued', 'assigned'].includes(c.status);
  renderComposerOwner(c);
  const closed = c.status === 'closed';
  textarea.disabled = closed;
  sendButton.disabled = closed;
  if (closed) textarea.placeholder = t('workspace-composer-closed');
  else setNoteMode(isNoteMode()); // restores the placeholder for the current mode
}

async function loadMessages(afterSeq) {
  const c = selected();
  if (!c) return;
  const token = ++loadToken;
  const query = afterSeq ? `after_seq=${afterSeq}&limit=200` : 'limit=200';
  try {
    const data = await get(`/api/v1/conversations/${encodeURIComponent(c.id)}/messages?${query}`);
    if (token !== loadToken || state.selectedId !== c.id) return;
    const list = (data && data.messages) || [];
    list.sort((a, b) => a.seq - b.seq).forEach(addMessage);
    if (!afterSeq) scrollToBottom();
  } catch (err) {
    if (token === loadToken) toast(t('workspace-load_failed', { message: err.message }));
  } finally {
    if (token === loadToken) messagesEl.classList.remove('is-loading');
  }
}

// ---- public API used by workspace.js ----

export function showConversation() {
  const c = selected();
  emptyEl.hidden = Boolean(c);
  dialogueEl.hidden = !c;
  shown.clear();
  messagesEl.replaceChildren();
  if (!c) return;
  renderHead();
  updateNote();
  messagesEl.classList.add('is-loading');
  for (const entry of outbox.values()) {
    if (entry.conversation_id === c.id) renderPending(entry);
  }
  loadMessages(0);
}

export function refreshHead() {
  renderHead();
}

// "顾客正在输入…" under the customer's name while their typing frames keep coming.
export function renderTyping() {
  const c = selected();
  const el = document.getElementById('typing-indicator');
  el.hidden = !c || (state.typing.get(c.customer_id) || 0) <= Date.now();
}

export function onMessage(m) {
  settle(m);
  // A message from the customer ends their typing.
  if (m.sender_kind === 'customer') state.typing.delete(m.customer_id);
  renderTyping();
  if (m.conversation_id === state.selectedId) addMessage(m);
}

export function onAck(frame) {
  const m = frame.message;
  outbox.delete(frame.client_id);
  if (m && m.conversation_id === state.selectedId) addMessage(m, frame.client_id);
}

export function onSendError(frame) {
  const entry = outbox.get(frame.client_id);
  if (!entry) return false;
  // A warning-level word: the agent decides. Blocked words never pass and show as a failure.
  if (frame.code === 'sensitive_warning' && !entry.confirm
      && window.confirm(`${frame.message}\n\n${t('workspace-send_anyway')}`)) {
    entry.confirm = true;
    retry(entry.client_id);
    return true;
  }
  entry.failed = true;
  entry.error = frame.message || frame.code;
  if (entry.conversation_id === state.selectedId) renderPending(entry);
  else toast(t('workspace-message_failed', { error: entry.error }));
  return true;
}

// After a reconnect: catch up on what was missed while offline, then push unsent messages.
export function resync() {
  updateNote();
  if (state.selectedId) {
    let max = 0;
    for (const m of shown.values()) max = Math.max(max, m.seq);
    loadMessages(max);
  }
  for (const entry of outbox.values()) {
    if (!entry.failed) transmit(entry);
  }
}

export function connectionChanged() {
  if (state.selectedId) updateNote();
}

export function initDialogue(agentSocket, handlers) {
  socket = agentSocket;
  onConversation = handlers.onConversation;
  composer.addEventListener('submit', (ev) => {
    ev.preventDefault();
    send();
  });
  textarea.addEventListener('keydown', (ev) => {
    if (composerKeydown(ev)) return;
    // isComposing: Enter that confirms a pinyin candidate must not send the message.
    if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing && ev.keyCode !== 229) {
      ev.preventDefault();
      send();
    }
  });
  textarea.addEventListener('input', () => {
    if (noteEl.classList.contains('is-error')) updateNote();
  });
  takeButton.addEventListener('click', () => act(takeButton, 'assign', {}));
  resolveButton.addEventListener('click', () => resolveSelected());
}

// Resolving waits a few seconds with an undo button before the server hears of it.
export function resolveSelected() {
  if (resolveButton.hidden || resolveButton.disabled) return;
  resolveWithUndo(selected(), (conv) => onConversation(conv), (err) => {
    toast(t('handover-resolve_failed', { message: err.message }));
    renderHead();
  });
  renderHead();
}

async function act(button, verb, body) {
  const c = selected();
  if (!c) return;
  button.disabled = true;
  try {
    const conv = await post(`/api/v1/conversations/${encodeURIComponent(c.id)}/${verb}`, body);
    if (conv && conv.id) onConversation(conv);
    if (verb === 'assign') textarea.focus();
  } catch (err) {
    toast(verb === 'assign' ? t('workspace-take_failed', { message: err.message }) : t('handover-resolve_failed', { message: err.message }));
  } finally {
    button.disabled = false;
  }
}
