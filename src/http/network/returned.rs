//! `GET /v1/reports/returned-home`: members who returned home in a period, by home country, sex
//! and currency, with what they held on return, what was paid out and what they keep invested;
//! small cells suppressed.

use axum::http::HeaderMap;
use axum::response::Response;
use chrono::NaiveDate;
use serde::Serialize;

use super::*;
use crate::domain::member::Sex;
use crate::domain::network::{ReturnCell, returns};
use crate::http::AppState;
use crate::http::error::ApiError;
use crate::http::report::{Table, cell, negotiate, respond};

#[derive(Serialize)]
pub struct ReturnCellView {
    home_country: String,
    sex: Sex,
    currency: &'static str,
    suppressed: bool,
    members: Option<i64>,
    savings_at_return: Option<String>,
    capital_at_return: Option<String>,
    paid_out: Option<String>,
    capital_held: Option<String>,
}

impl ReturnCellView {
    fn of(c: &ReturnCell) -> Self {
        let f = c.figures.as_ref();
        let money = |minor: fn(&crate::domain::network::ReturnFigures) -> i128| {
            f.map(|f| amount(minor(f), c.currency))
        };
        ReturnCellView {
            home_country: c.home_country.clone(),
            sex: c.sex,
            currency: c.currency.code(),
            suppressed: f.is_none(),
            members: f.map(|f| f.members),
            savings_at_return: money(|f| f.savings_at_return_minor),
            capital_at_return: money(|f| f.capital_at_return_minor),
            paid_out: money(|f| f.paid_out_minor),
            capital_held: money(|f| f.capital_held_minor),
        }
    }
}

#[derive(Serialize)]
struct ReturnedView {
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    suppression_min: u32,
    cells: Vec<ReturnCellView>,
}

fn returned_table(view: &ReturnedView) -> Table {
    let mut table = Table::new(&[
        "home_country",
        "sex",
        "currency",
        "suppressed",
        "members",
        "savings_at_return",
        "capital_at_return",
        "paid_out",
        "capital_held",
    ]);
    for c in &view.cells {
        table.push(vec![
            c.home_country.clone(),
            c.sex.as_str().to_string(),
            c.currency.to_string(),
            c.suppressed.to_string(),
            cell(c.members),
            cell(c.savings_at_return.as_ref()),
            cell(c.capital_at_return.as_ref()),
            cell(c.paid_out.as_ref()),
            cell(c.capital_held.as_ref()),
        ]);
    }
    table
}

/// The cells of the members who returned home that `filter` and `from`..`to` cover.
pub async fn load(
    state: &AppState,
    filter: &NetworkFilter,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<Vec<ReturnCell>, ApiError> {
    let returned = state.store.reintegration_report().await?;
    Ok(returns(&returned, filter, from, to, state.suppression_min))
}

/// `GET /v1/reports/returned-home` (or a group's).
pub(super) async fn returned_of(
    scope: Scope,
    state: &AppState,
    headers: &HeaderMap,
    raw: Option<&str>,
) -> Result<Response, ApiError> {
    let (params, filter) = scope.parse(raw, &["format", "from", "to"])?;
    let format = negotiate(&params, headers)?;
    let (from, to) = params.date_range()?;
    let cells = load(state, &filter, from, to).await?;
    let view = ReturnedView {
        from,
        to,
        suppression_min: state.suppression_min,
        cells: cells.iter().map(ReturnCellView::of).collect(),
    };
    Ok(respond(
        format,
        &view,
        || returned_table(&view),
        "returned-home",
    ))
}
