//! Query-string parsing with problem+json errors naming the parameter; unknown parameters are
//! refused so a misspelt filter never silently returns everything.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::NaiveDate;
use std::collections::HashMap;

use super::error::ApiError;

/// Default and largest page size of every list.
pub const DEFAULT_PAGE_SIZE: u32 = 50;
pub const MAX_PAGE_SIZE: u32 = 500;

pub struct QueryParams(HashMap<String, String>);

impl QueryParams {
    pub fn parse(raw: Option<&str>, allowed: &[&str]) -> Result<Self, ApiError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or(""))
            .map_err(|e| ApiError::invalid_parameter("query", e.to_string()))?;
        let mut map = HashMap::new();
        for (name, value) in pairs {
            if !allowed.contains(&name.as_str()) {
                return Err(ApiError::invalid_parameter(
                    &name,
                    unknown_parameter(allowed),
                ));
            }
            if map.insert(name.clone(), value).is_some() {
                return Err(ApiError::invalid_parameter(&name, "given more than once"));
            }
        }
        Ok(QueryParams(map))
    }

    /// Checks a `from`/`to` pair is in order.
    pub fn date_range(&self) -> Result<(Option<NaiveDate>, Option<NaiveDate>), ApiError> {
        let (from, to) = (self.date("from")?, self.date("to")?);
        if let (Some(f), Some(t)) = (from, to)
            && f > t
        {
            return Err(ApiError::invalid_parameter("to", "must not be before from"));
        }
        Ok((from, to))
    }

    pub fn text(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    pub fn date(&self, name: &str) -> Result<Option<NaiveDate>, ApiError> {
        match self.text(name) {
            None => Ok(None),
            Some(text) => crate::domain::dates::parse_date(text)
                .map(Some)
                .ok_or_else(|| ApiError::invalid_parameter(name, "must be a date as YYYY-MM-DD")),
        }
    }

    /// `include_reversed` of a list of records that post transactions: `true` (the default)
    /// lists every record, each saying whether it was reversed; `false` leaves out the ones
    /// that were.
    pub fn include_reversed(&self) -> Result<bool, ApiError> {
        match self.text("include_reversed") {
            None | Some("true") => Ok(true),
            Some("false") => Ok(false),
            Some(_) => Err(ApiError::invalid_parameter(
                "include_reversed",
                "must be true or false",
            )),
        }
    }

    pub fn limit(&self) -> Result<u32, ApiError> {
        match self.text("limit") {
            None => Ok(DEFAULT_PAGE_SIZE),
            Some(text) => match text.parse::<u32>() {
                Ok(n)
                    if (1..=MAX_PAGE_SIZE).contains(&n)
                        && !text.starts_with('0')
                        && text.bytes().all(|b| b.is_ascii_digit()) =>
                {
                    Ok(n)
                }
                _ => Err(ApiError::invalid_parameter(
                    "limit",
                    format!("must be an integer from 1 to {MAX_PAGE_SIZE}"),
                )),
            },
        }
    }

    /// Decodes a cursor whose position is an id (lists ordered by id).
    pub fn id_cursor(&self, kind: &str) -> Result<Option<uuid::Uuid>, ApiError> {
        match self.cursor(kind)? {
            None => Ok(None),
            Some(text) => uuid::Uuid::try_parse(&text).map(Some).map_err(|_| {
                ApiError::invalid_parameter("cursor", "is not a cursor returned by this list")
            }),
        }
    }

    /// Decodes an opaque cursor made by [`cursor`] for the same kind of list.
    pub fn cursor(&self, kind: &str) -> Result<Option<String>, ApiError> {
        let Some(text) = self.text("cursor") else {
            return Ok(None);
        };
        let invalid =
            || ApiError::invalid_parameter("cursor", "is not a cursor returned by this list");
        let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| invalid())?;
        let decoded = String::from_utf8(bytes).map_err(|_| invalid())?;
        let (prefix, value) = decoded.split_once(':').ok_or_else(invalid)?;
        if prefix != kind || value.is_empty() {
            return Err(invalid());
        }
        Ok(Some(value.to_string()))
    }
}

/// Why a parameter the route does not take is refused, with what it takes instead.
fn unknown_parameter(allowed: &[&str]) -> String {
    if allowed.is_empty() {
        "unknown parameter; this route accepts no query parameters".to_string()
    } else {
        format!(
            "unknown parameter; this route accepts: {}",
            allowed.join(", ")
        )
    }
}

/// An opaque cursor: the position after the last item of a page, tagged with the list's kind.
pub fn cursor(kind: &str, position: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{kind}:{position}"))
}
