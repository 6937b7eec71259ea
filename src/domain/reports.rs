//! Group reports worked out from the journal's totals: balance sheet and income statement per
//! currency with the accounting equation checked, members' balances on a date, and the
//! re-derivation of each distribution an auditor would do.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use uuid::Uuid;

use super::account::{AccountType, Direction};
use super::allocation;
use super::member::MemberRecord;
use super::model::{Account, Group, Statement};
use super::money::Currency;
use super::operations::{Distribution, InvestmentRecord};
use super::position::MemberPosition;

/// An account's debits and credits over some range of entries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub debits: i64,
    pub credits: i64,
}

impl Totals {
    /// The balance on the account's normal side.
    pub fn balance(&self, kind: AccountType) -> i128 {
        let (d, c) = (i128::from(self.debits), i128::from(self.credits));
        match kind.normal_side() {
            Direction::Debit => d - c,
            Direction::Credit => c - d,
        }
    }
}

/// What the financial statements are read from: every account, its totals of entries booked on
/// or before `to`, and its totals within `from`..`to` leaving out period-close transactions.
#[derive(Debug, Clone)]
pub struct StatementData {
    pub group: Group,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub accounts: Vec<Account>,
    pub to_date: HashMap<Uuid, Totals>,
    pub in_period: HashMap<Uuid, Totals>,
    /// The FX clearing entries booked on or before `to`, per transaction.
    pub fx_movements: Vec<super::fx::FxMovement>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportLine {
    pub code: String,
    pub name: String,
    pub amount: i128,
}

/// Balance sheet and income statement in one currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrencyStatements {
    pub currency: Currency,
    pub assets: Vec<ReportLine>,
    pub liabilities: Vec<ReportLine>,
    pub equity: Vec<ReportLine>,
    /// Income and expense not yet closed into equity, as of `to`.
    pub unclosed_income: i128,
    pub unclosed_expenses: i128,
    pub income: Vec<ReportLine>,
    pub expenses: Vec<ReportLine>,
}

fn total(lines: &[ReportLine]) -> i128 {
    lines.iter().map(|l| l.amount).sum()
}

impl CurrencyStatements {
    pub fn total_assets(&self) -> i128 {
        total(&self.assets)
    }
    pub fn total_liabilities(&self) -> i128 {
        total(&self.liabilities)
    }
    pub fn total_equity(&self) -> i128 {
        total(&self.equity)
    }
    pub fn total_income(&self) -> i128 {
        total(&self.income)
    }
    pub fn total_expenses(&self) -> i128 {
        total(&self.expenses)
    }
    pub fn net_income(&self) -> i128 {
        self.total_income() - self.total_expenses()
    }
    /// Assets = liabilities + equity + income − expense (what is not yet closed).
    pub fn equation_holds(&self) -> bool {
        self.total_assets()
            == self.total_liabilities() + self.total_equity() + self.unclosed_income
                - self.unclosed_expenses
    }
}

/// Per currency, in code order: the balance sheet as of `to` and the income statement for the
/// period. Accounts with nothing to show are left out.
pub fn financial_statements(data: &StatementData) -> Vec<CurrencyStatements> {
    let mut by_currency: BTreeMap<&'static str, CurrencyStatements> = BTreeMap::new();
    for account in &data.accounts {
        let entry = by_currency
            .entry(account.currency.code())
            .or_insert_with(|| CurrencyStatements {
                currency: account.currency,
                assets: Vec::new(),
                liabilities: Vec::new(),
                equity: Vec::new(),
                unclosed_income: 0,
                unclosed_expenses: 0,
                income: Vec::new(),
                expenses: Vec::new(),
            });
        let at_end = data.to_date.get(&account.id).copied().unwrap_or_default();
        let balance = at_end.balance(account.kind);
        let line = |amount| ReportLine {
            code: account.code.clone(),
            name: account.name.clone(),
            amount,
        };
        match account.kind {
            AccountType::Asset if balance != 0 => entry.assets.push(line(balance)),
            AccountType::Liability if balance != 0 => entry.liabilities.push(line(balance)),
            AccountType::Equity if balance != 0 => entry.equity.push(line(balance)),
            AccountType::Income | AccountType::Expense => {
                if account.kind == AccountType::Income {
                    entry.unclosed_income += balance;
                } else {
                    entry.unclosed_expenses += balance;
                }
                let period = data.in_period.get(&account.id).copied().unwrap_or_default();
                let amount = period.balance(account.kind);
                if amount != 0 {
                    if account.kind == AccountType::Income {
                        entry.income.push(line(amount));
                    } else {
                        entry.expenses.push(line(amount));
                    }
                }
            }
            _ => {}
        }
    }
    by_currency.into_values().collect()
}

#[derive(Debug, Clone)]
pub struct MemberBalances {
    pub as_of: Option<NaiveDate>,
    pub members: Vec<(MemberRecord, MemberPosition)>,
}

/// Each member's position on the date, from the totals of every account on it.
pub fn member_balances(
    group: &Group,
    members: Vec<MemberRecord>,
    accounts: &[Account],
    totals: &HashMap<Uuid, Totals>,
) -> Vec<(MemberRecord, MemberPosition)> {
    let balance = |account: &Account| -> i64 {
        let b = totals
            .get(&account.id)
            .copied()
            .unwrap_or_default()
            .balance(account.kind);
        i64::try_from(b).unwrap_or(i64::MAX)
    };
    let payables: Vec<&Account> = accounts
        .iter()
        .filter(|a| a.code.starts_with("liabilities:payable:"))
        .collect();
    members
        .into_iter()
        .map(|record| {
            let position = MemberPosition::of(group.currency, &record, &payables, balance);
            (record, position)
        })
        .collect()
}

/// Cash and bank accounts over a period: opening, each receipt and payment, closing.
#[derive(Debug, Clone)]
pub struct CashBook {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub accounts: Vec<Statement>,
}

/// Whether an account is one of the group's cash or bank accounts.
pub fn is_cash_account(account: &Account) -> bool {
    account.kind == AccountType::Asset
        && ["assets:cash:", "assets:bank:", "assets:home-bank:"]
            .iter()
            .any(|prefix| account.code.starts_with(prefix))
}

#[derive(Debug, Clone)]
pub struct InvestmentRegister {
    pub investments: Vec<InvestmentRecord>,
}

/// Everything an accreditation statement on a date says, read in one snapshot, so that its
/// parts agree with each other.
#[derive(Debug, Clone)]
pub struct AccreditationFacts {
    /// The group's whole life to the date (from its first booking), with the group.
    pub life: super::performance::LoadedPerformance,
    /// The year to the date (from the first booking when the group is younger).
    pub year: super::performance::PerformanceFacts,
    /// The balance sheet's and income statement's totals to the date.
    pub statements: StatementData,
    pub register: InvestmentRegister,
    /// Every distribution of the group (the statement shows those booked by the date).
    pub distributions: Vec<Distribution>,
    /// The hash chain recomputed over the same snapshot.
    pub chain: super::model::Verification,
}

/// What the store finds for an accreditation statement on a date.
#[derive(Debug, Clone)]
pub enum Accreditation {
    /// The date is before the group began, on this day: there is nothing to accredit.
    BeforeBegan(NaiveDate),
    Facts(Box<AccreditationFacts>),
}

/// What an auditor finds redoing a distribution from its recorded weights.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistributionCheck {
    pub shares_total: i128,
    pub sums_to_pool: bool,
    /// Each recorded share equals the largest-remainder share recomputed from the weights.
    pub matches_recomputation: bool,
}

pub fn check_distribution(d: &Distribution) -> DistributionCheck {
    let shares_total: i128 = d.shares.iter().map(|s| i128::from(s.share_minor)).sum();
    let weights: Vec<(usize, i64)> = d
        .shares
        .iter()
        .enumerate()
        .map(|(i, s)| (i, s.weight))
        .collect();
    let matches = match allocation::allocate(d.pool_minor, &weights) {
        Ok(shares) => shares
            .iter()
            .all(|s| s.share == d.shares[s.key].share_minor),
        Err(_) => false,
    };
    DistributionCheck {
        shares_total,
        sums_to_pool: shares_total == i128::from(d.pool_minor),
        matches_recomputation: matches,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balances_are_on_the_normal_side() {
        let t = Totals {
            debits: 500,
            credits: 200,
        };
        assert_eq!(t.balance(AccountType::Asset), 300);
        assert_eq!(t.balance(AccountType::Liability), -300);
        assert_eq!(t.balance(AccountType::Expense), 300);
        assert_eq!(t.balance(AccountType::Income), -300);
    }
}
