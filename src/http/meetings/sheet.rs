//! Meetings sent as CSV sheets: read into the JSON request a sheet stands for, and refusals
//! pointed back at the sheet's rows and columns.

use axum::extract::Request;
use axum::http::{StatusCode, header};
use chrono::NaiveDate;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::*;
use crate::domain::canonical::to_canonical_string;
use crate::domain::member::NewMeeting;
use crate::http::error::{ApiError, FieldChecks, ProblemField};
use crate::http::extract::from_value;

/// A CSV meeting read into the JSON request it stands for, with the line of each event.
pub struct CsvMeeting {
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
    pub fn judge(&self, parsed: Result<NewMeeting, ApiError>) -> Result<NewMeeting, ApiError> {
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
    let text = utf8_text(bytes)?;
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let columns = read_columns(&mut reader)?;
    let mut rows = SheetRows::default();
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
        rows.add(line, cells)?;
    }
    Ok(rows.into_meeting(held_on, note))
}

/// The sheet as text, or a refusal naming the line of its first byte that is not UTF-8.
fn utf8_text(bytes: &[u8]) -> Result<&str, ApiError> {
    std::str::from_utf8(bytes).map_err(|e| {
        let line = 1 + bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        csv_problem(
            row(line as u64),
            format!("line {line}: the CSV must be UTF-8"),
        )
    })
}

/// The sheet's columns in the order of its header, each a known one, once, with `type`
/// and `member_id` among them.
fn read_columns<R: std::io::Read>(
    reader: &mut csv::Reader<R>,
) -> Result<Vec<&'static str>, ApiError> {
    let headers = reader
        .headers()
        .map_err(|e| csv_problem(row(1), format!("the header row cannot be read: {e}")))?;
    let mut columns = Vec::with_capacity(headers.len());
    for name in headers.iter() {
        let name = name.trim();
        let Some(known) = CSV_COLUMNS.iter().find(|column| **column == name) else {
            return Err(csv_problem(
                row(1),
                format!(
                    "unknown column {name:?}; the columns are {}",
                    CSV_COLUMNS.join(", ")
                ),
            ));
        };
        if columns.contains(known) {
            return Err(csv_problem(
                row(1),
                format!("column {name:?} appears twice"),
            ));
        }
        columns.push(*known);
    }
    for required in ["type", "member_id"] {
        if !columns.contains(&required) {
            return Err(csv_problem(
                row(1),
                format!("the header has no {required:?} column"),
            ));
        }
    }
    Ok(columns)
}

/// The sheet's rows read so far: events and attendance, each with its line.
#[derive(Default)]
struct SheetRows {
    events: Vec<Value>,
    attendance: Vec<Value>,
    event_lines: Vec<u64>,
    attendance_lines: Vec<u64>,
    refused: Vec<ApiError>,
}

impl SheetRows {
    /// Adds the row at `line` with its non-empty `cells`; an attendance row names only
    /// the member.
    fn add(&mut self, line: u64, mut cells: Map<String, Value>) -> Result<(), ApiError> {
        if cells.get("type").and_then(Value::as_str) != Some("attendance") {
            self.events.push(Value::Object(cells));
            self.event_lines.push(line);
            return Ok(());
        }
        if let Some(column) = cells
            .keys()
            .find(|name| !["type", "member_id"].contains(&name.as_str()))
        {
            return Err(csv_problem(
                format!("{}/{column}", row(line)),
                format!("line {line}: an attendance row names only the member"),
            ));
        }
        match cells.remove("member_id") {
            Some(member) => {
                self.attendance.push(member);
                self.attendance_lines.push(line);
            }
            None => self.refused.push(ApiError::invalid_field(
                format!("{}/member_id", row(line)),
                format!("line {line}: an attendance row names the member"),
            )),
        }
        Ok(())
    }

    /// The JSON request the rows stand for, with the meeting's date and note.
    fn into_meeting(self, held_on: Option<&str>, note: Option<&str>) -> CsvMeeting {
        let mut body = Map::new();
        if let Some(date) = held_on {
            body.insert("held_on".into(), Value::String(date.into()));
        }
        if let Some(note) = note {
            body.insert("note".into(), Value::String(note.into()));
        }
        body.insert("attendance".into(), Value::Array(self.attendance));
        body.insert("events".into(), Value::Array(self.events));
        CsvMeeting {
            body: Value::Object(body),
            event_lines: self.event_lines,
            attendance_lines: self.attendance_lines,
            refused: self.refused,
        }
    }
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
    pub fn request(
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
pub fn in_rows(mut error: ApiError, csv: &CsvMeeting) -> ApiError {
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

pub fn is_csv(request: &Request) -> bool {
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
