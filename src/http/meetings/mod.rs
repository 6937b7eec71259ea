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
        let resolve = |reference: MemberRef, pointer: String| -> Result<Uuid, ApiError> {
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
        };
        // Every wrong field of every item at once.
        let mut checks = FieldChecks::items();
        let held_on = checks.check(booking_date("/held_on", self.held_on, today));
        let note = checks.check(match self.note {
            None => Ok(None),
            Some(n) => text_field("/note", &n, MAX_DESCRIPTION_CHARS, true)
                .map(|n| (!n.is_empty()).then_some(n)),
        });
        if self.events.is_empty() && self.attendance.is_empty() {
            checks.refuse(ApiError::invalid_field(
                "/events",
                "a meeting records at least one event or one member's attendance",
            ));
        }
        // Past a limit, the list's items are not read one by one.
        let too_many_events = self.events.len() > MAX_MEETING_EVENTS;
        if too_many_events {
            checks.refuse(ApiError::invalid_field(
                "/events",
                format!("at most {MAX_MEETING_EVENTS} events per meeting"),
            ));
        }
        let too_many_names = self.attendance.len() > MAX_ATTENDANCE;
        if too_many_names {
            checks.refuse(ApiError::invalid_field(
                "/attendance",
                format!("at most {MAX_ATTENDANCE} members per meeting"),
            ));
        }
        let mut attendance = Vec::with_capacity(self.attendance.len());
        if !too_many_names {
            for (i, r) in self.attendance.iter().enumerate() {
                let Some(id) = checks.check(resolve(*r, format!("/attendance/{i}"))) else {
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
        }
        let mut events = Vec::with_capacity(self.events.len());
        let items = if too_many_events {
            Vec::new()
        } else {
            self.events
        };
        for (i, e) in items.into_iter().enumerate() {
            let at = |field: &str| format!("/events/{i}/{field}");
            let kind = match (e.kind, e.fund) {
                (MeetingEventKind::Contribution, Some(fund)) => {
                    Some((EventKind::Contribution, fund))
                }
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
            if matches!(e.kind, MeetingEventKind::Withdrawal) {
                for (given, field) in [
                    (e.currency.is_some(), "currency"),
                    (e.receipt_no.is_some(), "receipt_no"),
                ] {
                    if given {
                        checks.refuse(ApiError::invalid_field(
                            at(field),
                            "withdrawals are in the member's savings currency and carry no receipt",
                        ));
                    }
                }
            }
            let member_id = checks.check(resolve(e.member_id, at("member_id")));
            let event_currency = checks.check(
                e.currency
                    .as_deref()
                    .map(|c| currency(&at("currency"), c))
                    .transpose(),
            );
            let receipt_no = checks.check(match e.receipt_no {
                None => Ok(None),
                Some(r) => text_field(&at("receipt_no"), &r, MAX_RECEIPT_CHARS, true)
                    .map(|r| (!r.is_empty()).then_some(r)),
            });
            if let (Some((kind, fund)), Some(member_id), Some(event_currency), Some(receipt_no)) =
                (kind, member_id, event_currency, receipt_no)
            {
                events.push(NewMemberEvent {
                    kind,
                    member_id,
                    amount: e.amount,
                    currency: event_currency,
                    fund,
                    channel: e.channel,
                    booked_on: held_on.unwrap_or(today),
                    receipt_no,
                    created_by: Some(created_by),
                    audit: None,
                });
            }
        }
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
