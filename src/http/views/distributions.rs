//! Distributions as the API shows them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::domain::money::{format_amount, format_total};
use crate::domain::operations::*;

#[derive(Debug, Serialize)]
pub struct ShareView {
    pub member_id: Uuid,
    pub member_name: String,
    /// The member's savings or capital on `as_of` (in `weight_currency`), or 1 for equal shares.
    pub weight: String,
    pub share: String,
    pub account: String,
}

#[derive(Debug, Serialize)]
pub struct DistributionView {
    pub id: Option<Uuid>,
    pub group_id: Uuid,
    pub dry_run: bool,
    pub pool: String,
    pub currency: String,
    pub basis: Basis,
    /// The investment whose income was shared out; null for the undistributed surplus.
    pub investment_id: Option<Uuid>,
    pub weight_currency: Option<String>,
    pub total_weight: String,
    pub as_of: NaiveDate,
    pub pay_to: PayTo,
    pub booked_on: NaiveDate,
    pub shares: Vec<ShareView>,
    /// The sum of the shares: always equal to the pool.
    pub shares_total: String,
    pub transaction_id: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub created_at: Option<DateTime<Utc>>,
}

impl DistributionView {
    pub fn of(d: &Distribution) -> Self {
        let weight = |w: i64| match d.weight_currency {
            Some(c) => format_amount(w, c),
            None => w.to_string(),
        };
        let total_weight = d.total_weight();
        let shares_total: i128 = d.shares.iter().map(|s| i128::from(s.share_minor)).sum();
        DistributionView {
            id: d.id,
            group_id: d.group_id,
            dry_run: d.id.is_none(),
            pool: format_amount(d.pool_minor, d.currency),
            currency: d.currency.code().to_string(),
            basis: d.basis,
            investment_id: d.source_investment_id,
            weight_currency: d.weight_currency.map(|c| c.code().to_string()),
            total_weight: match (d.weight_currency, i64::try_from(total_weight)) {
                (Some(c), Ok(w)) => format_amount(w, c),
                _ => total_weight.to_string(),
            },
            as_of: d.as_of,
            pay_to: d.pay_to,
            booked_on: d.booked_on,
            shares: d
                .shares
                .iter()
                .map(|s| ShareView {
                    member_id: s.member_id,
                    member_name: s.member_name.clone(),
                    weight: weight(s.weight),
                    share: format_amount(s.share_minor, d.currency),
                    account: s.account_code.clone(),
                })
                .collect(),
            shares_total: format_total(shares_total, d.currency),
            transaction_id: d.transaction_id,
            created_by: d.created_by,
            created_at: d.created_at,
        }
    }
}
