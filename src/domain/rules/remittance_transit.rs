//! A remittance recorded as sent but not yet arrived, and how it ends. Sending posts its
//! group-savings part to `assets:in-transit:<receive currency>` instead of the home bank (see
//! [`super::remittance::Destination`]); the member's savings are credited then, as they are
//! for a remittance recorded as arrived. Then, once:
//! - completing it moves what arrived for group savings to the home bank and clears the
//!   in-transit account, any difference to FX gain or loss; the remittance keeps the final
//!   figures (amount received, rate, fee, uses), from which its cost is worked out again;
//! - failing it clears the in-transit account back to where the money came from (the
//!   member's savings, through FX clearing when they are kept in the send currency), less the
//!   part the provider kept, which goes to fees.
//!
//! Only the group-savings part is in the group's books: a remittance without one moves no
//! money when it completes or fails, and only its record changes.

use super::{Chosen, Proposal, Standard, standard, to_open};
use crate::domain::account::{AccountType, Direction};
use crate::domain::error::{Conflict, FieldError, LedgerError, Rule};
use crate::domain::member::MemberRecord;
use crate::domain::money::{self, Currency};
use crate::domain::operations::{
    CompletionRequest, ConversionFields, FailureRequest, Remittance, RemittanceDetails,
    RemittanceStatus, RemittanceUse, back_convert, derived_rate, fees_code, fx_code, fx_gain_code,
    fx_loss_code, home_bank_code, in_transit_code, positive_amount,
};

/// What completing or failing a remittance is decided on: the remittance as it stands, the
/// member's accounts (`None` if the member cannot be found) and the group's accounts of
/// [`standard_codes`].
#[derive(Debug, Clone)]
pub struct TransitFacts {
    pub remittance: Remittance,
    pub record: Option<MemberRecord>,
    pub standard: Standard,
}

/// The standard accounts completing or failing a remittance received in `received` may post
/// to, with the FX clearing of the member's savings currency `savings`.
pub fn standard_codes(received: Currency, savings: Option<Currency>) -> Vec<String> {
    let mut codes = vec![
        in_transit_code(received),
        home_bank_code(received),
        fx_gain_code(received),
        fx_loss_code(received),
        fees_code(received),
        fx_code(received),
    ];
    codes.extend(savings.map(fx_code));
    codes
}

/// A completion or failure decided: the transaction to post (none when the remittance has no
/// group-savings part in the books), the figures the remittance keeps from now on, and what
/// the provider kept of a failed one.
#[derive(Debug, Clone)]
pub struct Settled {
    /// `Completed` or `Failed`.
    pub outcome: RemittanceStatus,
    pub proposal: Option<Proposal>,
    pub details: RemittanceDetails,
    pub fee_kept_minor: Option<i64>,
    pub description: String,
    pub metadata: serde_json::Value,
}

/// Refuses (409) a remittance that is not waiting in transit: recorded as arrived, already
/// completed or failed, or corrected away (its sending reversed).
pub fn still_in_transit(remittance: &Remittance) -> Result<(), LedgerError> {
    let why = match (remittance.status, remittance.reversed_by) {
        (RemittanceStatus::InTransit, None) => return Ok(()),
        (RemittanceStatus::InTransit, Some(_)) => {
            "its sending was reversed; it is no longer in transit".to_string()
        }
        (RemittanceStatus::Arrived, _) => "it was recorded as arrived, not in transit".to_string(),
        (status, _) => format!("it is already {}", status.as_str()),
    };
    Err(LedgerError::conflict(
        Conflict::RemittanceNotInTransit,
        format!("the remittance cannot be completed or failed: {why}"),
    ))
}

/// The group-savings part waiting in the in-transit account: what the sending posted there.
pub fn in_transit_minor(remittance: &Remittance) -> i64 {
    match remittance.transaction_id {
        Some(_) => remittance.details.group_savings_minor(),
        None => 0,
    }
}

fn not_before_sending(
    remittance: &Remittance,
    booked_on: chrono::NaiveDate,
) -> Result<(), LedgerError> {
    let sent = remittance.details.booked_on;
    if booked_on < sent {
        return Err(LedgerError::invalid(
            "/booked_on",
            format!("must not be before the remittance was sent ({sent})"),
        ));
    }
    Ok(())
}

fn opened(
    facts: &TransitFacts,
    (code, name): (String, String),
    kind: AccountType,
    currency: Currency,
    pointer: &str,
) -> Result<Chosen, LedgerError> {
    let no_overdraft = kind == AccountType::Asset && !code.starts_with("assets:fx:");
    standard(
        &facts.standard,
        to_open(code, name, kind, currency, no_overdraft),
        pointer,
    )
}

fn in_transit_account(facts: &TransitFacts, currency: Currency) -> Result<Chosen, LedgerError> {
    let named = (
        in_transit_code(currency),
        format!("Remittances in transit ({currency})"),
    );
    opened(
        facts,
        named,
        AccountType::Asset,
        currency,
        "/receive_amount",
    )
}

/// The uses of the amount received: those given, each read in `currency`, or those recorded.
fn final_uses(
    request: &CompletionRequest,
    recorded: &RemittanceDetails,
) -> Result<Vec<RemittanceUse>, LedgerError> {
    let Some(given) = &request.uses else {
        return Ok(recorded.uses.clone());
    };
    let mut uses = Vec::with_capacity(given.len());
    let mut errors = Vec::new();
    for (i, (purpose, text)) in given.iter().enumerate() {
        let pointer = format!("/uses/{i}/amount");
        match positive_amount(text, recorded.receive_currency, &pointer) {
            Ok(amount_minor) => uses.push(RemittanceUse {
                purpose: *purpose,
                amount_minor,
            }),
            Err(LedgerError::Invalid(mut fields)) => errors.append(&mut fields),
            Err(other) => return Err(other),
        }
    }
    if !errors.is_empty() {
        return Err(LedgerError::Invalid(errors));
    }
    Ok(uses)
}

/// The figures the remittance keeps once arrival is confirmed: each checked as on recording,
/// the rate derived again from the amounts when the amount received changed and no rate is
/// given.
fn final_details(
    request: &CompletionRequest,
    recorded: &RemittanceDetails,
) -> Result<RemittanceDetails, LedgerError> {
    let (send, receive) = (recorded.send_currency, recorded.receive_currency);
    let received = positive_amount(&request.receive_amount, receive, "/receive_amount")?;
    let fee = match &request.fee {
        None => recorded.fee_minor,
        // Amounts carry no sign, so a fee is never negative.
        Some(text) => money::parse_amount(text, send)
            .map_err(|e| LedgerError::invalid("/fee", format!("amount {e}")))?,
    };
    if send == receive {
        let given = [
            (request.applied_rate, "/applied_rate"),
            (request.mid_market_rate, "/mid_market_rate"),
        ];
        for (rate, pointer) in given {
            if rate.is_some_and(|r| r != rust_decimal::Decimal::ONE) {
                return Err(LedgerError::invalid(
                    pointer,
                    "must be 1 when nothing is converted",
                ));
            }
        }
    }
    let uses = final_uses(request, recorded)?;
    let total = uses
        .iter()
        .try_fold(0i64, |sum, u| sum.checked_add(u.amount_minor));
    if total != Some(received) {
        let shown = total.map_or("more than the ledger can hold".to_string(), |t| {
            format!("{} {receive}", money::format_amount(t, receive))
        });
        return Err(LedgerError::rule(
            Rule::UsesMismatch,
            Some("/uses".into()),
            format!(
                "the uses add up to {shown} but {} {receive} was received; give the uses of what arrived",
                money::format_amount(received, receive)
            ),
        ));
    }
    let (applied_rate, rate_derived) = match request.applied_rate {
        Some(rate) => (rate, false),
        None if received == recorded.receive_amount_minor => {
            (recorded.applied_rate, recorded.rate_derived)
        }
        None => (
            derived_rate(recorded.send_amount_minor, send, received, receive),
            true,
        ),
    };
    let details = RemittanceDetails {
        fee_minor: fee,
        receive_amount_minor: received,
        applied_rate,
        rate_derived,
        mid_market_rate: request.mid_market_rate.or(recorded.mid_market_rate),
        uses,
        booked_on: recorded.booked_on,
        ..recorded.clone()
    };
    // The amount sent is not in this request: a rate that disagrees with it is the rate's or
    // the amount received's to answer for.
    details
        .terms()
        .check(ConversionFields {
            send: "/receive_amount",
            receive: "/receive_amount",
            fee: "/fee",
            applied_rate: request.applied_rate.map(|_| "/applied_rate"),
            mid_market_rate: "/mid_market_rate",
        })
        .map_err(once_per_pointer)?;
    Ok(details)
}

/// The same refusal with each field named once.
fn once_per_pointer(error: LedgerError) -> LedgerError {
    match error {
        LedgerError::Invalid(fields) => {
            let mut kept: Vec<FieldError> = Vec::with_capacity(fields.len());
            for field in fields {
                if !kept.iter().any(|k| k.pointer == field.pointer) {
                    kept.push(field);
                }
            }
            LedgerError::Invalid(kept)
        }
        other => other,
    }
}

fn describe(facts: &TransitFacts, what: &str) -> String {
    match &facts.record {
        Some(record) => format!("{}'s remittance {what}", record.member.name),
        None => format!("Remittance {what}"),
    }
}

fn metadata(event: &str, remittance: &Remittance) -> serde_json::Value {
    serde_json::json!({"event": event, "event_id": remittance.id.to_string()})
}

/// Arrival confirmed for the remittance of `facts` as `request` says: the transaction that
/// moves what arrived for group savings from the in-transit account to the home bank (any
/// difference to FX gain or loss) and the figures the remittance keeps, or the rule it breaks
/// and the field that breaks it.
pub fn complete(request: &CompletionRequest, facts: &TransitFacts) -> Result<Settled, LedgerError> {
    let remittance = &facts.remittance;
    still_in_transit(remittance)?;
    not_before_sending(remittance, request.booked_on)?;
    let details = final_details(request, &remittance.details)?;
    let currency = details.receive_currency;
    let waiting = in_transit_minor(remittance);
    let arrived = details.group_savings_minor();
    if waiting == 0 && arrived > 0 {
        return Err(LedgerError::rule(
            Rule::UsesMismatch,
            Some("/uses".into()),
            "the remittance was sent with no group-savings part, so none can arrive: \
             record group savings as a remittance of their own",
        ));
    }
    let mut proposal = None;
    if waiting > 0 {
        let mut lines = Proposal::default();
        if arrived > 0 {
            let named = (home_bank_code(currency), format!("Home bank ({currency})"));
            let home_bank = opened(
                facts,
                named,
                AccountType::Asset,
                currency,
                "/receive_amount",
            )?;
            lines.add(&home_bank, Direction::Debit, arrived);
        }
        lines.add(
            &in_transit_account(facts, currency)?,
            Direction::Credit,
            waiting,
        );
        if arrived > waiting {
            let named = (fx_gain_code(currency), format!("FX gain ({currency})"));
            let gain = opened(facts, named, AccountType::Income, currency, "/uses")?;
            lines.add(&gain, Direction::Credit, arrived - waiting);
        } else if arrived < waiting {
            let named = (fx_loss_code(currency), format!("FX loss ({currency})"));
            let loss = opened(facts, named, AccountType::Expense, currency, "/uses")?;
            lines.add(&loss, Direction::Debit, waiting - arrived);
        }
        // Only the in-transit account is credited: it runs short if it was emptied meanwhile.
        lines.point_overdrafts(|_| "/receive_amount");
        proposal = Some(lines);
    }
    let description = describe(
        facts,
        &format!(
            "arrives ({} {currency} for group savings)",
            money::format_amount(arrived, currency)
        ),
    );
    Ok(Settled {
        outcome: RemittanceStatus::Completed,
        proposal,
        metadata: metadata("remittance_completion", remittance),
        details,
        fee_kept_minor: None,
        description,
    })
}

/// The remittance of `facts` failed or was returned: the transaction that gives the
/// group-savings part in transit back to the member's savings, less what the provider kept
/// (to fees), or the rule it breaks and the field that breaks it.
pub fn fail(request: &FailureRequest, facts: &TransitFacts) -> Result<Settled, LedgerError> {
    let remittance = &facts.remittance;
    still_in_transit(remittance)?;
    not_before_sending(remittance, request.booked_on)?;
    let details = &remittance.details;
    let currency = details.receive_currency;
    let waiting = in_transit_minor(remittance);
    let kept = match &request.fee_kept {
        None => 0,
        Some(text) => money::parse_amount(text, currency)
            .map_err(|e| LedgerError::invalid("/fee_kept", format!("amount {e}")))?,
    };
    if kept > waiting {
        return Err(LedgerError::invalid(
            "/fee_kept",
            format!(
                "can be at most the group-savings part in transit, {} {currency}: a fee kept from the rest is the member's own",
                money::format_amount(waiting, currency)
            ),
        ));
    }
    let mut proposal = None;
    if waiting > 0 {
        let mut lines = Proposal::default();
        lines.add(
            &in_transit_account(facts, currency)?,
            Direction::Credit,
            waiting,
        );
        if kept > 0 {
            let named = (fees_code(currency), format!("Fees ({currency})"));
            let fees = opened(facts, named, AccountType::Expense, currency, "/fee_kept")?;
            lines.add(&fees, Direction::Debit, kept);
        }
        give_back(facts, waiting - kept, &mut lines)?;
        proposal = Some(lines);
    }
    let description = describe(
        facts,
        &format!(
            "failed ({} {currency} of group savings back, {} {currency} kept)",
            money::format_amount(waiting - kept, currency),
            money::format_amount(kept, currency)
        ),
    );
    Ok(Settled {
        outcome: RemittanceStatus::Failed,
        proposal,
        details: details.clone(),
        fee_kept_minor: Some(kept),
        description,
        metadata: metadata("remittance_failure", remittance),
    })
}

/// Debits the member's savings with `back` (in the receive currency) of what was credited
/// when the remittance was sent: directly when her savings are in the receive currency, else
/// through both FX clearing accounts at the remittance's own terms, as on sending.
fn give_back(facts: &TransitFacts, back: i64, lines: &mut Proposal) -> Result<(), LedgerError> {
    if back == 0 {
        return Ok(());
    }
    let Some(record) = &facts.record else {
        return Err(LedgerError::rule(
            Rule::UnknownMember,
            None,
            "the remittance's member is not in the group",
        ));
    };
    let details = &facts.remittance.details;
    let (received, savings) = (details.receive_currency, record.savings.currency);
    let account = Chosen::Existing(record.savings.clone());
    if savings == received {
        lines.add(&account, Direction::Debit, back);
        return Ok(());
    }
    let named = (fx_code(received), format!("FX clearing ({received})"));
    let fx_received = opened(facts, named, AccountType::Asset, received, "/fee_kept")?;
    lines.add(&fx_received, Direction::Debit, back);
    let worth = back_convert(back, details).unwrap_or(0);
    if worth > 0 {
        let named = (fx_code(savings), format!("FX clearing ({savings})"));
        let fx_savings = opened(facts, named, AccountType::Asset, savings, "/fee_kept")?;
        lines.add(&fx_savings, Direction::Credit, worth);
        lines.add(&account, Direction::Debit, worth);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
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
    fn sent(
        details: RemittanceDetails,
        savings_currency: &str,
    ) -> (Option<Proposal>, TransitFacts) {
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
}
