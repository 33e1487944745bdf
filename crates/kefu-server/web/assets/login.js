// Login page. Kept dependency-free on purpose: it must work before any session exists.

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
  if (res.status === 401) return '邮箱或密码不正确';
  if (res.status === 429) return '尝试次数过多，请稍后再试';
  return `登录失败（HTTP ${res.status}）`;
}

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  showError('');
  const payload = { email: email.value.trim(), password: password.value };
  if (!payload.email || !payload.password) {
    showError('请输入邮箱和密码');
    (payload.email ? password : email).focus();
    return;
  }
  submit.disabled = true;
  submit.textContent = '登录中…';
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
    showError('无法连接服务器，请检查网络后重试');
  } finally {
    submit.disabled = false;
    submit.textContent = '登录';
  }
});

const ROLE = { owner: '店主', admin: '管理员', supervisor: '主管', agent: '客服' };

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
    role.textContent = ROLE[account.role] || account.role;
    li.append(btn, role);
    list.append(li);
  }
  document.getElementById('demo-hint').hidden = false;
}

showDemoAccounts();
