//! `GET /v1/reports/reintegration`: members who returned home and what they took.

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::NaiveDate;
use serde::Serialize;
use uuid::Uuid;

use super::*;
use crate::domain::member::Sex;
use crate::domain::network::ReturnedMember;
use crate::http::AppState;
use crate::http::error::ApiError;
use crate::http::query::QueryParams;
use crate::http::report::{Table, cell, negotiate, respond};

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
