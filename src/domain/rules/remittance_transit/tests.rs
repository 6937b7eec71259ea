//! The rules of a remittance in transit, and their properties.

use super::*;
use crate::domain::operations::{Purpose, RemittanceChannel};
use crate::domain::rules::remittance::{self, Destination, RemittanceFacts};
use crate::domain::rules::testing::{
    account, balance_after, balances, currency, day, member, post, rule_and_pointer,
};
use proptest::prelude::*;
use rust_decimal::Decimal;
use uuid::Uuid;

/// HKD `send` sent home as PHP `receive` at the derived rate, `to_savings` of it for
/// group savings, the rest for family support.
fn details(send: i64, receive: i64, to_savings: i64) -> RemittanceDetails {
    let (hkd, php) = (currency("HKD"), currency("PHP"));
    let mut uses = Vec::new();
    if receive > to_savings {
        uses.push(RemittanceUse {
            purpose: Purpose::FamilySupport,
            amount_minor: receive - to_savings,
        });
    }
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

/// The remittance `details` sent in transit for a member with savings in
/// `savings_currency` (`None` when the member is not active): what sending posted, and
/// the facts its completion or failure is decided on, with the accounts as sending left
/// them.
fn sent(details: RemittanceDetails, savings_currency: &str) -> (Option<Proposal>, TransitFacts) {
    let record = member("Ana", currency(savings_currency), 0, 0, &[]);
    let facts = RemittanceFacts {
        record: Some(record.clone()),
        standard: Standard::new(),
    };
    let posting = remittance::decide_to(&details, &facts, Uuid::nil(), Destination::InTransit)
        .expect("the sending posts");
    let mut standard = Standard::new();
    let mut record = record;
    if let Some(p) = &posting {
        // Every account the sending touched, at the balance it left.
        for chosen in &p.proposal.accounts {
            let (code, kind, cur) = match chosen {
                Chosen::Existing(a) => (a.code.clone(), a.kind, a.currency),
                Chosen::ToOpen(n) => (n.code.clone(), n.kind, n.currency),
            };
            let balance = balance_after(&p.proposal, &code);
            let mut a = account(&code, kind, cur, balance);
            a.no_overdraft = !code.starts_with("assets:fx:");
            if code == record.savings.code {
                a.id = record.savings.id;
                record.savings = a;
            } else {
                standard.insert(code, a);
            }
        }
    }
    let remittance = Remittance {
        id: Uuid::now_v7(),
        group_id: Uuid::nil(),
        credited_minor: posting.as_ref().map(|p| p.credited_minor),
        credited_currency: posting.as_ref().map(|p| p.credited_currency),
        transaction_id: posting.as_ref().map(|_| Uuid::now_v7()),
        chain: None,
        reversed_by: None,
        created_by: None,
        created_at: chrono::Utc::now(),
        status: RemittanceStatus::InTransit,
        settlement: None,
        details,
    };
    let facts = TransitFacts {
        remittance,
        record: Some(record),
        standard,
    };
    (posting.map(|p| p.proposal), facts)
}

fn arrival(receive: i64, uses: Option<Vec<(Purpose, i64)>>) -> CompletionRequest {
    let php = currency("PHP");
    CompletionRequest {
        receive_amount: money::format_amount(receive, php),
        fee: None,
        applied_rate: None,
        mid_market_rate: None,
        uses: uses.map(|list| {
            list.into_iter()
                .map(|(p, m)| (p, money::format_amount(m, php)))
                .collect()
        }),
        booked_on: day(),
    }
}

fn failure(kept: Option<i64>) -> FailureRequest {
    FailureRequest {
        fee_kept: kept.map(|k| money::format_amount(k, currency("PHP"))),
        booked_on: day(),
    }
}

fn in_transit_after(facts: &TransitFacts, settled: &Settled) -> i64 {
    let code = in_transit_code(currency("PHP"));
    let before = facts
        .standard
        .get(&code)
        .map_or(0, |a| a.debits_minor - a.credits_minor);
    let moved = settled.proposal.as_ref().map_or(0, |p| p.net_of(&code));
    before + i64::try_from(moved).expect("in range")
}

#[test]
fn a_remittance_not_in_transit_cannot_be_completed_or_failed() {
    let (_, mut facts) = sent(details(100_000, 700_000, 200_000), "PHP");
    for status in [
        RemittanceStatus::Arrived,
        RemittanceStatus::Completed,
        RemittanceStatus::Failed,
    ] {
        facts.remittance.status = status;
        assert!(matches!(
            complete(&arrival(700_000, None), &facts),
            Err(LedgerError::Conflict {
                conflict: Conflict::RemittanceNotInTransit,
                ..
            })
        ));
        assert!(matches!(
            fail(&failure(None), &facts),
            Err(LedgerError::Conflict {
                conflict: Conflict::RemittanceNotInTransit,
                ..
            })
        ));
    }
    facts.remittance.status = RemittanceStatus::InTransit;
    facts.remittance.reversed_by = Some(Uuid::now_v7());
    assert!(complete(&arrival(700_000, None), &facts).is_err());
}

#[test]
fn bad_figures_are_refused_at_their_fields() {
    let (_, facts) = sent(details(100_000, 700_000, 200_000), "PHP");
    let pointers = |r: Result<Settled, LedgerError>| match r {
        Err(LedgerError::Invalid(fields)) => {
            fields.into_iter().map(|f| f.pointer).collect::<Vec<_>>()
        }
        other => panic!("expected invalid fields, got {other:?}"),
    };
    // A different amount received with the uses recorded: they no longer add up.
    assert_eq!(
        rule_and_pointer(complete(&arrival(690_000, None), &facts)),
        (Rule::UsesMismatch, Some("/uses".into()))
    );
    let mut early = arrival(700_000, None);
    early.booked_on = day().pred_opt().unwrap();
    assert_eq!(pointers(complete(&early, &facts)), ["/booked_on"]);
    let mut three_decimals = arrival(700_000, None);
    three_decimals.receive_amount = "7000.001".into();
    assert_eq!(
        pointers(complete(&three_decimals, &facts)),
        ["/receive_amount"]
    );
    let mut far = arrival(700_000, None);
    far.applied_rate = Some(Decimal::new(99, 1));
    assert_eq!(
        pointers(complete(&far, &facts)),
        ["/applied_rate", "/receive_amount"]
    );
    assert_eq!(
        pointers(fail(&failure(Some(200_001)), &facts)),
        ["/fee_kept"]
    );
    let mut bad = failure(None);
    bad.fee_kept = Some("-1".into());
    assert_eq!(pointers(fail(&bad, &facts)), ["/fee_kept"]);
}

#[test]
fn a_remittance_without_group_savings_moves_no_money_and_cannot_gain_any() {
    let (posting, facts) = sent(details(100_000, 700_000, 0), "PHP");
    assert!(posting.is_none());
    let done = complete(&arrival(700_000, None), &facts).unwrap();
    assert!(done.proposal.is_none());
    assert!(fail(&failure(None), &facts).unwrap().proposal.is_none());
    // Nothing of it is in the group's books, so nothing of it was kept from the group.
    assert!(matches!(
        fail(&failure(Some(1)), &facts),
        Err(LedgerError::Invalid(fields)) if fields[0].pointer == "/fee_kept"
    ));
    let gained = arrival(700_000, Some(vec![(Purpose::GroupSavings, 700_000)]));
    assert_eq!(
        rule_and_pointer(complete(&gained, &facts)),
        (Rule::UsesMismatch, Some("/uses".into()))
    );
}

proptest::proptest! {
    /// Sending then completing balances at each step and leaves the in-transit account at
    /// zero; the home bank holds what arrived for group savings, and the difference from
    /// what was sent is exactly the FX gain or loss.
    #[test]
    fn sending_then_completing_clears_the_in_transit_account(
        send in 1i64..=10_000_000,
        rate in 1i64..=100,
        share_per_mille in 1i64..=1_000,
        arrived_per_mille in 900i64..=1_100,
        savings_in_received: bool,
    ) {
        let receive = send * rate;
        let to_savings = receive * share_per_mille / 1_000;
        prop_assume!(to_savings > 0);
        let details = details(send, receive, to_savings);
        let savings = if savings_in_received { "PHP" } else { "HKD" };
        let Ok(sending) = remittance::decide_to(
            &details,
            &RemittanceFacts {
                record: Some(member("Ana", currency(savings), 0, 0, &[])),
                standard: Standard::new(),
            },
            Uuid::nil(),
            Destination::InTransit,
        ) else {
            // Worth nothing in the member's savings currency: refused on sending.
            return Ok(());
        };
        prop_assert!(sending.is_some());
        let (posting, facts) = sent(details, savings);
        let posting = posting.expect("posted");
        prop_assert!(balances(&posting));
        let php = currency("PHP");
        prop_assert_eq!(balance_after(&posting, &in_transit_code(php)), to_savings);
        let arrived = to_savings * arrived_per_mille / 1_000;
        let mut uses = vec![(Purpose::FamilySupport, receive - to_savings + 1)];
        if arrived > 0 {
            uses.push((Purpose::GroupSavings, arrived));
        }
        let total: i64 = uses.iter().map(|u| u.1).sum();
        let done = complete(&arrival(total, Some(uses)), &facts).expect("completes");
        let lines = done.proposal.clone().expect("a transaction");
        prop_assert!(balances(&lines));
        prop_assert!(post(&lines).is_ok());
        prop_assert_eq!(in_transit_after(&facts, &done), 0);
        prop_assert_eq!(lines.net_of(&home_bank_code(php)), i128::from(arrived));
        let gain = -lines.net_of(&fx_gain_code(php)) - lines.net_of(&fx_loss_code(php));
        prop_assert_eq!(gain, i128::from(arrived - to_savings));
        prop_assert_eq!(done.details.group_savings_minor(), arrived);
        prop_assert_eq!(done.details.receive_amount_minor, total);
    }

    /// Failing returns exactly the group-savings part sent less the fee kept: the
    /// in-transit account ends at zero, fees take the fee kept, and the member's savings
    /// give back what that remainder was worth when sent (all of it with no fee kept).
    #[test]
    fn failing_returns_the_amount_sent_less_the_fee_kept(
        send in 1i64..=10_000_000,
        rate in 1i64..=100,
        share_per_mille in 1i64..=1_000,
        kept_per_mille in 0i64..=1_000,
        savings_in_received: bool,
    ) {
        let receive = send * rate;
        let to_savings = receive * share_per_mille / 1_000;
        prop_assume!(to_savings > 0);
        let details = details(send, receive, to_savings);
        let savings = if savings_in_received { "PHP" } else { "HKD" };
        prop_assume!(savings_in_received || back_convert(to_savings, &details).is_some_and(|m| m > 0));
        let (_, facts) = sent(details.clone(), savings);
        let kept = to_savings * kept_per_mille / 1_000;
        let failed = fail(&failure(Some(kept)), &facts).expect("fails");
        let lines = failed.proposal.clone().expect("a transaction");
        prop_assert!(balances(&lines));
        prop_assert!(post(&lines).is_ok());
        prop_assert_eq!(in_transit_after(&facts, &failed), 0);
        let php = currency("PHP");
        prop_assert_eq!(lines.net_of(&fees_code(php)), i128::from(kept));
        let record = facts.record.as_ref().expect("a member");
        let given_back = lines.net_of(&record.savings.code);
        let expected = if savings_in_received {
            to_savings - kept
        } else {
            back_convert(to_savings - kept, &details).unwrap_or(0)
        };
        prop_assert_eq!(given_back, i128::from(expected));
        if kept == 0 {
            prop_assert_eq!(Some(given_back), facts.remittance.credited_minor.map(i128::from));
        }
        prop_assert_eq!(failed.fee_kept_minor, Some(kept));
    }

    /// Whatever the final figures, a completion that is accepted has a cost that is
    /// never negative, worked out from those figures.
    #[test]
    fn a_completed_remittance_cost_is_never_negative(
        send in 1i64..=10_000_000,
        receive in 1i64..=100_000_000,
        arrived in 1i64..=100_000_000,
        fee in 0i64..=100_000,
        mid_units in 1i64..=10_000_000,
        rate_units in proptest::option::of(1i64..=10_000_000),
    ) {
        let (_, facts) = sent(details(send, receive, 0), "PHP");
        let mut request = arrival(arrived, Some(vec![(Purpose::FamilySupport, arrived)]));
        request.fee = Some(money::format_amount(fee, currency("HKD")));
        request.mid_market_rate = Some(Decimal::new(mid_units, 4));
        request.applied_rate = rate_units.map(|u| Decimal::new(u, 4));
        if let Ok(done) = complete(&request, &facts) {
            prop_assert!(done.details.cost().total >= Decimal::ZERO);
            prop_assert_eq!(done.details.fee_minor, fee);
            prop_assert_eq!(done.details.receive_amount_minor, arrived);
        }
    }
}
