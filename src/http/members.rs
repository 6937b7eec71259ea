//! `/v1/groups/{group_id}/members`: who belongs to a group, her record and its corrections,
//! and her statement; and how requests name a member, by id or by number.

use axum::Extension;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use uuid::Uuid;

use super::AppState;
use super::dto::{MAX_NAME_CHARS, booking_date, country, text_field};
use super::error::{ApiError, FieldChecks};
use super::extract::JsonBody;
use super::path::{GroupPath, MemberPath};
use super::query::QueryParams;
use super::views::*;
use super::write::{Idempotent, json_response};
use crate::auth::caller::Caller;
use crate::domain::error::{LedgerError, Rule};
use crate::domain::member::{
    MemberCorrection, MemberRecord, MemberRef, MemberStatus, MemberUpdate, NewMember, Sex,
};

/// Longest occupation, contact and receipt number.
pub const MAX_DETAIL_CHARS: usize = 200;
pub const MAX_RECEIPT_CHARS: usize = 64;

pub fn optional_text(
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
    #[serde(default, deserialize_with = "optional_whole_number")]
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

/// A whole number (a year, an event's number) given as a JSON number. JSON does not tell
/// `1988` from `1988.0`, and JSON Schema counts both as integers, so a number with a zero
/// fraction is taken as the whole number it is; a fraction that is not zero is refused. A
/// number too large for the range check saturates, so it is refused by that check with the
/// field's usual message.
pub(crate) fn optional_whole_number<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<i64>, D::Error> {
    struct Year;
    impl serde::de::Visitor<'_> for Year {
        type Value = i64;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a whole number")
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
            f.write_str("a whole number or null")
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
    optional_whole_number(d).map(Some)
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
    let view = MemberStatementView::of(&statement, &state.signer);
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
