// The tickets page's state and every word a person reads about a ticket. The API speaks in
// keys, ids and unix milliseconds; turning them into Chinese happens here and nowhere else.

import { label } from '../workspace/format.js';

export const store = {
  me: null,
  shop: null,
  workflows: new Map(), // ticket_type -> Workflow, in the server's order
  departments: new Map(), // key -> Department
  agents: new Map(), // id -> User
  type: null, // selected ticket_type
  view: 'board',
  tickets: new Map(), // id -> TicketView matching the current type and filters
  filters: { department: '', sla: '', mine: false, closed: false },
  sort: { key: 'updated', dir: 'desc' },
  checked: new Set(), // ids ticked in the list view
  fresh: new Set(), // ids changed live, highlighted briefly so the change is noticed
  panel: null, // TicketView shown in the side panel; kept apart so filters never hide it
};

export const PRIORITIES = ['urgent', 'high', 'normal', 'low'];
export const PRIORITY_LABELS = { low: '低', normal: '普通', high: '高', urgent: '紧急' };
export const SLA_LABELS = { ok: '正常', warning: '预警', breached: '已超时', paused: '暂停', done: '完成' };
const TARGET_LABELS = { first_response: '首次响应', next_response: '再次响应', resolution: '解决' };
const ESCALATION_LABELS = { notify_manager: '通知主管', raise_priority: '提高优先级', reassign: '转交部门' };

// Orders for the list's sort: "worse" compares greater so descending puts trouble first.
const PRIORITY_RANK = { low: 0, normal: 1, high: 2, urgent: 3 };
const SLA_RANK = { done: 0, paused: 1, ok: 2, warning: 3, breached: 4 };

export const priorityLabel = (p) => label(PRIORITY_LABELS, p);
export const slaLabel = (s) => label(SLA_LABELS, s);

export function workflow(type = store.type) {
  return store.workflows.get(type) || null;
}

export function stateName(key, type = store.type) {
  const wf = workflow(type);
  const st = wf && wf.states.find((s) => s.key === key);
  return st ? st.name : label({}, key);
}

export function departmentName(key) {
  if (!key) return '未分配';
  const d = store.departments.get(key);
  return d ? d.name || d.key : key;
}

export function agentName(id) {
  if (!id) return '未指派';
  if (store.me && id === store.me.id) return `${store.me.display_name || '我'}（我）`;
  const a = store.agents.get(id);
  return a ? a.display_name || a.email || id : id;
}

export function who(author) {
  if (!author) return '—';
  if (author.kind === 'user') return agentName(author.id);
  if (author.kind === 'customer') return '顾客';
  if (author.kind === 'system') return '系统';
  return label({}, author.kind);
}

// Coarse on purpose: cards are scanned, not read, and a ticking seconds counter on every card
// would only distract.
export function ago(ms, now = Date.now()) {
  if (!ms) return '';
  const min = Math.floor(Math.max(0, now - ms) / 60000);
  if (min < 1) return '刚刚';
  if (min < 60) return `${min}分钟前`;
  const hours = Math.floor(min / 60);
  if (hours < 24) return `${hours}小时前`;
  return `${Math.floor(hours / 24)}天前`;
}

function tagList(tags) {
  return tags && tags.length ? tags.join('、') : '无';
}

// One history line in words. Unknown kinds are shown by their key so a new server-side change
// is visible rather than silently dropped.
export function describeChange(change, type) {
  const c = change || {};
  switch (c.kind) {
    case 'created':
      return `创建工单，初始状态「${stateName(c.state, type)}」`;
    case 'moved': {
      const base = `${c.transition || '流转'}：${stateName(c.from, type)} → ${stateName(c.to, type)}`;
      return c.note ? `${base}（备注：${c.note}）` : base;
    }
    case 'assigned': {
      const parts = [];
      if (c.from_department !== c.to_department) {
        parts.push(`部门：${departmentName(c.from_department)} → ${departmentName(c.to_department)}`);
      }
      if (c.from_assignee !== c.to_assignee) {
        parts.push(`处理人：${agentName(c.from_assignee)} → ${agentName(c.to_assignee)}`);
      }
      return parts.length ? parts.join('；') : '重新分配';
    }
    case 'priority':
      return `优先级：${priorityLabel(c.from)} → ${priorityLabel(c.to)}`;
    case 'commented':
      return c.public ? '回复了顾客（对客户可见）' : '添加了内部备注';
    case 'tagged':
      return `标签：${tagList(c.from)} → ${tagList(c.to)}`;
    case 'sla_warning':
      return `SLA 预警：${label(TARGET_LABELS, c.target)}即将超时`;
    case 'sla_breached':
      return `SLA 超时：${label(TARGET_LABELS, c.target)}已超时`;
    case 'escalated': {
      // The action is an internally tagged object ({action, department?}); tolerate a bare key.
      const a = typeof c.action === 'string' ? { action: c.action } : c.action || {};
      const what = label(ESCALATION_LABELS, a.action);
      return a.department ? `自动升级：${what}「${departmentName(a.department)}」` : `自动升级：${what}`;
    }
    default:
      return label({}, c.kind);
  }
}

export function matchesFilters(t) {
  const f = store.filters;
  if (t.ticket_type !== store.type) return false;
  if (f.department && t.department !== f.department) return false;
  if (f.sla && t.sla_status !== f.sla) return false;
  if (f.mine && (!store.me || t.assignee_id !== store.me.id)) return false;
  if (!f.closed && t.closed_at) return false;
  return true;
}

function stateIndex(key) {
  const wf = workflow();
  const i = wf ? wf.states.findIndex((s) => s.key === key) : -1;
  return i < 0 ? 999 : i;
}

const SORT_VALUE = {
  number: (t) => t.number,
  title: (t) => t.title || '',
  state: (t) => stateIndex(t.state),
  priority: (t) => PRIORITY_RANK[t.priority] ?? -1,
  sla: (t) => SLA_RANK[t.sla_status] ?? -1,
  updated: (t) => t.updated_at || 0,
};

export function sortedTickets() {
  const { key, dir } = store.sort;
  const value = SORT_VALUE[key] || SORT_VALUE.updated;
  const sign = dir === 'asc' ? 1 : -1;
  return [...store.tickets.values()].sort((a, b) => {
    const va = value(a);
    const vb = value(b);
    const cmp = typeof va === 'string' ? va.localeCompare(vb, 'zh-CN') : va - vb;
    // Ties fall back to the newest activity so the order stays stable across live updates.
    return cmp !== 0 ? sign * cmp : (b.updated_at || 0) - (a.updated_at || 0);
  });
}

// The server's message is English and technical; the status code says enough for a person.
export function actionError(err) {
  if (err.status === 403) return `没有权限：你的部门不能执行此操作（${err.message}）`;
  if (err.status === 409) return `工作流不允许此操作，工单可能已被他人处理（${err.message}）`;
  if (err.status === 404) return `找不到：${err.message}`;
  return err.message || '操作失败';
}
