//! `/v1/groups/{group_id}/meetings`: a whole meeting recorded at once, as JSON or as CSV from a
//! treasurer's spreadsheet. Every event is written, or none; a refusal lists every failing
//! item.
//!
//! CSV: a header row, then one row per event, with the columns `type` (`contribution`,
//! `withdrawal` or `attendance`), `member_id`, `amount`, `currency`, `fund`, `channel` and
//! `receipt_no`, in any order; empty cells are absent fields. The meeting's date and note come
//! from the query (`held_on`, `note`). A CSV is read into the same request as the JSON form,
//! so both are checked alike; problems point at `/rows/<line>/<column>`, where line 1 is the
//! header.

use axum::Extension;
use axum::extract::{RawQuery, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;

use super::AppState;
use crate::auth::caller::Caller;
use crate::domain::error::{LedgerError, Rule};
use crate::domain::member::{Channel, EventKind, Fund, MemberRef, NewMeeting, NewMemberEvent};
use crate::http::dto::{MAX_DESCRIPTION_CHARS, booking_date, currency, text_field};
use crate::http::error::{ApiError, FieldChecks};
use crate::http::extract::{JsonBody, read_body};
use crate::http::members::MAX_RECEIPT_CHARS;
use crate::http::path::{GroupPath, MeetingPath};
use crate::http::query::QueryParams;
use crate::http::views::{ListView, MeetingView};
use crate::http::write::{Idempotent, json_response};

mod sheet;

pub use sheet::MeetingSheet;
use sheet::{in_rows, is_csv};

/// Most events, and most names on the attendance list, in one meeting.
pub const MAX_MEETING_EVENTS: usize = 500;
pub const MAX_ATTENDANCE: usize = 500;
/// The CSV columns, in the order the documentation gives them.
pub const CSV_COLUMNS: [&str; 7] = [
    "type",
    "member_id",
    "amount",
    "currency",
    "fund",
    "channel",
    "receipt_no",
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateMeeting {
    #[serde(
        default,
        deserialize_with = "crate::domain::dates::deserialize_optional"
    )]
    pub held_on: Option<NaiveDate>,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub attendance: Vec<MemberRef>,
    #[serde(default)]
    pub events: Vec<MeetingEvent>,
}

/// One event of a meeting: the fields of a contribution or a withdrawal, with its `type`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeetingEvent {
    #[serde(rename = "type")]
    pub kind: MeetingEventKind,
    pub member_id: MemberRef,
    pub amount: String,
    #[serde(default)]
    pub currency: Option<String>,
    /// Contributions only; withdrawals come out of savings.
    #[serde(default)]
    pub fund: Option<Fund>,
    pub channel: Channel,
    #[serde(default)]
    pub receipt_no: Option<String>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeetingEventKind {
    Contribution,
    Withdrawal,
}

impl CreateMeeting {
    /// The member numbers the meeting names (attendance and events), to look up at once.
    fn member_numbers(&self) -> Vec<i64> {
        let named = self
            .attendance
            .iter()
            .chain(self.events.iter().map(|e| &e.member_id));
        named
            .filter_map(|r| match r {
                MemberRef::Number(n) => Some(*n),
                MemberRef::Id(_) => None,
            })
            .collect()
    }

    /// Reads the meeting; `directory` holds the ids of the members it names by number.
    /// The meeting is held on `today` (the group's) unless it names its date.
    fn parse(
        self,
        created_by: Uuid,
        directory: &[(i64, Uuid)],
        today: NaiveDate,
    ) -> Result<NewMeeting, ApiError> {
        // Every wrong field of every item at once.
        let mut checks = FieldChecks::items();
        let held_on = checks.check(booking_date("/held_on", self.held_on, today));
        let note = checks.check(optional_text("/note", self.note, MAX_DESCRIPTION_CHARS));
        let (names_fit, events_fit) =
            check_sizes(&mut checks, self.attendance.len(), self.events.len());
        let attendance = if names_fit {
            read_attendance(&mut checks, &self.attendance, directory)
        } else {
            Vec::new()
        };
        // Past a limit, the list's items are not read one by one.
        let items = if events_fit { self.events } else { Vec::new() };
        let booked_on = held_on.unwrap_or(today);
        let events: Vec<NewMemberEvent> = items
            .into_iter()
            .enumerate()
            .filter_map(|(i, e)| e.read(i, &mut checks, directory, booked_on, created_by))
            .collect();
        let (Some(held_on), Some(note), true) = (held_on, note, checks.passed()) else {
            return Err(checks.refusal());
        };
        Ok(NewMeeting {
            held_on,
            note,
            attendance,
            events,
            created_by: Some(created_by),
        })
    }
}

impl MeetingEvent {
    /// Reads the meeting's event `i`, keeping every refusal in `checks`; the event when
    /// all its fields are right.
    fn read(
        self,
        i: usize,
        checks: &mut FieldChecks,
        directory: &[(i64, Uuid)],
        booked_on: NaiveDate,
        created_by: Uuid,
    ) -> Option<NewMemberEvent> {
        let at = |field: &str| format!("/events/{i}/{field}");
        let kind = self.kind_and_fund(checks, &at);
        let member_id = checks.check(resolve(directory, self.member_id, at("member_id")));
        let event_currency = checks.check(
            self.currency
                .as_deref()
                .map(|c| currency(&at("currency"), c))
                .transpose(),
        );
        let receipt_no = checks.check(optional_text(
            &at("receipt_no"),
            self.receipt_no,
            MAX_RECEIPT_CHARS,
        ));
        let (kind, fund) = kind?;
        Some(NewMemberEvent {
            kind,
            member_id: member_id?,
            amount: self.amount,
            currency: event_currency?,
            fund,
            channel: self.channel,
            booked_on,
            receipt_no: receipt_no?,
            created_by: Some(created_by),
            audit: None,
        })
    }

    /// The event's kind and fund: a contribution names its fund, a withdrawal comes out of
    /// savings in the member's savings currency and carries no receipt.
    fn kind_and_fund(
        &self,
        checks: &mut FieldChecks,
        at: &dyn Fn(&str) -> String,
    ) -> Option<(EventKind, Fund)> {
        let kind = match (self.kind, self.fund) {
            (MeetingEventKind::Contribution, Some(fund)) => Some((EventKind::Contribution, fund)),
            (MeetingEventKind::Contribution, None) => {
                checks.refuse(ApiError::invalid_field(
                    at("fund"),
                    "a contribution names its fund",
                ));
                None
            }
            (MeetingEventKind::Withdrawal, None | Some(Fund::Savings)) => {
                Some((EventKind::Withdrawal, Fund::Savings))
            }
            (MeetingEventKind::Withdrawal, Some(_)) => {
                checks.refuse(ApiError::invalid_field(
                    at("fund"),
                    "withdrawals come out of savings",
                ));
                None
            }
        };
        if matches!(self.kind, MeetingEventKind::Withdrawal) {
            for (given, field) in [
                (self.currency.is_some(), "currency"),
                (self.receipt_no.is_some(), "receipt_no"),
            ] {
                if given {
                    checks.refuse(ApiError::invalid_field(
                        at(field),
                        "withdrawals are in the member's savings currency and carry no receipt",
                    ));
                }
            }
        }
        kind
    }
}

/// The id of a member named by id or by number (`directory` holds the numbers' ids).
fn resolve(
    directory: &[(i64, Uuid)],
    reference: MemberRef,
    pointer: String,
) -> Result<Uuid, ApiError> {
    match reference {
        MemberRef::Id(id) => Ok(id),
        MemberRef::Number(n) => directory
            .iter()
            .find(|(k, _)| *k == n)
            .map(|(_, id)| *id)
            .ok_or_else(|| {
                LedgerError::rule(
                    Rule::UnknownMember,
                    Some(pointer),
                    format!("no member of this group has number {n}"),
                )
                .into()
            }),
    }
}

/// An optional text field, trimmed; absent when empty.
fn optional_text(
    pointer: &str,
    text: Option<String>,
    max_chars: usize,
) -> Result<Option<String>, ApiError> {
    match text {
        None => Ok(None),
        Some(t) => text_field(pointer, &t, max_chars, true).map(|t| (!t.is_empty()).then_some(t)),
    }
}

/// Refuses a meeting with nothing in it, or more names or events than allowed; whether
/// the attendance list and the events are each within their limit.
fn check_sizes(checks: &mut FieldChecks, names: usize, events: usize) -> (bool, bool) {
    if events == 0 && names == 0 {
        checks.refuse(ApiError::invalid_field(
            "/events",
            "a meeting records at least one event or one member's attendance",
        ));
    }
    let too_many_events = events > MAX_MEETING_EVENTS;
    if too_many_events {
        checks.refuse(ApiError::invalid_field(
            "/events",
            format!("at most {MAX_MEETING_EVENTS} events per meeting"),
        ));
    }
    let too_many_names = names > MAX_ATTENDANCE;
    if too_many_names {
        checks.refuse(ApiError::invalid_field(
            "/attendance",
            format!("at most {MAX_ATTENDANCE} members per meeting"),
        ));
    }
    (!too_many_names, !too_many_events)
}

/// The ids of the members present, each once.
fn read_attendance(
    checks: &mut FieldChecks,
    names: &[MemberRef],
    directory: &[(i64, Uuid)],
) -> Vec<Uuid> {
    let mut attendance = Vec::with_capacity(names.len());
    for (i, r) in names.iter().enumerate() {
        let Some(id) = checks.check(resolve(directory, *r, format!("/attendance/{i}"))) else {
            continue;
        };
        if attendance.contains(&id) {
            checks.refuse(ApiError::invalid_field(
                format!("/attendance/{i}"),
                "is listed twice",
            ));
        }
        attendance.push(id);
    }
    attendance
}

/// The ids of the members a meeting names by number (one read, none if it names none).
async fn directory(
    state: &AppState,
    group_id: Uuid,
    request: &CreateMeeting,
) -> Result<Vec<(i64, Uuid)>, ApiError> {
    let numbers = request.member_numbers();
    if numbers.is_empty() {
        return Ok(Vec::new());
    }
    Ok(state.store.member_ids_by_number(group_id, &numbers).await?)
}

pub async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    GroupPath { group_id }: GroupPath,
    idempotent: Idempotent,
    RawQuery(raw): RawQuery,
    request: Request,
) -> Result<Response, ApiError> {
    idempotent.require_key()?;
    let today = state.today(group_id).await?;
    let limit = state.meeting_body_limit_bytes;
    let (meeting, canonical, csv) = if is_csv(&request) {
        let params = QueryParams::parse(raw.as_deref(), &["held_on", "note"])?;
        let bytes = read_body(request, limit, state.body_read_timeout)
            .await
            .map_err(|mut e| {
                if e.status == StatusCode::PAYLOAD_TOO_LARGE {
                    e.detail = format!("meeting bodies are limited to {limit} bytes");
                }
                e
            })?;
        let (request, canonical, csv) =
            MeetingSheet::request(&bytes, params.text("held_on"), params.text("note"))?;
        let directory = directory(&state, group_id, &request).await?;
        let meeting = csv.judge(request.parse(caller.id(), &directory, today))?;
        (meeting, canonical, Some(csv))
    } else {
        QueryParams::parse(raw.as_deref(), &[])?;
        let body = JsonBody::<CreateMeeting>::with_limit(request, limit, state.body_read_timeout)
            .await
            .map_err(|mut e| {
                if e.status == StatusCode::UNSUPPORTED_MEDIA_TYPE {
                    e.detail = "send the meeting with Content-Type: application/json, or as a sheet with Content-Type: text/csv".into();
                }
                e
            })?;
        let directory = directory(&state, group_id, &body.value).await?;
        (
            body.value.parse(caller.id(), &directory, today)?,
            body.canonical,
            None,
        )
    };
    let signer = state.signer.clone();
    let write = idempotent.prepare(
        group_id,
        &canonical,
        move |m: &crate::domain::member::Meeting| MeetingView::of(m, &signer),
    )?;
    write
        .respond(
            state
                .store
                .record_meeting(group_id, meeting, write.idempotency())
                .await,
        )
        .map_err(|e| match &csv {
            Some(csv) => in_rows(e, csv),
            None => e,
        })
}

pub async fn list(
    State(state): State<AppState>,
    GroupPath { group_id }: GroupPath,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = QueryParams::parse(raw.as_deref(), &["limit", "cursor"])?;
    let after = params.id_cursor("g")?;
    let page = state
        .store
        .list_meetings(group_id, after, params.limit()?)
        .await?;
    let view = |m: &crate::domain::member::Meeting| MeetingView::of(m, &state.signer);
    Ok(ListView::page(&page, "g", |m| m.id.to_string(), view).response())
}

pub async fn get(
    State(state): State<AppState>,
    MeetingPath {
        group_id,
        meeting_id,
    }: MeetingPath,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    QueryParams::parse(raw.as_deref(), &[])?;
    let meeting = state.store.get_meeting(group_id, meeting_id).await?;
    Ok(json_response(
        StatusCode::OK,
        &MeetingView::of(&meeting, &state.signer),
    ))
}
