// The outbox: writes saved on the phone and sent when the service can be reached, each exactly
// once. An item's Idempotency-Key is fixed when it is saved, so sending it again after a dropped
// connection, a reload or a restarted phone gets the first outcome back instead of a second
// posting. Items live in localStorage (per user), which survives closed tabs and restarts.
//
// An item's state: `waiting` (to send), `sending`, `sent` (done), `awaiting` (sent, and the
// service keeps it waiting for another person's approval: it is not sent again, and it is no
// failure) or `refused` (to correct).

import { Problem, Unreachable, currentSession, exchange, newKey, refreshSession, waitsForApproval } from "./api.js";

const PREFIX = "msai.outbox.";
/// How often waiting items are tried again while the app is open.
const RETRY_MS = 15000;

let owner = null;

/// Whose outbox is in use: items are kept per user, so a phone shared by two treasurers never
/// sends one's items under the other's name.
export function useOutboxOf(username) {
  owner = username;
  changed();
}

function storageKey() {
  return PREFIX + (owner || "");
}

export function items() {
  if (!owner) return [];
  try {
    return JSON.parse(localStorage.getItem(storageKey()) || "[]");
  } catch {
    return [];
  }
}

function save(list) {
  localStorage.setItem(storageKey(), JSON.stringify(list));
  changed();
}

function changed() {
  window.dispatchEvent(new CustomEvent("msai:outbox"));
}

/// Whether an item has reached the service (done, or waiting there for approval).
export function delivered(item) {
  return item.state === "sent" || item.state === "awaiting";
}

export function unsentCount(username = owner) {
  if (!username) return 0;
  try {
    const list = JSON.parse(localStorage.getItem(PREFIX + username) || "[]");
    return list.filter((i) => !delivered(i)).length;
  } catch {
    return 0;
  }
}

/// Saves a write to send: `kind` names it on the outbox screen, `summary` holds what to show.
export function add({ kind, path, body, group_id, summary }) {
  const item = {
    id: newKey(),
    key: newKey(),
    kind,
    path,
    body,
    group_id,
    summary: summary || {},
    state: "waiting",
    saved_at: new Date().toISOString(),
  };
  save([...items(), item]);
  return item;
}

/// A refused item, corrected: it is sent again with a new key, since its body changed.
export function replace(id, body, summary) {
  const list = items().map((i) =>
    i.id === id
      ? { ...i, body, summary: summary || i.summary, key: newKey(), state: "waiting", problem: null }
      : i,
  );
  save(list);
}

export function remove(id) {
  save(items().filter((i) => i.id !== id));
}

export function find(id) {
  return items().find((i) => i.id === id) || null;
}

export function update(id, patch) {
  save(items().map((i) => (i.id === id ? { ...i, ...patch } : i)));
}

/// Whether a refusal is final (the item must be corrected) or worth trying again as it is.
function final(problem) {
  if (problem.status === 401 || problem.status === 408 || problem.status === 429) return false;
  if (problem.status >= 500) return false;
  if (problem.slug === "request-in-flight") return false;
  return true;
}

let running = false;

/// Sends every waiting item, oldest first. One phone's tabs take turns (Web Locks), so two tabs
/// never send the same item at once; if they did, the key would still apply it once.
export async function flush() {
  if (!owner || !currentSession() || running) return;
  running = true;
  try {
    if (!currentSession().csrf_token) {
      try {
        const fresh = await refreshSession();
        if (fresh.user.username !== owner) return;
      } catch (e) {
        // The session ended while the phone was offline (it expired, or the browser was
        // closed): the items stay, and are sent once their owner signs in again.
        if (e instanceof Problem && e.status === 401) window.dispatchEvent(new CustomEvent("msai:session-ended"));
        return;
      }
    }
    if (navigator.locks) {
      await navigator.locks.request("msai-outbox-" + owner, sendAll);
    } else {
      await sendAll();
    }
  } finally {
    running = false;
  }
}

async function sendAll() {
  for (const item of items()) {
    if (delivered(item) || item.state === "refused") continue;
    const fresh = find(item.id);
    if (!fresh || delivered(fresh) || fresh.state === "refused") continue;
    update(item.id, { state: "sending", tried_at: new Date().toISOString() });
    try {
      const answer = await exchange("POST", item.path, { body: item.body, key: item.key });
      const reply = answer.value;
      if (waitsForApproval(answer)) {
        update(item.id, {
          state: "awaiting",
          sent_at: new Date().toISOString(),
          approval: { id: reply?.id || null, status: reply?.status || "pending", expires_at: reply?.expires_at || null },
        });
        continue;
      }
      update(item.id, {
        state: "sent",
        sent_at: new Date().toISOString(),
        receipt: reply?.id || reply?.meeting?.id || null,
      });
    } catch (e) {
      if (e instanceof Unreachable) {
        update(item.id, { state: "waiting" });
        return;
      }
      if (e instanceof Problem && final(e)) {
        update(item.id, {
          state: "refused",
          problem: { status: e.status, slug: e.slug, errors: e.errors },
        });
        continue;
      }
      update(item.id, { state: "waiting" });
      if (e instanceof Problem && e.status === 401) return;
    }
  }
}

/// Tries again when the connection returns, when the app opens, and now and then.
export function startSending() {
  window.addEventListener("online", () => flush());
  setInterval(() => {
    if (items().some((i) => i.state === "waiting" || i.state === "sending")) flush();
  }, RETRY_MS);
  flush();
}
