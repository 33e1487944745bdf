// Agent workspace entry point: loads who I am, opens the realtime socket and routes its frames
// to the list, dialogue and context modules.

import { notify } from './shell.js';
import { state, trackWaiting } from './workspace/state.js';
import { toast, whoAmI } from './workspace/page.js';
import { initTicketButton } from './workspace/ticket.js';
import { initHandover } from './workspace/handover.js';
import { fillText, loadCatalogue, t } from './i18n.js';
import { get, post } from './workspace/api.js';
import { AgentSocket } from './workspace/socket.js';
import {
  initList, renderList, selectTab, tickTimes,
} from './workspace/list.js';
import {
  connectionChanged, initDialogue, onAck, onMessage, onSendError, refreshHead, renderTyping,
  resolveSelected, resync, showConversation,
} from './workspace/dialogue.js';
import { initComposer, isNoteMode, setNoteMode } from './workspace/composer.js';
import { initTransfer, openTransfer } from './workspace/transfer.js';
import {
  initSupervisor, render as renderSupervisor, showView, tick as tickSupervisor,
} from './workspace/supervisor.js';
import { initContext, renderContext } from './workspace/context.js';
import { onHandoff } from './workspace/handoff.js';
import { onOffer, onOfferWithdrawn, onTransferred } from './workspace/offers.js';
import { ROLE_LABELS, label, isOpen } from './workspace/format.js';

// How long "正在输入" shows after the last typing frame (senders repeat every 2 s).
const TYPING_SHOWS_MS = 4000;

const $ = (id) => document.getElementById(id);
const fetchingConversation = new Set();

function renderMe() {
  const me = state.me;
  if (!me) return;
  $('me-name').textContent = me.display_name || me.email;
  $('me-role').textContent = label(ROLE_LABELS, me.role);
  if (state.shop) {
    $('shop-name').textContent = state.shop.name;
  }
}

function renderConnection(kind, info) {
  const box = $('connection-state');
  box.dataset.state = kind;
  const text = box.querySelector('.conn-text');
  if (kind === 'open') text.textContent = t('workspace-conn-open');
  else if (kind === 'connecting') text.textContent = t('workspace-conn-connecting');
  else text.textContent = info && info.retryIn ? t('workspace-conn-retry_in', { seconds: info.retryIn }) : t('workspace-conn-reconnecting');
  connectionChanged();
}

function select(id) {
  if (!state.conversations.has(id)) return;
  const changed = state.selectedId !== id;
  state.selectedId = id;
  state.unread.delete(id);
  if (changed) setNoteMode(false);
  renderList();
  if (changed) showConversation();
  else refreshHead();
  renderContext();
  showPhoneView('conversation');
}

function upsert(conv) {
  const prev = state.conversations.get(conv.id);
  // Frames can overtake each other (a REST answer vs. a broadcast); never go back in time.
  if (prev && prev.updated_at && conv.updated_at && conv.updated_at < prev.updated_at) return;
  state.conversations.set(conv.id, conv);
  renderList();
  if (conv.id === state.selectedId) {
    refreshHead();
    renderContext();
  }
}

// A message for a conversation the snapshot did not contain (e.g. created between our hello
// and the first frame, or visible to us only now): fetch it once rather than drop the message.
async function fetchConversation(id) {
  if (fetchingConversation.has(id)) return;
  fetchingConversation.add(id);
  try {
    upsert(await get(`/api/v1/conversations/${encodeURIComponent(id)}`));
  } catch (_) {
    // Not visible to us; nothing to show.
  } finally {
    fetchingConversation.delete(id);
  }
}

function onHello(frame) {
  if (frame.user) {
    state.me = frame.user;
    renderMe();
    // Status and 接待 are chosen in the shell's user menu; tell it what the socket made of
    // them (also kept on <body> in case the shell draws its menu after this hello).
    document.body.dataset.presence = frame.user.status;
    document.dispatchEvent(new CustomEvent('kefu:presence', { detail: frame.user.status }));
  }
  const fresh = new Map();
  for (const c of frame.conversations || []) fresh.set(c.id, c);
  // Keep what the agent already saw finish in this session (greyed in 全部) and the open
  // dialogue, even though the snapshot only lists open conversations.
  for (const [id, c] of state.conversations) {
    if (!fresh.has(id) && (!isOpen(c) || id === state.selectedId)) fresh.set(id, c);
  }
  state.conversations = fresh;
  if (frame.waiting_since) state.waitingSince = new Map(Object.entries(frame.waiting_since));
  renderList();
  renderSupervisor();
  if (state.selectedId) {
    refreshHead();
    renderContext();
  }
  resync();
}

function onLiveMessage(m) {
  const conv = state.conversations.get(m.conversation_id);
  if (conv) {
    if (!conv.last_message_at || m.created_at >= conv.last_message_at) {
      conv.last_message_at = m.created_at;
      conv.last_message_preview = m.content.length > 80 ? `${m.content.slice(0, 80)}…` : m.content;
    }
  } else {
    fetchConversation(m.conversation_id);
  }
  trackWaiting(m);
  const mine = state.me && m.sender_id === state.me.id;
  if (m.conversation_id !== state.selectedId && !mine) {
    state.unread.set(m.conversation_id, (state.unread.get(m.conversation_id) || 0) + 1);
  }
  renderList();
  onMessage(m);
  renderSupervisor();
  if (m.sender_kind === 'customer') announce(m);
}

// A new customer message while the tab is hidden becomes a system notification (when allowed
// from the user menu's 开启提醒); one per conversation, replacing the previous one.
function announce(m) {
  const conv = state.conversations.get(m.conversation_id);
  const name = (conv && conv.customer_name) || '';
  const title = name ? t('notify-title', { name }) : t('notify-fallback');
  notify(title, m.content.length > 80 ? `${m.content.slice(0, 80)}…` : m.content, `conv-${m.conversation_id}`);
}

// Phones show one view at a time: list → conversation → customer card, with back buttons.
// Desktop ignores `data-view` and keeps three columns.
function showPhoneView(view) {
  document.body.dataset.view = view;
  window.scrollTo(0, 0);
}

function onTyping(frame) {
  if (frame.from !== 'customer' || !frame.customer_id) return;
  state.typing.set(frame.customer_id, Date.now() + TYPING_SHOWS_MS);
  renderList();
  renderTyping();
  setTimeout(() => { renderList(); renderTyping(); }, TYPING_SHOWS_MS + 50);
}

function onFrame(frame) {
  switch (frame.type) {
    case 'hello': onHello(frame); break;
    case 'conversation':
      if (frame.conversation) {
        upsert(frame.conversation);
        renderSupervisor();
      }
      break;
    case 'message': if (frame.message) onLiveMessage(frame.message); break;
    case 'ack': onAck(frame); break;
    case 'typing': onTyping(frame); break;
    case 'offer': onOffer(frame, upsert, select); break;
    case 'offer_withdrawn': onOfferWithdrawn(frame); break;
    case 'transferred': onTransferred(frame); break;
    case 'handoff': onHandoff(frame); renderContext(); break;
    case 'alert':
      // Supervisors get metric alerts live; the analytics page has the details.
      toast(alertText(frame));
      break;
    case 'error':
      if (!frame.client_id || !onSendError(frame)) toast(frame.message || frame.code || t('workspace-error'));
      break;
    default: break; // Unknown frame types are ignored so the server can add new ones.
  }
}

function alertText(frame) {
  const subject = frame.subject ? t('workspace-alert-subject', { subject: frame.subject }) : '';
  return frame.state === 'raised'
    ? t('workspace-alert-raised', { rule: frame.rule, subject, value: frame.value, threshold: frame.threshold })
    : t('workspace-alert-cleared', { rule: frame.rule, subject });
}

async function loadAgents() {
  try {
    const data = await get('/api/v1/agents');
    for (const a of (data && data.agents) || []) state.agents.set(a.id, a);
    renderContext();
  } catch (_) {
    // Agent names are a nicety; ids are shown without them.
  }
}

function wireTopbar() {
  // A status chosen in the shell's user menu: the list shows what it means for this person.
  document.addEventListener('kefu:seat', (ev) => {
    const answer = ev.detail || {};
    if (answer.user) state.me = { ...state.me, status: answer.user.status };
    renderList();
  });
}

// Alt+letter shortcuts work anywhere on the page, also while typing a reply.
function wireShortcuts() {
  document.addEventListener('keydown', (ev) => {
    if (!ev.altKey || ev.ctrlKey || ev.metaKey) return;
    const key = ev.key.toLowerCase();
    const tabs = { 1: 'mine', 2: 'queued', 3: 'all' };
    let handled = true;
    if (tabs[key]) selectTab(tabs[key]);
    else if (key === 'n' || ev.code === 'KeyN') {
      setNoteMode(!isNoteMode());
      document.querySelector('#composer textarea').focus();
    } else if (key === 't' || ev.code === 'KeyT') openTransfer();
    else if (key === 'e' || ev.code === 'KeyE') resolveSelected();
    else if (key === 's' || ev.code === 'KeyS') showView(state.view === 'supervisor' ? 'desk' : 'supervisor');
    else handled = false;
    if (handled) ev.preventDefault();
  });
}

async function main() {
  const who = await whoAmI(main);
  if (!who) return;
  // The shell's area too: roles, presence words and notifications are its words.
  await Promise.all(['workspace', 'handover', 'shell'].map(loadCatalogue));
  fillText();
  state.me = who.user;
  state.shop = who.shop;
  await initContext();
  renderMe();
  wireTopbar();

  const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
  const socket = new AgentSocket(`${scheme}${location.host}/ws/agent`, {
    onFrame,
    onState: renderConnection,
    beforeReconnect: () => get('/api/v1/me'),
  });
  initList({ onSelect: select });
  initDialogue(socket, { onConversation: upsert });
  initComposer(socket);
  initTransfer({ onConversation: upsert });
  initSupervisor({ onConversation: upsert, onQueue: () => { renderList(); refreshHead(); renderContext(); } });
  initTicketButton();
  initHandover({ onUndone: (id) => { if (id === state.selectedId) refreshHead(); } });
  wireShortcuts();
  $('back-to-list').addEventListener('click', () => showPhoneView('list'));
  $('show-card').addEventListener('click', () => showPhoneView('card'));
  $('back-to-conversation').addEventListener('click', () => showPhoneView('conversation'));
  renderList();
  socket.connect();
  loadAgents();

  setInterval(() => {
    tickTimes();
    tickSupervisor();
  }, 1000);
  // Coming back from sleep or regaining the network: do not wait out the backoff.
  window.addEventListener('online', () => socket.reconnectNow());
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') socket.reconnectNow();
  });
}

main();
