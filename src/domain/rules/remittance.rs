//! A remittance a member sends home: only its group-savings part is posted, from the home bank
//! account in the currency received to the member's savings (through FX clearing when her
//! savings are kept in the currency she sent).

use uuid::Uuid;

use super::{Chosen, Proposal, Standard, standard, to_open};
use crate::domain::account::{AccountType, Direction};
use crate::domain::error::{LedgerError, Rule};
use crate::domain::member::{MemberRecord, MemberStatus};
use crate::domain::money::{self, Currency};
use crate::domain::operations::{
    RemittanceDetails, back_convert, fx_code, home_bank_code, in_transit_code,
};

/// What a remittance is decided on: the member (`None` when the group has no member with
/// that id) and the group's accounts of [`standard_codes`].
#[derive(Debug, Clone)]
pub struct RemittanceFacts {
    pub record: Option<MemberRecord>,
    pub standard: Standard,
}

/// The standard accounts a remittance received in `received` for savings kept in `savings`
/// may post to.
pub fn standard_codes(received: Currency, savings: Currency) -> Vec<String> {
    vec![
        home_bank_code(received),
        in_transit_code(received),
        fx_code(received),
        fx_code(savings),
    ]
}

/// Where a remittance's group-savings part is posted when it is recorded: the home bank when
/// it has arrived, the in-transit account while it is on its way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destination {
    HomeBank,
    InTransit,
}

/// The transaction that credits the member's savings with the group-savings part.
#[derive(Debug, Clone)]
pub struct SavingsPosting {
    pub proposal: Proposal,
    /// What the savings are credited with, in their currency.
    pub credited_minor: i64,
    pub credited_currency: Currency,
    pub description: String,
    pub metadata: serde_json::Value,
}

fn opened(
    facts: &RemittanceFacts,
    code: String,
    name: String,
    currency: Currency,
    no_overdraft: bool,
    pointer: &str,
) -> Result<Chosen, LedgerError> {
    let wanted = to_open(code, name, AccountType::Asset, currency, no_overdraft);
    standard(&facts.standard, wanted, pointer)
}

/// What the member's savings (in `savings_currency`) are credited with for `to_savings`
/// received: the same amount in the currency received, or, when her savings are in the
/// currency she sent, what that part cost her, through FX clearing.
fn savings_credit(
    details: &RemittanceDetails,
    facts: &RemittanceFacts,
    savings_currency: Currency,
    to_savings: i64,
    proposal: &mut Proposal,
) -> Result<i64, LedgerError> {
    let received = details.receive_currency;
    if savings_currency == received {
        return Ok(to_savings);
    }
    if savings_currency != details.send_currency {
        return Err(LedgerError::rule(
            Rule::CurrencyMismatch,
            Some("/receive_currency".into()),
            format!(
                "the member's savings are in {savings_currency}; group savings must be sent or received in it"
            ),
        ));
    }
    let back = back_convert(to_savings, details)
        .filter(|m| *m > 0)
        .ok_or_else(|| {
            LedgerError::rule(
                Rule::NonPositiveAmount,
                Some("/uses".into()),
                "the group-savings part is worth less than one minor unit of the member's savings currency",
            )
        })?;
    let (code, name) = (fx_code(received), format!("FX clearing ({received})"));
    let fx_received = opened(facts, code, name, received, false, "/receive_currency")?;
    let (code, name) = (
        fx_code(savings_currency),
        format!("FX clearing ({savings_currency})"),
    );
    let fx_savings = opened(facts, code, name, savings_currency, false, "/send_currency")?;
    proposal.add(&fx_received, Direction::Credit, to_savings);
    proposal.add(&fx_savings, Direction::Debit, back);
    Ok(back)
}

/// The remittance `details` over `facts`, recorded as `id`: the posting of its group-savings
/// part (none when it has none), or the rule it breaks and the field that breaks it.
pub fn decide(
    details: &RemittanceDetails,
    facts: &RemittanceFacts,
    id: Uuid,
) -> Result<Option<SavingsPosting>, LedgerError> {
    decide_to(details, facts, id, Destination::HomeBank)
}

/// As [`decide`], with the group-savings part posted to `destination`.
pub fn decide_to(
    details: &RemittanceDetails,
    facts: &RemittanceFacts,
    id: Uuid,
    destination: Destination,
) -> Result<Option<SavingsPosting>, LedgerError> {
    let Some(record) = &facts.record else {
        return Err(LedgerError::rule(
            Rule::UnknownMember,
            Some("/member_id".into()),
            "no member of this group has this id",
        ));
    };
    let to_savings = details.group_savings_minor();
    if to_savings <= 0 {
        return Ok(None);
    }
    if record.member.status != MemberStatus::Active {
        return Err(LedgerError::rule(
            Rule::MemberNotActive,
            Some("/member_id".into()),
            format!(
                "the member's status is {}; group savings are taken from active members only",
                record.member.status.as_str()
            ),
        ));
    }
    let received = details.receive_currency;
    let savings_currency = record.savings.currency;
    let (code, name) = match destination {
        Destination::HomeBank => (home_bank_code(received), format!("Home bank ({received})")),
        Destination::InTransit => (
            in_transit_code(received),
            format!("Remittances in transit ({received})"),
        ),
    };
    let arriving = opened(facts, code, name, received, true, "/receive_currency")?;
    let mut proposal = Proposal::default();
    proposal.add(&arriving, Direction::Debit, to_savings);
    let credit = savings_credit(details, facts, savings_currency, to_savings, &mut proposal)?;
    proposal.add(
        &Chosen::Existing(record.savings.clone()),
        Direction::Credit,
        credit,
    );
    let verb = match destination {
        Destination::HomeBank => "remits",
        Destination::InTransit => "sends (in transit)",
    };
    let description = format!(
        "{} {verb} group savings ({} {})",
        record.member.name,
        money::format_amount(to_savings, received),
        received
    );
    let metadata = serde_json::json!({"event": "remittance", "event_id": id.to_string()});
    Ok(Some(SavingsPosting {
        proposal,
        credited_minor: credit,
        credited_currency: savings_currency,
        description,
        metadata,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::operations::{
        ConversionFields, Purpose, RemittanceChannel, RemittanceUse, derived_rate,
    };
    use crate::domain::rules::testing::{
        balance_after, balances, currency, day, member, post, rule_and_pointer,
    };
    use proptest::prelude::*;
    use rust_decimal::Decimal;

    /// HKD `send` sent home as PHP `receive`, `to_savings` of it for group savings.
    fn details(send: i64, receive: i64, to_savings: i64) -> RemittanceDetails {
        let (hkd, php) = (currency("HKD"), currency("PHP"));
        let mut uses = vec![RemittanceUse {
            purpose: Purpose::FamilySupport,
            amount_minor: receive - to_savings,
        }];
        if to_savings > 0 {
            uses.push(RemittanceUse {
                purpose: Purpose::GroupSavings,
                amount_minor: to_savings,
            });
        }
        RemittanceDetails {
            member_id: Uuid::nil(),
            send_amount_minor: send,
            send_currency: hkd,
            fee_minor: 0,
            receive_amount_minor: receive,
            receive_currency: php,
            applied_rate: derived_rate(send, hkd, receive, php),
            rate_derived: true,
            mid_market_rate: None,
            rate_source: None,
            provider: "p".into(),
            channel: RemittanceChannel::MoneyTransferOperator,
            send_country: "HK".into(),
            receive_country: "PH".into(),
            uses,
            booked_on: day(),
        }
    }

    fn facts(savings_currency: &str) -> RemittanceFacts {
        RemittanceFacts {
            record: Some(member("Ana", currency(savings_currency), 0, 0, &[])),
            standard: Standard::new(),
        }
    }

    #[test]
    fn an_unknown_or_inactive_member_is_refused_at_member_id() {
        let none = RemittanceFacts {
            record: None,
            standard: Standard::new(),
        };
        assert_eq!(
            rule_and_pointer(decide(&details(100, 700, 0), &none, Uuid::nil())),
            (Rule::UnknownMember, Some("/member_id".into()))
        );
        let mut gone = facts("HKD");
        if let Some(record) = gone.record.as_mut() {
            record.member.status = MemberStatus::ReturnedHome;
        }
        assert!(matches!(
            decide(&details(100, 700, 0), &gone, Uuid::nil()),
            Ok(None)
        ));
        assert_eq!(
            rule_and_pointer(decide(&details(100, 700, 70), &gone, Uuid::nil())),
            (Rule::MemberNotActive, Some("/member_id".into()))
        );
    }

    #[test]
    fn savings_in_a_third_currency_or_worth_nothing_back_are_refused() {
        assert_eq!(
            rule_and_pointer(decide(&details(100, 700, 70), &facts("USD"), Uuid::nil())),
            (Rule::CurrencyMismatch, Some("/receive_currency".into()))
        );
        // 1 PHP centavo of 700 is worth less than half an HKD cent of 100.
        assert_eq!(
            rule_and_pointer(decide(&details(100, 700, 1), &facts("HKD"), Uuid::nil())),
            (Rule::NonPositiveAmount, Some("/uses".into()))
        );
    }

    proptest::proptest! {
        /// The group-savings part posts balanced in each currency and credits the member's
        /// savings with what it is worth in their currency, never with nothing.
        #[test]
        fn a_remittance_credits_the_savings_with_its_group_savings_part(
            send in 1i64..=10_000_000,
            rate in 1i64..=100,
            share_per_mille in 0i64..=1_000,
            savings_in_received: bool,
        ) {
            let receive = send * rate;
            let to_savings = receive * share_per_mille / 1_000;
            let details = details(send, receive, to_savings);
            let facts = facts(if savings_in_received { "PHP" } else { "HKD" });
            let savings = facts.record.as_ref().map(|r| r.savings.code.clone()).unwrap_or_default();
            match decide(&details, &facts, Uuid::nil()) {
                Ok(None) => prop_assert_eq!(to_savings, 0),
                Ok(Some(posting)) => {
                    prop_assert!(balances(&posting.proposal));
                    prop_assert!(posting.credited_minor > 0);
                    let expected = if savings_in_received {
                        Some(to_savings)
                    } else {
                        back_convert(to_savings, &details)
                    };
                    prop_assert_eq!(Some(posting.credited_minor), expected);
                    prop_assert_eq!(balance_after(&posting.proposal, &savings), posting.credited_minor);
                }
                Err(refused) => {
                    prop_assert!(!savings_in_received);
                    prop_assert_eq!(back_convert(to_savings, &details).filter(|m| *m > 0), None);
                    prop_assert_eq!(
                        rule_and_pointer::<()>(Err(refused)),
                        (Rule::NonPositiveAmount, Some("/uses".into()))
                    );
                }
            }
        }

        /// For terms that pass their checks (the rate agrees with the amounts, the figures
        /// are in exact range), the cost is never negative.
        #[test]
        fn a_remittance_cost_is_never_negative_for_consistent_inputs(
            send in 1i64..=10_000_000,
            receive in 1i64..=100_000_000,
            fee in 0i64..=100_000,
            mid_units in 1i64..=10_000_000,
        ) {
            let mut details = details(send, receive, 0);
            details.fee_minor = fee;
            details.mid_market_rate = Some(Decimal::new(mid_units, 4));
            let fields = ConversionFields {
                send: "/send_amount",
                receive: "/receive_amount",
                fee: "/fee",
                applied_rate: Some("/applied_rate"),
                mid_market_rate: "/mid_market_rate",
            };
            if details.terms().check(fields).is_ok() {
                prop_assert!(details.cost().total >= Decimal::ZERO);
            }
        }
    }

    #[test]
    fn a_posting_of_group_savings_is_refused_only_by_the_ledger_when_the_home_bank_runs_short() {
        // The home bank is debited: it can never be overdrawn by a remittance.
        let posting = decide(&details(100, 700, 700), &facts("PHP"), Uuid::nil())
            .unwrap()
            .unwrap();
        assert!(post(&posting.proposal).is_ok());
    }
}
