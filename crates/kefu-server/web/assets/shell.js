// The shell every signed-in page shares: the top navigation (filtered by role), the user menu
// (status and 接待, language, notifications, logout), the settings side menu, the service worker. Pages put
// `<header id="shell"></header>` first in <body> and `data-page` (+ `data-section`) on <body>;
// see docs/ARCHITECTURE.md "Web UI" for the contract.
//
// The skeleton (with the ids older page scripts fill: shop-name, me-name, me-role) is drawn
// synchronously when this module runs, so page modules that run after it always find it.

import { api } from './api.js';
import { LANGUAGES, currentLanguage, loadCatalogue, setLanguage, setTimeZone, t } from './i18n.js';

export { api, ApiError, csrfToken, get, post, put } from './api.js';
export { t, loadCatalogue } from './i18n.js';

/** Top navigation: key, href, and who sees it. */
const NAV = [
  { key: 'workspace', href: '/workspace', roles: null },
  { key: 'history', href: '/history', roles: null },
  { key: 'tickets', href: '/tickets', roles: null },
  { key: 'kb', href: '/kb', roles: null },
  { key: 'analytics', href: '/analytics', roles: ['supervisor', 'admin', 'owner'] },
  { key: 'settings', href: '/settings', roles: ['admin', 'owner'] },
];

/** The settings console's sections, in menu order. */
export const SETTINGS_SECTIONS = [
  'people', 'shop', 'routing', 'hours', 'channels', 'phrases', 'words', 'tickets', 'alerts', 'tokens', 'audit',
];

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) if (c) node.append(c);
  return node;
}

const page = document.body.dataset.page || '';
const section = document.body.dataset.section || '';

function drawSkeleton(host) {
  host.classList.add('shell');
  host.replaceChildren(
    el('a', { class: 'shell-brand', href: '/workspace' },
      el('span', { class: 'brand-mark', 'aria-hidden': 'true' }),
      el('span', { id: 'shop-name', class: 'shop-name', text: 'kefu' })),
    el('button', { id: 'shell-menu-button', class: 'shell-menu-button btn btn-ghost', type: 'button', 'aria-expanded': 'false', 'aria-controls': 'shell-nav' }),
    el('nav', { id: 'shell-nav', class: 'shell-nav' }),
    el('div', { class: 'shell-user' },
      el('button', { id: 'user-menu-button', class: 'user-menu-button btn btn-ghost', type: 'button', 'aria-haspopup': 'true', 'aria-expanded': 'false', 'aria-controls': 'user-menu' },
        el('span', { id: 'me-dot', class: 'me-dot', 'aria-hidden': 'true' }),
        el('span', { id: 'me-name', class: 'me-name' }),
        el('span', { id: 'me-role', class: 'role-tag' })),
      el('div', { id: 'user-menu', class: 'user-menu card', hidden: true })),
  );
}

function drawNav(role) {
  const nav = document.getElementById('shell-nav');
  nav.setAttribute('aria-label', t('nav-label'));
  nav.replaceChildren(...NAV.filter((i) => !i.roles || i.roles.includes(role)).map((i) => el('a', {
    class: 'shell-link', href: i.href, 'data-key': i.key, 'aria-current': i.key === page ? 'page' : null, text: t(`nav-${i.key}`),
  })));
  const button = document.getElementById('shell-menu-button');
  button.textContent = t('nav-menu');
  button.addEventListener('click', () => {
    const open = !nav.classList.contains('open');
    nav.classList.toggle('open', open);
    button.setAttribute('aria-expanded', String(open));
  });
}

function notifyLabel() {
  if (!('Notification' in window)) return t('user-notify-unsupported');
  if (Notification.permission === 'granted') return t('user-notify-on');
  if (Notification.permission === 'denied') return t('user-notify-denied');
  return t('user-notify');
}

/** The status a person may choose; `offline` follows from closing the workspace. */
const STATUSES = ['online', 'busy', 'away'];
const MANAGERS = ['owner', 'admin', 'supervisor'];

/**
 * Status (在线/忙碌/离开) and, for owners, admins and supervisors, 接待: chosen here on every
 * page, kept by the server and applied whenever the workspace is open. The dot on the menu
 * button shows whether routing gives this person conversations right now.
 */
function drawSeat(who) {
  let seat = who.seat || { status: 'online', takes_chats: who.user.role === 'agent' };
  let live = document.body.dataset.presence || who.user.status;
  const status = el('select', { id: 'me-status' },
    ...STATUSES.map((v) => el('option', { value: v, text: t(`status-${v}`) })));
  const taking = el('input', { id: 'takes-chats', type: 'checkbox' });
  const hint = el('p', { id: 'me-status-hint', class: 'user-menu-hint muted' });
  const paint = () => {
    status.value = seat.status;
    taking.checked = Boolean(seat.takes_chats);
    const serving = seat.takes_chats ? seat.status : 'off';
    document.getElementById('me-dot').dataset.status = live === 'offline' ? 'offline' : serving;
    document.getElementById('user-menu-button').title = t(`status-dot-${live === 'offline' ? 'offline' : serving}`);
    hint.textContent = !seat.takes_chats ? t('status-hint-not_taking')
      : (live === 'offline' && page !== 'workspace' ? t('status-hint-closed') : '');
    hint.hidden = !hint.textContent;
  };
  const choose = async (change, control) => {
    control.disabled = true;
    try {
      const answer = await api('PUT', '/api/v1/me/status', change);
      seat = answer.seat;
      live = answer.user.status;
      document.dispatchEvent(new CustomEvent('kefu:seat', { detail: answer }));
    } catch (err) {
      toast(t('status-failed', { message: err.message }));
    } finally {
      control.disabled = false;
      paint();
    }
  };
  status.addEventListener('change', () => choose({ status: status.value }, status));
  taking.addEventListener('change', () => choose({ takes_chats: taking.checked }, taking));
  // The workspace tells the shell what its socket made of the choice (online once connected).
  document.addEventListener('kefu:presence', (ev) => { live = ev.detail; paint(); });
  paint();
  const nodes = [el('label', { class: 'field' }, el('span', { text: t('status-label') }), status)];
  if (MANAGERS.includes(who.user.role)) {
    nodes.push(el('label', { class: 'switch-row' }, taking, el('span', { text: t('status-takes_chats') })));
  }
  nodes.push(hint);
  return nodes;
}

function drawUserMenu(who) {
  const me = who.user;
  const menu = document.getElementById('user-menu');
  const button = document.getElementById('user-menu-button');
  button.setAttribute('aria-label', t('user-menu'));
  document.getElementById('me-name').textContent = me.display_name || me.email;
  document.getElementById('me-role').textContent = t(`role-${me.role}`);
  const language = el('select', { id: 'language-select' },
    ...LANGUAGES.map(([v, name]) => el('option', { value: v, selected: v === currentLanguage(), lang: v, text: name })));
  language.addEventListener('change', async () => {
    // Saved for the person (every browser they use, and API errors), then for this browser;
    // the reload redraws every page in it.
    language.disabled = true;
    try {
      await api('PUT', '/api/v1/me/language', { language: language.value });
      setLanguage(language.value);
      location.reload();
    } catch (err) {
      language.disabled = false;
      language.value = currentLanguage();
      toast((err && err.message) || t('error-network'));
    }
  });
  const notify = el('button', { id: 'notify-button', class: 'btn btn-ghost menu-item', type: 'button', text: notifyLabel() });
  notify.disabled = !('Notification' in window) || Notification.permission !== 'default';
  notify.addEventListener('click', async () => {
    await Notification.requestPermission();
    notify.textContent = notifyLabel();
    notify.disabled = Notification.permission !== 'default';
  });
  const logout = el('button', { id: 'logout-button', class: 'btn btn-ghost menu-item', type: 'button', text: t('user-logout') });
  logout.addEventListener('click', async () => {
    try {
      await api('POST', '/api/v1/auth/logout');
    } catch (_) {
      // Leave anyway: the login page is the right place even if the call failed.
    }
    location.assign('/login');
  });
  menu.replaceChildren(
    el('p', { class: 'user-menu-who' }, el('strong', { text: me.display_name || '' }), el('span', { class: 'muted', text: me.email })),
    ...drawSeat(who),
    el('label', { class: 'field' }, el('span', { text: t('user-language') }), language),
    notify,
    logout,
  );
  button.addEventListener('click', () => {
    menu.hidden = !menu.hidden;
    button.setAttribute('aria-expanded', String(!menu.hidden));
  });
  document.addEventListener('click', (ev) => {
    if (!menu.hidden && !ev.target.closest('.shell-user')) {
      menu.hidden = true;
      button.setAttribute('aria-expanded', 'false');
    }
  });
  document.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape' && !menu.hidden) {
      menu.hidden = true;
      button.setAttribute('aria-expanded', 'false');
      button.focus();
    }
  });
}

/** The settings side menu: links on desktop, a select on phones. */
function drawSettingsMenu() {
  const host = document.getElementById('settings-menu');
  if (!host) return;
  const nav = el('nav', { id: 'settings-nav', class: 'settings-nav', 'aria-label': t('settings-label') },
    ...SETTINGS_SECTIONS.map((s) => el('a', {
      href: `/settings/${s}`, 'data-section': s, 'aria-current': s === section ? 'page' : null, text: t(`settings-${s}`),
    })));
  const select = el('select', { id: 'settings-select', class: 'settings-select', 'aria-label': t('settings-section') },
    ...SETTINGS_SECTIONS.map((s) => el('option', { value: s, selected: s === section, text: t(`settings-${s}`) })));
  select.addEventListener('change', () => location.assign(`/settings/${select.value}`));
  host.replaceChildren(select, nav);
}

/** Show a short message at the bottom of the page (uses the page's #toast if it has one). */
let toastTimer = null;
export function toast(text) {
  let box = document.getElementById('toast');
  if (!box) {
    box = el('div', { id: 'toast', class: 'toast', role: 'alert' });
    document.body.append(box);
  }
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { box.hidden = true; }, 5000);
}

/**
 * A desktop/phone notification, only while this tab is hidden and the person allowed it.
 * Goes through the service worker where there is one: Android Chrome has no `new Notification`.
 */
export async function notify(title, body, tag) {
  if (!document.hidden || !('Notification' in window) || Notification.permission !== 'granted') return false;
  const options = { body, tag, icon: '/assets/icons/icon.svg' };
  try {
    const reg = 'serviceWorker' in navigator ? await navigator.serviceWorker.getRegistration() : null;
    if (reg) await reg.showNotification(title, options);
    else new Notification(title, options); // eslint-disable-line no-new
    return true;
  } catch (_) {
    return false;
  }
}

function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register('/sw.js').catch(() => {
    // Without a service worker the pages work the same; only install and offline shell are lost.
  });
}

async function boot() {
  await loadCatalogue('shell');
  drawSettingsMenu();
  const who = await api('GET', '/api/v1/me');
  setTimeZone(who.time_zone);
  if (who.language && who.language !== currentLanguage()) {
    // The person chose a language elsewhere: follow it in this browser. Reload only once the
    // choice is stored, so a browser without storage is not reloaded forever.
    setLanguage(who.language);
    if (currentLanguage() === who.language) {
      location.reload();
      return new Promise(() => {});
    }
  }
  document.getElementById('shop-name').textContent = (who.shop && who.shop.name) || 'kefu';
  drawNav(who.user.role);
  drawUserMenu(who);
  document.getElementById('shell').dataset.ready = 'true';
  return who;
}

const host = document.getElementById('shell');
if (host) drawSkeleton(host);

/** Resolves to `GET /api/v1/me` once the shell is drawn (pages may reuse it). */
export const ready = host ? boot() : Promise.reject(new Error('no #shell on this page'));
ready.catch((err) => {
  if (err && err.status !== 401) toast((err && err.message) || t('error-network'));
});
registerServiceWorker();
