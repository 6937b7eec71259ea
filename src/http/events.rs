//! `/v1/groups/{group_id}/events` and `/v1/groups/{group_id}/webhooks`: the group's events in
//! order for systems that read them, and the webhooks that send them as they happen
//! (`crate::webhooks`). What an event is: `domain::events`.

use axum::Extension;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse as _, Response};
use serde::Deserialize;

use super::AppState;
use super::error::{ApiError, FieldChecks};
use super::extract::{JsonBody, OptionalJsonBody};
use super::path::{GroupPath, WebhookPath};
use super::query::QueryParams;
use super::views::ListView;
use super::views::events::{EventView, WebhookView};
use super::write::{Idempotent, json_response};
use crate::auth::caller::Caller;
use crate::domain::events::{NewWebhook, TYPES};

/// Longest webhook URL accepted.
const MAX_URL_CHARS: usize = 2048;
/// A secret given by the client is at least this long (a generated one is 64 characters).
const MIN_SECRET_CHARS: usize = 16;
const MAX_SECRET_CHARS: usize = 256;

/// `GET /v1/groups/{group_id}/events?after=N`: the group's events after the one numbered
/// `after` (0, the default, from the first), oldest first. A consumer keeps the number of
/// the last event it handled and asks for what follows; `next_cursor` does the same.
pub async fn list(
    State(state): State<AppState>,
    GroupPath { group_id }: GroupPath,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = QueryParams::parse(raw.as_deref(), &["after", "cursor", "limit"])?;
    let after = match (params.cursor("e")?, params.text("after")) {
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid_parameter(
                "after",
                "give either after or cursor, not both",
            ));
        }
        (Some(position), None) => sequence(&position).ok_or_else(|| {
            ApiError::invalid_parameter("cursor", "is not a cursor returned by this list")
        })?,
        (None, Some(text)) => sequence(text).ok_or_else(|| {
            ApiError::invalid_parameter("after", "must be an event's number: an integer from 0")
        })?,
        (None, None) => 0,
    };
    let page = state
        .store
        .list_events(group_id, after, params.limit()?)
        .await?;
    Ok(ListView::page(&page, "e", |e| e.sequence.to_string(), EventView::of).response())
}

/// A non-negative integer written without sign or leading zeros.
fn sequence(text: &str) -> Option<i64> {
    let canonical = text == "0" || (!text.starts_with('0') && !text.is_empty());
    (canonical && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse::<i64>().ok())
        .flatten()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhook {
    pub url: String,
    #[serde(default)]
    pub secret: Option<String>,
    #[serde(default)]
    pub event_types: Option<Vec<String>>,
}

impl CreateWebhook {
    /// Every wrong field at once; a secret not given is generated (and answered once).
    fn parse(self, created_by: uuid::Uuid) -> Result<(NewWebhook, bool), ApiError> {
        let mut checks = FieldChecks::default();
        checks.check(webhook_url(&self.url));
        if let Some(secret) = &self.secret {
            let chars = secret.chars().count();
            if !(MIN_SECRET_CHARS..=MAX_SECRET_CHARS).contains(&chars)
                || !secret.chars().all(|c| c.is_ascii_graphic())
            {
                checks.refuse(ApiError::invalid_field(
                    "/secret",
                    format!(
                        "must be {MIN_SECRET_CHARS} to {MAX_SECRET_CHARS} printable ASCII \
                         characters without spaces"
                    ),
                ));
            }
        }
        let types = self.event_types.unwrap_or_default();
        for (n, kind) in types.iter().enumerate() {
            if !TYPES.contains(&kind.as_str()) {
                checks.refuse(ApiError::invalid_field(
                    format!("/event_types/{n}"),
                    format!("is not an event type; the types are {}", TYPES.join(", ")),
                ));
            } else if types[..n].contains(kind) {
                checks.refuse(ApiError::invalid_field(
                    format!("/event_types/{n}"),
                    "is named twice",
                ));
            }
        }
        if !checks.passed() {
            return Err(checks.refusal());
        }
        let generated = self.secret.is_none();
        let secret = self.secret.unwrap_or_else(|| {
            format!(
                "{}{}",
                uuid::Uuid::new_v4().simple(),
                uuid::Uuid::new_v4().simple()
            )
        });
        let webhook = NewWebhook {
            url: self.url,
            secret,
            event_types: types,
            created_by: Some(created_by),
        };
        Ok((webhook, generated))
    }
}

/// An absolute `http` or `https` URL with a host.
fn webhook_url(text: &str) -> Result<(), ApiError> {
    let refuse = |detail: &str| Err(ApiError::invalid_field("/url", detail));
    if text.chars().count() > MAX_URL_CHARS {
        return refuse("must be at most 2048 characters");
    }
    match reqwest::Url::parse(text) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {
            if url.username().is_empty() && url.password().is_none() {
                Ok(())
            } else {
                refuse("must not carry a user name or password: the deliveries are signed")
            }
        }
        _ => refuse("must be an absolute http or https URL"),
    }
}

/// `POST /v1/groups/{group_id}/webhooks`: sends the group's events from now on to a URL.
pub async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    GroupPath { group_id }: GroupPath,
    idempotent: Idempotent,
    body: JsonBody<CreateWebhook>,
) -> Result<Response, ApiError> {
    idempotent.require_key()?;
    let (webhook, generated) = body.value.parse(caller.id())?;
    let write = idempotent.prepare(group_id, &body.canonical, move |w| {
        WebhookView::of(w, generated)
    })?;
    write.respond(
        state
            .store
            .create_webhook(group_id, webhook, write.idempotency())
            .await,
    )
}

pub async fn list_webhooks(
    State(state): State<AppState>,
    GroupPath { group_id }: GroupPath,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    QueryParams::parse(raw.as_deref(), &[])?;
    let webhooks = state.store.list_webhooks(group_id).await?;
    let views = webhooks.iter().map(|w| WebhookView::of(w, false)).collect();
    Ok(ListView::all(views).response())
}

pub async fn get(
    State(state): State<AppState>,
    WebhookPath {
        group_id,
        webhook_id,
    }: WebhookPath,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    QueryParams::parse(raw.as_deref(), &[])?;
    let webhook = state.store.get_webhook(group_id, webhook_id).await?;
    Ok(json_response(
        StatusCode::OK,
        &WebhookView::of(&webhook, false),
    ))
}

pub async fn delete(
    State(state): State<AppState>,
    WebhookPath {
        group_id,
        webhook_id,
    }: WebhookPath,
) -> Result<Response, ApiError> {
    state.store.delete_webhook(group_id, webhook_id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Replay {
    #[serde(
        default,
        deserialize_with = "crate::http::members::optional_whole_number"
    )]
    pub after: Option<i64>,
}

/// `POST /v1/groups/{group_id}/webhooks/{webhook_id}/replay`: delivers again, at once, every
/// event after the one numbered `after` (0, the default, from the first), each with its own
/// id, so a receiver that kept the ids knows what it has already handled.
pub async fn replay(
    State(state): State<AppState>,
    WebhookPath {
        group_id,
        webhook_id,
    }: WebhookPath,
    OptionalJsonBody(body): OptionalJsonBody<Replay>,
) -> Result<Response, ApiError> {
    let after = body.value.after.unwrap_or(0);
    if after < 0 {
        return Err(ApiError::invalid_field(
            "/after",
            "must be an event's number: an integer from 0",
        ));
    }
    let webhook = state
        .store
        .replay_webhook(group_id, webhook_id, after)
        .await?;
    Ok(json_response(
        StatusCode::OK,
        &WebhookView::of(&webhook, false),
    ))
}
