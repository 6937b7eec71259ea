//! The rules every transaction must satisfy before it is written. Pure: the store loads the
//! accounts and the group's state, this module decides, the store writes.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use uuid::Uuid;

use super::account::{AccountType, Direction, normal_balance};
use super::error::{LedgerError, Rule};
use super::money::{Currency, format_amount};

/// Fewest and most entries in one transaction a client sends. The most is a limit on a
/// request, checked where the request is read; a transaction the service writes itself (a
/// distribution's share to each member, a period close over every income and expense account)
/// has as many entries as the group has members or accounts, up to [`MAX_WRITTEN_ENTRIES`].
pub const MIN_ENTRIES: usize = 2;
pub const MAX_ENTRIES: usize = 100;
/// Most entries in any transaction written, so that one posting stays bounded.
pub const MAX_WRITTEN_ENTRIES: usize = 100_000;

/// The state of an account as the posting sees it, read under the group's write lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountState {
    pub id: Uuid,
    pub code: String,
    pub kind: AccountType,
    pub currency: Currency,
    pub no_overdraft: bool,
    pub debits_minor: i64,
    pub credits_minor: i64,
    /// How people name the account, where it is someone's (a member's savings); an overdraft
    /// refusal then names it so instead of by its code.
    pub label: Option<AccountLabel>,
    /// The request field an overdraft of this account points at, where the request named the
    /// account in its own words (a withdrawal's `/amount` for the member's savings, its
    /// `/channel` for the cash box); else the entry that names it.
    pub field: Option<&'static str>,
}

/// A member's account in the member's own words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountLabel {
    /// "Carmen Santos's savings".
    pub whole: String,
    /// "her savings".
    pub own: String,
}

impl AccountState {
    /// The state of `account` as stored, with no label and no field of its own.
    pub fn of(account: &super::model::Account) -> Self {
        AccountState {
            id: account.id,
            code: account.code.clone(),
            kind: account.kind,
            currency: account.currency,
            no_overdraft: account.no_overdraft,
            debits_minor: account.debits_minor,
            credits_minor: account.credits_minor,
            label: None,
            field: None,
        }
    }
}

/// One line of a proposed transaction: the index of its account in the account list, the side,
/// and the amount in the account's minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line {
    pub account: usize,
    pub direction: Direction,
    pub amount_minor: i64,
}

/// New stored totals for one account after the transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewTotals {
    pub account: usize,
    pub debits_minor: i64,
    pub credits_minor: i64,
}

fn entry_pointer(index: usize, field: &str) -> Option<String> {
    Some(format!("/entries/{index}/{field}"))
}

/// Checks every ledger rule and returns the account totals the transaction leads to.
///
/// Rules, in the order they are checked: 2 to [`MAX_WRITTEN_ENTRIES`] lines; booked after the
/// closed period; every amount positive; debits equal credits in each currency; no total
/// overflows; no `no_overdraft` account ends below zero on its normal side.
pub fn check(
    lines: &[Line],
    accounts: &[AccountState],
    booked_on: NaiveDate,
    closed_through: Option<NaiveDate>,
) -> Result<Vec<NewTotals>, LedgerError> {
    check_count(lines)?;
    check_open(booked_on, closed_through)?;
    let (net, totals) = sum_lines(lines, accounts)?;
    check_balanced(&net)?;
    new_totals(&totals, accounts)
}

fn check_count(lines: &[Line]) -> Result<(), LedgerError> {
    if (MIN_ENTRIES..=MAX_WRITTEN_ENTRIES).contains(&lines.len()) {
        return Ok(());
    }
    Err(LedgerError::rule(
        Rule::EntryCount,
        Some("/entries".into()),
        format!(
            "a transaction needs {MIN_ENTRIES} to {MAX_WRITTEN_ENTRIES} entries, this one has {}",
            lines.len()
        ),
    ))
}

fn check_open(booked_on: NaiveDate, closed_through: Option<NaiveDate>) -> Result<(), LedgerError> {
    match closed_through {
        Some(closed) if booked_on <= closed => Err(LedgerError::rule(
            Rule::ClosedPeriod,
            Some("/booked_on".into()),
            format!("the ledger is closed through {closed}; {booked_on} is inside that period"),
        )),
        _ => Ok(()),
    }
}

fn overflow(index: usize) -> LedgerError {
    LedgerError::rule(
        Rule::Overflow,
        entry_pointer(index, "amount"),
        "a total would exceed the largest amount the ledger can hold",
    )
}

/// Each account's (debits, credits) after the lines, with the first line that names it.
type Totals = BTreeMap<usize, (i64, i64, usize)>;

/// The net per currency (debits positive) and the running totals per account, both
/// checked; every amount must be positive.
fn sum_lines(
    lines: &[Line],
    accounts: &[AccountState],
) -> Result<(BTreeMap<Currency, i64>, Totals), LedgerError> {
    let mut net: BTreeMap<Currency, i64> = BTreeMap::new();
    let mut totals: Totals = BTreeMap::new();
    for (index, line) in lines.iter().enumerate() {
        if line.amount_minor <= 0 {
            return Err(LedgerError::rule(
                Rule::NonPositiveAmount,
                entry_pointer(index, "amount"),
                format!("entry {index} has an amount that is not greater than zero"),
            ));
        }
        let account = &accounts[line.account];
        let signed = match line.direction {
            Direction::Debit => line.amount_minor,
            Direction::Credit => -line.amount_minor,
        };
        let sum = net.entry(account.currency).or_insert(0);
        *sum = sum.checked_add(signed).ok_or_else(|| overflow(index))?;
        let entry = totals.entry(line.account).or_insert((
            account.debits_minor,
            account.credits_minor,
            index,
        ));
        let side = match line.direction {
            Direction::Debit => &mut entry.0,
            Direction::Credit => &mut entry.1,
        };
        *side = side
            .checked_add(line.amount_minor)
            .ok_or_else(|| overflow(index))?;
    }
    Ok((net, totals))
}

fn check_balanced(net: &BTreeMap<Currency, i64>) -> Result<(), LedgerError> {
    for (currency, difference) in net {
        if *difference != 0 {
            let (more, by) = if *difference > 0 {
                ("debits exceed credits", *difference)
            } else {
                ("credits exceed debits", -*difference)
            };
            return Err(LedgerError::rule(
                Rule::Unbalanced,
                Some("/entries".into()),
                format!("in {currency} {more} by {}", format_amount(by, *currency)),
            ));
        }
    }
    Ok(())
}

/// The accounts' new totals, unless one of them would be overdrawn.
fn new_totals(totals: &Totals, accounts: &[AccountState]) -> Result<Vec<NewTotals>, LedgerError> {
    let mut result = Vec::with_capacity(totals.len());
    for (&account_index, &(debits, credits, first_line)) in totals {
        let account = &accounts[account_index];
        let balance =
            normal_balance(account.kind, debits, credits).ok_or_else(|| overflow(first_line))?;
        if account.no_overdraft && balance < 0 {
            return Err(overdraft(account, balance, first_line));
        }
        result.push(NewTotals {
            account: account_index,
            debits_minor: debits,
            credits_minor: credits,
        });
    }
    Ok(result)
}

/// The refusal of a line that would leave `account` at `balance`, in the account's own
/// words where it has them.
fn overdraft(account: &AccountState, balance: i64, first_line: usize) -> LedgerError {
    let available =
        normal_balance(account.kind, account.debits_minor, account.credits_minor).unwrap_or(0);
    let (whole, own) = match &account.label {
        Some(label) => (label.whole.clone(), format!("{} are", label.own)),
        None => (
            format!("account {}", account.code),
            "its balance is".to_string(),
        ),
    };
    let pointer = match account.field {
        Some(field) => Some(field.to_string()),
        None => entry_pointer(first_line, "account"),
    };
    LedgerError::rule(
        Rule::Overdraft,
        pointer,
        format!(
            "{whole} would end at {} {}; {own} {} {}",
            format_amount(balance, account.currency),
            account.currency,
            format_amount(available, account.currency),
            account.currency,
        ),
    )
}

/// The lines that undo `lines`: the same accounts and amounts on the opposite sides.
pub fn mirror(lines: &[Line]) -> Vec<Line> {
    lines
        .iter()
        .map(|l| Line {
            direction: l.direction.opposite(),
            ..*l
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(code: &str, kind: AccountType, currency: &str, no_overdraft: bool) -> AccountState {
        AccountState {
            id: Uuid::now_v7(),
            code: code.into(),
            kind,
            currency: Currency::parse(currency).unwrap(),
            no_overdraft,
            debits_minor: 0,
            credits_minor: 0,
            label: None,
            field: None,
        }
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    fn line(account: usize, direction: Direction, amount_minor: i64) -> Line {
        Line {
            account,
            direction,
            amount_minor,
        }
    }

    fn rule_of(result: Result<Vec<NewTotals>, LedgerError>) -> Rule {
        match result {
            Err(LedgerError::Rule { rule, .. }) => rule,
            other => panic!("expected a rule violation, got {other:?}"),
        }
    }

    #[test]
    fn a_balanced_contribution_updates_both_accounts() {
        let accounts = [
            account("assets:cash:HKD", AccountType::Asset, "HKD", false),
            account(
                "liabilities:savings:ana",
                AccountType::Liability,
                "HKD",
                true,
            ),
        ];
        let lines = [
            line(0, Direction::Debit, 50_000),
            line(1, Direction::Credit, 50_000),
        ];
        let totals = check(&lines, &accounts, day(5), None).unwrap();
        assert_eq!(
            totals,
            vec![
                NewTotals {
                    account: 0,
                    debits_minor: 50_000,
                    credits_minor: 0
                },
                NewTotals {
                    account: 1,
                    debits_minor: 0,
                    credits_minor: 50_000
                },
            ]
        );
    }

    #[test]
    fn each_rule_is_enforced() {
        let mut accounts = vec![
            account("assets:cash:HKD", AccountType::Asset, "HKD", false),
            account(
                "liabilities:savings:ana",
                AccountType::Liability,
                "HKD",
                true,
            ),
            account("assets:home-bank:PHP", AccountType::Asset, "PHP", false),
        ];
        let one = [line(0, Direction::Debit, 1)];
        assert_eq!(
            rule_of(check(&one, &accounts, day(5), None)),
            Rule::EntryCount
        );
        let ok = [line(0, Direction::Debit, 1), line(1, Direction::Credit, 1)];
        assert_eq!(
            rule_of(check(&ok, &accounts, day(5), Some(day(5)))),
            Rule::ClosedPeriod
        );
        assert!(check(&ok, &accounts, day(6), Some(day(5))).is_ok());
        let zero = [line(0, Direction::Debit, 0), line(1, Direction::Credit, 0)];
        assert_eq!(
            rule_of(check(&zero, &accounts, day(5), None)),
            Rule::NonPositiveAmount
        );
        let unbalanced = [line(0, Direction::Debit, 2), line(1, Direction::Credit, 1)];
        assert_eq!(
            rule_of(check(&unbalanced, &accounts, day(5), None)),
            Rule::Unbalanced
        );
        // Balanced in total but not per currency.
        let cross = [line(0, Direction::Debit, 5), line(2, Direction::Credit, 5)];
        assert_eq!(
            rule_of(check(&cross, &accounts, day(5), None)),
            Rule::Unbalanced
        );
        let withdraw = [line(1, Direction::Debit, 1), line(0, Direction::Credit, 1)];
        assert_eq!(
            rule_of(check(&withdraw, &accounts, day(5), None)),
            Rule::Overdraft
        );
        accounts[1].credits_minor = 1;
        assert!(check(&withdraw, &accounts, day(5), None).is_ok());
        accounts[0].debits_minor = i64::MAX;
        assert_eq!(rule_of(check(&ok, &accounts, day(5), None)), Rule::Overflow);
    }

    #[test]
    fn a_mirror_undoes_the_original() {
        let lines = [line(0, Direction::Debit, 7), line(1, Direction::Credit, 7)];
        let back = mirror(&lines);
        assert_eq!(back[0].direction, Direction::Credit);
        assert_eq!(back[1].direction, Direction::Debit);
        assert_eq!(back[0].amount_minor, 7);
    }
}

/// A transaction being composed from whole accounts: each account is listed once, however
/// many lines name it, and lines keep the order they were added in.
#[derive(Debug, Default)]
pub struct Draft {
    pub accounts: Vec<AccountState>,
    pub lines: Vec<Line>,
}

impl Draft {
    pub fn add(
        &mut self,
        account: &super::model::Account,
        direction: Direction,
        amount_minor: i64,
    ) {
        let index = match self.accounts.iter().position(|a| a.id == account.id) {
            Some(index) => index,
            None => {
                self.accounts.push(AccountState::of(account));
                self.accounts.len() - 1
            }
        };
        self.lines.push(Line {
            account: index,
            direction,
            amount_minor,
        });
    }
}
