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
use axum::http::{StatusCode, header};
use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::AppState;
use super::dto::{MAX_DESCRIPTION_CHARS, booking_date, currency, text_field};
use super::error::{ApiError, FieldChecks, ProblemField};
use super::extract::{JsonBody, from_value, read_body};
use super::members::MAX_RECEIPT_CHARS;
use super::path::{GroupPath, MeetingPath};
use super::query::QueryParams;
use super::views::ListView;
use super::views::{ContributionView, WithdrawalView};
use super::write::{Idempotent, json_response};
use crate::auth::caller::Caller;
use crate::domain::canonical::to_canonical_string;
use crate::domain::error::{LedgerError, Rule};
use crate::domain::member::{
    Channel, EventKind, Fund, Meeting, MemberRef, NewMeeting, NewMemberEvent,
};

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

/// A CSV meeting read into the JSON request it stands for, with the line of each event.
struct CsvMeeting {
    body: Value,
    event_lines: Vec<u64>,
    attendance_lines: Vec<u64>,
    /// Rows that say too little to be read into the request (an attendance row naming no
    /// one), refused with whatever else is wrong with the sheet.
    refused: Vec<ApiError>,
}

impl CsvMeeting {
    /// The refusal of the sheet, in its terms: the rows set aside while reading it, with
    /// `error` of the request it stands for; `None` when there is nothing to refuse.
    fn refusal(&self, error: Option<ApiError>) -> Option<ApiError> {
        let mut checks = FieldChecks::items();
        for refused in &self.refused {
            checks.refuse(refused.clone());
        }
        if let Some(error) = error {
            checks.refuse(error);
        }
        (!checks.passed()).then(|| in_rows(checks.refusal(), self))
    }

    /// The meeting read from the sheet, unless the sheet is refused.
    fn judge(&self, parsed: Result<NewMeeting, ApiError>) -> Result<NewMeeting, ApiError> {
        match parsed {
            Ok(meeting) => match self.refusal(None) {
                None => Ok(meeting),
                Some(refusal) => Err(refusal),
            },
            Err(e) => Err(self.refusal(Some(e.clone())).unwrap_or(e)),
        }
    }
}

/// A sheet that is not a meeting sheet, at `/rows/<line>` (line 1 is the header) or at
/// `/rows/<line>/<column>`.
fn csv_problem(pointer: String, detail: impl Into<String>) -> ApiError {
    let detail = detail.into();
    let mut error = ApiError::new(
        StatusCode::BAD_REQUEST,
        "malformed-csv",
        "The body is not a valid meeting CSV",
        detail.clone(),
    );
    error.errors.push(ProblemField {
        pointer: Some(pointer),
        parameter: None,
        kind: None,
        detail,
    });
    error
}

fn row(line: u64) -> String {
    format!("/rows/{line}")
}

/// The line (from 1) of the row that starts at byte `start` of `text`. The reader counts a
/// row from the end of the one before, so blank lines before it are skipped here.
fn line_at(text: &str, start: u64) -> u64 {
    let bytes = text.as_bytes();
    let start = usize::try_from(start).map_or(bytes.len(), |s| s.min(bytes.len()));
    let blank = bytes[start..]
        .iter()
        .take_while(|&&b| b == b'\n' || b == b'\r')
        .count();
    let breaks = bytes[..start + blank]
        .iter()
        .filter(|&&b| b == b'\n')
        .count();
    1 + breaks as u64
}

fn read_csv(
    bytes: &[u8],
    held_on: Option<&str>,
    note: Option<&str>,
) -> Result<CsvMeeting, ApiError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = 1 + bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        csv_problem(
            row(line as u64),
            format!("line {line}: the CSV must be UTF-8"),
        )
    })?;
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| csv_problem(row(1), format!("the header row cannot be read: {e}")))?
        .clone();
    let mut columns = Vec::with_capacity(headers.len());
    for name in headers.iter() {
        let name = name.trim();
        if !CSV_COLUMNS.contains(&name) {
            return Err(csv_problem(
                row(1),
                format!(
                    "unknown column {name:?}; the columns are {}",
                    CSV_COLUMNS.join(", ")
                ),
            ));
        }
        if columns.contains(&name) {
            return Err(csv_problem(
                row(1),
                format!("column {name:?} appears twice"),
            ));
        }
        columns.push(name);
    }
    for required in ["type", "member_id"] {
        if !columns.contains(&required) {
            return Err(csv_problem(
                row(1),
                format!("the header has no {required:?} column"),
            ));
        }
    }
    let mut events = Vec::new();
    let mut attendance = Vec::new();
    let mut event_lines = Vec::new();
    let mut attendance_lines = Vec::new();
    let mut refused = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| match e.position() {
            Some(position) => {
                let line = line_at(text, position.byte());
                csv_problem(row(line), format!("line {line}: {e}"))
            }
            None => csv_problem("/rows".into(), e.to_string()),
        })?;
        // Rows are named by the line they start on: a quoted cell may span lines, and blank
        // lines are skipped.
        let line = record
            .position()
            .map_or(0, |position| line_at(text, position.byte()));
        let mut cells = Map::new();
        for (name, cell) in columns.iter().zip(record.iter()) {
            let cell = cell.trim();
            if !cell.is_empty() {
                cells.insert((*name).to_string(), Value::String(cell.to_string()));
            }
        }
        if cells.get("type").and_then(Value::as_str) == Some("attendance") {
            if let Some(column) = cells
                .keys()
                .find(|name| !["type", "member_id"].contains(&name.as_str()))
            {
                return Err(csv_problem(
                    format!("{}/{column}", row(line)),
                    format!("line {line}: an attendance row names only the member"),
                ));
            }
            let Some(member) = cells.remove("member_id") else {
                refused.push(ApiError::invalid_field(
                    format!("{}/member_id", row(line)),
                    format!("line {line}: an attendance row names the member"),
                ));
                continue;
            };
            attendance.push(member);
            attendance_lines.push(line);
        } else {
            events.push(Value::Object(cells));
            event_lines.push(line);
        }
    }
    let mut body = Map::new();
    if let Some(date) = held_on {
        body.insert("held_on".into(), Value::String(date.into()));
    }
    if let Some(note) = note {
        body.insert("note".into(), Value::String(note.into()));
    }
    body.insert("attendance".into(), Value::Array(attendance));
    body.insert("events".into(), Value::Array(events));
    Ok(CsvMeeting {
        body: Value::Object(body),
        event_lines,
        attendance_lines,
        refused,
    })
}

/// A meeting sheet read and checked as `POST .../meetings` checks it before anything is
/// written, with what a refusal of the ledger needs to name rows instead of JSON items.
pub struct MeetingSheet {
    pub meeting: NewMeeting,
    /// The canonical form of the JSON request the sheet stands for (for idempotency).
    pub canonical: String,
}

impl MeetingSheet {
    /// Reads a CSV meeting sheet; the meeting's date and note come from the query, and the
    /// date is the group's `today` when the query names none. A refusal names the row and
    /// column at fault, or the query parameter.
    pub fn read(
        bytes: &[u8],
        held_on: Option<&str>,
        note: Option<&str>,
        created_by: Uuid,
        today: NaiveDate,
    ) -> Result<MeetingSheet, ApiError> {
        let (request, canonical, csv) = Self::request(bytes, held_on, note)?;
        // With no directory: a member named by number is one no member has.
        let meeting = csv.judge(request.parse(created_by, &[], today))?;
        Ok(MeetingSheet { meeting, canonical })
    }

    /// The JSON request a sheet stands for, with its canonical form and its rows' lines.
    fn request(
        bytes: &[u8],
        held_on: Option<&str>,
        note: Option<&str>,
    ) -> Result<(CreateMeeting, String, CsvMeeting), ApiError> {
        let csv = read_csv(bytes, held_on, note)?;
        let canonical = to_canonical_string(&csv.body);
        let request = match from_value::<CreateMeeting>(csv.body.clone()) {
            Ok(request) => request,
            Err(e) => return Err(csv.refusal(Some(e.clone())).unwrap_or(e)),
        };
        Ok((request, canonical, csv))
    }
}

/// A refusal of the request a sheet stands for, in the sheet's terms: the meeting's date and
/// note are query parameters, everything else is at a row.
fn in_rows(mut error: ApiError, csv: &CsvMeeting) -> ApiError {
    for field in &mut error.errors {
        if let Some(name @ ("/held_on" | "/note")) = field.pointer.as_deref() {
            field.parameter = Some(name.trim_start_matches('/').to_string());
            field.pointer = None;
        }
    }
    // Only the query is wrong: a refusal of its parameters.
    if !error.errors.is_empty() && error.errors.iter().all(|f| f.parameter.is_some()) {
        let mut refusal = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-parameter",
            "A query parameter is invalid",
            "",
        );
        refusal.errors = error.errors;
        refusal.detail = listed(&refusal);
        return refusal;
    }
    to_rows(error, csv)
}

/// `at: detail` for each field of `error`, as one sentence.
fn listed(error: &ApiError) -> String {
    error
        .errors
        .iter()
        .map(|f| {
            let at = f
                .pointer
                .as_deref()
                .or(f.parameter.as_deref())
                .unwrap_or("/");
            format!("{at}: {}", f.detail)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Rewrites `/events/<i>/…` and `/attendance/<i>` pointers to `/rows/<line>/…`.
fn to_rows(mut error: ApiError, csv: &CsvMeeting) -> ApiError {
    let rewrite = |pointer: &str| -> String {
        // A limit on the whole list (too many events or names) is about the sheet's rows.
        if pointer == "/events" || pointer == "/attendance" {
            return "/rows".to_string();
        }
        for (prefix, lines) in [
            ("/events/", &csv.event_lines),
            ("/attendance/", &csv.attendance_lines),
        ] {
            if let Some(rest) = pointer.strip_prefix(prefix) {
                let (index, tail) = rest.split_once('/').unwrap_or((rest, ""));
                if let Some(line) = index.parse::<usize>().ok().and_then(|i| lines.get(i)) {
                    let column = if prefix == "/attendance/" {
                        "member_id"
                    } else {
                        tail
                    };
                    return if column.is_empty() {
                        format!("/rows/{line}")
                    } else {
                        format!("/rows/{line}/{column}")
                    };
                }
            }
        }
        pointer.to_string()
    };
    for field in &mut error.errors {
        if let Some(pointer) = &field.pointer {
            field.pointer = Some(rewrite(pointer));
        }
    }
    // The summary names the items too: say it in rows.
    if error.slug == "items-refused" {
        error.detail = format!(
            "{} item(s) of the request were refused; nothing was written: {}",
            error.errors.len(),
            listed(&error)
        );
    } else if error.slug == "invalid-field" || error.errors.len() > 1 {
        error.detail = listed(&error);
    }
    error
}

fn is_csv(request: &Request) -> bool {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .eq_ignore_ascii_case("text/csv")
        })
        .unwrap_or(false)
}

#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum MeetingEventView {
    Contribution(ContributionView),
    Withdrawal(WithdrawalView),
}

#[derive(Debug, Serialize)]
pub struct TypedEventView {
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(flatten)]
    pub event: MeetingEventView,
}

#[derive(Debug, Serialize)]
pub struct MeetingView {
    pub id: Uuid,
    pub group_id: Uuid,
    pub held_on: NaiveDate,
    pub note: Option<String>,
    pub attendance: Vec<Uuid>,
    pub events: Vec<TypedEventView>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl MeetingView {
    pub fn of(m: &Meeting) -> Self {
        MeetingView {
            id: m.id,
            group_id: m.group_id,
            held_on: m.held_on,
            note: m.note.clone(),
            attendance: m.attendance.clone(),
            events: m
                .events
                .iter()
                .map(|e| TypedEventView {
                    kind: e.kind.as_str(),
                    event: match e.kind {
                        EventKind::Contribution => {
                            MeetingEventView::Contribution(ContributionView::of(e))
                        }
                        EventKind::Withdrawal => {
                            MeetingEventView::Withdrawal(WithdrawalView::of(e))
                        }
                    },
                })
                .collect(),
            created_by: m.created_by,
            created_at: m.created_at,
        }
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
    let write = idempotent.prepare(group_id, &canonical, MeetingView::of)?;
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
    Ok(ListView::page(&page, "g", |m| m.id.to_string(), MeetingView::of).response())
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
    Ok(json_response(StatusCode::OK, &MeetingView::of(&meeting)))
}
