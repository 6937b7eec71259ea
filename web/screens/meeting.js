// The meeting sheet, which works with no connection, and the outbox that sends it.

import { currentSession, get } from "../api.js";
import { t, formatDate, formatInstant } from "../i18n.js";
import { formatMinor, parseAmount, scaleOf } from "../money.js";
import { h, drawer, field, statusLine, setError, amountInput, loading, staleNotice, problemText, fieldProblemText, confirmDialog } from "../ui.js";
import * as outbox from "../outbox.js";
import { loadGroup, loadMembers } from "./group.js";

const FUNDS = [
  ["savings", "savings"],
  ["capital", "capital"],
  ["social", "social_fund"],
];

/// Today's date on the phone, as `YYYY-MM-DD`.
function today() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function draftKey(groupId) {
  return `msai.draft.meeting.${currentSession()?.user?.username}.${groupId}`;
}

function readDraft(groupId) {
  try {
    return JSON.parse(localStorage.getItem(draftKey(groupId)) || "null");
  } catch {
    return null;
  }
}

export async function sheetScreen(groupId, itemId) {
  const show = drawer();
  show(t("loading"), loading());
  const group = await loadGroup(groupId);
  const members = await loadMembers(groupId);
  const currency = group.currency;
  const editing = itemId ? outbox.find(itemId) : null;
  const draft = editing ? editing.summary.draft : readDraft(groupId) || {};
  const rows = draft.rows || {};
  const active = members.value.filter((m) => m.status === "active" || rows[m.id]);

  const date = h("input", { id: "meeting-date", type: "date", value: draft.held_on || today(), required: true });
  const cash = amountInput({ id: "cash-counted" });
  cash.value = draft.cash_counted || "";
  const status = statusLine();
  const inputs = new Map();
  const totals = {};
  const totalCells = {};

  const sheet = h("div", { id: "sheet", class: "sheet" });
  for (const m of active) {
    const saved = rows[m.id] || {};
    const present = h("input", { type: "checkbox", name: "attended", checked: saved.attended, "aria-label": t("sheet-present-of", { name: m.name }) });
    const cells = { attended: present };
    const row = h(
      "fieldset",
      { class: "sheet-row", "data-member-id": m.id },
      h("legend", {}, h("span", { class: "num" }, `#${m.number}`), " ", m.name),
      h("label", { class: "check" }, present, h("span", {}, t("sheet-present"))),
    );
    for (const [name] of FUNDS) {
      const input = amountInput({ name, "aria-label": t(`sheet-${name}-of`, { name: m.name }), placeholder: "0" });
      input.value = saved[name] || "";
      cells[name] = input;
      const id = `in-${name}-${m.id}`;
      input.id = id;
      row.append(
        h(
          "div",
          { class: "cell" },
          h("span", { class: "cell-label", "aria-hidden": "true" }, t(`sheet-${name}`)),
          input,
          h("p", { class: "error", id: `${id}-error`, role: "alert", hidden: true }),
        ),
      );
      input.setAttribute("aria-describedby", `${id}-error`);
    }
    inputs.set(m.id, cells);
    sheet.append(row);
  }
  if (!active.length) sheet.append(h("p", {}, t("sheet-no-members")));

  for (const [name] of FUNDS) totalCells[name] = h("output", { id: `total-${name}` });
  totalCells.all = h("output", { id: "total-all" });
  const difference = h("output", { id: "cash-difference" });
  const attendance = h("output", { id: "total-present" });

  const snapshot = () => {
    const out = { held_on: date.value, cash_counted: cash.value, rows: {} };
    for (const [id, cells] of inputs) {
      out.rows[id] = { attended: cells.attended.checked };
      for (const [name] of FUNDS) out.rows[id][name] = cells[name].value;
    }
    return out;
  };

  /// Adds up the columns (exactly, in minor units); a cell that cannot be read counts nothing
  /// and shows why.
  const recount = () => {
    let all = 0n;
    let present = 0;
    for (const [name] of FUNDS) totals[name] = 0n;
    for (const [, cells] of inputs) {
      if (cells.attended.checked) present += 1;
      for (const [name] of FUNDS) {
        const input = cells[name];
        if (input.value.trim() === "") {
          setError(input, "");
          continue;
        }
        const read = parseAmount(input.value, currency);
        if (read.error) {
          setError(input, t(`amount-${read.error}`));
        } else {
          setError(input, "");
          totals[name] += read.minor;
          all += read.minor;
        }
      }
    }
    for (const [name] of FUNDS) totalCells[name].textContent = formatMinor(totals[name], currency);
    totalCells.all.textContent = formatMinor(all, currency);
    attendance.textContent = t("sheet-present-count", { count: present });
    const counted = parseAmount(cash.value, currency);
    if (cash.value.trim() === "") {
      difference.textContent = "";
      setError(cash, "");
    } else if (counted.error) {
      setError(cash, t(`amount-${counted.error}`));
      difference.textContent = "";
    } else {
      setError(cash, "");
      const gap = counted.minor - all;
      difference.textContent =
        gap === 0n ? t("sheet-cash-matches") : t(gap > 0n ? "sheet-cash-over" : "sheet-cash-short", { amount: formatMinor(gap < 0n ? -gap : gap, currency) });
      difference.className = gap === 0n ? "good" : "bad";
    }
    return all;
  };

  const keep = () => {
    if (!editing) localStorage.setItem(draftKey(groupId), JSON.stringify(snapshot()));
    recount();
  };
  sheet.addEventListener("input", keep);
  sheet.addEventListener("change", keep);
  date.addEventListener("change", keep);
  cash.addEventListener("input", keep);

  const save = h("button", { type: "button", id: "save-meeting", class: "primary" }, t("sheet-save"));
  save.addEventListener("click", async () => {
    const body = { held_on: date.value || null, attendance: [], events: [] };
    const names = [];
    let wrong = null;
    for (const m of active) {
      const cells = inputs.get(m.id);
      if (cells.attended.checked) body.attendance.push(m.id);
      for (const [name, fund] of FUNDS) {
        const input = cells[name];
        if (input.value.trim() === "") continue;
        const read = parseAmount(input.value, currency);
        if (read.error) {
          wrong = wrong || input;
          continue;
        }
        if (read.minor === 0n) continue;
        body.events.push({ type: "contribution", member_id: m.id, amount: read.value, fund, channel: "cash" });
        names.push(m.name);
      }
    }
    recount();
    if (wrong) {
      status.textContent = t("sheet-fix-cells");
      status.className = "status bad";
      wrong.focus();
      return;
    }
    if (!body.events.length && !body.attendance.length) {
      status.textContent = t("sheet-empty");
      status.className = "status bad";
      return;
    }
    const total = formatMinor(recount(), currency);
    const sure = await confirmDialog(
      t("sheet-confirm", { date: formatDate(body.held_on), count: body.events.length, total }),
      t("sheet-save"),
      t("cancel"),
    );
    if (!sure) return;
    const summary = { held_on: body.held_on, total, events: body.events.length, names, group: group.name, draft: snapshot() };
    if (editing) {
      outbox.replace(editing.id, body, summary);
    } else {
      outbox.add({ kind: "meeting", path: `/v1/groups/${groupId}/meetings`, body, group_id: groupId, summary });
      localStorage.removeItem(draftKey(groupId));
    }
    location.hash = "#/outbox";
    outbox.flush();
  });

  show(
    t("sheet-title", { group: group.name }),
    staleNotice(members),
    editing ? h("p", { class: "notice" }, t("sheet-correcting")) : h("p", { class: "hint" }, t("sheet-intro", { currency })),
    field(t("sheet-date"), date),
    sheet,
    h(
      "section",
      { class: "totals", "aria-label": t("sheet-totals") },
      h("h2", {}, t("sheet-totals")),
      h(
        "dl",
        {},
        h("dt", {}, t("sheet-present")),
        h("dd", {}, attendance),
        ...FUNDS.flatMap(([name]) => [h("dt", {}, t(`sheet-${name}`)), h("dd", {}, totalCells[name])]),
        h("dt", {}, t("sheet-total")),
        h("dd", {}, totalCells.all),
      ),
      field(t("sheet-cash-counted", { currency }), cash),
      h("p", { "aria-live": "polite" }, difference),
    ),
    save,
    status,
  );
  recount();
}

/// Where a refused field is, in words: `/events/3/amount` names the member of that event.
function whereText(item, error) {
  const match = /^\/events\/(\d+)/.exec(error.pointer || "");
  if (match && item.body.events) {
    const name = item.summary.names?.[Number(match[1])];
    if (name) return name;
  }
  if (/^\/(amount)/.test(error.pointer || "")) return t("col-amount");
  return item.summary.member || "";
}

/// What became of an item the service keeps waiting for approval, as last heard.
function awaitingLine(item) {
  const status = item.approval?.status || "pending";
  const text =
    status === "pending"
      ? t("approval-waiting")
      : status === "approved"
        ? t("approval-now-approved")
        : status === "rejected"
          ? t("approval-now-rejected")
          : t("approval-now-expired");
  const line = h("p", { class: `state approval ${status === "approved" ? "good" : status === "pending" ? "" : "bad"}`, "data-approval": status }, text);
  if (item.approval?.note) line.append(" ", h("q", {}, item.approval.note));
  if (status === "pending") {
    line.append(" ", h("a", { href: `#/g/${item.group_id}/approvals` }, t("approval-see-list")));
  }
  return line;
}

/// Asks the service what became of the items waiting for approval (once online).
async function refreshApprovals() {
  for (const item of outbox.items()) {
    if (item.state !== "awaiting" || !item.approval?.id || item.approval.status !== "pending") continue;
    try {
      const now = await get(`/v1/groups/${item.group_id}/approvals/${item.approval.id}`);
      if (now.status !== item.approval.status) {
        outbox.update(item.id, { approval: { ...item.approval, status: now.status, note: now.note || null } });
      }
    } catch {
      // Offline, or not readable by this user: what was last heard stays shown.
    }
  }
}

function itemTitle(item) {
  const s = item.summary;
  if (item.kind === "meeting") return t("outbox-meeting", { group: s.group || "", date: formatDate(s.held_on), total: s.total || "", count: s.events || 0 });
  if (item.kind === "withdrawal") return t("outbox-withdrawal", { name: s.member || "", amount: s.amount || "" });
  return item.kind;
}

export async function outboxScreen() {
  const show = drawer();
  const list = h("ul", { id: "outbox", class: "list outbox" });
  const render = () => {
    list.replaceChildren();
    const items = outbox.items().slice().reverse();
    if (!items.length) list.append(h("li", { class: "muted" }, t("outbox-empty")));
    for (const item of items) {
      const li = h("li", { "data-state": item.state, "data-kind": item.kind });
      li.append(h("p", { class: "what" }, itemTitle(item)));
      li.append(h("p", { class: "when muted" }, t("outbox-saved-at", { at: formatInstant(item.saved_at) })));
      if (item.state === "sent") {
        li.append(h("p", { class: "state good" }, t("outbox-sent", { at: formatInstant(item.sent_at) })));
        if (item.receipt) li.append(h("p", { class: "receipt muted" }, t("outbox-receipt", { receipt: String(item.receipt).slice(0, 8) })));
      } else if (item.state === "awaiting") {
        li.append(h("p", { class: "state" }, t("outbox-sent", { at: formatInstant(item.sent_at) })));
        li.append(awaitingLine(item));
      } else if (item.state === "refused") {
        li.append(h("p", { class: "state bad reason" }, t("outbox-refused"), " ", problemText(item.problem)));
        // Field by field when fields are at fault; other refusals say it all in their reason.
        const byField = ["invalid-field", "items-refused"].includes(item.problem?.slug);
        const details = (byField ? item.problem?.errors || [] : []).map((e) => h("li", {}, `${whereText(item, e)}: ${fieldProblemText(e)}`));
        if (details.length) li.append(h("ul", { class: "details" }, details));
        const screen = item.kind === "meeting" ? "meeting" : "withdraw";
        li.append(
          h(
            "div",
            { class: "actions" },
            h("a", { class: "button primary", href: `#/g/${item.group_id}/${screen}/${item.id}` }, t("outbox-correct")),
            h(
              "button",
              {
                type: "button",
                onclick: async () => {
                  if (await confirmDialog(t("outbox-remove-confirm"), t("outbox-remove"), t("cancel"))) outbox.remove(item.id);
                },
              },
              t("outbox-remove"),
            ),
          ),
        );
      } else {
        li.append(h("p", { class: "state" }, navigator.onLine ? t("outbox-waiting") : t("outbox-waiting-offline")));
      }
      list.append(li);
    }
  };
  const send = h("button", { type: "button", id: "send-now", onclick: () => outbox.flush() }, t("outbox-send-now"));
  show(t("outbox-title"), h("p", { class: "hint" }, t("outbox-intro")), send, list);
  render();
  refreshApprovals();
  const rerender = () => {
    if (document.getElementById("outbox") === list) render();
    else window.removeEventListener("msai:outbox", rerender);
  };
  window.addEventListener("msai:outbox", rerender);
}
