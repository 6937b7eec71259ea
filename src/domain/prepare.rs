//! A transaction prepared for writing: checked against the ledger's rules (`posting::check`),
//! numbered after the group's head and hashed into its chain, with the totals its accounts
//! will have. Pure: the store loads the group (locked) and the accounts, this module decides,
//! the store writes what it decided.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use uuid::Uuid;

use super::error::{LedgerError, Rule};
use super::hash::{self, HashEntry, HashInput};
use super::model::{Account, AccountRef, Entry, EntryRequest, Group, NewTransaction, Transaction};
use super::money;
use super::posting::{self, AccountState, Line};

/// One request's worth of posting, ready to be checked against the group's head.
pub struct Posting<'a> {
    pub booked_on: NaiveDate,
    pub description: &'a str,
    pub metadata: &'a Value,
    pub lines: &'a [Line],
    pub accounts: &'a [AccountState],
    pub reverses: Option<Uuid>,
    pub created_by: Option<Uuid>,
}

/// A transaction that passed every rule: numbered and hashed, not yet written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    pub transaction: Transaction,
    /// The totals of each account it names once it is written: `(account, debits, credits)`.
    pub totals: Vec<(Uuid, i64, i64)>,
}

/// Facts that contradict what the store guarantees (a stored head hash that is not 64 hex
/// digits, a member whose account is missing): a fault of the service, never a refusal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inconsistent(pub String);

/// What deciding a write gives: the outer error is a fault, the inner one a refusal (a rule
/// the request breaks, with the field it points at).
pub type Decision<T> = Result<Result<T, LedgerError>, Inconsistent>;

/// Checks `posting` against the group's head and rules and, if it passes, numbers it after
/// the head (`recorded_at` is when it is recorded) and moves the head to it. A refusal
/// leaves `group` as it was.
pub fn prepare(
    group: &mut Group,
    posting: &Posting<'_>,
    recorded_at: DateTime<Utc>,
) -> Decision<Prepared> {
    let Posting {
        booked_on,
        description,
        metadata,
        lines,
        accounts,
        reverses,
        created_by,
    } = *posting;
    if let Err(closed) = group.refuse_if_closed() {
        return Ok(Err(closed));
    }
    let totals = match posting::check(lines, accounts, booked_on, group.closed_through) {
        Ok(totals) => totals,
        Err(refused) => return Ok(Err(refused)),
    };
    let sequence = group.head_sequence + 1;
    let entries = entries_of(lines, accounts)?;
    let input = HashInput {
        group_id: group.id,
        sequence,
        booked_on,
        recorded_at,
        description,
        entries: entries
            .iter()
            .map(|e| HashEntry {
                account_id: e.account_id,
                direction: e.direction,
                amount_minor: e.amount_minor,
                currency: e.currency,
            })
            .collect(),
        metadata,
        reverses,
        created_by,
    };
    let hash = hash::chain_hash(&group.head_hash, &input)
        .ok_or_else(|| Inconsistent("stored head hash is not 64 hex digits".into()))?;
    let totals = totals
        .iter()
        .map(|t| (accounts[t.account].id, t.debits_minor, t.credits_minor))
        .collect();
    let previous_hash = std::mem::replace(&mut group.head_hash, hash.clone());
    group.head_sequence = sequence;
    let transaction = Transaction {
        id: Uuid::now_v7(),
        group_id: group.id,
        sequence,
        booked_on,
        recorded_at,
        description: description.to_string(),
        metadata: metadata.clone(),
        entries,
        reverses,
        reversed_by: None,
        hash,
        previous_hash,
        created_by,
    };
    Ok(Ok(Prepared {
        transaction,
        totals,
    }))
}

/// The lines as the entries of a transaction, numbered in their order.
fn entries_of(lines: &[Line], accounts: &[AccountState]) -> Result<Vec<Entry>, Inconsistent> {
    let mut entries = Vec::with_capacity(lines.len());
    for (n, line) in lines.iter().enumerate() {
        let account = &accounts[line.account];
        entries.push(Entry {
            line: i32::try_from(n).map_err(|e| Inconsistent(e.to_string()))?,
            account_id: account.id,
            account_code: account.code.clone(),
            direction: line.direction,
            amount_minor: line.amount_minor,
            currency: account.currency,
        });
    }
    Ok(entries)
}

/// A client's transaction prepared against the group's head and the accounts it names
/// (`named`, the group's accounts that its entries name, with their current totals).
/// Accepted, the totals in `named` become the new ones, so that the next posting of a
/// gathering sees them; refused, `group` and `named` are as they were.
pub fn prepare_request(
    group: &mut Group,
    named: &mut [Account],
    request: &NewTransaction,
    recorded_at: DateTime<Utc>,
) -> Decision<Prepared> {
    if let Err(closed) = group.refuse_if_closed() {
        return Ok(Err(closed));
    }
    let (lines, accounts) = match lines_for(named, &request.entries) {
        Ok(resolved) => resolved,
        Err(refused) => return Ok(Err(refused)),
    };
    let posting = Posting {
        booked_on: request.booked_on,
        description: &request.description,
        metadata: &request.metadata,
        lines: &lines,
        accounts: &accounts,
        reverses: None,
        created_by: request.created_by,
    };
    let prepared = match prepare(group, &posting, recorded_at)? {
        Ok(prepared) => prepared,
        Err(refused) => return Ok(Err(refused)),
    };
    for (account_id, debits, credits) in &prepared.totals {
        if let Some(a) = named.iter_mut().find(|a| a.id == *account_id) {
            a.debits_minor = *debits;
            a.credits_minor = *credits;
        }
    }
    Ok(Ok(prepared))
}

/// The entries as posting lines on the accounts of `named` (the group's accounts they
/// name, with their current totals), or the first entry that names no such account or has
/// a malformed amount.
pub fn lines_for(
    named: &[Account],
    entries: &[EntryRequest],
) -> Result<(Vec<Line>, Vec<AccountState>), LedgerError> {
    let mut accounts: Vec<AccountState> = Vec::new();
    let mut index_of: HashMap<Uuid, usize> = HashMap::new();
    let mut by_ref: HashMap<&AccountRef, usize> = HashMap::new();
    let mut lines = Vec::with_capacity(entries.len());
    for (i, entry) in entries.iter().enumerate() {
        let account_index = match by_ref.get(&entry.account) {
            Some(&index) => index,
            None => {
                let found = named.iter().find(|a| match &entry.account {
                    AccountRef::Id(id) => a.id == *id,
                    AccountRef::Code(code) => a.code == *code,
                });
                let Some(account) = found else {
                    return Err(LedgerError::rule(
                        Rule::UnknownAccount,
                        Some(format!("/entries/{i}/account")),
                        format!("entry {i} names an account that does not exist in this group"),
                    ));
                };
                let index = *index_of.entry(account.id).or_insert_with(|| {
                    accounts.push(AccountState::of(account));
                    accounts.len() - 1
                });
                by_ref.insert(&entry.account, index);
                index
            }
        };
        let amount_minor = amount_of(i, &entry.amount, &accounts[account_index])?;
        lines.push(Line {
            account: account_index,
            direction: entry.direction,
            amount_minor,
        });
    }
    Ok((lines, accounts))
}

/// The amount of entry `i` in the minor units of its account, or why it is refused.
fn amount_of(i: usize, amount: &str, account: &AccountState) -> Result<i64, LedgerError> {
    let currency = account.currency;
    money::parse_positive_amount(amount, currency).map_err(|e| match e {
        money::AmountError::NotPositive => LedgerError::rule(
            Rule::NonPositiveAmount,
            Some(format!("/entries/{i}/amount")),
            format!("entry {i} has an amount that is not greater than zero"),
        ),
        money::AmountError::TooManyDecimals { .. } => LedgerError::rule(
            Rule::CurrencyMismatch,
            Some(format!("/entries/{i}/amount")),
            format!(
                "entry {i}: account {} is in {currency}, which has {} decimals",
                account.code,
                currency.exponent()
            ),
        ),
        e => LedgerError::invalid(format!("/entries/{i}/amount"), format!("amount {e}")),
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::domain::account::{AccountType, Direction, normal_balance};
    use crate::domain::hash::GENESIS_HASH;
    use crate::domain::money::Currency;
    use crate::domain::operations::{Basis, GroupProfile, GroupStatus};

    fn group(head_sequence: i64, head_hash: String, closed_through: Option<NaiveDate>) -> Group {
        Group {
            id: Uuid::now_v7(),
            name: "Bayanihan".into(),
            currency: Currency::parse("HKD").unwrap(),
            host_country: "HK".into(),
            home_country: "PH".into(),
            created_at: DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
            closed_through,
            head_sequence,
            head_hash,
            profile: GroupProfile {
                status: GroupStatus::Provisional,
                status_on: None,
                accredited_on: None,
                distribution_basis: Basis::Savings,
                time_zone: crate::domain::dates::parse_time_zone("Asia/Hong_Kong").unwrap(),
            },
        }
    }

    fn day(n: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, n).unwrap()
    }

    fn at() -> DateTime<Utc> {
        DateTime::from_timestamp_micros(1_780_000_000_123_456).unwrap()
    }

    const KINDS: [AccountType; 5] = [
        AccountType::Asset,
        AccountType::Liability,
        AccountType::Equity,
        AccountType::Income,
        AccountType::Expense,
    ];

    /// Accounts in HKD (even places) and PHP (odd places), some of which may not go below
    /// zero, with totals already on them.
    fn accounts() -> impl Strategy<Value = Vec<AccountState>> {
        prop::collection::vec(
            (0..5usize, any::<bool>(), 0..1_000_000i64, 0..1_000_000i64),
            2..6,
        )
        .prop_map(|specs| {
            specs
                .into_iter()
                .enumerate()
                .map(|(n, (kind, no_overdraft, debits, credits))| AccountState {
                    id: Uuid::now_v7(),
                    code: format!("assets:a{n}"),
                    kind: KINDS[kind],
                    currency: Currency::parse(if n % 2 == 0 { "HKD" } else { "PHP" }).unwrap(),
                    no_overdraft,
                    debits_minor: debits,
                    credits_minor: credits,
                    label: None,
                    field: None,
                })
                .collect()
        })
    }

    /// Any lines at all on accounts `0..count`: balanced or not, overdrawing or not.
    fn lines(count: usize) -> impl Strategy<Value = Vec<Line>> {
        prop::collection::vec((0..count, any::<bool>(), -5i64..2_000_000), 0..8).prop_map(|raw| {
            raw.into_iter()
                .map(|(account, debit, amount_minor)| Line {
                    account,
                    direction: if debit {
                        Direction::Debit
                    } else {
                        Direction::Credit
                    },
                    amount_minor,
                })
                .collect()
        })
    }

    fn head_hash() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(GENESIS_HASH.to_string()),
            prop::array::uniform32(any::<u8>()).prop_map(hex::encode),
        ]
    }

    /// Debits minus credits per currency.
    fn net(entries: &[Entry]) -> HashMap<Currency, i64> {
        let mut net = HashMap::new();
        for e in entries {
            let signed = match e.direction {
                Direction::Debit => e.amount_minor,
                Direction::Credit => -e.amount_minor,
            };
            *net.entry(e.currency).or_insert(0) += signed;
        }
        net
    }

    fn posting<'a>(
        lines: &'a [Line],
        accounts: &'a [AccountState],
        meta: &'a Value,
    ) -> Posting<'a> {
        Posting {
            booked_on: day(10),
            description: "Ana saves",
            metadata: meta,
            lines,
            accounts,
            reverses: None,
            created_by: None,
        }
    }

    proptest! {
        /// Whatever is asked: a prepared transaction balances in each currency, continues
        /// the chain from the head, and moves each account by exactly its lines; a refusal
        /// leaves the group as it was.
        #[test]
        fn a_prepared_transaction_balances_continues_the_chain_and_moves_totals_by_its_lines(
            accounts in accounts(),
            lines in lines(5),
            head_sequence in 0i64..1_000_000,
            head_hash in head_hash(),
            closed in prop::option::of(1u32..20),
        ) {
            let lines: Vec<Line> = lines.into_iter().filter(|l| l.account < accounts.len()).collect();
            let meta = serde_json::json!({});
            let mut g = group(head_sequence, head_hash.clone(), closed.map(day));
            let before = g.clone();
            let outcome = prepare(&mut g, &posting(&lines, &accounts, &meta), at()).unwrap();
            let Ok(prepared) = outcome else {
                prop_assert_eq!(&g, &before);
                return Ok(());
            };
            let t = &prepared.transaction;
            prop_assert!(net(&t.entries).values().all(|n| *n == 0), "{:?}", t.entries);
            prop_assert_eq!(t.sequence, head_sequence + 1);
            prop_assert_eq!(&t.previous_hash, &head_hash);
            prop_assert_eq!((g.head_sequence, &g.head_hash), (t.sequence, &t.hash));
            let entries: Vec<HashEntry> = t.entries.iter().map(|e| HashEntry {
                account_id: e.account_id,
                direction: e.direction,
                amount_minor: e.amount_minor,
                currency: e.currency,
            }).collect();
            let input = HashInput {
                group_id: g.id,
                sequence: t.sequence,
                booked_on: t.booked_on,
                recorded_at: t.recorded_at,
                description: &t.description,
                entries,
                metadata: &t.metadata,
                reverses: t.reverses,
                created_by: t.created_by,
            };
            let recomputed = hash::chain_hash(&head_hash, &input);
            prop_assert_eq!(recomputed.as_deref(), Some(t.hash.as_str()));
            for (account_id, debits, credits) in &prepared.totals {
                let account = accounts.iter().find(|a| a.id == *account_id).unwrap();
                let moved = |side: Direction| -> i64 {
                    t.entries
                        .iter()
                        .filter(|e| e.account_id == *account_id && e.direction == side)
                        .map(|e| e.amount_minor)
                        .sum()
                };
                prop_assert_eq!(*debits, account.debits_minor + moved(Direction::Debit));
                prop_assert_eq!(*credits, account.credits_minor + moved(Direction::Credit));
                if account.no_overdraft {
                    prop_assert!(normal_balance(account.kind, *debits, *credits).unwrap() >= 0);
                }
            }
            let named: Vec<Uuid> = t.entries.iter().map(|e| e.account_id).collect();
            prop_assert!(prepared.totals.iter().all(|(id, _, _)| named.contains(id)));
            prop_assert!(named.iter().all(|id| prepared.totals.iter().any(|(t, _, _)| t == id)));
        }

        /// Pairs of equal lines on two accounts of one currency are always accepted where no
        /// account refuses to go below zero, and open no gap in the chain.
        #[test]
        fn balanced_lines_on_accounts_that_may_go_negative_are_always_accepted(
            mut accounts in accounts(),
            pairs in prop::collection::vec((0..3usize, 1i64..5_000_000), 1..6),
            head_sequence in 0i64..1_000_000,
        ) {
            for a in &mut accounts {
                a.no_overdraft = false;
            }
            // Even places are in HKD: 0 and 2 share a currency when both exist, 0 with 0
            // otherwise (a line on each side of one account).
            let last_even = if accounts.len() > 2 { 2 } else { 0 };
            let mut lines = Vec::new();
            for (n, amount_minor) in pairs {
                let (from, to) = if n % 2 == 0 { (0, last_even) } else { (last_even, 0) };
                lines.push(Line { account: from, direction: Direction::Debit, amount_minor });
                lines.push(Line { account: to, direction: Direction::Credit, amount_minor });
            }
            let meta = serde_json::json!({"n": 1});
            let mut g = group(head_sequence, GENESIS_HASH.to_string(), None);
            let prepared = prepare(&mut g, &posting(&lines, &accounts, &meta), at()).unwrap();
            prop_assert!(prepared.is_ok(), "{:?}", prepared);
            prop_assert_eq!(g.head_sequence, head_sequence + 1);
        }

        /// A client's request moves the named accounts' totals by its lines when it is
        /// accepted, and moves nothing when it is refused.
        #[test]
        fn a_request_moves_the_named_accounts_only_when_accepted(
            amount in prop_oneof![Just("0".to_string()), Just("1.234".to_string()), (1u32..100_000).prop_map(|n| format!("{n}.50"))],
            start in 0i64..1_000_000,
            close in any::<bool>(),
        ) {
            let hkd = Currency::parse("HKD").unwrap();
            let account = |code: &str, kind, no_overdraft| Account {
                id: Uuid::now_v7(),
                group_id: Uuid::nil(),
                code: code.into(),
                name: code.into(),
                kind,
                currency: hkd,
                no_overdraft,
                debits_minor: start,
                credits_minor: 0,
                created_at: at(),
            };
            let mut named = vec![
                account("assets:cash:HKD", AccountType::Asset, true),
                account("expenses:rent", AccountType::Expense, false),
            ];
            let before = named.clone();
            let entry = |code: &str, direction| EntryRequest {
                account: AccountRef::Code(code.into()),
                direction,
                amount: amount.clone(),
            };
            let request = NewTransaction {
                booked_on: day(10),
                description: "Rent".into(),
                entries: vec![entry("expenses:rent", Direction::Debit), entry("assets:cash:HKD", Direction::Credit)],
                metadata: serde_json::json!({}),
                created_by: None,
                audit: None,
            };
            let mut g = group(7, GENESIS_HASH.to_string(), close.then(|| day(10)));
            let group_before = g.clone();
            match prepare_request(&mut g, &mut named, &request, at()).unwrap() {
                Ok(prepared) => {
                    let minor = prepared.transaction.entries[0].amount_minor;
                    prop_assert_eq!(named[1].debits_minor, before[1].debits_minor + minor);
                    prop_assert_eq!(named[0].credits_minor, before[0].credits_minor + minor);
                    prop_assert_eq!(g.head_sequence, 8);
                }
                Err(refused) => {
                    prop_assert_eq!(&named, &before);
                    prop_assert_eq!(&g, &group_before);
                    let pointer = match refused {
                        LedgerError::Rule { pointer, .. } => pointer,
                        LedgerError::Invalid(fields) => Some(fields[0].pointer.clone()),
                        other => panic!("{other:?}"),
                    };
                    prop_assert!(pointer.is_some());
                }
            }
        }
    }

    #[test]
    fn an_unknown_account_is_refused_on_its_entry() {
        let request = [EntryRequest {
            account: AccountRef::Code("assets:nowhere".into()),
            direction: Direction::Debit,
            amount: "1".into(),
        }];
        match lines_for(&[], &request) {
            Err(LedgerError::Rule { rule, pointer, .. }) => {
                assert_eq!(rule, Rule::UnknownAccount);
                assert_eq!(pointer.as_deref(), Some("/entries/0/account"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_head_hash_that_is_not_hex_is_a_fault_not_a_refusal() {
        let accounts = [AccountState::of(&Account {
            id: Uuid::now_v7(),
            group_id: Uuid::nil(),
            code: "assets:cash".into(),
            name: "Cash".into(),
            kind: AccountType::Asset,
            currency: Currency::parse("HKD").unwrap(),
            no_overdraft: false,
            debits_minor: 0,
            credits_minor: 0,
            created_at: at(),
        })];
        let lines = [
            Line {
                account: 0,
                direction: Direction::Debit,
                amount_minor: 5,
            },
            Line {
                account: 0,
                direction: Direction::Credit,
                amount_minor: 5,
            },
        ];
        let meta = serde_json::json!({});
        let mut g = group(3, "zz".into(), None);
        assert!(prepare(&mut g, &posting(&lines, &accounts, &meta), at()).is_err());
        assert_eq!(g.head_sequence, 3);
    }
}
