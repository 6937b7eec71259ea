//! The task force's reports across groups, for auditors and administrators: savings mobilised,
//! the investment portfolio, remittance corridors, sex-disaggregated indicators and
//! reintegration. Each answers as JSON or as CSV (see `report`), from the same rows.

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{NaiveDate, Utc};
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
    CellFigures, CorridorLine, IndicatorCell, Indicators, MemberCounts, NetworkFilter, PURPOSES,
    Portfolio, PortfolioLine, ReturnedMember, SavingsBalance, SavingsReport,
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
}

fn savings_table(report: &SavingsReport) -> Table {
    let mut table = Table::new(&[
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
    ]);
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
        table.push(row);
    }
    table
}

/// `GET /v1/reports/savings`: what members have saved and invested in each group, per currency.
pub async fn savings(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = QueryParams::parse(
        raw.as_deref(),
        &["format", "host_country", "home_country", "as_of"],
    )?;
    let format = negotiate(&params, &headers)?;
    let filter = filter(&params)?;
    let as_of = params.date("as_of")?;
    let report = state.store.savings_report(&filter, as_of).await?;
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
    };
    Ok(respond(
        format,
        &view,
        || savings_table(&report),
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

/// `GET /v1/reports/indicators`: members, savings, capital, distributions and remittances by
/// sex, age band, host and home country and currency, small cells suppressed.
pub async fn indicators(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = QueryParams::parse(raw.as_deref(), &["format", "as_of"])?;
    let format = negotiate(&params, &headers)?;
    let as_of = params
        .date("as_of")?
        .unwrap_or_else(|| Utc::now().date_naive());
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
