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
        let mut walk = ChainWalk::new();
        let chain_failure = Self::walk_chain(tx, group_id, &mut walk).await?;
        let failure = match chain_failure {
            Some(failure) => Some(failure),
            None if walk.checked != group.head_sequence || walk.previous != group.head_hash => {
                Some(VerificationFailure::HeadMismatch)
            }
            None => match Self::check_stored_copies(tx, group_id, &walk).await? {
                Some(failure) => Some(failure),
                None => match Self::wrong_closing(tx, group_id).await? {
                    Some((account_id, month_end)) => Some(VerificationFailure::ClosingMismatch {
                        account_id,
                        month_end,
                    }),
                    None => Self::wrong_trend_month(tx, group_id)
                        .await?
                        .map(|month| VerificationFailure::TrendMismatch { month }),
                },
            },
        };
        Ok(Verification {
            transactions_checked: walk.checked,
            head_sequence: group.head_sequence,
            head_hash: group.head_hash,
            failure,
        })
    }

    /// Reads the group's transactions in sequence, a batch at a time, and checks each
    /// one's place, hash and balance; the first failure found, if any.
    async fn walk_chain(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        walk: &mut ChainWalk,
    ) -> Result<Option<VerificationFailure>, TxError> {
        loop {
            let batch = Self::read_chain_batch(tx, group_id, walk.expected).await?;
            if batch.is_empty() {
                return Ok(None);
            }
            for t in &batch {
                if let Some(failure) = walk.step(group_id, t)? {
                    return Ok(Some(failure));
                }
            }
        }
    }

    /// Up to `VERIFY_BATCH` transactions from sequence `from` on, with their entries.
    async fn read_chain_batch(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        from: i64,
    ) -> Result<Vec<Transaction>, TxError> {
        let sql = const_format::concatcp!(
            "SELECT ",
            crate::store::shared::TRANSACTION_COLUMNS,
            " FROM transactions t WHERE t.group_id = $1 AND t.sequence >= $2 ORDER BY t.sequence LIMIT $3"
        );
        let rows = sqlx::query(sql)
            .bind(group_id)
            .bind(from)
            .bind(VERIFY_BATCH)
            .fetch_all(&mut **tx)
            .await?;
        let mut batch = rows
            .iter()
            .map(Self::transaction_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        Self::attach_entries(tx, group_id, &mut batch).await?;
        Ok(batch)
    }

    /// After the chain holds: the entries' copies of their transaction's fields, the
    /// accounts the entries name, and the accounts' stored totals.
    async fn check_stored_copies(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        walk: &ChainWalk,
    ) -> Result<Option<VerificationFailure>, TxError> {
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
            return Ok(Some(VerificationFailure::EntryMismatch { sequence }));
        }
        let rows = sqlx::query("SELECT * FROM accounts WHERE group_id = $1 ORDER BY code")
            .bind(group_id)
            .fetch_all(&mut **tx)
            .await?;
        let accounts = rows
            .iter()
            .map(Self::account_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(walk.account_failure(accounts))
    }
}

/// What walking a group's chain has gathered so far.
struct ChainWalk {
    /// The hash the next transaction must chain from.
    previous: String,
    /// The sequence the next transaction must have.
    expected: i64,
    checked: i64,
    /// Each account's (debits, credits) over the entries read.
    sums: HashMap<Uuid, (i64, i64)>,
    /// The first transaction whose entries name each account in each currency.
    first_named: HashMap<(Uuid, Currency), i64>,
}

impl ChainWalk {
    fn new() -> Self {
        ChainWalk {
            previous: GENESIS_HASH.to_string(),
            expected: 1,
            checked: 0,
            sums: HashMap::new(),
            first_named: HashMap::new(),
        }
    }

    /// Checks the chain's next transaction and counts its entries; its failure, if any.
    fn step(
        &mut self,
        group_id: Uuid,
        t: &Transaction,
    ) -> Result<Option<VerificationFailure>, TxError> {
        if t.sequence != self.expected {
            return Ok(Some(VerificationFailure::SequenceGap {
                expected: self.expected,
                found: t.sequence,
            }));
        }
        let recomputed = hash::chain_hash(&self.previous, &hash_input(group_id, t));
        if t.previous_hash != self.previous || recomputed.as_deref() != Some(t.hash.as_str()) {
            return Ok(Some(VerificationFailure::HashMismatch {
                sequence: t.sequence,
            }));
        }
        let net = self.add_entries(t)?;
        if t.entries.len() < 2 || net.values().any(|v| *v != 0) {
            return Ok(Some(VerificationFailure::Unbalanced {
                sequence: t.sequence,
            }));
        }
        self.previous = t.hash.clone();
        self.expected += 1;
        self.checked += 1;
        Ok(None)
    }

    /// Adds a transaction's entries to the accounts' sums; its net (debits less
    /// credits) in each currency.
    fn add_entries(&mut self, t: &Transaction) -> Result<HashMap<Currency, i64>, TxError> {
        let mut net: HashMap<Currency, i64> = HashMap::new();
        for e in &t.entries {
            self.first_named
                .entry((e.account_id, e.currency))
                .or_insert(t.sequence);
            let sum = self.sums.entry(e.account_id).or_insert((0, 0));
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
        Ok(net)
    }

    /// The earliest (sequence, account) among the accounts named in a currency that
    /// `wrong` refuses.
    fn first_wrong(&self, wrong: impl Fn(&Uuid, &Currency) -> bool) -> Option<(i64, Uuid)> {
        self.first_named
            .iter()
            .filter(|((id, currency), _)| wrong(id, currency))
            .map(|((id, _), sequence)| (*sequence, *id))
            .min()
    }

    /// Checks the group's accounts against the entries read: every entry names one of
    /// them in its currency, and each one's stored totals are the entries' sums.
    fn account_failure(&self, accounts: Vec<Account>) -> Option<VerificationFailure> {
        // Money can only move between a group's own accounts: an entry that names an
        // account of another group (or of none) moved it out of the group's books.
        // And an account holds its own currency only.
        let own: HashMap<Uuid, Currency> = accounts.iter().map(|a| (a.id, a.currency)).collect();
        if let Some((sequence, account_id)) = self.first_wrong(|id, _| !own.contains_key(id)) {
            return Some(VerificationFailure::ForeignAccount {
                sequence,
                account_id,
            });
        }
        if let Some((sequence, account_id)) =
            self.first_wrong(|id, currency| own.get(id) != Some(currency))
        {
            return Some(VerificationFailure::CurrencyMismatch {
                sequence,
                account_id,
            });
        }
        accounts.into_iter().find_map(|account| {
            let (debits, credits) = self.sums.get(&account.id).copied().unwrap_or((0, 0));
            (debits != account.debits_minor || credits != account.credits_minor).then_some(
                VerificationFailure::BalanceMismatch {
                    account_id: account.id,
                    code: account.code,
                },
            )
        })
    }
}

/// What a transaction's hash covers.
fn hash_input(group_id: Uuid, t: &Transaction) -> HashInput<'_> {
    HashInput {
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
    }
}
