//! Remittances: what a member sent home, at what rate and fees, and what it cost her.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RemittanceUse {
    pub purpose: Purpose,
    pub amount_minor: i64,
}

/// A remittance as recorded: every field checked, amounts in minor units of their currencies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemittanceDetails {
    pub member_id: Uuid,
    pub send_amount_minor: i64,
    pub send_currency: Currency,
    pub fee_minor: i64,
    pub receive_amount_minor: i64,
    pub receive_currency: Currency,
    /// Units of the receive currency per unit of the send currency.
    pub applied_rate: Decimal,
    pub rate_derived: bool,
    pub mid_market_rate: Option<Decimal>,
    pub rate_source: Option<String>,
    pub provider: String,
    pub channel: RemittanceChannel,
    pub send_country: String,
    pub receive_country: String,
    pub uses: Vec<RemittanceUse>,
    pub booked_on: NaiveDate,
}

impl RemittanceDetails {
    /// The part of the amount received that is the member's group savings.
    pub fn group_savings_minor(&self) -> i64 {
        self.uses
            .iter()
            .filter(|u| u.purpose == Purpose::GroupSavings)
            .map(|u| u.amount_minor)
            .sum()
    }

    /// The cost as the World Bank's Remittance Prices Worldwide measures it, in the send
    /// currency: fee + FX margin, where FX margin = (mid − applied) / mid × send amount. Without
    /// a mid-market rate the margin is unknown and the cost is the fee alone.
    pub fn cost(&self) -> RemittanceCost {
        self.terms().cost().unwrap_or_else(|| {
            // Only a record kept before rates were checked can be out of exact range: its
            // margin is then unknown, as without a mid-market rate.
            let mut terms = self.terms();
            terms.mid_market_rate = None;
            terms.cost().unwrap_or(RemittanceCost {
                fx_margin: None,
                total: Decimal::ZERO,
                percent: Decimal::ZERO,
            })
        })
    }

    /// The remittance's terms of conversion, as a transfer's are checked.
    pub fn terms(&self) -> ConversionTerms {
        ConversionTerms {
            send_minor: self.send_amount_minor,
            send_currency: self.send_currency,
            receive_minor: self.receive_amount_minor,
            receive_currency: self.receive_currency,
            fee_minor: self.fee_minor,
            applied_rate: self.applied_rate,
            mid_market_rate: self.mid_market_rate,
        }
    }
}

/// What was sent, received and paid for a conversion (a remittance or a transfer between two
/// currencies), with the rate applied and, if known, the mid-market rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConversionTerms {
    pub send_minor: i64,
    pub send_currency: Currency,
    pub receive_minor: i64,
    pub receive_currency: Currency,
    pub fee_minor: i64,
    /// Units of the receive currency per unit of the send currency.
    pub applied_rate: Decimal,
    pub mid_market_rate: Option<Decimal>,
}

/// Where each part of a conversion was given in the request, for the errors that name them.
#[derive(Debug, Clone, Copy)]
pub struct ConversionFields {
    pub send: &'static str,
    pub receive: &'static str,
    pub fee: &'static str,
    /// `None` when the rate was derived from the amounts rather than given.
    pub applied_rate: Option<&'static str>,
    pub mid_market_rate: &'static str,
}

impl ConversionTerms {
    /// The cost as the World Bank's Remittance Prices Worldwide measures it, in the send
    /// currency: fee + FX margin, where FX margin = (mid − applied) / mid × send amount,
    /// rounded half to even to the send currency's minor unit; the percentage of the send
    /// amount to two decimals, half to even. Without a mid-market rate the margin is unknown
    /// and the cost is the fee alone. `None` when a figure is beyond exact arithmetic.
    pub fn cost(&self) -> Option<RemittanceCost> {
        let send = money::to_decimal(self.send_minor, self.send_currency);
        let fee = money::to_decimal(self.fee_minor, self.send_currency);
        let scale = self.send_currency.exponent();
        let fx_margin = match self.mid_market_rate.filter(|mid| !mid.is_zero()) {
            None => None,
            Some(mid) => Some(
                (mid.checked_sub(self.applied_rate)?)
                    .checked_div(mid)?
                    .checked_mul(send)?
                    .round_dp_with_strategy(
                        scale,
                        rust_decimal::RoundingStrategy::MidpointNearestEven,
                    ),
            ),
        };
        let total = fee.checked_add(fx_margin.unwrap_or(Decimal::ZERO))?;
        let percent = total
            .checked_mul(Decimal::ONE_HUNDRED)?
            .checked_div(send)?
            .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointNearestEven);
        Some(RemittanceCost {
            fx_margin,
            total,
            percent,
        })
    }

    /// Whether the applied rate could have turned the amount sent into the amount received
    /// once each was rounded to its minor unit: |send × rate − receive| is at most one minor
    /// unit of the receive currency plus rate × one minor unit of the send currency (either
    /// amount may have been rounded, or cut, by up to one of its units).
    pub fn rate_agrees(&self) -> bool {
        let send = money::to_decimal(self.send_minor, self.send_currency);
        let receive = money::to_decimal(self.receive_minor, self.receive_currency);
        let send_unit = money::to_decimal(1, self.send_currency);
        let receive_unit = money::to_decimal(1, self.receive_currency);
        let check = || -> Option<bool> {
            let implied = send.checked_mul(self.applied_rate)?;
            let gap = implied.checked_sub(receive)?.abs();
            let slack = receive_unit.checked_add(self.applied_rate.checked_mul(send_unit)?)?;
            Some(gap <= slack)
        };
        check().unwrap_or(false)
    }

    /// Refuses terms whose applied rate disagrees with the amounts, and terms whose cost
    /// would be negative (an applied rate so far above the mid-market rate that the margin
    /// more than pays the fee), naming every field involved.
    pub fn check(&self, fields: ConversionFields) -> Result<(), LedgerError> {
        use crate::domain::error::FieldError;
        let (send, receive) = (self.send_currency, self.receive_currency);
        let sent = format!("{} {send}", money::format_amount(self.send_minor, send));
        let received = format!(
            "{} {receive}",
            money::format_amount(self.receive_minor, receive)
        );
        // Within one currency the rate is 1 by rule, and what arrives may still differ from
        // what left (charges at the far end): the amounts are not held to the rate.
        if let Some(rate_field) = fields.applied_rate
            && send != receive
            && !self.rate_agrees()
        {
            let implied = derived_rate(self.send_minor, send, self.receive_minor, receive);
            let detail = format!(
                "the applied rate {} does not turn {sent} into {received} (those amounts imply {implied}); \
                 the rate and the amounts may differ by the rounding of a minor unit only",
                self.applied_rate
            );
            return Err(LedgerError::Invalid(vec![
                FieldError::new(rate_field, detail.clone()),
                FieldError::new(fields.send, detail.clone()),
                FieldError::new(fields.receive, detail),
            ]));
        }
        let Some(cost) = self.cost() else {
            let detail = "the rates and amounts are beyond exact arithmetic; check them";
            let mut errors = vec![FieldError::new(fields.mid_market_rate, detail)];
            if let Some(rate_field) = fields.applied_rate {
                errors.push(FieldError::new(rate_field, detail));
            }
            return Err(LedgerError::Invalid(errors));
        };
        if cost.total < Decimal::ZERO {
            let margin = cost.fx_margin.unwrap_or(Decimal::ZERO);
            let detail = format!(
                "the cost would be {} {send} ({} %): the fee of {} {send} plus an FX margin of {margin} {send}, \
                 since the applied rate {} is above the mid-market rate {}; a cost cannot be negative, so check the rates",
                cost.total,
                cost.percent,
                money::format_amount(self.fee_minor, send),
                self.applied_rate,
                self.mid_market_rate.unwrap_or_default(),
            );
            let mut errors = vec![
                FieldError::new(
                    fields.applied_rate.unwrap_or(fields.receive),
                    detail.clone(),
                ),
                FieldError::new(fields.mid_market_rate, detail.clone()),
            ];
            errors.push(FieldError::new(fields.fee, detail));
            return Err(LedgerError::Invalid(errors));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemittanceCost {
    pub fx_margin: Option<Decimal>,
    pub total: Decimal,
    pub percent: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remittance {
    pub id: Uuid,
    pub group_id: Uuid,
    pub details: RemittanceDetails,
    /// What the member's savings were credited with, in the savings account's currency.
    pub credited_minor: Option<i64>,
    pub credited_currency: Option<Currency>,
    pub transaction_id: Option<Uuid>,
    /// Where that transaction stands in the group's chain, which the member's receipt names.
    pub chain: Option<crate::domain::receipts::ChainPosition>,
    /// The transaction that reversed this record's, if it was corrected away.
    pub reversed_by: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    /// Arrived at once, or sent in transit and how that ended (`settlement`).
    pub status: RemittanceStatus,
    pub settlement: Option<Settlement>,
}

/// Derives the applied rate (receive per send unit) when none is given: exact to 10 decimals.
pub fn derived_rate(
    send_minor: i64,
    send: Currency,
    receive_minor: i64,
    receive: Currency,
) -> Decimal {
    let s = money::to_decimal(send_minor, send);
    let r = money::to_decimal(receive_minor, receive);
    (r / s)
        .round_dp_with_strategy(10, rust_decimal::RoundingStrategy::MidpointNearestEven)
        .normalize()
}

/// Converts `amount_minor` of the receive currency back into the send currency at the
/// remittance's own terms (send amount / receive amount), rounding half to even to the minor
/// unit.
pub fn back_convert(amount_minor: i64, details: &RemittanceDetails) -> Option<i64> {
    let numerator = i128::from(amount_minor) * i128::from(details.send_amount_minor);
    let denominator = i128::from(details.receive_amount_minor);
    if denominator == 0 {
        return None;
    }
    let quotient = numerator / denominator;
    let remainder = numerator % denominator;
    let twice = 2 * remainder;
    let rounded = if twice > denominator || (twice == denominator && quotient % 2 == 1) {
        quotient + 1
    } else {
        quotient
    };
    i64::try_from(rounded).ok()
}

#[derive(Debug, Clone)]
pub struct RemittanceQuery {
    pub member_id: Option<Uuid>,
    /// `false` leaves out remittances whose transaction was reversed.
    pub include_reversed: bool,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub after: Option<Uuid>,
    pub limit: u32,
}
