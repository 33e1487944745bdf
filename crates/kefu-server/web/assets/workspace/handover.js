// Hand-over in the dialogue: when a conversation is someone else's now, the composer gives
// way to a line saying who has it (the server would refuse the reply); resolving waits a few
// seconds with an undo button before it reaches the server, so a slip costs nothing.

import { state, agentName } from './state.js';
import { csrfToken, post } from './api.js';
import { t } from '../i18n.js';

/** How long a resolve can be undone before it is sent. */
export const RESOLVE_UNDO_MS = 5000;

const OVERSEERS = ['owner', 'admin', 'supervisor'];
const $ = (id) => document.getElementById(id);
const pending = new Map(); // conversation id -> timer of a resolve not yet sent

/** True when `c` is assigned to a colleague and I may not reply to it. */
export function heldByColleague(c) {
  if (!c || c.status !== 'assigned' || !c.agent_id || !state.me) return false;
  return c.agent_id !== state.me.id && !OVERSEERS.includes(state.me.role);
}

/** Show the composer, or the line saying who has the conversation now. */
export function renderComposerOwner(c) {
  const other = heldByColleague(c);
  $('composer').hidden = other;
  const line = $('composer-handed');
  line.hidden = !other;
  if (other) line.textContent = t('handover-now_with', { name: agentName(c.agent_id) || t('handover-a_colleague') });
}

/** Whether a resolve of conversation `id` is waiting for its undo window to pass. */
export function resolvePending(id) {
  return pending.has(id);
}

function bar(c) {
  $('resolve-undo-text').textContent = t('handover-resolving', { name: c.customer_name || t('handover-the_customer') });
  $('resolve-undo').hidden = pending.size === 0;
}

async function send(id, onConversation, onFail) {
  pending.delete(id);
  $('resolve-undo').hidden = pending.size === 0;
  try {
    const conv = await post(`/api/v1/conversations/${encodeURIComponent(id)}/resolve`, {});
    if (conv && conv.id) onConversation(conv);
  } catch (err) {
    onFail(err);
  }
}

/** Resolve `c` after the undo window; the undo button cancels it. */
export function resolveWithUndo(c, onConversation, onFail) {
  if (!c || pending.has(c.id)) return;
  const timer = setTimeout(() => send(c.id, onConversation, onFail), RESOLVE_UNDO_MS);
  pending.set(c.id, timer);
  const undo = $('resolve-undo-button');
  undo.dataset.id = c.id;
  bar(c);
  undo.focus();
}

/** Cancel the pending resolve shown in the undo bar. */
export function undoResolve() {
  const id = $('resolve-undo-button').dataset.id;
  clearTimeout(pending.get(id));
  pending.delete(id);
  $('resolve-undo').hidden = pending.size === 0;
  onUndone(id);
}

let onUndone = () => {};

// Leaving the page inside the window still resolves: the agent asked for it.
window.addEventListener('pagehide', () => {
  for (const [id, timer] of pending) {
    clearTimeout(timer);
    fetch(`/api/v1/conversations/${encodeURIComponent(id)}/resolve`, {
      method: 'POST',
      credentials: 'same-origin',
      keepalive: true,
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrfToken() },
      body: '{}',
    });
  }
  pending.clear();
});

/** `handlers.onUndone(id)`: a resolve was taken back (redraw the head). */
export function initHandover(handlers) {
  onUndone = handlers.onUndone;
  $('resolve-undo-button').textContent = t('handover-undo');
  $('resolve-undo-button').addEventListener('click', undoResolve);
}
