//! `/v1/groups`: savings groups.

use axum::Extension;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use uuid::Uuid;

use super::AppState;
use super::dto::CreateGroup;
use super::error::ApiError;
use super::extract::JsonBody;
use super::path::GroupPath;
use super::query::QueryParams;
use super::views::GroupView;
use super::views::ListView;
use super::write::{Idempotent, json_response};
use crate::auth::caller::Caller;
use crate::domain::error::LedgerError;
use crate::store::GROUPS_SCOPE;

pub async fn create(
    State(state): State<AppState>,
    idempotent: Idempotent,
    body: JsonBody<CreateGroup>,
) -> Result<Response, ApiError> {
    let group = body.value.parse()?;
    let write = idempotent.prepare(GROUPS_SCOPE, &body.canonical, GroupView::of)?;
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
    let groups = if caller.sees_all_groups() {
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
    Ok(ListView::overread(groups, limit, "g", |g| g.id.to_string(), GroupView::of).response())
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
