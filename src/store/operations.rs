//! Group operations written once for both backends: group status, investments and their
//! events, remittances, transfers between the group's own accounts, distributions, members
//! leaving, and the closing entries of a period. `impl_operations_store!` is expanded after
//! `impl_store!` and `impl_member_store!` in each backend module and uses the names they bring
//! into scope.

use crate::domain::member::{MemberRecord, MemberStatus};
use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row as _;
use uuid::Uuid;

use super::backend::{Backend, DbRow, Ledger, Tx};
use super::ledger::currency_of;
use super::shared::*;
use super::tx::{Column, guarded_write, read_tx, refuse_on_err, write_tx};
use crate::domain::account::{AccountType, Direction};
use crate::domain::error::{Conflict, LedgerError, Rule};
use crate::domain::model::*;
use crate::domain::money::{self, Currency};
use crate::store::{Idempotency, StoreResult, Written};

use crate::domain::allocation::{self, AllocationError};
use crate::domain::operations::*;
use crate::domain::posting::Draft;
use crate::store::{ExportPage, OperationsStore};

pub(super) fn opt_decimal(text: Option<String>) -> Result<Option<rust_decimal::Decimal>, TxError> {
    text.map(|t| {
        t.parse::<rust_decimal::Decimal>()
            .map_err(|_| internal("stored rate"))
    })
    .transpose()
}

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
    pub(super) fn investment_from_row(row: &DbRow<B>) -> Result<Investment, TxError> {
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

    pub(super) fn investment_event_from_row(row: &DbRow<B>) -> Result<InvestmentEvent, TxError> {
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

    pub(super) fn remittance_from_row(row: &DbRow<B>) -> Result<Remittance, TxError> {
        let channel: String = row.try_get("channel")?;
        let uses_text: String = row.try_get("uses")?;
        let uses_json: Vec<serde_json::Value> =
            serde_json::from_str(&uses_text).map_err(|_| internal("stored remittance uses"))?;
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
        let applied: String = row.try_get("applied_rate")?;
        let credited_currency: Option<String> = row.try_get("credited_currency")?;
        Ok(Remittance {
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
                uses,
                booked_on: row.try_get("booked_on")?,
            },
            credited_minor: row.try_get("credited_minor")?,
            credited_currency: credited_currency.as_deref().map(currency_of).transpose()?,
            transaction_id: row.try_get("transaction_id")?,
            reversed_by: row.try_get("reversed_by")?,
            created_by: row.try_get("created_by")?,
            created_at: row.try_get("created_at")?,
        })
    }

    pub(super) fn transfer_from_row(row: &DbRow<B>) -> Result<Transfer, TxError> {
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

    /// The group with its head sequence and every account, read together: the start of
    /// an export, which reads no transaction after that head.
    pub(super) async fn export_start_in_tx(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
    ) -> Result<JournalExport, TxError> {
        let group = Self::read_group(tx, group_id).await?;
        let rows = sqlx::query("SELECT * FROM accounts WHERE group_id = $1 ORDER BY code")
            .bind(group_id)
            .fetch_all(&mut **tx)
            .await?;
        let accounts = rows
            .iter()
            .map(Self::account_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(JournalExport {
            group,
            accounts,
            transactions: Vec::new(),
        })
    }

    /// One page of an export: transactions booked in the range with sequences after
    /// `after_sequence` and not after `through_sequence`, oldest first, with entries.
    pub(super) async fn export_page_in_tx(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        page: &ExportPage,
    ) -> Result<Page<Transaction>, TxError> {
        let sql = const_format::concatcp!(
            "SELECT ",
            crate::store::shared::TRANSACTION_COLUMNS,
            " FROM transactions t WHERE t.group_id = $1 AND t.sequence > $2 AND t.sequence <= $3 \
             AND t.booked_on >= COALESCE($4, '0001-01-01') AND t.booked_on <= COALESCE($5, '9999-12-31') \
             ORDER BY t.sequence LIMIT $6"
        );
        let rows = sqlx::query(sql)
            .bind(group_id)
            .bind(page.after_sequence)
            .bind(page.through_sequence)
            .bind(page.from)
            .bind(page.to)
            .bind(i64::from(page.limit) + 1)
            .fetch_all(&mut **tx)
            .await?;
        let mut items = rows
            .iter()
            .map(Self::transaction_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        let has_more = items.len() > page.limit as usize;
        items.truncate(page.limit as usize);
        Self::attach_entries(tx, group_id, &mut items).await?;
        Ok(Page { items, has_more })
    }

    /// An account the operation names, which must be an asset account of the group in
    /// `currency`.
    pub(super) async fn asset_account(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        account: &AccountRef,
        currency: Currency,
        pointer: &str,
    ) -> Result<Result<Account, LedgerError>, TxError> {
        let Some(found) = Self::find_account(tx, group_id, account).await? else {
            return Ok(Err(LedgerError::rule(
                Rule::UnknownAccount,
                Some(pointer.into()),
                "the group has no such account",
            )));
        };
        if found.kind != AccountType::Asset {
            return Ok(Err(LedgerError::rule(
                Rule::AccountKind,
                Some(pointer.into()),
                format!(
                    "{} is a {} account; money moves between asset accounts",
                    found.code,
                    found.kind.as_str()
                ),
            )));
        }
        if found.currency != currency {
            return Ok(Err(LedgerError::rule(
                Rule::CurrencyMismatch,
                Some(pointer.into()),
                format!("{} is in {}, not {currency}", found.code, found.currency),
            )));
        }
        Ok(Ok(found))
    }

    /// The account's balance on its normal side from entries booked on or before `as_of`
    /// (all entries when `None`).
    pub(super) async fn balance_as_of(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        account: &Account,
        as_of: Option<NaiveDate>,
    ) -> Result<i64, TxError> {
        Ok(sqlx::query_scalar::<_, i64>(
            "SELECT CAST(COALESCE(SUM(CASE WHEN direction = $4 THEN amount_minor ELSE -amount_minor END), 0) AS BIGINT) \
             FROM entries WHERE group_id = $1 AND account_id = $2 AND booked_on <= COALESCE($3, '9999-12-31')",
        )
            .bind(group_id)
            .bind(account.id)
            .bind(as_of)
            .bind(account.kind.normal_side().as_str())
            .fetch_one(&mut **tx)
            .await?)
    }

    /// Each of `accounts`' balance on its normal side as of `as_of` (its whole history
    /// without one), by account id, in a statement per `ROWS_PER_STATEMENT` accounts.
    pub(super) async fn balances_as_of(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        accounts: &[&Account],
        as_of: Option<NaiveDate>,
    ) -> Result<HashMap<Uuid, i64>, TxError> {
        let mut balances = HashMap::with_capacity(accounts.len());
        for chunk in accounts.chunks(crate::store::shared::ROWS_PER_STATEMENT) {
            let sql = format!(
                "SELECT account_id, \
                 CAST(COALESCE(SUM(CASE WHEN direction = 'debit' THEN amount_minor ELSE 0 END), 0) AS BIGINT) AS debits, \
                 CAST(COALESCE(SUM(CASE WHEN direction = 'credit' THEN amount_minor ELSE 0 END), 0) AS BIGINT) AS credits \
                 FROM entries WHERE group_id = $1 AND booked_on <= COALESCE($2, '9999-12-31') AND account_id IN ({}) \
                 GROUP BY account_id",
                crate::store::shared::parameters(3, chunk.len())
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(group_id)
                .bind(as_of);
            for account in chunk {
                query = query.bind(account.id);
            }
            let mut sums: HashMap<Uuid, (i64, i64)> = HashMap::with_capacity(chunk.len());
            for row in query.fetch_all(&mut **tx).await? {
                sums.insert(
                    row.try_get("account_id")?,
                    (row.try_get("debits")?, row.try_get("credits")?),
                );
            }
            for account in chunk {
                let (debits, credits) = sums.get(&account.id).copied().unwrap_or((0, 0));
                let balance = crate::domain::account::normal_balance(account.kind, debits, credits)
                    .ok_or_else(|| internal("an account's balance is out of range"))?;
                balances.insert(account.id, balance);
            }
        }
        Ok(balances)
    }

    // ---------------------------------------------------------------------------------
    // Group status

    pub(super) async fn update_group_in_tx(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        update: &GroupUpdate,
    ) -> Result<Result<Group, LedgerError>, TxError> {
        let group = Self::lock_group(tx, group_id).await?;
        let mut profile = group.profile.clone();
        if let Some((status, on)) = update.status {
            if status != profile.status && !profile.status.may_become(status) {
                return Err(LedgerError::conflict(
                    Conflict::StatusTransition,
                    format!(
                        "a {} group cannot become {}",
                        profile.status.as_str(),
                        status.as_str()
                    ),
                )
                .into());
            }
            if status != profile.status {
                profile.status = status;
                profile.status_on = Some(on);
                if status == GroupStatus::Accredited && profile.accredited_on.is_none() {
                    profile.accredited_on = Some(on);
                }
            }
        }
        if let Some(basis) = update.distribution_basis {
            profile.distribution_basis = basis;
        }
        if let Some(zone) = update.time_zone {
            profile.time_zone = zone;
        }
        if profile != group.profile {
            group.refuse_if_closed()?;
        }
        sqlx::query(
            "UPDATE groups SET status = $1, status_on = $2, accredited_on = $3, distribution_basis = $4, \
             time_zone = $5 WHERE id = $6",
        )
        .bind(profile.status.as_str())
        .bind(profile.status_on)
        .bind(profile.accredited_on)
        .bind(profile.distribution_basis.as_str())
        .bind(profile.time_zone.name())
        .bind(group_id)
        .execute(&mut **tx)
        .await?;
        Ok(Ok(Group { profile, ..group }))
    }

    // ---------------------------------------------------------------------------------
    // FX clearing read as currency positions

    /// The clearing entries (`assets:fx:<CCY>`) booked on or before `through` (all
    /// without it), per transaction, with the pair a revaluation (or its reversal)
    /// names.
    pub(super) async fn fx_movements(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        through: Option<NaiveDate>,
    ) -> Result<Vec<crate::domain::fx::FxMovement>, TxError> {
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
    /// transaction a pair, booked on `through`, between the base currency's clearing
    /// account and its FX loss (the position was worth more than zero) or gain.
    pub(super) async fn revalue_fx(
        tx: &mut Tx<B::Db>,
        group: &mut Group,
        through: NaiveDate,
        rates: &[crate::domain::fx::FxRate],
    ) -> Result<Result<Vec<crate::domain::fx::Revaluation>, LedgerError>, TxError> {
        use crate::domain::fx;
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
            let (Some(rate), Some(value)) = (position.rate, position.value_minor) else {
                continue;
            };
            if value == 0 {
                continue;
            }
            let base = position.pair.base;
            let minor = i64::try_from(value.abs()).map_err(internal)?;
            let pointer = format!(
                "/fx_rates/{}",
                rates
                    .iter()
                    .position(|r| r.pair == position.pair)
                    .unwrap_or(0)
            );
            let clearing = refuse_on_err!(
                Self::open_account(
                    tx,
                    group.id,
                    fx_code(base),
                    &format!("FX clearing ({base})"),
                    AccountType::Asset,
                    base,
                    false,
                    &pointer
                )
                .await?
            );
            let mut draft = Draft::default();
            if value > 0 {
                let loss = refuse_on_err!(
                    Self::open_account(
                        tx,
                        group.id,
                        fx_loss_code(base),
                        &format!("FX loss ({base})"),
                        AccountType::Expense,
                        base,
                        true,
                        &pointer
                    )
                    .await?
                );
                draft.add(&loss, Direction::Debit, minor);
                draft.add(&clearing, Direction::Credit, minor);
            } else {
                let gain = refuse_on_err!(
                    Self::open_account(
                        tx,
                        group.id,
                        fx_gain_code(base),
                        &format!("FX gain ({base})"),
                        AccountType::Income,
                        base,
                        true,
                        &pointer
                    )
                    .await?
                );
                draft.add(&clearing, Direction::Debit, minor);
                draft.add(&gain, Direction::Credit, minor);
            }
            let description = format!(
                "Revaluation of the {} position at {rate} on {through}",
                position.pair.name()
            );
            let metadata = fx::revaluation_metadata(&position, through);
            let posting = Posting {
                booked_on: through,
                description: &description,
                metadata: &metadata,
                lines: &draft.lines,
                accounts: &draft.accounts,
                reverses: None,
                created_by: None,
            };
            let transaction = refuse_on_err!(Self::apply_posting(tx, group, posting).await?);
            done.push(fx::Revaluation {
                pair: position.pair,
                rate,
                gain_minor: -value,
                transaction_id: transaction.id,
            });
        }
        Ok(Ok(done))
    }

    // ---------------------------------------------------------------------------------
    // Period close

    /// Moves the balances that income and expense accounts had on `through` into
    /// `equity:undistributed:<currency>`, one transaction booked on `through`; `None`
    /// when there is nothing to move.
    pub(super) async fn closing_entries(
        tx: &mut Tx<B::Db>,
        group: &mut Group,
        through: NaiveDate,
    ) -> Result<Result<Option<Uuid>, LedgerError>, TxError> {
        let rows = sqlx::query(
            "SELECT * FROM accounts WHERE group_id = $1 AND type IN ('income', 'expense') ORDER BY code",
        )
        .bind(group.id)
        .fetch_all(&mut **tx)
        .await?;
        let accounts = rows
            .iter()
            .map(Self::account_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        let mut draft = Draft::default();
        // Net of income less expense per currency, in minor units.
        let mut net: std::collections::BTreeMap<&'static str, (Currency, i128)> =
            Default::default();
        for account in &accounts {
            let balance = Self::balance_as_of(tx, group.id, account, Some(through)).await?;
            if balance == 0 {
                continue;
            }
            // Bring the account to zero from whichever side it stands on.
            let side = account.kind.normal_side();
            let (direction, amount) = if balance > 0 {
                (side.opposite(), balance)
            } else {
                (side, -balance)
            };
            draft.add(account, direction, amount);
            let signed = if direction == Direction::Debit {
                i128::from(amount)
            } else {
                -i128::from(amount)
            };
            net.entry(account.currency.code())
                .or_insert((account.currency, 0))
                .1 += signed;
        }
        if draft.lines.is_empty() {
            return Ok(Ok(None));
        }
        for (currency, amount) in net.into_values() {
            if amount == 0 {
                continue;
            }
            let undistributed = refuse_on_err!(
                Self::open_account(
                    tx,
                    group.id,
                    undistributed_code(currency),
                    &format!("Undistributed surplus ({currency})"),
                    AccountType::Equity,
                    currency,
                    false,
                    "/through",
                )
                .await?
            );
            let minor = i64::try_from(amount.abs()).map_err(internal)?;
            // Income closed with debits leaves a credit to equity, and the reverse.
            let direction = if amount > 0 {
                Direction::Credit
            } else {
                Direction::Debit
            };
            draft.add(&undistributed, direction, minor);
        }
        let description = format!("Closing of income and expense through {through}");
        let metadata = serde_json::json!({"event": "period_close", "through": through.to_string()});
        let posting = Posting {
            booked_on: through,
            description: &description,
            metadata: &metadata,
            lines: &draft.lines,
            accounts: &draft.accounts,
            reverses: None,
            created_by: None,
        };
        Ok(Self::apply_posting(tx, group, posting)
            .await?
            .map(|t| Some(t.id)))
    }

    // ---------------------------------------------------------------------------------
    // Investments

    /// A group's investments, each read with its account's code and book value, with the
    /// figures of its recorded events: those after `after` in id order, at most `limit`
    /// (and whether more follow), in two statements whatever their number (a chunk of
    /// the events' sums per `ROWS_PER_STATEMENT` investments).
    pub(super) async fn investments_of(
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

    pub(super) async fn load_investment(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        investment_id: Uuid,
    ) -> Result<Option<InvestmentRecord>, TxError> {
        let (mut found, _) =
            Self::investments_of(tx, group_id, Some(investment_id), None, Some(1)).await?;
        Ok(found.pop())
    }

    pub(super) async fn create_investment_in_tx(
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

    pub(super) async fn update_investment_in_tx(
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

    pub(super) async fn investment_event_outcome(
        tx: &mut Tx<B::Db>,
        group: &mut Group,
        request: &NewInvestmentEvent,
    ) -> Result<Result<InvestmentEvent, LedgerError>, TxError> {
        let group_id = group.id;
        let record = Self::load_investment(tx, group_id, request.investment_id)
            .await?
            .ok_or(LedgerError::NotFound("investment"))?;
        let investment = &record.investment;
        let currency = investment.currency;
        let adds_or_removes_capital = matches!(
            request.kind,
            InvestmentEventKind::Disbursement | InvestmentEventKind::WriteDown
        );
        if adds_or_removes_capital && investment.status != InvestmentStatus::Active {
            return Ok(Err(LedgerError::rule(
                Rule::InvestmentClosed,
                None,
                format!(
                    "the investment is {}; only income and capital returns can still be recorded",
                    investment.status.as_str()
                ),
            )));
        }
        let amount_minor = refuse_on_err!(positive_amount(&request.amount, currency, "/amount"));
        let asset = Self::find_account(tx, group_id, &AccountRef::Id(investment.account_id))
            .await?
            .ok_or_else(|| internal("an investment's account is missing"))?;
        let cash = if request.kind == InvestmentEventKind::WriteDown {
            None
        } else {
            Some(match &request.account {
                Some(account) => refuse_on_err!(
                    Self::asset_account(tx, group_id, account, currency, "/account").await?
                ),
                None => refuse_on_err!(
                    Self::open_account(
                        tx,
                        group_id,
                        home_bank_code(currency),
                        &format!("Home bank ({currency})"),
                        AccountType::Asset,
                        currency,
                        true,
                        "/account",
                    )
                    .await?
                ),
            })
        };
        let mut draft = Draft::default();
        match request.kind {
            InvestmentEventKind::Disbursement => {
                draft.add(&asset, Direction::Debit, amount_minor);
                draft.add(
                    cash.as_ref().ok_or_else(|| internal("cash side"))?,
                    Direction::Credit,
                    amount_minor,
                );
            }
            InvestmentEventKind::Income => {
                let income = refuse_on_err!(
                    Self::open_account(
                        tx,
                        group_id,
                        investment_income_code(currency),
                        &format!("Investment income ({currency})"),
                        AccountType::Income,
                        currency,
                        true,
                        "/amount",
                    )
                    .await?
                );
                draft.add(
                    cash.as_ref().ok_or_else(|| internal("cash side"))?,
                    Direction::Debit,
                    amount_minor,
                );
                draft.add(&income, Direction::Credit, amount_minor);
            }
            InvestmentEventKind::CapitalReturned => {
                // Capital comes back at cost up to the book value; anything beyond it is a
                // gain on the investment.
                let book = (asset.debits_minor - asset.credits_minor).max(0);
                let at_cost = amount_minor.min(book);
                let gain = amount_minor - at_cost;
                draft.add(
                    cash.as_ref().ok_or_else(|| internal("cash side"))?,
                    Direction::Debit,
                    amount_minor,
                );
                if at_cost > 0 {
                    draft.add(&asset, Direction::Credit, at_cost);
                }
                if gain > 0 {
                    let income = refuse_on_err!(
                        Self::open_account(
                            tx,
                            group_id,
                            investment_income_code(currency),
                            &format!("Investment income ({currency})"),
                            AccountType::Income,
                            currency,
                            true,
                            "/amount",
                        )
                        .await?
                    );
                    draft.add(&income, Direction::Credit, gain);
                }
            }
            InvestmentEventKind::WriteDown => {
                let impairment = refuse_on_err!(
                    Self::open_account(
                        tx,
                        group_id,
                        impairment_code(currency),
                        &format!("Impairment ({currency})"),
                        AccountType::Expense,
                        currency,
                        true,
                        "/amount",
                    )
                    .await?
                );
                draft.add(&impairment, Direction::Debit, amount_minor);
                draft.add(&asset, Direction::Credit, amount_minor);
            }
        }
        let event_id = Uuid::now_v7();
        let description = format!(
            "{}: {}",
            investment.name,
            request.kind.as_str().replace('_', " ")
        );
        let metadata = serde_json::json!({
            "event": request.kind.as_str(),
            "event_id": event_id.to_string(),
            "investment_id": investment.id.to_string(),
        });
        // An overdraft of the account the treasurer named points at `/account`; of any
        // other (the investment's own, or the default home bank), at `/amount`.
        let named = request.account.as_ref().and(cash.as_ref()).map(|c| c.id);
        for state in &mut draft.accounts {
            state.field = Some(if Some(state.id) == named {
                "/account"
            } else {
                "/amount"
            });
        }
        let posting = Posting {
            booked_on: request.booked_on,
            description: &description,
            metadata: &metadata,
            lines: &draft.lines,
            accounts: &draft.accounts,
            reverses: None,
            created_by: request.created_by,
        };
        let transaction = match Self::apply_posting(tx, group, posting).await? {
            Ok(t) => t,
            Err(e) => return Ok(Err(e)),
        };
        let event = InvestmentEvent {
            id: event_id,
            group_id,
            investment_id: investment.id,
            kind: request.kind,
            amount_minor,
            currency,
            account_code: cash.map(|c| c.code),
            booked_on: request.booked_on,
            note: request.note.clone(),
            transaction_id: transaction.id,
            reversed_by: None,
            created_by: request.created_by,
            created_at: transaction.recorded_at,
        };
        sqlx::query(
            "INSERT INTO investment_events (id, group_id, investment_id, kind, amount_minor, currency, \
             account_code, booked_on, note, transaction_id, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(event.id)
        .bind(group_id)
        .bind(event.investment_id)
        .bind(event.kind.as_str())
        .bind(event.amount_minor)
        .bind(currency.code())
        .bind(&event.account_code)
        .bind(event.booked_on)
        .bind(&event.note)
        .bind(event.transaction_id)
        .bind(event.created_by)
        .bind(event.created_at)
        .execute(&mut **tx)
        .await?;
        Ok(Ok(event))
    }

    // ---------------------------------------------------------------------------------
    // Remittances

    pub(super) async fn remittance_outcome(
        tx: &mut Tx<B::Db>,
        group: &mut Group,
        details: &RemittanceDetails,
        created_by: Option<Uuid>,
    ) -> Result<Result<Remittance, LedgerError>, TxError> {
        let group_id = group.id;
        let Some(record) = Self::load_member(tx, group_id, details.member_id).await? else {
            return Ok(Err(LedgerError::rule(
                Rule::UnknownMember,
                Some("/member_id".into()),
                "no member of this group has this id",
            )));
        };
        let id = Uuid::now_v7();
        let to_savings = details.group_savings_minor();
        let mut credited = None;
        let mut transaction_id = None;
        let mut created_at = recorded_now();
        if to_savings > 0 {
            if record.member.status != MemberStatus::Active {
                return Ok(Err(LedgerError::rule(
                    Rule::MemberNotActive,
                    Some("/member_id".into()),
                    format!(
                        "the member's status is {}; group savings are taken from active members only",
                        record.member.status.as_str()
                    ),
                )));
            }
            let received = details.receive_currency;
            let savings_currency = record.savings.currency;
            let home_bank = refuse_on_err!(
                Self::open_account(
                    tx,
                    group_id,
                    home_bank_code(received),
                    &format!("Home bank ({received})"),
                    AccountType::Asset,
                    received,
                    true,
                    "/receive_currency",
                )
                .await?
            );
            let mut draft = Draft::default();
            draft.add(&home_bank, Direction::Debit, to_savings);
            let credit = if savings_currency == received {
                to_savings
            } else if savings_currency == details.send_currency {
                // The savings are in the currency the member sent: credit them with what
                // the group-savings part cost the member, through FX clearing.
                let back = back_convert(to_savings, details).filter(|m| *m > 0).ok_or_else(|| {
                    LedgerError::rule(
                        Rule::NonPositiveAmount,
                        Some("/uses".into()),
                        "the group-savings part is worth less than one minor unit of the member's savings currency",
                    )
                });
                let back = refuse_on_err!(back);
                let fx_received = refuse_on_err!(
                    Self::open_account(
                        tx,
                        group_id,
                        fx_code(received),
                        &format!("FX clearing ({received})"),
                        AccountType::Asset,
                        received,
                        false,
                        "/receive_currency"
                    )
                    .await?
                );
                let fx_savings = refuse_on_err!(
                    Self::open_account(
                        tx,
                        group_id,
                        fx_code(savings_currency),
                        &format!("FX clearing ({savings_currency})"),
                        AccountType::Asset,
                        savings_currency,
                        false,
                        "/send_currency"
                    )
                    .await?
                );
                draft.add(&fx_received, Direction::Credit, to_savings);
                draft.add(&fx_savings, Direction::Debit, back);
                back
            } else {
                return Ok(Err(LedgerError::rule(
                    Rule::CurrencyMismatch,
                    Some("/receive_currency".into()),
                    format!(
                        "the member's savings are in {savings_currency}; group savings must be sent or received in it"
                    ),
                )));
            };
            draft.add(&record.savings, Direction::Credit, credit);
            let description = format!(
                "{} remits group savings ({} {})",
                record.member.name,
                money::format_amount(to_savings, received),
                received
            );
            let metadata = serde_json::json!({"event": "remittance", "event_id": id.to_string()});
            let posting = Posting {
                booked_on: details.booked_on,
                description: &description,
                metadata: &metadata,
                lines: &draft.lines,
                accounts: &draft.accounts,
                reverses: None,
                created_by,
            };
            let transaction = refuse_on_err!(Self::apply_posting(tx, group, posting).await?);
            credited = Some((credit, savings_currency));
            transaction_id = Some(transaction.id);
            created_at = transaction.recorded_at;
        }
        let remittance = Remittance {
            id,
            group_id,
            details: details.clone(),
            credited_minor: credited.map(|c| c.0),
            credited_currency: credited.map(|c| c.1),
            transaction_id,
            reversed_by: None,
            created_by,
            created_at,
        };
        let uses: Vec<serde_json::Value> = details
            .uses
            .iter()
            .map(|u| serde_json::json!({"purpose": u.purpose.as_str(), "amount_minor": u.amount_minor}))
            .collect();
        sqlx::query(
            "INSERT INTO remittances (id, group_id, member_id, send_amount_minor, send_currency, fee_minor, \
             receive_amount_minor, receive_currency, applied_rate, rate_derived, mid_market_rate, rate_source, \
             provider, channel, send_country, receive_country, uses, credited_minor, credited_currency, \
             booked_on, transaction_id, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)",
        )
        .bind(id)
        .bind(group_id)
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
        .bind(created_by)
        .bind(remittance.created_at)
        .execute(&mut **tx)
        .await?;
        Ok(Ok(remittance))
    }

    pub(super) async fn remittances_in_tx(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        query: &RemittanceQuery,
    ) -> Result<Page<Remittance>, TxError> {
        // A remittance with no transaction (sent home outside the group) is never reversed.
        let rows = sqlx::query(const_format::concatcp!(
            "SELECT x.*, ",
            crate::store::shared::REVERSED_BY,
            " FROM remittances x WHERE x.group_id = $1 AND ($2 IS NULL OR x.member_id = $2) \
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

    // ---------------------------------------------------------------------------------
    // Transfers

    pub(super) async fn transfer_outcome(
        tx: &mut Tx<B::Db>,
        group: &mut Group,
        request: &NewTransfer,
    ) -> Result<Result<Transfer, LedgerError>, TxError> {
        let group_id = group.id;
        let Some(from) = Self::find_account(tx, group_id, &request.from).await? else {
            return Ok(Err(LedgerError::rule(
                Rule::UnknownAccount,
                Some("/from".into()),
                "the group has no such account",
            )));
        };
        let Some(to) = Self::find_account(tx, group_id, &request.to).await? else {
            return Ok(Err(LedgerError::rule(
                Rule::UnknownAccount,
                Some("/to".into()),
                "the group has no such account",
            )));
        };
        for (account, pointer) in [(&from, "/from"), (&to, "/to")] {
            if account.kind != AccountType::Asset {
                return Ok(Err(LedgerError::rule(
                    Rule::AccountKind,
                    Some(pointer.into()),
                    format!(
                        "{} is a {} account; transfers move money between asset accounts",
                        account.code,
                        account.kind.as_str()
                    ),
                )));
            }
        }
        if from.id == to.id {
            return Ok(Err(LedgerError::invalid(
                "/to",
                "must be another account than `from`",
            )));
        }
        let send = from.currency;
        let receive = to.currency;
        let amount = refuse_on_err!(positive_amount(&request.amount, send, "/amount"));
        let received = match &request.receive_amount {
            Some(text) => refuse_on_err!(positive_amount(text, receive, "/receive_amount")),
            None if send == receive => amount,
            None => {
                return Ok(Err(LedgerError::invalid(
                    "/receive_amount",
                    format!("is required when sending {send} to an account in {receive}"),
                )));
            }
        };
        let fee = match &request.fee {
            None => 0,
            // Amounts carry no sign, so a fee is never negative.
            Some(text) => match money::parse_amount(text, send) {
                Ok(minor) => minor,
                Err(e) => return Ok(Err(LedgerError::invalid("/fee", format!("amount {e}")))),
            },
        };
        if send == receive {
            let given = [
                (request.applied_rate, "/applied_rate"),
                (request.mid_market_rate, "/mid_market_rate"),
            ];
            if let Some((_, pointer)) = given.iter().find(|(rate, _)| rate.is_some()) {
                return Ok(Err(LedgerError::invalid(
                    *pointer,
                    "rates apply only between two currencies",
                )));
            }
        }
        let mut draft = Draft::default();
        draft.add(&to, Direction::Debit, received);
        let applied_rate = if send == receive {
            // What arrives may differ from what left (bank charges at the far end,
            // rounding): the difference is an FX gain or loss.
            if received < amount {
                let loss = refuse_on_err!(
                    Self::open_account(
                        tx,
                        group_id,
                        fx_loss_code(send),
                        &format!("FX loss ({send})"),
                        AccountType::Expense,
                        send,
                        true,
                        "/receive_amount"
                    )
                    .await?
                );
                draft.add(&loss, Direction::Debit, amount - received);
            } else if received > amount {
                let gain = refuse_on_err!(
                    Self::open_account(
                        tx,
                        group_id,
                        fx_gain_code(send),
                        &format!("FX gain ({send})"),
                        AccountType::Income,
                        send,
                        true,
                        "/receive_amount"
                    )
                    .await?
                );
                draft.add(&gain, Direction::Credit, received - amount);
            }
            None
        } else {
            let fx_receive = refuse_on_err!(
                Self::open_account(
                    tx,
                    group_id,
                    fx_code(receive),
                    &format!("FX clearing ({receive})"),
                    AccountType::Asset,
                    receive,
                    false,
                    "/to"
                )
                .await?
            );
            let fx_send = refuse_on_err!(
                Self::open_account(
                    tx,
                    group_id,
                    fx_code(send),
                    &format!("FX clearing ({send})"),
                    AccountType::Asset,
                    send,
                    false,
                    "/from"
                )
                .await?
            );
            draft.add(&fx_receive, Direction::Credit, received);
            draft.add(&fx_send, Direction::Debit, amount);
            let rate = request
                .applied_rate
                .unwrap_or_else(|| derived_rate(amount, send, received, receive));
            let terms = ConversionTerms {
                send_minor: amount,
                send_currency: send,
                receive_minor: received,
                receive_currency: receive,
                fee_minor: fee,
                applied_rate: rate,
                mid_market_rate: request.mid_market_rate,
            };
            let fields = ConversionFields {
                send: "/amount",
                receive: "/receive_amount",
                fee: "/fee",
                applied_rate: request.applied_rate.map(|_| "/applied_rate"),
                mid_market_rate: "/mid_market_rate",
            };
            refuse_on_err!(terms.check(fields));
            Some(rate)
        };
        if fee > 0 {
            let fees = refuse_on_err!(
                Self::open_account(
                    tx,
                    group_id,
                    fees_code(send),
                    &format!("Fees ({send})"),
                    AccountType::Expense,
                    send,
                    true,
                    "/fee"
                )
                .await?
            );
            draft.add(&fees, Direction::Debit, fee);
        }
        let Some(outgoing) = amount.checked_add(fee) else {
            return Ok(Err(LedgerError::rule(
                Rule::Overflow,
                Some("/fee".into()),
                "the amount and fee together are too large",
            )));
        };
        draft.add(&from, Direction::Credit, outgoing);
        let id = Uuid::now_v7();
        let description = request
            .description
            .clone()
            .unwrap_or_else(|| format!("Transfer from {} to {}", from.code, to.code));
        let mut metadata = serde_json::json!({"event": "transfer", "event_id": id.to_string()});
        if let Some(rate) = applied_rate {
            metadata["applied_rate"] = serde_json::Value::String(rate.to_string());
        }
        if let Some(mid) = request.mid_market_rate {
            metadata["mid_market_rate"] = serde_json::Value::String(mid.to_string());
        }
        // A transfer that would overdraw any of its accounts asks for too much.
        for state in &mut draft.accounts {
            state.field = Some("/amount");
        }
        let posting = Posting {
            booked_on: request.booked_on,
            description: &description,
            metadata: &metadata,
            lines: &draft.lines,
            accounts: &draft.accounts,
            reverses: None,
            created_by: request.created_by,
        };
        let transaction = match Self::apply_posting(tx, group, posting).await? {
            Ok(t) => t,
            Err(e) => return Ok(Err(e)),
        };
        let transfer = Transfer {
            id,
            group_id,
            from_code: from.code.clone(),
            to_code: to.code.clone(),
            amount_minor: amount,
            currency: send,
            receive_amount_minor: received,
            receive_currency: receive,
            fee_minor: fee,
            applied_rate,
            mid_market_rate: request.mid_market_rate,
            rate_source: request.rate_source.clone(),
            booked_on: request.booked_on,
            description,
            transaction_id: transaction.id,
            reversed_by: None,
            created_by: request.created_by,
            created_at: transaction.recorded_at,
        };
        sqlx::query(
            "INSERT INTO transfers (id, group_id, from_code, to_code, amount_minor, currency, receive_amount_minor, \
             receive_currency, fee_minor, applied_rate, mid_market_rate, rate_source, booked_on, description, \
             transaction_id, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
        )
        .bind(id)
        .bind(group_id)
        .bind(&transfer.from_code)
        .bind(&transfer.to_code)
        .bind(amount)
        .bind(send.code())
        .bind(received)
        .bind(receive.code())
        .bind(fee)
        .bind(applied_rate.map(|r| r.to_string()))
        .bind(request.mid_market_rate.map(|r| r.to_string()))
        .bind(&request.rate_source)
        .bind(request.booked_on)
        .bind(&transfer.description)
        .bind(transaction.id)
        .bind(request.created_by)
        .bind(transfer.created_at)
        .execute(&mut **tx)
        .await?;
        Ok(Ok(transfer))
    }

    // ---------------------------------------------------------------------------------
    // Distributions and members' weights

    /// Each member who has not exited, in id order, with their weight on `basis` as of
    /// `as_of` (all entries when `None`).
    pub(super) async fn member_weights(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        basis: Basis,
        as_of: Option<NaiveDate>,
    ) -> Result<Vec<(MemberRecord, i64)>, TxError> {
        let rows = sqlx::query(
            "SELECT * FROM members WHERE group_id = $1 AND status <> 'exited' ORDER BY id",
        )
        .bind(group_id)
        .fetch_all(&mut **tx)
        .await?;
        let records = Self::with_accounts(tx, &rows).await?;
        let weighed: Vec<&Account> = match basis {
            Basis::Savings => records.iter().map(|r| &r.savings).collect(),
            Basis::Capital => records.iter().map(|r| &r.capital).collect(),
            Basis::Equal => Vec::new(),
        };
        let balances = Self::balances_as_of(tx, group_id, &weighed, as_of).await?;
        let balance = |account: &Account| {
            balances
                .get(&account.id)
                .map(|b| (*b).max(0))
                .ok_or_else(|| internal("a weighed account's balance"))
        };
        let mut weights = Vec::with_capacity(records.len());
        for record in records {
            let weight = match basis {
                Basis::Savings => balance(&record.savings)?,
                Basis::Capital => balance(&record.capital)?,
                Basis::Equal => {
                    let joined = as_of.is_none_or(|d| record.member.joined_on <= d);
                    i64::from(joined && record.member.status == MemberStatus::Active)
                }
            };
            weights.push((record, weight));
        }
        Ok(weights)
    }

    pub(super) async fn distribution_outcome(
        tx: &mut Tx<B::Db>,
        group: &mut Group,
        request: &NewDistribution,
    ) -> Result<Result<Distribution, LedgerError>, TxError> {
        let group_id = group.id;
        let basis = request.basis.unwrap_or(group.profile.distribution_basis);
        // The pool comes out of the undistributed surplus, or straight out of one
        // investment's income (before a period close has moved it).
        let investment = match request.investment_id {
            None => None,
            Some(id) => match Self::load_investment(tx, group_id, id).await? {
                Some(record) => Some(record),
                None => {
                    return Ok(Err(LedgerError::rule(
                        Rule::UnknownInvestment,
                        Some("/investment_id".into()),
                        "the group has no investment with this id",
                    )));
                }
            },
        };
        let currency = match (&investment, request.currency) {
            (Some(r), Some(c)) if c != r.investment.currency => {
                return Ok(Err(LedgerError::rule(
                    Rule::CurrencyMismatch,
                    Some("/currency".into()),
                    format!(
                        "the investment's income is in {}, not {c}",
                        r.investment.currency
                    ),
                )));
            }
            (Some(r), _) => r.investment.currency,
            (None, c) => c.unwrap_or(group.currency),
        };
        let pool = refuse_on_err!(positive_amount(&request.pool, currency, "/pool"));
        // An investment's income is attributable to it until it is shared out, before a
        // period close (in the income account) and after it (in the undistributed
        // surplus the close moved it to): its pool is taken from the income account as
        // far as that holds, and the rest from the undistributed surplus.
        let undistributed_account = Self::find_account(
            tx,
            group_id,
            &AccountRef::Code(undistributed_code(currency)),
        )
        .await?;
        let held = |account: &Option<Account>| {
            account
                .as_ref()
                .map_or(0, |a| (a.credits_minor - a.debits_minor).max(0))
        };
        let income_account = match &investment {
            Some(_) => {
                Self::find_account(
                    tx,
                    group_id,
                    &AccountRef::Code(investment_income_code(currency)),
                )
                .await?
            }
            None => None,
        };
        let (from_income, mut available) = match &investment {
            Some(_) => (
                held(&income_account),
                held(&income_account).saturating_add(held(&undistributed_account)),
            ),
            None => (
                0,
                undistributed_account
                    .as_ref()
                    .map_or(0, |a| a.credits_minor - a.debits_minor),
            ),
        };
        if let Some(record) = &investment {
            // Only this investment's income, less what was already shared out of it.
            let shared: i64 = sqlx::query_scalar(
                "SELECT CAST(COALESCE(SUM(d.pool_minor), 0) AS BIGINT) FROM distributions d \
                 WHERE d.group_id = $1 AND d.source_investment_id = $2 \
                 AND NOT EXISTS (SELECT 1 FROM transactions r WHERE r.reverses_id = d.transaction_id)",
            )
            .bind(group_id)
            .bind(record.investment.id)
            .fetch_one(&mut **tx)
            .await?;
            available = available.min(record.figures.income - shared);
        }
        if pool > available {
            let whence = match &investment {
                Some(r) => format!(
                    "the income of {} not yet shared out, as far as {} and {} hold it",
                    r.investment.name,
                    investment_income_code(currency),
                    undistributed_code(currency)
                ),
                None => format!(
                    "{}; close a period to move income there",
                    undistributed_code(currency)
                ),
            };
            return Ok(Err(LedgerError::rule(
                Rule::PoolExceedsAvailable,
                Some("/pool".into()),
                format!(
                    "the pool is {} {currency} but only {} {currency} is available: {whence}",
                    money::format_amount(pool, currency),
                    money::format_amount(available.max(0), currency),
                ),
            )));
        }
        let mut draft = Draft::default();
        let taken_from_income = pool.min(from_income);
        if taken_from_income > 0 {
            draft.add(
                income_account
                    .as_ref()
                    .ok_or_else(|| internal("investment income account"))?,
                Direction::Debit,
                taken_from_income,
            );
        }
        if pool > taken_from_income {
            let undistributed = undistributed_account
                .as_ref()
                .ok_or_else(|| internal("distribution source account"))?;
            draft.add(undistributed, Direction::Debit, pool - taken_from_income);
        }
        let weights = Self::member_weights(tx, group_id, basis, Some(request.as_of)).await?;
        let keyed: Vec<(usize, i64)> = weights
            .iter()
            .enumerate()
            .map(|(i, (_, w))| (i, *w))
            .collect();
        let shares = match allocation::allocate(pool, &keyed) {
            Ok(shares) => shares,
            Err(AllocationError::NoWeight) => {
                return Ok(Err(LedgerError::rule(
                    Rule::NoRecipients,
                    Some("/basis".into()),
                    format!(
                        "no member has a {} weight on {}",
                        basis.as_str(),
                        request.as_of
                    ),
                )));
            }
            Err(e) => return Err(internal(format!("allocation: {e:?}"))),
        };
        let mut result = Vec::with_capacity(shares.len());
        for share in shares {
            let (record, weight) = &weights[share.key];
            let member = &record.member;
            let account = match request.pay_to {
                PayTo::Payable => {
                    let code = payable_code(member.id, currency);
                    if share.share > 0 {
                        Some(refuse_on_err!(
                            Self::open_account(
                                tx,
                                group_id,
                                code,
                                &format!("Payable to {} ({currency})", member.name),
                                AccountType::Liability,
                                currency,
                                true,
                                "/pay_to"
                            )
                            .await?
                        ))
                    } else {
                        result.push(DistributionShare {
                            member_id: member.id,
                            member_name: member.name.clone(),
                            weight: *weight,
                            share_minor: 0,
                            account_code: code,
                        });
                        continue;
                    }
                }
                PayTo::Savings => Some(record.savings.clone()),
                PayTo::Capital => Some(record.capital.clone()),
            };
            let account = account.ok_or_else(|| internal("share account"))?;
            if account.currency != currency {
                return Ok(Err(LedgerError::rule(
                    Rule::CurrencyMismatch,
                    Some("/pay_to".into()),
                    format!(
                        "members' {} accounts are in {}, the pool is in {currency}; pay to payable instead",
                        request.pay_to.as_str(),
                        account.currency
                    ),
                )));
            }
            if share.share > 0 {
                draft.add(&account, Direction::Credit, share.share);
            }
            result.push(DistributionShare {
                member_id: member.id,
                member_name: member.name.clone(),
                weight: *weight,
                share_minor: share.share,
                account_code: account.code.clone(),
            });
        }
        let weight_currency = match basis {
            Basis::Savings => weights.first().map(|(r, _)| r.savings.currency),
            Basis::Capital => weights.first().map(|(r, _)| r.capital.currency),
            Basis::Equal => None,
        };
        let id = Uuid::now_v7();
        let description = format!(
            "Distribution of {} {currency} by {}",
            money::format_amount(pool, currency),
            basis.as_str()
        );
        let metadata = serde_json::json!({"event": "distribution", "event_id": id.to_string()});
        let posting = Posting {
            booked_on: request.booked_on,
            description: &description,
            metadata: &metadata,
            lines: &draft.lines,
            accounts: &draft.accounts,
            reverses: None,
            created_by: request.created_by,
        };
        let transaction = refuse_on_err!(Self::apply_posting(tx, group, posting).await?);
        let distribution = Distribution {
            id: Some(id),
            group_id,
            pool_minor: pool,
            currency,
            basis,
            source_investment_id: request.investment_id,
            weight_currency,
            as_of: request.as_of,
            pay_to: request.pay_to,
            booked_on: request.booked_on,
            shares: result,
            transaction_id: Some(transaction.id),
            created_by: request.created_by,
            created_at: Some(transaction.recorded_at),
        };
        if request.dry_run {
            return Ok(Ok(distribution));
        }
        sqlx::query(
            "INSERT INTO distributions (id, group_id, pool_minor, currency, basis, weight_currency, as_of, pay_to, \
             booked_on, transaction_id, created_by, created_at, source_investment_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(id)
        .bind(group_id)
        .bind(pool)
        .bind(currency.code())
        .bind(basis.as_str())
        .bind(weight_currency.map(|c| c.code()))
        .bind(request.as_of)
        .bind(request.pay_to.as_str())
        .bind(request.booked_on)
        .bind(transaction.id)
        .bind(request.created_by)
        .bind(transaction.recorded_at)
        .bind(request.investment_id)
        .execute(&mut **tx)
        .await?;
        for share in &distribution.shares {
            sqlx::query(
                "INSERT INTO distribution_shares (distribution_id, group_id, member_id, member_name, weight, share_minor, account_code) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(id)
            .bind(group_id)
            .bind(share.member_id)
            .bind(&share.member_name)
            .bind(share.weight)
            .bind(share.share_minor)
            .bind(&share.account_code)
            .execute(&mut **tx)
            .await?;
        }
        Ok(Ok(distribution))
    }

    pub(super) async fn load_distribution(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        row: &DbRow<B>,
    ) -> Result<Distribution, TxError> {
        let id: Uuid = row.try_get("id")?;
        let shares = sqlx::query(
            "SELECT * FROM distribution_shares WHERE group_id = $1 AND distribution_id = $2 ORDER BY member_id",
        )
        .bind(group_id)
        .bind(id)
        .fetch_all(&mut **tx)
        .await?
        .iter()
        .map(|r| {
            Ok(DistributionShare {
                member_id: r.try_get("member_id")?,
                member_name: r.try_get("member_name")?,
                weight: r.try_get("weight")?,
                share_minor: r.try_get("share_minor")?,
                account_code: r.try_get("account_code")?,
            })
        })
        .collect::<Result<Vec<_>, TxError>>()?;
        let weight_currency: Option<String> = row.try_get("weight_currency")?;
        Ok(Distribution {
            id: Some(id),
            group_id,
            pool_minor: row.try_get("pool_minor")?,
            currency: currency_of(&row.try_get::<String, _>("currency")?)?,
            basis: Basis::parse(&row.try_get::<String, _>("basis")?)
                .ok_or_else(|| internal("stored basis"))?,
            source_investment_id: row.try_get("source_investment_id")?,
            weight_currency: weight_currency.as_deref().map(currency_of).transpose()?,
            as_of: row.try_get("as_of")?,
            pay_to: PayTo::parse(&row.try_get::<String, _>("pay_to")?)
                .ok_or_else(|| internal("stored pay_to"))?,
            booked_on: row.try_get("booked_on")?,
            shares,
            transaction_id: row.try_get("transaction_id")?,
            created_by: row.try_get("created_by")?,
            created_at: row.try_get("created_at")?,
        })
    }

    // ---------------------------------------------------------------------------------
    // A member leaving

    pub(super) async fn exit_outcome(
        tx: &mut Tx<B::Db>,
        group: &mut Group,
        member_id: Uuid,
        request: &MemberExit,
    ) -> Result<Result<ExitOutcome, LedgerError>, TxError> {
        let group_id = group.id;
        let record = Self::existing_member(tx, group_id, member_id).await?;
        if record.member.status == MemberStatus::Exited {
            return Ok(Err(LedgerError::conflict(
                Conflict::MemberExited,
                "the member has exited the group and was paid out",
            )));
        }
        let position = Self::member_position_in_tx(tx, group, &record).await?;
        let mut draft = Draft::default();
        let mut paid = Vec::new();
        for holding in position.payouts(request.keep_capital) {
            let (account, balance) = (&holding.account, holding.balance_minor);
            let currency = account.currency;
            // The group's own currency is paid through the chosen channel; money held in
            // another currency is held at home, and is paid from the home bank account.
            let (code, label) = if currency == group.currency {
                (
                    request.channel.asset_code(currency),
                    request.channel.as_str(),
                )
            } else {
                (home_bank_code(currency), "home bank")
            };
            let source = refuse_on_err!(
                Self::open_account(
                    tx,
                    group_id,
                    code,
                    &format!("{label} ({currency})"),
                    AccountType::Asset,
                    currency,
                    true,
                    "/channel",
                )
                .await?
            );
            draft.add(account, Direction::Debit, balance);
            draft.add(&source, Direction::Credit, balance);
            paid.push(Payout {
                account_code: account.code.clone(),
                amount_minor: balance,
                currency,
            });
        }
        let mut transaction_id = None;
        if !draft.lines.is_empty() {
            let description = format!(
                "{} {}: balances paid out",
                record.member.name,
                request.status.as_str().replace('_', " ")
            );
            let metadata =
                serde_json::json!({"event": "member_exit", "member_id": member_id.to_string()});
            // The member's balances are paid in full, so only the source the channel
            // chose can run short.
            for state in &mut draft.accounts {
                state.field = Some("/channel");
            }
            let posting = Posting {
                booked_on: request.on,
                description: &description,
                metadata: &metadata,
                lines: &draft.lines,
                accounts: &draft.accounts,
                reverses: None,
                created_by: request.created_by,
            };
            let transaction = match Self::apply_posting(tx, group, posting).await? {
                Ok(t) => t,
                Err(e) => return Ok(Err(e)),
            };
            transaction_id = Some(transaction.id);
        }
        sqlx::query(
            "UPDATE members SET status = $1, status_on = $2 WHERE group_id = $3 AND id = $4",
        )
        .bind(request.status.as_str())
        .bind(request.on)
        .bind(group_id)
        .bind(member_id)
        .execute(&mut **tx)
        .await?;
        let record = Self::existing_member(tx, group_id, member_id).await?;
        Ok(Ok(ExitOutcome {
            record,
            paid,
            transaction_id,
        }))
    }

    // ---------------------------------------------------------------------------------
    // Meetings

    /// Records every event of the meeting in order, each with its own transaction, as
    /// if sent one by one; if any is refused, the caller rolls all of them back and the
    /// refusal lists every failing item.
    pub(super) async fn meeting_outcome(
        tx: &mut Tx<B::Db>,
        group: &mut Group,
        request: &crate::domain::member::NewMeeting,
    ) -> Result<Result<crate::domain::member::Meeting, LedgerError>, TxError> {
        use crate::domain::error::ItemError;
        let group_id = group.id;
        let mut errors = Vec::new();
        for (i, member_id) in request.attendance.iter().enumerate() {
            if Self::load_member(tx, group_id, *member_id).await?.is_none() {
                errors.push(ItemError {
                    pointer: format!("/attendance/{i}"),
                    slug: Rule::UnknownMember.slug(),
                    detail: "no member of this group has this id".into(),
                });
            }
        }
        let mut events = Vec::with_capacity(request.events.len());
        for (i, event) in request.events.iter().enumerate() {
            match Self::member_event_outcome(tx, group, event).await? {
                Ok(recorded) => events.push(recorded),
                Err(e) => errors.extend(ItemError::from_error(&format!("/events/{i}"), e)),
            }
        }
        if !errors.is_empty() {
            return Ok(Err(LedgerError::Items(errors)));
        }
        let meeting = crate::domain::member::Meeting {
            id: Uuid::now_v7(),
            group_id,
            held_on: request.held_on,
            note: request.note.clone(),
            // Kept in id order, as every later read gives it.
            attendance: {
                let mut present = request.attendance.clone();
                present.sort();
                present
            },
            events,
            created_by: request.created_by,
            created_at: recorded_now(),
        };
        sqlx::query("INSERT INTO meetings (id, group_id, held_on, note, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(meeting.id)
            .bind(group_id)
            .bind(meeting.held_on)
            .bind(&meeting.note)
            .bind(meeting.created_by)
            .bind(meeting.created_at)
            .execute(&mut **tx)
            .await?;
        for member_id in &meeting.attendance {
            sqlx::query("INSERT INTO meeting_attendance (meeting_id, group_id, member_id) VALUES ($1, $2, $3)")
                .bind(meeting.id)
                .bind(group_id)
                .bind(*member_id)
                .execute(&mut **tx)
                .await?;
        }
        for (position, event) in meeting.events.iter().enumerate() {
            sqlx::query("INSERT INTO meeting_events (meeting_id, group_id, position, event_id) VALUES ($1, $2, $3, $4)")
                .bind(meeting.id)
                .bind(group_id)
                .bind(i32::try_from(position).map_err(internal)?)
                .bind(event.id)
                .execute(&mut **tx)
                .await?;
        }
        Ok(Ok(meeting))
    }

    pub(super) async fn load_meeting(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        row: &DbRow<B>,
    ) -> Result<crate::domain::member::Meeting, TxError> {
        let id: Uuid = row.try_get("id")?;
        let attendance: Vec<Uuid> = sqlx::query_scalar(
            "SELECT member_id FROM meeting_attendance WHERE group_id = $1 AND meeting_id = $2 ORDER BY member_id",
        )
        .bind(group_id)
        .bind(id)
        .fetch_all(&mut **tx)
        .await?;
        let rows = sqlx::query(
            "SELECT x.*, (SELECT r.id FROM transactions r WHERE r.reverses_id = x.transaction_id) AS reversed_by \
             FROM meeting_events m JOIN member_events x ON x.id = m.event_id \
             WHERE m.group_id = $1 AND m.meeting_id = $2 ORDER BY m.position",
        )
        .bind(group_id)
        .bind(id)
        .fetch_all(&mut **tx)
        .await?;
        Ok(crate::domain::member::Meeting {
            id,
            group_id,
            held_on: row.try_get("held_on")?,
            note: row.try_get("note")?,
            attendance,
            events: rows
                .iter()
                .map(Self::event_from_row)
                .collect::<Result<Vec<_>, _>>()?,
            created_by: row.try_get("created_by")?,
            created_at: row.try_get("created_at")?,
        })
    }

    /// What the member holds beyond their own accounts, for their statement.
    pub(super) async fn member_holdings_in_tx(
        tx: &mut Tx<B::Db>,
        group: &Group,
        member_id: Uuid,
    ) -> Result<MemberHoldings, TxError> {
        let record = Self::existing_member(tx, group.id, member_id).await?;
        let position = Self::member_position_in_tx(tx, group, &record).await?;
        let investments = Self::member_investment_shares(tx, group, member_id).await?;
        let query = RemittanceQuery {
            member_id: Some(member_id),
            include_reversed: true,
            from: None,
            to: None,
            after: None,
            limit: u32::MAX - 1,
        };
        let remittances = Self::remittances_in_tx(tx, group.id, &query).await?.items;
        Ok(MemberHoldings {
            position,
            basis: group.profile.distribution_basis,
            investments,
            remittances,
        })
    }

    /// Every payable account of the groups (`liabilities:payable:...`), by code: one
    /// statement a group.
    pub(super) async fn payables_of_groups(
        tx: &mut Tx<B::Db>,
        group_ids: &[Uuid],
    ) -> Result<Vec<Account>, TxError> {
        let mut payables = Vec::new();
        for group_id in group_ids {
            let rows = sqlx::query(
                "SELECT * FROM accounts WHERE group_id = $1 AND code LIKE 'liabilities:payable:%' ORDER BY code",
            )
            .bind(group_id)
            .fetch_all(&mut **tx)
            .await?;
            for row in &rows {
                payables.push(Self::account_from_row(row)?);
            }
        }
        Ok(payables)
    }

    /// The member's position as her accounts stand now.
    pub(super) async fn member_position_in_tx(
        _tx: &mut Tx<B::Db>,
        group: &Group,
        record: &MemberRecord,
    ) -> Result<crate::domain::position::MemberPosition, TxError> {
        Ok(crate::domain::position::MemberPosition::current(
            group.currency,
            record,
        ))
    }

    /// Each standing investment with the member's share of its book value on the
    /// group's basis today.
    pub(super) async fn member_investment_shares(
        tx: &mut Tx<B::Db>,
        group: &Group,
        member_id: Uuid,
    ) -> Result<Vec<(InvestmentRecord, i64)>, TxError> {
        let weights =
            Self::member_weights(tx, group.id, group.profile.distribution_basis, None).await?;
        let keyed: Vec<(Uuid, i64)> = weights.iter().map(|(r, w)| (r.member.id, *w)).collect();
        let (records, _) = Self::investments_of(tx, group.id, None, None, None).await?;
        let mut result = Vec::with_capacity(records.len());
        for record in records {
            let share = if record.figures.book_value > 0 {
                allocation::allocate(record.figures.book_value, &keyed)
                    .ok()
                    .and_then(|shares| {
                        shares
                            .into_iter()
                            .find(|s| s.key == member_id)
                            .map(|s| s.share)
                    })
                    .unwrap_or(0)
            } else {
                0
            };
            result.push((record, share));
        }
        Ok(result)
    }
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
                let row = Self::row_of_group(
                    &mut tx,
                    "remittances",
                    group_id,
                    remittance_id,
                    "remittance",
                )
                .await?;
                Self::remittance_from_row(&row)
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
