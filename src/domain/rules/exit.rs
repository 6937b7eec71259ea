//! A member leaving: every balance she is paid is taken out of her account and out of the
//! group's account the channel names (the home bank for money held in another currency).

use uuid::Uuid;

use super::{Chosen, Proposal, Standard, standard, to_open};
use crate::domain::account::{AccountType, Direction};
use crate::domain::error::{Conflict, LedgerError};
use crate::domain::member::{MemberRecord, MemberStatus};
use crate::domain::money::Currency;
use crate::domain::operations::{MemberExit, Payout, home_bank_code};
use crate::domain::position::MemberPosition;

/// What an exit is decided on: the member with her position as it stands, the group's
/// currency, and the group's accounts of [`standard_codes`].
#[derive(Debug, Clone)]
pub struct ExitFacts {
    pub group_currency: Currency,
    pub record: MemberRecord,
    pub position: MemberPosition,
    pub standard: Standard,
}

/// The account a payout in `currency` is paid from, and how it is named.
fn source(group_currency: Currency, request: &MemberExit, currency: Currency) -> (String, String) {
    // The group's own currency is paid through the chosen channel; money held in another
    // currency is held at home, and is paid from the home bank account.
    if currency == group_currency {
        (
            request.channel.asset_code(currency),
            format!("{} ({currency})", request.channel.as_str()),
        )
    } else {
        (home_bank_code(currency), format!("home bank ({currency})"))
    }
}

/// The accounts an exit of the member holding `position` may pay from.
pub fn standard_codes(
    group_currency: Currency,
    position: &MemberPosition,
    request: &MemberExit,
) -> Vec<String> {
    position
        .payouts(request.keep_capital)
        .map(|h| source(group_currency, request, h.account.currency).0)
        .collect()
}

/// An exit decided: what is paid, and the transaction that pays it (none when the member
/// holds nothing to pay).
#[derive(Debug, Clone)]
pub struct ExitDecision {
    pub paid: Vec<Payout>,
    pub posting: Option<(Proposal, String, serde_json::Value)>,
}

/// The exit `request` of the member in `facts`: her payouts and their transaction, or why she
/// cannot leave so.
pub fn decide(
    request: &MemberExit,
    member_id: Uuid,
    facts: &ExitFacts,
) -> Result<ExitDecision, LedgerError> {
    if facts.record.member.status == MemberStatus::Exited {
        return Err(LedgerError::conflict(
            Conflict::MemberExited,
            "the member has exited the group and was paid out",
        ));
    }
    let mut proposal = Proposal::default();
    let mut paid = Vec::new();
    for holding in facts.position.payouts(request.keep_capital) {
        let (account, balance) = (&holding.account, holding.balance_minor);
        let currency = account.currency;
        let (code, name) = source(facts.group_currency, request, currency);
        let wanted = to_open(code, name, AccountType::Asset, currency, true);
        let source = standard(&facts.standard, wanted, "/channel")?;
        proposal.add(
            &Chosen::Existing(account.clone()),
            Direction::Debit,
            balance,
        );
        proposal.add(&source, Direction::Credit, balance);
        paid.push(Payout {
            account_code: account.code.clone(),
            amount_minor: balance,
            currency,
        });
    }
    if proposal.lines.is_empty() {
        return Ok(ExitDecision {
            paid,
            posting: None,
        });
    }
    let description = format!(
        "{} {}: balances paid out",
        facts.record.member.name,
        request.status.as_str().replace('_', " ")
    );
    let metadata = serde_json::json!({"event": "member_exit", "member_id": member_id.to_string()});
    // The member's balances are paid in full, so only the source the channel chose can run
    // short.
    proposal.point_overdrafts(|_| "/channel");
    Ok(ExitDecision {
        paid,
        posting: Some((proposal, description, metadata)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::error::Rule;
    use crate::domain::member::Channel;
    use crate::domain::model::Account;
    use crate::domain::rules::testing::{
        account, balance_after, balances, currency, day, member, post, rule_and_pointer,
    };

    fn request(keep_capital: bool) -> MemberExit {
        MemberExit {
            status: MemberStatus::Exited,
            on: day(),
            channel: Channel::Cash,
            keep_capital,
            created_by: None,
        }
    }

    fn facts(record: MemberRecord, cash_held: Option<i64>) -> ExitFacts {
        let hkd = currency("HKD");
        let position = MemberPosition::current(hkd, &record);
        let mut standard = Standard::new();
        if let Some(held) = cash_held {
            let cash = account("assets:cash:HKD", AccountType::Asset, hkd, held);
            let php = currency("PHP");
            let home = account("assets:home-bank:PHP", AccountType::Asset, php, 10_000_000);
            standard.insert(cash.code.clone(), cash);
            standard.insert(home.code.clone(), home);
        }
        ExitFacts {
            group_currency: hkd,
            record,
            position,
            standard,
        }
    }

    #[test]
    fn a_member_who_exited_cannot_exit_again() {
        let mut record = member("Ana", currency("HKD"), 0, 0, &[]);
        record.member.status = MemberStatus::Exited;
        let id = record.member.id;
        match decide(&request(false), id, &facts(record, None)) {
            Err(LedgerError::Conflict { conflict, .. }) => {
                assert_eq!(conflict, Conflict::MemberExited)
            }
            other => panic!("expected a conflict, got {other:?}"),
        }
    }

    #[test]
    fn a_member_holding_nothing_leaves_without_a_transaction() {
        let record = member("Ana", currency("HKD"), 0, 0, &[]);
        let id = record.member.id;
        let decided = decide(&request(false), id, &facts(record, None)).unwrap();
        assert!(decided.paid.is_empty());
        assert!(decided.posting.is_none());
    }

    #[test]
    fn a_cash_box_short_of_the_payout_is_refused_at_the_channel() {
        let record = member("Ana", currency("HKD"), 500, 0, &[]);
        let id = record.member.id;
        let decided = decide(&request(false), id, &facts(record, Some(499))).unwrap();
        let (proposal, _, _) = decided.posting.unwrap();
        assert_eq!(
            rule_and_pointer(post(&proposal)),
            (Rule::Overdraft, Some("/channel".into()))
        );
    }

    proptest::proptest! {
        /// An exit pays out exactly what the member held (her capital only unless she keeps
        /// it invested) and leaves every account it pays from at zero.
        #[test]
        fn an_exit_leaves_the_member_at_zero_and_pays_exactly_what_she_held(
            savings in -1_000i64..=1_000_000,
            capital in -1_000i64..=1_000_000,
            payable_hkd in 0i64..=1_000_000,
            payable_php in 0i64..=1_000_000,
            keep_capital: bool,
        ) {
            let (hkd, php) = (currency("HKD"), currency("PHP"));
            let record = member("Ana", hkd, savings, capital, &[(hkd, payable_hkd), (php, payable_php)]);
            let id = record.member.id;
            let facts = facts(record.clone(), Some(10_000_000));
            let decided = decide(&request(keep_capital), id, &facts).unwrap();
            let mut expected: Vec<(&Account, i64)> = vec![(&record.savings, savings)];
            if !keep_capital {
                expected.push((&record.capital, capital));
            }
            expected.extend(record.payables.iter().zip([payable_hkd, payable_php]));
            let expected: Vec<(&Account, i64)> =
                expected.into_iter().filter(|(_, b)| *b > 0).collect();
            let paid: i64 = decided.paid.iter().map(|p| p.amount_minor).sum();
            proptest::prop_assert_eq!(paid, expected.iter().map(|(_, b)| b).sum::<i64>());
            proptest::prop_assert_eq!(decided.paid.len(), expected.len());
            let Some((proposal, _, _)) = decided.posting else {
                proptest::prop_assert!(expected.is_empty());
                return Ok(());
            };
            proptest::prop_assert!(balances(&proposal));
            for (account, _) in &expected {
                proptest::prop_assert_eq!(balance_after(&proposal, &account.code), 0);
            }
            if keep_capital {
                proptest::prop_assert_eq!(proposal.net_of(&record.capital.code), 0);
            }
            // Money held in another currency is paid from the home bank.
            proptest::prop_assert_eq!(
                proposal.net_of("assets:home-bank:PHP"),
                -i128::from(payable_php)
            );
        }
    }
}
