//! `/v1/groups/{group_id}/members`, `/contributions` and `/withdrawals`: what treasurers record
//! at meetings, in their words; the service writes the balanced transactions.

use axum::Extension;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::AppState;
use super::dto::{
    AccountView, MAX_NAME_CHARS, StatementView, amount_text, booking_date, country, currency,
    text_field,
};
use super::error::{ApiError, FieldChecks};
use super::extract::JsonBody;
use super::guard::RequestAudit;
use super::path::{ContributionPath, GroupPath, MemberPath, WithdrawalPath};
use super::query::QueryParams;
use super::views::ListView;
use super::views::RemittanceView;
use super::write::{Idempotent, json_response};
use crate::auth::caller::Caller;
use crate::domain::error::{LedgerError, Rule};
use crate::domain::member::{
    Channel, EventKind, Fund, MemberCorrection, MemberEvent, MemberEventQuery, MemberRecord,
    MemberRef, MemberStatement, MemberStatus, MemberUpdate, NewMember, NewMemberEvent, Sex,
};
use crate::domain::money::format_amount;
use crate::domain::operations::Basis;

/// Longest occupation, contact and receipt number.
pub const MAX_DETAIL_CHARS: usize = 200;
pub const MAX_RECEIPT_CHARS: usize = 64;

fn optional_text(
    pointer: &str,
    text: Option<String>,
    max: usize,
) -> Result<Option<String>, ApiError> {
    match text {
        None => Ok(None),
        Some(t) => {
            let t = text_field(pointer, &t, max, true)?;
            Ok((!t.is_empty()).then_some(t))
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateMember {
    pub name: String,
    #[serde(default)]
    pub sex: Sex,
    #[serde(default, deserialize_with = "optional_year")]
    pub birth_year: Option<i64>,
    pub home_country: String,
    pub host_country: String,
    #[serde(default)]
    pub occupation: Option<String>,
    #[serde(default)]
    pub contact: Option<String>,
    #[serde(
        default,
        deserialize_with = "crate::domain::dates::deserialize_optional"
    )]
    pub joined_on: Option<NaiveDate>,
}

impl CreateMember {
    /// Every wrong field is named at once: a treasurer registering a member at a meeting
    /// corrects the whole form in one go.
    fn parse(self, today: NaiveDate) -> Result<NewMember, ApiError> {
        let mut checks = FieldChecks::default();
        let name = checks.check(text_field("/name", &self.name, MAX_NAME_CHARS, false));
        let birth_year = checks.check(birth_year(self.birth_year, today.year()));
        let home_country = checks.check(country("/home_country", &self.home_country));
        let host_country = checks.check(country("/host_country", &self.host_country));
        let occupation = checks.check(optional_text(
            "/occupation",
            self.occupation,
            MAX_DETAIL_CHARS,
        ));
        let contact = checks.check(optional_text("/contact", self.contact, MAX_DETAIL_CHARS));
        let joined_on = checks.check(booking_date("/joined_on", self.joined_on, today));
        match (
            name,
            birth_year,
            home_country,
            host_country,
            occupation,
            contact,
            joined_on,
        ) {
            (
                Some(name),
                Some(birth_year),
                Some(home_country),
                Some(host_country),
                Some(occupation),
                Some(contact),
                Some(joined_on),
            ) => Ok(NewMember {
                name,
                sex: self.sex,
                birth_year,
                home_country,
                host_country,
                occupation,
                contact,
                joined_on,
            }),
            _ => Err(checks.refusal()),
        }
    }
}

/// A year given as a JSON number. JSON does not tell `1988` from `1988.0`, and JSON Schema
/// counts both as integers, so a number with a zero fraction is taken as the whole number it
/// is; a fraction that is not zero is refused. A number too large for the range check
/// saturates, so it is refused by that check with the field's usual message.
fn optional_year<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    struct Year;
    impl serde::de::Visitor<'_> for Year {
        type Value = i64;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a whole number (a year)")
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<i64, E> {
            Ok(v)
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<i64, E> {
            Ok(i64::try_from(v).unwrap_or(i64::MAX))
        }
        fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<i64, E> {
            if v.is_finite() && v.fract() == 0.0 {
                // `as` saturates at the bounds of i64.
                Ok(v as i64)
            } else {
                Err(E::invalid_value(serde::de::Unexpected::Float(v), &self))
            }
        }
    }
    struct MaybeYear;
    impl<'de> serde::de::Visitor<'de> for MaybeYear {
        type Value = Option<i64>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a whole number (a year) or null")
        }
        fn visit_none<E: serde::de::Error>(self) -> Result<Option<i64>, E> {
            Ok(None)
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Option<i64>, E> {
            Ok(None)
        }
        fn visit_some<D2: serde::Deserializer<'de>>(self, d: D2) -> Result<Option<i64>, D2::Error> {
            d.deserialize_any(Year).map(Some)
        }
    }
    d.deserialize_option(MaybeYear)
}

/// A field that may be absent (unchanged), null (cleared) or a value.
fn double_option<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatchMember {
    #[serde(default, deserialize_with = "double_option")]
    pub occupation: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    pub contact: Option<Option<String>>,
    #[serde(default)]
    pub status: Option<MemberStatus>,
    #[serde(
        default,
        deserialize_with = "crate::domain::dates::deserialize_optional"
    )]
    pub status_on: Option<NaiveDate>,
    /// Corrections of who the member is; each needs `reason`.
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub sex: Option<Sex>,
    #[serde(default, deserialize_with = "double_year")]
    pub birth_year: Option<Option<i64>>,
    #[serde(default)]
    pub home_country: Option<String>,
    #[serde(default)]
    pub host_country: Option<String>,
    #[serde(
        default,
        deserialize_with = "crate::domain::dates::deserialize_optional"
    )]
    pub joined_on: Option<NaiveDate>,
    #[serde(default)]
    pub reason: Option<String>,
}

/// Longest reason given for a correction.
pub const MAX_REASON_CHARS: usize = 500;

/// A year that may be absent (unchanged), null (cleared) or a value.
fn double_year<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
    optional_year(d).map(Some)
}

/// A birth year a member may have: from 1900 to `this_year` (the group's).
fn birth_year(year: Option<i64>, this_year: i32) -> Result<Option<i32>, ApiError> {
    match year {
        None => Ok(None),
        Some(year) => i32::try_from(year)
            .ok()
            .filter(|year| (1900..=this_year).contains(year))
            .map(Some)
            .ok_or_else(|| {
                ApiError::invalid_field(
                    "/birth_year",
                    format!("must be a year from 1900 to {this_year}"),
                )
            }),
    }
}

impl PatchMember {
    /// The correction of who the member is that the patch asks for, if any; a wrong field is
    /// kept in `checks` (and the correction is then never used).
    fn correction(
        &mut self,
        checks: &mut FieldChecks,
        corrected_by: Uuid,
        today: NaiveDate,
    ) -> Option<MemberCorrection> {
        let asked = self.name.is_some()
            || self.sex.is_some()
            || self.birth_year.is_some()
            || self.home_country.is_some()
            || self.host_country.is_some()
            || self.joined_on.is_some();
        if !asked {
            if self.reason.is_some() {
                checks.refuse(ApiError::invalid_field(
                    "/reason",
                    "goes with a correction of name, sex, birth_year, home_country, host_country or joined_on",
                ));
            }
            return None;
        }
        let reason = match self.reason.take() {
            Some(reason) => checks.check(text_field("/reason", &reason, MAX_REASON_CHARS, false)),
            None => {
                checks.refuse(ApiError::invalid_field(
                    "/reason",
                    "is required to correct who a member is: say why (for example \"typo at registration\")",
                ));
                None
            }
        };
        let name = self
            .name
            .take()
            .and_then(|name| checks.check(text_field("/name", &name, MAX_NAME_CHARS, false)));
        let birth_year = self
            .birth_year
            .and_then(|year| checks.check(birth_year(year, today.year())));
        let home_country = self
            .home_country
            .take()
            .and_then(|c| checks.check(country("/home_country", &c)));
        let host_country = self
            .host_country
            .take()
            .and_then(|c| checks.check(country("/host_country", &c)));
        let joined_on = self
            .joined_on
            .and_then(|on| checks.check(booking_date("/joined_on", Some(on), today)));
        Some(MemberCorrection {
            name,
            sex: self.sex,
            birth_year,
            home_country,
            host_country,
            joined_on,
            reason: reason?,
            corrected_by: Some(corrected_by),
        })
    }

    /// The update asked for, or one refusal naming every wrong field.
    fn parse(mut self, corrected_by: Uuid, today: NaiveDate) -> Result<MemberUpdate, ApiError> {
        let mut checks = FieldChecks::default();
        let correction = self.correction(&mut checks, corrected_by, today);
        let status = match (self.status, self.status_on) {
            (None, None) => None,
            (None, Some(_)) => {
                checks.refuse(ApiError::invalid_field("/status_on", "goes with a status"));
                None
            }
            (Some(_), None) => {
                checks.refuse(ApiError::invalid_field(
                    "/status_on",
                    "is required with a status",
                ));
                None
            }
            (Some(status), Some(on)) => checks
                .check(booking_date("/status_on", Some(on), today))
                .map(|on| (status, on)),
        };
        let occupation = self
            .occupation
            .and_then(|inner| checks.check(optional_text("/occupation", inner, MAX_DETAIL_CHARS)));
        let contact = self
            .contact
            .and_then(|inner| checks.check(optional_text("/contact", inner, MAX_DETAIL_CHARS)));
        if !checks.passed() {
            return Err(checks.refusal());
        }
        Ok(MemberUpdate {
            occupation,
            contact,
            status,
            correction,
        })
    }
}

#[derive(Debug, Serialize)]
pub struct MemberAccountsView {
    pub savings: AccountView,
    pub capital: AccountView,
}

#[derive(Debug, Serialize)]
pub struct MemberView {
    pub id: Uuid,
    pub group_id: Uuid,
    pub number: i64,
    pub name: String,
    pub sex: Sex,
    pub birth_year: Option<i32>,
    pub home_country: String,
    pub host_country: String,
    pub occupation: Option<String>,
    pub contact: Option<String>,
    pub joined_on: NaiveDate,
    pub status: MemberStatus,
    pub status_on: Option<NaiveDate>,
    pub accounts: MemberAccountsView,
    /// Her savings, capital and what the group owes her, per currency, as her accounts stand.
    pub position: Vec<super::reports::BalanceView>,
    pub created_at: DateTime<Utc>,
}

impl MemberView {
    pub fn of(r: &MemberRecord) -> Self {
        let m = &r.member;
        MemberView {
            id: m.id,
            group_id: m.group_id,
            number: m.number,
            name: m.name.clone(),
            sex: m.sex,
            birth_year: m.birth_year,
            home_country: m.home_country.clone(),
            host_country: m.host_country.clone(),
            occupation: m.occupation.clone(),
            contact: m.contact.clone(),
            joined_on: m.joined_on,
            status: m.status,
            status_on: m.status_on,
            accounts: MemberAccountsView {
                savings: AccountView::of(&r.savings),
                capital: AccountView::of(&r.capital),
            },
            position: crate::domain::position::MemberPosition::current(r.savings.currency, r)
                .lines
                .iter()
                .map(super::reports::BalanceView::of)
                .collect(),
            created_at: m.created_at,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct MemberStatementView {
    pub member: MemberView,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub accounts: Vec<StatementView>,
    pub current_balance: String,
    /// What the member may draw at will in her savings' currency: savings and payables.
    pub available_balance: String,
    /// Her savings, capital and what the group owes her, per currency, as they stand.
    pub position: Vec<super::reports::BalanceView>,
    /// The group's distribution basis, by which investment shares are counted.
    pub distribution_basis: Basis,
    pub investments: Vec<InvestmentShareView>,
    /// Every remittance the member sent, with its cost (not limited to `from`..`to`).
    pub remittances: Vec<RemittanceView>,
}

/// The member's share of one investment's book value, on the group's basis today.
#[derive(Debug, Serialize)]
pub struct InvestmentShareView {
    pub investment_id: Uuid,
    pub name: String,
    pub kind: crate::domain::operations::InvestmentKind,
    pub status: crate::domain::operations::InvestmentStatus,
    pub currency: String,
    pub book_value: String,
    pub member_share: String,
}

impl MemberStatementView {
    fn of(s: &MemberStatement) -> Self {
        let holdings = &s.holdings;
        let savings = &s.record.savings;
        let balance = crate::domain::account::normal_balance(
            savings.kind,
            savings.debits_minor,
            savings.credits_minor,
        )
        .unwrap_or(0);
        MemberStatementView {
            member: MemberView::of(&s.record),
            from: s.savings.from,
            to: s.savings.to,
            accounts: vec![StatementView::of(&s.savings), StatementView::of(&s.capital)],
            current_balance: format_amount(balance, savings.currency),
            available_balance: format_amount(
                holdings.position.available(savings.currency),
                savings.currency,
            ),
            position: holdings
                .position
                .lines
                .iter()
                .map(super::reports::BalanceView::of)
                .collect(),
            distribution_basis: holdings.basis,
            investments: holdings
                .investments
                .iter()
                .map(|(r, share)| InvestmentShareView {
                    investment_id: r.investment.id,
                    name: r.investment.name.clone(),
                    kind: r.investment.kind,
                    status: r.investment.status,
                    currency: r.investment.currency.code().to_string(),
                    book_value: format_amount(r.figures.book_value, r.investment.currency),
                    member_share: format_amount(*share, r.investment.currency),
                })
                .collect(),
            remittances: holdings
                .remittances
                .iter()
                .map(RemittanceView::of)
                .collect(),
        }
    }
}

pub async fn create(
    State(state): State<AppState>,
    GroupPath { group_id }: GroupPath,
    idempotent: Idempotent,
    body: JsonBody<CreateMember>,
) -> Result<Response, ApiError> {
    let today = state.today(group_id).await?;
    let member = body.value.parse(today)?;
    let write = idempotent.prepare(group_id, &body.canonical, MemberView::of)?;
    write.respond(
        state
            .store
            .create_member(group_id, member, write.idempotency())
            .await,
    )
}

pub async fn list(
    State(state): State<AppState>,
    GroupPath { group_id }: GroupPath,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = QueryParams::parse(raw.as_deref(), &["limit", "cursor"])?;
    let limit = params.limit()?;
    let after = params.id_cursor("m")?;
    let members = state.store.list_members(group_id, after, limit + 1).await?;
    let id = |m: &MemberRecord| m.member.id.to_string();
    Ok(ListView::overread(members, limit, "m", id, MemberView::of).response())
}

/// The ids the members named by `refs` have in `group_id`, in order: an id as it is, a number
/// looked up (one read for all). `None` where no member of the group has the number.
pub async fn member_ids(
    state: &AppState,
    group_id: Uuid,
    refs: &[MemberRef],
) -> Result<Vec<Option<Uuid>>, ApiError> {
    let numbers: Vec<i64> = refs
        .iter()
        .filter_map(|r| match r {
            MemberRef::Number(n) => Some(*n),
            MemberRef::Id(_) => None,
        })
        .collect();
    let found = if numbers.is_empty() {
        Vec::new()
    } else {
        state.store.member_ids_by_number(group_id, &numbers).await?
    };
    Ok(refs
        .iter()
        .map(|r| match r {
            MemberRef::Id(id) => Some(*id),
            MemberRef::Number(n) => found.iter().find(|(k, _)| k == n).map(|(_, id)| *id),
        })
        .collect())
}

/// The id of the member a request body names at `pointer`: a number no member has is refused
/// like an id no member has.
pub async fn member_in_body(
    state: &AppState,
    group_id: Uuid,
    reference: MemberRef,
    pointer: &str,
) -> Result<Uuid, ApiError> {
    let found = member_ids(state, group_id, &[reference]).await?;
    match (found.first().copied().flatten(), reference) {
        (Some(id), _) => Ok(id),
        (None, MemberRef::Number(n)) => Err(LedgerError::rule(
            Rule::UnknownMember,
            Some(pointer.to_string()),
            format!("no member of this group has number {n}"),
        )
        .into()),
        (None, MemberRef::Id(id)) => Ok(id),
    }
}

/// The member a list's `member_id` filter names, by id or number. A number no member has
/// names no one, so nothing is listed (as for an id no member has).
pub async fn member_in_query(
    state: &AppState,
    group_id: Uuid,
    text: &str,
) -> Result<Uuid, ApiError> {
    let reference = MemberRef::parse(text).ok_or_else(|| {
        ApiError::invalid_parameter("member_id", format!("must be {}", MemberRef::EXPECTED))
    })?;
    let found = member_ids(state, group_id, &[reference]).await?;
    Ok(found.first().copied().flatten().unwrap_or(Uuid::nil()))
}

/// The member a `/members/{member_id}` path names, by id or number, as an id.
pub async fn member_path(state: &AppState, path: &MemberPath) -> Result<(Uuid, Uuid), ApiError> {
    match member_ids(state, path.group_id, &[path.member_id])
        .await?
        .first()
        .copied()
        .flatten()
    {
        Some(id) => Ok((path.group_id, id)),
        None => Err(ApiError::not_found("member")),
    }
}

pub async fn get(
    State(state): State<AppState>,
    path: MemberPath,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    QueryParams::parse(raw.as_deref(), &[])?;
    let (group_id, member_id) = member_path(&state, &path).await?;
    let record = state.store.get_member(group_id, member_id).await?;
    Ok(json_response(StatusCode::OK, &MemberView::of(&record)))
}

pub async fn update(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    path: MemberPath,
    body: JsonBody<PatchMember>,
) -> Result<Response, ApiError> {
    let (group_id, member_id) = member_path(&state, &path).await?;
    let today = state.today(group_id).await?;
    let update = body.value.parse(caller.id(), today)?;
    let record = state
        .store
        .update_member(group_id, member_id, update)
        .await?;
    Ok(json_response(StatusCode::OK, &MemberView::of(&record)))
}

/// A correction of a member's record as the API shows it.
#[derive(Debug, Serialize)]
pub struct MemberCorrectionView {
    pub id: Uuid,
    pub member_id: Uuid,
    pub corrected_at: DateTime<Utc>,
    pub corrected_by: Option<Uuid>,
    pub reason: String,
    pub changes: Vec<crate::domain::member::FieldChange>,
}

pub async fn corrections(
    State(state): State<AppState>,
    path: MemberPath,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    QueryParams::parse(raw.as_deref(), &[])?;
    let (group_id, member_id) = member_path(&state, &path).await?;
    let kept = state
        .store
        .list_member_corrections(group_id, member_id)
        .await?;
    let items = kept
        .into_iter()
        .map(|c| MemberCorrectionView {
            id: c.id,
            member_id: c.member_id,
            corrected_at: c.corrected_at,
            corrected_by: c.corrected_by,
            reason: c.reason,
            changes: c.changes,
        })
        .collect();
    Ok(ListView::all(items).response())
}

pub async fn statement(
    State(state): State<AppState>,
    path: MemberPath,
    headers: axum::http::HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let (group_id, member_id) = member_path(&state, &path).await?;
    let params = QueryParams::parse(raw.as_deref(), &["from", "to", "format"])?;
    // A printable page for members without an app, or to hand to a bank at home: asked for
    // with `format=html`, or by a browser (`Accept` naming text/html first).
    let browser = headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .and_then(|accept| accept.split(',').next())
        .is_some_and(|first| first.trim().to_ascii_lowercase().starts_with("text/html"));
    let format = match params.text("format") {
        Some("html") => None,
        None if browser => None,
        Some(_) | None => Some(
            super::report::negotiate(&params, &headers)
                .map_err(|_| ApiError::invalid_parameter("format", "must be json, csv or html"))?,
        ),
    };
    let (from, to) = params.date_range()?;
    let statement = state
        .store
        .member_statement(group_id, member_id, from, to)
        .await?;
    let view = MemberStatementView::of(&statement);
    match format {
        None => Ok(super::statement_page::html_response(&view)),
        Some(format) => Ok(super::report::respond(
            format,
            &view,
            || super::statement_page::table(&view),
            &format!("statement-{member_id}"),
        )),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateContribution {
    pub member_id: MemberRef,
    pub amount: String,
    #[serde(default)]
    pub currency: Option<String>,
    pub fund: Fund,
    pub channel: Channel,
    #[serde(
        default,
        deserialize_with = "crate::domain::dates::deserialize_optional"
    )]
    pub booked_on: Option<NaiveDate>,
    #[serde(default)]
    pub receipt_no: Option<String>,
}

/// Withdrawals come out of savings, the only fund a member may draw on at will.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WithdrawFrom {
    Savings,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateWithdrawal {
    pub member_id: MemberRef,
    pub amount: String,
    pub from: WithdrawFrom,
    pub channel: Channel,
    #[serde(
        default,
        deserialize_with = "crate::domain::dates::deserialize_optional"
    )]
    pub booked_on: Option<NaiveDate>,
}

#[derive(Debug, Serialize)]
pub struct ContributionView {
    pub id: Uuid,
    pub group_id: Uuid,
    pub member_id: Uuid,
    pub amount: String,
    pub currency: String,
    pub fund: Fund,
    pub channel: Channel,
    pub booked_on: NaiveDate,
    pub receipt_no: Option<String>,
    pub transaction_id: Uuid,
    /// The transaction that reversed this record's, if it was corrected away.
    pub reversed_by: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl ContributionView {
    pub fn of(e: &MemberEvent) -> Self {
        ContributionView {
            id: e.id,
            group_id: e.group_id,
            member_id: e.member_id,
            amount: format_amount(e.amount_minor, e.currency),
            currency: e.currency.code().to_string(),
            fund: e.fund,
            channel: e.channel,
            booked_on: e.booked_on,
            receipt_no: e.receipt_no.clone(),
            transaction_id: e.transaction_id,
            reversed_by: e.reversed_by,
            created_by: e.created_by,
            created_at: e.created_at,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct WithdrawalView {
    pub id: Uuid,
    pub group_id: Uuid,
    pub member_id: Uuid,
    pub amount: String,
    pub currency: String,
    pub from: &'static str,
    pub channel: Channel,
    pub booked_on: NaiveDate,
    pub transaction_id: Uuid,
    /// The transaction that reversed this record's, if it was corrected away.
    pub reversed_by: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl WithdrawalView {
    pub fn of(e: &MemberEvent) -> Self {
        WithdrawalView {
            id: e.id,
            group_id: e.group_id,
            member_id: e.member_id,
            amount: format_amount(e.amount_minor, e.currency),
            currency: e.currency.code().to_string(),
            from: "savings",
            channel: e.channel,
            booked_on: e.booked_on,
            transaction_id: e.transaction_id,
            reversed_by: e.reversed_by,
            created_by: e.created_by,
            created_at: e.created_at,
        }
    }
}

pub async fn contribute(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    GroupPath { group_id }: GroupPath,
    idempotent: Idempotent,
    audit: RequestAudit,
    body: JsonBody<CreateContribution>,
) -> Result<Response, ApiError> {
    idempotent.require_key()?;
    let today = state.today(group_id).await?;
    let c = body.value;
    // Every wrong field at once, before the member is looked up.
    let mut checks = FieldChecks::default();
    let amount = checks.check(amount_text("/amount", &c.amount, true));
    let event_currency = checks.check(
        c.currency
            .as_deref()
            .map(|code| currency("/currency", code))
            .transpose(),
    );
    let booked_on = checks.check(booking_date("/booked_on", c.booked_on, today));
    let receipt_no = checks.check(optional_text(
        "/receipt_no",
        c.receipt_no,
        MAX_RECEIPT_CHARS,
    ));
    let (Some(()), Some(event_currency), Some(booked_on), Some(receipt_no)) =
        (amount, event_currency, booked_on, receipt_no)
    else {
        return Err(checks.refusal());
    };
    let member_id = member_in_body(&state, group_id, c.member_id, "/member_id").await?;
    let event = NewMemberEvent {
        kind: EventKind::Contribution,
        member_id,
        amount: c.amount,
        currency: event_currency,
        fund: c.fund,
        channel: c.channel,
        booked_on,
        receipt_no,
        created_by: Some(caller.id()),
        // Written with the contribution, in its commit, when it is written with others.
        audit: audit.slot.as_ref().and_then(|slot| slot.draft()),
    };
    let write = idempotent.prepare(group_id, &body.canonical, ContributionView::of)?;
    write.respond(
        state
            .store
            .record_member_event(group_id, event, write.idempotency())
            .await,
    )
}

pub async fn withdraw(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    GroupPath { group_id }: GroupPath,
    idempotent: Idempotent,
    audit: RequestAudit,
    body: JsonBody<CreateWithdrawal>,
) -> Result<Response, ApiError> {
    idempotent.require_key()?;
    let today = state.today(group_id).await?;
    let w = body.value;
    let WithdrawFrom::Savings = w.from;
    // Every wrong field at once, before the member is looked up.
    let mut checks = FieldChecks::default();
    let amount = checks.check(amount_text("/amount", &w.amount, true));
    let booked_on = checks.check(booking_date("/booked_on", w.booked_on, today));
    let (Some(()), Some(booked_on)) = (amount, booked_on) else {
        return Err(checks.refusal());
    };
    let member_id = member_in_body(&state, group_id, w.member_id, "/member_id").await?;
    let event = NewMemberEvent {
        kind: EventKind::Withdrawal,
        member_id,
        amount: w.amount,
        currency: None,
        fund: Fund::Savings,
        channel: w.channel,
        booked_on,
        receipt_no: None,
        created_by: Some(caller.id()),
        // Written with the withdrawal, in its commit, when it is written with others.
        audit: audit.slot.as_ref().and_then(|slot| slot.draft()),
    };
    let write = idempotent.prepare(group_id, &body.canonical, WithdrawalView::of)?;
    write.respond(
        state
            .store
            .record_member_event(group_id, event, write.idempotency())
            .await,
    )
}

async fn list_events<V: Serialize>(
    state: &AppState,
    group_id: Uuid,
    raw: Option<&str>,
    kind: EventKind,
    view: fn(&MemberEvent) -> V,
) -> Result<Response, ApiError> {
    let params = QueryParams::parse(
        raw,
        &[
            "member_id",
            "from",
            "to",
            "limit",
            "cursor",
            "include_reversed",
        ],
    )?;
    let member_id = match params.text("member_id") {
        None => None,
        Some(t) => Some(member_in_query(state, group_id, t).await?),
    };
    let (from, to) = params.date_range()?;
    let tag = &kind.as_str()[..1];
    let query = MemberEventQuery {
        kind,
        include_reversed: params.include_reversed()?,
        member_id,
        from,
        to,
        after: params.id_cursor(tag)?,
        limit: params.limit()?,
    };
    let page = state.store.list_member_events(group_id, query).await?;
    Ok(ListView::page(&page, tag, |e| e.id.to_string(), view).response())
}

pub async fn list_contributions(
    State(state): State<AppState>,
    GroupPath { group_id }: GroupPath,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let kind = EventKind::Contribution;
    list_events(&state, group_id, raw.as_deref(), kind, ContributionView::of).await
}

pub async fn list_withdrawals(
    State(state): State<AppState>,
    GroupPath { group_id }: GroupPath,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let kind = EventKind::Withdrawal;
    list_events(&state, group_id, raw.as_deref(), kind, WithdrawalView::of).await
}

async fn one_event(
    state: &AppState,
    group_id: Uuid,
    event_id: Uuid,
    raw: Option<&str>,
    kind: EventKind,
) -> Result<MemberEvent, ApiError> {
    QueryParams::parse(raw, &[])?;
    Ok(state
        .store
        .get_member_event(group_id, kind, event_id)
        .await?)
}

pub async fn get_contribution(
    State(state): State<AppState>,
    ContributionPath {
        group_id,
        contribution_id,
    }: ContributionPath,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let event = one_event(
        &state,
        group_id,
        contribution_id,
        raw.as_deref(),
        EventKind::Contribution,
    )
    .await?;
    Ok(json_response(StatusCode::OK, &ContributionView::of(&event)))
}

pub async fn get_withdrawal(
    State(state): State<AppState>,
    WithdrawalPath {
        group_id,
        withdrawal_id,
    }: WithdrawalPath,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let event = one_event(
        &state,
        group_id,
        withdrawal_id,
        raw.as_deref(),
        EventKind::Withdrawal,
    )
    .await?;
    Ok(json_response(StatusCode::OK, &WithdrawalView::of(&event)))
}
