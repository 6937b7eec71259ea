//! Verifying a group's ledger: its hash chain, its balance in every transaction, its
//! entries' copies of their transaction's fields, and its accounts' stored totals.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::domain::account::Direction;
use crate::domain::hash::{self, GENESIS_HASH, HashEntry, HashInput};
use crate::domain::model::*;
use crate::domain::money::Currency;
use crate::store::backend::{Backend, DbRow, Ledger, Tx};
use crate::store::shared::*;
use crate::store::tx::Column;

impl<B: Backend> Ledger<B>
where
    for<'c> &'c mut <B::Db as sqlx::Database>::Connection: sqlx::Executor<'c, Database = B::Db>,
    <B::Db as sqlx::Database>::Arguments: sqlx::IntoArguments<B::Db> + Default,
    for<'a> &'a str: sqlx::ColumnIndex<DbRow<B>>,
    usize: sqlx::ColumnIndex<DbRow<B>>,
    for<'q> &'q str: sqlx::Encode<'q, B::Db> + sqlx::Type<B::Db>,
    for<'q> Option<&'q str>: sqlx::Encode<'q, B::Db> + sqlx::Type<B::Db>,
    Uuid: Column<B::Db>,
    Option<Uuid>: Column<B::Db>,
    i64: Column<B::Db>,
    Option<i64>: Column<B::Db>,
    i32: Column<B::Db>,
    Option<i32>: Column<B::Db>,
    bool: Column<B::Db>,
    Option<bool>: Column<B::Db>,
    String: Column<B::Db>,
    Option<String>: Column<B::Db>,
    NaiveDate: Column<B::Db>,
    Option<NaiveDate>: Column<B::Db>,
    DateTime<Utc>: Column<B::Db>,
    Option<DateTime<Utc>>: Column<B::Db>,
    B::Db: sqlx::database::HasStatementCache,
{
    pub(in crate::store) async fn verify_in_tx(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
    ) -> Result<Verification, TxError> {
        let group = Self::read_group(tx, group_id).await?;
        let mut previous = GENESIS_HASH.to_string();
        let mut expected = 1i64;
        let mut sums: HashMap<Uuid, (i64, i64)> = HashMap::new();
        // The first transaction whose entries name each account in each currency.
        let mut first_named: HashMap<(Uuid, Currency), i64> = HashMap::new();
        let mut result = Verification {
            transactions_checked: 0,
            head_sequence: group.head_sequence,
            head_hash: group.head_hash.clone(),
            failure: None,
        };
        loop {
            let sql = const_format::concatcp!(
                "SELECT ",
                crate::store::shared::TRANSACTION_COLUMNS,
                " FROM transactions t WHERE t.group_id = $1 AND t.sequence >= $2 ORDER BY t.sequence LIMIT $3"
            );
            let rows = sqlx::query(sql)
                .bind(group_id)
                .bind(expected)
                .bind(VERIFY_BATCH)
                .fetch_all(&mut **tx)
                .await?;
            if rows.is_empty() {
                break;
            }
            let mut batch = rows
                .iter()
                .map(Self::transaction_from_row)
                .collect::<Result<Vec<_>, _>>()?;
            Self::attach_entries(tx, group_id, &mut batch).await?;
            for t in &batch {
                if t.sequence != expected {
                    result.failure = Some(VerificationFailure::SequenceGap {
                        expected,
                        found: t.sequence,
                    });
                    return Ok(result);
                }
                let input = HashInput {
                    group_id,
                    sequence: t.sequence,
                    booked_on: t.booked_on,
                    recorded_at: t.recorded_at,
                    description: &t.description,
                    entries: t
                        .entries
                        .iter()
                        .map(|e| HashEntry {
                            account_id: e.account_id,
                            direction: e.direction,
                            amount_minor: e.amount_minor,
                            currency: e.currency,
                        })
                        .collect(),
                    metadata: &t.metadata,
                    reverses: t.reverses,
                    created_by: t.created_by,
                };
                let recomputed = hash::chain_hash(&previous, &input);
                if t.previous_hash != previous || recomputed.as_deref() != Some(t.hash.as_str()) {
                    result.failure = Some(VerificationFailure::HashMismatch {
                        sequence: t.sequence,
                    });
                    return Ok(result);
                }
                let mut net: HashMap<Currency, i64> = HashMap::new();
                for e in &t.entries {
                    first_named
                        .entry((e.account_id, e.currency))
                        .or_insert(t.sequence);
                    let sum = sums.entry(e.account_id).or_insert((0, 0));
                    let (side, sign) = match e.direction {
                        Direction::Debit => (&mut sum.0, 1),
                        Direction::Credit => (&mut sum.1, -1),
                    };
                    *side = side
                        .checked_add(e.amount_minor)
                        .ok_or_else(|| internal("sum overflow"))?;
                    let n = net.entry(e.currency).or_insert(0);
                    *n = n
                        .checked_add(sign * e.amount_minor)
                        .ok_or_else(|| internal("sum overflow"))?;
                }
                if t.entries.len() < 2 || net.values().any(|v| *v != 0) {
                    result.failure = Some(VerificationFailure::Unbalanced {
                        sequence: t.sequence,
                    });
                    return Ok(result);
                }
                previous = t.hash.clone();
                expected += 1;
                result.transactions_checked += 1;
            }
        }
        if result.transactions_checked != group.head_sequence || previous != group.head_hash {
            result.failure = Some(VerificationFailure::HeadMismatch);
            return Ok(result);
        }
        // Entries carry copies of their transaction's date and sequence (statements and
        // as-of balances read them); the hash covers the transaction's, so compare.
        let mismatch: Option<i64> = sqlx::query_scalar(
            "SELECT t.sequence FROM entries e JOIN transactions t ON t.id = e.transaction_id \
             WHERE (e.group_id = $1 OR t.group_id = $1) AND (e.booked_on <> t.booked_on \
             OR e.sequence <> t.sequence OR e.group_id <> t.group_id) ORDER BY t.sequence LIMIT 1",
        )
        .bind(group_id)
        .fetch_optional(&mut **tx)
        .await?;
        if let Some(sequence) = mismatch {
            result.failure = Some(VerificationFailure::EntryMismatch { sequence });
            return Ok(result);
        }
        let rows = sqlx::query("SELECT * FROM accounts WHERE group_id = $1 ORDER BY code")
            .bind(group_id)
            .fetch_all(&mut **tx)
            .await?;
        let accounts = rows
            .iter()
            .map(Self::account_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        // Money can only move between a group's own accounts: an entry that names an
        // account of another group (or of none) moved it out of the group's books.
        // And an account holds its own currency only.
        let own: HashMap<Uuid, Currency> = accounts.iter().map(|a| (a.id, a.currency)).collect();
        let first_wrong = |wrong: &dyn Fn(&Uuid, &Currency) -> bool| {
            first_named
                .iter()
                .filter(|((id, currency), _)| wrong(id, currency))
                .map(|((id, _), sequence)| (*sequence, *id))
                .min()
        };
        if let Some((sequence, account_id)) = first_wrong(&|id, _| !own.contains_key(id)) {
            result.failure = Some(VerificationFailure::ForeignAccount {
                sequence,
                account_id,
            });
            return Ok(result);
        }
        if let Some((sequence, account_id)) =
            first_wrong(&|id, currency| own.get(id) != Some(currency))
        {
            result.failure = Some(VerificationFailure::CurrencyMismatch {
                sequence,
                account_id,
            });
            return Ok(result);
        }
        for account in accounts {
            let (debits, credits) = sums.get(&account.id).copied().unwrap_or((0, 0));
            if debits != account.debits_minor || credits != account.credits_minor {
                result.failure = Some(VerificationFailure::BalanceMismatch {
                    account_id: account.id,
                    code: account.code,
                });
                return Ok(result);
            }
        }
        Ok(result)
    }
}
