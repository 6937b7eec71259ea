//! Transfers between a group's own accounts, distributions of surplus, and members leaving.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::*;

#[derive(Debug, Clone)]
pub struct NewTransfer {
    pub from: AccountRef,
    pub to: AccountRef,
    pub amount: String,
    pub receive_amount: Option<String>,
    pub fee: Option<String>,
    pub applied_rate: Option<Decimal>,
    pub mid_market_rate: Option<Decimal>,
    pub rate_source: Option<String>,
    pub booked_on: NaiveDate,
    pub description: Option<String>,
    pub created_by: Option<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    pub id: Uuid,
    pub group_id: Uuid,
    pub from_code: String,
    pub to_code: String,
    pub amount_minor: i64,
    pub currency: Currency,
    pub receive_amount_minor: i64,
    pub receive_currency: Currency,
    pub fee_minor: i64,
    pub applied_rate: Option<Decimal>,
    pub mid_market_rate: Option<Decimal>,
    pub rate_source: Option<String>,
    pub booked_on: NaiveDate,
    pub description: String,
    pub transaction_id: Uuid,
    /// The transaction that reversed this record's, if it was corrected away.
    pub reversed_by: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

// ---------------------------------------------------------------------------------------------
// Distributions

#[derive(Debug, Clone)]
pub struct NewDistribution {
    pub pool: String,
    pub currency: Option<Currency>,
    /// Share out this investment's income instead of the undistributed surplus.
    pub investment_id: Option<Uuid>,
    pub basis: Option<Basis>,
    pub as_of: NaiveDate,
    pub pay_to: PayTo,
    pub booked_on: NaiveDate,
    pub dry_run: bool,
    pub created_by: Option<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistributionShare {
    pub member_id: Uuid,
    pub member_name: String,
    /// Savings or capital in minor units of the member's account, or 1 for equal shares.
    pub weight: i64,
    pub share_minor: i64,
    pub account_code: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Distribution {
    /// None for a dry run, which writes nothing.
    pub id: Option<Uuid>,
    pub group_id: Uuid,
    pub pool_minor: i64,
    pub currency: Currency,
    pub basis: Basis,
    /// The investment whose income was shared out; none for the undistributed surplus.
    pub source_investment_id: Option<Uuid>,
    /// The currency the weights are counted in (the members' accounts); none for equal shares.
    pub weight_currency: Option<Currency>,
    pub as_of: NaiveDate,
    pub pay_to: PayTo,
    pub booked_on: NaiveDate,
    pub shares: Vec<DistributionShare>,
    pub transaction_id: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub created_at: Option<DateTime<Utc>>,
}

impl Distribution {
    pub fn total_weight(&self) -> i128 {
        self.shares.iter().map(|s| i128::from(s.weight)).sum()
    }
}

// ---------------------------------------------------------------------------------------------
// A member leaving or going home

/// What to do with a member's balances when they go home or leave.
#[derive(Debug, Clone)]
pub struct MemberExit {
    pub status: MemberStatus,
    pub on: NaiveDate,
    /// How balances in the group's currency are paid out: from the cash box, the host bank or
    /// the home bank. Balances in other currencies are paid from the home bank in that currency.
    pub channel: Channel,
    /// Leave the member's capital invested (a member who returned home keeps their stake).
    pub keep_capital: bool,
    pub created_by: Option<Uuid>,
}

/// One balance paid out to a leaving member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payout {
    pub account_code: String,
    pub amount_minor: i64,
    pub currency: Currency,
}

#[derive(Debug, Clone)]
pub struct ExitOutcome {
    pub record: MemberRecord,
    pub paid: Vec<Payout>,
    pub transaction_id: Option<Uuid>,
}

/// What a member holds beyond their own accounts: a share of each investment's book value on
/// the group's basis, and the remittances they sent.
#[derive(Debug, Clone)]
pub struct MemberHoldings {
    /// Her savings, capital and payables as they stand, with what she may draw.
    pub position: crate::domain::position::MemberPosition,
    pub basis: Basis,
    pub investments: Vec<(InvestmentRecord, i64)>,
    pub remittances: Vec<Remittance>,
}
