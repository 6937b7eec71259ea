//! `/v1/groups`: savings groups.

use axum::Extension;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use uuid::Uuid;

use super::AppState;
use super::dto::{CreateGroup, GroupView, ListView};
use super::error::ApiError;
use super::extract::{IdempotencyKey, JsonBody, RequestContext};
use super::path::GroupPath;
use super::query::{QueryParams, cursor};
use super::write::{PreparedWrite, json_response};
use crate::auth::caller::Caller;
use crate::domain::error::LedgerError;
use crate::store::GROUPS_SCOPE;

pub async fn create(
    State(state): State<AppState>,
    ctx: RequestContext,
    key: IdempotencyKey,
    body: JsonBody<CreateGroup>,
) -> Result<Response, ApiError> {
    let group = body.value.parse()?;
    let write = PreparedWrite::new(
        &state.in_flight,
        key.0,
        GROUPS_SCOPE,
        &ctx.route,
        &body.canonical,
        GroupView::of,
    )?;
    write.respond(state.store.create_group(group, write.idempotency()).await)
}

/// Administrators and auditors list every group; everyone else the groups their grants name.
pub async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = QueryParams::parse(raw.as_deref(), &["limit", "cursor"])?;
    let limit = params.limit()?;
    let after = match params.cursor("g")? {
        None => None,
        Some(text) => Some(Uuid::try_parse(&text).map_err(|_| {
            ApiError::invalid_parameter("cursor", "is not a cursor returned by this list")
        })?),
    };
    let mut groups = if caller.sees_all_groups() {
        state.store.list_groups(after, limit + 1).await?
    } else {
        let mut own = Vec::new();
        for id in caller
            .group_ids()
            .into_iter()
            .filter(|id| after.is_none_or(|a| *id > a))
        {
            match state.store.get_group(id).await {
                Ok(group) => own.push(group),
                Err(LedgerError::NotFound(_)) => {}
                Err(e) => return Err(e.into()),
            }
            if own.len() > limit as usize {
                break;
            }
        }
        own
    };
    let more = groups.len() > limit as usize;
    groups.truncate(limit as usize);
    let next_cursor = if more {
        groups.last().map(|g| cursor("g", &g.id.to_string()))
    } else {
        None
    };
    let view = ListView {
        items: groups.iter().map(GroupView::of).collect(),
        next_cursor,
    };
    Ok(json_response(StatusCode::OK, &view))
}

pub async fn get(
    State(state): State<AppState>,
    GroupPath { group_id }: GroupPath,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    QueryParams::parse(raw.as_deref(), &[])?;
    let group = state.store.get_group(group_id).await?;
    Ok(json_response(StatusCode::OK, &GroupView::of(&group)))
}
