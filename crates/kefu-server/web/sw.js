// kefu's service worker: keeps the shell (static pages, scripts, styles, icons, catalogues)
// available so the app installs and opens on a flaky phone connection. It never answers or
// stores anything from /api/ or /ws/: those carry customers' data and must always be live.

const CACHE = 'kefu-shell-v1';
const SHELL = [
  '/assets/shell.css', '/assets/shell.js', '/assets/api.js', '/assets/i18n.js',
  '/assets/i18n/zh-CN/shell.json', '/assets/app.css', '/assets/icons/icon.svg', '/manifest.webmanifest',
];
// Pages that are static HTML (their data comes from /api/ afterwards). Server-rendered pages
// with numbers in them (/analytics) are not kept.
const STATIC_PAGES = ['/workspace', '/tickets', '/kb', '/login'];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

/** Whether a request may be answered from and kept in the cache. */
function cacheable(url, request) {
  if (request.method !== 'GET' || url.origin !== self.location.origin) return false;
  if (url.pathname.startsWith('/api/') || url.pathname.startsWith('/ws/')) return false;
  return url.pathname.startsWith('/assets/') || url.pathname === '/manifest.webmanifest'
    || STATIC_PAGES.includes(url.pathname) || url.pathname.startsWith('/settings/');
}

// Network first, so a deploy is seen at once; the cache only answers when the network fails.
self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (!cacheable(url, event.request)) return; // the browser fetches it as if we were not here
  event.respondWith(fetch(event.request).then((res) => {
    if (res.ok && res.type === 'basic') {
      const copy = res.clone();
      caches.open(CACHE).then((c) => c.put(event.request, copy));
    }
    return res;
  }).catch(() => caches.match(event.request).then((hit) => hit || Response.error())));
});

// A click on a new-message notification brings the workspace forward.
self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil(self.clients.matchAll({ type: 'window' }).then((wins) => {
    const open = wins.find((w) => new URL(w.url).pathname === '/workspace');
    return open ? open.focus() : self.clients.openWindow('/workspace');
  }));
});
