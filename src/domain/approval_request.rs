//! What carrying out an operation that waited asks of the ledger: the request its maker made,
//! rebuilt from the item as it was kept (`approvals::Operation`), the maker recorded as who
//! asked for it.

use chrono::NaiveDate;
use uuid::Uuid;

use super::approvals::{ApprovalPolicy, ClosingRate, Operation};
use super::fx::{FxRate, Pair};
use super::member::{Channel, EventKind, Fund, MemberStatus, NewMemberEvent};
use super::model::{AccountRef, NewReversal};
use super::operations::{InvestmentEventKind, MemberExit, NewDistribution, NewInvestmentEvent};

/// An operation's request, as the ledger's use case for it takes it.
#[derive(Debug, Clone)]
pub enum Request {
    /// Boxed: a member event carries room for its audit record.
    Withdrawal(Box<NewMemberEvent>),
    Exit {
        member_id: Uuid,
        request: MemberExit,
    },
    Disbursement(NewInvestmentEvent),
    Distribution(NewDistribution),
    Reversal {
        transaction_id: Uuid,
        request: NewReversal,
    },
    PeriodClose {
        through: NaiveDate,
        fx_rates: Vec<FxRate>,
    },
    Policy(ApprovalPolicy),
}

impl Operation {
    /// The request `maker` made. A kept closing rate that no longer reads as a decimal is an
    /// error (it was read when the item was kept).
    pub fn request(&self, maker: Uuid) -> Result<Request, String> {
        let created_by = Some(maker);
        Ok(match self.clone() {
            Operation::Withdrawal {
                member_id,
                amount,
                channel,
                booked_on,
            } => Request::Withdrawal(Box::new(withdrawal(
                member_id, amount, channel, booked_on, created_by,
            ))),
            Operation::Exit {
                member_id,
                status,
                on,
                channel,
                keep_capital,
            } => Request::Exit {
                member_id,
                request: exit(status, on, channel, keep_capital, created_by),
            },
            Operation::Disbursement {
                investment_id,
                amount,
                account,
                booked_on,
                note,
            } => Request::Disbursement(disbursement(
                investment_id,
                amount,
                account,
                booked_on,
                note,
                created_by,
            )),
            Operation::Distribution {
                pool,
                currency,
                investment_id,
                basis,
                as_of,
                pay_to,
                booked_on,
            } => Request::Distribution(NewDistribution {
                pool,
                currency,
                investment_id,
                basis,
                as_of,
                pay_to,
                booked_on,
                dry_run: false,
                created_by,
            }),
            Operation::Reversal {
                transaction_id,
                booked_on,
                description,
            } => Request::Reversal {
                transaction_id,
                request: reversal(booked_on, description, created_by),
            },
            Operation::PeriodClose { through, fx_rates } => Request::PeriodClose {
                through,
                fx_rates: closing_rates(fx_rates)?,
            },
            Operation::Policy { policy } => Request::Policy(policy),
        })
    }
}

/// A withdrawal from the member's savings, as its maker asked for it.
fn withdrawal(
    member_id: Uuid,
    amount: String,
    channel: Channel,
    booked_on: NaiveDate,
    created_by: Option<Uuid>,
) -> NewMemberEvent {
    NewMemberEvent {
        kind: EventKind::Withdrawal,
        member_id,
        amount,
        currency: None,
        fund: Fund::Savings,
        channel,
        booked_on,
        receipt_no: None,
        created_by,
        audit: None,
    }
}

/// A member's leaving, as its maker asked for it.
fn exit(
    status: MemberStatus,
    on: NaiveDate,
    channel: Channel,
    keep_capital: bool,
    created_by: Option<Uuid>,
) -> MemberExit {
    MemberExit {
        status,
        on,
        channel,
        keep_capital,
        created_by,
    }
}

/// A reversal, as its maker asked for it.
fn reversal(
    booked_on: Option<NaiveDate>,
    description: Option<String>,
    created_by: Option<Uuid>,
) -> NewReversal {
    NewReversal {
        booked_on,
        description,
        created_by,
    }
}

/// A payment into an investment, as its maker asked for it, from the account named (the
/// investment's default if none).
fn disbursement(
    investment_id: Uuid,
    amount: String,
    account: Option<String>,
    booked_on: NaiveDate,
    note: Option<String>,
    created_by: Option<Uuid>,
) -> NewInvestmentEvent {
    NewInvestmentEvent {
        investment_id,
        kind: InvestmentEventKind::Disbursement,
        amount,
        account: account.as_deref().map(AccountRef::parse),
        booked_on,
        note,
        created_by,
    }
}

/// The closing rates kept with a period close, read again as decimals.
fn closing_rates(kept: Vec<ClosingRate>) -> Result<Vec<FxRate>, String> {
    kept.into_iter()
        .map(|r| {
            let rate = r.rate.parse().map_err(|e| format!("a kept rate: {e}"))?;
            let pair = Pair {
                base: r.base,
                quote: r.quote,
            };
            Ok(FxRate { pair, rate })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::approvals::ClosingRate;
    use crate::domain::member::Channel;
    use crate::domain::money::Currency;
    use crate::domain::operations::PayTo;

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 6).unwrap()
    }

    #[test]
    fn a_distribution_carried_out_is_never_a_dry_run_and_names_its_maker() {
        let maker = Uuid::from_u128(7);
        let kept = Operation::Distribution {
            pool: "120.00".into(),
            currency: None,
            investment_id: None,
            basis: None,
            as_of: day(),
            pay_to: PayTo::Savings,
            booked_on: day(),
        };
        let Ok(Request::Distribution(request)) = kept.request(maker) else {
            panic!("a distribution's request");
        };
        assert!(!request.dry_run);
        assert_eq!(request.created_by, Some(maker));
        assert_eq!(request.pool, "120.00");
    }

    #[test]
    fn a_withdrawal_is_from_savings_as_asked() {
        let kept = Operation::Withdrawal {
            member_id: Uuid::from_u128(9),
            amount: "6000.00".into(),
            channel: Channel::Cash,
            booked_on: day(),
        };
        let Ok(Request::Withdrawal(request)) = kept.request(Uuid::from_u128(1)) else {
            panic!("a withdrawal's request");
        };
        assert_eq!(request.kind, EventKind::Withdrawal);
        assert_eq!(request.fund, Fund::Savings);
        assert_eq!(request.amount, "6000.00");
        assert_eq!(request.member_id, Uuid::from_u128(9));
        assert_eq!(request.booked_on, day());
    }

    #[test]
    fn closing_rates_are_read_exactly_and_a_bad_one_is_an_error() {
        let rate = |text: &str| ClosingRate {
            base: Currency::parse("PHP").unwrap(),
            quote: Currency::parse("HKD").unwrap(),
            rate: text.into(),
        };
        let kept = Operation::PeriodClose {
            through: day(),
            fx_rates: vec![rate("0.1367")],
        };
        let Ok(Request::PeriodClose { fx_rates, through }) = kept.request(Uuid::nil()) else {
            panic!("a period close's request");
        };
        assert_eq!(through, day());
        assert_eq!(fx_rates[0].rate.to_string(), "0.1367");
        let broken = Operation::PeriodClose {
            through: day(),
            fx_rates: vec![rate("lots")],
        };
        assert!(broken.request(Uuid::nil()).is_err());
    }
}
