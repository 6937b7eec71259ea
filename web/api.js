// The app's one way to the service: `/v1`, like every other client, authenticated by the
// session cookie (HttpOnly, so no script can read it) and, for writes, the session's CSRF token.

let session = null;

/// A refusal from the service, read from its RFC 9457 problem: `slug` is the last part of its
/// `type` (`overdraft`, `invalid-field`...), `errors` the fields at fault.
export class Problem extends Error {
  constructor(status, body) {
    super(body?.title || `HTTP ${status}`);
    this.status = status;
    this.slug = String(body?.type || "").split("/").pop() || `http-${status}`;
    this.errors = Array.isArray(body?.errors) ? body.errors : [];
    this.body = body;
  }
}

/// The service could not be reached (offline, or the connection dropped).
export class Unreachable extends Error {}

export function currentSession() {
  return session;
}

export function setSession(value) {
  session = value;
}

/// Reads the session the cookie names (after an offline start, to get its CSRF token).
export async function refreshSession() {
  const fresh = await call("GET", "/v1/auth/session");
  session = fresh;
  return fresh;
}

/// Calls the service; resolves to the parsed JSON (or text for CSV), rejects with [`Problem`]
/// or [`Unreachable`].
export async function call(method, path, options = {}) {
  return (await exchange(method, path, options)).value;
}

/// Like [`call`], with the answer's status: `{ status, value }`. A write answered 202 was not
/// carried out: it waits for another person's approval, and `value` is the approval item.
/// With `raw`, `value` is the answer's text exactly as the service sent it (a signed document
/// kept byte for byte).
export async function exchange(method, path, { body, key, accept, raw } = {}) {
  const headers = { Accept: accept || "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (key) headers["Idempotency-Key"] = key;
  if (method !== "GET" && session?.csrf_token) headers["X-CSRF-Token"] = session.csrf_token;
  // With no network at all the phone says so; not trying spares a request bound to fail.
  if (navigator.onLine === false) throw new Unreachable("offline");
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch (e) {
    throw new Unreachable(String(e));
  }
  if (response.status === 204) return { status: 204, value: null };
  const type = response.headers.get("Content-Type") || "";
  if (!response.ok) {
    let problem = null;
    try {
      problem = type.includes("json") ? await response.json() : null;
    } catch {
      problem = null;
    }
    if (response.status === 401 && path !== "/v1/auth/session") {
      window.dispatchEvent(new CustomEvent("msai:signed-out"));
    }
    throw new Problem(response.status, problem);
  }
  try {
    const value = raw || !type.includes("json") ? await response.text() : await response.json();
    return { status: response.status, value };
  } catch (e) {
    throw new Unreachable(String(e));
  }
}

export const get = (path, options) => call("GET", path, options);
export const post = (path, body, options = {}) => call("POST", path, { ...options, body });
export const patch = (path, body, options = {}) => call("PATCH", path, { ...options, body });

/// A write whose answer may be 202: `{ status, value }`, see [`exchange`].
export const write = (method, path, body, options = {}) => exchange(method, path, { ...options, body });

/// Whether a write's answer is an item waiting for approval rather than the thing done.
export const waitsForApproval = (reply) => reply?.status === 202;

/// Every item of a paged list.
export async function all(path) {
  const items = [];
  let cursor = null;
  for (let page = 0; page < 100; page += 1) {
    const sep = path.includes("?") ? "&" : "?";
    const url = `${path}${sep}limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    const reply = await get(url);
    items.push(...(reply.items || []));
    cursor = reply.next_cursor;
    if (!cursor) break;
  }
  return items;
}

/// A fresh Idempotency-Key.
export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// What this phone last read from the service, kept so that screens open offline.
const CACHE = "msai.cache.";

export function remember(name, value) {
  try {
    localStorage.setItem(CACHE + name, JSON.stringify({ at: Date.now(), value }));
  } catch {
    // A full storage only costs the offline copy.
  }
}

export function recall(name) {
  try {
    return JSON.parse(localStorage.getItem(CACHE + name) || "null");
  } catch {
    return null;
  }
}

/// Reads `path`, keeping a copy; offline, answers the copy (with `stale: true`).
export async function cached(name, path, read = get) {
  try {
    const value = await read(path);
    remember(name, value);
    return { value, stale: false };
  } catch (e) {
    const kept = recall(name);
    if (e instanceof Unreachable && kept) return { value: kept.value, stale: true, at: kept.at };
    throw e;
  }
}
