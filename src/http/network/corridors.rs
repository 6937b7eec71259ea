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
    /// The channel of the line's remittances, when lines are cut by channel.
    channel: Option<&'static str>,
    send_currency: &'static str,
    receive_currency: &'static str,
    suppressed: bool,
    #[serde(flatten)]
    figures: Option<CorridorFigures>,
}

/// A line's figures, shown when its remittances were sent by enough members.
#[derive(Serialize)]
struct CorridorFigures {
    count: i64,
    sent: String,
    received: String,
    fees: String,
    fx_margin: Option<String>,
    with_mid_market_rate: i64,
    average_cost_percent: String,
    median_cost_percent: String,
    lower_quartile_cost_percent: String,
    upper_quartile_cost_percent: String,
    uses: serde_json::Map<String, serde_json::Value>,
}

impl CorridorView {
    /// A line, its figures withheld when fewer than `suppression_min` members sent its
    /// remittances.
    fn of(l: &CorridorLine, suppression_min: u32) -> Self {
        let shown = l.senders >= i64::from(suppression_min);
        CorridorView {
            send_country: l.send_country.clone(),
            receive_country: l.receive_country.clone(),
            month: l.month.clone(),
            channel: l.channel.map(|c| c.as_str()),
            send_currency: l.send_currency.code(),
            receive_currency: l.receive_currency.code(),
            suppressed: !shown,
            figures: shown.then(|| CorridorFigures::of(l)),
        }
    }
}

impl CorridorFigures {
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
        CorridorFigures {
            count: l.count,
            sent: amount(l.sent_minor, l.send_currency),
            received: amount(l.received_minor, l.receive_currency),
            fees: amount(l.fees_minor, l.send_currency),
            fx_margin: l.fx_margin.map(|m| format!("{:.*}", scale as usize, m)),
            with_mid_market_rate: l.with_mid_market,
            average_cost_percent: two_places(l.average_cost_percent),
            median_cost_percent: two_places(l.median_cost_percent),
            lower_quartile_cost_percent: two_places(l.lower_quartile_cost_percent),
            upper_quartile_cost_percent: two_places(l.upper_quartile_cost_percent),
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

const CORRIDOR_COLUMNS: [&str; 23] = [
    "send_country",
    "receive_country",
    "month",
    "channel",
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
    "lower_quartile_cost_percent",
    "upper_quartile_cost_percent",
    "use_family_support",
    "use_education",
    "use_health",
    "use_group_savings",
    "use_investment",
    "use_debt",
    "use_other",
];

fn corridors_table(view: &CorridorsView) -> Table {
    let mut columns = CORRIDOR_COLUMNS.to_vec();
    columns.insert(6, "suppressed");
    let mut table = Table::new(&columns);
    for c in &view.corridors {
        let mut row = vec![
            c.send_country.clone(),
            c.receive_country.clone(),
            c.month.clone(),
            c.channel.unwrap_or_default().to_string(),
            c.send_currency.to_string(),
            c.receive_currency.to_string(),
            c.suppressed.to_string(),
        ];
        match &c.figures {
            None => row.extend(std::iter::repeat_n(
                String::new(),
                CORRIDOR_COLUMNS.len() - 6,
            )),
            Some(f) => {
                row.extend([
                    f.count.to_string(),
                    f.sent.clone(),
                    f.received.clone(),
                    f.fees.clone(),
                    cell(f.fx_margin.as_ref()),
                    f.with_mid_market_rate.to_string(),
                    f.average_cost_percent.clone(),
                    f.median_cost_percent.clone(),
                    f.lower_quartile_cost_percent.clone(),
                    f.upper_quartile_cost_percent.clone(),
                ]);
                for p in PURPOSES {
                    row.push(f.uses[p.as_str()].as_str().unwrap_or_default().to_string());
                }
            }
        }
        table.push(row);
    }
    table
}

/// `GET /v1/reports/remittance-corridors` (or a group's): count, amounts and cost of remittances
/// per corridor, month (and channel, with `by=channel`) and currency pair, as the World Bank's
/// Remittance Prices Worldwide measures.
pub(super) async fn corridors_of(
    scope: Scope,
    state: &AppState,
    headers: &HeaderMap,
    raw: Option<&str>,
) -> Result<Response, ApiError> {
    let (params, filter) = scope.parse(raw, &["format", "from", "to", "by"])?;
    let format = negotiate(&params, headers)?;
    let (from, to) = params.date_range()?;
    let by_channel = match params.text("by") {
        None => false,
        Some("channel") => true,
        Some(_) => return Err(ApiError::invalid_parameter("by", "must be channel")),
    };
    let lines = state
        .store
        .remittance_corridors(&filter, from, to, by_channel)
        .await?;
    let view = CorridorsView {
        from,
        to,
        corridors: lines
            .iter()
            .map(|l| CorridorView::of(l, state.suppression_min))
            .collect(),
    };
    Ok(respond(
        format,
        &view,
        || corridors_table(&view),
        "remittance-corridors",
    ))
}
