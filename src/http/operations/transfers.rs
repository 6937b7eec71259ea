//! `/v1/groups/{group_id}/transfers`: money moved between the group's own accounts.

use axum::Extension;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;

use super::*;
use crate::auth::caller::Caller;
use crate::domain::operations::*;
use crate::http::AppState;
use crate::http::dto::{MAX_DESCRIPTION_CHARS, amount_text, booking_date, text_field};
use crate::http::error::{ApiError, FieldChecks};
use crate::http::extract::JsonBody;
use crate::http::path::{GroupPath, TransferPath};
use crate::http::query::QueryParams;
use crate::http::views::*;
use crate::http::write::{Idempotent, json_response};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateTransfer {
    pub from: String,
    pub to: String,
    pub amount: String,
    #[serde(default)]
    pub receive_amount: Option<String>,
    #[serde(default)]
    pub fee: Option<String>,
    #[serde(default)]
    pub applied_rate: Option<String>,
    #[serde(default)]
    pub mid_market_rate: Option<String>,
    #[serde(default)]
    pub rate_source: Option<String>,
    #[serde(
        default,
        deserialize_with = "crate::domain::dates::deserialize_optional"
    )]
    pub booked_on: Option<NaiveDate>,
    #[serde(default)]
    pub description: Option<String>,
}

impl CreateTransfer {
    /// Every wrong field at once; the accounts, and the amounts' decimals in their
    /// currencies, are checked by the store.
    fn parse(self, created_by: Uuid, today: NaiveDate) -> Result<NewTransfer, ApiError> {
        let mut checks = FieldChecks::default();
        checks.check(amount_text("/amount", &self.amount, true));
        if let Some(text) = &self.receive_amount {
            checks.check(amount_text("/receive_amount", text, true));
        }
        if let Some(text) = &self.fee {
            // Amounts carry no sign, so a fee is never negative; it may be zero.
            checks.check(amount_text("/fee", text, false));
        }
        let applied = checks.check(optional_rate("/applied_rate", self.applied_rate.as_deref()));
        let mid = checks.check(optional_rate(
            "/mid_market_rate",
            self.mid_market_rate.as_deref(),
        ));
        let rate_source = checks.check(optional_label("/rate_source", self.rate_source));
        let booked_on = checks.check(booking_date("/booked_on", self.booked_on, today));
        let description = checks.check(
            self.description
                .map(|d| text_field("/description", &d, MAX_DESCRIPTION_CHARS, false))
                .transpose(),
        );
        let (Some(applied), Some(mid), Some(rate_source), Some(booked_on), Some(description), true) = (
            applied,
            mid,
            rate_source,
            booked_on,
            description,
            checks.passed(),
        ) else {
            return Err(checks.refusal());
        };
        Ok(NewTransfer {
            from: AccountRef::parse(&self.from),
            to: AccountRef::parse(&self.to),
            amount: self.amount,
            receive_amount: self.receive_amount,
            fee: self.fee,
            applied_rate: applied,
            mid_market_rate: mid,
            rate_source,
            booked_on,
            description,
            created_by: Some(created_by),
        })
    }
}

pub async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    GroupPath { group_id }: GroupPath,
    idempotent: Idempotent,
    body: JsonBody<CreateTransfer>,
) -> Result<Response, ApiError> {
    idempotent.require_key()?;
    let today = state.today(group_id).await?;
    let transfer = body.value.parse(caller.id(), today)?;
    let write = idempotent.prepare(group_id, &body.canonical, TransferView::of)?;
    write.respond(
        state
            .store
            .record_transfer(group_id, transfer, write.idempotency())
            .await,
    )
}

pub async fn list(
    State(state): State<AppState>,
    GroupPath { group_id }: GroupPath,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = QueryParams::parse(raw.as_deref(), &["limit", "cursor", "include_reversed"])?;
    let page = state
        .store
        .list_transfers(
            group_id,
            params.id_cursor("t")?,
            params.limit()?,
            params.include_reversed()?,
        )
        .await?;
    Ok(ListView::page(&page, "t", |t| t.id.to_string(), TransferView::of).response())
}

pub async fn get(
    State(state): State<AppState>,
    TransferPath {
        group_id,
        transfer_id,
    }: TransferPath,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    QueryParams::parse(raw.as_deref(), &[])?;
    let transfer = state.store.get_transfer(group_id, transfer_id).await?;
    Ok(json_response(StatusCode::OK, &TransferView::of(&transfer)))
}
