//! `GET /v1/groups/{group_id}/accreditation`: the group's audited figures on a date, signed by
//! the service's key so that a bank or a local government can check them without an account
//! (with the key published at `/.well-known/msai-ledger/keys`, as receipts and checkpoints).

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::financial_statements::CurrencyStatementsView;
use super::performance::{PerformanceView, not_after_today};
use crate::domain::error::LedgerError;
use crate::domain::money::format_total;
use crate::domain::performance;
use crate::domain::reports;
use crate::http::AppState;
use crate::http::error::ApiError;
use crate::http::path::GroupPath;
use crate::http::query::QueryParams;
use crate::http::views::VerificationView;
use crate::http::write::json_response;
use crate::signing::Signed;

/// The signed document's `type`.
pub const ACCREDITATION_TYPE: &str = "msai-ledger/accreditation/v1";

/// One investment on the date: what was committed, disbursed up to it and its book value then.
#[derive(Debug, Serialize)]
pub struct InvestmentLine {
    pub id: Uuid,
    pub name: String,
    pub kind: String,
    pub currency: String,
    pub committed: Option<String>,
    pub disbursed: String,
    pub book_value: String,
}

/// One distribution booked on or before the date.
#[derive(Debug, Serialize)]
pub struct DistributionLine {
    pub id: Option<Uuid>,
    pub booked_on: NaiveDate,
    pub currency: String,
    pub pool: String,
    pub members: usize,
}

/// What the statement says; signed as it is, with the signer's `key_id` added.
#[derive(Debug, Serialize)]
pub struct AccreditationDocument {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub group_id: Uuid,
    pub group_name: String,
    pub currency: String,
    pub host_country: String,
    pub home_country: String,
    pub on: NaiveDate,
    pub signed_at: String,
    /// The balance sheet as of `on` and the income statement to it, currency by currency,
    /// as the financial statements give them.
    pub statements: Vec<CurrencyStatementsView>,
    /// Everything paid into members' savings up to `on`, in the group's currency.
    pub savings_mobilised: String,
    pub investments: Vec<InvestmentLine>,
    pub distributions: Vec<DistributionLine>,
    /// The performance indicators for the year to `on` (from the group's first booking if
    /// that is later).
    pub performance: PerformanceView,
    /// The group's hash chain recomputed when the statement was signed.
    pub chain: VerificationView,
}

#[derive(Debug, Serialize)]
pub struct AccreditationView {
    pub group_id: Uuid,
    pub on: NaiveDate,
    pub signed_at: DateTime<Utc>,
    /// The document signed, for reading: the payload is its canonical text with every number
    /// written as a string and the signer's `key_id` added.
    pub statement: Value,
    #[serde(flatten)]
    pub signed: Signed,
}

/// The document as signed documents write it: every number as a string (as receipts and
/// checkpoints write integers), so its text is the same in any language that reads it.
fn numbers_as_strings(value: Value) -> Value {
    match value {
        Value::Number(n) => Value::String(n.to_string()),
        Value::Array(items) => Value::Array(items.into_iter().map(numbers_as_strings).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, numbers_as_strings(v)))
                .collect(),
        ),
        other => other,
    }
}

/// The investments on `on`: those made by then or moved by then, each with what was
/// disbursed to it up to `on` and its book value then (its account's totals to that day).
fn investment_lines(
    register: &reports::InvestmentRegister,
    data: &reports::StatementData,
    group: &crate::domain::model::Group,
    on: NaiveDate,
) -> Vec<InvestmentLine> {
    let totals = |account_id: Uuid| data.to_date.get(&account_id).copied().unwrap_or_default();
    register
        .investments
        .iter()
        .filter(|r| {
            let t = totals(r.investment.account_id);
            t.debits != 0
                || t.credits != 0
                || crate::domain::dates::local_date(
                    r.investment.created_at,
                    group.profile.time_zone,
                ) <= on
        })
        .map(|r| {
            let i = &r.investment;
            let t = totals(i.account_id);
            InvestmentLine {
                id: i.id,
                name: i.name.clone(),
                kind: i.kind.as_str().to_string(),
                currency: i.currency.code().to_string(),
                committed: i
                    .committed_minor
                    .map(|m| format_total(i128::from(m), i.currency)),
                disbursed: format_total(i128::from(t.debits), i.currency),
                book_value: format_total(
                    t.balance(crate::domain::account::AccountType::Asset),
                    i.currency,
                ),
            }
        })
        .collect()
}

/// The distributions booked on or before `on`.
fn distribution_lines(
    distributions: &[crate::domain::operations::Distribution],
    on: NaiveDate,
) -> Vec<DistributionLine> {
    distributions
        .iter()
        .filter(|d| d.booked_on <= on)
        .map(|d| DistributionLine {
            id: d.id,
            booked_on: d.booked_on,
            currency: d.currency.code().to_string(),
            pool: format_total(i128::from(d.pool_minor), d.currency),
            members: d.shares.len(),
        })
        .collect()
}

pub async fn accreditation(
    State(state): State<AppState>,
    GroupPath { group_id }: GroupPath,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = QueryParams::parse(raw.as_deref(), &["on"])?;
    let today = state.today(group_id).await?;
    let on = params.date("on")?.unwrap_or(today);
    not_after_today("on", on, today)?;
    // One snapshot: a write committed meanwhile is in every part of the statement or in none.
    let facts = match state.store.accreditation_facts(group_id, on).await? {
        reports::Accreditation::BeforeBegan(first_day) => {
            return Err(ApiError::invalid_parameter(
                "on",
                format!("must not be before the group began ({first_day})"),
            ));
        }
        reports::Accreditation::Facts(facts) => facts,
    };
    let reports::AccreditationFacts {
        life,
        year,
        statements: data,
        register,
        distributions,
        chain,
    } = *facts;
    let group = &life.group;
    let c = group.currency;

    let now = state.clock.now();
    let signed_at = DateTime::<Utc>::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now);
    let document = AccreditationDocument {
        kind: ACCREDITATION_TYPE,
        group_id,
        group_name: group.name.clone(),
        currency: c.code().to_string(),
        host_country: group.host_country.clone(),
        home_country: group.home_country.clone(),
        on,
        signed_at: crate::domain::hash::format_recorded_at(signed_at),
        statements: reports::financial_statements(&data)
            .iter()
            .map(CurrencyStatementsView::of)
            .collect(),
        savings_mobilised: format_total(life.facts.sums.savings_mobilised, c),
        investments: investment_lines(&register, &data, group, on),
        distributions: distribution_lines(&distributions, on),
        performance: PerformanceView::of(group_id, c, &performance::performance(&year)),
        chain: VerificationView::of(&chain),
    };
    let statement = serde_json::to_value(&document)
        .map_err(|e| LedgerError::Internal(format!("accreditation document: {e}")))?;
    let view = AccreditationView {
        group_id,
        on,
        signed_at,
        signed: state.signer.sign(numbers_as_strings(statement.clone())),
        statement,
    };
    Ok(json_response(StatusCode::OK, &view))
}
