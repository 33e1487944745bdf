// The one-time-link pages (首次设置, 接受邀请, 重置密码): check the link, then one form.
// Works before any session exists; a bad link gets a page that says why and what to do.

const page = document.body.dataset.page;
const token = new URLSearchParams(location.search).get('token') || '';
const KIND = { setup: 'setup', invite: 'invitation', reset: 'reset' };
const ENDPOINT = { setup: '/api/v1/setup', invite: '/api/v1/invitations/accept', reset: '/api/v1/password-resets/redeem' };
const ROLE = { owner: '店主', admin: '管理员', supervisor: '主管', agent: '客服' };
const PROBLEM = { token_unknown: '链接无效', token_used: '链接已经用过', token_expired: '链接已过期' };

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

function showProblem(code, message) {
  $('link-checking').hidden = true;
  form.hidden = true;
  $('link-problem').hidden = false;
  $('link-problem-title').textContent = PROBLEM[code] || '链接无法使用';
  $('link-problem-text').textContent = message || '请联系店铺管理员重新发送链接。';
}

function showError(text) {
  errorBox.textContent = text;
  errorBox.hidden = !text;
}

function describe(info) {
  if (page === 'invite') {
    return `你受邀加入「${info.shop_name || ''}」，角色：${ROLE[info.role] || '客服'}。`;
  }
  if (page === 'reset') return `为「${info.shop_name || ''}」的账号设置新密码。`;
  return '';
}

async function start() {
  if (!token) {
    showProblem('token_unknown', '链接里缺少 token：请从收到的完整链接打开此页。');
    return;
  }
  let checked;
  try {
    checked = await post('/api/v1/links/check', { token });
  } catch (_) {
    showProblem('', '无法连接服务器，请检查网络后刷新重试。');
    return;
  }
  const { res, data } = checked;
  if (!res.ok) {
    showProblem(data?.error?.code, data?.error?.message);
    return;
  }
  if (data.kind !== KIND[page]) {
    showProblem('token_unknown', '这个链接不是用于此页面的，请确认打开的是收到的原链接。');
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
  if (password !== $('new-password-again').value) throw new Error('两次输入的密码不一致');
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
    if (!body.shop_name || !body.email || !body.display_name) throw new Error('请填写店铺名称、邮箱和显示名称');
    return body;
  }
  if (page === 'invite') {
    const display_name = $('display-name').value.trim();
    if (!display_name) throw new Error('请填写显示名称');
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
    if (code.startsWith('token_')) showProblem(code, data.error.message);
    else showError(data?.error?.message || `提交失败（HTTP ${res.status}）`);
  } catch (_) {
    showError('无法连接服务器，请检查网络后重试');
  } finally {
    submit.disabled = false;
  }
});

start();
