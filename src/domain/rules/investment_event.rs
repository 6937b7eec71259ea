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

/// The lines of an event of `kind` moving `amount_minor` between the investment's account,
/// the cash side and the income or impairment account.
fn lines(
    kind: InvestmentEventKind,
    facts: &InvestmentEventFacts,
    cash: Option<&Chosen>,
    amount_minor: i64,
) -> Result<Proposal, LedgerError> {
    let currency = facts.record.investment.currency;
    let asset = Chosen::Existing(facts.asset.clone());
    let cash_side = || cash.ok_or_else(|| LedgerError::Internal("cash side".into()));
    let mut proposal = Proposal::default();
    match kind {
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
    Ok(proposal)
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
    let cash = cash_account(request, facts, currency)?;
    let mut proposal = lines(request.kind, facts, cash.as_ref(), amount_minor)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::AccountRef;
    use crate::domain::money;
    use crate::domain::operations::{Investment, InvestmentFigures, InvestmentKind};
    use crate::domain::rules::testing::{
        account, balance_after, balances, currency, day, post, rule_and_pointer,
    };
    use proptest::prelude::*;

    const KINDS: [InvestmentEventKind; 4] = [
        InvestmentEventKind::Disbursement,
        InvestmentEventKind::Income,
        InvestmentEventKind::CapitalReturned,
        InvestmentEventKind::WriteDown,
    ];

    /// An active HKD investment with `book` on its account, and a home bank holding `cash`.
    fn facts(book: i64, cash: i64) -> InvestmentEventFacts {
        let hkd = currency("HKD");
        let asset = account("assets:investments:x", AccountType::Asset, hkd, book);
        let home = account("assets:home-bank:HKD", AccountType::Asset, hkd, cash);
        let investment = Investment {
            id: Uuid::now_v7(),
            group_id: Uuid::nil(),
            name: "Sari-sari store".into(),
            kind: InvestmentKind::Enterprise,
            sector: "retail".into(),
            country: "PH".into(),
            currency: hkd,
            partner: None,
            committed_minor: None,
            women_led: None,
            status: InvestmentStatus::Active,
            status_on: None,
            account_id: asset.id,
            account_code: asset.code.clone(),
            created_by: None,
            created_at: chrono::Utc::now(),
        };
        InvestmentEventFacts {
            record: InvestmentRecord {
                investment,
                figures: InvestmentFigures {
                    book_value: book,
                    ..InvestmentFigures::default()
                },
            },
            asset,
            named: None,
            standard: [(home.code.clone(), home)].into_iter().collect(),
        }
    }

    fn request(kind: InvestmentEventKind, amount: &str) -> NewInvestmentEvent {
        NewInvestmentEvent {
            investment_id: Uuid::nil(),
            kind,
            amount: amount.into(),
            account: None,
            booked_on: day(),
            note: None,
            created_by: None,
        }
    }

    #[test]
    fn a_closed_investment_takes_no_more_capital_in_or_out() {
        let mut facts = facts(1_000, 1_000);
        facts.record.investment.status = InvestmentStatus::Exited;
        for kind in [
            InvestmentEventKind::Disbursement,
            InvestmentEventKind::WriteDown,
        ] {
            let refused = decide(&request(kind, "1"), &facts, Uuid::nil());
            assert_eq!(rule_and_pointer(refused), (Rule::InvestmentClosed, None));
        }
        for kind in [
            InvestmentEventKind::Income,
            InvestmentEventKind::CapitalReturned,
        ] {
            assert!(decide(&request(kind, "1"), &facts, Uuid::nil()).is_ok());
        }
    }

    #[test]
    fn a_named_account_that_is_missing_or_in_another_currency_is_refused_at_account() {
        let mut facts = facts(0, 0);
        let mut named = request(InvestmentEventKind::Disbursement, "1");
        named.account = Some(AccountRef::Code("assets:bank:PHP".into()));
        facts.named = Some(None);
        assert_eq!(
            rule_and_pointer(decide(&named, &facts, Uuid::nil())),
            (Rule::UnknownAccount, Some("/account".into()))
        );
        let php = account("assets:bank:PHP", AccountType::Asset, currency("PHP"), 0);
        facts.named = Some(Some(php));
        assert_eq!(
            rule_and_pointer(decide(&named, &facts, Uuid::nil())),
            (Rule::CurrencyMismatch, Some("/account".into()))
        );
    }

    proptest::proptest! {
        /// Every event balances; the investment's book value moves as its kind says
        /// (capital returned comes back at cost up to the book value, the rest is income);
        /// and an overdraft points at `/account` for the account the treasurer named and
        /// at `/amount` for any other.
        #[test]
        fn an_event_balances_and_its_refusals_point_at_the_right_field(
            kind_index in 0usize..4,
            amount in 1i64..=1_000_000,
            book in 0i64..=1_000_000,
            cash in 0i64..=1_000_000,
            name_it: bool,
        ) {
            let kind = KINDS[kind_index];
            let mut facts = facts(book, cash);
            let mut request = request(kind, &money::format_amount(amount, currency("HKD")));
            if name_it {
                let bank = account("assets:bank:HKD", AccountType::Asset, currency("HKD"), cash);
                request.account = Some(AccountRef::Code(bank.code.clone()));
                facts.named = Some(Some(bank));
            }
            let decided = decide(&request, &facts, Uuid::nil()).unwrap();
            let proposal = &decided.proposal;
            prop_assert!(balances(proposal));
            let asset = facts.asset.code.as_str();
            let moved = match kind {
                InvestmentEventKind::Disbursement => amount,
                InvestmentEventKind::Income => 0,
                InvestmentEventKind::CapitalReturned => -amount.min(book),
                InvestmentEventKind::WriteDown => -amount,
            };
            prop_assert_eq!(proposal.net_of(asset), i128::from(moved));
            let cash_code = if name_it { "assets:bank:HKD" } else { "assets:home-bank:HKD" };
            let expected_code = (kind != InvestmentEventKind::WriteDown).then(|| cash_code.to_string());
            prop_assert_eq!(&decided.account_code, &expected_code);
            match post(proposal) {
                Ok(_) => {
                    if moved != 0 {
                        prop_assert_eq!(balance_after(proposal, asset), book + moved);
                    }
                }
                Err(refused) => {
                    // Only a disbursement beyond the cash, or a write-down beyond the book
                    // value, can overdraw.
                    let (rule, pointer) = rule_and_pointer::<()>(Err(refused));
                    prop_assert_eq!(rule, Rule::Overdraft);
                    match kind {
                        InvestmentEventKind::Disbursement => {
                            prop_assert!(amount > cash);
                            let field = if name_it { "/account" } else { "/amount" };
                            prop_assert_eq!(pointer.as_deref(), Some(field));
                        }
                        InvestmentEventKind::WriteDown => {
                            prop_assert!(amount > book);
                            prop_assert_eq!(pointer.as_deref(), Some("/amount"));
                        }
                        other => prop_assert!(false, "{other:?} overdrew"),
                    }
                }
            }
        }
    }
}
