// The demo shop page (/demo): its words from the widget's catalogue area, in the visitor's
// language, like the widget on it. Prices are in yuan, shown with Intl.

import { currentLanguage, fillText, loadCatalogue } from '/assets/i18n.js';

async function main() {
  await loadCatalogue('widget');
  fillText();
  const lang = currentLanguage();
  const money = new Intl.NumberFormat(lang, { style: 'currency', currency: 'CNY', maximumFractionDigits: 0 });
  for (const node of document.querySelectorAll('[data-money]')) node.textContent = money.format(Number(node.dataset.money));
  for (const node of document.querySelectorAll('[data-number]')) node.textContent = new Intl.NumberFormat(lang).format(Number(node.dataset.number));
}

main();
