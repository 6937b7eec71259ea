//! `PATCH /v1/groups/{group_id}`: a group's status, distribution basis and time zone.

use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use serde::Deserialize;

use crate::auth::caller::Caller;
use crate::domain::operations::*;
use crate::http::AppState;
use crate::http::dto::{self, booking_date};
use crate::http::error::{ApiError, FieldChecks};
use crate::http::extract::JsonBody;
use crate::http::path::GroupPath;
use crate::http::views::GroupView;
use crate::http::write::json_response;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatchGroup {
    #[serde(default)]
    pub status: Option<GroupStatus>,
    #[serde(
        default,
        deserialize_with = "crate::domain::dates::deserialize_optional"
    )]
    pub status_on: Option<NaiveDate>,
    #[serde(default)]
    pub distribution_basis: Option<Basis>,
    /// An IANA time zone name: where the group now meets.
    #[serde(default)]
    pub time_zone: Option<String>,
}

pub async fn update(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    GroupPath { group_id }: GroupPath,
    body: JsonBody<PatchGroup>,
) -> Result<Response, ApiError> {
    let p = body.value;
    // Every wrong field is named at once (see `FieldChecks`).
    let mut checks = FieldChecks::default();
    let time_zone = p
        .time_zone
        .as_deref()
        .and_then(|name| checks.check(dto::time_zone("/time_zone", name)));
    // A status changed with the time zone takes its default date in the new zone.
    let today = match time_zone {
        Some(zone) => state.clock.today_in(zone),
        None => state.today(group_id).await?,
    };
    let status = match (p.status, p.status_on) {
        (None, None) => None,
        (None, Some(_)) => {
            checks.refuse(ApiError::invalid_field("/status_on", "goes with a status"));
            None
        }
        (Some(status), on) => checks
            .check(booking_date("/status_on", on, today))
            .map(|on| (status, on)),
    };
    if !checks.passed() {
        return Err(checks.refusal());
    }
    // Accreditation is the network's decision, not the group's own.
    if status.is_some() && !caller.is_admin() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Forbidden",
            "only an administrator may change a group's status",
        ));
    }
    let group = state
        .store
        .update_group(
            group_id,
            GroupUpdate {
                status,
                distribution_basis: p.distribution_basis,
                time_zone,
            },
        )
        .await;
    if time_zone.is_some() {
        state.zones.forget(group_id);
    }
    Ok(json_response(StatusCode::OK, &GroupView::of(&group?)))
}
