//! The task force's reports across groups, for auditors and administrators: savings mobilised,
//! the investment portfolio, remittance corridors, sex-disaggregated indicators and
//! reintegration. Each answers as JSON or as CSV (see `report`), from the same rows.

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use uuid::Uuid;

use super::AppState;
use super::error::ApiError;
use super::query::QueryParams;
use super::report::{Table, cell, negotiate, respond};
use crate::domain::member::Sex;
use crate::domain::money::{Currency, format_total};
use crate::domain::network::{
    CellFigures, Conversion, ConversionError, ConvertedFigures, ConvertedSavings, CorridorLine,
    IndicatorCell, Indicators, MemberCounts, NetworkFilter, PURPOSES, Portfolio, PortfolioLine,
    ReturnedMember, SavingsBalance, SavingsReport,
};
use crate::domain::operations::GroupStatus;

fn amount(minor: i128, currency: Currency) -> String {
    format_total(minor, currency)
}

fn amount64(minor: i64, currency: Currency) -> String {
    format_total(i128::from(minor), currency)
}

/// A two-decimal text of a percentage or a sum of exact decimals.
fn two_places(value: Decimal) -> String {
    format!("{value:.2}")
}

/// A country filter: an ISO 3166-1 alpha-2 code in upper case.
fn country_parameter(params: &QueryParams, name: &str) -> Result<Option<String>, ApiError> {
    match params.text(name) {
        None => Ok(None),
        Some(code) => super::dto::country(name, code).map(Some).map_err(|_| {
            ApiError::invalid_parameter(
                name,
                "must be an ISO 3166-1 alpha-2 country code in upper case, such as \"HK\"",
            )
        }),
    }
}

fn filter(params: &QueryParams) -> Result<NetworkFilter, ApiError> {
    Ok(NetworkFilter {
        host_country: country_parameter(params, "host_country")?,
        home_country: country_parameter(params, "home_country")?,
    })
}

// ---------------------------------------------------------------------------------------------
// Savings mobilised

#[derive(Serialize)]
struct BalanceView {
    currency: &'static str,
    savings: String,
    capital: String,
}

impl BalanceView {
    fn of(b: &SavingsBalance) -> Self {
        BalanceView {
            currency: b.currency.code(),
            savings: amount(b.savings_minor, b.currency),
            capital: amount(b.capital_minor, b.currency),
        }
    }
}

#[derive(Serialize)]
struct MemberCountsView {
    active: i64,
    returned_home: i64,
    exited: i64,
}

impl MemberCountsView {
    fn of(c: &MemberCounts) -> Self {
        MemberCountsView {
            active: c.active,
            returned_home: c.returned_home,
            exited: c.exited,
        }
    }
}

#[derive(Serialize)]
struct GroupSavingsView {
    group_id: Uuid,
    name: String,
    host_country: String,
    home_country: String,
    status: GroupStatus,
    members: MemberCountsView,
    balances: Vec<BalanceView>,
}

#[derive(Serialize)]
struct SavingsView {
    as_of: Option<NaiveDate>,
    groups: Vec<GroupSavingsView>,
    members: MemberCountsView,
    totals: Vec<BalanceView>,
    /// Only when `convert_to` was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    converted: Option<ConvertedView>,
}

/// How every converted figure was obtained, written beside it.
const CONVERTED_AT: &str = "caller-supplied rates";

#[derive(Serialize)]
struct RateView {
    currency: &'static str,
    rate: String,
}

#[derive(Serialize)]
struct ConvertedFiguresView {
    #[serde(skip_serializing_if = "Option::is_none")]
    group_id: Option<Uuid>,
    currency: &'static str,
    savings: String,
    capital: String,
    converted_at: &'static str,
}

impl ConvertedFiguresView {
    fn of(group_id: Option<Uuid>, f: &ConvertedFigures, target: Currency) -> Self {
        ConvertedFiguresView {
            group_id,
            currency: target.code(),
            savings: amount(f.savings_minor, target),
            capital: amount(f.capital_minor, target),
            converted_at: CONVERTED_AT,
        }
    }
}

/// The report converted into one currency at the caller's rates, beside (never instead of)
/// the per-currency figures.
#[derive(Serialize)]
struct ConvertedView {
    currency: &'static str,
    converted_at: &'static str,
    rounding: &'static str,
    rates: Vec<RateView>,
    groups: Vec<ConvertedFiguresView>,
    totals: ConvertedFiguresView,
}

impl ConvertedView {
    fn of(c: &ConvertedSavings) -> Self {
        ConvertedView {
            currency: c.target.code(),
            converted_at: CONVERTED_AT,
            rounding: ROUNDING,
            rates: c
                .rates
                .iter()
                .map(|(currency, rate)| RateView {
                    currency: currency.code(),
                    rate: rate.to_string(),
                })
                .collect(),
            groups: c
                .groups
                .iter()
                .map(|(id, f)| ConvertedFiguresView::of(Some(*id), f, c.target))
                .collect(),
            totals: ConvertedFiguresView::of(None, &c.totals, c.target),
        }
    }
}

const ROUNDING: &str = "each currency converted exactly, summed, then rounded once to the minor unit of the target currency, half to even";

/// The rates given as `rate=HKD:0.1282` (one per currency), read apart from the other
/// parameters because the name repeats. Returns them and the query without them.
fn split_rates(raw: Option<&str>) -> Result<(Vec<String>, String), ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or(""))
        .map_err(|e| ApiError::invalid_parameter("query", e.to_string()))?;
    let (rates, rest): (Vec<_>, Vec<_>) = pairs.into_iter().partition(|(name, _)| name == "rate");
    let rest = serde_urlencoded::to_string(&rest)
        .map_err(|e| ApiError::invalid_parameter("query", e.to_string()))?;
    Ok((rates.into_iter().map(|(_, value)| value).collect(), rest))
}

/// A rate as given: digits with at most one decimal point, above zero.
fn parse_rate(text: &str) -> Option<Decimal> {
    let well_formed = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && text.bytes().filter(|b| *b == b'.').count() <= 1
        && !text.starts_with('.')
        && !text.ends_with('.');
    let rate: Decimal = text.parse().ok().filter(|_| well_formed)?;
    (rate > Decimal::ZERO).then_some(rate)
}

/// `convert_to` and its `rate`s, or none when neither is given.
fn conversion(params: &QueryParams, rates: &[String]) -> Result<Option<Conversion>, ApiError> {
    let Some(code) = params.text("convert_to") else {
        if rates.is_empty() {
            return Ok(None);
        }
        return Err(ApiError::invalid_parameter(
            "rate",
            "is only used with convert_to, the currency to convert into",
        ));
    };
    let target = Currency::parse(code)
        .map_err(|e| ApiError::invalid_parameter("convert_to", e.to_string()))?;
    let mut conversion = Conversion {
        target,
        rates: std::collections::BTreeMap::new(),
    };
    for text in rates {
        let refuse = |detail: String| ApiError::invalid_parameter("rate", detail);
        let (code, value) = text.split_once(':').ok_or_else(|| {
            refuse(format!(
                "{text:?} is not CURRENCY:RATE, such as HKD:0.1282 (one HKD in {target})"
            ))
        })?;
        let currency = Currency::parse(code).map_err(|e| refuse(format!("{code:?}: {e}")))?;
        if currency == target {
            return Err(refuse(format!(
                "{code} is the currency converted into; it needs no rate"
            )));
        }
        let rate = parse_rate(value).ok_or_else(|| {
            refuse(format!(
                "{code}: {value:?} is not a rate above zero written as digits with at most one decimal point"
            ))
        })?;
        if conversion
            .rates
            .insert(currency.code(), (currency, rate))
            .is_some()
        {
            return Err(refuse(format!("{code} is given more than once")));
        }
    }
    Ok(Some(conversion))
}

fn savings_table(report: &SavingsReport, converted: Option<&ConvertedSavings>) -> Table {
    let mut table = savings_base_table(report, converted.is_some());
    let Some(c) = converted else {
        return table;
    };
    // The rates first, then each group and the total in the target currency.
    for (currency, rate) in &c.rates {
        let mut row = vec!["caller_rate".to_string()];
        row.extend(std::iter::repeat_n(String::new(), 8));
        row.extend([currency.code().to_string(), String::new(), String::new()]);
        row.push(rate.to_string());
        table.push(row);
    }
    let figures = |f: &ConvertedFigures| {
        [
            c.target.code().to_string(),
            amount(f.savings_minor, c.target),
            amount(f.capital_minor, c.target),
            String::new(),
        ]
    };
    for (g, (_, f)) in report.groups.iter().zip(&c.groups) {
        let mut row = vec![
            "converted_group".to_string(),
            g.group_id.to_string(),
            g.name.clone(),
            g.host_country.clone(),
            g.home_country.clone(),
            g.status.as_str().to_string(),
            g.members.active.to_string(),
            g.members.returned_home.to_string(),
            g.members.exited.to_string(),
        ];
        row.extend(figures(f));
        table.push(row);
    }
    let m = &report.member_totals;
    let mut row = vec!["converted_total".to_string()];
    row.extend(std::iter::repeat_n(String::new(), 5));
    row.extend([
        m.active.to_string(),
        m.returned_home.to_string(),
        m.exited.to_string(),
    ]);
    row.extend(figures(&c.totals));
    table.push(row);
    table
}

const SAVINGS_COLUMNS: [&str; 12] = [
    "row",
    "group_id",
    "name",
    "host_country",
    "home_country",
    "status",
    "members_active",
    "members_returned_home",
    "members_exited",
    "currency",
    "savings",
    "capital",
];

/// The per-currency rows; with a conversion, a last column `rate` (empty on these rows).
fn savings_base_table(report: &SavingsReport, with_rate: bool) -> Table {
    let mut columns = SAVINGS_COLUMNS.to_vec();
    if with_rate {
        columns.push("rate");
    }
    let extra = usize::from(with_rate);
    let mut table = Table::new(&columns);
    let counts = |c: &MemberCounts| {
        [
            c.active.to_string(),
            c.returned_home.to_string(),
            c.exited.to_string(),
        ]
    };
    let money = |b: Option<&SavingsBalance>| match b {
        Some(b) => [
            b.currency.code().to_string(),
            amount(b.savings_minor, b.currency),
            amount(b.capital_minor, b.currency),
        ],
        None => Default::default(),
    };
    for g in &report.groups {
        // A group without members' accounts still has its row.
        let lines: Vec<Option<&SavingsBalance>> = if g.balances.is_empty() {
            vec![None]
        } else {
            g.balances.iter().map(Some).collect()
        };
        for line in lines {
            let mut row = vec![
                "group".to_string(),
                g.group_id.to_string(),
                g.name.clone(),
                g.host_country.clone(),
                g.home_country.clone(),
                g.status.as_str().to_string(),
            ];
            row.extend(counts(&g.members));
            row.extend(money(line));
            row.extend(std::iter::repeat_n(String::new(), extra));
            table.push(row);
        }
    }
    let total_lines: Vec<Option<&SavingsBalance>> = if report.totals.is_empty() {
        vec![None]
    } else {
        report.totals.iter().map(Some).collect()
    };
    for line in total_lines {
        let mut row = vec!["total".to_string()];
        row.extend(std::iter::repeat_n(String::new(), 5));
        row.extend(counts(&report.member_totals));
        row.extend(money(line));
        row.extend(std::iter::repeat_n(String::new(), extra));
        table.push(row);
    }
    table
}

/// `GET /v1/reports/savings`: what members have saved and invested in each group, per currency;
/// with `convert_to` and a `rate` for each other currency, also converted into that currency.
pub async fn savings(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let (rates, rest) = split_rates(raw.as_deref())?;
    let params = QueryParams::parse(
        Some(&rest),
        &[
            "format",
            "host_country",
            "home_country",
            "as_of",
            "convert_to",
            "rate",
        ],
    )?;
    let format = negotiate(&params, &headers)?;
    let filter = filter(&params)?;
    let as_of = params.date("as_of")?;
    let conversion = conversion(&params, &rates)?;
    let report = state.store.savings_report(&filter, as_of).await?;
    let converted = match &conversion {
        None => None,
        Some(c) => Some(report.convert(c).map_err(|e| match e {
            ConversionError::MissingRate(currency) => ApiError::invalid_parameter(
                "rate",
                format!("the report holds {currency} and no rate was given for it, such as rate={currency}:0.5"),
            ),
            ConversionError::TooLarge => ApiError::invalid_parameter(
                "rate",
                "converts to an amount beyond what can be computed exactly",
            ),
        })?),
    };
    let view = SavingsView {
        as_of: report.as_of,
        groups: report
            .groups
            .iter()
            .map(|g| GroupSavingsView {
                group_id: g.group_id,
                name: g.name.clone(),
                host_country: g.host_country.clone(),
                home_country: g.home_country.clone(),
                status: g.status,
                members: MemberCountsView::of(&g.members),
                balances: g.balances.iter().map(BalanceView::of).collect(),
            })
            .collect(),
        members: MemberCountsView::of(&report.member_totals),
        totals: report.totals.iter().map(BalanceView::of).collect(),
        converted: converted.as_ref().map(ConvertedView::of),
    };
    Ok(respond(
        format,
        &view,
        || savings_table(&report, converted.as_ref()),
        "savings-mobilised",
    ))
}

// ---------------------------------------------------------------------------------------------
// The investment portfolio

#[derive(Serialize)]
struct PortfolioLineView {
    key: String,
    currency: &'static str,
    count: i64,
    committed: String,
    disbursed: String,
    book_value: String,
    income: String,
    capital_returned: String,
    written_down: String,
    net_return: String,
    roi_percent: Option<String>,
}

impl PortfolioLineView {
    fn of(l: &PortfolioLine) -> Self {
        let c = l.currency;
        PortfolioLineView {
            key: l.key.clone(),
            currency: c.code(),
            count: l.count,
            committed: amount(l.committed_minor, c),
            disbursed: amount(l.disbursed_minor, c),
            book_value: amount(l.book_value_minor, c),
            income: amount(l.income_minor, c),
            capital_returned: amount(l.capital_returned_minor, c),
            written_down: amount(l.written_down_minor, c),
            net_return: amount(l.net_return_minor(), c),
            roi_percent: l.roi_percent().map(two_places),
        }
    }
}

#[derive(Serialize)]
struct PortfolioView {
    by_kind: Vec<PortfolioLineView>,
    by_sector: Vec<PortfolioLineView>,
    by_country: Vec<PortfolioLineView>,
}

fn portfolio_table(view: &PortfolioView) -> Table {
    let mut table = Table::new(&[
        "breakdown",
        "key",
        "currency",
        "count",
        "committed",
        "disbursed",
        "book_value",
        "income",
        "capital_returned",
        "written_down",
        "net_return",
        "roi_percent",
    ]);
    for (breakdown, lines) in [
        ("kind", &view.by_kind),
        ("sector", &view.by_sector),
        ("country", &view.by_country),
    ] {
        for l in lines {
            table.push(vec![
                breakdown.to_string(),
                l.key.clone(),
                l.currency.to_string(),
                l.count.to_string(),
                l.committed.clone(),
                l.disbursed.clone(),
                l.book_value.clone(),
                l.income.clone(),
                l.capital_returned.clone(),
                l.written_down.clone(),
                l.net_return.clone(),
                cell(l.roi_percent.as_ref()),
            ]);
        }
    }
    table
}

/// `GET /v1/reports/portfolio`: the groups' alternative investments by kind, sector and
/// country, per currency.
pub async fn portfolio(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = QueryParams::parse(raw.as_deref(), &["format", "host_country", "home_country"])?;
    let format = negotiate(&params, &headers)?;
    let filter = filter(&params)?;
    let Portfolio {
        by_kind,
        by_sector,
        by_country,
    } = state.store.portfolio_report(&filter).await?;
    let lines = |ls: Vec<PortfolioLine>| ls.iter().map(PortfolioLineView::of).collect();
    let view = PortfolioView {
        by_kind: lines(by_kind),
        by_sector: lines(by_sector),
        by_country: lines(by_country),
    };
    Ok(respond(
        format,
        &view,
        || portfolio_table(&view),
        "investment-portfolio",
    ))
}

// ---------------------------------------------------------------------------------------------
// Remittance corridors

#[derive(Serialize)]
struct CorridorView {
    send_country: String,
    receive_country: String,
    month: String,
    send_currency: &'static str,
    receive_currency: &'static str,
    count: i64,
    sent: String,
    received: String,
    fees: String,
    fx_margin: Option<String>,
    with_mid_market_rate: i64,
    average_cost_percent: String,
    median_cost_percent: String,
    uses: serde_json::Map<String, serde_json::Value>,
}

impl CorridorView {
    fn of(l: &CorridorLine) -> Self {
        let scale = l.send_currency.exponent();
        let uses = PURPOSES
            .iter()
            .zip(l.uses_minor)
            .map(|(p, minor)| {
                (
                    p.as_str().to_string(),
                    serde_json::Value::String(amount(minor, l.receive_currency)),
                )
            })
            .collect();
        CorridorView {
            send_country: l.send_country.clone(),
            receive_country: l.receive_country.clone(),
            month: l.month.clone(),
            send_currency: l.send_currency.code(),
            receive_currency: l.receive_currency.code(),
            count: l.count,
            sent: amount(l.sent_minor, l.send_currency),
            received: amount(l.received_minor, l.receive_currency),
            fees: amount(l.fees_minor, l.send_currency),
            fx_margin: l.fx_margin.map(|m| format!("{:.*}", scale as usize, m)),
            with_mid_market_rate: l.with_mid_market,
            average_cost_percent: two_places(l.average_cost_percent),
            median_cost_percent: two_places(l.median_cost_percent),
            uses,
        }
    }
}

#[derive(Serialize)]
struct CorridorsView {
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    corridors: Vec<CorridorView>,
}

const CORRIDOR_COLUMNS: [&str; 20] = [
    "send_country",
    "receive_country",
    "month",
    "send_currency",
    "receive_currency",
    "count",
    "sent",
    "received",
    "fees",
    "fx_margin",
    "with_mid_market_rate",
    "average_cost_percent",
    "median_cost_percent",
    "use_family_support",
    "use_education",
    "use_health",
    "use_group_savings",
    "use_investment",
    "use_debt",
    "use_other",
];

fn corridors_table(view: &CorridorsView) -> Table {
    let mut table = Table::new(&CORRIDOR_COLUMNS);
    for c in &view.corridors {
        let mut row = vec![
            c.send_country.clone(),
            c.receive_country.clone(),
            c.month.clone(),
            c.send_currency.to_string(),
            c.receive_currency.to_string(),
            c.count.to_string(),
            c.sent.clone(),
            c.received.clone(),
            c.fees.clone(),
            cell(c.fx_margin.as_ref()),
            c.with_mid_market_rate.to_string(),
            c.average_cost_percent.clone(),
            c.median_cost_percent.clone(),
        ];
        for p in PURPOSES {
            row.push(c.uses[p.as_str()].as_str().unwrap_or_default().to_string());
        }
        table.push(row);
    }
    table
}

/// `GET /v1/reports/remittance-corridors`: count, amounts and cost of remittances per
/// corridor, month and currency pair, as the World Bank's Remittance Prices Worldwide measures.
pub async fn remittance_corridors(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = QueryParams::parse(
        raw.as_deref(),
        &["format", "from", "to", "host_country", "home_country"],
    )?;
    let format = negotiate(&params, &headers)?;
    let filter = filter(&params)?;
    let (from, to) = params.date_range()?;
    let lines = state.store.remittance_corridors(&filter, from, to).await?;
    let view = CorridorsView {
        from,
        to,
        corridors: lines.iter().map(CorridorView::of).collect(),
    };
    Ok(respond(
        format,
        &view,
        || corridors_table(&view),
        "remittance-corridors",
    ))
}

// ---------------------------------------------------------------------------------------------
// Sex-disaggregated indicators

#[derive(Serialize)]
struct CellView {
    sex: Sex,
    #[serde(skip_serializing_if = "Option::is_none")]
    age_band: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    host_country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    home_country: Option<String>,
    currency: &'static str,
    suppressed: bool,
    members: Option<i64>,
    savings: Option<String>,
    capital: Option<String>,
    distributions_received: Option<String>,
    remittances_sent: Option<i64>,
    remittances_amount: Option<String>,
}

impl CellView {
    fn of(c: &IndicatorCell) -> Self {
        let cur = c.currency;
        let f: Option<&CellFigures> = c.figures.as_ref();
        CellView {
            sex: c.sex,
            age_band: c.age_band.map(|b| b.as_str()),
            host_country: c.host_country.clone(),
            home_country: c.home_country.clone(),
            currency: cur.code(),
            suppressed: f.is_none(),
            members: f.map(|f| f.members),
            savings: f.map(|f| amount(f.savings_minor, cur)),
            capital: f.map(|f| amount(f.capital_minor, cur)),
            distributions_received: f.map(|f| amount(f.distributions_minor, cur)),
            remittances_sent: f.map(|f| f.remittances_sent),
            remittances_amount: f.map(|f| amount(f.remittances_minor, cur)),
        }
    }
}

#[derive(Serialize)]
struct IndicatorsView {
    as_of: NaiveDate,
    suppression_min: u32,
    cells: Vec<CellView>,
    totals_by_sex: Vec<CellView>,
}

fn indicators_table(view: &IndicatorsView) -> Table {
    let mut table = Table::new(&[
        "row",
        "sex",
        "age_band",
        "host_country",
        "home_country",
        "currency",
        "suppressed",
        "members",
        "savings",
        "capital",
        "distributions_received",
        "remittances_sent",
        "remittances_amount",
    ]);
    for (kind, cells) in [("cell", &view.cells), ("sex_total", &view.totals_by_sex)] {
        for c in cells {
            table.push(vec![
                kind.to_string(),
                c.sex.as_str().to_string(),
                cell(c.age_band),
                cell(c.host_country.as_ref()),
                cell(c.home_country.as_ref()),
                c.currency.to_string(),
                c.suppressed.to_string(),
                cell(c.members),
                cell(c.savings.as_ref()),
                cell(c.capital.as_ref()),
                cell(c.distributions_received.as_ref()),
                cell(c.remittances_sent),
                cell(c.remittances_amount.as_ref()),
            ]);
        }
    }
    table
}

/// Today for the network: the latest of its groups' todays, so that whatever any group recorded
/// for its today counts; the date in UTC before there is any group.
async fn network_today(state: &AppState) -> Result<NaiveDate, ApiError> {
    let zones = state.store.group_time_zones().await?;
    let now = state.clock.now();
    Ok(zones
        .into_iter()
        .map(|zone| crate::domain::dates::local_date(now, zone))
        .max()
        .unwrap_or_else(|| now.date_naive()))
}

/// `GET /v1/reports/indicators`: members, savings, capital, distributions and remittances by
/// sex, age band, host and home country and currency, small cells suppressed.
pub async fn indicators(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = QueryParams::parse(raw.as_deref(), &["format", "as_of"])?;
    let format = negotiate(&params, &headers)?;
    let as_of = match params.date("as_of")? {
        Some(date) => date,
        None => network_today(&state).await?,
    };
    let Indicators {
        as_of,
        suppression_min,
        cells,
        totals_by_sex,
    } = state
        .store
        .indicators_report(as_of, state.suppression_min)
        .await?;
    let view = IndicatorsView {
        as_of,
        suppression_min,
        cells: cells.iter().map(CellView::of).collect(),
        totals_by_sex: totals_by_sex.iter().map(CellView::of).collect(),
    };
    Ok(respond(
        format,
        &view,
        || indicators_table(&view),
        "indicators",
    ))
}

// ---------------------------------------------------------------------------------------------
// Reintegration

#[derive(Serialize)]
struct StakeView {
    currency: &'static str,
    savings_at_return: String,
    capital_at_return: String,
    paid_out: String,
    capital_invested_now: String,
}

#[derive(Serialize)]
struct ReturnedView {
    group_id: Uuid,
    group_name: String,
    member_id: Uuid,
    sex: Sex,
    home_country: String,
    returned_on: Option<NaiveDate>,
    stakes: Vec<StakeView>,
}

impl ReturnedView {
    fn of(m: &ReturnedMember) -> Self {
        ReturnedView {
            group_id: m.group_id,
            group_name: m.group_name.clone(),
            member_id: m.member_id,
            sex: m.sex,
            home_country: m.home_country.clone(),
            returned_on: m.returned_on,
            stakes: m
                .stakes
                .iter()
                .map(|s| StakeView {
                    currency: s.currency.code(),
                    savings_at_return: amount64(s.savings_at_return_minor, s.currency),
                    capital_at_return: amount64(s.capital_at_return_minor, s.currency),
                    paid_out: amount64(s.paid_out_minor, s.currency),
                    capital_invested_now: amount64(s.capital_now_minor, s.currency),
                })
                .collect(),
        }
    }
}

#[derive(Serialize)]
struct ReintegrationView {
    members: Vec<ReturnedView>,
}

fn reintegration_table(view: &ReintegrationView) -> Table {
    let mut table = Table::new(&[
        "group_id",
        "group_name",
        "member_id",
        "sex",
        "home_country",
        "returned_on",
        "currency",
        "savings_at_return",
        "capital_at_return",
        "paid_out",
        "capital_invested_now",
    ]);
    for m in &view.members {
        for s in &m.stakes {
            table.push(vec![
                m.group_id.to_string(),
                m.group_name.clone(),
                m.member_id.to_string(),
                m.sex.as_str().to_string(),
                m.home_country.clone(),
                cell(m.returned_on),
                s.currency.to_string(),
                s.savings_at_return.clone(),
                s.capital_at_return.clone(),
                s.paid_out.clone(),
                s.capital_invested_now.clone(),
            ]);
        }
    }
    table
}

/// `GET /v1/reports/reintegration`: members who returned home, their stake when they left,
/// what was paid out to them and what they keep invested.
pub async fn reintegration(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = QueryParams::parse(raw.as_deref(), &["format"])?;
    let format = negotiate(&params, &headers)?;
    let members = state.store.reintegration_report().await?;
    let view = ReintegrationView {
        members: members.iter().map(ReturnedView::of).collect(),
    };
    Ok(respond(
        format,
        &view,
        || reintegration_table(&view),
        "reintegration",
    ))
}
