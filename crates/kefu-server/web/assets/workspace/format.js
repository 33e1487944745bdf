// Labels and time formatting shared by the workspace modules. The API speaks in enum values
// and unix milliseconds; everything a person reads is decided here, in one place.

export const ROLE_LABELS = { owner: '店主', admin: '管理员', supervisor: '主管', agent: '客服' };
export const USER_STATUS_LABELS = { online: '在线', busy: '忙碌', away: '离开', offline: '离线' };
export const CHANNEL_LABELS = {
  widget: '网页',
  dm: '私信',
  comment: '评论',
  order_message: '订单消息',
  live: '直播',
  email: '邮件',
  api: 'API',
};
export const CONVERSATION_STATUS_LABELS = {
  bot: '机器人接待',
  queued: '排队中',
  assigned: '接待中',
  resolved: '已解决',
  closed: '已关闭',
};
export const SOURCE_LABELS = {
  bot_only: '仅机器人',
  bot_to_human: '机器人转人工',
  human_only: '人工',
};
export const SENDER_LABELS = {
  customer: '顾客', agent: '客服', bot: '机器人', system: '系统', note: '内部备注',
};
// One glyph per channel so a row says where the customer is at a glance, even when the label
// is cut off; the label stays beside it for anyone who does not know the glyphs.
export const CHANNEL_ICONS = {
  widget: '🌐',
  dm: '💬',
  comment: '🗨',
  order_message: '📦',
  live: '📺',
  email: '✉',
  api: '🔌',
};

// A channel tag: glyph + label, with the raw value kept for tests and styling.
export function channelTag(channel) {
  return h('span', { class: 'channel-tag', dataset: { channel: channel || '' }, title: label(CHANNEL_LABELS, channel) },
    h('span', { class: 'channel-icon', 'aria-hidden': 'true' }, CHANNEL_ICONS[channel] || '•'),
    label(CHANNEL_LABELS, channel));
}

// Unknown values are shown raw rather than hidden: a new enum value on the server should be
// visible, not silently blank.
export function label(table, value) {
  if (value === null || value === undefined || value === '') return '—';
  return table[value] || String(value);
}

export function isOpen(conv) {
  return conv.status !== 'resolved' && conv.status !== 'closed';
}

function pad(n) {
  return n < 10 ? `0${n}` : String(n);
}

// Compact "how long ago / how long waiting" for list rows, which refresh every second.
export function elapsed(ms, now = Date.now()) {
  if (!ms) return '';
  const s = Math.max(0, Math.floor((now - ms) / 1000));
  if (s < 60) return `${s}秒`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}分${pad(s % 60)}秒`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}小时${pad(m % 60)}分`;
  return `${Math.floor(h / 24)}天`;
}

export function clockTime(ms) {
  const d = new Date(ms);
  const now = new Date();
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  if (d.toDateString() === now.toDateString()) return hm;
  return `${d.getMonth() + 1}月${d.getDate()}日 ${hm}`;
}

export function fullTime(ms) {
  if (!ms) return '—';
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} `
    + `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

// Tiny element builder so that user content can only ever enter the DOM as text.
export function h(tag, attrs, ...children) {
  const node = document.createElement(tag);
  if (attrs) {
    for (const [key, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) continue;
      if (key === 'class') node.className = value;
      else if (key === 'dataset') Object.assign(node.dataset, value);
      else if (key.startsWith('on') && typeof value === 'function') {
        node.addEventListener(key.slice(2), value);
      } else node.setAttribute(key, value === true ? '' : String(value));
    }
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}
