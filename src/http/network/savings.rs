//! `GET /v1/reports/savings`: savings mobilised across groups, converted on request.

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use uuid::Uuid;

use super::*;
use crate::domain::money::Currency;
use crate::domain::network::{
    Conversion, ConversionError, ConvertedFigures, ConvertedSavings, MemberCounts, SavingsBalance,
    SavingsReport,
};
use crate::domain::operations::GroupStatus;
use crate::http::AppState;
use crate::http::error::ApiError;
use crate::http::query::QueryParams;
use crate::http::report::{Table, negotiate, respond};

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
    split_repeated(raw, "rate")
}

/// The values of a parameter that may repeat, and the query without it.
pub fn split_repeated(raw: Option<&str>, name: &str) -> Result<(Vec<String>, String), ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or(""))
        .map_err(|e| ApiError::invalid_parameter("query", e.to_string()))?;
    let (rates, rest): (Vec<_>, Vec<_>) = pairs.into_iter().partition(|(n, _)| n == name);
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
            "group_id",
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
