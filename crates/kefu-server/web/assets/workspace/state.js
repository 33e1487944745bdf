// The workspace's single source of truth in the browser. Modules read it and call each other's
// render functions; there is deliberately no framework-style observer machinery.

export const state = {
  me: null, // User
  shop: null, // Shop
  conversations: new Map(), // id -> Conversation
  agents: new Map(), // id -> User, for showing who is handling what
  unread: new Set(), // conversation ids with messages that arrived while not selected
  selectedId: null,
  tab: 'mine',
};

export function selected() {
  return state.selectedId ? state.conversations.get(state.selectedId) || null : null;
}

export function agentName(id) {
  if (!id) return null;
  if (state.me && id === state.me.id) return state.me.display_name || '我';
  const agent = state.agents.get(id);
  return agent ? agent.display_name || agent.email : null;
}
