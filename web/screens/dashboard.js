// The task force's network dashboard: savings month by month by sex, the investment portfolio,
// the cost of remittance corridors and the members who returned home. Each is a chart the
// service draws (SVG), with its title, a summary in words and the table of the figures behind
// it, all from the same report for the same filters. The filters live in the address, so a view can be bookmarked or shared.

import { all, get, Problem } from "../api.js";
import { t, language } from "../i18n.js";
import { formatAmount, formatMinor, scaleOf, toMinor } from "../money.js";
import { h, drawer, field, table, loading, showProblem, statusLine } from "../ui.js";

const FILTERS = ["host_country", "home_country", "group_id", "from", "to", "portfolio_by", "corridors_by"];

/// The filters an address's query names, each "" when absent.
function readFilters(query) {
  const params = new URLSearchParams(query || "");
  return Object.fromEntries(FILTERS.map((name) => [name, params.get(name) || ""]));
}

/// The query of the filters that are set, of those `names`, and of `extra`.
function queryOf(filters, names, extra = {}) {
  const params = new URLSearchParams();
  for (const name of names) if (filters[name]) params.set(name, filters[name]);
  for (const [name, value] of Object.entries(extra)) params.set(name, value);
  const text = params.toString();
  return text ? `?${text}` : "";
}

/// The address of the dashboard: the network's, or one group's (`group`) for its readers.
export function dashboardAddress(filters, group) {
  return group
    ? `#/g/${group}/dashboard${queryOf(filters, ["from", "to", "portfolio_by", "corridors_by"])}`
    : `#/dashboard${queryOf(filters, FILTERS)}`;
}

/// An SVG the service drew, as a node of this page.
function svgNode(text) {
  const doc = new DOMParser().parseFromString(String(text), "image/svg+xml");
  const svg = document.importNode(doc.documentElement, true);
  svg.removeAttribute("width");
  svg.removeAttribute("height");
  svg.setAttribute("class", "chart-svg");
  return svg;
}

function chart(id, title, svg, summary, data) {
  return h(
    "section",
    { class: "chart", id, "aria-labelledby": `${id}-title` },
    h("h2", { id: `${id}-title` }, title),
    h("figure", {}, svgNode(svg), h("figcaption", { class: "summary" }, summary)),
    data,
  );
}

const hidden = () => t("dashboard-suppressed");

function savingsSection(trend, svg) {
  const cells = trend.cells;
  const figure = (c, value) => (c.suppressed ? hidden() : value);
  const money = (c, name) => (c.suppressed ? hidden() : formatAmount(c[name], c.currency));
  const rows = cells.map((c) => [
    c.month,
    t(`sex-${c.sex}`),
    c.currency,
    figure(c, String(c.members)),
    figure(c, String(c.joined)),
    figure(c, String(c.left)),
    money(c, "deposits"),
    money(c, "withdrawals"),
    money(c, "savings"),
  ]);
  let summary = t("summary-empty");
  if (cells.length) {
    const month = cells[cells.length - 1].month;
    const latest = cells.filter((c) => c.month === month && !c.suppressed);
    const figures = latest.map((c) => `${t(`sex-${c.sex}`)} ${formatAmount(c.savings, c.currency)}`).join("; ") || hidden();
    const suppressed = cells.filter((c) => c.suppressed).length;
    summary = t("summary-savings", { month, figures, suppressed, cells: cells.length, min: trend.suppression_min });
  }
  const headers = ["col-month", "col-sex", "col-currency", "col-members", "col-joined", "col-left", "col-deposits", "col-withdrawals", "col-savings"].map((k) => t(k));
  return chart("savings-chart", t("report-savings-trend"), svg, summary, table(t("dashboard-table"), headers, rows, [3, 4, 5, 6, 7, 8]));
}

const BREAKDOWNS = ["kind", "sector", "country", "status", "women_led"];

/// A breakdown line's name: kinds, statuses and women-led in words, sectors and countries as
/// recorded.
function lineName(by, key) {
  if (by === "kind") return t(`kind-${key}`);
  if (by === "status") return t(`investment-status-${key}`);
  if (by === "women_led") return t(`women-led-${key}`);
  return key;
}

function portfolioSection(portfolio, svg, by) {
  const lines = portfolio[`by_${by}`];
  const money = (l, name) => (l.suppressed ? hidden() : formatAmount(l[name], l.currency));
  const rows = lines.map((l) => [
    lineName(by, l.key),
    l.currency,
    l.suppressed ? hidden() : String(l.count),
    money(l, "committed"),
    money(l, "disbursed"),
    money(l, "book_value"),
    money(l, "income"),
    l.suppressed ? hidden() : l.roi_percent ?? "—",
  ]);
  let summary = t("summary-empty");
  const shown = lines.filter((l) => !l.suppressed);
  if (shown.length) {
    const currency = shown.map((l) => l.currency).sort()[0];
    const mine = shown.filter((l) => l.currency === currency);
    const value = (l) => toMinor(l.book_value, scaleOf(l.currency)) ?? 0n;
    const largest = mine.reduce((a, b) => (value(b) > value(a) ? b : a));
    summary = t("summary-portfolio", {
      kinds: mine.length,
      currency,
      kind: lineName(by, largest.key),
      value: formatAmount(largest.book_value, largest.currency),
    });
  }
  const headers = ["col-line", "col-currency", "col-count", "chart-committed", "chart-disbursed", "chart-book-value", "col-income", "col-roi"].map((k) => t(k));
  const title = `${t("report-portfolio")} ${t(`portfolio-by-${by}`)}`;
  return chart("portfolio-chart", title, svg, summary, table(t("dashboard-table"), headers, rows, [2, 3, 4, 5, 6, 7]));
}

/// The corridors' table: each line's cost, its median and the spread around it (the middle
/// half of the costs, lower to upper quartile); cut by channel, a line names its channel.
function corridorsSection(report, svg, byChannel) {
  const lines = report.corridors;
  const figure = (l, value) => (l.suppressed ? hidden() : value);
  const rows = lines.map((l) => [
    `${l.send_country} → ${l.receive_country}`,
    l.month,
    `${l.send_currency} → ${l.receive_currency}`,
    figure(l, String(l.count)),
    figure(l, l.average_cost_percent),
    figure(l, l.median_cost_percent),
    figure(l, `${l.lower_quartile_cost_percent} – ${l.upper_quartile_cost_percent}`),
    ...(byChannel ? [t(`channel-${l.channel}`)] : []),
  ]);
  // Percentages are compared as exact decimal text, two places each: no float near them.
  const cents = (text) => toMinor(text, 2) ?? 0n;
  const shown = lines.filter((l) => !l.suppressed);
  const summary = shown.length
    ? t("summary-corridors", {
        above: shown.filter((l) => cents(l.median_cost_percent) > 300n).length,
        over: shown.filter((l) => cents(l.median_cost_percent) > 500n).length,
        total: shown.length,
      })
    : t("summary-empty");
  const headers = [t("col-corridor"), t("col-month"), t("col-currency"), t("col-count"), t("col-average-cost"), t("col-median-cost"), t("col-cost-spread")];
  if (byChannel) headers.push(t("col-provider-type"));
  return chart("corridors-chart", t("report-remittance-corridors"), svg, summary, table(t("dashboard-table"), headers, rows, [3, 4, 5, 6]));
}

function returnedSection(report, svg) {
  const cells = report.cells;
  const money = (c, name) => (c.suppressed ? hidden() : formatAmount(c[name], c.currency));
  const rows = cells.map((c) => [
    c.home_country,
    t(`sex-${c.sex}`),
    c.currency,
    c.suppressed ? hidden() : String(c.members),
    money(c, "savings_at_return"),
    money(c, "paid_out"),
    money(c, "capital_held"),
  ]);
  let summary = t("summary-empty");
  if (cells.length) {
    const currency = cells.map((c) => c.currency).sort()[0];
    const shown = cells.filter((c) => !c.suppressed);
    const total = (name) =>
      shown
        .filter((c) => c.currency === currency)
        .reduce((sum, c) => sum + (toMinor(c[name], scaleOf(currency)) ?? 0n), 0n);
    summary = t("summary-returned", {
      shown: shown.length,
      cells: cells.length,
      min: report.suppression_min,
      currency,
      paid: formatMinor(total("paid_out"), currency),
      held: formatMinor(total("capital_held"), currency),
    });
  }
  const headers = ["col-home-country", "col-sex", "col-currency", "col-members", "col-savings-at-return", "chart-paid-out", "chart-capital-held"].map((k) => t(k));
  return chart("returned-chart", t("report-returned-home"), svg, summary, table(t("dashboard-table"), headers, rows, [3, 4, 5, 6]));
}

/// The filters' form; on the network's dashboard, `groups` are those it can be narrowed to.
function filterForm(filters, group, groups = []) {
  const country = (name) =>
    h("input", { name, value: filters[name], maxlength: "2", autocapitalize: "characters", placeholder: t("dashboard-any") });
  const oneGroup = h(
    "select",
    { name: "group_id" },
    h("option", { value: "" }, t("dashboard-any")),
    groups.map((g) => h("option", { value: g.id, selected: filters.group_id === g.id }, g.name)),
  );
  const inputs = {
    ...(group ? {} : { host_country: country("host_country"), home_country: country("home_country"), group_id: oneGroup }),
    from: h("input", { name: "from", type: "date", value: filters.from }),
    to: h("input", { name: "to", type: "date", value: filters.to }),
    portfolio_by: h(
      "select",
      { name: "portfolio_by" },
      BREAKDOWNS.map((by) => h("option", { value: by, selected: (filters.portfolio_by || "kind") === by }, t(`portfolio-by-${by}`))),
    ),
    corridors_by: h(
      "select",
      { name: "corridors_by" },
      h("option", { value: "" }, t("corridors-by-all")),
      h("option", { value: "channel", selected: filters.corridors_by === "channel" }, t("corridors-by-channel")),
    ),
  };
  const form = h(
    "form",
    { class: "filters no-print", "aria-label": t("dashboard-filters") },
    group ? null : field(t("dashboard-host"), inputs.host_country),
    group ? null : field(t("dashboard-home"), inputs.home_country),
    group ? null : field(t("dashboard-group"), inputs.group_id),
    field(t("dashboard-from"), inputs.from),
    field(t("dashboard-to"), inputs.to),
    field(t("dashboard-portfolio-by"), inputs.portfolio_by),
    field(t("dashboard-corridors-by"), inputs.corridors_by),
    h("button", { type: "submit", class: "button primary" }, t("dashboard-apply")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const chosen = Object.fromEntries(Object.entries(inputs).map(([name, input]) => [name, input.value.trim()]));
    for (const name of ["host_country", "home_country"]) if (chosen[name]) chosen[name] = chosen[name].toUpperCase();
    if (chosen.portfolio_by === "kind") chosen.portfolio_by = "";
    location.hash = dashboardAddress(chosen, group);
  });
  return { form, inputs };
}

/// The network's dashboard (`group` absent), or one group's for those who read its ledger.
export async function dashboardScreen(query, group) {
  const show = drawer();
  const filters = readFilters(query);
  show(t("loading"), loading());
  const groups = group ? [] : await all("/v1/groups");
  const { form, inputs } = filterForm(filters, group, groups);
  const status = statusLine();
  const base = group ? `/v1/groups/${group}/reports` : "/v1/reports";
  const countries = group ? [] : ["host_country", "home_country", "group_id"];
  const period = [...countries, "from", "to"];
  const by = BREAKDOWNS.includes(filters.portfolio_by) ? filters.portfolio_by : "kind";
  const byChannel = filters.corridors_by === "channel";
  const lang = { lang: language() };
  const svg = { accept: "image/svg+xml" };
  let answers;
  try {
    answers = await Promise.all([
      get(`${base}/savings-trend${queryOf(filters, period)}`),
      get(`${base}/savings-trend/chart${queryOf(filters, period, lang)}`, svg),
      get(`${base}/portfolio${queryOf(filters, countries)}`),
      get(`${base}/portfolio/chart${queryOf(filters, countries, { ...lang, by })}`, svg),
      get(`${base}/remittance-corridors${queryOf(filters, period, byChannel ? { by: "channel" } : {})}`),
      get(`${base}/remittance-corridors/chart${queryOf(filters, period, lang)}`, svg),
      get(`${base}/returned-home${queryOf(filters, period)}`),
      get(`${base}/returned-home/chart${queryOf(filters, period, lang)}`, svg),
      group ? get(`/v1/groups/${group}`) : null,
    ]);
  } catch (e) {
    if (!(e instanceof Problem)) throw e;
    show(t("dashboard-title"), form, status);
    showProblem(status, e, inputs);
    return;
  }
  const [trend, trendSvg, portfolio, portfolioSvg, corridors, corridorsSvg, returned, returnedSvg, about] = answers;
  show(
    about ? t("dashboard-group-title", { group: about.name }) : t("dashboard-title"),
    form,
    status,
    h("button", { type: "button", class: "button no-print", onclick: () => window.print() }, t("dashboard-print")),
    savingsSection(trend, trendSvg),
    portfolioSection(portfolio, portfolioSvg, by),
    corridorsSection(corridors, corridorsSvg, byChannel),
    returnedSection(returned, returnedSvg),
  );
}
