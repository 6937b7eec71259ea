//! Investments and their events: disbursements, income, capital returned, write-downs.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row as _;
use uuid::Uuid;

use super::proposals::Entry;
use crate::domain::account::AccountType;
use crate::domain::error::{Conflict, LedgerError};
use crate::domain::model::*;
use crate::domain::money;
use crate::domain::operations::*;
use crate::domain::rules::investment_event::{self, InvestmentEventFacts};
use crate::store::backend::{Backend, DbRow, Ledger, Tx};
use crate::store::shared::*;
use crate::store::tx::{Column, guarded_write, refuse_on_err};
use crate::store::{Idempotency, Written};

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
    /// A group's investments, each read with its account's code and book value, with the
    /// figures of its recorded events: those after `after` in id order, at most `limit`
    /// (and whether more follow), in two statements whatever their number (a chunk of
    /// the events' sums per `ROWS_PER_STATEMENT` investments).
    pub(in crate::store) async fn investments_of(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        only: Option<Uuid>,
        after: Option<Uuid>,
        limit: Option<u32>,
    ) -> Result<(Vec<InvestmentRecord>, bool), TxError> {
        let rows = sqlx::query(
            "SELECT i.*, a.code AS account_code, a.debits_minor - a.credits_minor AS book_value \
             FROM investments i JOIN accounts a ON a.id = i.account_id \
             WHERE i.group_id = $1 AND ($2 IS NULL OR i.id = $2) AND i.id > $3 ORDER BY i.id LIMIT $4",
        )
        .bind(group_id)
        .bind(only)
        .bind(after.unwrap_or(crate::store::shared::BEFORE_ANY_ID))
        .bind(limit.map_or(i64::MAX, |l| i64::from(l) + 1))
        .fetch_all(&mut **tx)
        .await?;
        let has_more = limit.is_some_and(|l| rows.len() > l as usize);
        let mut records = Vec::with_capacity(rows.len());
        for row in rows.iter().take(limit.map_or(usize::MAX, |l| l as usize)) {
            let figures = InvestmentFigures {
                book_value: row.try_get("book_value")?,
                ..InvestmentFigures::default()
            };
            records.push(InvestmentRecord {
                investment: Self::investment_from_row(row)?,
                figures,
            });
        }
        let ids: Vec<Uuid> = records.iter().map(|r| r.investment.id).collect();
        for chunk in ids.chunks(crate::store::shared::ROWS_PER_STATEMENT) {
            // What was recorded, less what a reversal took back.
            let sql = format!(
                "SELECT investment_id, kind, CAST(SUM(amount_minor) AS BIGINT) AS total FROM investment_events e \
                 WHERE group_id = $1 AND investment_id IN ({}) \
                 AND NOT EXISTS (SELECT 1 FROM transactions r WHERE r.reverses_id = e.transaction_id) \
                 GROUP BY investment_id, kind",
                crate::store::shared::parameters(2, chunk.len())
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(group_id);
            for id in chunk {
                query = query.bind(*id);
            }
            for row in query.fetch_all(&mut **tx).await? {
                let investment_id: Uuid = row.try_get("investment_id")?;
                let kind: String = row.try_get("kind")?;
                let total: i64 = row.try_get("total")?;
                let record = records
                    .iter_mut()
                    .find(|r| r.investment.id == investment_id)
                    .ok_or_else(|| internal("events of an investment not asked for"))?;
                let kind = InvestmentEventKind::parse(&kind)
                    .ok_or_else(|| internal("stored investment event kind"))?;
                record.figures.set_total(kind, total);
            }
        }
        Ok((records, has_more))
    }

    pub(in crate::store) async fn load_investment(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        investment_id: Uuid,
    ) -> Result<Option<InvestmentRecord>, TxError> {
        let (mut found, _) =
            Self::investments_of(tx, group_id, Some(investment_id), None, Some(1)).await?;
        Ok(found.pop())
    }

    pub(in crate::store) async fn create_investment_in_tx(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        request: &NewInvestment,
        idempotency: &Option<Idempotency<'_, InvestmentRecord>>,
    ) -> Result<Result<Written<InvestmentRecord>, LedgerError>, TxError> {
        guarded_write!(tx, group_id, idempotency, |group| {
            let _ = &mut group;
            let id = Uuid::now_v7();
            let account = Self::insert_account(
                tx,
                group_id,
                &NewAccount {
                    code: investment_code(id),
                    name: format!("Investment: {}", request.name),
                    kind: AccountType::Asset,
                    currency: request.currency,
                    no_overdraft: true,
                },
            )
            .await?;
            let created_at = recorded_now();
            sqlx::query(
                "INSERT INTO investments (id, group_id, name, kind, sector, country, currency, partner, \
                 committed_minor, women_led, status, status_on, account_id, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'active', NULL, $11, $12, $13)",
            )
            .bind(id)
            .bind(group_id)
            .bind(&request.name)
            .bind(request.kind.as_str())
            .bind(&request.sector)
            .bind(&request.country)
            .bind(request.currency.code())
            .bind(&request.partner)
            .bind(request.committed_minor)
            .bind(request.women_led)
            .bind(account.id)
            .bind(request.created_by)
            .bind(created_at)
            .execute(&mut **tx)
            .await?;
            let record = Self::load_investment(tx, group_id, id)
                .await?
                .ok_or_else(|| internal("investment just written"))?;
            Ok::<_, LedgerError>(record)
        })
    }

    pub(in crate::store) async fn update_investment_in_tx(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        investment_id: Uuid,
        update: &InvestmentUpdate,
    ) -> Result<Result<InvestmentRecord, LedgerError>, TxError> {
        let mut group = Self::lock_group(tx, group_id).await?;
        let record = Self::load_investment(tx, group_id, investment_id)
            .await?
            .ok_or(LedgerError::NotFound("investment"))?;
        group.refuse_if_closed()?;
        let current = record.investment.status;
        if current != update.status {
            if current != InvestmentStatus::Active {
                return Err(LedgerError::conflict(
                    Conflict::StatusTransition,
                    format!(
                        "the investment is {}; that status is final",
                        current.as_str()
                    ),
                )
                .into());
            }
            // Writing an investment off writes down what is left of its book value.
            let book = record.figures.book_value;
            if update.status == InvestmentStatus::WrittenOff && book > 0 {
                let write_down = NewInvestmentEvent {
                    investment_id,
                    kind: InvestmentEventKind::WriteDown,
                    amount: money::format_amount(book, record.investment.currency),
                    account: None,
                    booked_on: update.on,
                    note: Some("written off".into()),
                    created_by: update.created_by,
                };
                sqlx::query("SAVEPOINT write_off")
                    .execute(&mut **tx)
                    .await?;
                let outcome = Self::investment_event_outcome(tx, &mut group, &write_down).await?;
                if let Err(e) = outcome {
                    sqlx::query("ROLLBACK TO SAVEPOINT write_off")
                        .execute(&mut **tx)
                        .await?;
                    let e = match e {
                        LedgerError::Rule { rule, detail, .. } => {
                            LedgerError::rule(rule, Some("/status_on".into()), detail)
                        }
                        other => other,
                    };
                    return Ok(Err(e));
                }
                sqlx::query("RELEASE SAVEPOINT write_off")
                    .execute(&mut **tx)
                    .await?;
            }
            sqlx::query("UPDATE investments SET status = $1, status_on = $2 WHERE group_id = $3 AND id = $4")
                .bind(update.status.as_str())
                .bind(update.on)
                .bind(group_id)
                .bind(investment_id)
                .execute(&mut **tx)
                .await?;
        }
        Ok(Ok(Self::load_investment(tx, group_id, investment_id)
            .await?
            .ok_or_else(|| internal("investment just updated"))?))
    }

    /// Loads what an investment event is decided on, decides it (`rules::investment_event`),
    /// and writes the transaction and the record.
    pub(in crate::store) async fn investment_event_outcome(
        tx: &mut Tx<B::Db>,
        group: &mut Group,
        request: &NewInvestmentEvent,
    ) -> Result<Result<InvestmentEvent, LedgerError>, TxError> {
        let group_id = group.id;
        let record = Self::load_investment(tx, group_id, request.investment_id)
            .await?
            .ok_or(LedgerError::NotFound("investment"))?;
        let investment = &record.investment;
        let asset = Self::find_account(tx, group_id, &AccountRef::Id(investment.account_id))
            .await?
            .ok_or_else(|| internal("an investment's account is missing"))?;
        let named = match &request.account {
            Some(account) => Some(Self::find_account(tx, group_id, account).await?),
            None => None,
        };
        let codes = investment_event::standard_codes(investment.currency);
        let standard = Self::standard_accounts(tx, group_id, &codes).await?;
        let facts = InvestmentEventFacts {
            record,
            asset,
            named,
            standard,
        };
        let event_id = Uuid::now_v7();
        let decided = refuse_on_err!(investment_event::decide(request, &facts, event_id));
        let entry = Entry {
            booked_on: request.booked_on,
            description: &decided.description,
            metadata: &decided.metadata,
            created_by: request.created_by,
        };
        let transaction =
            refuse_on_err!(Self::post_proposal(tx, group, &decided.proposal, entry).await?);
        let event = InvestmentEvent {
            id: event_id,
            group_id,
            investment_id: facts.record.investment.id,
            kind: request.kind,
            amount_minor: decided.amount_minor,
            currency: decided.currency,
            account_code: decided.account_code,
            booked_on: request.booked_on,
            note: request.note.clone(),
            transaction_id: transaction.id,
            reversed_by: None,
            created_by: request.created_by,
            created_at: transaction.recorded_at,
        };
        Self::insert_investment_event(tx, &event).await?;
        Ok(Ok(event))
    }

    /// Keeps the record of an investment event just posted.
    async fn insert_investment_event(
        tx: &mut Tx<B::Db>,
        event: &InvestmentEvent,
    ) -> Result<(), TxError> {
        sqlx::query(
            "INSERT INTO investment_events (id, group_id, investment_id, kind, amount_minor, currency, \
             account_code, booked_on, note, transaction_id, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(event.id)
        .bind(event.group_id)
        .bind(event.investment_id)
        .bind(event.kind.as_str())
        .bind(event.amount_minor)
        .bind(event.currency.code())
        .bind(&event.account_code)
        .bind(event.booked_on)
        .bind(&event.note)
        .bind(event.transaction_id)
        .bind(event.created_by)
        .bind(event.created_at)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }
}
