//! The closing of a period: FX positions revalued at the closing rates, and income and
//! expense moved into the undistributed surplus.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row as _;
use uuid::Uuid;

use crate::domain::error::LedgerError;
use crate::domain::model::*;
use crate::domain::money::Currency;
use crate::store::backend::{Backend, DbRow, Ledger, Tx};
use crate::store::ledger::currency_of;
use crate::store::shared::*;
use crate::store::tx::{Column, refuse_on_err};

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
    /// The clearing entries (`assets:fx:<CCY>`) booked on or before `through` (all
    /// without it), per transaction, with the pair a revaluation (or its reversal)
    /// names.
    pub(in crate::store) async fn fx_movements(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        through: Option<NaiveDate>,
    ) -> Result<Vec<crate::domain::fx::FxMovement>, TxError> {
        // Most groups hold one currency and have no clearing account: their journal is not
        // read at all (the query below would go through every entry up to `through`).
        let clearing = sqlx::query(
            "SELECT 1 FROM accounts WHERE group_id = $1 AND type = 'asset' AND code LIKE 'assets:fx:%' LIMIT 1",
        )
        .bind(group_id)
        .fetch_optional(&mut **tx)
        .await?;
        if clearing.is_none() {
            return Ok(Vec::new());
        }
        let rows = sqlx::query(
            "SELECT e.transaction_id, a.currency, e.direction, e.amount_minor, \
             COALESCE(o.metadata, t.metadata) AS metadata \
             FROM entries e JOIN accounts a ON a.id = e.account_id \
             JOIN transactions t ON t.id = e.transaction_id \
             LEFT JOIN transactions o ON o.id = t.reverses_id \
             WHERE e.group_id = $1 AND a.group_id = $1 AND a.type = 'asset' AND a.code LIKE 'assets:fx:%' \
             AND e.booked_on <= COALESCE($2, '9999-12-31') \
             ORDER BY t.sequence",
        )
        .bind(group_id)
        .bind(through)
        .fetch_all(&mut **tx)
        .await?;
        let mut movements: Vec<(Uuid, crate::domain::fx::FxMovement)> = Vec::new();
        for row in &rows {
            let id: Uuid = row.try_get("transaction_id")?;
            let currency = currency_of(&row.try_get::<String, _>("currency")?)?;
            let direction: String = row.try_get("direction")?;
            let amount: i64 = row.try_get("amount_minor")?;
            if movements.last().is_none_or(|(last, _)| *last != id) {
                let metadata: String = row.try_get("metadata")?;
                let metadata: serde_json::Value =
                    serde_json::from_str(&metadata).map_err(internal)?;
                movements.push((
                    id,
                    crate::domain::fx::FxMovement {
                        legs: Default::default(),
                        pair: crate::domain::fx::revaluation_pair(&metadata),
                    },
                ));
            }
            let movement = &mut movements
                .last_mut()
                .ok_or_else(|| internal("fx movement"))?
                .1;
            let signed = if direction == "debit" {
                amount
            } else {
                -amount
            };
            let leg = movement.legs.entry(currency).or_insert(0);
            *leg = leg
                .checked_add(signed)
                .ok_or_else(|| internal("an FX clearing total is out of range"))?;
        }
        Ok(movements.into_iter().map(|(_, m)| m).collect())
    }

    /// Brings each pair's position to zero at the closing rate given for it: one
    /// transaction a pair, booked on `through`, as `domain::rules::closing::revalue` decides.
    pub(in crate::store) async fn revalue_fx(
        tx: &mut Tx<B::Db>,
        group: &mut Group,
        through: NaiveDate,
        rates: &[crate::domain::fx::FxRate],
    ) -> Result<Result<Vec<crate::domain::fx::Revaluation>, LedgerError>, TxError> {
        use crate::domain::fx;
        use crate::domain::rules::closing;
        if rates.is_empty() {
            return Ok(Ok(Vec::new()));
        }
        refuse_on_err!(fx::check_rates(group.currency, rates, |i| format!(
            "/fx_rates/{i}"
        )));
        let movements = Self::fx_movements(tx, group.id, Some(through)).await?;
        let positions = match fx::positions(group.currency, &movements, rates) {
            Ok(p) => p,
            Err(fx::OutOfRange(pair)) => {
                let index = rates.iter().position(|r| r.pair == pair).unwrap_or(0);
                return Ok(Err(LedgerError::invalid(
                    format!("/fx_rates/{index}/rate"),
                    format!(
                        "the {} position valued at this rate is beyond exact arithmetic",
                        pair.name()
                    ),
                )));
            }
        };
        let mut done = Vec::new();
        for position in positions.pairs {
            let pointer = format!(
                "/fx_rates/{}",
                rates
                    .iter()
                    .position(|r| r.pair == position.pair)
                    .unwrap_or(0)
            );
            // Read again for each pair: an earlier pair may have opened the accounts.
            let codes = closing::revaluation_codes(position.pair.base);
            let standard = Self::standard_accounts(tx, group.id, &codes).await?;
            let Some(decision) = refuse_on_err!(closing::revalue(&position, &standard, &pointer))
            else {
                continue;
            };
            let description = format!(
                "Revaluation of the {} position at {} on {through}",
                position.pair.name(),
                decision.rate
            );
            let metadata = fx::revaluation_metadata(&position, through);
            let entry = super::proposals::Entry {
                booked_on: through,
                description: &description,
                metadata: &metadata,
                created_by: None,
            };
            let transaction =
                refuse_on_err!(Self::post_proposal(tx, group, &decision.proposal, entry).await?);
            done.push(fx::Revaluation {
                pair: position.pair,
                rate: decision.rate,
                gain_minor: decision.gain_minor,
                transaction_id: transaction.id,
            });
        }
        Ok(Ok(done))
    }

    /// Moves the balances that income and expense accounts had on `through` into
    /// `equity:undistributed:<currency>`, one transaction booked on `through` as
    /// `domain::rules::closing` decides it; `None` when there is nothing to move.
    pub(in crate::store) async fn closing_entries(
        tx: &mut Tx<B::Db>,
        group: &mut Group,
        through: NaiveDate,
    ) -> Result<Result<Option<Uuid>, LedgerError>, TxError> {
        use crate::domain::rules::closing;
        let rows = sqlx::query(
            "SELECT * FROM accounts WHERE group_id = $1 AND type IN ('income', 'expense') ORDER BY code",
        )
        .bind(group.id)
        .fetch_all(&mut **tx)
        .await?;
        let mut balances = Vec::with_capacity(rows.len());
        for row in &rows {
            let account = Self::account_from_row(row)?;
            let balance = Self::balance_as_of(tx, group.id, &account, Some(through)).await?;
            balances.push((account, balance));
        }
        let currencies: std::collections::BTreeSet<Currency> =
            balances.iter().map(|(a, _)| a.currency).collect();
        let codes = closing::standard_codes(currencies);
        let facts = closing::ClosingFacts {
            balances,
            standard: Self::standard_accounts(tx, group.id, &codes).await?,
        };
        let Some(proposal) = refuse_on_err!(closing::decide(&facts)) else {
            return Ok(Ok(None));
        };
        let description = format!("Closing of income and expense through {through}");
        let metadata = serde_json::json!({"event": "period_close", "through": through.to_string()});
        let entry = super::proposals::Entry {
            booked_on: through,
            description: &description,
            metadata: &metadata,
            created_by: None,
        };
        Ok(Self::post_proposal(tx, group, &proposal, entry)
            .await?
            .map(|t| Some(t.id)))
    }
}
