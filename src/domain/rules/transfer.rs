//! A transfer between two of the group's asset accounts: what leaves one (with the fee), what
//! arrives in the other, and the FX clearing, gain or loss between the two.

use rust_decimal::Decimal;
use uuid::Uuid;

use super::{Chosen, Proposal, Standard, standard, to_open};
use crate::domain::account::{AccountType, Direction};
use crate::domain::error::{LedgerError, Rule};
use crate::domain::model::Account;
use crate::domain::money::{self, Currency};
use crate::domain::operations::{
    ConversionFields, ConversionTerms, NewTransfer, derived_rate, fees_code, fx_code, fx_gain_code,
    fx_loss_code, positive_amount,
};

/// What a transfer is decided on: the accounts it names (`None` when the group has no such
/// account) and the group's standard accounts of [`standard_codes`].
#[derive(Debug, Clone)]
pub struct TransferFacts {
    pub from: Option<Account>,
    pub to: Option<Account>,
    pub standard: Standard,
}

/// The standard accounts a transfer from `send` to `receive` may post to.
pub fn standard_codes(send: Currency, receive: Currency) -> Vec<String> {
    vec![
        fx_loss_code(send),
        fx_gain_code(send),
        fx_code(receive),
        fx_code(send),
        fees_code(send),
    ]
}

/// A transfer decided: the transaction to post and the figures its record keeps.
#[derive(Debug, Clone)]
pub struct TransferDecision {
    pub proposal: Proposal,
    pub from_code: String,
    pub to_code: String,
    pub amount_minor: i64,
    pub currency: Currency,
    pub receive_amount_minor: i64,
    pub receive_currency: Currency,
    pub fee_minor: i64,
    pub applied_rate: Option<Decimal>,
    pub description: String,
    pub metadata: serde_json::Value,
}

/// The two accounts, each an asset account of the group, and not the same one.
fn endpoints(facts: &TransferFacts) -> Result<(&Account, &Account), LedgerError> {
    let unknown = |pointer: &str| {
        LedgerError::rule(
            Rule::UnknownAccount,
            Some(pointer.into()),
            "the group has no such account",
        )
    };
    let from = facts.from.as_ref().ok_or_else(|| unknown("/from"))?;
    let to = facts.to.as_ref().ok_or_else(|| unknown("/to"))?;
    for (account, pointer) in [(from, "/from"), (to, "/to")] {
        if account.kind != AccountType::Asset {
            return Err(LedgerError::rule(
                Rule::AccountKind,
                Some(pointer.into()),
                format!(
                    "{} is a {} account; transfers move money between asset accounts",
                    account.code,
                    account.kind.as_str()
                ),
            ));
        }
    }
    if from.id == to.id {
        return Err(LedgerError::invalid(
            "/to",
            "must be another account than `from`",
        ));
    }
    Ok((from, to))
}

/// What a transfer moves: what was sent and the fee (in the source's currency), and what
/// arrived (in the destination's).
struct Figures {
    send: Currency,
    receive: Currency,
    amount: i64,
    received: i64,
    fee: i64,
}

/// What was sent, what arrived and the fee, each read in its currency.
fn figures(
    request: &NewTransfer,
    send: Currency,
    receive: Currency,
) -> Result<Figures, LedgerError> {
    let amount = positive_amount(&request.amount, send, "/amount")?;
    let received = match &request.receive_amount {
        Some(text) => positive_amount(text, receive, "/receive_amount")?,
        None if send == receive => amount,
        None => {
            return Err(LedgerError::invalid(
                "/receive_amount",
                format!("is required when sending {send} to an account in {receive}"),
            ));
        }
    };
    let fee = match &request.fee {
        None => 0,
        // Amounts carry no sign, so a fee is never negative.
        Some(text) => money::parse_amount(text, send)
            .map_err(|e| LedgerError::invalid("/fee", format!("amount {e}")))?,
    };
    if send == receive {
        let given = [
            (request.applied_rate, "/applied_rate"),
            (request.mid_market_rate, "/mid_market_rate"),
        ];
        if let Some((_, pointer)) = given.iter().find(|(rate, _)| rate.is_some()) {
            return Err(LedgerError::invalid(
                *pointer,
                "rates apply only between two currencies",
            ));
        }
    }
    Ok(Figures {
        send,
        receive,
        amount,
        received,
        fee,
    })
}

fn opened(
    facts: &TransferFacts,
    (code, name): (String, String),
    kind: AccountType,
    currency: Currency,
    no_overdraft: bool,
    pointer: &str,
) -> Result<Chosen, LedgerError> {
    let wanted = to_open(code, name, kind, currency, no_overdraft);
    standard(&facts.standard, wanted, pointer)
}

/// Within one currency, what arrives may differ from what left (bank charges at the far end,
/// rounding): the difference is an FX gain or loss. No rate applies.
fn difference(
    facts: &TransferFacts,
    f: &Figures,
    proposal: &mut Proposal,
) -> Result<(), LedgerError> {
    let send = f.send;
    if f.received < f.amount {
        let named = (fx_loss_code(send), format!("FX loss ({send})"));
        let loss = opened(
            facts,
            named,
            AccountType::Expense,
            send,
            true,
            "/receive_amount",
        )?;
        proposal.add(&loss, Direction::Debit, f.amount - f.received);
    } else if f.received > f.amount {
        let named = (fx_gain_code(send), format!("FX gain ({send})"));
        let gain = opened(
            facts,
            named,
            AccountType::Income,
            send,
            true,
            "/receive_amount",
        )?;
        proposal.add(&gain, Direction::Credit, f.received - f.amount);
    }
    Ok(())
}

/// Between two currencies, the money passes through each currency's FX clearing account, at
/// the rate given (or derived from the amounts), which must agree with the amounts: the rate
/// applied.
fn conversion(
    request: &NewTransfer,
    facts: &TransferFacts,
    f: &Figures,
    proposal: &mut Proposal,
) -> Result<Decimal, LedgerError> {
    let (send, receive) = (f.send, f.receive);
    let named = (fx_code(receive), format!("FX clearing ({receive})"));
    let fx_receive = opened(facts, named, AccountType::Asset, receive, false, "/to")?;
    let named = (fx_code(send), format!("FX clearing ({send})"));
    let fx_send = opened(facts, named, AccountType::Asset, send, false, "/from")?;
    proposal.add(&fx_receive, Direction::Credit, f.received);
    proposal.add(&fx_send, Direction::Debit, f.amount);
    let rate = request
        .applied_rate
        .unwrap_or_else(|| derived_rate(f.amount, send, f.received, receive));
    let terms = ConversionTerms {
        send_minor: f.amount,
        send_currency: send,
        receive_minor: f.received,
        receive_currency: receive,
        fee_minor: f.fee,
        applied_rate: rate,
        mid_market_rate: request.mid_market_rate,
    };
    terms.check(ConversionFields {
        send: "/amount",
        receive: "/receive_amount",
        fee: "/fee",
        applied_rate: request.applied_rate.map(|_| "/applied_rate"),
        mid_market_rate: "/mid_market_rate",
    })?;
    Ok(rate)
}

fn metadata(id: Uuid, applied_rate: Option<Decimal>, mid: Option<Decimal>) -> serde_json::Value {
    let mut metadata = serde_json::json!({"event": "transfer", "event_id": id.to_string()});
    if let Some(rate) = applied_rate {
        metadata["applied_rate"] = serde_json::Value::String(rate.to_string());
    }
    if let Some(mid) = mid {
        metadata["mid_market_rate"] = serde_json::Value::String(mid.to_string());
    }
    metadata
}

/// The transfer `request` over `facts`, recorded as `id`: the lines it posts, or the rule it
/// breaks and the field that breaks it.
pub fn decide(
    request: &NewTransfer,
    facts: &TransferFacts,
    id: Uuid,
) -> Result<TransferDecision, LedgerError> {
    let (from, to) = endpoints(facts)?;
    let f = figures(request, from.currency, to.currency)?;
    let mut proposal = Proposal::default();
    proposal.add(&Chosen::Existing(to.clone()), Direction::Debit, f.received);
    let applied_rate = if f.send == f.receive {
        difference(facts, &f, &mut proposal)?;
        None
    } else {
        Some(conversion(request, facts, &f, &mut proposal)?)
    };
    if f.fee > 0 {
        let named = (fees_code(f.send), format!("Fees ({})", f.send));
        let fees = opened(facts, named, AccountType::Expense, f.send, true, "/fee")?;
        proposal.add(&fees, Direction::Debit, f.fee);
    }
    let outgoing = f.amount.checked_add(f.fee).ok_or_else(|| {
        LedgerError::rule(
            Rule::Overflow,
            Some("/fee".into()),
            "the amount and fee together are too large",
        )
    })?;
    proposal.add(&Chosen::Existing(from.clone()), Direction::Credit, outgoing);
    // A transfer that would overdraw any of its accounts asks for too much.
    proposal.point_overdrafts(|_| "/amount");
    let description = request
        .description
        .clone()
        .unwrap_or_else(|| format!("Transfer from {} to {}", from.code, to.code));
    Ok(TransferDecision {
        proposal,
        from_code: from.code.clone(),
        to_code: to.code.clone(),
        amount_minor: f.amount,
        currency: f.send,
        receive_amount_minor: f.received,
        receive_currency: f.receive,
        fee_minor: f.fee,
        applied_rate,
        description,
        metadata: metadata(id, applied_rate, request.mid_market_rate),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::AccountRef;
    use crate::domain::rules::testing::{
        account, balance_after, balances, currency, day, post, rule_and_pointer,
    };

    fn request(amount: &str, fee: Option<&str>, receive: Option<&str>) -> NewTransfer {
        NewTransfer {
            from: AccountRef::Code("assets:cash:HKD".into()),
            to: AccountRef::Code("assets:bank:HKD".into()),
            amount: amount.into(),
            receive_amount: receive.map(Into::into),
            fee: fee.map(Into::into),
            applied_rate: None,
            mid_market_rate: None,
            rate_source: None,
            booked_on: day(),
            description: None,
            created_by: None,
        }
    }

    fn facts(from: Account, to: Account) -> TransferFacts {
        TransferFacts {
            from: Some(from),
            to: Some(to),
            standard: Standard::new(),
        }
    }

    fn hkd(code: &str, balance: i64) -> Account {
        account(code, AccountType::Asset, currency("HKD"), balance)
    }

    #[test]
    fn an_unknown_or_non_asset_account_or_the_same_account_twice_is_refused_at_its_field() {
        let cash = hkd("assets:cash:HKD", 100);
        let mut none = facts(cash.clone(), cash.clone());
        none.to = None;
        let refused = decide(&request("1", None, None), &none, Uuid::nil());
        assert_eq!(
            rule_and_pointer(refused),
            (Rule::UnknownAccount, Some("/to".into()))
        );
        let income = account("income:x:HKD", AccountType::Income, currency("HKD"), 0);
        let refused = decide(
            &request("1", None, None),
            &facts(income, cash.clone()),
            Uuid::nil(),
        );
        assert_eq!(
            rule_and_pointer(refused),
            (Rule::AccountKind, Some("/from".into()))
        );
        match decide(
            &request("1", None, None),
            &facts(cash.clone(), cash),
            Uuid::nil(),
        ) {
            Err(LedgerError::Invalid(fields)) => assert_eq!(fields[0].pointer, "/to"),
            other => panic!("expected an invalid /to, got {other:?}"),
        }
    }

    #[test]
    fn between_two_currencies_the_amount_received_is_required_and_rates_only_apply_there() {
        let cash = hkd("assets:cash:HKD", 100_000);
        let home = account(
            "assets:home-bank:PHP",
            AccountType::Asset,
            currency("PHP"),
            0,
        );
        match decide(
            &request("10", None, None),
            &facts(cash.clone(), home),
            Uuid::nil(),
        ) {
            Err(LedgerError::Invalid(fields)) => assert_eq!(fields[0].pointer, "/receive_amount"),
            other => panic!("expected an invalid /receive_amount, got {other:?}"),
        }
        let mut with_rate = request("10", None, None);
        with_rate.mid_market_rate = Some(Decimal::ONE);
        let bank = hkd("assets:bank:HKD", 0);
        match decide(&with_rate, &facts(cash, bank), Uuid::nil()) {
            Err(LedgerError::Invalid(fields)) => assert_eq!(fields[0].pointer, "/mid_market_rate"),
            other => panic!("expected an invalid /mid_market_rate, got {other:?}"),
        }
    }

    #[test]
    fn a_standard_account_of_another_kind_is_refused_at_the_field_that_needs_it() {
        let cash = hkd("assets:cash:HKD", 100_000);
        let bank = hkd("assets:bank:HKD", 0);
        let mut facts = facts(cash, bank);
        let wrong = account(
            &fees_code(currency("HKD")),
            AccountType::Income,
            currency("HKD"),
            0,
        );
        facts.standard.insert(wrong.code.clone(), wrong);
        let refused = decide(&request("10", Some("1"), None), &facts, Uuid::nil());
        assert_eq!(
            rule_and_pointer(refused),
            (Rule::CurrencyMismatch, Some("/fee".into()))
        );
    }

    proptest::proptest! {
        /// A transfer within one currency balances, takes the amount and the fee out of its
        /// source, puts what arrived into its destination, and posts only when the source
        /// holds enough; short of that it is refused as an overdraft of `/amount`.
        #[test]
        fn a_transfer_balances_and_never_overdraws_its_source(
            held in 0i64..=1_000_000,
            amount in 1i64..=1_000_000,
            fee in 0i64..=10_000,
            arrived in proptest::option::of(1i64..=1_000_000),
        ) {
            let cash = hkd("assets:cash:HKD", held);
            let bank = hkd("assets:bank:HKD", 0);
            let text = |minor: i64| money::format_amount(minor, currency("HKD"));
            let received = arrived.map(text);
            let request = request(&text(amount), Some(&text(fee)), received.as_deref());
            let decided = decide(&request, &facts(cash, bank), Uuid::nil()).unwrap();
            proptest::prop_assert!(balances(&decided.proposal));
            proptest::prop_assert_eq!(
                decided.proposal.net_of("assets:cash:HKD"),
                -i128::from(amount + fee)
            );
            proptest::prop_assert_eq!(
                decided.proposal.net_of("assets:bank:HKD"),
                i128::from(arrived.unwrap_or(amount))
            );
            if held >= amount + fee {
                proptest::prop_assert_eq!(
                    balance_after(&decided.proposal, "assets:cash:HKD"),
                    held - amount - fee
                );
            } else {
                proptest::prop_assert_eq!(
                    rule_and_pointer(post(&decided.proposal)),
                    (Rule::Overdraft, Some("/amount".into()))
                );
            }
        }

        /// Between two currencies, each currency's lines balance through FX clearing.
        #[test]
        fn a_transfer_between_two_currencies_balances_in_each(
            amount in 1i64..=1_000_000,
            received in 1i64..=10_000_000,
        ) {
            let cash = hkd("assets:cash:HKD", 1_000_000);
            let home = account("assets:home-bank:PHP", AccountType::Asset, currency("PHP"), 0);
            let mut request = request(
                &money::format_amount(amount, currency("HKD")),
                None,
                Some(&money::format_amount(received, currency("PHP"))),
            );
            request.to = AccountRef::Code(home.code.clone());
            let decided = decide(&request, &facts(cash, home), Uuid::nil()).unwrap();
            proptest::prop_assert!(balances(&decided.proposal));
            proptest::prop_assert!(post(&decided.proposal).is_ok());
            proptest::prop_assert_eq!(
                decided.applied_rate,
                Some(derived_rate(amount, currency("HKD"), received, currency("PHP")))
            );
        }
    }
}
