// Page-level pieces every back-office page shares: the toast, and finding out who is logged in.
import { get } from './api.js';
import { loadCatalogue, setTimeZone, t } from '../i18n.js';

let toastTimer = null;
export function toast(text) {
  const box = document.getElementById('toast');
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { box.hidden = true; }, 5000);
}

// The shop's time zone, when /me names one (the shell sets it too; pages format dates
// before the shell may have finished).
function useShopTimeZone(who) {
  const shop = (who && who.shop) || {};
  const zone = shop.time_zone || shop.timezone;
  if (zone) setTimeZone(zone);
}

// The logged-in user and shop, or null. A 401 is already on its way to /login; any other
// failure is shown and `retry` runs again in 5 s, so a page survives the server restarting.
export async function whoAmI(retry) {
  try {
    const who = await get('/api/v1/me');
    useShopTimeZone(who);
    return who;
  } catch (err) {
    if (err.status !== 401) {
      await loadCatalogue('workspace');
      document.getElementById('shop-name').textContent = t('workspace-cannot_connect');
      toast(err.message);
      setTimeout(retry, 5000);
    }
    return null;
  }
}
