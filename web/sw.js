// The service worker: the course offline after the first visit, and CIFAR-10 downloaded
// once per device.
//
// - The app's files (the build lists them below; scripts/build-manifest writes the list
//   and a version at every build) are kept in a cache named after the build. The page
//   itself is asked of the network first, so a new build arrives at the next visit, and
//   comes from the cache when the network does not answer; every other file of the build
//   has its content's hash in its name, so the cache answers it first.
// - The dataset (data/*) is kept in a cache of its own, across builds, only when the
//   learner loads it (the page marks those requests), and answered from there from then on.
//   The page shows its size and can remove it (crates/app/src/store/offline.rs).
// - On the first visit the page was loaded before this worker ran: the page then asks it
//   to keep the app's files, naming those it has loaded already. Those are taken from the
//   browser's HTTP cache only ("only-if-cached": never a second download); a browser that
//   would fetch them from the network instead (WebKit does, whatever the cache mode) keeps
//   each of them when it next passes through here, at the next visit. The files the page
//   has not loaded yet (the workers' scripts) are fetched now, their one download.
const BUILD = { version: "dev", files: [] }; // replaced by scripts/build-manifest
const APP_CACHE = `cnnlab-app-${BUILD.version}`;
const DATA_CACHE = "cnnlab-data";
const LOAD_HEADER = "x-cnnlab-load";

const scopePath = () => new URL(self.registration.scope).pathname;
// The file a request asks for, relative to the site ("" for the page itself).
const relative = (url) => {
  const u = new URL(url);
  if (u.origin !== self.location.origin || !u.pathname.startsWith(scopePath())) return null;
  return u.pathname.slice(scopePath().length);
};

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) {
        if (key.startsWith("cnnlab-app-") && key !== APP_CACHE) await caches.delete(key);
      }
      await self.clients.claim();
    })(),
  );
});

// Whether a fetch with cache mode "only-if-cached" stays off the network here: asked for a
// file that is in no cache (and on no server), it fails at once where it does; where it goes
// to the network, the site answers 404.
async function cacheOnlyStaysOffline() {
  try {
    const probe = new URL("cnnlab-only-if-cached-probe", self.registration.scope).href;
    const response = await fetch(probe, { cache: "only-if-cached", mode: "same-origin" });
    return response.status === 504;
  } catch (_) {
    return true;
  }
}

// Keep the app's files, `loaded` (URLs) being those the page has downloaded already;
// returns how many are still missing.
async function keepApp(loaded) {
  const cache = await caches.open(APP_CACHE);
  const base = self.registration.scope;
  const fromHttpCache = await cacheOnlyStaysOffline();
  let missing = 0;
  for (const file of ["", ...BUILD.files]) {
    const url = new URL(file, base).href;
    if (await cache.match(url)) continue;
    const already = loaded.has(url);
    if (already && !fromHttpCache) {
      missing += 1;
      continue;
    }
    try {
      // What the page loaded comes from the HTTP cache, never downloaded again; the rest
      // is downloaded now, once.
      const response = await fetch(url, already ? { cache: "only-if-cached", mode: "same-origin" } : {});
      if (response.ok) {
        await cache.put(url, response);
        continue;
      }
    } catch (_) {
      // Not in the HTTP cache (or offline): kept when it next passes through here.
    }
    missing += 1;
  }
  return missing;
}

self.addEventListener("message", (event) => {
  if (event.data && Array.isArray(event.data.keepApp)) {
    const loaded = new Set(event.data.keepApp);
    event.waitUntil(
      keepApp(loaded).then((missing) => event.source && event.source.postMessage({ appCached: true, missing })),
    );
  }
});

async function pageFirst(request) {
  const cache = await caches.open(APP_CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(new URL("", self.registration.scope).href, response.clone());
    return response;
  } catch (error) {
    const kept = await cache.match(new URL("", self.registration.scope).href);
    if (kept) return kept;
    throw error;
  }
}

async function cacheFirst(request, name, keep) {
  const cache = await caches.open(name);
  const kept = await cache.match(request.url);
  if (kept) return kept;
  const response = await fetch(request);
  if (keep && response.ok) await cache.put(request.url, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const file = relative(request.url);
  if (file === null) return;
  if (request.mode === "navigate" && (file === "" || file === "index.html")) {
    event.respondWith(pageFirst(request));
  } else if (file.startsWith("data/")) {
    event.respondWith(cacheFirst(request, DATA_CACHE, request.headers.get(LOAD_HEADER) === "1"));
  } else if (BUILD.files.includes(file)) {
    event.respondWith(cacheFirst(request, APP_CACHE, true));
  }
});
