//! The audit log: its records, and the recomputation of its hash chains
//! (docs/AUDIT-CHAIN.md).

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::AppState;
use super::error::ApiError;
use super::query::QueryParams;
use super::views::ListView;
use super::write::json_response;
use crate::domain::access::{AuditEvent, AuditQuery};
use crate::domain::audit_chain::{ChainFailure, Verification};

#[derive(Debug, Serialize)]
pub struct AuditEventView {
    pub id: Uuid,
    pub occurred_at: DateTime<Utc>,
    pub user_id: Option<Uuid>,
    pub username: Option<String>,
    pub group_id: Option<Uuid>,
    pub method: String,
    pub route: String,
    pub path: String,
    pub status: u16,
    pub idempotency_key: Option<String>,
    pub request_id: Option<String>,
    pub created_ids: Vec<Uuid>,
    pub client_addr: Option<String>,
    /// The record's place in its hash chain; null for records written before the chains began.
    pub chain: Option<String>,
    pub sequence: Option<i64>,
    pub previous_hash: Option<String>,
    pub hash: Option<String>,
}

impl AuditEventView {
    fn of(e: &AuditEvent) -> Self {
        AuditEventView {
            id: e.id,
            occurred_at: e.occurred_at,
            user_id: e.user_id,
            username: e.username.clone(),
            group_id: e.group_id,
            method: e.method.clone(),
            route: e.route.clone(),
            path: e.path.clone(),
            status: e.status,
            idempotency_key: e.idempotency_key.clone(),
            request_id: e.request_id.clone(),
            created_ids: e.created_ids.clone(),
            client_addr: e.client_addr.clone(),
            chain: e.link.as_ref().map(|l| l.chain.clone()),
            sequence: e.link.as_ref().map(|l| l.sequence),
            previous_hash: e.link.as_ref().map(|l| l.previous_hash.clone()),
            hash: e.link.as_ref().map(|l| l.hash.clone()),
        }
    }
}

fn time_param(params: &QueryParams, name: &str) -> Result<Option<DateTime<Utc>>, ApiError> {
    match params.text(name) {
        None => Ok(None),
        Some(text) => DateTime::parse_from_rfc3339(text)
            .map(|t| Some(t.with_timezone(&Utc)))
            .map_err(|_| {
                ApiError::invalid_parameter(
                    name,
                    "must be an RFC 3339 time such as 2026-11-27T09:00:00Z",
                )
            }),
    }
}

fn uuid_param(params: &QueryParams, name: &str) -> Result<Option<Uuid>, ApiError> {
    params
        .text(name)
        .map(|t| {
            Uuid::try_parse(t).map_err(|_| ApiError::invalid_parameter(name, "must be a UUID"))
        })
        .transpose()
}

/// `GET /v1/audit-events`, oldest first, filtered by group, user and time.
pub async fn audit_events(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = QueryParams::parse(
        raw.as_deref(),
        &["group_id", "user_id", "from", "to", "limit", "cursor"],
    )?;
    let after = match params.cursor("a")? {
        None => None,
        Some(text) => Some(Uuid::try_parse(&text).map_err(|_| {
            ApiError::invalid_parameter("cursor", "is not a cursor returned by this list")
        })?),
    };
    let query = AuditQuery {
        group_id: uuid_param(&params, "group_id")?,
        user_id: uuid_param(&params, "user_id")?,
        from: time_param(&params, "from")?,
        to: time_param(&params, "to")?,
        after,
        limit: params.limit()?,
    };
    if let (Some(from), Some(to)) = (query.from, query.to)
        && from > to
    {
        return Err(ApiError::invalid_parameter("to", "must not be before from"));
    }
    let page = state.store.list_audit(query).await?;
    let id = |e: &AuditEvent| e.id.to_string();
    Ok(ListView::page(&page, "a", id, AuditEventView::of).response())
}

#[derive(Debug, Serialize)]
pub struct AuditFailureView {
    pub kind: &'static str,
    pub chain: String,
    pub sequence: Option<i64>,
    pub record_id: Option<Uuid>,
    pub detail: String,
}

impl AuditFailureView {
    fn of(f: &ChainFailure) -> Self {
        AuditFailureView {
            kind: f.kind.as_str(),
            chain: f.chain.clone(),
            sequence: f.sequence,
            record_id: f.record_id,
            detail: f.detail.clone(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct AuditHeadView {
    pub chain: String,
    pub sequence: i64,
    pub hash: String,
}

#[derive(Debug, Serialize)]
pub struct AuditVerificationView {
    pub ok: bool,
    pub records_checked: u64,
    pub heads: Vec<AuditHeadView>,
    pub records_before_chains: u64,
    pub failure: Option<AuditFailureView>,
}

impl AuditVerificationView {
    fn of(v: &Verification) -> Self {
        AuditVerificationView {
            ok: v.failure.is_none(),
            records_checked: v.records_checked,
            heads: v
                .heads
                .iter()
                .map(|(chain, head)| AuditHeadView {
                    chain: chain.clone(),
                    sequence: head.sequence,
                    hash: head.hash.clone(),
                })
                .collect(),
            records_before_chains: v.records_before_chains,
            failure: v.failure.as_ref().map(AuditFailureView::of),
        }
    }
}

/// `GET /v1/audit-events/verify`: the audit log's chains recomputed in one snapshot; 200 with
/// `ok: false` and the first record found wrong when they disagree.
pub async fn verify(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    QueryParams::parse(raw.as_deref(), &[])?;
    let verification = state.store.verify_audit().await?;
    Ok(json_response(
        StatusCode::OK,
        &AuditVerificationView::of(&verification),
    ))
}
