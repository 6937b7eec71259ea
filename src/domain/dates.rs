//! Calendar dates on the wire (exactly `YYYY-MM-DD`, nothing looser), and the time zones that
//! make "today" a group's own date rather than the server's.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Deserializer};

pub use chrono_tz::Tz;

/// Where "now" comes from: the system clock, or one fixed instant so that a test can say what
/// time it is (a write at 07:30 on a Monday in Hong Kong is still Sunday in UTC).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Clock {
    #[default]
    System,
    Fixed(DateTime<Utc>),
}

impl Clock {
    pub fn now(self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Fixed(instant) => instant,
        }
    }

    /// The date it is now in `zone`.
    pub fn today_in(self, zone: Tz) -> NaiveDate {
        local_date(self.now(), zone)
    }
}

/// The calendar date an instant falls on in `zone`.
pub fn local_date(instant: DateTime<Utc>, zone: Tz) -> NaiveDate {
    instant.with_timezone(&zone).date_naive()
}

/// An IANA time zone name as the tz database spells it (`Asia/Hong_Kong`, `UTC`); any name of
/// the database is accepted, links included.
pub fn parse_time_zone(name: &str) -> Option<Tz> {
    name.parse::<Tz>().ok()
}

/// The time zone of each host country where the network works that keeps one civil time
/// throughout, by ISO 3166-1 alpha-2 code. A country with more than one (Indonesia, Australia,
/// the United States, Canada, Russia, Brazil, Mexico, Kazakhstan, Spain with the Canaries,
/// New Zealand with the Chathams, China with Xinjiang's time...) is left out: a group there
/// names its zone. The same pairs are written into the
/// groups that existed before time zones (migration 0013), and a test holds the two together.
pub const HOST_COUNTRY_ZONES: &[(&str, &str)] = &[
    ("AE", "Asia/Dubai"),
    ("BD", "Asia/Dhaka"),
    ("BH", "Asia/Bahrain"),
    ("BN", "Asia/Brunei"),
    ("CH", "Europe/Zurich"),
    ("DE", "Europe/Berlin"),
    ("FR", "Europe/Paris"),
    ("GB", "Europe/London"),
    ("GR", "Europe/Athens"),
    ("HK", "Asia/Hong_Kong"),
    ("IE", "Europe/Dublin"),
    ("IL", "Asia/Jerusalem"),
    ("IN", "Asia/Kolkata"),
    ("IT", "Europe/Rome"),
    ("JO", "Asia/Amman"),
    ("JP", "Asia/Tokyo"),
    ("KH", "Asia/Phnom_Penh"),
    ("KR", "Asia/Seoul"),
    ("KW", "Asia/Kuwait"),
    ("LB", "Asia/Beirut"),
    ("LK", "Asia/Colombo"),
    ("MO", "Asia/Macau"),
    ("MV", "Indian/Maldives"),
    ("MY", "Asia/Kuala_Lumpur"),
    ("NL", "Europe/Amsterdam"),
    ("NP", "Asia/Kathmandu"),
    ("OM", "Asia/Muscat"),
    ("PH", "Asia/Manila"),
    ("PK", "Asia/Karachi"),
    ("QA", "Asia/Qatar"),
    ("SA", "Asia/Riyadh"),
    ("SG", "Asia/Singapore"),
    ("TH", "Asia/Bangkok"),
    ("TW", "Asia/Taipei"),
    ("VN", "Asia/Ho_Chi_Minh"),
];

/// The time zone of a host country with a single one (see [`HOST_COUNTRY_ZONES`]).
pub fn host_country_zone(country: &str) -> Option<Tz> {
    HOST_COUNTRY_ZONES
        .binary_search_by(|(code, _)| (*code).cmp(country))
        .ok()
        .and_then(|i| parse_time_zone(HOST_COUNTRY_ZONES[i].1))
}

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
    fn the_host_country_table_is_sorted_and_names_real_zones() {
        for pair in HOST_COUNTRY_ZONES.windows(2) {
            assert!(pair[0].0 < pair[1].0, "{:?} before {:?}", pair[0], pair[1]);
        }
        for (country, zone) in HOST_COUNTRY_ZONES {
            assert_eq!(host_country_zone(country).map(|z| z.name()), Some(*zone));
        }
        for several in ["ID", "AU", "US", "CA", "RU", "BR", "MX", "KZ", "CN"] {
            assert_eq!(host_country_zone(several), None, "{several}");
        }
    }

    /// The migration that gave the groups of before a time zone used the same table.
    #[test]
    fn the_migration_gives_existing_groups_the_zones_of_the_table() {
        for sql in [
            include_str!("../../migrations/sqlite/0013_group_time_zones.sql"),
            include_str!("../../migrations/postgres/0013_group_time_zones.sql"),
        ] {
            let pairs: Vec<(String, String)> = sql
                .lines()
                .filter_map(|line| {
                    let rest = line.trim().strip_prefix("WHEN '")?;
                    let (country, rest) = rest.split_once("' THEN '")?;
                    let (zone, _) = rest.split_once('\'')?;
                    Some((country.to_string(), zone.to_string()))
                })
                .collect();
            let table: Vec<(String, String)> = HOST_COUNTRY_ZONES
                .iter()
                .map(|(c, z)| (c.to_string(), z.to_string()))
                .collect();
            assert_eq!(pairs, table);
        }
    }

    #[test]
    fn a_monday_morning_in_hong_kong_is_still_sunday_in_utc() {
        let instant = DateTime::parse_from_rfc3339("2026-11-29T23:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let clock = Clock::Fixed(instant);
        assert_eq!(
            clock.today_in(chrono_tz::Asia::Hong_Kong),
            NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
        );
        assert_eq!(
            clock.today_in(chrono_tz::UTC),
            NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()
        );
    }

    proptest::proptest! {
        /// Every zone is within a day of UTC, so a group's today is UTC's date, the day before
        /// or the day after: the bound of a booking a day after the group's today is never
        /// more than two days after UTC's.
        #[test]
        fn a_group_s_today_is_within_a_day_of_utc_s(
            seconds in 0i64..4_102_444_800,
            zone in 0..chrono_tz::TZ_VARIANTS.len(),
        ) {
            let instant = DateTime::from_timestamp(seconds, 0).unwrap();
            let zone = chrono_tz::TZ_VARIANTS[zone];
            let local = Clock::Fixed(instant).today_in(zone);
            let difference = (local - instant.date_naive()).num_days();
            proptest::prop_assert!((-1..=1).contains(&difference), "{zone} at {instant}: {local}");
        }
    }

    #[test]
    fn time_zone_names_are_the_tz_database_s() {
        assert_eq!(
            parse_time_zone("Asia/Jakarta").map(|z| z.name()),
            Some("Asia/Jakarta")
        );
        assert_eq!(parse_time_zone("UTC").map(|z| z.name()), Some("UTC"));
        for bad in [
            "",
            "asia/jakarta",
            "Asia/Atlantis",
            "+08:00",
            "HKT",
            "Asia/Hong_Kong ",
        ] {
            assert_eq!(parse_time_zone(bad), None, "{bad:?}");
        }
    }

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
