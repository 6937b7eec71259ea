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
