//! A member's position in the group, defined once: her savings, her capital, and what the
//! group owes her as payables (distribution shares declared and not yet paid), per currency,
//! and what of it she may draw at will. The statement, the member's record, the members'
//! balances report and a member's exit all read it from here.

use uuid::Uuid;

use super::member::MemberRecord;
use super::model::Account;
use super::money::Currency;

/// Which part of a member's position an account holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Savings,
    Capital,
    Payable,
}

/// One of the member's accounts with its balance (on its normal side).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holding {
    pub part: Part,
    pub account: Account,
    pub balance_minor: i64,
}

/// The member's position in one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PositionLine {
    pub currency: Currency,
    pub savings: i64,
    pub capital: i64,
    pub payable: i64,
}

impl PositionLine {
    /// What the member may draw at will: savings and payables, never below zero. Capital is
    /// invested and is not withdrawable at will.
    pub fn available(&self) -> i64 {
        self.savings.max(0).saturating_add(self.payable.max(0))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberPosition {
    /// Savings, capital, then each payable account by code.
    pub holdings: Vec<Holding>,
    /// The group's currency first, then the others by code. A payable in another currency has
    /// a line while something is owed in it.
    pub lines: Vec<PositionLine>,
}

/// Whether `account` is one of the member's payable accounts
/// (`liabilities:payable:<member id>:<CCY>`).
pub fn is_payable_of(account: &Account, member_id: Uuid) -> bool {
    account
        .code
        .strip_prefix("liabilities:payable:")
        .and_then(|rest| rest.strip_prefix(&member_id.to_string()))
        .is_some_and(|rest| rest.starts_with(':'))
}

impl MemberPosition {
    /// The position of `record`'s member from her accounts: `accounts` may hold any of the
    /// group's accounts (her payables are picked out by code), and `balance` gives each
    /// account's balance on its normal side at the moment the position describes.
    pub fn of(
        group_currency: Currency,
        record: &MemberRecord,
        accounts: &[&Account],
        balance: impl Fn(&Account) -> i64,
    ) -> Self {
        let own = [&record.savings, &record.capital];
        Self::new(group_currency, record.member.id, own, accounts, balance)
    }

    /// The position as the record's accounts stand (their stored totals).
    pub fn current(group_currency: Currency, record: &MemberRecord) -> Self {
        let payables: Vec<&Account> = record.payables.iter().collect();
        let balance = |a: &Account| {
            super::account::normal_balance(a.kind, a.debits_minor, a.credits_minor).unwrap_or(0)
        };
        Self::of(group_currency, record, &payables, balance)
    }

    /// As [`MemberPosition::of`], from the member's id and her savings and capital accounts.
    pub fn new(
        group_currency: Currency,
        member_id: Uuid,
        [savings, capital]: [&Account; 2],
        accounts: &[&Account],
        balance: impl Fn(&Account) -> i64,
    ) -> Self {
        let mut holdings = vec![
            Holding {
                part: Part::Savings,
                account: savings.clone(),
                balance_minor: balance(savings),
            },
            Holding {
                part: Part::Capital,
                account: capital.clone(),
                balance_minor: balance(capital),
            },
        ];
        let mut payables: Vec<&Account> = accounts
            .iter()
            .copied()
            .filter(|a| is_payable_of(a, member_id))
            .collect();
        payables.sort_by(|a, b| a.code.cmp(&b.code));
        payables.dedup_by(|a, b| a.id == b.id);
        for account in payables {
            holdings.push(Holding {
                part: Part::Payable,
                account: account.clone(),
                balance_minor: balance(account),
            });
        }
        let mut lines: Vec<PositionLine> = vec![PositionLine {
            currency: group_currency,
            savings: 0,
            capital: 0,
            payable: 0,
        }];
        for h in &holdings {
            let currency = h.account.currency;
            let shown = h.part != Part::Payable || h.balance_minor != 0;
            let index = match lines.iter().position(|l| l.currency == currency) {
                Some(i) => i,
                None if shown => {
                    lines.push(PositionLine {
                        currency,
                        savings: 0,
                        capital: 0,
                        payable: 0,
                    });
                    lines.len() - 1
                }
                None => continue,
            };
            let line = &mut lines[index];
            let field = match h.part {
                Part::Savings => &mut line.savings,
                Part::Capital => &mut line.capital,
                Part::Payable => &mut line.payable,
            };
            *field = field.saturating_add(h.balance_minor);
        }
        lines.sort_by_key(|l| (l.currency != group_currency, l.currency.code()));
        MemberPosition { holdings, lines }
    }

    /// The line in `currency`, if the member has one.
    pub fn line(&self, currency: Currency) -> Option<&PositionLine> {
        self.lines.iter().find(|l| l.currency == currency)
    }

    /// What the member may draw at will in `currency`.
    pub fn available(&self, currency: Currency) -> i64 {
        self.line(currency).map_or(0, PositionLine::available)
    }

    /// What a member leaving is paid: every positive balance, her capital only unless she
    /// keeps it invested.
    pub fn payouts(&self, keep_capital: bool) -> impl Iterator<Item = &Holding> {
        self.holdings
            .iter()
            .filter(move |h| h.balance_minor > 0 && !(keep_capital && h.part == Part::Capital))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::account::AccountType;

    fn account(code: &str, kind: AccountType, currency: &str) -> Account {
        Account {
            id: Uuid::now_v7(),
            group_id: Uuid::nil(),
            code: code.into(),
            name: code.into(),
            kind,
            currency: Currency::parse(currency).unwrap(),
            no_overdraft: true,
            debits_minor: 0,
            credits_minor: 0,
            created_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn payables_count_as_available_and_capital_does_not() {
        let id = Uuid::now_v7();
        let savings = account(
            &format!("liabilities:savings:{id}"),
            AccountType::Liability,
            "HKD",
        );
        let capital = account(&format!("equity:capital:{id}"), AccountType::Equity, "HKD");
        let hkd_payable = account(
            &format!("liabilities:payable:{id}:HKD"),
            AccountType::Liability,
            "HKD",
        );
        let php_payable = account(
            &format!("liabilities:payable:{id}:PHP"),
            AccountType::Liability,
            "PHP",
        );
        let other = account(
            &format!("liabilities:payable:{}:HKD", Uuid::now_v7()),
            AccountType::Liability,
            "HKD",
        );
        let balances = [
            (savings.id, 1_000),
            (capital.id, 500),
            (hkd_payable.id, 250),
            (php_payable.id, 0),
            (other.id, 9_999),
        ];
        let balance = |a: &Account| balances.iter().find(|(i, _)| *i == a.id).unwrap().1;
        let all = [&hkd_payable, &php_payable, &other];
        let hkd = Currency::parse("HKD").unwrap();
        let position = MemberPosition::new(hkd, id, [&savings, &capital], &all, balance);
        assert_eq!(position.lines.len(), 1, "nothing owed in PHP: no PHP line");
        let hkd = position.lines[0];
        assert_eq!((hkd.savings, hkd.capital, hkd.payable), (1_000, 500, 250));
        assert_eq!(hkd.available(), 1_250);
        let paid: Vec<i64> = position.payouts(true).map(|h| h.balance_minor).collect();
        assert_eq!(paid, vec![1_000, 250]);
        let paid: Vec<i64> = position.payouts(false).map(|h| h.balance_minor).collect();
        assert_eq!(paid, vec![1_000, 500, 250]);
    }
}
