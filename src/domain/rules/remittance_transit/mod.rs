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
    let receive = recorded.receive_currency;
    let received = positive_amount(&request.receive_amount, receive, "/receive_amount")?;
    let fee = final_fee(request, recorded)?;
    rates_one_without_conversion(request, recorded)?;
    let uses = final_uses(request, recorded)?;
    uses_add_up_to(&uses, received, receive)?;
    let (applied_rate, rate_derived) = final_rate(request, recorded, received);
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

/// The fee once arrival is confirmed: the one given, in the send currency, or the one recorded.
fn final_fee(
    request: &CompletionRequest,
    recorded: &RemittanceDetails,
) -> Result<i64, LedgerError> {
    match &request.fee {
        None => Ok(recorded.fee_minor),
        // Amounts carry no sign, so a fee is never negative.
        Some(text) => money::parse_amount(text, recorded.send_currency)
            .map_err(|e| LedgerError::invalid("/fee", format!("amount {e}"))),
    }
}

/// Refuses a rate other than 1 given for a remittance that converts nothing.
fn rates_one_without_conversion(
    request: &CompletionRequest,
    recorded: &RemittanceDetails,
) -> Result<(), LedgerError> {
    if recorded.send_currency != recorded.receive_currency {
        return Ok(());
    }
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
    Ok(())
}

/// Refuses uses that do not add up to the amount `received` (in `receive`).
fn uses_add_up_to(
    uses: &[RemittanceUse],
    received: i64,
    receive: Currency,
) -> Result<(), LedgerError> {
    let total = uses
        .iter()
        .try_fold(0i64, |sum, u| sum.checked_add(u.amount_minor));
    if total == Some(received) {
        return Ok(());
    }
    let shown = total.map_or("more than the ledger can hold".to_string(), |t| {
        format!("{} {receive}", money::format_amount(t, receive))
    });
    Err(LedgerError::rule(
        Rule::UsesMismatch,
        Some("/uses".into()),
        format!(
            "the uses add up to {shown} but {} {receive} was received; give the uses of what arrived",
            money::format_amount(received, receive)
        ),
    ))
}

/// The applied rate once arrival is confirmed, and whether it was derived from the amounts:
/// the one given; the one recorded when the amount `received` did not change; else derived
/// again from the amounts.
fn final_rate(
    request: &CompletionRequest,
    recorded: &RemittanceDetails,
    received: i64,
) -> (rust_decimal::Decimal, bool) {
    match request.applied_rate {
        Some(rate) => (rate, false),
        None if received == recorded.receive_amount_minor => {
            (recorded.applied_rate, recorded.rate_derived)
        }
        None => (
            derived_rate(
                recorded.send_amount_minor,
                recorded.send_currency,
                received,
                recorded.receive_currency,
            ),
            true,
        ),
    }
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
mod tests;
