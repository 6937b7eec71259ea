//! `GET /v1/reports/savings-trend`: savings month by month, by sex and currency, with members
//! who joined and left; small cells suppressed.

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;

use super::*;
use crate::domain::member::Sex;
use crate::domain::network::{NetworkFilter, SavingsTrend, TrendCell};
use crate::http::AppState;
use crate::http::error::ApiError;
use crate::http::query::QueryParams;
use crate::http::report::{Table, cell, negotiate, respond};

/// The longest period the trend is drawn over, in months.
pub const MAX_MONTHS: u32 = 120;

/// The filters of the trend: the groups' countries and the period, `to` defaulting to today
/// and `from` to the start of the twelve months that end with `to`'s.
pub struct TrendQuery {
    pub filter: NetworkFilter,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl TrendQuery {
    pub async fn parse(state: &AppState, params: &QueryParams) -> Result<Self, ApiError> {
        let filter = filter(params)?;
        let to = match params.date("to")? {
            Some(to) => to,
            None => network_today(state).await?,
        };
        let from = match params.date("from")? {
            Some(from) => from,
            None => to
                .with_day(1)
                .and_then(|first| first.checked_sub_months(Months::new(11)))
                .unwrap_or(to),
        };
        if from > to {
            return Err(match params.text("to") {
                Some(_) => ApiError::invalid_parameter("to", "must not be before from"),
                None => ApiError::invalid_parameter("from", "must not be after today"),
            });
        }
        let limit = to
            .with_day(1)
            .and_then(|first| first.checked_sub_months(Months::new(MAX_MONTHS - 1)))
            .unwrap_or(NaiveDate::MIN);
        if from < limit {
            return Err(ApiError::invalid_parameter(
                "from",
                "must be within the 120 months that end with the month of to",
            ));
        }
        Ok(TrendQuery { filter, from, to })
    }
}

#[derive(Serialize)]
pub struct TrendCellView {
    /// `YYYY-MM`.
    pub month: String,
    pub sex: Sex,
    pub currency: &'static str,
    pub suppressed: bool,
    pub people: Option<i64>,
    pub members: Option<i64>,
    pub joined: Option<i64>,
    pub left: Option<i64>,
    pub deposits: Option<String>,
    pub withdrawals: Option<String>,
    pub savings: Option<String>,
}

impl TrendCellView {
    fn of(c: &TrendCell) -> Self {
        let f = c.figures.as_ref();
        TrendCellView {
            month: c.month.format("%Y-%m").to_string(),
            sex: c.sex,
            currency: c.currency.code(),
            suppressed: f.is_none(),
            people: f.map(|f| f.people),
            members: f.map(|f| f.members),
            joined: f.map(|f| f.joined),
            left: f.map(|f| f.left),
            deposits: f.map(|f| amount(f.deposits_minor, c.currency)),
            withdrawals: f.map(|f| amount(f.withdrawals_minor, c.currency)),
            savings: f.map(|f| amount(f.savings_minor, c.currency)),
        }
    }
}

#[derive(Serialize)]
pub struct TrendView {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub suppression_min: u32,
    pub cells: Vec<TrendCellView>,
}

impl TrendView {
    pub fn of(trend: &SavingsTrend) -> Self {
        TrendView {
            from: trend.from,
            to: trend.to,
            suppression_min: trend.suppression_min,
            cells: trend.cells.iter().map(TrendCellView::of).collect(),
        }
    }
}

fn trend_table(view: &TrendView) -> Table {
    let mut table = Table::new(&[
        "month",
        "sex",
        "currency",
        "suppressed",
        "people",
        "members",
        "joined",
        "left",
        "deposits",
        "withdrawals",
        "savings",
    ]);
    for c in &view.cells {
        table.push(vec![
            c.month.clone(),
            c.sex.as_str().to_string(),
            c.currency.to_string(),
            c.suppressed.to_string(),
            cell(c.people),
            cell(c.members),
            cell(c.joined),
            cell(c.left),
            cell(c.deposits.as_ref()),
            cell(c.withdrawals.as_ref()),
            cell(c.savings.as_ref()),
        ]);
    }
    table
}

/// The trend the filters of `params` ask for, suppressed as the service is configured.
pub async fn load(state: &AppState, query: &TrendQuery) -> Result<SavingsTrend, ApiError> {
    Ok(state
        .store
        .savings_trend(&query.filter, query.from, query.to, state.suppression_min)
        .await?)
}

/// `GET /v1/reports/savings-trend`: savings month by month, by sex and currency.
pub async fn savings_trend(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = QueryParams::parse(
        raw.as_deref(),
        &["format", "from", "to", "host_country", "home_country"],
    )?;
    let format = negotiate(&params, &headers)?;
    let query = TrendQuery::parse(&state, &params).await?;
    let view = TrendView::of(&load(&state, &query).await?);
    Ok(respond(
        format,
        &view,
        || trend_table(&view),
        "savings-trend",
    ))
}
