// Login page. It must work before any session exists, so it uses nothing but the catalogue
// (public assets). Its language is the browser's, or the one picked with the switch on the page.

import { currentLanguage, fillText, loadCatalogue, setLanguage, t } from './i18n.js';

const form = document.getElementById('login-form');
const email = document.getElementById('login-email');
const password = document.getElementById('login-password');
const errorBox = document.getElementById('login-error');
const submit = document.getElementById('login-submit');

function showError(text) {
  errorBox.textContent = text;
  errorBox.hidden = !text;
}

// The server's message is written for humans, so prefer it over a generic one.
async function errorText(res) {
  try {
    const body = await res.json();
    if (body && body.error && body.error.message) return body.error.message;
  } catch (_) {
    // Non-JSON body (a proxy error page, for instance): fall through.
  }
  if (res.status === 401) return t('onboard-login-wrong');
  if (res.status === 429) return t('onboard-login-too-many');
  return t('onboard-login-failed', { status: res.status });
}

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  showError('');
  const payload = { email: email.value.trim(), password: password.value };
  if (!payload.email || !payload.password) {
    showError(t('onboard-login-missing'));
    (payload.email ? password : email).focus();
    return;
  }
  submit.disabled = true;
  submit.textContent = t('onboard-signing-in');
  try {
    const res = await fetch('/api/v1/auth/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      credentials: 'same-origin',
      body: JSON.stringify(payload),
    });
    if (res.ok) {
      location.assign('/workspace');
      return;
    }
    showError(await errorText(res));
    password.select();
  } catch (_) {
    showError(t('onboard-offline'));
  } finally {
    submit.disabled = false;
    submit.textContent = t('onboard-sign-in');
  }
});

// The demo accounts are listed only while the demo shop exists.
async function showDemoAccounts() {
  let demo;
  try {
    const res = await fetch('/api/v1/auth/demo', { headers: { Accept: 'application/json' } });
    if (!res.ok) return;
    demo = await res.json();
  } catch (_) {
    return;
  }
  if (!demo.demo || !demo.accounts.length) return;
  document.getElementById('demo-password').textContent = demo.password;
  const list = document.getElementById('demo-list');
  for (const account of demo.accounts) {
    const li = document.createElement('li');
    const btn = document.createElement('button');
    btn.type = 'button';
    btn.className = 'linklike demo-login';
    btn.textContent = account.email;
    btn.addEventListener('click', () => {
      email.value = account.email;
      password.value = demo.password;
      showError('');
      submit.focus();
    });
    const role = document.createElement('span');
    role.textContent = t(`onboard-role-${account.role}`);
    li.append(btn, role);
    list.append(li);
  }
  document.getElementById('demo-hint').hidden = false;
}

/** The 中文 / English switch: remembered in this browser, applied by reloading. */
function wireLanguageSwitch() {
  const current = currentLanguage();
  for (const button of document.querySelectorAll('#lang-switch [data-lang]')) {
    if (button.dataset.lang === current) button.setAttribute('aria-current', 'true');
    button.addEventListener('click', () => {
      if (button.dataset.lang === currentLanguage()) return;
      setLanguage(button.dataset.lang);
      location.reload();
    });
  }
}

async function start() {
  await loadCatalogue('onboard');
  fillText();
  wireLanguageSwitch();
  await showDemoAccounts();
}

start();
