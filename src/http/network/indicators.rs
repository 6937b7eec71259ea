//! `GET /v1/reports/indicators`: sex-disaggregated indicators, small cells suppressed.

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::NaiveDate;
use serde::Serialize;

use super::*;
use crate::domain::member::Sex;
use crate::domain::network::{CellFigures, IndicatorCell, Indicators};
use crate::http::AppState;
use crate::http::error::ApiError;
use crate::http::query::QueryParams;
use crate::http::report::{Table, cell, negotiate, respond};

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
