//! The `MemberStore` trait: each call one read or write transaction over the functions
//! beside this file.

use async_trait::async_trait;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row as _;
use uuid::Uuid;

use crate::domain::error::LedgerError;
use crate::domain::member::{
    EventKind, MemberEvent, MemberRecord, MemberUpdate, NewMember, NewMemberEvent,
};
use crate::domain::member::{MemberEventQuery, MemberStatement};
use crate::domain::model::*;
use crate::store::MemberStore;
use crate::store::backend::{Backend, DbRow, Ledger};
use crate::store::shared::*;
use crate::store::tx::{Column, read_tx, write_tx};
use crate::store::{Audited, Idempotency, StoreResult, Written};

#[async_trait]
impl<B: Backend> MemberStore for Ledger<B>
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
    async fn create_member(
        &self,
        group_id: Uuid,
        member: NewMember,
        idempotency: Option<Idempotency<'_, MemberRecord>>,
    ) -> StoreResult<Written<MemberRecord>> {
        write_tx!(self, |tx| Self::create_member_in_tx(
            &mut tx,
            group_id,
            &member,
            &idempotency
        )
        .await)
    }

    async fn list_members(
        &self,
        group_id: Uuid,
        after: Option<Uuid>,
        limit: u32,
    ) -> StoreResult<Vec<MemberRecord>> {
        read_tx!(self, |tx| {
            let result: Result<Vec<MemberRecord>, TxError> = async {
                let (rows, _) =
                    Self::rows_of_group(&mut tx, "members", group_id, after, limit).await?;
                Self::with_accounts(&mut tx, &rows).await
            }
            .await;
            result
        })
    }

    async fn get_member(&self, group_id: Uuid, member_id: Uuid) -> StoreResult<MemberRecord> {
        read_tx!(self, |tx| {
            let result: Result<MemberRecord, TxError> = async {
                Self::read_group(&mut tx, group_id).await?;
                Self::existing_member(&mut tx, group_id, member_id).await
            }
            .await;
            result
        })
    }

    async fn list_member_corrections(
        &self,
        group_id: Uuid,
        member_id: Uuid,
    ) -> StoreResult<Vec<crate::domain::member::MemberCorrectionRecord>> {
        read_tx!(self, |tx| {
            let result: Result<Vec<crate::domain::member::MemberCorrectionRecord>, TxError> = async {
                Self::read_group(&mut tx, group_id).await?;
                Self::existing_member(&mut tx, group_id, member_id).await?;
                let rows = sqlx::query(
                    "SELECT * FROM member_corrections WHERE group_id = $1 AND member_id = $2 ORDER BY id",
                )
                .bind(group_id)
                .bind(member_id)
                .fetch_all(&mut *tx)
                .await?;
                rows.iter()
                    .map(|row| {
                        let changes: String = row.try_get("changes")?;
                        Ok(crate::domain::member::MemberCorrectionRecord {
                            id: row.try_get("id")?,
                            group_id: row.try_get("group_id")?,
                            member_id: row.try_get("member_id")?,
                            corrected_at: row.try_get("corrected_at")?,
                            corrected_by: row.try_get("corrected_by")?,
                            reason: row.try_get("reason")?,
                            changes: serde_json::from_str(&changes).map_err(internal)?,
                        })
                    })
                    .collect()
            }
            .await;
            result
        })
    }

    async fn member_ids_by_number(
        &self,
        group_id: Uuid,
        numbers: &[i64],
    ) -> StoreResult<Vec<(i64, Uuid)>> {
        read_tx!(self, |tx| {
            let result: Result<Vec<(i64, Uuid)>, TxError> = async {
                Self::read_group(&mut tx, group_id).await?;
                // A group's whole directory is small (hundreds of members): one read
                // serves a meeting sheet that names every member by number.
                let rows: Vec<(i64, Uuid)> =
                    sqlx::query_as("SELECT number, id FROM members WHERE group_id = $1")
                        .bind(group_id)
                        .fetch_all(&mut *tx)
                        .await?;
                Ok(rows
                    .into_iter()
                    .filter(|(n, _)| numbers.contains(n))
                    .collect())
            }
            .await;
            result
        })
    }

    async fn update_member(
        &self,
        group_id: Uuid,
        member_id: Uuid,
        update: MemberUpdate,
    ) -> StoreResult<MemberRecord> {
        write_tx!(self, |tx| Self::update_member_in_tx(
            &mut tx, group_id, member_id, &update
        )
        .await)
    }

    async fn record_member_event(
        &self,
        group_id: Uuid,
        event: NewMemberEvent,
        idempotency: Option<Idempotency<'_, MemberEvent>>,
    ) -> Audited<MemberEvent> {
        let lane = self.lane_of(Some(group_id));
        if !lane.commits.batches() {
            // The audit record is written after the request, by the audit layer.
            return Audited::unaudited(write_tx!(lane, |tx| Self::member_event_in_tx(
                &mut tx,
                group_id,
                &event,
                &idempotency
            )
            .await));
        }
        // Gathered with the contributions and withdrawals that arrive meanwhile (see
        // `coalesce.rs`).
        let make = |reply| QueuedMemberEvent {
            group_id,
            request: event,
            idempotency: idempotency.map(OwnedIdempotency::of),
            reply,
        };
        Self::queue_and_wait(&lane.member_events, make, || {
            lane.clone().drain_member_events()
        })
        .await
    }

    async fn list_member_events(
        &self,
        group_id: Uuid,
        query: MemberEventQuery,
    ) -> StoreResult<Page<MemberEvent>> {
        read_tx!(self, |tx| {
            let result: Result<Page<MemberEvent>, TxError> = async {
                Self::read_group(&mut tx, group_id).await?;
                let rows = sqlx::query(const_format::concatcp!(
                    "SELECT x.*, ",
                    crate::store::shared::REVERSED_BY,
                    ", ",
                    crate::store::shared::CHAIN_POSITION,
                    " FROM member_events x WHERE x.group_id = $1 AND x.kind = $2 \
                     AND ($3 IS NULL OR x.member_id = $3) AND x.booked_on >= COALESCE($4, '0001-01-01') \
                     AND x.booked_on <= COALESCE($5, '9999-12-31') AND x.id > $6 AND ($8 OR ",
                    crate::store::shared::NOT_REVERSED,
                    ") ORDER BY x.id LIMIT $7"
                ))
                .bind(group_id)
                .bind(query.kind.as_str())
                .bind(query.member_id)
                .bind(query.from)
                .bind(query.to)
                .bind(query.after.unwrap_or(crate::store::shared::BEFORE_ANY_ID))
                .bind(i64::from(query.limit) + 1)
                .bind(query.include_reversed)
                .fetch_all(&mut *tx)
                .await?;
                let mut items = rows.iter().map(Self::event_from_row).collect::<Result<Vec<_>, _>>()?;
                let more = items.len() > query.limit as usize;
                items.truncate(query.limit as usize);
                Ok(Page { items, has_more: more })
            }
            .await;
            result
        })
    }

    async fn get_member_event(
        &self,
        group_id: Uuid,
        kind: EventKind,
        event_id: Uuid,
    ) -> StoreResult<MemberEvent> {
        read_tx!(self, |tx| {
            let result: Result<MemberEvent, TxError> = async {
                Self::read_group(&mut tx, group_id).await?;
                let row = sqlx::query(const_format::concatcp!(
                    "SELECT x.*, ",
                    crate::store::shared::REVERSED_BY,
                    ", ",
                    crate::store::shared::CHAIN_POSITION,
                    " FROM member_events x WHERE x.group_id = $1 AND x.kind = $2 AND x.id = $3"
                ))
                .bind(group_id)
                .bind(kind.as_str())
                .bind(event_id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(LedgerError::NotFound(kind.as_str()))?;
                Self::event_from_row(&row)
            }
            .await;
            result
        })
    }

    async fn member_statement(
        &self,
        group_id: Uuid,
        member_id: Uuid,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> StoreResult<MemberStatement> {
        read_tx!(self, |tx| {
            let result: Result<MemberStatement, TxError> = async {
                let group = Self::read_group(&mut tx, group_id).await?;
                let record = Self::existing_member(&mut tx, group_id, member_id).await?;
                let savings = Self::statement_in_tx(
                    &mut tx,
                    group_id,
                    &AccountRef::Id(record.savings.id),
                    from,
                    to,
                )
                .await?;
                let capital = Self::statement_in_tx(
                    &mut tx,
                    group_id,
                    &AccountRef::Id(record.capital.id),
                    from,
                    to,
                )
                .await?;
                let holdings = Self::member_holdings_in_tx(&mut tx, &group, member_id).await?;
                let rows = sqlx::query(const_format::concatcp!(
                    "SELECT x.*, ",
                    crate::store::shared::REVERSED_BY,
                    ", ",
                    crate::store::shared::CHAIN_POSITION,
                    " FROM member_events x WHERE x.group_id = $1 AND x.member_id = $2 \
                     AND x.booked_on >= COALESCE($3, '0001-01-01') AND x.booked_on <= COALESCE($4, '9999-12-31')"
                ))
                .bind(group_id)
                .bind(member_id)
                .bind(from)
                .bind(to)
                .fetch_all(&mut *tx)
                .await?;
                let mut events = rows.iter().map(Self::event_from_row).collect::<Result<Vec<_>, _>>()?;
                events.sort_by_key(|e| e.chain.sequence);
                Ok(MemberStatement {
                    record,
                    savings,
                    capital,
                    holdings,
                    events,
                })
            }
            .await;
            result
        })
    }
}
