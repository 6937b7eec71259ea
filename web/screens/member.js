// A member's own screens: her savings, her passbook, her remittances, her signed receipts, the
// group's investments with her share, and whether the group's ledger verifies. She sees no one
// else.

import { get, cached } from "../api.js";
import { t, formatDate } from "../i18n.js";
import { formatAmount, formatMinor } from "../money.js";
import { h, drawer, table, loading, staleNotice } from "../ui.js";
import { positionTable, passbook } from "./group.js";
import { roles } from "../app.js";

export async function myScreen() {
  const show = drawer();
  const memberships = roles().memberships;
  const list = h("ul", { class: "list" });
  for (const m of memberships) {
    let name = m.group_id;
    try {
      name = (await cached(`group.${m.group_id}`, `/v1/groups/${m.group_id}`)).value.name;
    } catch {
      // The link still works with the group's id as its text.
    }
    list.append(h("li", {}, h("a", { href: `#/me/${m.group_id}/${m.member_id}` }, name)));
  }
  if (!memberships.length) list.append(h("li", { class: "muted" }, t("me-no-groups")));
  show(t("me-title"), list);
}

export async function passbookScreen(groupId, memberId) {
  const show = drawer();
  show(t("loading"), loading());
  const [group, statement] = await Promise.all([
    cached(`group.${groupId}`, `/v1/groups/${groupId}`),
    cached(`statement.${groupId}.${memberId}`, `/v1/groups/${groupId}/members/${memberId}/statement`),
  ]);
  const s = statement.value;
  let verified = null;
  try {
    verified = await get(`/v1/groups/${groupId}/ledger/verify`);
  } catch {
    verified = null;
  }
  // Printing shows every receipt's signed text, so the paper can be checked without the app.
  const printAll = () => {
    for (const details of document.querySelectorAll("details.receipt")) details.open = true;
    window.print();
  };
  const print = h("button", { type: "button", id: "print", class: "no-print", onclick: printAll }, t("passbook-print"));
  show(
    t("passbook-of", { name: s.member.name }),
    staleNotice(statement),
    h("p", {}, group.value.name, " · ", t("member-number", { number: s.member.number })),
    h("h2", {}, t("me-balances")),
    positionTable(s),
    h("h2", {}, t("passbook-title")),
    print,
    passbook(s),
    h("h2", {}, t("me-remittances")),
    s.remittances.length ? remittancesTable(t("me-remittances"), s.remittances) : h("p", {}, t("me-no-remittances")),
    h("h2", {}, t("me-receipts")),
    receipts(s.receipts),
    h("h2", {}, t("me-investments")),
    s.investments.length
      ? table(
          t("me-investments"),
          [t("investment-name"), t("investment-book-value"), t("me-my-share")],
          s.investments.map((i) => [i.name, formatAmount(i.book_value, i.currency), formatAmount(i.member_share, i.currency)]),
          [1, 2],
        )
      : h("p", {}, t("investments-none")),
    h("h2", {}, t("me-ledger")),
    h(
      "p",
      { id: "ledger-verified", class: verified?.ok ? "good" : "bad" },
      verified === null ? t("me-ledger-unknown") : verified.ok ? t("me-ledger-ok", { count: verified.transactions_checked }) : t("me-ledger-broken"),
    ),
  );
}

/// Remittances with what each cost and where it stands: arrived, on its way, arrival confirmed,
/// or failed (its figures then stay as sent).
export function remittancesTable(caption, list) {
  return table(
    caption,
    [t("col-date"), t("col-sent"), t("col-received"), t("col-cost"), t("col-status")],
    list.map((r) => [
      formatDate(r.booked_on),
      formatAmount(r.send_amount, r.send_currency),
      formatAmount(r.receive_amount, r.receive_currency),
      `${formatAmount(r.cost.total, r.cost.currency)} (${r.cost.percent} %)`,
      h("span", { class: `remit-status ${r.status}`, "data-status": r.status }, t(`remit-status-${r.status || "arrived"}`)),
    ]),
    [1, 2, 3],
  );
}

/// Her signed receipts (docs/RECEIPTS.md): what each says, and its exact signed text and
/// signature, which anyone checks with the key the service publishes.
function receipts(list) {
  if (!list.length) return h("p", {}, t("me-no-receipts"));
  const said = list.map((r) => JSON.parse(r.payload));
  return h(
    "div",
    { id: "receipts" },
    h("p", {}, t("me-receipts-note")),
    table(
      t("me-receipts"),
      [t("col-date"), t("col-what"), t("col-amount"), t("receipt-number")],
      said.map((p) => [formatDate(p.booked_on), t(`receipt-${p.kind}`), formatMinor(BigInt(p.amount_minor), p.currency), p.sequence]),
      [2],
    ),
    list.map((r, i) =>
      h(
        "details",
        { class: "receipt" },
        h("summary", {}, t("receipt-of", { what: t(`receipt-${said[i].kind}`), date: formatDate(said[i].booked_on), number: said[i].sequence })),
        h("p", {}, t("receipt-signed-text")),
        h("pre", {}, r.payload),
        h("p", {}, t("receipt-signature", { key: r.key_id })),
        h("pre", {}, r.signature),
      ),
    ),
  );
}
