// The service worker: keeps the app's files on the phone so that it opens with no connection.
// The service fills in the version and the list of files when it serves this script; a new
// version replaces the kept files the next time the phone is online. Calls to /v1 are never
// kept here: the app keeps what it needs offline itself, per user.

const VERSION = "__VERSION__";
const FILES = __FILES__;
const CACHE = `msai-app-${VERSION}`;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(FILES))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith("msai-app-") && n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/v1/") || url.pathname === "/sw.js") return;
  const kept = url.pathname === "/" ? "/" : url.pathname;
  if (!FILES.includes(kept)) return;
  // The kept copy first: a phone on a weak connection opens at once. The kept files are all of
  // one version; a new version is fetched whole when the browser finds this script changed.
  event.respondWith(
    caches.match(kept).then(
      (hit) =>
        hit ||
        fetch(event.request).then((response) => {
          if (response.ok) {
            const copy = response.clone();
            caches.open(CACHE).then((cache) => cache.put(kept, copy));
          }
          return response;
        }),
    ),
  );
});
