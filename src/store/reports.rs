//! Group reports, read from the journal at request time in one transaction each, written once
//! for both backends over `Backend`.

use crate::domain::member::MemberRecord;
use crate::domain::operations::*;
use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row as _;
use uuid::Uuid;

use super::backend::{Backend, DbRow, Ledger, Tx};
use super::shared::*;
use super::tx::{Column, read_tx};
use crate::domain::account::AccountType;
use crate::domain::error::{LedgerError, Rule};
use crate::domain::model::*;
use crate::store::StoreResult;

use crate::domain::performance::{
    self, LedgerSums, LoadedPerformance, MeetingFact, MemberFact, PerformanceFacts,
};
use crate::domain::reports::{
    Accreditation, AccreditationFacts, CashBook, InvestmentRegister, MemberBalances, StatementData,
    Totals,
};
use crate::store::ReportStore;

/// Every account's totals as stored (every posting keeps them).
fn stored_totals(accounts: &[Account]) -> HashMap<Uuid, Totals> {
    accounts
        .iter()
        .map(|a| {
            (
                a.id,
                Totals {
                    debits: a.debits_minor,
                    credits: a.credits_minor,
                },
            )
        })
        .collect()
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
    /// Each account's debits and credits from the entries booked in `from`..`to`,
    /// leaving out period-close transactions when `without_closing`. Over the whole
    /// journal the totals stored on the accounts are used (every posting keeps them),
    /// and the closing transactions, found through `period_closes`, are few.
    pub(super) async fn totals_in_tx(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        accounts: &[Account],
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        without_closing: bool,
    ) -> Result<HashMap<Uuid, Totals>, TxError> {
        let mut totals = match (from, to) {
            (None, None) => stored_totals(accounts),
            (None, Some(to)) => Self::totals_through(tx, group_id, accounts, to).await?,
            _ => Self::totals_between(tx, group_id, from, to).await?,
        };
        if without_closing {
            Self::leave_out_closings(tx, group_id, &mut totals, from, to).await?;
        }
        Ok(totals)
    }

    /// Up to a date: the month-end balances and entries `totals_on` reads, so that the cost
    /// is at most a month of entries whatever was booked after the date.
    async fn totals_through(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        accounts: &[Account],
        to: NaiveDate,
    ) -> Result<HashMap<Uuid, Totals>, TxError> {
        let all: Vec<&Account> = accounts.iter().collect();
        Ok(Self::totals_on(tx, group_id, &all, to)
            .await?
            .into_iter()
            .map(|(id, (debits, credits))| (id, Totals { debits, credits }))
            .collect())
    }

    /// The entries booked in `from`..`to` (either end open), added up per account.
    async fn totals_between(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<HashMap<Uuid, Totals>, TxError> {
        let rows = sqlx::query(
            "SELECT account_id, \
             CAST(COALESCE(SUM(CASE WHEN direction = 'debit' THEN amount_minor ELSE 0 END), 0) AS BIGINT) AS debits, \
             CAST(COALESCE(SUM(CASE WHEN direction = 'credit' THEN amount_minor ELSE 0 END), 0) AS BIGINT) AS credits \
             FROM entries WHERE group_id = $1 AND booked_on >= COALESCE($2, '0001-01-01') AND booked_on <= COALESCE($3, '9999-12-31') \
             GROUP BY account_id",
        )
        .bind(group_id)
        .bind(from)
        .bind(to)
        .fetch_all(&mut **tx)
        .await?;
        let mut scanned = HashMap::with_capacity(rows.len());
        for row in rows {
            scanned.insert(
                row.try_get::<Uuid, _>("account_id")?,
                Totals {
                    debits: row.try_get("debits")?,
                    credits: row.try_get("credits")?,
                },
            );
        }
        Ok(scanned)
    }

    /// Takes the entries of period-close transactions booked in `from`..`to` out of
    /// `totals`.
    pub(super) async fn leave_out_closings(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        totals: &mut HashMap<Uuid, Totals>,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<(), TxError> {
        {
            let rows = sqlx::query(
                // The closes first, then their entries by transaction: written as a join,
                // SQLite went through the group's entries in the period instead.
                "SELECT e.account_id, e.direction, e.amount_minor FROM entries e \
                 WHERE e.transaction_id IN (SELECT p.closing_transaction_id FROM period_closes p WHERE p.group_id = $1) \
                 AND e.booked_on >= COALESCE($2, '0001-01-01') AND e.booked_on <= COALESCE($3, '9999-12-31')",
            )
            .bind(group_id)
            .bind(from)
            .bind(to)
            .fetch_all(&mut **tx)
            .await?;
            for row in rows {
                let account: Uuid = row.try_get("account_id")?;
                let direction: String = row.try_get("direction")?;
                let amount: i64 = row.try_get("amount_minor")?;
                let t = totals.entry(account).or_default();
                if direction == "debit" {
                    t.debits -= amount;
                } else {
                    t.credits -= amount;
                }
            }
        }
        Ok(())
    }

    /// Every member of the group: sex, joining and leaving.
    async fn member_facts(tx: &mut Tx<B::Db>, group_id: Uuid) -> Result<Vec<MemberFact>, TxError> {
        let rows = sqlx::query("SELECT * FROM members WHERE group_id = $1 ORDER BY id")
            .bind(group_id)
            .fetch_all(&mut **tx)
            .await?;
        rows.iter()
            .map(|row| {
                let m = Self::member_from_row(row)?;
                Ok(MemberFact {
                    id: m.id,
                    sex: m.sex,
                    joined_on: m.joined_on,
                    left_on: MemberFact::left_on_of(m.status, m.status_on),
                })
            })
            .collect()
    }

    /// The meetings held from `from` to `to`, each with who attended.
    async fn meeting_facts(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<MeetingFact>, TxError> {
        let rows = sqlx::query(
            "SELECT m.id, m.held_on, a.member_id FROM meetings m \
             LEFT JOIN meeting_attendance a ON a.meeting_id = m.id \
             WHERE m.group_id = $1 AND m.held_on >= $2 AND m.held_on <= $3 ORDER BY m.id",
        )
        .bind(group_id)
        .bind(from)
        .bind(to)
        .fetch_all(&mut **tx)
        .await?;
        let mut meetings: Vec<(Uuid, MeetingFact)> = Vec::new();
        for row in rows {
            let id: Uuid = row.try_get("id")?;
            let member: Option<Uuid> = row.try_get("member_id")?;
            if meetings.last().is_none_or(|(last, _)| *last != id) {
                meetings.push((
                    id,
                    MeetingFact {
                        held_on: row.try_get("held_on")?,
                        attended: Vec::new(),
                    },
                ));
            }
            if let (Some(member), Some((_, meeting))) = (member, meetings.last_mut()) {
                meeting.attended.push(member);
            }
        }
        Ok(meetings.into_iter().map(|(_, m)| m).collect())
    }

    pub(super) async fn all_accounts(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
    ) -> Result<Vec<Account>, TxError> {
        let rows = sqlx::query("SELECT * FROM accounts WHERE group_id = $1 ORDER BY code")
            .bind(group_id)
            .fetch_all(&mut **tx)
            .await?;
        rows.iter().map(Self::account_from_row).collect()
    }

    /// Every account with its totals to `to`, and within `from`..`to` without period closes.
    pub(super) async fn statement_data_in_tx(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<StatementData, TxError> {
        let group = Self::read_group(tx, group_id).await?;
        let accounts = Self::all_accounts(tx, group_id).await?;
        let to_date = Self::totals_in_tx(tx, group_id, &accounts, None, to, false).await?;
        // From the start, the period's totals are those to `to` less the closings.
        let in_period = match from {
            None => {
                let mut totals = to_date.clone();
                Self::leave_out_closings(tx, group_id, &mut totals, None, to).await?;
                totals
            }
            Some(_) => Self::totals_in_tx(tx, group_id, &accounts, from, to, true).await?,
        };
        let fx_movements = Self::fx_movements(tx, group_id, to).await?;
        Ok(StatementData {
            group,
            from,
            to,
            accounts,
            to_date,
            in_period,
            fx_movements,
        })
    }

    /// Every investment of the group, as the register lists them.
    pub(super) async fn investment_register_in_tx(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
    ) -> Result<InvestmentRegister, TxError> {
        Self::read_group(tx, group_id).await?;
        let (investments, _) = Self::investments_of(tx, group_id, None, None, None).await?;
        Ok(InvestmentRegister { investments })
    }

    /// What the group's performance from `from` (its first booking when `None`) to `to` is
    /// worked out from, with the group and the day of its first booking.
    pub(super) async fn performance_facts_in_tx(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        from: Option<NaiveDate>,
        to: NaiveDate,
    ) -> Result<LoadedPerformance, TxError> {
        let group = Self::read_group(tx, group_id).await?;
        let first_booked_on: Option<NaiveDate> = sqlx::query(
            "SELECT booked_on FROM entries WHERE group_id = $1 \
             ORDER BY booked_on LIMIT 1",
        )
        .bind(group_id)
        .fetch_optional(&mut **tx)
        .await?
        .map(|row| row.try_get("booked_on"))
        .transpose()?;
        // Without a start, the period begins at the first booking (or is `to` alone).
        let from = from.unwrap_or_else(|| first_booked_on.unwrap_or(to).min(to));
        let accounts = Self::all_accounts(tx, group_id).await?;
        let start = match from.pred_opt() {
            Some(before) => {
                Self::totals_in_tx(tx, group_id, &accounts, None, Some(before), false).await?
            }
            None => HashMap::new(),
        };
        let end = Self::totals_in_tx(tx, group_id, &accounts, None, Some(to), false).await?;
        let in_period =
            Self::totals_in_tx(tx, group_id, &accounts, Some(from), Some(to), true).await?;
        let sums = LedgerSums::of(group.currency, &accounts, &start, &end, &in_period);
        let members = Self::member_facts(tx, group_id).await?;
        let meetings = Self::meeting_facts(tx, group_id, from, to).await?;
        Ok(LoadedPerformance {
            facts: PerformanceFacts {
                currency: group.currency,
                from,
                to,
                members,
                meetings,
                sums,
            },
            group,
            first_booked_on,
        })
    }

    /// Every distribution of the group with its shares, ordered by id.
    pub(super) async fn distribution_audit_in_tx(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
    ) -> Result<Vec<Distribution>, TxError> {
        Self::read_group(tx, group_id).await?;
        let rows = sqlx::query("SELECT * FROM distributions WHERE group_id = $1 ORDER BY id")
            .bind(group_id)
            .fetch_all(&mut **tx)
            .await?;
        let mut all = Vec::with_capacity(rows.len());
        for row in &rows {
            all.push(Self::load_distribution(tx, group_id, row).await?);
        }
        Ok(all)
    }

    /// Everything the accreditation statement on `on` says, in the caller's transaction:
    /// the group's whole life to `on` first, which says when the group began (and so where
    /// the year to `on` starts), then the year, the statements, the investments, the
    /// distributions and the chain, all over the same snapshot.
    pub(super) async fn accreditation_in_tx(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        on: NaiveDate,
    ) -> Result<Accreditation, TxError> {
        let life = Self::performance_facts_in_tx(tx, group_id, None, on).await?;
        let began = life.began();
        if on < began {
            return Ok(Accreditation::BeforeBegan(began));
        }
        let year_start = performance::year_start(on, life.facts.from);
        let year = Self::performance_facts_in_tx(tx, group_id, Some(year_start), on).await?;
        let statements = Self::statement_data_in_tx(tx, group_id, None, Some(on)).await?;
        let register = Self::investment_register_in_tx(tx, group_id).await?;
        let distributions = Self::distribution_audit_in_tx(tx, group_id).await?;
        let chain = Self::verify_in_tx(tx, group_id).await?;
        Ok(Accreditation::Facts(Box::new(AccreditationFacts {
            life,
            year: year.facts,
            statements,
            register,
            distributions,
            chain,
        })))
    }
}

#[async_trait]
impl<B: Backend> ReportStore for Ledger<B>
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
    async fn statement_data(
        &self,
        group_id: Uuid,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> StoreResult<StatementData> {
        read_tx!(self, |tx| Self::statement_data_in_tx(
            &mut tx, group_id, from, to
        )
        .await)
    }

    async fn member_balances(
        &self,
        group_id: Uuid,
        as_of: Option<NaiveDate>,
    ) -> StoreResult<MemberBalances> {
        read_tx!(self, |tx| {
            let result: Result<MemberBalances, TxError> = async {
                let group = Self::read_group(&mut tx, group_id).await?;
                let accounts = Self::all_accounts(&mut tx, group_id).await?;
                let totals =
                    Self::totals_in_tx(&mut tx, group_id, &accounts, None, as_of, false).await?;
                let by_id: HashMap<Uuid, &Account> = accounts.iter().map(|a| (a.id, a)).collect();
                let rows = sqlx::query("SELECT * FROM members WHERE group_id = $1 ORDER BY id")
                    .bind(group_id)
                    .fetch_all(&mut *tx)
                    .await?;
                let mut members = Vec::with_capacity(rows.len());
                for row in &rows {
                    let member = Self::member_from_row(row)?;
                    let account = |id: Uuid| {
                        by_id
                            .get(&id)
                            .map(|a| (*a).clone())
                            .ok_or_else(|| internal("a member's account is missing"))
                    };
                    let savings = account(member.savings_account_id)?;
                    let capital = account(member.capital_account_id)?;
                    let payables = accounts
                        .iter()
                        .filter(|a| crate::domain::position::is_payable_of(a, member.id))
                        .cloned()
                        .collect();
                    members.push(MemberRecord {
                        member,
                        savings,
                        capital,
                        payables,
                    });
                }
                let members =
                    crate::domain::reports::member_balances(&group, members, &accounts, &totals);
                Ok(MemberBalances { as_of, members })
            }
            .await;
            result
        })
    }

    async fn cash_book(
        &self,
        group_id: Uuid,
        account: Option<AccountRef>,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> StoreResult<CashBook> {
        read_tx!(self, |tx| {
            let result: Result<CashBook, TxError> = async {
                Self::read_group(&mut tx, group_id).await?;
                let chosen: Vec<Account> = match &account {
                    Some(reference) => {
                        let found = Self::find_account(&mut tx, group_id, reference)
                            .await?
                            .ok_or(LedgerError::NotFound("account"))?;
                        if found.kind != AccountType::Asset {
                            return Err(LedgerError::rule(
                                Rule::AccountKind,
                                None,
                                format!(
                                    "{} is a {} account; a cash book is kept for asset accounts",
                                    found.code,
                                    found.kind.as_str()
                                ),
                            )
                            .into());
                        }
                        vec![found]
                    }
                    None => Self::all_accounts(&mut tx, group_id)
                        .await?
                        .into_iter()
                        .filter(crate::domain::reports::is_cash_account)
                        .collect(),
                };
                let mut statements = Vec::with_capacity(chosen.len());
                for a in chosen {
                    statements.push(
                        Self::statement_in_tx(&mut tx, group_id, &AccountRef::Id(a.id), from, to)
                            .await?,
                    );
                }
                Ok(CashBook {
                    from,
                    to,
                    accounts: statements,
                })
            }
            .await;
            result
        })
    }

    async fn investment_register(&self, group_id: Uuid) -> StoreResult<InvestmentRegister> {
        read_tx!(self, |tx| Self::investment_register_in_tx(
            &mut tx, group_id
        )
        .await)
    }

    async fn performance_facts(
        &self,
        group_id: Uuid,
        from: Option<NaiveDate>,
        to: NaiveDate,
    ) -> StoreResult<LoadedPerformance> {
        read_tx!(self, |tx| Self::performance_facts_in_tx(
            &mut tx, group_id, from, to
        )
        .await)
    }

    async fn distribution_audit(&self, group_id: Uuid) -> StoreResult<Vec<Distribution>> {
        read_tx!(self, |tx| Self::distribution_audit_in_tx(&mut tx, group_id)
            .await)
    }

    async fn accreditation_facts(
        &self,
        group_id: Uuid,
        on: NaiveDate,
    ) -> StoreResult<Accreditation> {
        read_tx!(self, |tx| Self::accreditation_in_tx(&mut tx, group_id, on)
            .await)
    }
}
