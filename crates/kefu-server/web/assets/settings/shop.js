// Settings › Shop: name, time zone, language, the widget (key, embed snippet, look, pre-chat
// fields), CSAT and whether supervisors may edit the knowledge base.

import { $, api, copy, fillText, formPage, loadCatalogue, noteText, t, when } from './common.js';

function snippet(key) {
  return `<script src="${location.origin}/widget.js" data-kefu-key="${key}" defer></script>`;
}

/// The page's kept versions: who saved, when and what kind of change (the newest first).
async function loadHistory() {
  const { current, versions } = await api('GET', '/api/v1/shop/versions');
  const line = (v) => {
    const li = document.createElement('li');
    li.className = 'history-item sub';
    li.textContent = `${v.version === current ? t('common-in_parens', { text: t('history-version', { n: v.version }), detail: t('history-current') }) : t('history-version', { n: v.version })} · ${v.author || t('history-system')} · ${when(v.created_at)} · ${noteText(v.note)}`;
    return li;
  };
  const empty = Object.assign(document.createElement('li'), { className: 'sub', textContent: t('history-empty') });
  $('shop-history').replaceChildren(...(versions.length ? versions.map(line) : [empty]));
}

async function main() {
  await loadCatalogue('settings');
  fillText();
  // Hand-over: what the customer reads when a person first replies.
  $('handover-title').textContent = t('shop-handover-title');
  $('agent-joined-label').textContent = t('shop-handover-agent_joined');
  $('agent-joined-hint').textContent = t('shop-handover-agent_joined_hint');
  document.querySelector('[data-t="shop-history-title"]').textContent = t('shop-history-title');
  const page = formPage({
    form: $('shop-form'),
    summary: $('form-error'),
    url: '/api/v1/shop',
    // The version this page loaded: a save on top of someone else's newer one is a 409.
    saveUrl: (doc) => `/api/v1/shop?base_version=${doc?.version ?? 0}`,
    onLoaded: (doc) => {
      $('embed').value = snippet(doc.widget_key);
      if (/^#[0-9a-fA-F]{6}$/.test(doc.widget.color)) $('color-pick').value = doc.widget.color;
      loadHistory().catch(() => { /* the form works without its history */ });
    },
  });
  $('embed-copy').addEventListener('click', () => copy($('embed').value));
  $('color-pick').addEventListener('input', () => { $('color').value = $('color-pick').value; });
  try {
    await page.load();
  } catch (e) {
    $('form-error').textContent = t('load_failed', { message: e.message });
    $('form-error').hidden = false;
  }
}

main();
