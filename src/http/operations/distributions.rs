//! `/v1/groups/{group_id}/distributions`: a surplus shared out among the members.

use axum::Extension;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::caller::Caller;
use crate::domain::approvals::Operation;
use crate::domain::operations::*;
use crate::http::AppState;
use crate::http::approvals::Asking;
use crate::http::dto::{amount_text, booking_date, currency};
use crate::http::error::{ApiError, FieldChecks};
use crate::http::extract::JsonBody;
use crate::http::path::{DistributionPath, GroupPath};
use crate::http::query::QueryParams;
use crate::http::views::*;
use crate::http::write::{Idempotent, json_response};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateDistribution {
    pub pool: String,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub investment_id: Option<Uuid>,
    #[serde(default)]
    pub basis: Option<Basis>,
    #[serde(
        default,
        deserialize_with = "crate::domain::dates::deserialize_optional"
    )]
    pub as_of: Option<NaiveDate>,
    pub pay_to: PayTo,
    #[serde(
        default,
        deserialize_with = "crate::domain::dates::deserialize_optional"
    )]
    pub booked_on: Option<NaiveDate>,
    #[serde(default)]
    pub dry_run: bool,
}

impl CreateDistribution {
    /// The distribution asked for, booked by default `today`, by `created_by`; every wrong
    /// field at once.
    fn parse(self, today: NaiveDate, created_by: Uuid) -> Result<NewDistribution, ApiError> {
        let mut checks = FieldChecks::default();
        let pool = checks.check(amount_text("/pool", &self.pool, true));
        let pool_currency = checks.check(
            self.currency
                .as_deref()
                .map(|c| currency("/currency", c))
                .transpose(),
        );
        let booked_on = checks.check(booking_date("/booked_on", self.booked_on, today));
        let as_of = checks.check(
            self.as_of
                .map(|date| booking_date("/as_of", Some(date), today))
                .transpose(),
        );
        let (Some(()), Some(pool_currency), Some(booked_on), Some(as_of)) =
            (pool, pool_currency, booked_on, as_of)
        else {
            return Err(checks.refusal());
        };
        Ok(NewDistribution {
            pool: self.pool,
            currency: pool_currency,
            investment_id: self.investment_id,
            basis: self.basis,
            as_of: as_of.unwrap_or(booked_on),
            pay_to: self.pay_to,
            booked_on,
            dry_run: self.dry_run,
            created_by: Some(created_by),
        })
    }
}

pub async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    GroupPath { group_id }: GroupPath,
    idempotent: Idempotent,
    body: JsonBody<CreateDistribution>,
) -> Result<Response, ApiError> {
    let today = state.today(group_id).await?;
    let request = body.value.parse(today, caller.id())?;
    if request.dry_run {
        // A preview writes nothing, so it needs no key and is answered 200.
        return match state.store.distribute(group_id, request, None).await? {
            crate::store::Written::Created(d) => {
                Ok(json_response(StatusCode::OK, &DistributionView::of(&d)))
            }
            crate::store::Written::Replayed(stored) => Ok(crate::http::write::replay(stored)),
        };
    }
    idempotent.require_key()?;
    // Under a policy that says so, a distribution that posts waits for a second person (202).
    let operation = Operation::Distribution {
        pool: request.pool.clone(),
        currency: request.currency,
        investment_id: request.investment_id,
        basis: request.basis,
        as_of: request.as_of,
        pay_to: request.pay_to,
        booked_on: request.booked_on,
    };
    let asking = Asking::new(&state, group_id, caller.id(), &body.canonical);
    asking
        .unless_it_waits(idempotent, operation, async |idempotent| {
            let write = idempotent.prepare(group_id, &body.canonical, DistributionView::of)?;
            write.respond(
                state
                    .store
                    .distribute(group_id, request, write.idempotency())
                    .await,
            )
        })
        .await
}

pub async fn list(
    State(state): State<AppState>,
    GroupPath { group_id }: GroupPath,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = QueryParams::parse(raw.as_deref(), &["limit", "cursor"])?;
    let page = state
        .store
        .list_distributions(group_id, params.id_cursor("d")?, params.limit()?)
        .await?;
    Ok(ListView::page(
        &page,
        "d",
        |d| d.id.unwrap_or_default().to_string(),
        DistributionView::of,
    )
    .response())
}

pub async fn get(
    State(state): State<AppState>,
    DistributionPath {
        group_id,
        distribution_id,
    }: DistributionPath,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    QueryParams::parse(raw.as_deref(), &[])?;
    let distribution = state
        .store
        .get_distribution(group_id, distribution_id)
        .await?;
    Ok(json_response(
        StatusCode::OK,
        &DistributionView::of(&distribution),
    ))
}
