// The one-time-link pages (first-run setup, accepting an invitation, password reset): check the
// link, then one form. Works before any session exists; a bad link gets a page that says why and
// what to do. The words follow the browser's language (or the login page's switch).

import { currentLanguage, fillText, loadCatalogue, t } from './i18n.js';

const page = document.body.dataset.page;
const token = new URLSearchParams(location.search).get('token') || '';
const KIND = { setup: 'setup', invite: 'invitation', reset: 'reset' };
const ENDPOINT = { setup: '/api/v1/setup', invite: '/api/v1/invitations/accept', reset: '/api/v1/password-resets/redeem' };
const PROBLEMS = ['token_unknown', 'token_used', 'token_expired'];

const $ = (id) => document.getElementById(id);
const form = $('onboard-form');
const errorBox = $('form-error');

function csrfHeader() {
  const m = document.cookie.match(/(?:^|;\s*)kefu_csrf=([^;]+)/);
  return m ? { 'X-CSRF-Token': m[1] } : {};
}

async function post(path, body) {
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...csrfHeader() },
    credentials: 'same-origin',
    body: JSON.stringify(body),
  });
  let data = null;
  try { data = await res.json(); } catch (_) { /* not JSON */ }
  return { res, data };
}

/** The page's own words for a link problem the server reported, else the server's. */
function problemText(code, serverMessage) {
  return PROBLEMS.includes(code) ? t(`onboard-${code}-help`) : serverMessage;
}

function showProblem(code, message) {
  $('link-checking').hidden = true;
  form.hidden = true;
  $('link-problem').hidden = false;
  $('link-problem-title').textContent = t(PROBLEMS.includes(code) ? `onboard-${code}` : 'onboard-problem');
  $('link-problem-text').textContent = message || t('onboard-ask-admin');
}

function showError(text) {
  errorBox.textContent = text;
  errorBox.hidden = !text;
}

function describe(info) {
  if (page === 'invite') {
    return t('onboard-invited-as', { shop: info.shop_name || '', role: t(`onboard-role-${info.role || 'agent'}`) });
  }
  if (page === 'reset') return t('onboard-reset-for', { shop: info.shop_name || '' });
  return '';
}

async function start() {
  await loadCatalogue('onboard');
  fillText();
  // A new shop speaks its owner's language unless they choose otherwise.
  if (page === 'setup') $('shop-language').value = currentLanguage();
  if (!token) {
    showProblem('token_unknown', t('onboard-no-token'));
    return;
  }
  let checked;
  try {
    checked = await post('/api/v1/links/check', { token });
  } catch (_) {
    showProblem('', t('onboard-check-offline'));
    return;
  }
  const { res, data } = checked;
  if (!res.ok) {
    showProblem(data?.error?.code, problemText(data?.error?.code, data?.error?.message));
    return;
  }
  if (data.kind !== KIND[page]) {
    showProblem('token_unknown', t('onboard-wrong-page'));
    return;
  }
  $('link-checking').hidden = true;
  $('link-info').textContent = describe(data);
  if (page !== 'setup') $('owner-email').value = data.email;
  if ($('display-name') && data.display_name) $('display-name').value = data.display_name;
  form.hidden = false;
  (page === 'setup' ? $('shop-name') : ($('display-name') || $('new-password'))).focus();
}

function payload() {
  const password = $('new-password').value;
  if (password !== $('new-password-again').value) throw new Error(t('onboard-password-mismatch'));
  if (page === 'setup') {
    const body = {
      token,
      shop_name: $('shop-name').value.trim(),
      time_zone: $('shop-time-zone').value,
      language: $('shop-language').value,
      email: $('owner-email').value.trim(),
      display_name: $('display-name').value.trim(),
      password,
    };
    if (!body.shop_name || !body.email || !body.display_name) throw new Error(t('onboard-setup-missing'));
    return body;
  }
  if (page === 'invite') {
    const display_name = $('display-name').value.trim();
    if (!display_name) throw new Error(t('onboard-name-missing'));
    return { token, display_name, password };
  }
  return { token, password };
}

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  showError('');
  let body;
  try {
    body = payload();
  } catch (e) {
    showError(e.message);
    return;
  }
  const submit = $('onboard-submit');
  submit.disabled = true;
  try {
    const { res, data } = await post(ENDPOINT[page], body);
    if (res.ok) {
      const admin = data?.user?.role === 'owner' || data?.user?.role === 'admin';
      location.assign(page === 'setup' || admin ? '/settings/people' : '/workspace');
      return;
    }
    const code = data?.error?.code || '';
    if (code.startsWith('token_')) showProblem(code, problemText(code, data.error.message));
    else showError(data?.error?.message || t('onboard-submit-failed', { status: res.status }));
  } catch (_) {
    showError(t('onboard-offline'));
  } finally {
    submit.disabled = false;
  }
});

start();
