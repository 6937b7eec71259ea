//! Remittances sent but not yet arrived: how one stands, and what completing it (arrival
//! confirmed) or failing it (the money came back) asks for.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::*;

text_enum!(
    /// Where a remittance stands: recorded as arrived at once (the default), sent and not yet
    /// arrived, or sent and then completed or failed.
    RemittanceStatus {
        Arrived => "arrived",
        InTransit => "in_transit",
        Completed => "completed",
        Failed => "failed",
    }
);

/// How a remittance sent in transit ended: completed or failed, on which date, with which
/// transaction (none when it had no group-savings part to move).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settlement {
    pub outcome: RemittanceStatus,
    pub booked_on: NaiveDate,
    /// For a failure: the part of the group-savings money in transit the provider kept, in
    /// the receive currency.
    pub fee_kept_minor: Option<i64>,
    /// For a completion: the amount expected when it was sent, in the receive currency.
    pub expected_receive_minor: Option<i64>,
    pub transaction_id: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

/// Arrival confirmed: what was actually received (amounts as the request gave them, read in
/// the remittance's currencies by the rule) and, if they changed, the rates, fee and uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletionRequest {
    pub receive_amount: String,
    pub fee: Option<String>,
    pub applied_rate: Option<Decimal>,
    pub mid_market_rate: Option<Decimal>,
    /// The uses of the amount received, each `(purpose, amount)`; `None` keeps those recorded.
    pub uses: Option<Vec<(Purpose, String)>>,
    pub booked_on: NaiveDate,
}

/// The remittance failed or was returned: the part of the group-savings money the provider
/// kept (in the receive currency), if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureRequest {
    pub fee_kept: Option<String>,
    pub booked_on: NaiveDate,
}

/// The account a remittance's group-savings part waits in between sending and arrival.
pub fn in_transit_code(currency: Currency) -> String {
    format!("assets:in-transit:{currency}")
}
