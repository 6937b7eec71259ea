// A group's performance (the indicators savings-group programmes use, each with its definition)
// and its accreditation statement: the audited figures on a date, signed by the service's key,
// laid out for A4 and downloadable as the signed file a bank checks.
//
// The filters live in the address (`#/g/{id}/performance?from=...&to=...`,
// `#/g/{id}/accreditation?on=...`), so a view can be bookmarked and shared; changing a date
// rewrites the address in place and reads the figures again.

import { call, get } from "../api.js";
import { t, has, formatDate, formatInstant, language, locale } from "../i18n.js";
import { formatAmount, fromMinor } from "../money.js";
import { h, drawer, field, statusLine, showProblem, setError, table, loading, download, linkButton } from "../ui.js";
import { loadGroup } from "./group.js";

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/// The order the indicators are read in (the performance answer's); the signed statement sorts
/// its keys, so the statement shows them in this order, then any it does not list.
const INDICATORS = [
  "members",
  "members_at_start",
  "women_percent",
  "meetings",
  "attendance_percent",
  "savings",
  "savings_per_member",
  "net_income",
  "return_on_savings_percent",
  "return_on_assets_percent",
  "members_left",
  "dropout_percent",
  "portfolio_written_down_percent",
  "social_fund",
  "savings_mobilised",
];

/// The address's query (`?from=...`) as a map.
function query(text) {
  return new URLSearchParams(text || "");
}

/// Rewrites the address's query without drawing the screen again (the figures are read anew by
/// the caller), so that the address always names what is shown.
function keepInAddress(base, params) {
  const clean = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value) clean.set(name, value);
  const text = clean.toString();
  const address = text ? `${base}?${text}` : base;
  if (location.hash !== address) history.replaceState(history.state, "", address);
}

/// A decimal string ("41.67", "-3.50") as a percentage in the reader's language, exactly: the
/// digits are moved, never divided as a float.
export function formatPercent(text) {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(String(text ?? "").trim());
  if (!m) return String(text ?? "");
  const decimals = (m[3] || "").length;
  const digits = BigInt(m[2] + (m[3] || ""));
  const fraction = fromMinor(m[1] ? -digits : digits, decimals + 2);
  return new Intl.NumberFormat(locale(), {
    style: "percent",
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  }).format(fraction);
}

/// A count (a number or a decimal string) in the reader's language.
function formatCount(value) {
  return new Intl.NumberFormat(locale()).format(typeof value === "number" ? value : String(value));
}

/// An indicator's value as shown: counts as numbers, `_percent` as percentages, the others as
/// amounts in the group's currency; `null` as "not available".
export function formatIndicator(name, value, currency) {
  if (value === null || value === undefined) return t("perf-not-available");
  if (name.endsWith("_percent")) return formatPercent(value);
  if (typeof value === "number" || /^(members|meetings)/.test(name)) return formatCount(value);
  return formatAmount(value, currency);
}

function indicatorLabel(name) {
  const id = `perf-ind-${name}`;
  const label = t(id);
  return label === id ? name.replace(/_/g, " ") : label;
}

/// What the service puts between an indicator's definition and the reason it has no value.
const NONE_HERE = " None here: ";

/// The service's definition of a figure, split into the definition itself and, for a figure
/// without a value, the reason the service gives (its own words, in English), else null.
function splitDefinition(text) {
  const whole = String(text ?? "");
  const at = whole.indexOf(NONE_HERE);
  if (at < 0) return { base: whole, reason: null };
  return { base: whole.slice(0, at), reason: whole.slice(at + NONE_HERE.length) };
}

/// An indicator's definition in the reader's language (the catalogue's, with the group's
/// currency put in), then, when the figure has no value, "None here:" and the service's reason.
/// What the catalogue does not define, and the reason, are the service's English, marked so
/// for screen readers when the app speaks another language. `tag` holds each part: "p" on the
/// performance page, "span" (shown as a line of its own) in the statement's table.
function definition(name, text, currency, tag) {
  const lang = language();
  const english = lang !== "en" ? "en" : null;
  const key = `perf-def-${name}`;
  const { base, reason } = splitDefinition(text);
  const own = has(key, lang);
  return h(
    tag === "p" ? "div" : "span",
    { class: "definition" },
    h(tag, { class: "definition-text", lang: own ? null : english }, own ? t(key, { currency }) : base),
    reason === null
      ? null
      : [" ", h(tag, { class: "none-here" }, t("perf-none-here"), " ", h("span", { class: "reason", lang: english }, reason))],
  );
}

/// One figure: its name and value, the definition one click (or Enter) away.
function figure(name, item, currency) {
  const missing = item.value === null || item.value === undefined;
  return h(
    "details",
    {
      class: missing ? "figure missing" : "figure",
      "data-indicator": name,
      "data-value": missing ? "" : String(item.value),
    },
    h(
      "summary",
      {},
      h(
        "span",
        { class: "figure-line" },
        h("span", { class: "figure-name" }, indicatorLabel(name)),
        " ",
        h("span", { class: "figure-value" }, formatIndicator(name, item.value, currency)),
      ),
    ),
    definition(name, item.definition, currency, "p"),
  );
}

/// A date input for a filter, with the value the address gives.
function dateInput(name, value) {
  return h("input", { type: "date", id: `filter-${name}`, name, value: value || null });
}

export async function performanceScreen(groupId, search) {
  const show = drawer();
  show(t("loading"), loading());
  const group = await loadGroup(groupId);
  const params = query(search);
  const from = dateInput("from", params.get("from"));
  const to = dateInput("to", params.get("to"));
  const status = statusLine();
  const period = h("p", { id: "perf-period" });
  const figures = h("div", { id: "figures", class: "figures", "aria-live": "polite" });
  const base = `#/g/${groupId}/performance`;
  // Dates typed in the inputs, else what the address gave (an input empties a date it cannot
  // read, and the service then says what is wrong with the address's).
  const wanted = {
    from: params.get("from") || "",
    to: params.get("to") || "",
  };
  let asked = 0;

  const read = async () => {
    asked += 1;
    const mine = asked;
    const q = new URLSearchParams();
    if (wanted.from) q.set("from", wanted.from);
    if (wanted.to) q.set("to", wanted.to);
    status.textContent = t("loading");
    status.className = "status";
    try {
      const text = q.toString();
      const p = await get(`/v1/groups/${groupId}/performance${text ? `?${text}` : ""}`);
      if (mine !== asked) return;
      status.textContent = "";
      setError(from, "");
      setError(to, "");
      figures.dataset.from = p.from;
      figures.dataset.to = p.to;
      period.textContent = t("perf-period", { from: formatDate(p.from), to: formatDate(p.to), days: p.days });
      figures.replaceChildren(
        ...Object.entries(p.indicators).map(([name, item]) => figure(name, item, p.currency)),
      );
    } catch (error) {
      if (mine !== asked) return;
      period.textContent = "";
      figures.replaceChildren();
      showProblem(status, error, { from, to });
    }
  };

  // The statement for the period's last day, or for today.
  const statementLink = linkButton("", t("action-accreditation"));
  const linkStatement = () => {
    statementLink.href = `#/g/${groupId}/accreditation${DATE.test(wanted.to) ? `?on=${wanted.to}` : ""}`;
  };
  linkStatement();

  const changed = () => {
    for (const input of [from, to]) {
      if (input.value === "" || DATE.test(input.value)) wanted[input.name] = input.value;
    }
    keepInAddress(base, wanted);
    linkStatement();
    read();
  };
  from.addEventListener("change", changed);
  to.addEventListener("change", changed);

  const form = h(
    "form",
    { id: "perf-filters", class: "date-filters", novalidate: true },
    field(t("perf-from"), from, t("perf-from-hint")),
    field(t("perf-to"), to, t("perf-to-hint")),
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    changed();
  });
  show(
    t("perf-title", { group: group.name }),
    form,
    status,
    period,
    figures,
    h("div", { class: "actions" }, statementLink),
  );
  await read();
}

/// A figure of the statement: shown in the reader's language, with the text signed kept in
/// `data-value` and where it sits in the signed document in `data-path`.
function amount(path, value, currency) {
  return h("span", { "data-path": path, "data-value": String(value ?? "") }, formatAmount(value, currency));
}

function lines(caption, items, total, totalLabel, path, currency) {
  const rows = items.map((line, n) => [line.name, amount(`${path}.${n}.amount`, line.amount, currency)]);
  rows.push([h("strong", {}, totalLabel), h("strong", {}, total)]);
  return table(caption, [t("col-account"), t("col-amount")], rows, [1]);
}

function balanceSheet(s, n) {
  const b = s.balance_sheet;
  const c = s.currency;
  const at = `statements.${n}.balance_sheet`;
  return [
    h("h3", {}, t("accr-balance-sheet", { currency: c })),
    lines(t("accr-assets"), b.assets, amount(`${at}.total_assets`, b.total_assets, c), t("accr-total-assets"), `${at}.assets`, c),
    lines(
      t("accr-liabilities"),
      b.liabilities,
      amount(`${at}.total_liabilities`, b.total_liabilities, c),
      t("accr-total-liabilities"),
      `${at}.liabilities`,
      c,
    ),
    lines(t("accr-equity"), b.equity, amount(`${at}.total_equity`, b.total_equity, c), t("accr-total-equity"), `${at}.equity`, c),
    table(
      t("accr-result"),
      [t("col-what"), t("col-amount")],
      [
        [t("accr-unclosed-income"), amount(`${at}.unclosed_income`, b.unclosed_income, c)],
        [t("accr-unclosed-expenses"), amount(`${at}.unclosed_expenses`, b.unclosed_expenses, c)],
        [t("accr-equation-assets"), amount(`${at}.equation.assets`, b.equation.assets, c)],
        [
          t("accr-equation-other-side"),
          amount(`${at}.equation.liabilities_equity_and_result`, b.equation.liabilities_equity_and_result, c),
        ],
      ],
      [1],
    ),
    h(
      "p",
      { class: String(b.equation.holds) === "true" ? "good" : "bad", "data-path": `${at}.equation.holds`, "data-value": String(b.equation.holds) },
      String(b.equation.holds) === "true" ? t("accr-equation-holds") : t("accr-equation-broken"),
    ),
  ];
}

function incomeStatement(s, n) {
  const i = s.income_statement;
  const c = s.currency;
  const at = `statements.${n}.income_statement`;
  return [
    h("h3", {}, t("accr-income-statement", { currency: c })),
    lines(t("accr-income"), i.income, amount(`${at}.total_income`, i.total_income, c), t("accr-total-income"), `${at}.income`, c),
    lines(
      t("accr-expenses"),
      i.expenses,
      amount(`${at}.total_expenses`, i.total_expenses, c),
      t("accr-total-expenses"),
      `${at}.expenses`,
      c,
    ),
    h("p", { class: "total" }, t("accr-net-income"), ": ", h("strong", {}, amount(`${at}.net_income`, i.net_income, c))),
  ];
}

function kindLabel(kind) {
  const label = t(`kind-${kind}`);
  return label === `kind-${kind}` ? kind : label;
}

const KEYS_PATH = "/.well-known/msai-ledger/keys";

function verification(doc, signed) {
  const keys = `${location.origin}${KEYS_PATH}`;
  const commands = [
    `curl -s ${keys} > keys.json`,
    `jq -r '.items[] | select(.key_id == "${signed.key_id}") | .public_key_pem' keys.json > key.pem`,
    "jq -j .payload statement.json > payload.txt",
    "jq -r .signature statement.json | base64 -d > sig.bin",
    "openssl pkeyutl -verify -pubin -inkey key.pem -rawin -in payload.txt -sigfile sig.bin",
  ].join("\n");
  return h(
    "section",
    { id: "signature", class: "keep" },
    h("h3", {}, t("accr-signature")),
    h("p", {}, t("accr-signed-by", { key: signed.key_id, when: formatInstant(doc.signed_at) })),
    h("p", {}, t("accr-key-id"), " ", h("code", { id: "key-id", class: "code" }, signed.key_id)),
    h("p", {}, t("accr-signature-value")),
    h("p", { id: "signature-value", class: "code", lang: "en" }, signed.signature),
    h("h3", {}, t("accr-verify-title")),
    h(
      "ol",
      { class: "steps" },
      h("li", {}, t("accr-verify-file")),
      h("li", {}, h("p", {}, t("accr-verify-keys", { key: signed.key_id }), " ", h("a", { id: "keys-link", href: KEYS_PATH, class: "code" }, keys))),
      h("li", {}, t("accr-verify-check")),
      h("li", {}, t("accr-verify-meaning")),
    ),
    h("pre", { class: "commands", lang: "en" }, commands),
  );
}

/// The entries of `object` in the order of `names`, then any others.
function inOrder(object, names) {
  const known = names.filter((name) => name in object);
  const rest = Object.keys(object).filter((name) => !known.includes(name));
  return [...known, ...rest].map((name) => [name, object[name]]);
}

/// The statement, from the signed document `doc`.
function statementView(doc, signed) {
  const c = doc.currency;
  const chain = doc.chain;
  const perf = doc.performance;
  return h(
    "article",
    { id: "statement", class: "statement", "data-on": doc.on, "data-group": doc.group_id },
    h("h2", {}, t("accr-heading", { group: doc.group_name, date: formatDate(doc.on) })),
    h("p", {}, t("accr-countries", { host: doc.host_country, home: doc.home_country, currency: c })),
    h("section", { id: "statements" }, doc.statements.map((s, n) => [...balanceSheet(s, n), ...incomeStatement(s, n)])),
    h(
      "section",
      { id: "savings-mobilised", class: "keep" },
      h("h3", {}, t("accr-savings-mobilised")),
      h("p", {}, t("accr-savings-mobilised-text"), " ", h("strong", {}, amount("savings_mobilised", doc.savings_mobilised, c))),
    ),
    h(
      "section",
      { id: "investments" },
      doc.investments.length
        ? table(
            t("accr-investments"),
            [t("investment-name"), t("investment-kind"), t("accr-committed"), t("accr-disbursed"), t("investment-book-value")],
            doc.investments.map((i, n) => [
              i.name,
              kindLabel(i.kind),
              i.committed === null ? "—" : amount(`investments.${n}.committed`, i.committed, i.currency),
              amount(`investments.${n}.disbursed`, i.disbursed, i.currency),
              amount(`investments.${n}.book_value`, i.book_value, i.currency),
            ]),
            [2, 3, 4],
          )
        : [h("h3", {}, t("accr-investments")), h("p", {}, t("accr-no-investments"))],
    ),
    h(
      "section",
      { id: "distributions" },
      doc.distributions.length
        ? table(
            t("accr-distributions"),
            [t("col-date"), t("accr-pool"), t("accr-members")],
            doc.distributions.map((d, n) => [
              formatDate(d.booked_on),
              amount(`distributions.${n}.pool`, d.pool, d.currency),
              h("span", { "data-path": `distributions.${n}.members`, "data-value": String(d.members) }, formatCount(d.members)),
            ]),
            [1, 2],
          )
        : [h("h3", {}, t("accr-distributions")), h("p", {}, t("accr-no-distributions"))],
    ),
    h(
      "section",
      { id: "indicators" },
      table(
        t("accr-indicators", { from: formatDate(perf.from), to: formatDate(perf.to) }),
        [t("accr-indicator"), t("accr-value"), t("accr-definition")],
        inOrder(perf.indicators, INDICATORS).map(([name, item]) => [
          indicatorLabel(name),
          h(
            "span",
            { "data-path": `performance.indicators.${name}.value`, "data-value": item.value === null ? "" : String(item.value) },
            formatIndicator(name, item.value, perf.currency),
          ),
          definition(name, item.definition, perf.currency, "span"),
        ]),
        [1],
      ),
    ),
    h(
      "section",
      { id: "chain", class: "keep" },
      h("h3", {}, t("accr-chain")),
      h(
        "p",
        { id: "chain-status", class: String(chain.ok) === "true" ? "good" : "bad", "data-ok": String(chain.ok) },
        String(chain.ok) === "true"
          ? t("accr-chain-ok", { count: Number(chain.transactions_checked) })
          : t("accr-chain-broken"),
      ),
      h("p", {}, t("accr-chain-head", { sequence: formatCount(chain.head_sequence) })),
      h("p", { id: "head-hash", class: "code", lang: "en" }, chain.head_hash),
    ),
    verification(doc, signed),
  );
}

export async function accreditationScreen(groupId, search) {
  const show = drawer();
  show(t("loading"), loading());
  const group = await loadGroup(groupId);
  const params = query(search);
  const on = dateInput("on", params.get("on"));
  const status = statusLine();
  const body = h("div", { id: "accreditation", "aria-live": "polite" });
  const base = `#/g/${groupId}/accreditation`;
  let wanted = params.get("on") || "";
  let signedText = null;
  let asked = 0;

  const save = h(
    "button",
    {
      type: "button",
      id: "download-signed",
      disabled: true,
      onclick: () => {
        if (signedText === null) return;
        const doc = JSON.parse(JSON.parse(signedText).payload);
        download(`accreditation-${doc.group_id}-${doc.on}.json`, signedText, "application/json");
      },
    },
    t("accr-download"),
  );
  const print = h("button", { type: "button", id: "print", class: "primary", disabled: true, onclick: () => window.print() }, t("accr-print"));

  const read = async () => {
    asked += 1;
    const mine = asked;
    status.textContent = t("loading");
    status.className = "status";
    save.disabled = true;
    print.disabled = true;
    try {
      const text = await call("GET", `/v1/groups/${groupId}/accreditation${wanted ? `?on=${encodeURIComponent(wanted)}` : ""}`, {
        raw: true,
      });
      if (mine !== asked) return;
      const answer = JSON.parse(text);
      // What is shown is read from the text the signature covers.
      const doc = JSON.parse(answer.payload);
      signedText = text;
      status.textContent = "";
      setError(on, "");
      body.replaceChildren(statementView(doc, answer));
      save.disabled = false;
      print.disabled = false;
    } catch (error) {
      if (mine !== asked) return;
      signedText = null;
      body.replaceChildren();
      showProblem(status, error, { on });
    }
  };

  on.addEventListener("change", () => {
    if (on.value === "" || DATE.test(on.value)) wanted = on.value;
    keepInAddress(base, { on: wanted });
    read();
  });
  const form = h("form", { id: "accr-filters", class: "date-filters no-print", novalidate: true }, field(t("accr-on"), on, t("accr-on-hint")));
  form.addEventListener("submit", (e) => e.preventDefault());
  show(
    t("accr-title", { group: group.name }),
    form,
    h("div", { class: "actions" }, print, save),
    status,
    body,
  );
  await read();
}
