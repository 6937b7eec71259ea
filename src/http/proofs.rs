//! What anyone can check without the service: the published signing keys
//! (`/.well-known/msai-ledger/keys`), and signed checkpoints of a group's journal
//! (`/v1/groups/{group_id}/checkpoints/...`). docs/RECEIPTS.md describes the documents.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::AppState;
use super::error::ApiError;
use super::path::{CheckpointPath, GroupPath};
use super::query::QueryParams;
use super::views::ListView;
use super::write::json_response;
use crate::domain::money::format_amount;
use crate::domain::receipts::Checkpoint;
use crate::signing::{ALGORITHM, Signed};

/// One published key.
#[derive(Debug, Serialize)]
pub struct KeyView {
    pub key_id: String,
    pub algorithm: &'static str,
    /// SubjectPublicKeyInfo PEM, as `openssl pkeyutl -pubin -inkey` reads it.
    pub public_key_pem: String,
    /// The raw 32-byte public key, base64.
    pub public_key: String,
    pub since: DateTime<Utc>,
    /// When the next key became current; `null` for the current key.
    pub until: Option<DateTime<Utc>>,
}

pub async fn keys(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    QueryParams::parse(raw.as_deref(), &[])?;
    let mut items = Vec::new();
    for key in state.store.published_keys().await? {
        let public = crate::signing::decode_public_key(&key.public_key)
            .and_then(|k| crate::signing::public_key_pem(&k))
            .map_err(|e| crate::domain::error::LedgerError::Internal(e.to_string()))?;
        items.push(KeyView {
            key_id: key.key_id,
            algorithm: ALGORITHM,
            public_key_pem: public,
            public_key: key.public_key,
            since: key.began_at,
            until: key.retired_at,
        });
    }
    Ok(ListView::all(items).response())
}

/// One account's totals at the checkpoint, as the signed document says them too.
#[derive(Debug, Serialize)]
pub struct CheckpointAccountView {
    pub id: Uuid,
    pub code: String,
    pub currency: String,
    pub debits: String,
    pub credits: String,
    pub debits_minor: String,
    pub credits_minor: String,
}

#[derive(Debug, Serialize)]
pub struct CheckpointView {
    pub group_id: Uuid,
    pub sequence: i64,
    pub head_hash: String,
    pub signed_at: DateTime<Utc>,
    pub accounts: Vec<CheckpointAccountView>,
    #[serde(flatten)]
    pub signed: Signed,
}

fn checkpoint_view(state: &AppState, checkpoint: &Checkpoint) -> CheckpointView {
    // Signed to the microsecond, as the document prints it.
    let now = state.clock.now();
    let signed_at = DateTime::<Utc>::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now);
    CheckpointView {
        group_id: checkpoint.group_id,
        sequence: checkpoint.sequence,
        head_hash: checkpoint.head_hash.clone(),
        signed_at,
        accounts: checkpoint
            .accounts
            .iter()
            .map(|a| CheckpointAccountView {
                id: a.id,
                code: a.code.clone(),
                currency: a.currency.code().to_string(),
                debits: format_amount(a.debits_minor, a.currency),
                credits: format_amount(a.credits_minor, a.currency),
                debits_minor: a.debits_minor.to_string(),
                credits_minor: a.credits_minor.to_string(),
            })
            .collect(),
        signed: state.signer.sign(checkpoint.document(signed_at)),
    }
}

async fn answer(
    state: &AppState,
    group_id: Uuid,
    sequence: Option<i64>,
    raw: Option<&str>,
) -> Result<Response, ApiError> {
    QueryParams::parse(raw, &[])?;
    match state.store.checkpoint(group_id, sequence).await? {
        (_, Some(checkpoint)) => Ok(json_response(
            StatusCode::OK,
            &checkpoint_view(state, &checkpoint),
        )),
        (head, None) => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "Not found",
            format!(
                "no checkpoint at sequence {}: the group's journal ends at sequence {head}",
                sequence.unwrap_or(head)
            ),
        )),
    }
}

pub async fn latest_checkpoint(
    State(state): State<AppState>,
    GroupPath { group_id }: GroupPath,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    answer(&state, group_id, None, raw.as_deref()).await
}

pub async fn checkpoint(
    State(state): State<AppState>,
    CheckpointPath { group_id, sequence }: CheckpointPath,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    QueryParams::parse(raw.as_deref(), &[])?;
    answer(&state, group_id, Some(sequence.sequence()?), None).await
}
