// 代办通 service worker: keeps the app shell (index.html, the WASM, its JS
// glue and the CSS) on the device so the app opens with no network.
// API calls are never cached: data lives in IndexedDB, managed by the app.
const CACHE = 'daibantong-shell';
const NAV_TIMEOUT_MS = 4000;
const SHELL_EXTRAS = ['/manifest.webmanifest', '/icon.svg', '/icon-192.png', '/icon-512.png'];

async function precache() {
  const cache = await caches.open(CACHE);
  const res = await fetch('/index.html', { cache: 'no-store' });
  if (!res.ok) throw new Error('index.html ' + res.status);
  const html = await res.clone().text();
  await cache.put('/index.html', res);
  // addAll refuses duplicate URLs, hence the Set.
  await cache.addAll([...new Set([...SHELL_EXTRAS, ...assetsOf(html)])]);
}

// The hashed files index.html refers to (Trunk writes them as "/name-hash.ext";
// the minified page leaves attribute values unquoted).
function assetsOf(html) {
  const urls = new Set();
  for (const m of html.matchAll(/(?:href|src)=["']?(\/[^"'\s>?#]+)/g)) urls.add(m[1]);
  for (const m of html.matchAll(/['"](\/[^'"]+\.(?:js|wasm|css))['"]/g)) urls.add(m[1]);
  urls.delete('/sw.js');
  return [...urls].filter((u) => !u.startsWith('/api/'));
}

// Drop cached files the current index.html no longer uses (old versions).
async function prune() {
  const cache = await caches.open(CACHE);
  const index = await cache.match('/index.html');
  if (!index) return;
  const keep = new Set(['/index.html', ...SHELL_EXTRAS, ...assetsOf(await index.text())]);

  for (const req of await cache.keys()) {
    if (!keep.has(new URL(req.url).pathname)) await cache.delete(req);
  }
}

self.addEventListener('install', (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(prune().then(() => self.clients.claim()));
});

function timeout(ms) {
  return new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), ms));
}

// Pages: network first (a new version is picked up at once), falling back to
// the cached shell when offline or when the signal is too weak to answer.
async function navigate(request) {
  const cache = await caches.open(CACHE);
  try {
    const res = await Promise.race([fetch(request), timeout(NAV_TIMEOUT_MS)]);
    if (res.ok) {
      await cache.put('/index.html', res.clone());
      // Fetch the new version's files now, while there is network.
      res.clone().text().then((html) => cache.addAll(assetsOf(html)).then(prune)).catch(() => {});
      return res;
    }
    return (await cache.match('/index.html')) || res;
  } catch (e) {
    const cached = await cache.match('/index.html');
    if (cached) return cached;
    throw e;
  }
}

// Hashed files never change: cache first.
async function asset(request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(request, { ignoreSearch: true });
  if (hit) return hit;
  const res = await fetch(request);
  if (res.ok) await cache.put(request, res.clone());
  return res;
}

self.addEventListener('fetch', (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/api/') || url.pathname === '/healthz') return;
  // Other pages of the same server (the desk workbench, printable forms, the
  // citizens' pages) are not the field app: never cache them as its shell.
  if (/^\/(desk|print|public)(\/|$)/.test(url.pathname)) return;
  if (req.mode === 'navigate') {
    event.respondWith(navigate(req));
  } else {
    event.respondWith(asset(req));
  }
});
