//! Reports answer as JSON or, for spreadsheets, as CSV: `?format=csv` (or `json`), or else
//! `Accept: text/csv`. Both forms come from the same figures: the JSON view, and a table of
//! the same rows.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::error::ApiError;
use super::query::QueryParams;
use super::write::json_response;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
}

/// The format asked for: the `format` parameter first, then the `Accept` header.
pub fn negotiate(params: &QueryParams, headers: &HeaderMap) -> Result<Format, ApiError> {
    match params.text("format") {
        Some("json") => return Ok(Format::Json),
        Some("csv") => return Ok(Format::Csv),
        Some(_) => return Err(ApiError::invalid_parameter("format", "must be json or csv")),
        None => {}
    }
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let wants_csv = accept
        .split(',')
        .map(|part| part.split(';').next().unwrap_or("").trim())
        .any(|media| media.eq_ignore_ascii_case("text/csv"));
    let wants_json_first = accept
        .split(',')
        .map(|part| part.split(';').next().unwrap_or("").trim())
        .position(|media| media.eq_ignore_ascii_case("application/json"));
    let csv_first = accept
        .split(',')
        .map(|part| part.split(';').next().unwrap_or("").trim())
        .position(|media| media.eq_ignore_ascii_case("text/csv"));
    Ok(match (wants_csv, wants_json_first, csv_first) {
        (true, Some(json), Some(csv)) if json < csv => Format::Json,
        (true, _, _) => Format::Csv,
        _ => Format::Json,
    })
}

/// The rows of a report, as a spreadsheet would hold them.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub columns: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(columns: &[&'static str]) -> Self {
        Table {
            columns: columns.to_vec(),
            rows: Vec::new(),
        }
    }

    pub fn push(&mut self, row: Vec<String>) {
        debug_assert_eq!(row.len(), self.columns.len());
        self.rows.push(row);
    }

    pub fn to_csv(&self) -> String {
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new());
        // Writing to memory cannot fail.
        let _ = writer.write_record(&self.columns);
        for row in &self.rows {
            let _ = writer.write_record(row);
        }
        let bytes = writer.into_inner().unwrap_or_default();
        String::from_utf8(bytes).unwrap_or_default()
    }
}

/// Text of an optional value for a CSV cell: empty when absent.
pub fn cell<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// Answers with the view as JSON, or with the table as CSV named `name.csv`.
pub fn respond<V: Serialize>(
    format: Format,
    view: &V,
    table: impl FnOnce() -> Table,
    name: &str,
) -> Response {
    match format {
        Format::Json => json_response(StatusCode::OK, view),
        Format::Csv => {
            let mut response = (StatusCode::OK, table().to_csv()).into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            );
            if let Ok(value) =
                HeaderValue::from_str(&format!("attachment; filename=\"{name}.csv\""))
            {
                headers.insert(header::CONTENT_DISPOSITION, value);
            }
            response
        }
    }
}

/// A report's figures as the JSON view a handler answers with, laid out as rows for CSV.
/// Every group report has one shape: read the query, load, build the view, answer it.
pub trait Report: Serialize {
    /// The CSV file's name, without `.csv`.
    const FILE_NAME: &'static str;

    /// The view's rows, as a spreadsheet holds them.
    fn table(&self) -> Table;
}

/// A report's query parameters (only `allowed` ones, `format` among them) and the format
/// asked for.
pub fn report_query(
    raw: Option<&str>,
    allowed: &[&str],
    headers: &HeaderMap,
) -> Result<(QueryParams, Format), ApiError> {
    let params = QueryParams::parse(raw, allowed)?;
    let format = negotiate(&params, headers)?;
    Ok((params, format))
}

/// Answers with a report as JSON, or as CSV named after it.
pub fn answer<R: Report>(format: Format, report: &R) -> Response {
    respond(format, report, || report.table(), R::FILE_NAME)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> Format {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_str(value).unwrap());
        negotiate(&QueryParams::parse(None, &["format"]).unwrap(), &headers).unwrap()
    }

    #[test]
    fn the_accept_header_picks_csv_unless_json_comes_first() {
        assert_eq!(accept("text/csv"), Format::Csv);
        assert_eq!(accept("text/csv;q=0.9, */*"), Format::Csv);
        assert_eq!(accept("application/json, text/csv"), Format::Json);
        assert_eq!(accept("*/*"), Format::Json);
        assert_eq!(accept(""), Format::Json);
    }

    #[test]
    fn cells_are_quoted_when_they_must_be() {
        let mut table = Table::new(&["a", "b"]);
        table.push(vec!["x,y".into(), "say \"hi\"".into()]);
        assert_eq!(table.to_csv(), "a,b\r\n\"x,y\",\"say \"\"hi\"\"\"\r\n");
    }
}
