//! The `Store` trait of the ledger: each call one read or write transaction over the
//! functions beside this file.

use async_trait::async_trait;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row as _;
use uuid::Uuid;

use crate::domain::error::LedgerError;
use crate::domain::model::*;
use crate::store::Store;
use crate::store::backend::{Backend, DbRow, Ledger};
use crate::store::shared::*;
use crate::store::tx::{Column, read_tx, write_tx};
use crate::store::{Audited, Idempotency, StoreResult, Written};

#[async_trait]
impl<B: Backend> Store for Ledger<B>
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
    fn backend(&self) -> &'static str {
        B::NAME
    }

    fn write_commits(&self) -> crate::store::batch::CommitCounts {
        self.commits.counts()
    }

    fn commit_timings(&self) -> crate::store::batch::CommitTimings {
        self.commits.timings()
    }

    fn stats(&self) -> crate::store::StoreStats {
        crate::store::StoreStats {
            commits: self.commits.counts(),
            pools: self.backend.pools(),
            waiting_for_connection: self.waiting.load(std::sync::atomic::Ordering::Relaxed),
            queued: {
                let [postings, member_events, audits] = self
                    .lanes
                    .iter()
                    .map(|lane| lane.waiting())
                    .fold([0; 3], |[a, b, c], [x, y, z]| [a + x, b + y, c + z]);
                vec![
                    ("postings", postings),
                    ("member_events", member_events),
                    ("audit_events", audits),
                    ("account_reads", self.account_reads.waiting()),
                ]
            },
        }
    }

    async fn ready(&self) -> StoreResult<()> {
        self.backend
            .ready_check()
            .await
            .map_err(|e| LedgerError::Unavailable(e.to_string()))
    }

    async fn close(&self) {
        self.backend.close().await
    }

    async fn create_group(
        &self,
        group: NewGroup,
        idempotency: Option<Idempotency<'_, Group>>,
    ) -> StoreResult<Written<Group>> {
        write_tx!(self, |tx| Self::create_group_in_tx(
            &mut tx,
            &group,
            &idempotency
        )
        .await)
    }

    async fn list_groups(&self, after: Option<Uuid>, limit: u32) -> StoreResult<Vec<Group>> {
        read_tx!(self, |tx| {
            let rows = sqlx::query("SELECT * FROM groups WHERE id > $1 ORDER BY id LIMIT $2")
                .bind(after.unwrap_or(crate::store::shared::BEFORE_ANY_ID))
                .bind(i64::from(limit))
                .fetch_all(&mut *tx)
                .await
                .map_err(TxError::from);
            rows.and_then(|rows| {
                rows.iter()
                    .map(Self::group_from_row)
                    .collect::<Result<Vec<_>, _>>()
            })
        })
    }

    async fn group_time_zones(&self) -> StoreResult<Vec<crate::domain::dates::Tz>> {
        read_tx!(self, |tx| {
            let rows = sqlx::query("SELECT DISTINCT time_zone FROM groups ORDER BY time_zone")
                .fetch_all(&mut *tx)
                .await
                .map_err(TxError::from);
            rows.and_then(|rows| {
                rows.iter()
                    .map(|row| {
                        crate::domain::dates::parse_time_zone(
                            &row.try_get::<String, _>("time_zone")?,
                        )
                        .ok_or_else(|| internal("stored time zone"))
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
        })
    }

    async fn get_group(&self, group_id: Uuid) -> StoreResult<Group> {
        read_tx!(self, |tx| Self::read_group(&mut tx, group_id).await)
    }

    async fn create_account(
        &self,
        group_id: Uuid,
        account: NewAccount,
        idempotency: Option<Idempotency<'_, Account>>,
    ) -> StoreResult<Written<Account>> {
        write_tx!(self, |tx| Self::create_account_in_tx(
            &mut tx,
            group_id,
            &account,
            &idempotency
        )
        .await)
    }

    async fn list_accounts(&self, group_id: Uuid) -> StoreResult<Vec<Account>> {
        read_tx!(self, |tx| {
            match Self::read_group(&mut tx, group_id).await {
                Err(e) => Err(e),
                Ok(_) => sqlx::query("SELECT * FROM accounts WHERE group_id = $1 ORDER BY code")
                    .bind(group_id)
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(TxError::from)
                    .and_then(|rows| {
                        rows.iter()
                            .map(Self::account_from_row)
                            .collect::<Result<Vec<_>, _>>()
                    }),
            }
        })
    }

    async fn get_account(&self, group_id: Uuid, account: &AccountRef) -> StoreResult<Account> {
        let account_id = match account {
            AccountRef::Id(id) => id,
            AccountRef::Code(code) => return self.account_by_code(group_id, code).await,
        };
        // Gathered with the reads of accounts that arrive meanwhile (see
        // `drain_account_reads`).
        let (reply, answer) = tokio::sync::oneshot::channel();
        let queued = crate::store::shared::QueuedAccountRead {
            group_id,
            account_id: *account_id,
            reply,
        };
        if self.account_reads.push(queued) {
            crate::store::shared::spawn_writer(self.clone().drain_account_reads());
        }
        answer
            .await
            .unwrap_or_else(crate::store::shared::unanswered)
    }

    async fn account_as_of(
        &self,
        group_id: Uuid,
        account: &AccountRef,
        as_of: NaiveDate,
    ) -> StoreResult<Account> {
        read_tx!(self, |tx| Self::account_as_of_in_tx(
            &mut tx, group_id, account, as_of
        )
        .await)
    }

    async fn post_transaction(
        &self,
        group_id: Uuid,
        transaction: NewTransaction,
        idempotency: Option<Idempotency<'_, Transaction>>,
    ) -> Audited<Transaction> {
        let lane = self.lane_of(Some(group_id));
        if !lane.commits.batches() {
            // The audit record is written after the request, by the audit layer.
            return Audited::unaudited(write_tx!(lane, |tx| Self::post_in_tx(
                &mut tx,
                group_id,
                &transaction,
                &idempotency
            )
            .await));
        }
        // Gathered with the postings that arrive meanwhile (see `coalesce.rs`).
        let make = |reply| QueuedPosting {
            group_id,
            request: transaction,
            idempotency: idempotency.map(OwnedIdempotency::of),
            reply,
        };
        Self::queue_and_wait(&lane.postings, make, || lane.clone().drain_postings()).await
    }

    async fn reverse_transaction(
        &self,
        group_id: Uuid,
        transaction_id: Uuid,
        reversal: NewReversal,
        idempotency: Option<Idempotency<'_, Transaction>>,
    ) -> StoreResult<Written<Transaction>> {
        write_tx!(self, |tx| Self::reverse_in_tx(
            &mut tx,
            group_id,
            transaction_id,
            &reversal,
            &idempotency
        )
        .await)
    }

    async fn list_transactions(
        &self,
        group_id: Uuid,
        query: TransactionQuery,
    ) -> StoreResult<Page<Transaction>> {
        read_tx!(self, |tx| Self::list_transactions_in_tx(
            &mut tx, group_id, &query
        )
        .await)
    }

    async fn get_transaction(
        &self,
        group_id: Uuid,
        transaction_id: Uuid,
    ) -> StoreResult<Transaction> {
        read_tx!(self, |tx| {
            match Self::read_group(&mut tx, group_id).await {
                Err(e) => Err(e),
                Ok(_) => Self::load_transaction(&mut tx, group_id, transaction_id).await,
            }
        })
    }

    async fn account_statement(
        &self,
        group_id: Uuid,
        account: &AccountRef,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> StoreResult<Statement> {
        read_tx!(self, |tx| Self::statement_in_tx(
            &mut tx, group_id, account, from, to
        )
        .await)
    }

    async fn trial_balance(
        &self,
        group_id: Uuid,
        as_of: Option<NaiveDate>,
    ) -> StoreResult<TrialBalance> {
        read_tx!(self, |tx| Self::trial_balance_in_tx(
            &mut tx, group_id, as_of
        )
        .await)
    }

    async fn close_period(
        &self,
        group_id: Uuid,
        through: NaiveDate,
        fx_rates: Vec<crate::domain::fx::FxRate>,
        idempotency: Option<Idempotency<'_, PeriodClose>>,
    ) -> StoreResult<Written<PeriodClose>> {
        write_tx!(self, |tx| Self::close_period_in_tx(
            &mut tx,
            group_id,
            through,
            &fx_rates,
            &idempotency
        )
        .await)
    }

    async fn verify_ledger(&self, group_id: Uuid) -> StoreResult<Verification> {
        read_tx!(self, |tx| Self::verify_in_tx(&mut tx, group_id).await)
    }
}
