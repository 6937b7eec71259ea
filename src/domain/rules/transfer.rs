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

/// What was sent, what arrived and the fee, each read in its currency.
fn figures(
    request: &NewTransfer,
    send: Currency,
    receive: Currency,
) -> Result<(i64, i64, i64), LedgerError> {
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
    Ok((amount, received, fee))
}

fn opened(
    facts: &TransferFacts,
    code: String,
    name: String,
    kind: AccountType,
    currency: Currency,
    no_overdraft: bool,
    pointer: &str,
) -> Result<Chosen, LedgerError> {
    let wanted = to_open(code, name, kind, currency, no_overdraft);
    standard(&facts.standard, wanted, pointer)
}

/// The transfer `request` over `facts`, recorded as `id`: the lines it posts, or the rule it
/// breaks and the field that breaks it.
pub fn decide(
    request: &NewTransfer,
    facts: &TransferFacts,
    id: Uuid,
) -> Result<TransferDecision, LedgerError> {
    let (from, to) = endpoints(facts)?;
    let (send, receive) = (from.currency, to.currency);
    let (amount, received, fee) = figures(request, send, receive)?;
    let mut proposal = Proposal::default();
    proposal.add(&Chosen::Existing(to.clone()), Direction::Debit, received);
    let applied_rate = if send == receive {
        // What arrives may differ from what left (bank charges at the far end, rounding):
        // the difference is an FX gain or loss.
        if received < amount {
            let (code, name) = (fx_loss_code(send), format!("FX loss ({send})"));
            let loss = opened(
                facts,
                code,
                name,
                AccountType::Expense,
                send,
                true,
                "/receive_amount",
            )?;
            proposal.add(&loss, Direction::Debit, amount - received);
        } else if received > amount {
            let (code, name) = (fx_gain_code(send), format!("FX gain ({send})"));
            let gain = opened(
                facts,
                code,
                name,
                AccountType::Income,
                send,
                true,
                "/receive_amount",
            )?;
            proposal.add(&gain, Direction::Credit, received - amount);
        }
        None
    } else {
        let (code, name) = (fx_code(receive), format!("FX clearing ({receive})"));
        let fx_receive = opened(facts, code, name, AccountType::Asset, receive, false, "/to")?;
        let (code, name) = (fx_code(send), format!("FX clearing ({send})"));
        let fx_send = opened(facts, code, name, AccountType::Asset, send, false, "/from")?;
        proposal.add(&fx_receive, Direction::Credit, received);
        proposal.add(&fx_send, Direction::Debit, amount);
        let rate = request
            .applied_rate
            .unwrap_or_else(|| derived_rate(amount, send, received, receive));
        let terms = ConversionTerms {
            send_minor: amount,
            send_currency: send,
            receive_minor: received,
            receive_currency: receive,
            fee_minor: fee,
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
        Some(rate)
    };
    if fee > 0 {
        let (code, name) = (fees_code(send), format!("Fees ({send})"));
        let fees = opened(facts, code, name, AccountType::Expense, send, true, "/fee")?;
        proposal.add(&fees, Direction::Debit, fee);
    }
    let outgoing = amount.checked_add(fee).ok_or_else(|| {
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
    let mut metadata = serde_json::json!({"event": "transfer", "event_id": id.to_string()});
    if let Some(rate) = applied_rate {
        metadata["applied_rate"] = serde_json::Value::String(rate.to_string());
    }
    if let Some(mid) = request.mid_market_rate {
        metadata["mid_market_rate"] = serde_json::Value::String(mid.to_string());
    }
    Ok(TransferDecision {
        proposal,
        from_code: from.code.clone(),
        to_code: to.code.clone(),
        amount_minor: amount,
        currency: send,
        receive_amount_minor: received,
        receive_currency: receive,
        fee_minor: fee,
        applied_rate,
        description,
        metadata,
    })
}
