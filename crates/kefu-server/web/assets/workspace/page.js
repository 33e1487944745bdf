// Page-level pieces every back-office page shares: the toast, and finding out who is logged in.
import { get } from './api.js';

let toastTimer = null;
export function toast(text) {
  const box = document.getElementById('toast');
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { box.hidden = true; }, 5000);
}

// The logged-in user and shop, or null. A 401 is already on its way to /login; any other
// failure is shown and `retry` runs again in 5 s, so a page survives the server restarting.
export async function whoAmI(retry) {
  try {
    return await get('/api/v1/me');
  } catch (err) {
    if (err.status !== 401) {
      document.getElementById('shop-name').textContent = '无法连接服务器';
      toast(err.message);
      setTimeout(retry, 5000);
    }
    return null;
  }
}
