// The workspace's single source of truth in the browser. Modules read it and call each other's
// render functions; there is deliberately no framework-style observer machinery.

import { t } from '../i18n.js';

export const state = {
  me: null, // User
  shop: null, // Shop
  conversations: new Map(), // id -> Conversation
  agents: new Map(), // id -> User, for showing who is handling what
  unread: new Map(), // conversation id -> messages that arrived while it was not selected
  waitingSince: new Map(), // conversation id -> ms of the first customer message not yet answered
  typing: new Map(), // customer id -> ms until which "正在输入" shows
  queue: null, // the last /api/v1/queue answer (routing), or null where the server has none
  teams: new Map(), // team id -> {id, name, members}
  selectedId: null,
  tab: 'mine',
  view: 'desk', // 'desk' (the three columns) or 'supervisor'
};

// How a conversation's waiting time is coloured: amber after a minute, red after three.
export const AMBER_AFTER_MS = 60 * 1000;
export const RED_AFTER_MS = 180 * 1000;

// The queue entry (priority, VIP, position) of a waiting conversation, when routing says.
export function queueEntry(id) {
  const waiting = (state.queue && state.queue.waiting) || [];
  return waiting.find((w) => w.conversation_id === id) || null;
}

export function teamName(id) {
  if (!id) return null;
  const t = state.teams.get(id);
  return t ? t.name || id : id;
}

// Follow the waiting time with the live messages: a customer message starts it (if it is not
// running), an agent's reply stops it, and so does the bot's while the bot has the conversation;
// after hand-off the bot's words (its 转人工 notice) answer nothing, the customer waits for a
// person (as the server's `waiting_since`). Notes and system notices change nothing.
export function trackWaiting(m) {
  if (m.sender_kind === 'customer') {
    if (!state.waitingSince.has(m.conversation_id)) state.waitingSince.set(m.conversation_id, m.created_at);
  } else if (m.sender_kind === 'agent' || (m.sender_kind === 'bot' && withBot(m.conversation_id))) {
    state.waitingSince.delete(m.conversation_id);
  }
}

function withBot(id) {
  const c = state.conversations.get(id);
  return !c || c.status === 'bot';
}

export function selected() {
  return state.selectedId ? state.conversations.get(state.selectedId) || null : null;
}

export function agentName(id) {
  if (!id) return null;
  if (state.me && id === state.me.id) return state.me.display_name || t('workspace-me');
  const agent = state.agents.get(id);
  return agent ? agent.display_name || agent.email : null;
}
