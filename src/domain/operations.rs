//! What a savings group does with its money beyond members' deposits: remittances, transfers
//! between its own accounts (sending funds home), alternative investments, distributions of
//! surplus, and paying out a member who leaves. Each is recorded in the treasurer's words; the
//! store writes the balanced transaction from the group's chart of accounts.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::error::{LedgerError, Rule};
use super::member::{Channel, MemberRecord, MemberStatus};
use super::model::AccountRef;
use super::money::{self, Currency};

/// Parses an amount for a field whose currency is known only to the store.
pub fn positive_amount(text: &str, currency: Currency, pointer: &str) -> Result<i64, LedgerError> {
    money::parse_positive_amount(text, currency).map_err(|e| amount_refusal(e, pointer))
}

/// Checks an amount at `pointer` as far as it can be before its currency is known (see
/// [`money::check_amount_text`]), refusing it as [`positive_amount`] would.
pub fn amount_text(text: &str, positive: bool, pointer: &str) -> Result<(), LedgerError> {
    money::check_amount_text(text, positive).map_err(|e| amount_refusal(e, pointer))
}

fn amount_refusal(error: money::AmountError, pointer: &str) -> LedgerError {
    match error {
        money::AmountError::NotPositive => LedgerError::rule(
            Rule::NonPositiveAmount,
            Some(pointer.into()),
            "the amount must be greater than zero",
        ),
        e => LedgerError::invalid(pointer, format!("amount {e}")),
    }
}

macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }
        }
    };
}

text_enum!(
    /// Where a group stands with the network: provisional until accredited.
    GroupStatus { Provisional => "provisional", Accredited => "accredited", Suspended => "suspended", Closed => "closed" }
);

text_enum!(
    /// How a distribution weighs members: savings balance on a date, capital, or equal shares.
    Basis { Savings => "savings", Capital => "capital", Equal => "equal" }
);

text_enum!(
    /// Where each member's share of a distribution goes.
    PayTo { Payable => "payable", Savings => "savings", Capital => "capital" }
);

text_enum!(
    InvestmentKind {
        Cooperative => "cooperative",
        Enterprise => "enterprise",
        Livelihood => "livelihood",
        Land => "land",
        Deposit => "deposit",
        Other => "other",
    }
);

text_enum!(
    InvestmentStatus { Active => "active", Exited => "exited", WrittenOff => "written_off" }
);

text_enum!(
    InvestmentEventKind {
        Disbursement => "disbursement",
        Income => "income",
        CapitalReturned => "capital_returned",
        WriteDown => "write_down",
    }
);

text_enum!(
    /// How a remittance was sent.
    RemittanceChannel {
        Bank => "bank",
        MoneyTransferOperator => "money_transfer_operator",
        MobileWallet => "mobile_wallet",
        Post => "post",
    }
);

text_enum!(
    /// What the money received is used for.
    Purpose {
        FamilySupport => "family_support",
        Education => "education",
        Health => "health",
        GroupSavings => "group_savings",
        Investment => "investment",
        Debt => "debt",
        Other => "other",
    }
);

/// The group's status, its dates, and how it shares out surplus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupProfile {
    pub status: GroupStatus,
    pub status_on: Option<NaiveDate>,
    pub accredited_on: Option<NaiveDate>,
    pub distribution_basis: Basis,
    /// Where the group meets: "today" for the group is the date there.
    pub time_zone: super::dates::Tz,
}

#[derive(Debug, Clone, Default)]
pub struct GroupUpdate {
    pub status: Option<(GroupStatus, NaiveDate)>,
    pub distribution_basis: Option<Basis>,
    pub time_zone: Option<super::dates::Tz>,
}

impl GroupStatus {
    /// provisional → accredited → suspended ⇄ accredited; any but closed → closed (final).
    pub fn may_become(self, next: GroupStatus) -> bool {
        use GroupStatus::*;
        matches!(
            (self, next),
            (Provisional, Accredited)
                | (Accredited, Suspended)
                | (Suspended, Accredited)
                | (Provisional | Accredited | Suspended, Closed)
        )
    }
}

// ---------------------------------------------------------------------------------------------
// Investments

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

/// The code of an investment's own asset account.
pub fn investment_code(investment_id: Uuid) -> String {
    format!("assets:investments:{investment_id}")
}

pub fn home_bank_code(currency: Currency) -> String {
    format!("assets:home-bank:{currency}")
}

pub fn fx_code(currency: Currency) -> String {
    format!("assets:fx:{currency}")
}

pub fn undistributed_code(currency: Currency) -> String {
    format!("equity:undistributed:{currency}")
}

pub fn investment_income_code(currency: Currency) -> String {
    format!("income:investments:{currency}")
}

pub fn fees_code(currency: Currency) -> String {
    format!("expense:fees:{currency}")
}

pub fn impairment_code(currency: Currency) -> String {
    format!("expense:impairment:{currency}")
}

pub fn fx_gain_code(currency: Currency) -> String {
    format!("income:fx-gain:{currency}")
}

pub fn fx_loss_code(currency: Currency) -> String {
    format!("expense:fx-loss:{currency}")
}

/// The accounts a new group gets in its own currency: (code, name, type, no_overdraft). Other
/// currencies' accounts, members' and investments' accounts are opened as they are needed.
pub fn standard_chart(
    currency: Currency,
) -> Vec<(String, String, super::account::AccountType, bool)> {
    use super::account::AccountType::*;
    vec![
        (
            format!("assets:cash:{currency}"),
            format!("Cash box ({currency})"),
            Asset,
            true,
        ),
        (
            format!("assets:bank:{currency}"),
            format!("Bank or e-wallet ({currency})"),
            Asset,
            true,
        ),
        (
            fx_code(currency),
            format!("FX clearing ({currency})"),
            Asset,
            false,
        ),
        (
            super::member::social_fund_code(currency),
            format!("Social fund ({currency})"),
            Liability,
            true,
        ),
        (
            undistributed_code(currency),
            format!("Undistributed surplus ({currency})"),
            Equity,
            false,
        ),
        (
            investment_income_code(currency),
            format!("Investment income ({currency})"),
            Income,
            false,
        ),
        (
            fx_gain_code(currency),
            format!("FX gain ({currency})"),
            Income,
            false,
        ),
        (
            fees_code(currency),
            format!("Fees ({currency})"),
            Expense,
            false,
        ),
        (
            fx_loss_code(currency),
            format!("FX loss ({currency})"),
            Expense,
            false,
        ),
        (
            impairment_code(currency),
            format!("Impairment ({currency})"),
            Expense,
            false,
        ),
    ]
}

/// A member's payable account in a currency: distributions declared and not yet paid.
pub fn payable_code(member_id: Uuid, currency: Currency) -> String {
    format!("liabilities:payable:{member_id}:{currency}")
}

// ---------------------------------------------------------------------------------------------
// Remittances

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
        use super::error::FieldError;
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
    /// The transaction that reversed this record's, if it was corrected away.
    pub reversed_by: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
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

// ---------------------------------------------------------------------------------------------
// Transfers between the group's own accounts

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
    pub position: super::position::MemberPosition,
    pub basis: Basis,
    pub investments: Vec<(InvestmentRecord, i64)>,
    pub remittances: Vec<Remittance>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn details(
        send: i64,
        receive: i64,
        fee: i64,
        applied: &str,
        mid: Option<&str>,
    ) -> RemittanceDetails {
        RemittanceDetails {
            member_id: Uuid::nil(),
            send_amount_minor: send,
            send_currency: Currency::parse("HKD").unwrap(),
            fee_minor: fee,
            receive_amount_minor: receive,
            receive_currency: Currency::parse("PHP").unwrap(),
            applied_rate: applied.parse().unwrap(),
            rate_derived: false,
            mid_market_rate: mid.map(|m| m.parse().unwrap()),
            rate_source: None,
            provider: "p".into(),
            channel: RemittanceChannel::MoneyTransferOperator,
            send_country: "HK".into(),
            receive_country: "PH".into(),
            uses: vec![],
            booked_on: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        }
    }

    #[test]
    fn cost_is_fee_plus_fx_margin_as_a_percentage_of_the_send_amount() {
        // HKD 1,000 at 7.00 where mid is 7.20, fee HKD 30:
        // margin = 0.20 / 7.20 × 1000 = 27.78, total 57.78 = 5.78 %.
        let d = details(100_000, 700_000, 3_000, "7.00", Some("7.20"));
        let cost = d.cost();
        assert_eq!(cost.fx_margin, Some("27.78".parse().unwrap()));
        assert_eq!(cost.total, "57.78".parse::<Decimal>().unwrap());
        assert_eq!(cost.percent, "5.78".parse::<Decimal>().unwrap());
    }

    #[test]
    fn without_a_mid_market_rate_the_cost_is_the_fee() {
        let d = details(100_000, 700_000, 2_500, "7.00", None);
        let cost = d.cost();
        assert_eq!(cost.fx_margin, None);
        assert_eq!(cost.percent, "2.50".parse::<Decimal>().unwrap());
    }

    #[test]
    fn rates_are_derived_and_amounts_converted_back_exactly() {
        let hkd = Currency::parse("HKD").unwrap();
        let php = Currency::parse("PHP").unwrap();
        assert_eq!(
            derived_rate(500_000, hkd, 3_500_000, php),
            "7".parse::<Decimal>().unwrap()
        );
        let d = details(300, 1_000, 0, "3.3333333333", None);
        // 1.00 PHP of 10.00 received for 3.00 HKD is 0.30 HKD; 0.05 PHP is 0.015 → 0.02 (even).
        assert_eq!(back_convert(100, &d), Some(30));
        assert_eq!(back_convert(5, &d), Some(2));
        assert_eq!(back_convert(15, &d), Some(4));
    }

    #[test]
    fn a_rate_far_from_the_amounts_or_a_negative_cost_is_refused() {
        // 9.9 given where HKD 1,000 bought PHP 7,000.
        let refused = details(100_000, 700_000, 2_000, "9.9", Some("7.10")).terms();
        assert!(!refused.rate_agrees());
        let fields = ConversionFields {
            send: "/send_amount",
            receive: "/receive_amount",
            fee: "/fee",
            applied_rate: Some("/applied_rate"),
            mid_market_rate: "/mid_market_rate",
        };
        let pointers = |e: LedgerError| match e {
            LedgerError::Invalid(fields) => {
                fields.into_iter().map(|f| f.pointer).collect::<Vec<_>>()
            }
            other => panic!("{other:?}"),
        };
        assert_eq!(
            pointers(refused.check(fields).unwrap_err()),
            ["/applied_rate", "/send_amount", "/receive_amount"]
        );
        // At 7.00 against a mid-market 6.50 the margin is −76.92 and the fee 20: cost −56.92.
        let negative = details(100_000, 700_000, 2_000, "7", Some("6.50")).terms();
        assert_eq!(
            negative.cost().unwrap().total,
            "-56.92".parse::<Decimal>().unwrap()
        );
        assert_eq!(
            pointers(negative.check(fields).unwrap_err()),
            ["/applied_rate", "/mid_market_rate", "/fee"]
        );
        assert!(
            details(100_000, 700_000, 2_000, "7", Some("7.20"))
                .terms()
                .check(fields)
                .is_ok()
        );
    }

    proptest::proptest! {
        /// Any rate, applied to any amount and rounded to the receive currency's minor unit,
        /// agrees with the amounts; and so does the rate derived from them.
        #[test]
        fn a_rate_and_the_amount_it_gives_always_agree(
            send in 1i64..=10_000_000_000,
            rate_units in 1i64..=10_000_000,
            scale in 0u32..=6,
        ) {
            let rate = Decimal::new(rate_units, scale);
            let receive = (Decimal::new(send, 2) * rate)
                .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointNearestEven);
            let mut receive = receive;
            receive.rescale(2);
            let receive_minor = i64::try_from(receive.mantissa()).unwrap();
            proptest::prop_assume!(receive_minor > 0);
            let mut d = details(send, receive_minor, 0, "1", None);
            d.applied_rate = rate;
            proptest::prop_assert!(d.terms().rate_agrees());
            let hkd = Currency::parse("HKD").unwrap();
            let php = Currency::parse("PHP").unwrap();
            d.applied_rate = derived_rate(send, hkd, receive_minor, php);
            proptest::prop_assert!(d.terms().rate_agrees());
        }
    }

    #[test]
    fn group_status_moves_forward_and_closed_is_final() {
        use GroupStatus::*;
        assert!(Provisional.may_become(Accredited));
        assert!(Accredited.may_become(Suspended));
        assert!(Suspended.may_become(Accredited));
        assert!(Suspended.may_become(Closed));
        assert!(!Closed.may_become(Accredited));
        assert!(!Accredited.may_become(Provisional));
        assert!(!Provisional.may_become(Suspended));
    }

    #[test]
    fn return_on_investment() {
        let f = InvestmentFigures {
            disbursed: 10_000,
            income: 1_500,
            capital_returned: 2_000,
            written_down: 1_000,
            book_value: 7_000,
        };
        assert_eq!(f.net_return(), 500);
        assert_eq!(f.roi_percent(), Some("5.00".parse().unwrap()));
        assert_eq!(InvestmentFigures::default().roi_percent(), None);
    }
}
