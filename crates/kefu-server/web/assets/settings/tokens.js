// 设置 › API 令牌: scoped tokens for integrations; the secret is shown once.

import { $, api, copy, fieldError, loadCatalogue, t, toast, when } from './common.js';

const SCOPES = {
  'conversations:read': '读取会话与客户', 'conversations:write': '回复、分配、结束会话', 'inbound:write': '推送客户消息、订单、商品',
  'tokens:manage': '管理令牌', 'settings:manage': '修改设置', 'people:manage': '管理人员', 'pii:reveal': '查看完整隐私信息',
  'audit:read': '读取审计日志', 'analytics:read': '读取数据看板', 'kb:write': '编辑知识库',
};

function row(tok) {
  const tr = document.createElement('tr');
  const cells = [tok.name, tok.scopes.map((s) => SCOPES[s] || s).join('、'), when(tok.created_at), tok.revoked_at ? `已吊销 ${when(tok.revoked_at)}` : '有效'];
  for (const c of cells) tr.append(Object.assign(document.createElement('td'), { textContent: c }));
  const tools = document.createElement('td');
  if (!tok.revoked_at) {
    const b = Object.assign(document.createElement('button'), { type: 'button', className: 'btn btn-small btn-danger', textContent: '吊销' });
    b.addEventListener('click', async () => {
      if (!confirm(`吊销「${tok.name}」？使用它的集成会立即失效。`)) return;
      await api('DELETE', `/api/v1/tokens/${encodeURIComponent(tok.id)}`);
      await load();
    });
    tools.append(b);
  }
  tr.append(tools);
  return tr;
}

async function load() {
  const list = await api('GET', '/api/v1/tokens');
  $('token-rows').replaceChildren(...list.tokens.map(row));
}

async function create(e) {
  e.preventDefault();
  const scopes = [...document.querySelectorAll('#token-scopes input:checked')].map((b) => b.value);
  fieldError($('token-name'), '');
  fieldError($('token-scopes'), '');
  if (!$('token-name').value.trim()) return fieldError($('token-name'), '请填写名称');
  if (!scopes.length) return fieldError($('token-scopes'), '至少选择一项权限');
  try {
    const made = await api('POST', '/api/v1/tokens', { name: $('token-name').value, scopes });
    $('token-secret').value = made.secret;
    $('token-issued').hidden = false;
    toast(t('saved'));
    $('token-name').value = '';
    await load();
  } catch (err) {
    fieldError(/scope/.test(err.message) ? $('token-scopes') : $('token-name'), err.message);
  }
}

async function main() {
  await loadCatalogue('settings');
  // The page is for owners and admins, who hold every scope (a scope they lack is refused).
  for (const [scope, label] of Object.entries(SCOPES)) {
    const box = Object.assign(document.createElement('input'), { type: 'checkbox', value: scope });
    const l = document.createElement('label');
    l.append(box, ` ${label}（${scope}）`);
    $('token-scopes').append(l);
  }
  $('token-form').addEventListener('submit', create);
  $('token-copy').addEventListener('click', () => copy($('token-secret').value));
  await load();
}

main();
