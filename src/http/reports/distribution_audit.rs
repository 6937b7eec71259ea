//! `GET /v1/groups/{group_id}/reports/distribution-audit`: every distribution, share by share.

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Serialize;
use uuid::Uuid;

use crate::domain::operations::{Basis, PayTo};
use crate::domain::reports::{self};
use crate::http::AppState;
use crate::http::error::ApiError;
use crate::http::path::GroupPath;
use crate::http::report::{Report, Table, answer, cell, report_query};
use crate::http::views::DistributionView;

#[derive(Debug, Serialize)]
pub struct AuditedDistributionView {
    #[serde(flatten)]
    pub distribution: DistributionView,
    /// The shares add up to the pool exactly.
    pub sums_to_pool: bool,
    /// Every share equals the one the largest-remainder rule gives from the recorded weights.
    pub matches_recomputation: bool,
}

#[derive(Debug, Serialize)]
pub struct DistributionAuditView {
    pub group_id: Uuid,
    pub distributions: Vec<AuditedDistributionView>,
}

pub async fn distribution_audit(
    State(state): State<AppState>,
    GroupPath { group_id }: GroupPath,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let (_, format) = report_query(raw.as_deref(), &["format"], &headers)?;
    let distributions = state.store.distribution_audit(group_id).await?;
    let view = DistributionAuditView {
        group_id,
        distributions: distributions
            .iter()
            .map(|d| {
                let check = reports::check_distribution(d);
                AuditedDistributionView {
                    distribution: DistributionView::of(d),
                    sums_to_pool: check.sums_to_pool,
                    matches_recomputation: check.matches_recomputation,
                }
            })
            .collect(),
    };
    Ok(answer(format, &view))
}

impl Report for DistributionAuditView {
    const FILE_NAME: &'static str = "distribution-audit";

    /// One row per share, with its distribution's figures and the audit's findings.
    fn table(&self) -> Table {
        let mut table = Table::new(&[
            "distribution_id",
            "booked_on",
            "pool",
            "currency",
            "basis",
            "as_of",
            "pay_to",
            "total_weight",
            "member_id",
            "member_name",
            "weight",
            "share",
            "sums_to_pool",
            "matches_recomputation",
        ]);
        for a in &self.distributions {
            let d = &a.distribution;
            for s in &d.shares {
                table.push(vec![
                    cell(d.id),
                    d.booked_on.to_string(),
                    d.pool.clone(),
                    d.currency.clone(),
                    basis_text(d.basis).into(),
                    d.as_of.to_string(),
                    pay_to_text(d.pay_to).into(),
                    d.total_weight.clone(),
                    s.member_id.to_string(),
                    s.member_name.clone(),
                    s.weight.clone(),
                    s.share.clone(),
                    a.sums_to_pool.to_string(),
                    a.matches_recomputation.to_string(),
                ]);
            }
        }
        table
    }
}

fn basis_text(b: Basis) -> &'static str {
    b.as_str()
}

fn pay_to_text(p: PayTo) -> &'static str {
    p.as_str()
}
