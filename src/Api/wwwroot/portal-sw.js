// The resident portal's service worker (issue 17). Registered by js/code-face.js with scope / from index.html; the
// checkpoint page keeps its own worker (sw.js, scope /checkpoint: the longer scope wins there, so the two never meet).
// - The shell (the page, its styles and modules) is kept in a cache: at install the files below, then whatever the page
//   says it loaded (a 'cache-shell' message), so a module added later is kept too.
// - Shell files go to the network first (a new version shows at once) and fall back to the cache with no network, so
//   the portal opens offline; the page then shows the last code it kept (localStorage), marked offline.
// - Nothing else is touched: API calls, the hubs and the other pages go to the network as if there were no worker, and no
//   API answer (no personal data) is ever put in this cache.
const VERSION = 'smx-portal-v1';
const SHELL = ['/', '/index.html', '/favicon.svg', '/css/site.css', '/css/code-face.css', '/js/resident.js', '/js/code-face.js',
  '/js/household-code.js', '/js/i18n.js', '/js/dom.js', '/js/chrome.js', '/js/http.js', '/js/problems.js', '/js/format.js'];
const PAGES = new Set(['/', '/index.html']);

const isShell = url => url.origin === self.location.origin
  && (PAGES.has(url.pathname) || /^\/(js|css)\/[\w.-]+\.(js|css)$/.test(url.pathname) || url.pathname === '/favicon.svg');

self.addEventListener('install', event => {
  // Each file on its own: one missing file must not leave the whole shell uncached.
  event.waitUntil(caches.open(VERSION)
    .then(cache => Promise.all(SHELL.map(path => cache.add(path).catch(() => undefined))))
    .then(() => self.skipWaiting()));
});

self.addEventListener('activate', event => {
  event.waitUntil(caches.keys()
    .then(names => Promise.all(names.filter(n => n.startsWith('smx-portal-') && n !== VERSION).map(n => caches.delete(n))))
    .then(() => self.clients.claim()));
});

self.addEventListener('message', event => {
  if (event.data?.type !== 'cache-shell') return;
  const urls = (event.data.urls ?? []).map(u => new URL(u, self.location.origin)).filter(isShell).map(u => u.pathname);
  event.waitUntil(caches.open(VERSION)
    .then(cache => Promise.all(urls.map(path => cache.match(path).then(hit => hit ?? cache.add(path)).catch(() => undefined))))
    .then(() => event.ports[0]?.postMessage({ cached: urls.length })));
});

async function networkFirst(request, key) {
  const cache = await caches.open(VERSION);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(key, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(key, { ignoreSearch: true });
    if (cached) return cached;
    throw error;
  }
}

self.addEventListener('fetch', event => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (!isShell(url)) return;
  // The page itself is kept under one name, whichever way it was opened.
  const key = PAGES.has(url.pathname) ? '/index.html' : url.pathname;
  event.respondWith(networkFirst(request, key));
});
