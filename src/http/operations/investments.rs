//! `/v1/groups/{group_id}/investments`: a group's investments, and their disbursements,
//! returns and write-downs.

use axum::Extension;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::*;
use crate::auth::caller::Caller;
use crate::domain::approvals::Operation;
use crate::domain::operations::*;
use crate::http::AppState;
use crate::http::approvals::Asking;
use crate::http::dto::{MAX_NAME_CHARS, amount_text, booking_date, country, currency, text_field};
use crate::http::error::{ApiError, FieldChecks};
use crate::http::extract::JsonBody;
use crate::http::path::{GroupPath, InvestmentEventPath, InvestmentPath};
use crate::http::query::QueryParams;
use crate::http::views::*;
use crate::http::write::{Idempotent, json_response};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateInvestment {
    pub name: String,
    pub kind: InvestmentKind,
    pub sector: String,
    pub country: String,
    pub currency: String,
    #[serde(default)]
    pub partner: Option<String>,
    #[serde(default)]
    pub committed_amount: Option<String>,
    #[serde(default)]
    pub women_led: Option<bool>,
}

impl CreateInvestment {
    /// Every wrong field at once.
    fn parse(self, created_by: Uuid) -> Result<NewInvestment, ApiError> {
        let mut checks = FieldChecks::default();
        let name = checks.check(text_field("/name", &self.name, MAX_NAME_CHARS, false));
        let sector = checks.check(text_field("/sector", &self.sector, MAX_LABEL_CHARS, false));
        let country = checks.check(country("/country", &self.country));
        let cur = checks.check(currency("/currency", &self.currency));
        let partner = checks.check(optional_label("/partner", self.partner));
        // Without a currency, the commitment is checked as far as it can be.
        let committed = checks.check(match (self.committed_amount.as_deref(), cur) {
            (None, _) => Ok(None),
            (Some(text), Some(cur)) => amount("/committed_amount", text, cur).map(Some),
            (Some(text), None) => amount_text("/committed_amount", text, true).map(|()| None),
        });
        let (Some(name), Some(sector), Some(country), Some(cur), Some(partner), Some(committed)) =
            (name, sector, country, cur, partner, committed)
        else {
            return Err(checks.refusal());
        };
        Ok(NewInvestment {
            name,
            kind: self.kind,
            sector,
            country,
            currency: cur,
            partner,
            committed_minor: committed,
            women_led: self.women_led,
            created_by: Some(created_by),
        })
    }
}

pub async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    GroupPath { group_id }: GroupPath,
    idempotent: Idempotent,
    body: JsonBody<CreateInvestment>,
) -> Result<Response, ApiError> {
    idempotent.require_key()?;
    let investment = body.value.parse(caller.id())?;
    let write = idempotent.prepare(group_id, &body.canonical, InvestmentView::of)?;
    write.respond(
        state
            .store
            .create_investment(group_id, investment, write.idempotency())
            .await,
    )
}

pub async fn list(
    State(state): State<AppState>,
    GroupPath { group_id }: GroupPath,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = QueryParams::parse(raw.as_deref(), &["limit", "cursor"])?;
    let page = state
        .store
        .list_investments(group_id, params.id_cursor("i")?, params.limit()?)
        .await?;
    Ok(ListView::page(
        &page,
        "i",
        |r| r.investment.id.to_string(),
        InvestmentView::of,
    )
    .response())
}

pub async fn get(
    State(state): State<AppState>,
    InvestmentPath {
        group_id,
        investment_id,
    }: InvestmentPath,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    QueryParams::parse(raw.as_deref(), &[])?;
    let record = state.store.get_investment(group_id, investment_id).await?;
    Ok(json_response(StatusCode::OK, &InvestmentView::of(&record)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatchInvestment {
    pub status: InvestmentStatus,
    #[serde(
        default,
        deserialize_with = "crate::domain::dates::deserialize_optional"
    )]
    pub status_on: Option<NaiveDate>,
}

pub async fn update(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    InvestmentPath {
        group_id,
        investment_id,
    }: InvestmentPath,
    body: JsonBody<PatchInvestment>,
) -> Result<Response, ApiError> {
    let today = state.today(group_id).await?;
    let p = body.value;
    let update = InvestmentUpdate {
        status: p.status,
        on: booking_date("/status_on", p.status_on, today)?,
        created_by: Some(caller.id()),
    };
    let record = state
        .store
        .update_investment(group_id, investment_id, update)
        .await?;
    Ok(json_response(StatusCode::OK, &InvestmentView::of(&record)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateDisbursement {
    pub amount: String,
    #[serde(default)]
    pub account: Option<String>,
    #[serde(
        default,
        deserialize_with = "crate::domain::dates::deserialize_optional"
    )]
    pub booked_on: Option<NaiveDate>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReturnKind {
    Income,
    CapitalReturned,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateReturn {
    pub kind: ReturnKind,
    pub amount: String,
    #[serde(default)]
    pub account: Option<String>,
    #[serde(
        default,
        deserialize_with = "crate::domain::dates::deserialize_optional"
    )]
    pub booked_on: Option<NaiveDate>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateWriteDown {
    pub amount: String,
    #[serde(
        default,
        deserialize_with = "crate::domain::dates::deserialize_optional"
    )]
    pub booked_on: Option<NaiveDate>,
    #[serde(default)]
    pub note: Option<String>,
}

/// What a disbursement, a return or a write-down says, once its kind is known.
struct InvestmentEventFields {
    kind: InvestmentEventKind,
    amount: String,
    account: Option<String>,
    booked_on: Option<NaiveDate>,
    note: Option<String>,
}

async fn record_investment_event(
    state: &AppState,
    caller: &Caller,
    path: InvestmentPath,
    idempotent: Idempotent,
    canonical: &str,
    fields: InvestmentEventFields,
) -> Result<Response, ApiError> {
    let InvestmentPath {
        group_id,
        investment_id,
    } = path;
    idempotent.require_key()?;
    let today = state.today(group_id).await?;
    let mut checks = FieldChecks::default();
    let amount_checked = checks.check(amount_text("/amount", &fields.amount, true));
    let booked_on = checks.check(booking_date("/booked_on", fields.booked_on, today));
    let note = checks.check(optional_label("/note", fields.note));
    let (Some(()), Some(booked_on), Some(note)) = (amount_checked, booked_on, note) else {
        return Err(checks.refusal());
    };
    let disbursement =
        (fields.kind == InvestmentEventKind::Disbursement).then(|| Operation::Disbursement {
            investment_id,
            amount: fields.amount.clone(),
            account: fields.account.clone(),
            booked_on,
            note: note.clone(),
        });
    let event = NewInvestmentEvent {
        investment_id,
        kind: fields.kind,
        amount: fields.amount,
        account: optional_account(fields.account),
        booked_on,
        note,
        created_by: Some(caller.id()),
    };
    let carry_out = async |idempotent: Idempotent| {
        let write = idempotent.prepare(group_id, canonical, InvestmentEventView::of)?;
        write.respond(
            state
                .store
                .record_investment_event(group_id, event, write.idempotency())
                .await,
        )
    };
    // Money leaving the group: under a policy that says so, a disbursement waits (202).
    match disbursement {
        Some(operation) => {
            let asking = Asking::new(state, group_id, caller.id(), canonical);
            asking
                .unless_it_waits(idempotent, operation, carry_out)
                .await
        }
        None => carry_out(idempotent).await,
    }
}

pub async fn disburse(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    path: InvestmentPath,
    idempotent: Idempotent,
    body: JsonBody<CreateDisbursement>,
) -> Result<Response, ApiError> {
    let b = body.value;
    let fields = InvestmentEventFields {
        kind: InvestmentEventKind::Disbursement,
        amount: b.amount,
        account: b.account,
        booked_on: b.booked_on,
        note: b.note,
    };
    record_investment_event(&state, &caller, path, idempotent, &body.canonical, fields).await
}

pub async fn record_return(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    path: InvestmentPath,
    idempotent: Idempotent,
    body: JsonBody<CreateReturn>,
) -> Result<Response, ApiError> {
    let b = body.value;
    let kind = match b.kind {
        ReturnKind::Income => InvestmentEventKind::Income,
        ReturnKind::CapitalReturned => InvestmentEventKind::CapitalReturned,
    };
    let fields = InvestmentEventFields {
        kind,
        amount: b.amount,
        account: b.account,
        booked_on: b.booked_on,
        note: b.note,
    };
    record_investment_event(&state, &caller, path, idempotent, &body.canonical, fields).await
}

pub async fn write_down(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    path: InvestmentPath,
    idempotent: Idempotent,
    body: JsonBody<CreateWriteDown>,
) -> Result<Response, ApiError> {
    let b = body.value;
    let fields = InvestmentEventFields {
        kind: InvestmentEventKind::WriteDown,
        amount: b.amount,
        account: None,
        booked_on: b.booked_on,
        note: b.note,
    };
    record_investment_event(&state, &caller, path, idempotent, &body.canonical, fields).await
}

const DISBURSEMENTS: &[InvestmentEventKind] = &[InvestmentEventKind::Disbursement];
const RETURNS: &[InvestmentEventKind] = &[
    InvestmentEventKind::Income,
    InvestmentEventKind::CapitalReturned,
];
const WRITE_DOWNS: &[InvestmentEventKind] = &[InvestmentEventKind::WriteDown];

async fn list_investment_events(
    state: &AppState,
    group_id: Uuid,
    investment_id: Uuid,
    raw: Option<&str>,
    kinds: &[InvestmentEventKind],
) -> Result<Response, ApiError> {
    let params = QueryParams::parse(raw, &["limit", "cursor", "include_reversed"])?;
    let page = state
        .store
        .list_investment_events(
            group_id,
            investment_id,
            kinds,
            params.id_cursor("e")?,
            params.limit()?,
            params.include_reversed()?,
        )
        .await?;
    Ok(ListView::page(&page, "e", |e| e.id.to_string(), InvestmentEventView::of).response())
}

async fn get_investment_event(
    state: &AppState,
    InvestmentEventPath {
        group_id,
        investment_id,
        event_id,
    }: InvestmentEventPath,
    raw: Option<&str>,
    kinds: &[InvestmentEventKind],
) -> Result<Response, ApiError> {
    QueryParams::parse(raw, &[])?;
    let event = state
        .store
        .get_investment_event(group_id, investment_id, kinds, event_id)
        .await?;
    Ok(json_response(
        StatusCode::OK,
        &InvestmentEventView::of(&event),
    ))
}

pub async fn list_disbursements(
    State(state): State<AppState>,
    InvestmentPath {
        group_id,
        investment_id,
    }: InvestmentPath,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    list_investment_events(
        &state,
        group_id,
        investment_id,
        raw.as_deref(),
        DISBURSEMENTS,
    )
    .await
}

pub async fn list_returns(
    State(state): State<AppState>,
    InvestmentPath {
        group_id,
        investment_id,
    }: InvestmentPath,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    list_investment_events(&state, group_id, investment_id, raw.as_deref(), RETURNS).await
}

pub async fn list_write_downs(
    State(state): State<AppState>,
    InvestmentPath {
        group_id,
        investment_id,
    }: InvestmentPath,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    list_investment_events(&state, group_id, investment_id, raw.as_deref(), WRITE_DOWNS).await
}

pub async fn get_disbursement(
    State(state): State<AppState>,
    ids: InvestmentEventPath,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    get_investment_event(&state, ids, raw.as_deref(), DISBURSEMENTS).await
}

pub async fn get_return(
    State(state): State<AppState>,
    ids: InvestmentEventPath,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    get_investment_event(&state, ids, raw.as_deref(), RETURNS).await
}

pub async fn get_write_down(
    State(state): State<AppState>,
    ids: InvestmentEventPath,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    get_investment_event(&state, ids, raw.as_deref(), WRITE_DOWNS).await
}
