//! The rules that decide what each group operation posts. Each use case is three steps: the
//! store loads the facts it needs (a `*Facts` struct), a function here decides (the lines to
//! post and the record to keep, or the rule that refuses and the field it points at), and
//! the store writes what was decided. Nothing here reads or writes a database.
//!
//! Accounts a decision posts to are either the group's own (read with the facts) or standard
//! accounts the group opens on first need (`assets:fx:PHP`, `income:investments:HKD`...): a
//! [`Chosen`] account says which, and the store opens the latter as it writes.

pub mod closing;
pub mod distribution;
pub mod exit;
pub mod investment_event;
pub mod remittance;
pub mod remittance_transit;
pub mod transfer;

use std::collections::HashMap;

use super::account::{AccountType, Direction};
use super::error::{LedgerError, Rule};
use super::model::{Account, NewAccount};
use super::money::Currency;
use super::posting::Line;

/// The group's accounts with the standard codes a decision may post to, by code: those the
/// group has opened so far (a code missing here is opened on first need).
pub type Standard = HashMap<String, Account>;

/// An account a decision posts to: one the group has, or one it opens for the posting.
#[derive(Debug, Clone)]
pub enum Chosen {
    Existing(Account),
    ToOpen(NewAccount),
}

impl Chosen {
    pub fn code(&self) -> &str {
        match self {
            Chosen::Existing(a) => &a.code,
            Chosen::ToOpen(a) => &a.code,
        }
    }

    pub fn currency(&self) -> Currency {
        match self {
            Chosen::Existing(a) => a.currency,
            Chosen::ToOpen(a) => a.currency,
        }
    }
}

/// A standard account as the group opens it when first needed. Income and expense accounts
/// only gather what is closed into equity later: a correction booked after a period may take
/// one below zero until that period is closed, so they never refuse a posting.
pub fn to_open(
    code: String,
    name: String,
    kind: AccountType,
    currency: Currency,
    no_overdraft: bool,
) -> NewAccount {
    NewAccount {
        code,
        name,
        kind,
        currency,
        no_overdraft: no_overdraft && !matches!(kind, AccountType::Income | AccountType::Expense),
    }
}

/// The standard account `wanted` describes: the group's account with its code (in
/// `standard`) if it has one, which must then be of `wanted`'s kind and currency (else a 422 on
/// `pointer`), or `wanted` itself, to open.
pub fn standard(
    standard: &Standard,
    wanted: NewAccount,
    pointer: &str,
) -> Result<Chosen, LedgerError> {
    let Some(account) = standard.get(&wanted.code) else {
        return Ok(Chosen::ToOpen(wanted));
    };
    if account.currency != wanted.currency || account.kind != wanted.kind {
        return Err(LedgerError::rule(
            Rule::CurrencyMismatch,
            Some(pointer.to_string()),
            format!(
                "the group's account {} is a {} account in {}, not a {} account in {}",
                account.code,
                account.kind.as_str(),
                account.currency,
                wanted.kind.as_str(),
                wanted.currency
            ),
        ));
    }
    Ok(Chosen::Existing(account.clone()))
}

/// An account the request names (`found`, `None` when the group has no such account), which
/// must be an asset account in `currency`; a refusal points at `pointer`.
pub fn asset_account(
    found: Option<&Account>,
    currency: Currency,
    pointer: &str,
) -> Result<Account, LedgerError> {
    let Some(found) = found else {
        return Err(LedgerError::rule(
            Rule::UnknownAccount,
            Some(pointer.into()),
            "the group has no such account",
        ));
    };
    if found.kind != AccountType::Asset {
        return Err(LedgerError::rule(
            Rule::AccountKind,
            Some(pointer.into()),
            format!(
                "{} is a {} account; money moves between asset accounts",
                found.code,
                found.kind.as_str()
            ),
        ));
    }
    if found.currency != currency {
        return Err(LedgerError::rule(
            Rule::CurrencyMismatch,
            Some(pointer.into()),
            format!("{} is in {}, not {currency}", found.code, found.currency),
        ));
    }
    Ok(found.clone())
}

/// A transaction decided but not written: its accounts in the order its lines first name
/// them (each once, however many lines name it), each with the request field an overdraft of
/// it points at, and the lines.
#[derive(Debug, Clone, Default)]
pub struct Proposal {
    pub accounts: Vec<Chosen>,
    pub fields: Vec<Option<&'static str>>,
    pub lines: Vec<Line>,
}

impl Proposal {
    pub fn add(&mut self, account: &Chosen, direction: Direction, amount_minor: i64) {
        let index = match self
            .accounts
            .iter()
            .position(|a| a.code() == account.code())
        {
            Some(index) => index,
            None => {
                self.accounts.push(account.clone());
                self.fields.push(None);
                self.accounts.len() - 1
            }
        };
        self.lines.push(Line {
            account: index,
            direction,
            amount_minor,
        });
    }

    /// Points an overdraft of each account at the field `field` gives for it.
    pub fn point_overdrafts(&mut self, field: impl Fn(&Chosen) -> &'static str) {
        for (account, slot) in self.accounts.iter().zip(self.fields.iter_mut()) {
            *slot = Some(field(account));
        }
    }

    /// Debits less credits in each currency; all zero when the proposal balances.
    pub fn net_by_currency(&self) -> HashMap<Currency, i128> {
        let mut net = HashMap::new();
        for line in &self.lines {
            let signed = match line.direction {
                Direction::Debit => i128::from(line.amount_minor),
                Direction::Credit => -i128::from(line.amount_minor),
            };
            *net.entry(self.accounts[line.account].currency())
                .or_insert(0) += signed;
        }
        net
    }

    /// What the lines move on the account with `code`: debits less credits.
    pub fn net_of(&self, code: &str) -> i128 {
        self.lines
            .iter()
            .filter(|l| self.accounts[l.account].code() == code)
            .map(|l| match l.direction {
                Direction::Debit => i128::from(l.amount_minor),
                Direction::Credit => -i128::from(l.amount_minor),
            })
            .sum()
    }
}

/// Accounts and standard accounts for the tests of the rules.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;
    use crate::domain::account::normal_balance;
    use crate::domain::member::{Member, MemberRecord, MemberStatus, Sex};
    use crate::domain::posting::{AccountState, NewTotals, check};

    pub fn account(code: &str, kind: AccountType, currency: Currency, balance: i64) -> Account {
        let (debits_minor, credits_minor) = match kind.normal_side() {
            Direction::Debit => (balance.max(0), (-balance).max(0)),
            Direction::Credit => ((-balance).max(0), balance.max(0)),
        };
        Account {
            id: uuid::Uuid::now_v7(),
            group_id: uuid::Uuid::nil(),
            code: code.into(),
            name: code.into(),
            kind,
            currency,
            no_overdraft: true,
            debits_minor,
            credits_minor,
            created_at: chrono::Utc::now(),
        }
    }

    pub fn currency(code: &str) -> Currency {
        Currency::parse(code).expect("a known currency")
    }

    pub fn rule_and_pointer<T: std::fmt::Debug>(
        result: Result<T, LedgerError>,
    ) -> (Rule, Option<String>) {
        match result {
            Err(LedgerError::Rule { rule, pointer, .. }) => (rule, pointer),
            other => panic!("expected a rule refusal, got {other:?}"),
        }
    }

    /// A member with savings and capital in `currency` holding `savings` and `capital`
    /// (on their normal sides), and the payables given (code suffix after her id, balance).
    pub fn member(
        name: &str,
        currency: Currency,
        savings: i64,
        capital: i64,
        payables: &[(Currency, i64)],
    ) -> MemberRecord {
        let id = uuid::Uuid::now_v7();
        let savings = account(
            &format!("liabilities:savings:{id}"),
            AccountType::Liability,
            currency,
            savings,
        );
        let capital = account(
            &format!("equity:capital:{id}"),
            AccountType::Equity,
            currency,
            capital,
        );
        let payables = payables
            .iter()
            .map(|(c, balance)| {
                let code = crate::domain::operations::payable_code(id, *c);
                account(&code, AccountType::Liability, *c, *balance)
            })
            .collect();
        MemberRecord {
            member: Member {
                id,
                group_id: uuid::Uuid::nil(),
                number: 1,
                name: name.into(),
                sex: Sex::Female,
                birth_year: None,
                home_country: "PH".into(),
                host_country: "HK".into(),
                occupation: None,
                contact: None,
                joined_on: day(),
                status: MemberStatus::Active,
                status_on: None,
                savings_account_id: savings.id,
                capital_account_id: capital.id,
                created_at: chrono::Utc::now(),
            },
            savings,
            capital,
            payables,
        }
    }

    pub fn day() -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(2026, 6, 1).expect("a date")
    }

    /// The accounts of `proposal` as a posting sees them: those to open start at zero.
    pub fn states(proposal: &Proposal) -> Vec<AccountState> {
        proposal
            .accounts
            .iter()
            .zip(&proposal.fields)
            .map(|(chosen, field)| {
                let account = match chosen {
                    Chosen::Existing(a) => a.clone(),
                    Chosen::ToOpen(n) => {
                        let mut a = account(&n.code, n.kind, n.currency, 0);
                        a.no_overdraft = n.no_overdraft;
                        a
                    }
                };
                AccountState {
                    field: *field,
                    ..AccountState::of(&account)
                }
            })
            .collect()
    }

    /// Every ledger rule `proposal` meets or breaks, as the store would find on posting it.
    pub fn post(proposal: &Proposal) -> Result<Vec<NewTotals>, LedgerError> {
        check(&proposal.lines, &states(proposal), day(), None)
    }

    /// The balance (on its normal side) the account with `code` ends at once `proposal` is
    /// posted.
    pub fn balance_after(proposal: &Proposal, code: &str) -> i64 {
        let states = states(proposal);
        let totals = post(proposal).expect("the proposal posts");
        let index = states
            .iter()
            .position(|s| s.code == code)
            .expect("an account of the proposal");
        let new = totals
            .iter()
            .find(|t| t.account == index)
            .expect("totals of the account");
        normal_balance(states[index].kind, new.debits_minor, new.credits_minor)
            .expect("a balance in range")
    }

    /// Every currency's lines balance.
    pub fn balances(proposal: &Proposal) -> bool {
        proposal.net_by_currency().values().all(|n| *n == 0)
    }
}
