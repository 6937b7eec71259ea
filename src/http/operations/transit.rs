//! Remittances in transit over HTTP: `POST .../remittances/{remittance_id}/completion` (arrival
//! confirmed, with what arrived) and `.../failure` (the money came back), each once; and
//! `GET .../reports/remittances-in-transit`, those still on their way.

use axum::Extension;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::remittances::CreateUse;
use super::*;
use crate::auth::caller::Caller;
use crate::domain::money::format_amount;
use crate::domain::operations::*;
use crate::http::AppState;
use crate::http::dto::{amount_text, booking_date};
use crate::http::error::{ApiError, FieldChecks};
use crate::http::extract::JsonBody;
use crate::http::path::{GroupPath, RemittancePath};
use crate::http::query::QueryParams;
use crate::http::report::{Table, negotiate, respond};
use crate::http::views::RemittanceView;
use crate::http::write::Idempotent;

/// How a remittance is recorded: arrived (the default, its group-savings part at the home
/// bank at once) or sent and not yet arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SentStatus {
    Arrived,
    InTransit,
}

/// Most remittances the report of those in transit lists.
pub const MAX_IN_TRANSIT_ROWS: u32 = 1_000;
/// Largest `older_than_days` (a hundred years).
pub const MAX_DAYS_IN_TRANSIT: u32 = 36_500;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompleteRemittance {
    pub receive_amount: String,
    #[serde(default)]
    pub fee: Option<String>,
    #[serde(default)]
    pub applied_rate: Option<String>,
    #[serde(default)]
    pub mid_market_rate: Option<String>,
    #[serde(default)]
    pub uses: Option<Vec<CreateUse>>,
    #[serde(
        default,
        deserialize_with = "crate::domain::dates::deserialize_optional"
    )]
    pub booked_on: Option<NaiveDate>,
}

impl CompleteRemittance {
    /// Every field checked as far as it can be before the remittance's currencies are known
    /// (the rule reads the amounts in them), every wrong field at once.
    fn parse(self, today: NaiveDate) -> Result<CompletionRequest, ApiError> {
        let mut checks = FieldChecks::default();
        checks.check(amount_text("/receive_amount", &self.receive_amount, true));
        if let Some(fee) = &self.fee {
            checks.check(amount_text("/fee", fee, false));
        }
        let applied = checks.check(optional_rate("/applied_rate", self.applied_rate.as_deref()));
        let mid = checks.check(optional_rate(
            "/mid_market_rate",
            self.mid_market_rate.as_deref(),
        ));
        let uses = self
            .uses
            .as_deref()
            .map(|uses| checked_uses(&mut checks, uses));
        let booked_on = checks.check(booking_date("/booked_on", self.booked_on, today));
        let (Some(applied_rate), Some(mid_market_rate), Some(booked_on), true) =
            (applied, mid, booked_on, checks.passed())
        else {
            return Err(checks.refusal());
        };
        Ok(CompletionRequest {
            receive_amount: self.receive_amount,
            fee: self.fee,
            applied_rate,
            mid_market_rate,
            uses,
            booked_on,
        })
    }
}

/// The uses given on arrival: 1 to `MAX_USES`, each purpose once, each amount well formed.
fn checked_uses(checks: &mut FieldChecks, uses: &[CreateUse]) -> Vec<(Purpose, String)> {
    if uses.is_empty() || uses.len() > MAX_USES {
        checks.refuse(ApiError::invalid_field(
            "/uses",
            format!("must list 1 to {MAX_USES} uses"),
        ));
    }
    for (i, u) in uses.iter().enumerate() {
        if uses[..i].iter().any(|seen| seen.purpose == u.purpose) {
            checks.refuse(ApiError::invalid_field(
                format!("/uses/{i}/purpose"),
                "is listed twice",
            ));
        }
        checks.check(amount_text(&format!("/uses/{i}/amount"), &u.amount, true));
    }
    uses.iter().map(|u| (u.purpose, u.amount.clone())).collect()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FailRemittance {
    #[serde(default)]
    pub fee_kept: Option<String>,
    #[serde(
        default,
        deserialize_with = "crate::domain::dates::deserialize_optional"
    )]
    pub booked_on: Option<NaiveDate>,
}

impl FailRemittance {
    fn parse(self, today: NaiveDate) -> Result<FailureRequest, ApiError> {
        let mut checks = FieldChecks::default();
        if let Some(kept) = &self.fee_kept {
            checks.check(amount_text("/fee_kept", kept, false));
        }
        let booked_on = checks.check(booking_date("/booked_on", self.booked_on, today));
        let (Some(booked_on), true) = (booked_on, checks.passed()) else {
            return Err(checks.refusal());
        };
        Ok(FailureRequest {
            fee_kept: self.fee_kept,
            booked_on,
        })
    }
}

/// `POST /v1/groups/{group_id}/remittances/{remittance_id}/completion`
pub async fn complete(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    RemittancePath {
        group_id,
        remittance_id,
    }: RemittancePath,
    idempotent: Idempotent,
    body: JsonBody<CompleteRemittance>,
) -> Result<Response, ApiError> {
    idempotent.require_key()?;
    let today = state.today(group_id).await?;
    let request = body.value.parse(today)?;
    let signer = state.signer.clone();
    let write = idempotent.prepare(group_id, &body.canonical, move |r: &Remittance| {
        RemittanceView::of(r, &signer)
    })?;
    write.respond(
        state
            .store
            .complete_remittance(
                group_id,
                remittance_id,
                request,
                Some(caller.id()),
                write.idempotency(),
            )
            .await,
    )
}

/// `POST /v1/groups/{group_id}/remittances/{remittance_id}/failure`
pub async fn fail(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    RemittancePath {
        group_id,
        remittance_id,
    }: RemittancePath,
    idempotent: Idempotent,
    body: JsonBody<FailRemittance>,
) -> Result<Response, ApiError> {
    idempotent.require_key()?;
    let today = state.today(group_id).await?;
    let request = body.value.parse(today)?;
    let signer = state.signer.clone();
    let write = idempotent.prepare(group_id, &body.canonical, move |r: &Remittance| {
        RemittanceView::of(r, &signer)
    })?;
    write.respond(
        state
            .store
            .fail_remittance(
                group_id,
                remittance_id,
                request,
                Some(caller.id()),
                write.idempotency(),
            )
            .await,
    )
}

#[derive(Debug, Serialize)]
struct InTransitView {
    remittance_id: Uuid,
    member_id: Uuid,
    booked_on: NaiveDate,
    days_in_transit: i64,
    send_amount: String,
    send_currency: &'static str,
    receive_amount: String,
    receive_currency: &'static str,
    group_savings: String,
    provider: String,
    channel: RemittanceChannel,
    transaction_id: Option<Uuid>,
}

impl InTransitView {
    fn of(r: &Remittance, as_of: NaiveDate) -> Self {
        let d = &r.details;
        InTransitView {
            remittance_id: r.id,
            member_id: d.member_id,
            booked_on: d.booked_on,
            days_in_transit: (as_of - d.booked_on).num_days(),
            send_amount: format_amount(d.send_amount_minor, d.send_currency),
            send_currency: d.send_currency.code(),
            receive_amount: format_amount(d.receive_amount_minor, d.receive_currency),
            receive_currency: d.receive_currency.code(),
            group_savings: format_amount(d.group_savings_minor(), d.receive_currency),
            provider: d.provider.clone(),
            channel: d.channel,
            transaction_id: r.transaction_id,
        }
    }
}

#[derive(Debug, Serialize)]
struct InTransitReport {
    group_id: Uuid,
    as_of: NaiveDate,
    older_than_days: Option<u32>,
    remittances: Vec<InTransitView>,
    /// More remittances are in transit than the report lists.
    truncated: bool,
}

fn older_than_days(params: &QueryParams) -> Result<Option<u32>, ApiError> {
    let Some(text) = params.text("older_than_days") else {
        return Ok(None);
    };
    match text.parse::<u32>() {
        Ok(n)
            if n <= MAX_DAYS_IN_TRANSIT
                && text.bytes().all(|b| b.is_ascii_digit())
                && (n == 0 || !text.starts_with('0'))
                && text.len() <= 5 =>
        {
            Ok(Some(n))
        }
        _ => Err(ApiError::invalid_parameter(
            "older_than_days",
            format!("must be a whole number of days from 0 to {MAX_DAYS_IN_TRANSIT}"),
        )),
    }
}

/// `GET /v1/groups/{group_id}/reports/remittances-in-transit`: remittances sent and not yet
/// arrived (nor failed), oldest first; with `older_than_days=N`, only those in transit for
/// more than N days on the group's date today.
pub async fn in_transit_report(
    State(state): State<AppState>,
    GroupPath { group_id }: GroupPath,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = QueryParams::parse(raw.as_deref(), &["format", "older_than_days"])?;
    let format = negotiate(&params, &headers)?;
    let older = older_than_days(&params)?;
    let today = state.today(group_id).await?;
    let sent_before = older.map(|n| today - chrono::Duration::days(i64::from(n)));
    let mut found = state
        .store
        .remittances_in_transit(group_id, sent_before, MAX_IN_TRANSIT_ROWS + 1)
        .await?;
    let truncated = found.len() > MAX_IN_TRANSIT_ROWS as usize;
    found.truncate(MAX_IN_TRANSIT_ROWS as usize);
    let view = InTransitReport {
        group_id,
        as_of: today,
        older_than_days: older,
        remittances: found.iter().map(|r| InTransitView::of(r, today)).collect(),
        truncated,
    };
    let table = || {
        let mut table = Table::new(&[
            "remittance_id",
            "member_id",
            "booked_on",
            "days_in_transit",
            "send_amount",
            "send_currency",
            "receive_amount",
            "receive_currency",
            "group_savings",
            "provider",
            "channel",
        ]);
        for r in &view.remittances {
            table.push(vec![
                r.remittance_id.to_string(),
                r.member_id.to_string(),
                r.booked_on.to_string(),
                r.days_in_transit.to_string(),
                r.send_amount.clone(),
                r.send_currency.to_string(),
                r.receive_amount.clone(),
                r.receive_currency.to_string(),
                r.group_savings.clone(),
                r.provider.clone(),
                r.channel.as_str().to_string(),
            ]);
        }
        table
    };
    Ok(respond(format, &view, table, "remittances-in-transit"))
}
