// The task force's network dashboard: savings month by month by sex, the investment portfolio
// and the cost of remittance corridors. Each is a chart the service draws (SVG), with its
// title, a summary in words and the table of the figures behind it, all from the same report
// for the same filters. The filters live in the address, so a view can be bookmarked or shared.

import { get, Problem } from "../api.js";
import { t, language } from "../i18n.js";
import { formatAmount, scaleOf, toMinor } from "../money.js";
import { h, drawer, field, table, loading, showProblem, statusLine } from "../ui.js";

const FILTERS = ["host_country", "home_country", "from", "to"];

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

export function dashboardAddress(filters) {
  return `#/dashboard${queryOf(filters, FILTERS)}`;
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

function portfolioSection(portfolio, svg) {
  const lines = portfolio.by_kind;
  const rows = lines.map((l) => [
    t(`kind-${l.key}`),
    l.currency,
    String(l.count),
    formatAmount(l.committed, l.currency),
    formatAmount(l.disbursed, l.currency),
    formatAmount(l.book_value, l.currency),
  ]);
  let summary = t("summary-empty");
  if (lines.length) {
    const currency = lines.map((l) => l.currency).sort()[0];
    const mine = lines.filter((l) => l.currency === currency);
    const value = (l) => toMinor(l.book_value, scaleOf(l.currency)) ?? 0n;
    const largest = mine.reduce((a, b) => (value(b) > value(a) ? b : a));
    summary = t("summary-portfolio", {
      kinds: mine.length,
      currency,
      kind: t(`kind-${largest.key}`),
      value: formatAmount(largest.book_value, largest.currency),
    });
  }
  const headers = [t("col-kind"), t("col-currency"), t("col-count"), t("chart-committed"), t("chart-disbursed"), t("chart-book-value")];
  return chart("portfolio-chart", t("report-portfolio"), svg, summary, table(t("dashboard-table"), headers, rows, [2, 3, 4, 5]));
}

function corridorsSection(report, svg) {
  const lines = report.corridors;
  const rows = lines.map((l) => [
    `${l.send_country} → ${l.receive_country}`,
    l.month,
    `${l.send_currency} → ${l.receive_currency}`,
    String(l.count),
    l.average_cost_percent,
    l.median_cost_percent,
  ]);
  // Percentages are compared as exact decimal text, two places each: no float near them.
  const cents = (text) => toMinor(text, 2) ?? 0n;
  const summary = lines.length
    ? t("summary-corridors", {
        above: lines.filter((l) => cents(l.median_cost_percent) > 300n).length,
        over: lines.filter((l) => cents(l.median_cost_percent) > 500n).length,
        total: lines.length,
      })
    : t("summary-empty");
  const headers = [t("col-corridor"), t("col-month"), t("col-currency"), t("col-count"), t("col-average-cost"), t("col-median-cost")];
  return chart("corridors-chart", t("report-remittance-corridors"), svg, summary, table(t("dashboard-table"), headers, rows, [3, 4, 5]));
}

function filterForm(filters) {
  const inputs = {
    host_country: h("input", { name: "host_country", value: filters.host_country, maxlength: "2", autocapitalize: "characters", placeholder: t("dashboard-any") }),
    home_country: h("input", { name: "home_country", value: filters.home_country, maxlength: "2", autocapitalize: "characters", placeholder: t("dashboard-any") }),
    from: h("input", { name: "from", type: "date", value: filters.from }),
    to: h("input", { name: "to", type: "date", value: filters.to }),
  };
  const form = h(
    "form",
    { class: "filters no-print", "aria-label": t("dashboard-filters") },
    field(t("dashboard-host"), inputs.host_country),
    field(t("dashboard-home"), inputs.home_country),
    field(t("dashboard-from"), inputs.from),
    field(t("dashboard-to"), inputs.to),
    h("button", { type: "submit", class: "button primary" }, t("dashboard-apply")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const chosen = Object.fromEntries(FILTERS.map((name) => [name, inputs[name].value.trim()]));
    chosen.host_country = chosen.host_country.toUpperCase();
    chosen.home_country = chosen.home_country.toUpperCase();
    location.hash = dashboardAddress(chosen);
  });
  return { form, inputs };
}

export async function dashboardScreen(query) {
  const show = drawer();
  const filters = readFilters(query);
  const { form, inputs } = filterForm(filters);
  const status = statusLine();
  show(t("loading"), loading());
  const countries = ["host_country", "home_country"];
  const period = [...countries, "from", "to"];
  const lang = { lang: language() };
  let answers;
  try {
    answers = await Promise.all([
      get(`/v1/reports/savings-trend${queryOf(filters, period)}`),
      get(`/v1/reports/savings-trend/chart${queryOf(filters, period, lang)}`, { accept: "image/svg+xml" }),
      get(`/v1/reports/portfolio${queryOf(filters, countries)}`),
      get(`/v1/reports/portfolio/chart${queryOf(filters, countries, lang)}`, { accept: "image/svg+xml" }),
      get(`/v1/reports/remittance-corridors${queryOf(filters, period)}`),
      get(`/v1/reports/remittance-corridors/chart${queryOf(filters, period, lang)}`, { accept: "image/svg+xml" }),
    ]);
  } catch (e) {
    if (!(e instanceof Problem)) throw e;
    show(t("dashboard-title"), form, status);
    showProblem(status, e, inputs);
    return;
  }
  const [trend, trendSvg, portfolio, portfolioSvg, corridors, corridorsSvg] = answers;
  show(
    t("dashboard-title"),
    form,
    status,
    h("button", { type: "button", class: "button no-print", onclick: () => window.print() }, t("dashboard-print")),
    savingsSection(trend, trendSvg),
    portfolioSection(portfolio, portfolioSvg),
    corridorsSection(corridors, corridorsSvg),
  );
}
