//! The task force's reports across groups, for auditors and administrators: savings mobilised,
//! the investment portfolio, remittance corridors, sex-disaggregated indicators and
//! reintegration. Each answers as JSON or as CSV (see `report`), from the same rows.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::AppState;
use crate::domain::money::{Currency, format_total};
use crate::domain::network::NetworkFilter;
use crate::http::error::ApiError;
use crate::http::query::QueryParams;

pub mod corridors;
pub mod indicators;
pub mod portfolio;
pub mod reintegration;
pub mod savings;
pub mod trend;

pub use corridors::remittance_corridors;
pub use indicators::indicators;
pub use portfolio::portfolio;
pub use reintegration::reintegration;
pub use savings::savings;
pub use trend::savings_trend;

pub fn amount(minor: i128, currency: Currency) -> String {
    format_total(minor, currency)
}

pub fn amount64(minor: i64, currency: Currency) -> String {
    format_total(i128::from(minor), currency)
}

/// A two-decimal text of a percentage or a sum of exact decimals.
pub fn two_places(value: Decimal) -> String {
    format!("{value:.2}")
}

/// A country filter: an ISO 3166-1 alpha-2 code in upper case.
fn country_parameter(params: &QueryParams, name: &str) -> Result<Option<String>, ApiError> {
    match params.text(name) {
        None => Ok(None),
        Some(code) => crate::http::dto::country(name, code)
            .map(Some)
            .map_err(|_| {
                ApiError::invalid_parameter(
                    name,
                    "must be an ISO 3166-1 alpha-2 country code in upper case, such as \"HK\"",
                )
            }),
    }
}

pub fn filter(params: &QueryParams) -> Result<NetworkFilter, ApiError> {
    Ok(NetworkFilter {
        host_country: country_parameter(params, "host_country")?,
        home_country: country_parameter(params, "home_country")?,
    })
}

/// Today for the network: the latest of its groups' todays, so that whatever any group recorded
/// for its today counts; the date in UTC before there is any group.
pub async fn network_today(state: &AppState) -> Result<NaiveDate, ApiError> {
    let zones = state.store.group_time_zones().await?;
    let now = state.clock.now();
    Ok(zones
        .into_iter()
        .map(|zone| crate::domain::dates::local_date(now, zone))
        .max()
        .unwrap_or_else(|| now.date_naive()))
}
