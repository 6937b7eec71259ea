//! Remittances as the API shows them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::domain::money::{Currency, format_amount};
use crate::domain::operations::*;
use crate::domain::receipts::Receipt;
use crate::signing::{Signed, Signer};
use rust_decimal::Decimal;

#[derive(Debug, Serialize)]
pub struct UseView {
    pub purpose: Purpose,
    pub amount: String,
}

#[derive(Debug, Serialize)]
pub struct CostView {
    pub currency: String,
    pub fee: String,
    /// (mid − applied) / mid × send amount; null without a mid-market rate.
    pub fx_margin: Option<String>,
    pub total: String,
    /// Total cost as a percentage of the send amount, to two decimals.
    pub percent: String,
}

#[derive(Debug, Serialize)]
pub struct RemittanceView {
    pub id: Uuid,
    pub group_id: Uuid,
    pub member_id: Uuid,
    pub send_amount: String,
    pub send_currency: String,
    pub fee: String,
    pub receive_amount: String,
    pub receive_currency: String,
    pub applied_rate: String,
    pub applied_rate_derived: bool,
    pub mid_market_rate: Option<String>,
    pub rate_source: Option<String>,
    pub provider: String,
    pub channel: RemittanceChannel,
    pub send_country: String,
    pub receive_country: String,
    pub uses: Vec<UseView>,
    pub group_savings: String,
    /// What the member's savings were credited with, in the savings account's currency.
    pub credited_to_savings: Option<String>,
    pub credited_currency: Option<String>,
    pub cost: CostView,
    pub booked_on: NaiveDate,
    pub transaction_id: Option<Uuid>,
    /// The transaction that reversed this record's, if it was corrected away.
    pub reversed_by: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    /// The member's signed receipt (docs/RECEIPTS.md) when the group's books carry the
    /// remittance (it has a transaction); `None` otherwise.
    pub receipt: Option<Signed>,
    /// `arrived`, or `in_transit` until it is `completed` or `failed`.
    pub status: RemittanceStatus,
    /// How a remittance sent in transit ended; null until then.
    pub settlement: Option<SettlementView>,
}

/// How a remittance sent in transit ended.
#[derive(Debug, Serialize)]
pub struct SettlementView {
    pub booked_on: NaiveDate,
    /// For a completion: the amount expected when it was sent (the remittance shows what
    /// arrived).
    pub expected_receive_amount: Option<String>,
    /// For a failure: what the provider kept of the group-savings part, in the receive currency.
    pub fee_kept: Option<String>,
    pub transaction_id: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl SettlementView {
    fn of(s: &Settlement, receive: Currency) -> Self {
        SettlementView {
            booked_on: s.booked_on,
            expected_receive_amount: s.expected_receive_minor.map(|m| format_amount(m, receive)),
            fee_kept: s.fee_kept_minor.map(|m| format_amount(m, receive)),
            transaction_id: s.transaction_id,
            created_by: s.created_by,
            created_at: s.created_at,
        }
    }
}

impl RemittanceView {
    /// The record with the member's receipt, signed by `signer`.
    pub fn of(r: &Remittance, signer: &Signer) -> Self {
        let d = &r.details;
        let cost = d.cost();
        let scale = d.send_currency.exponent();
        let fixed = |v: Decimal| format!("{:.*}", scale as usize, v);
        RemittanceView {
            id: r.id,
            group_id: r.group_id,
            member_id: d.member_id,
            send_amount: format_amount(d.send_amount_minor, d.send_currency),
            send_currency: d.send_currency.code().to_string(),
            fee: format_amount(d.fee_minor, d.send_currency),
            receive_amount: format_amount(d.receive_amount_minor, d.receive_currency),
            receive_currency: d.receive_currency.code().to_string(),
            applied_rate: d.applied_rate.to_string(),
            applied_rate_derived: d.rate_derived,
            mid_market_rate: d.mid_market_rate.map(|m| m.to_string()),
            rate_source: d.rate_source.clone(),
            provider: d.provider.clone(),
            channel: d.channel,
            send_country: d.send_country.clone(),
            receive_country: d.receive_country.clone(),
            uses: d
                .uses
                .iter()
                .map(|u| UseView {
                    purpose: u.purpose,
                    amount: format_amount(u.amount_minor, d.receive_currency),
                })
                .collect(),
            group_savings: format_amount(d.group_savings_minor(), d.receive_currency),
            credited_to_savings: r
                .credited_minor
                .zip(r.credited_currency)
                .map(|(m, c)| format_amount(m, c)),
            credited_currency: r.credited_currency.map(|c| c.code().to_string()),
            cost: CostView {
                currency: d.send_currency.code().to_string(),
                fee: format_amount(d.fee_minor, d.send_currency),
                fx_margin: cost.fx_margin.map(fixed),
                total: fixed(cost.total),
                percent: format!("{:.2}", cost.percent),
            },
            booked_on: d.booked_on,
            transaction_id: r.transaction_id,
            reversed_by: r.reversed_by,
            created_by: r.created_by,
            created_at: r.created_at,
            receipt: Receipt::of_remittance(r).map(|receipt| signer.sign(receipt.document())),
            status: r.status,
            settlement: r
                .settlement
                .as_ref()
                .map(|s| SettlementView::of(s, d.receive_currency)),
        }
    }
}
