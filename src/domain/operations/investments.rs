//! Alternative investments (cooperatives, enterprises, land) and the events of their life.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::*;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Investment {
    pub id: Uuid,
    pub group_id: Uuid,
    pub name: String,
    pub kind: InvestmentKind,
    pub sector: String,
    pub country: String,
    pub currency: Currency,
    pub partner: Option<String>,
    pub committed_minor: Option<i64>,
    pub women_led: Option<bool>,
    pub status: InvestmentStatus,
    pub status_on: Option<NaiveDate>,
    pub account_id: Uuid,
    pub account_code: String,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

/// An investment's figures, from its events whose transactions stand (not reversed).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InvestmentFigures {
    pub disbursed: i64,
    pub income: i64,
    pub capital_returned: i64,
    pub written_down: i64,
    /// The investment account's balance: disbursed less capital returned at cost and
    /// write-downs.
    pub book_value: i64,
}

impl InvestmentFigures {
    /// Takes `total` as the sum of the investment's events of `kind`.
    pub fn set_total(&mut self, kind: InvestmentEventKind, total: i64) {
        match kind {
            InvestmentEventKind::Disbursement => self.disbursed = total,
            InvestmentEventKind::Income => self.income = total,
            InvestmentEventKind::CapitalReturned => self.capital_returned = total,
            InvestmentEventKind::WriteDown => self.written_down = total,
        }
    }

    /// What the group got back or still holds, less what it put in:
    /// income + capital returned + book value − disbursed.
    pub fn net_return(&self) -> i128 {
        i128::from(self.income) + i128::from(self.capital_returned) + i128::from(self.book_value)
            - i128::from(self.disbursed)
    }

    /// Net return as a percentage of the amount disbursed, to two decimals (half away from
    /// zero); none before anything is disbursed.
    pub fn roi_percent(&self) -> Option<Decimal> {
        if self.disbursed == 0 {
            return None;
        }
        let ratio =
            Decimal::from(self.net_return()) * Decimal::ONE_HUNDRED / Decimal::from(self.disbursed);
        Some(ratio.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero))
    }
}

#[derive(Debug, Clone)]
pub struct InvestmentRecord {
    pub investment: Investment,
    pub figures: InvestmentFigures,
}

#[derive(Debug, Clone)]
pub struct NewInvestment {
    pub name: String,
    pub kind: InvestmentKind,
    pub sector: String,
    pub country: String,
    pub currency: Currency,
    pub partner: Option<String>,
    pub committed_minor: Option<i64>,
    pub women_led: Option<bool>,
    pub created_by: Option<Uuid>,
}

#[derive(Debug, Clone, Copy)]
pub struct InvestmentUpdate {
    pub status: InvestmentStatus,
    pub on: NaiveDate,
    /// Who changed it: the author of the write-down a write-off posts.
    pub created_by: Option<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvestmentEvent {
    pub id: Uuid,
    pub group_id: Uuid,
    pub investment_id: Uuid,
    pub kind: InvestmentEventKind,
    pub amount_minor: i64,
    pub currency: Currency,
    /// The group's account the money left or arrived in; none for a write-down.
    pub account_code: Option<String>,
    pub booked_on: NaiveDate,
    pub note: Option<String>,
    pub transaction_id: Uuid,
    /// The transaction that reversed this record's, if it was corrected away.
    pub reversed_by: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewInvestmentEvent {
    pub investment_id: Uuid,
    pub kind: InvestmentEventKind,
    pub amount: String,
    /// The asset account paid from or into; the home bank account in the investment's
    /// currency when absent.
    pub account: Option<AccountRef>,
    pub booked_on: NaiveDate,
    pub note: Option<String>,
    pub created_by: Option<Uuid>,
}
