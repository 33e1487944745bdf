// Settings › API tokens: scoped tokens for integrations; the secret is shown once.

import { $, api, copy, fieldError, fillText, joinList, loadCatalogue, t, toast, when } from './common.js';

/// The scopes a token can hold, each described in the catalogue (`tokens-scope-conversations_read`…).
const SCOPES = ['conversations:read', 'conversations:write', 'inbound:write', 'tokens:manage', 'settings:manage', 'people:manage', 'pii:reveal', 'audit:read', 'analytics:read', 'kb:write'];
const scopeName = (s) => (SCOPES.includes(s) ? t(`tokens-scope-${s.replace(':', '_')}`) : s);

function row(tok) {
  const tr = document.createElement('tr');
  const cells = [tok.name, joinList(tok.scopes.map(scopeName)), when(tok.created_at), tok.revoked_at ? t('tokens-revoked_at', { at: when(tok.revoked_at) }) : t('tokens-active')];
  for (const c of cells) tr.append(Object.assign(document.createElement('td'), { textContent: c }));
  const tools = document.createElement('td');
  if (!tok.revoked_at) {
    const b = Object.assign(document.createElement('button'), { type: 'button', className: 'btn btn-small btn-danger', textContent: t('tokens-revoke') });
    b.addEventListener('click', async () => {
      if (!confirm(t('tokens-confirm_revoke', { name: tok.name }))) return;
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
  if (!$('token-name').value.trim()) return fieldError($('token-name'), t('common-need_name'));
  if (!scopes.length) return fieldError($('token-scopes'), t('tokens-need_scope'));
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
  fillText();
  // The page is for owners and admins, who hold every scope (a scope they lack is refused).
  for (const scope of SCOPES) {
    const box = Object.assign(document.createElement('input'), { type: 'checkbox', value: scope });
    const l = document.createElement('label');
    l.append(box, ` ${t('common-in_parens', { text: scopeName(scope), detail: scope })}`);
    $('token-scopes').append(l);
  }
  $('token-form').addEventListener('submit', create);
  $('token-copy').addEventListener('click', () => copy($('token-secret').value));
  await load();
}

main();
