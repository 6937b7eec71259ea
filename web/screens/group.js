// A group as its treasurer sees it: its home, its members, one member, a new member.

import { all, cached, get, post, newKey, remember, recall } from "../api.js";
import { t, formatDate } from "../i18n.js";
import { formatAmount } from "../money.js";
import { h, drawer, field, statusLine, showProblem, table, linkButton, loading, staleNotice, ok } from "../ui.js";
import * as outbox from "../outbox.js";
import { roles } from "../app.js";
import { remittancesTable } from "./member.js";

/// How many of the group's items wait for a decision (`null` when that cannot be read now).
async function pendingApprovals(groupId) {
  try {
    const reply = await cached(`approvals.${groupId}`, `/v1/groups/${groupId}/approvals?status=pending&limit=200`);
    return { count: (reply.value.items || []).length, more: Boolean(reply.value.next_cursor) };
  } catch {
    return null;
  }
}

/// The group, kept for offline use.
export async function loadGroup(groupId) {
  return (await cached(`group.${groupId}`, `/v1/groups/${groupId}`)).value;
}

/// The group's members, kept for offline use (the meeting sheet needs them with no connection).
export async function loadMembers(groupId) {
  return cached(`members.${groupId}`, `/v1/groups/${groupId}/members`, all);
}

/// Accounts that hold the group's money: cash, bank, home bank, in transit.
function moneyAccount(a) {
  return a.type === "asset" && /^assets:(cash|bank|home-bank|in-transit|wallet)/.test(a.code);
}

export async function homeScreen(groupId) {
  const show = drawer();
  show(t("loading"), loading());
  const group = await loadGroup(groupId);
  const [accounts, members, meetings, approvals] = await Promise.all([
    cached(`accounts.${groupId}`, `/v1/groups/${groupId}/accounts`, async (path) => (await get(path)).items),
    loadMembers(groupId),
    cached(`meetings.${groupId}`, `/v1/groups/${groupId}/meetings?limit=1`),
    pendingApprovals(groupId),
  ]);
  // A chair sees the group and decides its approval items; the money screens are a treasurer's.
  const r = roles();
  const writes = r.admin || r.treasurerOf.includes(groupId);
  // The group's ledger is read by its treasurers, its chair, auditors and administrators.
  const readsLedger = writes || r.auditor || r.chairOf.includes(groupId);
  const cash = accounts.value.filter(moneyAccount);
  const active = members.value.filter((m) => m.status === "active").length;
  const last = (meetings.value.items || [])[0];
  const waiting = outbox.items().filter((i) => i.group_id === groupId && !outbox.delivered(i));
  show(
    group.name,
    staleNotice(accounts),
    h(
      "p",
      { id: "home-approvals", class: approvals?.count ? "notice" : "muted", "data-count": approvals ? approvals.count : null },
      approvals === null
        ? t("home-approvals-unknown")
        : approvals.count > 0
          ? h("a", { href: `#/g/${groupId}/approvals` }, t(approvals.more ? "home-approvals-many" : "home-approvals-count", { count: approvals.count }))
          : t("home-approvals-none"),
    ),
    h(
      "div",
      { class: "actions wide" },
      writes ? linkButton(`#/g/${groupId}/meeting`, t("action-meeting"), "button primary") : null,
      linkButton(`#/g/${groupId}/members`, t("action-members")),
      writes ? linkButton(`#/g/${groupId}/withdraw`, t("action-withdraw")) : null,
      writes ? linkButton(`#/g/${groupId}/remit`, t("action-remit")) : null,
      writes ? linkButton(`#/g/${groupId}/investments`, t("action-investments")) : null,
      writes ? linkButton(`#/g/${groupId}/distribute`, t("action-distribute")) : null,
      linkButton(`#/g/${groupId}/approvals`, t("action-approvals")),
      linkButton(`#/g/${groupId}/trial-balance`, t("action-trial-balance")),
      readsLedger ? linkButton(`#/g/${groupId}/performance`, t("action-performance")) : null,
      readsLedger ? linkButton(`#/g/${groupId}/accreditation`, t("action-accreditation")) : null,
      readsLedger ? linkButton(`#/g/${groupId}/dashboard`, t("nav-dashboard")) : null,
    ),
    h("h2", {}, t("home-cash")),
    cash.length
      ? table(
          t("home-cash"),
          [t("col-account"), t("col-balance")],
          cash.map((a) => [a.name, formatAmount(a.balance, a.currency)]),
          [1],
        )
      : h("p", {}, t("home-no-cash")),
    h("h2", {}, t("home-members")),
    h("p", { id: "home-members" }, t("home-members-count", { count: active })),
    h("h2", {}, t("home-last-meeting")),
    h(
      "p",
      { id: "last-meeting" },
      last ? t("home-last-meeting-on", { date: formatDate(last.held_on), count: last.events.length }) : t("home-no-meeting"),
    ),
    h("h2", {}, t("home-waiting")),
    h(
      "p",
      { id: "home-waiting" },
      waiting.length ? h("a", { href: "#/outbox" }, t("home-waiting-count", { count: waiting.length })) : t("home-nothing-waiting"),
    ),
  );
}

export async function membersScreen(groupId) {
  const show = drawer();
  show(t("loading"), loading());
  const group = await loadGroup(groupId);
  const members = await loadMembers(groupId);
  const search = h("input", { id: "member-search", type: "search", autocomplete: "off" });
  const list = h("ul", { id: "member-list", class: "list" });
  const render = () => {
    const q = search.value.trim().toLowerCase();
    list.replaceChildren();
    const shown = members.value.filter(
      (m) => !q || m.name.toLowerCase().includes(q) || String(m.number) === q.replace(/^#/, ""),
    );
    for (const m of shown) {
      list.append(
        h(
          "li",
          {},
          h("a", { href: `#/g/${groupId}/m/${m.id}` }, h("span", { class: "num" }, `#${m.number}`), " ", m.name),
          m.status !== "active" ? h("span", { class: "tag" }, t(`status-${m.status}`)) : null,
        ),
      );
    }
    if (!shown.length) list.append(h("li", { class: "muted" }, t("members-none")));
  };
  search.addEventListener("input", render);
  show(
    t("members-title", { group: group.name }),
    staleNotice(members),
    roles().admin || roles().treasurerOf.includes(groupId) ? linkButton(`#/g/${groupId}/members/new`, t("members-add"), "button primary") : null,
    field(t("members-search"), search),
    list,
  );
  render();
}

export async function newMemberScreen(groupId) {
  const show = drawer();
  const group = await loadGroup(groupId);
  const name = h("input", { name: "name", autocomplete: "off", required: true });
  const sex = h(
    "select",
    { name: "sex" },
    ["female", "male", "other", "undisclosed"].map((s) => h("option", { value: s }, t(`sex-${s}`))),
  );
  const home = h("input", { name: "home_country", value: group.home_country, maxlength: 2, autocapitalize: "characters" });
  const host = h("input", { name: "host_country", value: group.host_country, maxlength: 2, autocapitalize: "characters" });
  const contact = h("input", { name: "contact", autocomplete: "off" });
  const status = statusLine();
  const inputs = { "/name": name, "/sex": sex, "/home_country": home, "/host_country": host, "/contact": contact };
  const key = newKey();
  const form = h(
    "form",
    { id: "member-form", novalidate: true },
    field(t("member-name"), name),
    field(t("member-sex"), sex),
    field(t("member-home-country"), home, t("country-hint")),
    field(t("member-host-country"), host, t("country-hint")),
    field(t("member-contact"), contact),
    h("button", { type: "submit", class: "primary" }, t("members-add")),
    status,
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = {
      name: name.value,
      sex: sex.value,
      home_country: home.value.trim().toUpperCase(),
      host_country: host.value.trim().toUpperCase(),
      contact: contact.value.trim() || null,
    };
    try {
      const created = await post(`/v1/groups/${groupId}/members`, body, { key });
      const kept = recall(`members.${groupId}`);
      if (kept) remember(`members.${groupId}`, [...kept.value, created]);
      ok(status, t("member-added", { name: created.name, number: created.number }));
      location.hash = `#/g/${groupId}/m/${created.id}`;
    } catch (error) {
      showProblem(status, error, inputs);
    }
  });
  show(t("members-add"), form);
}

/// Balances (savings, capital, what the group owes) of a member, from her statement.
export function positionTable(statement) {
  const rows = [];
  for (const p of statement.position || []) {
    for (const [label, value] of [
      [t("fund-savings"), p.savings],
      [t("fund-capital"), p.capital],
      [t("fund-payable"), p.payable],
    ]) {
      if (value !== undefined) rows.push([label, formatAmount(value, p.currency)]);
    }
  }
  return table(t("member-balances"), [t("col-what"), t("col-balance")], rows, [1]);
}

/// Which of a member's funds an account is, from its place in the chart.
export function fundOf(code) {
  if (/^liabilities:savings/.test(code)) return "savings";
  if (/^equity:capital/.test(code)) return "capital";
  if (/^liabilities:payable/.test(code)) return "payable";
  return "other";
}

/// The passbook: every movement with the running balance, account by account. A member's
/// accounts are all on the credit side, so a credit is money in and a debit money out.
export function passbook(statement) {
  const parts = [];
  for (const s of statement.accounts || []) {
    const currency = s.account.currency;
    const rows = (s.lines || []).map((line) => [
      formatDate(line.booked_on),
      line.description,
      line.direction === "credit" ? formatAmount(line.amount, currency) : "",
      line.direction === "debit" ? formatAmount(line.amount, currency) : "",
      formatAmount(line.balance, currency),
    ]);
    parts.push(
      h("h3", {}, t(`fund-${fundOf(s.account.code)}`)),
      table(
        t("passbook-account", { account: t(`fund-${fundOf(s.account.code)}`) }),
        [t("col-date"), t("col-what"), t("col-in"), t("col-out"), t("col-balance")],
        rows.length ? rows : [[t("passbook-empty"), "", "", "", formatAmount(s.closing_balance, currency)]],
        [2, 3, 4],
      ),
    );
  }
  return h("div", { id: "passbook" }, parts);
}

export async function memberScreen(groupId, memberId) {
  const show = drawer();
  const r = roles();
  const writes = r.admin || r.treasurerOf.includes(groupId);
  show(t("loading"), loading());
  const statement = await get(`/v1/groups/${groupId}/members/${memberId}/statement`);
  const m = statement.member;
  show(
    m.name,
    h("p", {}, t("member-number", { number: m.number }), " · ", t(`status-${m.status}`)),
    positionTable(statement),
    h(
      "div",
      { class: "actions" },
      writes ? linkButton(`#/g/${groupId}/withdraw?member=${m.id}`, t("action-withdraw")) : null,
    ),
    h("h2", {}, t("passbook-title")),
    passbook(statement),
    h("h2", {}, t("member-remittances")),
    (statement.remittances || []).length
      ? remittancesTable(t("member-remittances"), statement.remittances)
      : h("p", {}, t("me-no-remittances")),
    (statement.remittances || []).some((r) => r.status === "in_transit") && writes
      ? linkButton(`#/g/${groupId}/remit`, t("remit-in-transit-title"))
      : null,
  );
}
