// 设置 › 店铺: name, time zone, language, the widget (key, embed snippet, look, pre-chat
// fields), CSAT and whether supervisors may edit the knowledge base.

import { $, copy, formPage, loadCatalogue, t } from './common.js';

function snippet(key) {
  return `<script src="${location.origin}/widget.js" data-kefu-key="${key}" defer></script>`;
}

async function main() {
  await loadCatalogue('settings');
  // Hand-over: what the customer reads when a person first replies.
  $('handover-title').textContent = t('shop.handover.title');
  $('agent-joined-label').textContent = t('shop.handover.agent_joined');
  $('agent-joined-hint').textContent = t('shop.handover.agent_joined_hint');
  const page = formPage({
    form: $('shop-form'),
    summary: $('form-error'),
    url: '/api/v1/shop',
    // The version this page loaded: a save on top of someone else's newer one is a 409.
    saveUrl: (doc) => `/api/v1/shop?base_version=${doc?.version ?? 0}`,
    onLoaded: (doc) => {
      $('embed').value = snippet(doc.widget_key);
      if (/^#[0-9a-fA-F]{6}$/.test(doc.widget.color)) $('color-pick').value = doc.widget.color;
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
