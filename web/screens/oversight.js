// What auditors and administrators read: the groups, a group's trial balance, and the network
// reports, each as a table that can be downloaded as CSV.

import { all, get } from "../api.js";
import { t } from "../i18n.js";
import { formatAmount } from "../money.js";
import { h, drawer, table, loading, linkButton, download } from "../ui.js";
import { roles } from "../app.js";

export async function groupsScreen() {
  const show = drawer();
  show(t("loading"), loading());
  const groups = await all("/v1/groups");
  const r = roles();
  const list = h("ul", { id: "group-list", class: "list" });
  for (const g of groups) {
    const mine = r.admin || r.treasurerOf.includes(g.id) || r.chairOf.includes(g.id);
    list.append(
      h(
        "li",
        {},
        h("a", { href: mine ? `#/g/${g.id}` : `#/g/${g.id}/trial-balance` }, g.name),
        " ",
        h("span", { class: "muted" }, `${g.host_country} → ${g.home_country} · ${g.currency}`),
        // What a reader of every group also reads of this one, beside its trial balance.
        mine
          ? null
          : h(
              "p",
              { class: "muted" },
              h("a", { href: `#/g/${g.id}/performance` }, t("action-performance")),
              " · ",
              h("a", { href: `#/g/${g.id}/accreditation` }, t("action-accreditation")),
              " · ",
              h("a", { href: `#/g/${g.id}/dashboard` }, t("nav-dashboard")),
            ),
      ),
    );
  }
  if (!groups.length) list.append(h("li", { class: "muted" }, t("groups-none")));
  show(
    t("groups-title"),
    r.admin ? linkButton("#/admin/groups/new", t("nav-new-group"), "button primary") : null,
    list,
  );
}

export async function trialBalanceScreen(groupId) {
  const show = drawer();
  show(t("loading"), loading());
  const [group, tb] = await Promise.all([get(`/v1/groups/${groupId}`), get(`/v1/groups/${groupId}/trial-balance`)]);
  const csv = [["account", "type", "currency", "debits", "credits", "balance"], ...tb.accounts.map((a) => [a.name, a.type, a.currency, a.debits, a.credits, a.balance])];
  show(
    t("tb-title", { group: group.name }),
    h("button", { type: "button", onclick: () => download(`trial-balance-${group.name}.csv`, toCsv(csv)) }, t("download-csv")),
    table(
      t("tb-title", { group: group.name }),
      [t("col-account"), t("col-debits"), t("col-credits"), t("col-balance")],
      tb.accounts.map((a) => [a.name, formatAmount(a.debits, a.currency), formatAmount(a.credits, a.currency), formatAmount(a.balance, a.currency)]),
      [1, 2, 3],
    ),
    table(
      t("tb-totals"),
      [t("col-currency"), t("col-debits"), t("col-credits"), t("tb-balanced")],
      tb.totals.map((c) => [c.currency, formatAmount(c.debits, c.currency), formatAmount(c.credits, c.currency), c.balanced ? t("yes") : t("no")]),
      [1, 2],
    ),
  );
}

function toCsv(rows) {
  return rows.map((row) => row.map((cell) => (/[",\n]/.test(String(cell)) ? `"${String(cell).replace(/"/g, '""')}"` : String(cell))).join(",")).join("\r\n") + "\r\n";
}

/// Reads CSV text (RFC 4180) into rows of cells.
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(cell);
      cell = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i += 1;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else cell += c;
  }
  if (cell !== "" || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

const REPORTS = ["savings", "portfolio", "remittance-corridors", "indicators", "reintegration"];

export async function networkScreen() {
  const show = drawer();
  const chooser = h(
    "select",
    { id: "report" },
    REPORTS.map((r) => h("option", { value: r }, t(`report-${r}`))),
  );
  const area = h("div", { id: "report-area", "aria-live": "polite" });
  const render = async () => {
    area.replaceChildren(loading());
    const name = chooser.value;
    const text = await get(`/v1/reports/${name}?format=csv`, { accept: "text/csv" });
    const [head, ...rows] = parseCsv(String(text)).filter((r) => r.length > 1 || r[0] !== "");
    area.replaceChildren(
      h("button", { type: "button", onclick: () => download(`${name}.csv`, String(text)) }, t("download-csv")),
      head ? table(t(`report-${name}`), head, rows) : h("p", {}, t("report-empty")),
    );
  };
  chooser.addEventListener("change", render);
  show(t("network-title"), h("label", { for: "report" }, t("network-choose")), chooser, area);
  await render();
}
