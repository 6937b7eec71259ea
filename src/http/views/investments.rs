//! Investments and their events as the API shows them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::domain::money::{format_amount, format_total};
use crate::domain::operations::*;

#[derive(Debug, Serialize)]
pub struct InvestmentView {
    pub id: Uuid,
    pub group_id: Uuid,
    pub name: String,
    pub kind: InvestmentKind,
    pub sector: String,
    pub country: String,
    pub currency: String,
    pub partner: Option<String>,
    pub women_led: Option<bool>,
    pub status: InvestmentStatus,
    pub status_on: Option<NaiveDate>,
    pub account_id: Uuid,
    pub account_code: String,
    pub committed: Option<String>,
    pub disbursed: String,
    pub book_value: String,
    pub income_received: String,
    pub capital_returned: String,
    pub written_down: String,
    pub net_return: String,
    /// Net return as a percentage of the amount disbursed; null before any disbursement.
    pub roi_percent: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl InvestmentView {
    pub fn of(r: &InvestmentRecord) -> Self {
        let i = &r.investment;
        let f = &r.figures;
        let c = i.currency;
        InvestmentView {
            id: i.id,
            group_id: i.group_id,
            name: i.name.clone(),
            kind: i.kind,
            sector: i.sector.clone(),
            country: i.country.clone(),
            currency: c.code().to_string(),
            partner: i.partner.clone(),
            women_led: i.women_led,
            status: i.status,
            status_on: i.status_on,
            account_id: i.account_id,
            account_code: i.account_code.clone(),
            committed: i.committed_minor.map(|m| format_amount(m, c)),
            disbursed: format_amount(f.disbursed, c),
            book_value: format_amount(f.book_value, c),
            income_received: format_amount(f.income, c),
            capital_returned: format_amount(f.capital_returned, c),
            written_down: format_amount(f.written_down, c),
            net_return: format_total(f.net_return(), c),
            roi_percent: f.roi_percent().map(|r| format!("{r:.2}")),
            created_by: i.created_by,
            created_at: i.created_at,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct InvestmentEventView {
    pub id: Uuid,
    pub group_id: Uuid,
    pub investment_id: Uuid,
    pub kind: InvestmentEventKind,
    pub amount: String,
    pub currency: String,
    /// The group's account the money left or arrived in; null for a write-down.
    pub account: Option<String>,
    pub booked_on: NaiveDate,
    pub note: Option<String>,
    pub transaction_id: Uuid,
    /// The transaction that reversed this record's, if it was corrected away.
    pub reversed_by: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl InvestmentEventView {
    pub fn of(e: &InvestmentEvent) -> Self {
        InvestmentEventView {
            id: e.id,
            group_id: e.group_id,
            investment_id: e.investment_id,
            kind: e.kind,
            amount: format_amount(e.amount_minor, e.currency),
            currency: e.currency.code().to_string(),
            account: e.account_code.clone(),
            booked_on: e.booked_on,
            note: e.note.clone(),
            transaction_id: e.transaction_id,
            reversed_by: e.reversed_by,
            created_by: e.created_by,
            created_at: e.created_at,
        }
    }
}
