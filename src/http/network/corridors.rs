//! `GET /v1/reports/remittance-corridors`: what members send home, corridor by corridor.

use axum::http::HeaderMap;
use axum::response::Response;
use chrono::NaiveDate;
use serde::Serialize;

use super::*;
use crate::domain::network::{CorridorLine, PURPOSES};
use crate::http::AppState;
use crate::http::error::ApiError;
use crate::http::report::{Table, cell, negotiate, respond};

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

/// `GET /v1/reports/remittance-corridors` (or a group's): count, amounts and cost of remittances
/// per corridor, month and currency pair, as the World Bank's Remittance Prices Worldwide measures.
pub(super) async fn corridors_of(
    scope: Scope,
    state: &AppState,
    headers: &HeaderMap,
    raw: Option<&str>,
) -> Result<Response, ApiError> {
    let (params, filter) = scope.parse(raw, &["format", "from", "to"])?;
    let format = negotiate(&params, headers)?;
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
