//! Remittances a member sends home, with the part that goes to group savings.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::proposals::Entry;
use crate::domain::error::LedgerError;
use crate::domain::model::*;
use crate::domain::operations::*;
use crate::domain::receipts::ChainPosition;
use crate::domain::rules::remittance::{self, Destination, RemittanceFacts};
use crate::store::backend::{Backend, DbRow, Ledger, Tx};
use crate::store::shared::*;
use crate::store::tx::{Column, refuse_on_err};

/// The columns of a remittance's settlement (all null while it has none), as
/// `remittance_from_row` reads them with the remittance `x`.
pub(in crate::store) const SETTLEMENT_COLUMNS: &str = "s.outcome AS settled_outcome, \
    s.receive_amount_minor AS settled_receive_amount_minor, s.fee_minor AS settled_fee_minor, \
    s.applied_rate AS settled_applied_rate, s.rate_derived AS settled_rate_derived, \
    s.mid_market_rate AS settled_mid_market_rate, s.uses AS settled_uses, \
    s.fee_kept_minor AS settled_fee_kept_minor, s.booked_on AS settled_on, \
    s.transaction_id AS settled_transaction_id, s.created_by AS settled_by, \
    s.created_at AS settled_at";

/// Joins each remittance `x` to its settlement `s`, if it has one.
pub(in crate::store) const SETTLEMENT_JOIN: &str =
    "LEFT JOIN remittance_settlements s ON s.remittance_id = x.id";

/// Remittances `x` as `remittance_from_row` reads them; a query adds its `WHERE`.
pub(in crate::store) const REMITTANCE_SELECT: &str = const_format::concatcp!(
    "SELECT x.*, ",
    crate::store::shared::REVERSED_BY,
    ", ",
    crate::store::shared::CHAIN_POSITION,
    ", ",
    SETTLEMENT_COLUMNS,
    " FROM remittances x ",
    SETTLEMENT_JOIN
);

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
    /// Loads what a remittance is decided on, decides it (`rules::remittance`), and writes
    /// the posting of its group-savings part, if any, and the record.
    pub(in crate::store) async fn remittance_outcome(
        tx: &mut Tx<B::Db>,
        group: &mut Group,
        details: &RemittanceDetails,
        created_by: Option<Uuid>,
    ) -> Result<Result<Remittance, LedgerError>, TxError> {
        Self::remittance_outcome_to(tx, group, details, created_by, Destination::HomeBank).await
    }

    /// As `remittance_outcome`, with the group-savings part posted to `destination`: a
    /// remittance recorded in transit waits there until it is completed or failed.
    pub(in crate::store) async fn remittance_outcome_to(
        tx: &mut Tx<B::Db>,
        group: &mut Group,
        details: &RemittanceDetails,
        created_by: Option<Uuid>,
        destination: Destination,
    ) -> Result<Result<Remittance, LedgerError>, TxError> {
        let group_id = group.id;
        let record = Self::load_member(tx, group_id, details.member_id).await?;
        let codes = match &record {
            Some(r) if details.group_savings_minor() > 0 => {
                remittance::standard_codes(details.receive_currency, r.savings.currency)
            }
            _ => Vec::new(),
        };
        let facts = RemittanceFacts {
            record,
            standard: Self::standard_accounts(tx, group_id, &codes).await?,
        };
        let id = Uuid::now_v7();
        let mut credited = None;
        let mut transaction_id = None;
        let mut chain = None;
        let mut created_at = recorded_now();
        if let Some(decided) =
            refuse_on_err!(remittance::decide_to(details, &facts, id, destination))
        {
            let entry = Entry {
                booked_on: details.booked_on,
                description: &decided.description,
                metadata: &decided.metadata,
                created_by,
            };
            let transaction =
                refuse_on_err!(Self::post_proposal(tx, group, &decided.proposal, entry).await?);
            credited = Some((decided.credited_minor, decided.credited_currency));
            transaction_id = Some(transaction.id);
            chain = Some(ChainPosition {
                sequence: transaction.sequence,
                hash: transaction.hash.clone(),
            });
            created_at = transaction.recorded_at;
        }
        let remittance = Remittance {
            id,
            group_id,
            details: details.clone(),
            credited_minor: credited.map(|c| c.0),
            credited_currency: credited.map(|c| c.1),
            transaction_id,
            chain,
            reversed_by: None,
            created_by,
            created_at,
            status: match destination {
                Destination::HomeBank => RemittanceStatus::Arrived,
                Destination::InTransit => RemittanceStatus::InTransit,
            },
            settlement: None,
        };
        Self::insert_remittance(tx, &remittance).await?;
        Ok(Ok(remittance))
    }

    pub(in crate::store) async fn remittances_in_tx(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        query: &RemittanceQuery,
    ) -> Result<Page<Remittance>, TxError> {
        // A remittance with no transaction (sent home outside the group) is never reversed.
        let rows = sqlx::query(const_format::concatcp!(
            REMITTANCE_SELECT,
            " WHERE x.group_id = $1 AND ($2 IS NULL OR x.member_id = $2) \
             AND x.booked_on >= COALESCE($3, '0001-01-01') AND x.booked_on <= COALESCE($4, '9999-12-31') \
             AND x.id > $5 AND ($7 OR ",
            crate::store::shared::NOT_REVERSED,
            ") ORDER BY x.id LIMIT $6"
        ))
        .bind(group_id)
        .bind(query.member_id)
        .bind(query.from)
        .bind(query.to)
        .bind(query.after.unwrap_or(crate::store::shared::BEFORE_ANY_ID))
        .bind(i64::from(query.limit) + 1)
        .bind(query.include_reversed)
        .fetch_all(&mut **tx)
        .await?;
        let mut items = rows
            .iter()
            .map(Self::remittance_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        let has_more = items.len() > query.limit as usize;
        items.truncate(query.limit as usize);
        Ok(Page { items, has_more })
    }

    /// Keeps the record of a remittance (and of its posting, if it had one).
    async fn insert_remittance(tx: &mut Tx<B::Db>, remittance: &Remittance) -> Result<(), TxError> {
        let details = &remittance.details;
        let uses: Vec<serde_json::Value> = details
            .uses
            .iter()
            .map(|u| serde_json::json!({"purpose": u.purpose.as_str(), "amount_minor": u.amount_minor}))
            .collect();
        sqlx::query(
            "INSERT INTO remittances (id, group_id, member_id, send_amount_minor, send_currency, fee_minor, \
             receive_amount_minor, receive_currency, applied_rate, rate_derived, mid_market_rate, rate_source, \
             provider, channel, send_country, receive_country, uses, credited_minor, credited_currency, \
             booked_on, transaction_id, created_by, created_at, in_transit) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)",
        )
        .bind(remittance.id)
        .bind(remittance.group_id)
        .bind(details.member_id)
        .bind(details.send_amount_minor)
        .bind(details.send_currency.code())
        .bind(details.fee_minor)
        .bind(details.receive_amount_minor)
        .bind(details.receive_currency.code())
        .bind(details.applied_rate.to_string())
        .bind(details.rate_derived)
        .bind(details.mid_market_rate.map(|r| r.to_string()))
        .bind(&details.rate_source)
        .bind(&details.provider)
        .bind(details.channel.as_str())
        .bind(&details.send_country)
        .bind(&details.receive_country)
        .bind(serde_json::Value::Array(uses).to_string())
        .bind(remittance.credited_minor)
        .bind(remittance.credited_currency.map(|c| c.code()))
        .bind(details.booked_on)
        .bind(remittance.transaction_id)
        .bind(remittance.created_by)
        .bind(remittance.created_at)
        .bind(remittance.status == RemittanceStatus::InTransit)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }
}
