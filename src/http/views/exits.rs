//! A member's exit as the API shows it.

use serde::Serialize;
use uuid::Uuid;

use crate::domain::money::format_amount;
use crate::domain::operations::*;
use crate::http::views::*;

#[derive(Debug, Serialize)]
pub struct PayoutView {
    pub account: String,
    pub amount: String,
    pub currency: String,
}

#[derive(Debug, Serialize)]
pub struct ExitView {
    pub member: MemberView,
    pub paid: Vec<PayoutView>,
    pub transaction_id: Option<Uuid>,
}

impl ExitView {
    pub fn of(e: &ExitOutcome) -> Self {
        ExitView {
            member: MemberView::of(&e.record),
            paid: e
                .paid
                .iter()
                .map(|p| PayoutView {
                    account: p.account_code.clone(),
                    amount: format_amount(p.amount_minor, p.currency),
                    currency: p.currency.code().to_string(),
                })
                .collect(),
            transaction_id: e.transaction_id,
        }
    }
}
