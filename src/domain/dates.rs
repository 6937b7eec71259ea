//! Calendar dates on the wire: exactly `YYYY-MM-DD`, nothing looser.

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer};

/// Parses `YYYY-MM-DD` with exactly four, two and two digits. chrono alone would also take
/// `2026-3-2`, which a client should not come to rely on.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape {
        return None;
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

/// Serde adapter for an optional strict date field.
pub fn deserialize_optional<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<NaiveDate>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(text) => parse_date(&text)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom("must be a date as YYYY-MM-DD")),
    }
}

/// Serde adapter for a required strict date field.
pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    let text = String::deserialize(d)?;
    parse_date(&text).ok_or_else(|| serde::de::Error::custom("must be a date as YYYY-MM-DD"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_zero_padded_iso_dates_are_accepted() {
        assert_eq!(
            parse_date("2026-11-27"),
            NaiveDate::from_ymd_opt(2026, 11, 27)
        );
        for bad in [
            "2026-3-2",
            "2026-02-30",
            "26-11-27",
            "2026/11/27",
            "2026-11-27T00:00",
            "",
            "+2026-11-27",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }
}
