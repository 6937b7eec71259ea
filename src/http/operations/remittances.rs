//! `/v1/groups/{group_id}/remittances`: money members send home through the group, with
//! what it cost and what it is for.

use axum::Extension;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;

use super::*;
use crate::auth::caller::Caller;
use crate::domain::money::{format_amount, parse_amount};
use crate::domain::operations::*;
use crate::http::AppState;
use crate::http::dto::{amount_text, booking_date, country, currency, text_field};
use crate::http::error::{ApiError, FieldChecks};
use crate::http::extract::JsonBody;
use crate::http::path::{GroupPath, MemberPath, RemittancePath};
use crate::http::query::QueryParams;
use crate::http::views::*;
use crate::http::write::{Idempotent, json_response};

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
    /// `in_transit` records it as sent and not yet arrived (see `transit`).
    #[serde(default)]
    pub status: Option<super::transit::SentStatus>,
}

impl CreateRemittance {
    /// Every wrong field at once. The member is named by `member` until it is looked up (in
    /// the store, once every field is right): `member_id` is nil until then.
    fn parse(
        self,
        today: NaiveDate,
    ) -> Result<(crate::domain::member::MemberRef, RemittanceDetails), ApiError> {
        let mut checks = FieldChecks::default();
        let conversion = self.check_conversion(&mut checks);
        let uses = self.uses(&mut checks, conversion.receive, conversion.receive_currency);
        let particulars = CheckedParticulars {
            rate_source: checks.check(optional_label("/rate_source", self.rate_source)),
            provider: checks.check(text_field(
                "/provider",
                &self.provider,
                MAX_LABEL_CHARS,
                false,
            )),
            send_country: checks.check(country("/send_country", &self.send_country)),
            receive_country: checks.check(country("/receive_country", &self.receive_country)),
            booked_on: checks.check(booking_date("/booked_on", self.booked_on, today)),
        };
        let (Some(conversion), Some(uses), Some(particulars), true) = (
            conversion.complete(),
            uses,
            particulars.complete(),
            checks.passed(),
        ) else {
            return Err(checks.refusal());
        };
        let details = conversion.details(particulars, self.channel, uses);
        // Rates that disagree with the amounts: only once every amount and rate is right.
        details.terms().check(ConversionFields {
            send: "/send_amount",
            receive: "/receive_amount",
            fee: "/fee",
            applied_rate: conversion.applied.map(|_| "/applied_rate"),
            mid_market_rate: "/mid_market_rate",
        })?;
        Ok((self.member_id, details))
    }

    /// The currencies, amounts and rates, each checked as far as it can be.
    fn check_conversion(&self, checks: &mut FieldChecks) -> CheckedConversion {
        let send_currency = checks.check(currency("/send_currency", &self.send_currency));
        let receive_currency = checks.check(currency("/receive_currency", &self.receive_currency));
        let send = money(
            checks,
            "/send_amount",
            &self.send_amount,
            send_currency,
            true,
        );
        let receive = money(
            checks,
            "/receive_amount",
            &self.receive_amount,
            receive_currency,
            true,
        );
        // Amounts carry no sign, so a fee is never negative.
        let fee = money(checks, "/fee", &self.fee, send_currency, false);
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
        CheckedConversion {
            send_currency,
            receive_currency,
            send,
            receive,
            fee,
            applied,
            mid,
        }
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

/// An amount in `cur`, checked as far as it can be when its currency is wrong (`None`).
fn money(
    checks: &mut FieldChecks,
    pointer: &str,
    text: &str,
    cur: Option<Currency>,
    positive: bool,
) -> Option<i64> {
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
}

/// A remittance's currencies, amounts and rates, each `None` where its check refused it.
struct CheckedConversion {
    send_currency: Option<Currency>,
    receive_currency: Option<Currency>,
    send: Option<i64>,
    receive: Option<i64>,
    fee: Option<i64>,
    applied: Option<Option<Decimal>>,
    mid: Option<Option<Decimal>>,
}

/// A remittance's currencies, amounts and rates, all checked.
#[derive(Clone, Copy)]
struct Conversion {
    send_currency: Currency,
    receive_currency: Currency,
    send: i64,
    receive: i64,
    fee: i64,
    applied: Option<Decimal>,
    mid: Option<Decimal>,
}

impl CheckedConversion {
    fn complete(self) -> Option<Conversion> {
        Some(Conversion {
            send_currency: self.send_currency?,
            receive_currency: self.receive_currency?,
            send: self.send?,
            receive: self.receive?,
            fee: self.fee?,
            applied: self.applied?,
            mid: self.mid?,
        })
    }
}

/// The rest of a remittance's fields, each `None` where its check refused it.
struct CheckedParticulars {
    rate_source: Option<Option<String>>,
    provider: Option<String>,
    send_country: Option<String>,
    receive_country: Option<String>,
    booked_on: Option<NaiveDate>,
}

/// The rest of a remittance's fields, all checked.
struct Particulars {
    rate_source: Option<String>,
    provider: String,
    send_country: String,
    receive_country: String,
    booked_on: NaiveDate,
}

impl CheckedParticulars {
    fn complete(self) -> Option<Particulars> {
        Some(Particulars {
            rate_source: self.rate_source?,
            provider: self.provider?,
            send_country: self.send_country?,
            receive_country: self.receive_country?,
            booked_on: self.booked_on?,
        })
    }
}

impl Conversion {
    /// The remittance, for a member not looked up yet (nil); with no applied rate, the
    /// rate the amounts imply.
    fn details(
        self,
        p: Particulars,
        channel: RemittanceChannel,
        uses: Vec<RemittanceUse>,
    ) -> RemittanceDetails {
        RemittanceDetails {
            member_id: Uuid::nil(),
            send_amount_minor: self.send,
            send_currency: self.send_currency,
            fee_minor: self.fee,
            receive_amount_minor: self.receive,
            receive_currency: self.receive_currency,
            applied_rate: self.applied.unwrap_or_else(|| {
                derived_rate(
                    self.send,
                    self.send_currency,
                    self.receive,
                    self.receive_currency,
                )
            }),
            rate_derived: self.applied.is_none(),
            mid_market_rate: self.mid,
            rate_source: p.rate_source,
            provider: p.provider,
            channel,
            send_country: p.send_country,
            receive_country: p.receive_country,
            uses,
            booked_on: p.booked_on,
        }
    }
}

pub async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    GroupPath { group_id }: GroupPath,
    idempotent: Idempotent,
    body: JsonBody<CreateRemittance>,
) -> Result<Response, ApiError> {
    idempotent.require_key()?;
    let today = state.today(group_id).await?;
    let in_transit = body.value.status == Some(super::transit::SentStatus::InTransit);
    let (member, mut details) = body.value.parse(today)?;
    details.member_id =
        crate::http::members::member_in_body(&state, group_id, member, "/member_id").await?;
    let signer = state.signer.clone();
    let write = idempotent.prepare(group_id, &body.canonical, move |r: &Remittance| {
        RemittanceView::of(r, &signer)
    })?;
    let (store, by) = (&state.store, Some(caller.id()));
    write.respond(if in_transit {
        store
            .record_remittance_in_transit(group_id, details, by, write.idempotency())
            .await
    } else {
        store
            .record_remittance(group_id, details, by, write.idempotency())
            .await
    })
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
            Some(t) => Some(crate::http::members::member_in_query(state, group_id, t).await?),
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
    let view = |r: &Remittance| RemittanceView::of(r, &state.signer);
    Ok(ListView::page(&page, "r", |r| r.id.to_string(), view).response())
}

pub async fn list(
    State(state): State<AppState>,
    GroupPath { group_id }: GroupPath,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    remittance_page(&state, group_id, None, raw.as_deref()).await
}

pub async fn of_member(
    State(state): State<AppState>,
    path: MemberPath,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let (group_id, member_id) = crate::http::members::member_path(&state, &path).await?;
    // The member must exist (members are never deleted, so this cannot go stale).
    state.store.get_member(group_id, member_id).await?;
    remittance_page(&state, group_id, Some(member_id), raw.as_deref()).await
}

pub async fn get(
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
        &RemittanceView::of(&remittance, &state.signer),
    ))
}
