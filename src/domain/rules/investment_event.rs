//! An investment's event: money disbursed into it, income or capital coming back from it, or
//! its book value written down.

use uuid::Uuid;

use super::{Chosen, Proposal, Standard, asset_account, standard, to_open};
use crate::domain::account::{AccountType, Direction};
use crate::domain::error::{LedgerError, Rule};
use crate::domain::model::Account;
use crate::domain::money::Currency;
use crate::domain::operations::{
    InvestmentEventKind, InvestmentRecord, InvestmentStatus, NewInvestmentEvent, home_bank_code,
    impairment_code, investment_income_code, positive_amount,
};

/// What an investment event is decided on: the investment, its own asset account, the
/// account the request names (`Some(None)` when it names one the group does not have), and
/// the group's accounts of [`standard_codes`].
#[derive(Debug, Clone)]
pub struct InvestmentEventFacts {
    pub record: InvestmentRecord,
    pub asset: Account,
    pub named: Option<Option<Account>>,
    pub standard: Standard,
}

/// The standard accounts an event of an investment in `currency` may post to.
pub fn standard_codes(currency: Currency) -> Vec<String> {
    vec![
        home_bank_code(currency),
        investment_income_code(currency),
        impairment_code(currency),
    ]
}

/// An event decided: the transaction to post and the figures its record keeps.
#[derive(Debug, Clone)]
pub struct InvestmentEventDecision {
    pub proposal: Proposal,
    pub amount_minor: i64,
    pub currency: Currency,
    /// The account the money left or arrived in; none for a write-down.
    pub account_code: Option<String>,
    pub description: String,
    pub metadata: serde_json::Value,
}

fn income_account(facts: &InvestmentEventFacts, currency: Currency) -> Result<Chosen, LedgerError> {
    let wanted = to_open(
        investment_income_code(currency),
        format!("Investment income ({currency})"),
        AccountType::Income,
        currency,
        true,
    );
    standard(&facts.standard, wanted, "/amount")
}

/// The cash side: the account the request names, or the home bank in the investment's
/// currency; none for a write-down, which moves no money.
fn cash_account(
    request: &NewInvestmentEvent,
    facts: &InvestmentEventFacts,
    currency: Currency,
) -> Result<Option<Chosen>, LedgerError> {
    if request.kind == InvestmentEventKind::WriteDown {
        return Ok(None);
    }
    let chosen = match &facts.named {
        Some(found) => Chosen::Existing(asset_account(found.as_ref(), currency, "/account")?),
        None => {
            let wanted = to_open(
                home_bank_code(currency),
                format!("Home bank ({currency})"),
                AccountType::Asset,
                currency,
                true,
            );
            standard(&facts.standard, wanted, "/account")?
        }
    };
    Ok(Some(chosen))
}

/// The event `request` of the investment in `facts`, recorded as `event_id`: the lines it
/// posts, or the rule it breaks and the field that breaks it.
pub fn decide(
    request: &NewInvestmentEvent,
    facts: &InvestmentEventFacts,
    event_id: Uuid,
) -> Result<InvestmentEventDecision, LedgerError> {
    let investment = &facts.record.investment;
    let currency = investment.currency;
    let adds_or_removes_capital = matches!(
        request.kind,
        InvestmentEventKind::Disbursement | InvestmentEventKind::WriteDown
    );
    if adds_or_removes_capital && investment.status != InvestmentStatus::Active {
        return Err(LedgerError::rule(
            Rule::InvestmentClosed,
            None,
            format!(
                "the investment is {}; only income and capital returns can still be recorded",
                investment.status.as_str()
            ),
        ));
    }
    let amount_minor = positive_amount(&request.amount, currency, "/amount")?;
    let asset = Chosen::Existing(facts.asset.clone());
    let cash = cash_account(request, facts, currency)?;
    let cash_side = || {
        cash.as_ref()
            .ok_or_else(|| LedgerError::Internal("cash side".into()))
    };
    let mut proposal = Proposal::default();
    match request.kind {
        InvestmentEventKind::Disbursement => {
            proposal.add(&asset, Direction::Debit, amount_minor);
            proposal.add(cash_side()?, Direction::Credit, amount_minor);
        }
        InvestmentEventKind::Income => {
            let income = income_account(facts, currency)?;
            proposal.add(cash_side()?, Direction::Debit, amount_minor);
            proposal.add(&income, Direction::Credit, amount_minor);
        }
        InvestmentEventKind::CapitalReturned => {
            // Capital comes back at cost up to the book value; anything beyond it is a gain
            // on the investment.
            let book = (facts.asset.debits_minor - facts.asset.credits_minor).max(0);
            let at_cost = amount_minor.min(book);
            let gain = amount_minor - at_cost;
            proposal.add(cash_side()?, Direction::Debit, amount_minor);
            if at_cost > 0 {
                proposal.add(&asset, Direction::Credit, at_cost);
            }
            if gain > 0 {
                let income = income_account(facts, currency)?;
                proposal.add(&income, Direction::Credit, gain);
            }
        }
        InvestmentEventKind::WriteDown => {
            let wanted = to_open(
                impairment_code(currency),
                format!("Impairment ({currency})"),
                AccountType::Expense,
                currency,
                true,
            );
            let impairment = standard(&facts.standard, wanted, "/amount")?;
            proposal.add(&impairment, Direction::Debit, amount_minor);
            proposal.add(&asset, Direction::Credit, amount_minor);
        }
    }
    // An overdraft of the account the treasurer named points at `/account`; of any other
    // (the investment's own, or the default home bank), at `/amount`.
    let named = request
        .account
        .as_ref()
        .and(cash.as_ref())
        .map(|c| c.code().to_string());
    proposal.point_overdrafts(|a| {
        if Some(a.code()) == named.as_deref() {
            "/account"
        } else {
            "/amount"
        }
    });
    let description = format!(
        "{}: {}",
        investment.name,
        request.kind.as_str().replace('_', " ")
    );
    let metadata = serde_json::json!({
        "event": request.kind.as_str(),
        "event_id": event_id.to_string(),
        "investment_id": investment.id.to_string(),
    });
    Ok(InvestmentEventDecision {
        proposal,
        amount_minor,
        currency,
        account_code: cash.map(|c| c.code().to_string()),
        description,
        metadata,
    })
}
