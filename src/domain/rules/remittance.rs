//! A remittance a member sends home: only its group-savings part is posted, from the home bank
//! account in the currency received to the member's savings (through FX clearing when her
//! savings are kept in the currency she sent).

use uuid::Uuid;

use super::{Chosen, Proposal, Standard, standard, to_open};
use crate::domain::account::{AccountType, Direction};
use crate::domain::error::{LedgerError, Rule};
use crate::domain::member::{MemberRecord, MemberStatus};
use crate::domain::money::{self, Currency};
use crate::domain::operations::{RemittanceDetails, back_convert, fx_code, home_bank_code};

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
        fx_code(received),
        fx_code(savings),
    ]
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

/// The remittance `details` over `facts`, recorded as `id`: the posting of its group-savings
/// part (none when it has none), or the rule it breaks and the field that breaks it.
pub fn decide(
    details: &RemittanceDetails,
    facts: &RemittanceFacts,
    id: Uuid,
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
    let (code, name) = (home_bank_code(received), format!("Home bank ({received})"));
    let home_bank = opened(facts, code, name, received, true, "/receive_currency")?;
    let mut proposal = Proposal::default();
    proposal.add(&home_bank, Direction::Debit, to_savings);
    let credit = if savings_currency == received {
        to_savings
    } else if savings_currency == details.send_currency {
        // The savings are in the currency the member sent: credit them with what the
        // group-savings part cost the member, through FX clearing.
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
        back
    } else {
        return Err(LedgerError::rule(
            Rule::CurrencyMismatch,
            Some("/receive_currency".into()),
            format!(
                "the member's savings are in {savings_currency}; group savings must be sent or received in it"
            ),
        ));
    };
    proposal.add(
        &Chosen::Existing(record.savings.clone()),
        Direction::Credit,
        credit,
    );
    let description = format!(
        "{} remits group savings ({} {})",
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
