// Offers and hand-overs from routing. A shop can make routing *offer* a conversation to an
// agent, who accepts or declines before `expires_at`; a transfer arrives with the sender's
// note. Both show as cards in the corner so they are seen wherever the agent is working.

import { state } from './state.js';
import { post } from './api.js';
import { toast } from './page.js';
import { h } from './format.js';
import { t } from '../i18n.js';

const box = document.getElementById('offers');
const cards = new Map(); // conversation id -> {node, timer}

function remove(id) {
  const card = cards.get(id);
  if (!card) return;
  clearInterval(card.timer);
  card.node.remove();
  cards.delete(id);
}

async function answer(id, verb, onConversation) {
  try {
    const conv = await post(`/api/v1/conversations/${encodeURIComponent(id)}/${verb}`, {});
    if (conv && conv.id) onConversation(conv);
  } catch (err) {
    toast(t(verb === 'accept' ? 'workspace-offer-accept_failed' : 'workspace-offer-decline_failed', { message: err.message }));
  }
  remove(id);
}

function name(id) {
  const c = state.conversations.get(id);
  return (c && c.customer_name) || t('workspace-offer-new_customer');
}

export function onOffer(frame, onConversation, onSelect) {
  const id = frame.conversation_id;
  remove(id);
  const left = h('span', { class: 'offer-left' });
  const node = h('div', { class: 'offer-card', role: 'alert', dataset: { id } },
    h('div', { class: 'offer-title' }, t('workspace-offer-title', { name: name(id) })),
    left,
    h('div', { class: 'offer-actions' },
      h('button', { class: 'btn btn-small btn-primary', type: 'button', onclick: async () => { await answer(id, 'accept', onConversation); onSelect(id); } }, t('workspace-offer-accept')),
      h('button', { class: 'btn btn-small', type: 'button', onclick: () => answer(id, 'decline', onConversation) }, t('workspace-offer-decline'))));
  const tick = () => {
    const secs = Math.max(0, Math.ceil((frame.expires_at - Date.now()) / 1000));
    left.textContent = t('workspace-offer-left', { seconds: secs });
    if (secs === 0) remove(id);
  };
  tick();
  cards.set(id, { node, timer: setInterval(tick, 1000) });
  box.append(node);
}

export function onOfferWithdrawn(frame) {
  remove(frame.conversation_id);
}

// A conversation handed to me (or my team) with the colleague's note.
export function onTransferred(frame) {
  const me = state.me && state.me.id;
  if (!me || frame.by === me || (frame.to_agent && frame.to_agent !== me)) return;
  const who = name(frame.conversation_id);
  toast(frame.note ? t('workspace-transfer-received_note', { name: who, note: frame.note }) : t('workspace-transfer-received', { name: who }));
}
