//! The task force's reports across groups, for auditors and administrators: savings mobilised,
//! the investment portfolio, remittance corridors, sex-disaggregated indicators and
//! reintegration. Each answers as JSON or as CSV (see `report`), from the same rows.

use std::pin::Pin;

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::AppState;
use crate::domain::money::{Currency, format_total};
use crate::domain::network::NetworkFilter;
use crate::http::error::ApiError;
use crate::http::path::GroupPath;
use crate::http::query::QueryParams;

pub mod corridors;
pub mod indicators;
pub mod portfolio;
pub mod reintegration;
pub mod returned;
pub mod savings;
pub mod trend;

pub use indicators::indicators;
pub use reintegration::reintegration;
pub use savings::savings;

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
    let group_id = match params.text("group_id") {
        None => None,
        Some(text) => Some(uuid::Uuid::parse_str(text).map_err(|_| {
            ApiError::invalid_parameter("group_id", "must be the id of a group (a UUID)")
        })?),
    };
    Ok(NetworkFilter {
        host_country: country_parameter(params, "host_country")?,
        home_country: country_parameter(params, "home_country")?,
        group_id,
    })
}

/// Whom a report covers: the network, narrowed by the country and group filters its
/// caller gives (`/v1/reports/...`), or one group (`/v1/groups/{group_id}/reports/...`), which
/// takes no such filter.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    Network,
    Group(uuid::Uuid),
}

impl Scope {
    /// The query of a report that takes the parameters `own`, and the groups it covers.
    pub fn parse(
        self,
        raw: Option<&str>,
        own: &[&str],
    ) -> Result<(QueryParams, NetworkFilter), ApiError> {
        let mut allowed = own.to_vec();
        if let Scope::Network = self {
            allowed.extend(["host_country", "home_country", "group_id"]);
        }
        let params = QueryParams::parse(raw, &allowed)?;
        let filter = match self {
            Scope::Network => filter(&params)?,
            Scope::Group(id) => NetworkFilter {
                group_id: Some(id),
                ..NetworkFilter::default()
            },
        };
        Ok((params, filter))
    }
}

/// A report the dashboard reads, for the network or for one group.
#[derive(Debug, Clone, Copy)]
pub enum Report {
    SavingsTrend,
    Portfolio,
    Corridors,
    ReturnedHome,
}

/// A report being answered, as a route's handler answers it.
type Answer = Pin<Box<dyn Future<Output = Result<Response, ApiError>> + Send>>;

impl Report {
    async fn answer(
        self,
        scope: Scope,
        state: AppState,
        headers: HeaderMap,
        raw: Option<String>,
    ) -> Result<Response, ApiError> {
        let raw = raw.as_deref();
        match self {
            Report::SavingsTrend => trend::trend_of(scope, &state, &headers, raw).await,
            Report::Portfolio => portfolio::portfolio_of(scope, &state, &headers, raw).await,
            Report::Corridors => corridors::corridors_of(scope, &state, &headers, raw).await,
            Report::ReturnedHome => returned::returned_of(scope, &state, &headers, raw).await,
        }
    }
}

/// `GET /v1/reports/{report}`: a report of the network, narrowed by the caller's filters.
pub fn network_report(
    report: Report,
) -> impl Fn(State<AppState>, HeaderMap, RawQuery) -> Answer + Clone {
    move |State(state), headers, RawQuery(raw)| {
        Box::pin(report.answer(Scope::Network, state, headers, raw))
    }
}

/// `GET /v1/groups/{group_id}/reports/{report}`: the same report of one group.
pub fn group_report(
    report: Report,
) -> impl Fn(State<AppState>, GroupPath, HeaderMap, RawQuery) -> Answer + Clone {
    move |State(state), GroupPath { group_id }, headers, RawQuery(raw)| {
        Box::pin(report.answer(Scope::Group(group_id), state, headers, raw))
    }
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
