// Thin fetch wrapper shared by every signed-in page (re-exported by shell.js): same-origin
// cookie auth, JSON in and out, errors as ApiError carrying the server's
// `{error:{code,message,details}}` so forms can show each problem at its field.
import { currentLanguage, loadCatalogue, t } from './i18n.js';

// The words for failures the server cannot word itself (no answer, an answer without a body),
// loaded once with the module so they are there when the network is not.
const words = loadCatalogue('shell').catch(() => {});

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details === undefined ? null : details;
  }
}

// A lost session can surface on any call; sending the agent to the login page is the only
// useful reaction, and doing it here keeps every caller free of that check.
function toLogin() {
  location.assign('/login');
}

// The server sets a readable `kefu_csrf` cookie at login and wants it echoed in a header on
// every state-changing request: a page on another site can send our cookies but cannot read them.
export function csrfToken() {
  const m = document.cookie.match(/(?:^|;\s*)kefu_csrf=([^;]+)/);
  return m ? decodeURIComponent(m[1]) : '';
}

export async function api(method, path, body) {
  const init = {
    method,
    credentials: 'same-origin',
    // Errors come back in the page's language (a signed-in person's saved one wins server-side).
    headers: { Accept: 'application/json', 'Accept-Language': currentLanguage() },
  };
  if (method !== 'GET') init.headers['X-CSRF-Token'] = csrfToken();
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (_) {
    await words;
    throw new ApiError(0, 'network', t('error-network'));
  }
  if (res.status === 401) {
    toLogin();
    await words;
    throw new ApiError(401, 'unauthorized', t('error-session'));
  }
  if (res.status === 204) return null;
  let data = null;
  try {
    data = await res.json();
  } catch (_) {
    data = null;
  }
  if (!res.ok) {
    const err = data && data.error;
    await words;
    throw new ApiError(res.status, (err && err.code) || 'http_error',
      (err && err.message) || t('error-http', { status: res.status }), err && err.details);
  }
  return data;
}

export const get = (path) => api('GET', path);
export const post = (path, body) => api('POST', path, body);
export const put = (path, body) => api('PUT', path, body);
