//! `GET /v1/groups/{group_id}/performance`: the indicators savings-group programmes use
//! (SAVIX's measures), each with its definition, for a period.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use serde::Serialize;
use uuid::Uuid;

use crate::domain::money::{Currency, format_total};
use crate::domain::performance::{self, Performance, RATIO_DECIMALS, Ratio};
use crate::http::AppState;
use crate::http::error::ApiError;
use crate::http::path::GroupPath;
use crate::http::query::QueryParams;
use crate::http::write::json_response;

/// A count, with what it counts.
#[derive(Debug, Clone, Serialize)]
pub struct CountFigure {
    pub value: u64,
    pub definition: String,
}

/// An amount in the group's currency, or a percentage with fixed decimals; `null` when it
/// cannot be worked out, the definition then saying why.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    pub value: Option<String>,
    pub definition: String,
}

/// The indicators of a period, each with its definition.
#[derive(Debug, Clone, Serialize)]
pub struct IndicatorsView {
    pub members: CountFigure,
    pub members_at_start: CountFigure,
    pub women_percent: Figure,
    pub meetings: CountFigure,
    pub attendance_percent: Figure,
    pub savings: Figure,
    pub savings_per_member: Figure,
    pub net_income: Figure,
    pub return_on_savings_percent: Figure,
    pub return_on_assets_percent: Figure,
    pub members_left: CountFigure,
    pub dropout_percent: Figure,
    pub portfolio_written_down_percent: Figure,
    pub social_fund: Figure,
    pub savings_mobilised: Figure,
}

#[derive(Debug, Clone, Serialize)]
pub struct PerformanceView {
    pub group_id: Uuid,
    pub currency: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub days: i64,
    pub indicators: IndicatorsView,
}

fn count(value: u64, definition: &str) -> CountFigure {
    CountFigure {
        value,
        definition: definition.to_string(),
    }
}

fn money(value: i128, c: Currency, definition: &str) -> Figure {
    Figure {
        value: Some(format_total(value, c)),
        definition: definition.to_string(),
    }
}

fn ratio(r: &Ratio, definition: &str) -> Figure {
    match r {
        Ratio::Value(v) => Figure {
            value: Some(format!("{:.*}", RATIO_DECIMALS as usize, v)),
            definition: definition.to_string(),
        },
        Ratio::Undefined(why) => Figure {
            value: None,
            definition: format!("{definition} None here: {why}."),
        },
    }
}

impl IndicatorsView {
    pub fn of(p: &Performance, c: Currency) -> Self {
        let code = c.code();
        IndicatorsView {
            members: count(
                p.members_at_end,
                "Members at the end of the period: those who had joined by its last day and had not gone home or exited by then.",
            ),
            members_at_start: count(
                p.members_at_start,
                "Members on the day before the period began, counted the same way.",
            ),
            women_percent: ratio(
                &p.women_percent,
                "Share of women among the members at the end of the period: women ÷ members × 100.",
            ),
            meetings: count(p.meetings, "Meetings held in the period."),
            attendance_percent: ratio(
                &p.attendance_percent,
                "How many members came to the period's meetings: attendances recorded ÷ (for each meeting, the members the group had that day) × 100.",
            ),
            savings: money(
                p.savings_at_end,
                c,
                &format!(
                    "Members' savings at the end of the period, in {code}: the balances of every member's savings account."
                ),
            ),
            savings_per_member: Figure {
                value: p.savings_per_member.map(|v| format_total(v, c)),
                definition: match p.savings_per_member {
                    Some(_) => format!(
                        "Savings per member at the end of the period, in {code}: members' savings ÷ members, to the cent."
                    ),
                    None => format!(
                        "Savings per member at the end of the period, in {code}: members' savings ÷ members, to the cent. None here: the group has no members at the period's end."
                    ),
                },
            },
            net_income: money(
                p.net_income,
                c,
                &format!(
                    "What the group earned in the period, in {code}: income less expenses booked in it (investment income, FX gains, less fees, FX losses and write-downs); amounts in other currencies are not converted or counted."
                ),
            ),
            return_on_savings_percent: ratio(
                &p.return_on_savings_percent,
                "Yearly return on members' savings: net income ÷ average savings (the average of the savings on the day before the period and on its last day) × 365 ÷ the period's days × 100.",
            ),
            return_on_assets_percent: ratio(
                &p.return_on_assets_percent,
                "Yearly return on the group's assets: net income ÷ average assets in the group's currency (the average of the day before the period and its last day) × 365 ÷ the period's days × 100.",
            ),
            members_left: count(
                p.members_left,
                "Members who went home or exited during the period.",
            ),
            dropout_percent: ratio(
                &p.dropout_percent,
                "Dropout rate: members who went home or exited during the period ÷ members on the day before it began × 100.",
            ),
            portfolio_written_down_percent: ratio(
                &p.portfolio_written_down_percent,
                &format!(
                    "Share of the investments written down: write-downs booked in the period ÷ all amounts disbursed to investments in {code} up to its end × 100."
                ),
            ),
            social_fund: money(
                p.social_fund,
                c,
                &format!(
                    "The social (welfare) fund at the end of the period, in {code}: money kept for members in need, never shared out."
                ),
            ),
            savings_mobilised: money(
                p.savings_mobilised,
                c,
                &format!(
                    "Savings mobilised in the period, in {code}: everything paid into members' savings accounts (contributions, remittances for the group, shares paid into savings)."
                ),
            ),
        }
    }
}

impl PerformanceView {
    pub fn of(group_id: Uuid, c: Currency, p: &Performance) -> Self {
        PerformanceView {
            group_id,
            currency: c.code().to_string(),
            from: p.from,
            to: p.to,
            days: p.days,
            indicators: IndicatorsView::of(p, c),
        }
    }
}

/// Refuses a date after `today`, naming the parameter.
pub fn not_after_today(name: &str, date: NaiveDate, today: NaiveDate) -> Result<(), ApiError> {
    if date > today {
        return Err(ApiError::invalid_parameter(
            name,
            format!("must not be after today ({today}) where the group meets"),
        ));
    }
    Ok(())
}

pub async fn group_performance(
    State(state): State<AppState>,
    GroupPath { group_id }: GroupPath,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = QueryParams::parse(raw.as_deref(), &["from", "to"])?;
    let (from, to) = params.date_range()?;
    let today = state.today(group_id).await?;
    if let Some(from) = from {
        not_after_today("from", from, today)?;
    }
    if let Some(to) = to {
        not_after_today("to", to, today)?;
    }
    let loaded = state
        .store
        .performance_facts(group_id, from, to.unwrap_or(today))
        .await?;
    let figures = performance::performance(&loaded.facts);
    let view = PerformanceView::of(group_id, loaded.group.currency, &figures);
    Ok(json_response(StatusCode::OK, &view))
}
