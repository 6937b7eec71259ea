//! Group operations over HTTP: the group's status and basis, investments and their
//! disbursements, returns and write-downs, remittances, transfers between the group's own
//! accounts, distributions, and a member's exit. Requests are parsed here into domain types;
//! the store writes the balanced transactions.

use axum::Extension;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::AppState;
use super::dto::{
    self, GroupView, ListView, MAX_DESCRIPTION_CHARS, MAX_NAME_CHARS, amount_text, booking_date,
    country, currency, text_field,
};
use super::error::{ApiError, FieldChecks};
use super::extract::{IdempotencyKey, JsonBody, RequestContext};
use super::members::MemberView;
use super::path::{
    DistributionPath, GroupPath, InvestmentEventPath, InvestmentPath, MemberPath, RemittancePath,
    TransferPath,
};
use super::query::{QueryParams, cursor};
use super::write::{PreparedWrite, json_response};
use crate::auth::caller::Caller;
use crate::domain::member::{Channel, MemberStatus};
use crate::domain::model::{AccountRef, Page};
use crate::domain::money::{Currency, format_amount, format_total, parse_amount};
use crate::domain::operations::*;

/// Longest sector, partner, provider, rate source and note.
pub const MAX_LABEL_CHARS: usize = 200;
/// Most uses listed on one remittance.
pub const MAX_USES: usize = 20;
/// Longest rate, as text.
pub const MAX_RATE_CHARS: usize = 24;

fn optional_label(pointer: &str, text: Option<String>) -> Result<Option<String>, ApiError> {
    match text {
        None => Ok(None),
        Some(t) => {
            let t = text_field(pointer, &t, MAX_LABEL_CHARS, true)?;
            Ok((!t.is_empty()).then_some(t))
        }
    }
}

/// An exchange rate: a positive decimal in plain notation (`"7.0525"`).
fn rate(pointer: &str, text: &str) -> Result<Decimal, ApiError> {
    let plain = !text.is_empty()
        && text.len() <= MAX_RATE_CHARS
        && text.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && text.bytes().filter(|b| *b == b'.').count() <= 1
        && !text.starts_with('.')
        && !text.ends_with('.');
    match text.parse::<Decimal>() {
        Ok(value) if plain && value > Decimal::ZERO => Ok(value.normalize()),
        _ => Err(ApiError::invalid_field(
            pointer,
            "must be a positive decimal such as \"7.0525\"",
        )),
    }
}

/// Most closing or valuation rates in one request.
pub const MAX_FX_RATES: usize = 50;

/// A closing rate as a period close is given it: units of `quote` per unit of `base`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FxRateBody {
    pub base: String,
    pub quote: String,
    pub rate: String,
}

/// The rates of a request, each checked as a rate between two currencies; at `pointer`.
pub fn fx_rates(
    pointer: &str,
    bodies: Option<Vec<FxRateBody>>,
) -> Result<Vec<crate::domain::fx::FxRate>, ApiError> {
    let bodies = bodies.unwrap_or_default();
    if bodies.len() > MAX_FX_RATES {
        return Err(ApiError::invalid_field(
            pointer,
            format!("must list at most {MAX_FX_RATES} rates"),
        ));
    }
    let mut checks = FieldChecks::default();
    let mut rates = Vec::with_capacity(bodies.len());
    for (i, b) in bodies.iter().enumerate() {
        let at = |field: &str| format!("{pointer}/{i}/{field}");
        let base = checks.check(currency(&at("base"), &b.base));
        let quote = checks.check(currency(&at("quote"), &b.quote));
        let value = checks.check(rate(&at("rate"), &b.rate));
        if let (Some(base), Some(quote), Some(rate)) = (base, quote, value) {
            rates.push(crate::domain::fx::FxRate {
                pair: crate::domain::fx::Pair { base, quote },
                rate,
            });
        }
    }
    if !checks.passed() {
        return Err(checks.refusal());
    }
    Ok(rates)
}

/// A rate given in a query as `BASE/QUOTE:RATE` (`HKD/PHP:7.20`, units of PHP per HKD).
pub fn fx_rate_parameter(name: &str, text: &str) -> Result<crate::domain::fx::FxRate, ApiError> {
    let refuse = |detail: String| ApiError::invalid_parameter(name, detail);
    let shape = || {
        refuse(format!(
            "{text:?} is not BASE/QUOTE:RATE, such as HKD/PHP:7.20 (7.20 PHP for one HKD)"
        ))
    };
    let (pair, value) = text.split_once(':').ok_or_else(shape)?;
    let (base, quote) = pair.split_once('/').ok_or_else(shape)?;
    let parse = |code: &str| Currency::parse(code).map_err(|e| refuse(format!("{code:?}: {e}")));
    let value = rate(name, value).map_err(|_| {
        refuse(format!(
            "{value:?} is not a rate above zero written as digits with at most one decimal point"
        ))
    })?;
    Ok(crate::domain::fx::FxRate {
        pair: crate::domain::fx::Pair {
            base: parse(base)?,
            quote: parse(quote)?,
        },
        rate: value,
    })
}

fn optional_rate(pointer: &str, text: Option<&str>) -> Result<Option<Decimal>, ApiError> {
    text.map(|t| rate(pointer, t)).transpose()
}

fn amount(pointer: &str, text: &str, currency: Currency) -> Result<i64, ApiError> {
    positive_amount(text, currency, pointer).map_err(ApiError::from)
}

fn page_response<T, V: Serialize>(
    page: Page<T>,
    tag: &str,
    id: fn(&T) -> Uuid,
    view: fn(&T) -> V,
) -> Response {
    let next_cursor = page
        .items
        .last()
        .filter(|_| page.has_more)
        .map(|t| cursor(tag, &id(t).to_string()));
    json_response(
        StatusCode::OK,
        &ListView {
            items: page.items.iter().map(view).collect(),
            next_cursor,
        },
    )
}

fn optional_account(text: Option<String>) -> Option<AccountRef> {
    text.map(|t| AccountRef::parse(&t))
}

// ---------------------------------------------------------------------------------------------
// Group status and basis

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

pub async fn update_group(
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

// ---------------------------------------------------------------------------------------------
// Investments

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

#[derive(Debug, Serialize)]
pub struct InvestmentView {
    pub id: Uuid,
    pub group_id: Uuid,
    pub name: String,
    pub kind: InvestmentKind,
    pub sector: String,
    pub country: String,
    pub currency: String,
    pub partner: Option<String>,
    pub women_led: Option<bool>,
    pub status: InvestmentStatus,
    pub status_on: Option<NaiveDate>,
    pub account_id: Uuid,
    pub account_code: String,
    pub committed: Option<String>,
    pub disbursed: String,
    pub book_value: String,
    pub income_received: String,
    pub capital_returned: String,
    pub written_down: String,
    pub net_return: String,
    /// Net return as a percentage of the amount disbursed; null before any disbursement.
    pub roi_percent: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl InvestmentView {
    pub fn of(r: &InvestmentRecord) -> Self {
        let i = &r.investment;
        let f = &r.figures;
        let c = i.currency;
        InvestmentView {
            id: i.id,
            group_id: i.group_id,
            name: i.name.clone(),
            kind: i.kind,
            sector: i.sector.clone(),
            country: i.country.clone(),
            currency: c.code().to_string(),
            partner: i.partner.clone(),
            women_led: i.women_led,
            status: i.status,
            status_on: i.status_on,
            account_id: i.account_id,
            account_code: i.account_code.clone(),
            committed: i.committed_minor.map(|m| format_amount(m, c)),
            disbursed: format_amount(f.disbursed, c),
            book_value: format_amount(f.book_value, c),
            income_received: format_amount(f.income, c),
            capital_returned: format_amount(f.capital_returned, c),
            written_down: format_amount(f.written_down, c),
            net_return: format_total(f.net_return(), c),
            roi_percent: f.roi_percent().map(|r| format!("{r:.2}")),
            created_by: i.created_by,
            created_at: i.created_at,
        }
    }
}

pub async fn create_investment(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    GroupPath { group_id }: GroupPath,
    ctx: RequestContext,
    key: IdempotencyKey,
    body: JsonBody<CreateInvestment>,
) -> Result<Response, ApiError> {
    let key = key.required()?;
    let investment = body.value.parse(caller.id())?;
    let write = PreparedWrite::new(
        &state.in_flight,
        Some(key),
        &group_id.to_string(),
        &ctx.route,
        &body.canonical,
        InvestmentView::of,
    )?;
    write.respond(
        state
            .store
            .create_investment(group_id, investment, write.idempotency())
            .await,
    )
}

pub async fn list_investments(
    State(state): State<AppState>,
    GroupPath { group_id }: GroupPath,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = QueryParams::parse(raw.as_deref(), &["limit", "cursor"])?;
    let page = state
        .store
        .list_investments(group_id, params.id_cursor("i")?, params.limit()?)
        .await?;
    Ok(page_response(
        page,
        "i",
        |r| r.investment.id,
        InvestmentView::of,
    ))
}

pub async fn get_investment(
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

pub async fn update_investment(
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

#[derive(Debug, Serialize)]
pub struct InvestmentEventView {
    pub id: Uuid,
    pub group_id: Uuid,
    pub investment_id: Uuid,
    pub kind: InvestmentEventKind,
    pub amount: String,
    pub currency: String,
    /// The group's account the money left or arrived in; null for a write-down.
    pub account: Option<String>,
    pub booked_on: NaiveDate,
    pub note: Option<String>,
    pub transaction_id: Uuid,
    /// The transaction that reversed this record's, if it was corrected away.
    pub reversed_by: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl InvestmentEventView {
    pub fn of(e: &InvestmentEvent) -> Self {
        InvestmentEventView {
            id: e.id,
            group_id: e.group_id,
            investment_id: e.investment_id,
            kind: e.kind,
            amount: format_amount(e.amount_minor, e.currency),
            currency: e.currency.code().to_string(),
            account: e.account_code.clone(),
            booked_on: e.booked_on,
            note: e.note.clone(),
            transaction_id: e.transaction_id,
            reversed_by: e.reversed_by,
            created_by: e.created_by,
            created_at: e.created_at,
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn record_investment_event(
    state: &AppState,
    caller: &Caller,
    group_id: Uuid,
    investment_id: Uuid,
    ctx: &RequestContext,
    key: IdempotencyKey,
    canonical: &str,
    kind: InvestmentEventKind,
    amount: String,
    account: Option<String>,
    booked_on: Option<NaiveDate>,
    note: Option<String>,
) -> Result<Response, ApiError> {
    let key = key.required()?;
    let today = state.today(group_id).await?;
    let mut checks = FieldChecks::default();
    let amount_checked = checks.check(amount_text("/amount", &amount, true));
    let booked_on = checks.check(booking_date("/booked_on", booked_on, today));
    let note = checks.check(optional_label("/note", note));
    let (Some(()), Some(booked_on), Some(note)) = (amount_checked, booked_on, note) else {
        return Err(checks.refusal());
    };
    let event = NewInvestmentEvent {
        investment_id,
        kind,
        amount,
        account: optional_account(account),
        booked_on,
        note,
        created_by: Some(caller.id()),
    };
    let write = PreparedWrite::new(
        &state.in_flight,
        Some(key),
        &group_id.to_string(),
        &ctx.route,
        canonical,
        InvestmentEventView::of,
    )?;
    write.respond(
        state
            .store
            .record_investment_event(group_id, event, write.idempotency())
            .await,
    )
}

pub async fn disburse(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    InvestmentPath {
        group_id,
        investment_id,
    }: InvestmentPath,
    ctx: RequestContext,
    key: IdempotencyKey,
    body: JsonBody<CreateDisbursement>,
) -> Result<Response, ApiError> {
    let b = body.value;
    record_investment_event(
        &state,
        &caller,
        group_id,
        investment_id,
        &ctx,
        key,
        &body.canonical,
        InvestmentEventKind::Disbursement,
        b.amount,
        b.account,
        b.booked_on,
        b.note,
    )
    .await
}

pub async fn record_return(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    InvestmentPath {
        group_id,
        investment_id,
    }: InvestmentPath,
    ctx: RequestContext,
    key: IdempotencyKey,
    body: JsonBody<CreateReturn>,
) -> Result<Response, ApiError> {
    let b = body.value;
    let kind = match b.kind {
        ReturnKind::Income => InvestmentEventKind::Income,
        ReturnKind::CapitalReturned => InvestmentEventKind::CapitalReturned,
    };
    record_investment_event(
        &state,
        &caller,
        group_id,
        investment_id,
        &ctx,
        key,
        &body.canonical,
        kind,
        b.amount,
        b.account,
        b.booked_on,
        b.note,
    )
    .await
}

pub async fn write_down(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    InvestmentPath {
        group_id,
        investment_id,
    }: InvestmentPath,
    ctx: RequestContext,
    key: IdempotencyKey,
    body: JsonBody<CreateWriteDown>,
) -> Result<Response, ApiError> {
    let b = body.value;
    record_investment_event(
        &state,
        &caller,
        group_id,
        investment_id,
        &ctx,
        key,
        &body.canonical,
        InvestmentEventKind::WriteDown,
        b.amount,
        None,
        b.booked_on,
        b.note,
    )
    .await
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
    Ok(page_response(page, "e", |e| e.id, InvestmentEventView::of))
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

// ---------------------------------------------------------------------------------------------
// Remittances

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateUse {
    pub purpose: Purpose,
    pub amount: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateRemittance {
    pub member_id: crate::domain::member::MemberRef,
    pub send_amount: String,
    pub send_currency: String,
    pub fee: String,
    pub receive_amount: String,
    pub receive_currency: String,
    #[serde(default)]
    pub applied_rate: Option<String>,
    #[serde(default)]
    pub mid_market_rate: Option<String>,
    #[serde(default)]
    pub rate_source: Option<String>,
    pub provider: String,
    pub channel: RemittanceChannel,
    pub send_country: String,
    pub receive_country: String,
    pub uses: Vec<CreateUse>,
    #[serde(
        default,
        deserialize_with = "crate::domain::dates::deserialize_optional"
    )]
    pub booked_on: Option<NaiveDate>,
}

impl CreateRemittance {
    /// Every wrong field at once. The member is named by `member` until it is looked up (in
    /// the store, once every field is right): `member_id` is nil until then.
    fn parse(
        self,
        today: NaiveDate,
    ) -> Result<(crate::domain::member::MemberRef, RemittanceDetails), ApiError> {
        let mut checks = FieldChecks::default();
        let send_currency = checks.check(currency("/send_currency", &self.send_currency));
        let receive_currency = checks.check(currency("/receive_currency", &self.receive_currency));
        // An amount whose currency is wrong is checked as far as it can be without it.
        let money = |checks: &mut FieldChecks,
                     pointer: &str,
                     text: &str,
                     cur: Option<Currency>,
                     positive: bool| {
            match cur {
                Some(cur) if positive => checks.check(amount(pointer, text, cur)),
                Some(cur) => checks.check(
                    parse_amount(text, cur)
                        .map_err(|e| ApiError::invalid_field(pointer, format!("amount {e}"))),
                ),
                None => {
                    checks.check(amount_text(pointer, text, positive));
                    None
                }
            }
        };
        let send = money(
            &mut checks,
            "/send_amount",
            &self.send_amount,
            send_currency,
            true,
        );
        let receive = money(
            &mut checks,
            "/receive_amount",
            &self.receive_amount,
            receive_currency,
            true,
        );
        // Amounts carry no sign, so a fee is never negative.
        let fee = money(&mut checks, "/fee", &self.fee, send_currency, false);
        let applied = checks.check(optional_rate("/applied_rate", self.applied_rate.as_deref()));
        let mid = checks.check(optional_rate(
            "/mid_market_rate",
            self.mid_market_rate.as_deref(),
        ));
        if send_currency.is_some() && send_currency == receive_currency {
            for (value, pointer) in [(applied, "/applied_rate"), (mid, "/mid_market_rate")] {
                if value.flatten().is_some_and(|r| r != Decimal::ONE) {
                    checks.refuse(ApiError::invalid_field(
                        pointer,
                        "must be 1 when nothing is converted",
                    ));
                }
            }
        }
        let uses = self.uses(&mut checks, receive, receive_currency);
        let rate_source = checks.check(optional_label("/rate_source", self.rate_source));
        let provider = checks.check(text_field(
            "/provider",
            &self.provider,
            MAX_LABEL_CHARS,
            false,
        ));
        let send_country = checks.check(country("/send_country", &self.send_country));
        let receive_country = checks.check(country("/receive_country", &self.receive_country));
        let booked_on = checks.check(booking_date("/booked_on", self.booked_on, today));
        let (
            Some(send_currency),
            Some(receive_currency),
            Some(send),
            Some(receive),
            Some(fee),
            Some(applied),
            Some(mid),
            Some(uses),
            Some(rate_source),
            Some(provider),
            Some(send_country),
            Some(receive_country),
            Some(booked_on),
            true,
        ) = (
            send_currency,
            receive_currency,
            send,
            receive,
            fee,
            applied,
            mid,
            uses,
            rate_source,
            provider,
            send_country,
            receive_country,
            booked_on,
            checks.passed(),
        )
        else {
            return Err(checks.refusal());
        };
        let details = RemittanceDetails {
            member_id: Uuid::nil(),
            send_amount_minor: send,
            send_currency,
            fee_minor: fee,
            receive_amount_minor: receive,
            receive_currency,
            applied_rate: applied
                .unwrap_or_else(|| derived_rate(send, send_currency, receive, receive_currency)),
            rate_derived: applied.is_none(),
            mid_market_rate: mid,
            rate_source,
            provider,
            channel: self.channel,
            send_country,
            receive_country,
            uses,
            booked_on,
        };
        // Rates that disagree with the amounts: only once every amount and rate is right.
        details.terms().check(ConversionFields {
            send: "/send_amount",
            receive: "/receive_amount",
            fee: "/fee",
            applied_rate: applied.map(|_| "/applied_rate"),
            mid_market_rate: "/mid_market_rate",
        })?;
        Ok((self.member_id, details))
    }

    /// The uses, each checked; `None` if any is wrong, or if they do not add up to `receive`
    /// (when that is known).
    fn uses(
        &self,
        checks: &mut FieldChecks,
        receive: Option<i64>,
        receive_currency: Option<Currency>,
    ) -> Option<Vec<RemittanceUse>> {
        if self.uses.is_empty() || self.uses.len() > MAX_USES {
            checks.refuse(ApiError::invalid_field(
                "/uses",
                format!("must list 1 to {MAX_USES} uses"),
            ));
            return None;
        }
        let mut uses = Vec::with_capacity(self.uses.len());
        let mut all_right = true;
        for (i, u) in self.uses.iter().enumerate() {
            let pointer = format!("/uses/{i}/amount");
            if self.uses[..i].iter().any(|seen| seen.purpose == u.purpose) {
                checks.refuse(ApiError::invalid_field(
                    format!("/uses/{i}/purpose"),
                    "is listed twice",
                ));
                all_right = false;
            }
            let minor = match receive_currency {
                Some(cur) => checks.check(amount(&pointer, &u.amount, cur)),
                None => {
                    checks.check(amount_text(&pointer, &u.amount, true));
                    None
                }
            };
            match minor {
                Some(amount_minor) => uses.push(RemittanceUse {
                    purpose: u.purpose,
                    amount_minor,
                }),
                None => all_right = false,
            }
        }
        let (true, Some(receive), Some(receive_currency)) = (all_right, receive, receive_currency)
        else {
            return None;
        };
        let total = uses
            .iter()
            .fold(0i64, |sum, u| sum.saturating_add(u.amount_minor));
        if total != receive {
            checks.refuse(crate::domain::error::LedgerError::rule(
                crate::domain::error::Rule::UsesMismatch,
                Some("/uses".into()),
                format!(
                    "the uses add up to {} {receive_currency} but {} {receive_currency} was received",
                    format_amount(total.min(crate::domain::money::MAX_AMOUNT_MINOR), receive_currency),
                    format_amount(receive, receive_currency)
                ),
            ));
            return None;
        }
        Some(uses)
    }
}

#[derive(Debug, Serialize)]
pub struct UseView {
    pub purpose: Purpose,
    pub amount: String,
}

#[derive(Debug, Serialize)]
pub struct CostView {
    pub currency: String,
    pub fee: String,
    /// (mid − applied) / mid × send amount; null without a mid-market rate.
    pub fx_margin: Option<String>,
    pub total: String,
    /// Total cost as a percentage of the send amount, to two decimals.
    pub percent: String,
}

#[derive(Debug, Serialize)]
pub struct RemittanceView {
    pub id: Uuid,
    pub group_id: Uuid,
    pub member_id: Uuid,
    pub send_amount: String,
    pub send_currency: String,
    pub fee: String,
    pub receive_amount: String,
    pub receive_currency: String,
    pub applied_rate: String,
    pub applied_rate_derived: bool,
    pub mid_market_rate: Option<String>,
    pub rate_source: Option<String>,
    pub provider: String,
    pub channel: RemittanceChannel,
    pub send_country: String,
    pub receive_country: String,
    pub uses: Vec<UseView>,
    pub group_savings: String,
    /// What the member's savings were credited with, in the savings account's currency.
    pub credited_to_savings: Option<String>,
    pub credited_currency: Option<String>,
    pub cost: CostView,
    pub booked_on: NaiveDate,
    pub transaction_id: Option<Uuid>,
    /// The transaction that reversed this record's, if it was corrected away.
    pub reversed_by: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl RemittanceView {
    pub fn of(r: &Remittance) -> Self {
        let d = &r.details;
        let cost = d.cost();
        let scale = d.send_currency.exponent();
        let fixed = |v: Decimal| format!("{:.*}", scale as usize, v);
        RemittanceView {
            id: r.id,
            group_id: r.group_id,
            member_id: d.member_id,
            send_amount: format_amount(d.send_amount_minor, d.send_currency),
            send_currency: d.send_currency.code().to_string(),
            fee: format_amount(d.fee_minor, d.send_currency),
            receive_amount: format_amount(d.receive_amount_minor, d.receive_currency),
            receive_currency: d.receive_currency.code().to_string(),
            applied_rate: d.applied_rate.to_string(),
            applied_rate_derived: d.rate_derived,
            mid_market_rate: d.mid_market_rate.map(|m| m.to_string()),
            rate_source: d.rate_source.clone(),
            provider: d.provider.clone(),
            channel: d.channel,
            send_country: d.send_country.clone(),
            receive_country: d.receive_country.clone(),
            uses: d
                .uses
                .iter()
                .map(|u| UseView {
                    purpose: u.purpose,
                    amount: format_amount(u.amount_minor, d.receive_currency),
                })
                .collect(),
            group_savings: format_amount(d.group_savings_minor(), d.receive_currency),
            credited_to_savings: r
                .credited_minor
                .zip(r.credited_currency)
                .map(|(m, c)| format_amount(m, c)),
            credited_currency: r.credited_currency.map(|c| c.code().to_string()),
            cost: CostView {
                currency: d.send_currency.code().to_string(),
                fee: format_amount(d.fee_minor, d.send_currency),
                fx_margin: cost.fx_margin.map(fixed),
                total: fixed(cost.total),
                percent: format!("{:.2}", cost.percent),
            },
            booked_on: d.booked_on,
            transaction_id: r.transaction_id,
            reversed_by: r.reversed_by,
            created_by: r.created_by,
            created_at: r.created_at,
        }
    }
}

pub async fn create_remittance(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    GroupPath { group_id }: GroupPath,
    ctx: RequestContext,
    key: IdempotencyKey,
    body: JsonBody<CreateRemittance>,
) -> Result<Response, ApiError> {
    let key = key.required()?;
    let today = state.today(group_id).await?;
    let (member, mut details) = body.value.parse(today)?;
    details.member_id =
        super::members::member_in_body(&state, group_id, member, "/member_id").await?;
    let write = PreparedWrite::new(
        &state.in_flight,
        Some(key),
        &group_id.to_string(),
        &ctx.route,
        &body.canonical,
        RemittanceView::of,
    )?;
    write.respond(
        state
            .store
            .record_remittance(group_id, details, Some(caller.id()), write.idempotency())
            .await,
    )
}

async fn remittance_page(
    state: &AppState,
    group_id: Uuid,
    member_id: Option<Uuid>,
    raw: Option<&str>,
) -> Result<Response, ApiError> {
    let allowed: &[&str] = if member_id.is_some() {
        &["from", "to", "limit", "cursor", "include_reversed"]
    } else {
        &[
            "member_id",
            "from",
            "to",
            "limit",
            "cursor",
            "include_reversed",
        ]
    };
    let params = QueryParams::parse(raw, allowed)?;
    let member_id = match member_id {
        Some(id) => Some(id),
        None => match params.text("member_id") {
            None => None,
            Some(t) => Some(super::members::member_in_query(state, group_id, t).await?),
        },
    };
    let (from, to) = params.date_range()?;
    let query = RemittanceQuery {
        member_id,
        include_reversed: params.include_reversed()?,
        from,
        to,
        after: params.id_cursor("r")?,
        limit: params.limit()?,
    };
    let page = state.store.list_remittances(group_id, query).await?;
    Ok(page_response(page, "r", |r| r.id, RemittanceView::of))
}

pub async fn list_remittances(
    State(state): State<AppState>,
    GroupPath { group_id }: GroupPath,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    remittance_page(&state, group_id, None, raw.as_deref()).await
}

pub async fn member_remittances(
    State(state): State<AppState>,
    path: MemberPath,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let (group_id, member_id) = super::members::member_path(&state, &path).await?;
    // The member must exist (members are never deleted, so this cannot go stale).
    state.store.get_member(group_id, member_id).await?;
    remittance_page(&state, group_id, Some(member_id), raw.as_deref()).await
}

pub async fn get_remittance(
    State(state): State<AppState>,
    RemittancePath {
        group_id,
        remittance_id,
    }: RemittancePath,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    QueryParams::parse(raw.as_deref(), &[])?;
    let remittance = state.store.get_remittance(group_id, remittance_id).await?;
    Ok(json_response(
        StatusCode::OK,
        &RemittanceView::of(&remittance),
    ))
}

// ---------------------------------------------------------------------------------------------
// Transfers

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

#[derive(Debug, Serialize)]
pub struct TransferView {
    pub id: Uuid,
    pub group_id: Uuid,
    pub from: String,
    pub to: String,
    pub amount: String,
    pub currency: String,
    pub receive_amount: String,
    pub receive_currency: String,
    pub fee: String,
    pub applied_rate: Option<String>,
    pub mid_market_rate: Option<String>,
    pub rate_source: Option<String>,
    pub booked_on: NaiveDate,
    pub description: String,
    pub transaction_id: Uuid,
    /// The transaction that reversed this record's, if it was corrected away.
    pub reversed_by: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl TransferView {
    pub fn of(t: &Transfer) -> Self {
        TransferView {
            id: t.id,
            group_id: t.group_id,
            from: t.from_code.clone(),
            to: t.to_code.clone(),
            amount: format_amount(t.amount_minor, t.currency),
            currency: t.currency.code().to_string(),
            receive_amount: format_amount(t.receive_amount_minor, t.receive_currency),
            receive_currency: t.receive_currency.code().to_string(),
            fee: format_amount(t.fee_minor, t.currency),
            applied_rate: t.applied_rate.map(|r| r.to_string()),
            mid_market_rate: t.mid_market_rate.map(|r| r.to_string()),
            rate_source: t.rate_source.clone(),
            booked_on: t.booked_on,
            description: t.description.clone(),
            transaction_id: t.transaction_id,
            reversed_by: t.reversed_by,
            created_by: t.created_by,
            created_at: t.created_at,
        }
    }
}

pub async fn create_transfer(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    GroupPath { group_id }: GroupPath,
    ctx: RequestContext,
    key: IdempotencyKey,
    body: JsonBody<CreateTransfer>,
) -> Result<Response, ApiError> {
    let key = key.required()?;
    let today = state.today(group_id).await?;
    let transfer = body.value.parse(caller.id(), today)?;
    let write = PreparedWrite::new(
        &state.in_flight,
        Some(key),
        &group_id.to_string(),
        &ctx.route,
        &body.canonical,
        TransferView::of,
    )?;
    write.respond(
        state
            .store
            .record_transfer(group_id, transfer, write.idempotency())
            .await,
    )
}

pub async fn list_transfers(
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
    Ok(page_response(page, "t", |t| t.id, TransferView::of))
}

pub async fn get_transfer(
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

// ---------------------------------------------------------------------------------------------
// Distributions

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateDistribution {
    pub pool: String,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub investment_id: Option<Uuid>,
    #[serde(default)]
    pub basis: Option<Basis>,
    #[serde(
        default,
        deserialize_with = "crate::domain::dates::deserialize_optional"
    )]
    pub as_of: Option<NaiveDate>,
    pub pay_to: PayTo,
    #[serde(
        default,
        deserialize_with = "crate::domain::dates::deserialize_optional"
    )]
    pub booked_on: Option<NaiveDate>,
    #[serde(default)]
    pub dry_run: bool,
}

#[derive(Debug, Serialize)]
pub struct ShareView {
    pub member_id: Uuid,
    pub member_name: String,
    /// The member's savings or capital on `as_of` (in `weight_currency`), or 1 for equal shares.
    pub weight: String,
    pub share: String,
    pub account: String,
}

#[derive(Debug, Serialize)]
pub struct DistributionView {
    pub id: Option<Uuid>,
    pub group_id: Uuid,
    pub dry_run: bool,
    pub pool: String,
    pub currency: String,
    pub basis: Basis,
    /// The investment whose income was shared out; null for the undistributed surplus.
    pub investment_id: Option<Uuid>,
    pub weight_currency: Option<String>,
    pub total_weight: String,
    pub as_of: NaiveDate,
    pub pay_to: PayTo,
    pub booked_on: NaiveDate,
    pub shares: Vec<ShareView>,
    /// The sum of the shares: always equal to the pool.
    pub shares_total: String,
    pub transaction_id: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub created_at: Option<DateTime<Utc>>,
}

impl DistributionView {
    pub fn of(d: &Distribution) -> Self {
        let weight = |w: i64| match d.weight_currency {
            Some(c) => format_amount(w, c),
            None => w.to_string(),
        };
        let total_weight = d.total_weight();
        let shares_total: i128 = d.shares.iter().map(|s| i128::from(s.share_minor)).sum();
        DistributionView {
            id: d.id,
            group_id: d.group_id,
            dry_run: d.id.is_none(),
            pool: format_amount(d.pool_minor, d.currency),
            currency: d.currency.code().to_string(),
            basis: d.basis,
            investment_id: d.source_investment_id,
            weight_currency: d.weight_currency.map(|c| c.code().to_string()),
            total_weight: match (d.weight_currency, i64::try_from(total_weight)) {
                (Some(c), Ok(w)) => format_amount(w, c),
                _ => total_weight.to_string(),
            },
            as_of: d.as_of,
            pay_to: d.pay_to,
            booked_on: d.booked_on,
            shares: d
                .shares
                .iter()
                .map(|s| ShareView {
                    member_id: s.member_id,
                    member_name: s.member_name.clone(),
                    weight: weight(s.weight),
                    share: format_amount(s.share_minor, d.currency),
                    account: s.account_code.clone(),
                })
                .collect(),
            shares_total: format_total(shares_total, d.currency),
            transaction_id: d.transaction_id,
            created_by: d.created_by,
            created_at: d.created_at,
        }
    }
}

pub async fn create_distribution(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    GroupPath { group_id }: GroupPath,
    ctx: RequestContext,
    key: IdempotencyKey,
    body: JsonBody<CreateDistribution>,
) -> Result<Response, ApiError> {
    let today = state.today(group_id).await?;
    let d = body.value;
    // Every wrong field at once.
    let mut checks = FieldChecks::default();
    let pool = checks.check(amount_text("/pool", &d.pool, true));
    let pool_currency = checks.check(
        d.currency
            .as_deref()
            .map(|c| currency("/currency", c))
            .transpose(),
    );
    let booked_on = checks.check(booking_date("/booked_on", d.booked_on, today));
    let as_of = checks.check(
        d.as_of
            .map(|date| booking_date("/as_of", Some(date), today))
            .transpose(),
    );
    let (Some(()), Some(pool_currency), Some(booked_on), Some(as_of)) =
        (pool, pool_currency, booked_on, as_of)
    else {
        return Err(checks.refusal());
    };
    let request = NewDistribution {
        pool: d.pool,
        currency: pool_currency,
        investment_id: d.investment_id,
        basis: d.basis,
        as_of: as_of.unwrap_or(booked_on),
        pay_to: d.pay_to,
        booked_on,
        dry_run: d.dry_run,
        created_by: Some(caller.id()),
    };
    if request.dry_run {
        // A preview writes nothing, so it needs no key and is answered 200.
        return match state.store.distribute(group_id, request, None).await? {
            crate::store::Written::Created(d) => {
                Ok(json_response(StatusCode::OK, &DistributionView::of(&d)))
            }
            crate::store::Written::Replayed(stored) => Ok(super::write::replay(stored)),
        };
    }
    let key = key.required()?;
    let write = PreparedWrite::new(
        &state.in_flight,
        Some(key),
        &group_id.to_string(),
        &ctx.route,
        &body.canonical,
        DistributionView::of,
    )?;
    write.respond(
        state
            .store
            .distribute(group_id, request, write.idempotency())
            .await,
    )
}

pub async fn list_distributions(
    State(state): State<AppState>,
    GroupPath { group_id }: GroupPath,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = QueryParams::parse(raw.as_deref(), &["limit", "cursor"])?;
    let page = state
        .store
        .list_distributions(group_id, params.id_cursor("d")?, params.limit()?)
        .await?;
    Ok(page_response(
        page,
        "d",
        |d| d.id.unwrap_or_default(),
        DistributionView::of,
    ))
}

pub async fn get_distribution(
    State(state): State<AppState>,
    DistributionPath {
        group_id,
        distribution_id,
    }: DistributionPath,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    QueryParams::parse(raw.as_deref(), &[])?;
    let distribution = state
        .store
        .get_distribution(group_id, distribution_id)
        .await?;
    Ok(json_response(
        StatusCode::OK,
        &DistributionView::of(&distribution),
    ))
}

// ---------------------------------------------------------------------------------------------
// A member leaving

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeavingStatus {
    ReturnedHome,
    Exited,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateExit {
    pub status: LeavingStatus,
    #[serde(
        default,
        deserialize_with = "crate::domain::dates::deserialize_optional"
    )]
    pub on: Option<NaiveDate>,
    pub channel: Channel,
    #[serde(default)]
    pub keep_capital: bool,
}

#[derive(Debug, Serialize)]
pub struct PayoutView {
    pub account: String,
    pub amount: String,
    pub currency: String,
}

#[derive(Debug, Serialize)]
pub struct ExitView {
    pub member: MemberView,
    pub paid: Vec<PayoutView>,
    pub transaction_id: Option<Uuid>,
}

impl ExitView {
    pub fn of(e: &ExitOutcome) -> Self {
        ExitView {
            member: MemberView::of(&e.record),
            paid: e
                .paid
                .iter()
                .map(|p| PayoutView {
                    account: p.account_code.clone(),
                    amount: format_amount(p.amount_minor, p.currency),
                    currency: p.currency.code().to_string(),
                })
                .collect(),
            transaction_id: e.transaction_id,
        }
    }
}

pub async fn exit_member(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    path: MemberPath,
    ctx: RequestContext,
    key: IdempotencyKey,
    body: JsonBody<CreateExit>,
) -> Result<Response, ApiError> {
    let (group_id, member_id) = super::members::member_path(&state, &path).await?;
    let key = key.required()?;
    let today = state.today(group_id).await?;
    let e = body.value;
    let status = match e.status {
        LeavingStatus::ReturnedHome => MemberStatus::ReturnedHome,
        LeavingStatus::Exited => MemberStatus::Exited,
    };
    let mut checks = FieldChecks::default();
    if status == MemberStatus::Exited && e.keep_capital {
        checks.refuse(ApiError::invalid_field(
            "/keep_capital",
            "a member who exits is paid out in full; only a member who returns home may keep their capital invested",
        ));
    }
    let on = checks.check(booking_date("/on", e.on, today));
    let (Some(on), true) = (on, checks.passed()) else {
        return Err(checks.refusal());
    };
    let request = MemberExit {
        status,
        on,
        channel: e.channel,
        keep_capital: e.keep_capital,
        created_by: Some(caller.id()),
    };
    let write = PreparedWrite::new(
        &state.in_flight,
        Some(key),
        &group_id.to_string(),
        &ctx.route,
        &body.canonical,
        ExitView::of,
    )?;
    write.respond(
        state
            .store
            .exit_member(group_id, member_id, request, write.idempotency())
            .await,
    )
}
