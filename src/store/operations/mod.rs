//! Group operations written once for both backends: group status, investments and their
//! events, remittances, transfers between the group's own accounts, distributions, members
//! leaving, meetings, and the closing entries of a period. Each use case has its own file; this
//! one holds the `OperationsStore` implementation, which only opens the transaction and calls
//! them.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::backend::{Backend, DbRow, Ledger};
use super::shared::*;
use super::tx::{Column, guarded_write, read_tx, write_tx};
use crate::domain::error::LedgerError;
use crate::domain::model::*;
use crate::store::{Idempotency, StoreResult, Written};

use crate::domain::operations::*;
use crate::store::{ExportPage, OperationsStore};

mod closing;
mod distributions;
mod exits;
mod export;
mod groups;
mod holdings;
mod investments;
mod meetings;
mod proposals;
mod remittances;
mod rows;
mod transfers;
mod transit;

pub(in crate::store) use remittances::{SETTLEMENT_COLUMNS, SETTLEMENT_JOIN};

pub(in crate::store) fn opt_decimal(
    text: Option<String>,
) -> Result<Option<rust_decimal::Decimal>, TxError> {
    text.map(|t| {
        t.parse::<rust_decimal::Decimal>()
            .map_err(|_| internal("stored rate"))
    })
    .transpose()
}

#[async_trait]
impl<B: Backend> OperationsStore for Ledger<B>
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
    async fn update_group(&self, group_id: Uuid, update: GroupUpdate) -> StoreResult<Group> {
        write_tx!(self, |tx| Self::update_group_in_tx(
            &mut tx, group_id, &update
        )
        .await)
    }

    async fn create_investment(
        &self,
        group_id: Uuid,
        investment: NewInvestment,
        idempotency: Option<Idempotency<'_, InvestmentRecord>>,
    ) -> StoreResult<Written<InvestmentRecord>> {
        write_tx!(self, |tx| Self::create_investment_in_tx(
            &mut tx,
            group_id,
            &investment,
            &idempotency
        )
        .await)
    }

    async fn list_investments(
        &self,
        group_id: Uuid,
        after: Option<Uuid>,
        limit: u32,
    ) -> StoreResult<Page<InvestmentRecord>> {
        read_tx!(self, |tx| {
            let result: Result<Page<InvestmentRecord>, TxError> = async {
                Self::read_group(&mut tx, group_id).await?;
                let (items, has_more) =
                    Self::investments_of(&mut tx, group_id, None, after, Some(limit)).await?;
                Ok(Page { items, has_more })
            }
            .await;
            result
        })
    }

    async fn get_investment(
        &self,
        group_id: Uuid,
        investment_id: Uuid,
    ) -> StoreResult<InvestmentRecord> {
        read_tx!(self, |tx| {
            let result: Result<InvestmentRecord, TxError> = async {
                Self::read_group(&mut tx, group_id).await?;
                Ok(Self::load_investment(&mut tx, group_id, investment_id)
                    .await?
                    .ok_or(LedgerError::NotFound("investment"))?)
            }
            .await;
            result
        })
    }

    async fn update_investment(
        &self,
        group_id: Uuid,
        investment_id: Uuid,
        update: InvestmentUpdate,
    ) -> StoreResult<InvestmentRecord> {
        write_tx!(self, |tx| Self::update_investment_in_tx(
            &mut tx,
            group_id,
            investment_id,
            &update
        )
        .await)
    }

    async fn record_investment_event(
        &self,
        group_id: Uuid,
        event: NewInvestmentEvent,
        idempotency: Option<Idempotency<'_, InvestmentEvent>>,
    ) -> StoreResult<Written<InvestmentEvent>> {
        write_tx!(self, |tx| {
            let tx = &mut tx;
            async {
                guarded_write!(tx, group_id, &idempotency, |group| {
                    Self::investment_event_outcome(tx, &mut group, &event).await?
                })
            }
            .await
        })
    }

    async fn list_investment_events(
        &self,
        group_id: Uuid,
        investment_id: Uuid,
        kinds: &[InvestmentEventKind],
        after: Option<Uuid>,
        limit: u32,
        include_reversed: bool,
    ) -> StoreResult<Page<InvestmentEvent>> {
        let kinds: Vec<&'static str> = kinds.iter().map(|k| k.as_str()).collect();
        read_tx!(self, |tx| {
            let result: Result<Page<InvestmentEvent>, TxError> = async {
                Self::read_group(&mut tx, group_id).await?;
                Self::load_investment(&mut tx, group_id, investment_id)
                    .await?
                    .ok_or(LedgerError::NotFound("investment"))?;
                let rows = sqlx::query(const_format::concatcp!(
                    "SELECT x.*, ",
                    crate::store::shared::REVERSED_BY,
                    " FROM investment_events x WHERE x.group_id = $1 AND x.investment_id = $2 \
                     AND x.kind IN ($3, $4) AND x.id > $5 AND ($7 OR ",
                    crate::store::shared::NOT_REVERSED,
                    ") ORDER BY x.id LIMIT $6"
                ))
                .bind(group_id)
                .bind(investment_id)
                .bind(kinds.first().copied().unwrap_or(""))
                .bind(kinds.get(1).or(kinds.first()).copied().unwrap_or(""))
                .bind(after.unwrap_or(crate::store::shared::BEFORE_ANY_ID))
                .bind(i64::from(limit) + 1)
                .bind(include_reversed)
                .fetch_all(&mut *tx)
                .await?;
                let mut items = rows
                    .iter()
                    .map(Self::investment_event_from_row)
                    .collect::<Result<Vec<_>, _>>()?;
                let has_more = items.len() > limit as usize;
                items.truncate(limit as usize);
                Ok(Page { items, has_more })
            }
            .await;
            result
        })
    }

    async fn get_investment_event(
        &self,
        group_id: Uuid,
        investment_id: Uuid,
        kinds: &[InvestmentEventKind],
        event_id: Uuid,
    ) -> StoreResult<InvestmentEvent> {
        let kinds: Vec<InvestmentEventKind> = kinds.to_vec();
        read_tx!(self, |tx| {
            let result: Result<InvestmentEvent, TxError> = async {
                Self::read_group(&mut tx, group_id).await?;
                let row = sqlx::query(const_format::concatcp!(
                    "SELECT x.*, ",
                    crate::store::shared::REVERSED_BY,
                    " FROM investment_events x WHERE x.group_id = $1 AND x.investment_id = $2 AND x.id = $3"
                ))
                    .bind(group_id)
                    .bind(investment_id)
                    .bind(event_id)
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or(LedgerError::NotFound("investment event"))?;
                let event = Self::investment_event_from_row(&row)?;
                if !kinds.contains(&event.kind) {
                    return Err(LedgerError::NotFound("investment event").into());
                }
                Ok(event)
            }
            .await;
            result
        })
    }

    async fn record_remittance(
        &self,
        group_id: Uuid,
        details: RemittanceDetails,
        created_by: Option<Uuid>,
        idempotency: Option<Idempotency<'_, Remittance>>,
    ) -> StoreResult<Written<Remittance>> {
        write_tx!(self, |tx| {
            let tx = &mut tx;
            async {
                guarded_write!(tx, group_id, &idempotency, |group| {
                    Self::remittance_outcome(tx, &mut group, &details, created_by).await?
                })
            }
            .await
        })
    }

    async fn list_remittances(
        &self,
        group_id: Uuid,
        query: RemittanceQuery,
    ) -> StoreResult<Page<Remittance>> {
        read_tx!(self, |tx| {
            let result: Result<Page<Remittance>, TxError> = async {
                Self::read_group(&mut tx, group_id).await?;
                Self::remittances_in_tx(&mut tx, group_id, &query).await
            }
            .await;
            result
        })
    }

    async fn get_remittance(&self, group_id: Uuid, remittance_id: Uuid) -> StoreResult<Remittance> {
        read_tx!(self, |tx| {
            let result: Result<Remittance, TxError> = async {
                Self::read_group(&mut tx, group_id).await?;
                Ok(Self::remittance_by_id(&mut tx, group_id, remittance_id)
                    .await?
                    .ok_or(LedgerError::NotFound("remittance"))?)
            }
            .await;
            result
        })
    }

    async fn record_transfer(
        &self,
        group_id: Uuid,
        transfer: NewTransfer,
        idempotency: Option<Idempotency<'_, Transfer>>,
    ) -> StoreResult<Written<Transfer>> {
        write_tx!(self, |tx| {
            let tx = &mut tx;
            async {
                guarded_write!(tx, group_id, &idempotency, |group| Self::transfer_outcome(
                    tx, &mut group, &transfer
                )
                .await?)
            }
            .await
        })
    }

    async fn list_transfers(
        &self,
        group_id: Uuid,
        after: Option<Uuid>,
        limit: u32,
        include_reversed: bool,
    ) -> StoreResult<Page<Transfer>> {
        read_tx!(self, |tx| {
            let result: Result<Page<Transfer>, TxError> = async {
                Self::read_group(&mut tx, group_id).await?;
                let rows = sqlx::query(const_format::concatcp!(
                    "SELECT x.*, ",
                    crate::store::shared::REVERSED_BY,
                    " FROM transfers x WHERE x.group_id = $1 AND x.id > $2 AND ($4 OR ",
                    crate::store::shared::NOT_REVERSED,
                    ") ORDER BY x.id LIMIT $3"
                ))
                .bind(group_id)
                .bind(after.unwrap_or(crate::store::shared::BEFORE_ANY_ID))
                .bind(i64::from(limit) + 1)
                .bind(include_reversed)
                .fetch_all(&mut *tx)
                .await?;
                let mut items = rows
                    .iter()
                    .map(Self::transfer_from_row)
                    .collect::<Result<Vec<_>, _>>()?;
                let has_more = items.len() > limit as usize;
                items.truncate(limit as usize);
                Ok(Page { items, has_more })
            }
            .await;
            result
        })
    }

    async fn get_transfer(&self, group_id: Uuid, transfer_id: Uuid) -> StoreResult<Transfer> {
        read_tx!(self, |tx| {
            let result: Result<Transfer, TxError> = async {
                let row =
                    Self::row_of_group(&mut tx, "transfers", group_id, transfer_id, "transfer")
                        .await?;
                Self::transfer_from_row(&row)
            }
            .await;
            result
        })
    }

    async fn distribute(
        &self,
        group_id: Uuid,
        request: NewDistribution,
        idempotency: Option<Idempotency<'_, Distribution>>,
    ) -> StoreResult<Written<Distribution>> {
        if request.dry_run {
            // Worked out under the group's lock exactly as a real one, then undone.
            return write_tx!(self, |tx| {
                let result: Result<Result<Written<Distribution>, LedgerError>, TxError> = async {
                    let mut group = Self::lock_group(&mut tx, group_id).await?;
                    group.refuse_if_closed()?;
                    sqlx::query("SAVEPOINT dry_run").execute(&mut *tx).await?;
                    let outcome = Self::distribution_outcome(&mut tx, &mut group, &request).await?;
                    sqlx::query("ROLLBACK TO SAVEPOINT dry_run")
                        .execute(&mut *tx)
                        .await?;
                    Ok(outcome.map(|d| {
                        Written::Created(Distribution {
                            id: None,
                            transaction_id: None,
                            created_at: None,
                            created_by: None,
                            ..d
                        })
                    }))
                }
                .await;
                result
            });
        }
        write_tx!(self, |tx| {
            let tx = &mut tx;
            async {
                guarded_write!(tx, group_id, &idempotency, |group| {
                    Self::distribution_outcome(tx, &mut group, &request).await?
                })
            }
            .await
        })
    }

    async fn list_distributions(
        &self,
        group_id: Uuid,
        after: Option<Uuid>,
        limit: u32,
    ) -> StoreResult<Page<Distribution>> {
        read_tx!(self, |tx| {
            let result: Result<Page<Distribution>, TxError> = async {
                let (rows, has_more) =
                    Self::rows_of_group(&mut tx, "distributions", group_id, after, limit).await?;
                let mut items = Vec::with_capacity(rows.len());
                for row in &rows {
                    items.push(Self::load_distribution(&mut tx, group_id, row).await?);
                }
                Ok(Page { items, has_more })
            }
            .await;
            result
        })
    }

    async fn get_distribution(
        &self,
        group_id: Uuid,
        distribution_id: Uuid,
    ) -> StoreResult<Distribution> {
        read_tx!(self, |tx| {
            let result: Result<Distribution, TxError> = async {
                let row = Self::row_of_group(
                    &mut tx,
                    "distributions",
                    group_id,
                    distribution_id,
                    "distribution",
                )
                .await?;
                Self::load_distribution(&mut tx, group_id, &row).await
            }
            .await;
            result
        })
    }

    async fn exit_member(
        &self,
        group_id: Uuid,
        member_id: Uuid,
        request: MemberExit,
        idempotency: Option<Idempotency<'_, ExitOutcome>>,
    ) -> StoreResult<Written<ExitOutcome>> {
        write_tx!(self, |tx| {
            let tx = &mut tx;
            async {
                guarded_write!(tx, group_id, &idempotency, |group| Self::exit_outcome(
                    tx, &mut group, member_id, &request
                )
                .await?)
            }
            .await
        })
    }

    async fn record_meeting(
        &self,
        group_id: Uuid,
        meeting: crate::domain::member::NewMeeting,
        idempotency: Option<Idempotency<'_, crate::domain::member::Meeting>>,
    ) -> StoreResult<Written<crate::domain::member::Meeting>> {
        write_tx!(self, |tx| {
            let tx = &mut tx;
            async {
                guarded_write!(tx, group_id, &idempotency, |group| Self::meeting_outcome(
                    tx, &mut group, &meeting
                )
                .await?)
            }
            .await
        })
    }

    async fn list_meetings(
        &self,
        group_id: Uuid,
        after: Option<Uuid>,
        limit: u32,
    ) -> StoreResult<Page<crate::domain::member::Meeting>> {
        read_tx!(self, |tx| {
            let result: Result<Page<crate::domain::member::Meeting>, TxError> = async {
                let (rows, has_more) =
                    Self::rows_of_group(&mut tx, "meetings", group_id, after, limit).await?;
                let mut items = Vec::with_capacity(rows.len());
                for row in &rows {
                    items.push(Self::load_meeting(&mut tx, group_id, row).await?);
                }
                Ok(Page { items, has_more })
            }
            .await;
            result
        })
    }

    async fn export_journal(
        &self,
        group_id: Uuid,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> StoreResult<JournalExport> {
        read_tx!(self, |tx| {
            let result: Result<JournalExport, TxError> = async {
                let mut journal = Self::export_start_in_tx(&mut tx, group_id).await?;
                let mut page = ExportPage {
                    from,
                    to,
                    after_sequence: 0,
                    through_sequence: journal.group.head_sequence,
                    limit: VERIFY_BATCH as u32,
                };
                loop {
                    let batch = Self::export_page_in_tx(&mut tx, group_id, &page).await?;
                    if let Some(last) = batch.items.last() {
                        page.after_sequence = last.sequence;
                    }
                    journal.transactions.extend(batch.items);
                    if !batch.has_more {
                        break;
                    }
                }
                Ok(journal)
            }
            .await;
            result
        })
    }

    async fn export_start(&self, group_id: Uuid) -> StoreResult<JournalExport> {
        read_tx!(self, |tx| {
            let result: Result<JournalExport, TxError> =
                Self::export_start_in_tx(&mut tx, group_id).await;
            result
        })
    }

    async fn export_page(
        &self,
        group_id: Uuid,
        page: &ExportPage,
    ) -> StoreResult<Page<Transaction>> {
        read_tx!(self, |tx| {
            let result: Result<Page<Transaction>, TxError> =
                Self::export_page_in_tx(&mut tx, group_id, page).await;
            result
        })
    }

    async fn get_meeting(
        &self,
        group_id: Uuid,
        meeting_id: Uuid,
    ) -> StoreResult<crate::domain::member::Meeting> {
        read_tx!(self, |tx| {
            let result: Result<crate::domain::member::Meeting, TxError> = async {
                let row = Self::row_of_group(&mut tx, "meetings", group_id, meeting_id, "meeting")
                    .await?;
                Self::load_meeting(&mut tx, group_id, &row).await
            }
            .await;
            result
        })
    }
}
