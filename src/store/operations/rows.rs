//! Reading the operations' records from their rows.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row as _;
use uuid::Uuid;

use super::opt_decimal;
use crate::domain::operations::*;
use crate::store::backend::{Backend, DbRow, Ledger};
use crate::store::ledger::currency_of;
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
    pub(in crate::store) fn investment_from_row(row: &DbRow<B>) -> Result<Investment, TxError> {
        let kind: String = row.try_get("kind")?;
        let status: String = row.try_get("status")?;
        Ok(Investment {
            id: row.try_get("id")?,
            group_id: row.try_get("group_id")?,
            name: row.try_get("name")?,
            kind: InvestmentKind::parse(&kind).ok_or_else(|| internal("stored investment kind"))?,
            sector: row.try_get("sector")?,
            country: row.try_get("country")?,
            currency: currency_of(&row.try_get::<String, _>("currency")?)?,
            partner: row.try_get("partner")?,
            committed_minor: row.try_get("committed_minor")?,
            women_led: row.try_get("women_led")?,
            status: InvestmentStatus::parse(&status)
                .ok_or_else(|| internal("stored investment status"))?,
            status_on: row.try_get("status_on")?,
            account_id: row.try_get("account_id")?,
            account_code: row.try_get("account_code")?,
            created_by: row.try_get("created_by")?,
            created_at: row.try_get("created_at")?,
        })
    }

    pub(in crate::store) fn investment_event_from_row(
        row: &DbRow<B>,
    ) -> Result<InvestmentEvent, TxError> {
        let kind: String = row.try_get("kind")?;
        Ok(InvestmentEvent {
            id: row.try_get("id")?,
            group_id: row.try_get("group_id")?,
            investment_id: row.try_get("investment_id")?,
            kind: InvestmentEventKind::parse(&kind)
                .ok_or_else(|| internal("stored investment event kind"))?,
            amount_minor: row.try_get("amount_minor")?,
            currency: currency_of(&row.try_get::<String, _>("currency")?)?,
            account_code: row.try_get("account_code")?,
            booked_on: row.try_get("booked_on")?,
            note: row.try_get("note")?,
            transaction_id: row.try_get("transaction_id")?,
            reversed_by: row.try_get("reversed_by")?,
            created_by: row.try_get("created_by")?,
            created_at: row.try_get("created_at")?,
        })
    }

    /// The uses of a remittance as stored: `[{"purpose", "amount_minor"}]`.
    fn remittance_uses(text: &str) -> Result<Vec<RemittanceUse>, TxError> {
        let uses_json: Vec<serde_json::Value> =
            serde_json::from_str(text).map_err(|_| internal("stored remittance uses"))?;
        let mut uses = Vec::with_capacity(uses_json.len());
        for u in uses_json {
            let purpose = u["purpose"]
                .as_str()
                .and_then(Purpose::parse)
                .ok_or_else(|| internal("stored use"))?;
            let amount_minor = u["amount_minor"]
                .as_i64()
                .ok_or_else(|| internal("stored use amount"))?;
            uses.push(RemittanceUse {
                purpose,
                amount_minor,
            });
        }
        Ok(uses)
    }

    /// A remittance read with its settlement's columns (`REMITTANCE_SELECT`): a completed one
    /// shows the figures confirmed on arrival.
    pub(in crate::store) fn remittance_from_row(row: &DbRow<B>) -> Result<Remittance, TxError> {
        let channel: String = row.try_get("channel")?;
        let uses_text: String = row.try_get("uses")?;
        let applied: String = row.try_get("applied_rate")?;
        let credited_currency: Option<String> = row.try_get("credited_currency")?;
        let mut remittance = Remittance {
            id: row.try_get("id")?,
            group_id: row.try_get("group_id")?,
            details: RemittanceDetails {
                member_id: row.try_get("member_id")?,
                send_amount_minor: row.try_get("send_amount_minor")?,
                send_currency: currency_of(&row.try_get::<String, _>("send_currency")?)?,
                fee_minor: row.try_get("fee_minor")?,
                receive_amount_minor: row.try_get("receive_amount_minor")?,
                receive_currency: currency_of(&row.try_get::<String, _>("receive_currency")?)?,
                applied_rate: applied.parse().map_err(|_| internal("stored rate"))?,
                rate_derived: row.try_get("rate_derived")?,
                mid_market_rate: opt_decimal(row.try_get("mid_market_rate")?)?,
                rate_source: row.try_get("rate_source")?,
                provider: row.try_get("provider")?,
                channel: RemittanceChannel::parse(&channel)
                    .ok_or_else(|| internal("stored remittance channel"))?,
                send_country: row.try_get("send_country")?,
                receive_country: row.try_get("receive_country")?,
                uses: Self::remittance_uses(&uses_text)?,
                booked_on: row.try_get("booked_on")?,
            },
            credited_minor: row.try_get("credited_minor")?,
            credited_currency: credited_currency.as_deref().map(currency_of).transpose()?,
            transaction_id: row.try_get("transaction_id")?,
            chain: Self::chain_from_row(row)?,
            reversed_by: row.try_get("reversed_by")?,
            created_by: row.try_get("created_by")?,
            created_at: row.try_get("created_at")?,
            status: if row.try_get("in_transit")? {
                RemittanceStatus::InTransit
            } else {
                RemittanceStatus::Arrived
            },
            settlement: None,
        };
        Self::apply_settlement(row, &mut remittance)?;
        Ok(remittance)
    }

    /// The settlement's columns of `row`, if it has one, on `remittance`.
    fn apply_settlement(row: &DbRow<B>, remittance: &mut Remittance) -> Result<(), TxError> {
        let Some(outcome) = row.try_get::<Option<String>, _>("settled_outcome")? else {
            return Ok(());
        };
        let outcome = RemittanceStatus::parse(&outcome)
            .filter(|s| matches!(s, RemittanceStatus::Completed | RemittanceStatus::Failed))
            .ok_or_else(|| internal("stored settlement outcome"))?;
        let expected = remittance.details.receive_amount_minor;
        if outcome == RemittanceStatus::Completed {
            let d = &mut remittance.details;
            let applied: String = row.try_get("settled_applied_rate")?;
            let uses: String = row.try_get("settled_uses")?;
            d.receive_amount_minor = row.try_get("settled_receive_amount_minor")?;
            d.fee_minor = row.try_get("settled_fee_minor")?;
            d.applied_rate = applied.parse().map_err(|_| internal("stored rate"))?;
            d.rate_derived = row.try_get("settled_rate_derived")?;
            d.mid_market_rate = opt_decimal(row.try_get("settled_mid_market_rate")?)?;
            d.uses = Self::remittance_uses(&uses)?;
        }
        remittance.status = outcome;
        remittance.settlement = Some(Settlement {
            outcome,
            booked_on: row.try_get("settled_on")?,
            fee_kept_minor: row.try_get("settled_fee_kept_minor")?,
            expected_receive_minor: (outcome == RemittanceStatus::Completed).then_some(expected),
            transaction_id: row.try_get("settled_transaction_id")?,
            created_by: row.try_get("settled_by")?,
            created_at: row.try_get("settled_at")?,
        });
        Ok(())
    }

    pub(in crate::store) fn transfer_from_row(row: &DbRow<B>) -> Result<Transfer, TxError> {
        Ok(Transfer {
            id: row.try_get("id")?,
            group_id: row.try_get("group_id")?,
            from_code: row.try_get("from_code")?,
            to_code: row.try_get("to_code")?,
            amount_minor: row.try_get("amount_minor")?,
            currency: currency_of(&row.try_get::<String, _>("currency")?)?,
            receive_amount_minor: row.try_get("receive_amount_minor")?,
            receive_currency: currency_of(&row.try_get::<String, _>("receive_currency")?)?,
            fee_minor: row.try_get("fee_minor")?,
            applied_rate: opt_decimal(row.try_get("applied_rate")?)?,
            mid_market_rate: opt_decimal(row.try_get("mid_market_rate")?)?,
            rate_source: row.try_get("rate_source")?,
            booked_on: row.try_get("booked_on")?,
            description: row.try_get("description")?,
            transaction_id: row.try_get("transaction_id")?,
            reversed_by: row.try_get("reversed_by")?,
            created_by: row.try_get("created_by")?,
            created_at: row.try_get("created_at")?,
        })
    }
}
