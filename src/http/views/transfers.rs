//! Transfers between a group's own accounts as the API shows them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::domain::money::format_amount;
use crate::domain::operations::*;

#[derive(Debug, Serialize)]
pub struct TransferView {
    pub id: Uuid,
    pub group_id: Uuid,
    pub from: String,
    pub to: String,
    pub amount: String,
    pub currency: String,
    pub receive_amount: String,
    pub receive_currency: String,
    pub fee: String,
    pub applied_rate: Option<String>,
    pub mid_market_rate: Option<String>,
    pub rate_source: Option<String>,
    pub booked_on: NaiveDate,
    pub description: String,
    pub transaction_id: Uuid,
    /// The transaction that reversed this record's, if it was corrected away.
    pub reversed_by: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl TransferView {
    pub fn of(t: &Transfer) -> Self {
        TransferView {
            id: t.id,
            group_id: t.group_id,
            from: t.from_code.clone(),
            to: t.to_code.clone(),
            amount: format_amount(t.amount_minor, t.currency),
            currency: t.currency.code().to_string(),
            receive_amount: format_amount(t.receive_amount_minor, t.receive_currency),
            receive_currency: t.receive_currency.code().to_string(),
            fee: format_amount(t.fee_minor, t.currency),
            applied_rate: t.applied_rate.map(|r| r.to_string()),
            mid_market_rate: t.mid_market_rate.map(|r| r.to_string()),
            rate_source: t.rate_source.clone(),
            booked_on: t.booked_on,
            description: t.description.clone(),
            transaction_id: t.transaction_id,
            reversed_by: t.reversed_by,
            created_by: t.created_by,
            created_at: t.created_at,
        }
    }
}
