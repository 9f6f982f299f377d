// The checkpoint page's service worker (issue 18). Served from the site root (no-cache) and registered by
// js/checkpoint.js with scope /checkpoint, so it controls the checkpoint page only.
// - The shell (the page, its scripts, styles, the QR reader) is cached at install and served from the cache, refreshed
//   in the background: the page opens with no network.
// - The published code-signing keys are fetched from the network first and fall back to the cached copy offline.
// - API calls are never touched: they go to the network (or fail), and the page keeps its offline queue and the
//   checkpoint's policy in IndexedDB (js/offline-store.js). No personal data is ever put in this cache.
const VERSION = 'smx-checkpoint-v3'; // v3: one language at a time, refusal decisions, temperature
const KEYS = '/.well-known/sanmenxia-code-keys.json';
const SHELL = [
  '/checkpoint.html', '/checkpoint.webmanifest', '/favicon.svg', '/css/site.css', '/css/checkpoint.css', '/lib/jsqr/jsQR.js',
  '/js/checkpoint.js', '/js/checkpoint-offline.js', '/js/checkpoint-decision.js', '/js/checkpoint-picker.js', '/js/code-verify.js', '/js/offline-store.js', '/js/i18n.js', '/js/dom.js',
  '/js/chrome.js', '/js/http.js', '/js/session.js', KEYS,
];

self.addEventListener('install', event => {
  event.waitUntil(caches.open(VERSION).then(cache => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', event => {
  event.waitUntil(caches.keys()
    .then(names => Promise.all(names.filter(n => n.startsWith('smx-checkpoint-') && n !== VERSION).map(n => caches.delete(n))))
    .then(() => self.clients.claim()));
});

async function networkFirst(request) {
  const cache = await caches.open(VERSION);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(request);
    if (cached) return cached;
    throw error;
  }
}

async function cacheFirst(event, request) {
  const cache = await caches.open(VERSION);
  const cached = await cache.match(request, { ignoreSearch: true });
  const refresh = fetch(request).then(response => {
    if (response.ok) return cache.put(request, response.clone()).then(() => response);
    return response;
  });
  if (cached) {
    event.waitUntil(refresh.catch(() => undefined));
    return cached;
  }
  return refresh;
}

self.addEventListener('fetch', event => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith('/api/') || url.pathname.startsWith('/hubs/')) return;
  if (url.pathname === KEYS) { event.respondWith(networkFirst(request)); return; }
  const path = request.mode === 'navigate' && url.pathname.startsWith('/checkpoint') ? '/checkpoint.html' : url.pathname;
  if (SHELL.includes(path)) event.respondWith(cacheFirst(event, path === url.pathname ? request : new Request(path)));
});
