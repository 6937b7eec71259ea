//! Reading members (with their savings and capital accounts) and their events.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row as _;
use uuid::Uuid;

use crate::domain::error::LedgerError;
use crate::domain::member::{
    Channel, EventKind, Fund, Member, MemberEvent, MemberRecord, MemberStatus, Sex,
};
use crate::domain::model::*;
use crate::store::backend::{Backend, DbRow, Ledger, Tx};
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
    pub(in crate::store) fn member_from_row(row: &DbRow<B>) -> Result<Member, TxError> {
        let sex: String = row.try_get("sex")?;
        let status: String = row.try_get("status")?;
        Ok(Member {
            id: row.try_get("id")?,
            group_id: row.try_get("group_id")?,
            number: row.try_get("number")?,
            name: row.try_get("name")?,
            sex: Sex::parse(&sex).ok_or_else(|| internal("stored sex"))?,
            birth_year: row.try_get("birth_year")?,
            home_country: row.try_get("home_country")?,
            host_country: row.try_get("host_country")?,
            occupation: row.try_get("occupation")?,
            contact: row.try_get("contact")?,
            joined_on: row.try_get("joined_on")?,
            status: MemberStatus::parse(&status).ok_or_else(|| internal("stored member status"))?,
            status_on: row.try_get("status_on")?,
            savings_account_id: row.try_get("savings_account_id")?,
            capital_account_id: row.try_get("capital_account_id")?,
            created_at: row.try_get("created_at")?,
        })
    }

    /// The chain position of a row's transaction, read with [`CHAIN_POSITION`]; `None` for a
    /// record with no transaction, or a row read without those columns.
    pub(in crate::store) fn chain_from_row(
        row: &DbRow<B>,
    ) -> Result<Option<crate::domain::receipts::ChainPosition>, TxError> {
        let sequence: Option<i64> = row.try_get("transaction_sequence").ok().flatten();
        let hash: Option<String> = row.try_get("transaction_hash").ok().flatten();
        Ok(sequence
            .zip(hash)
            .map(|(sequence, hash)| crate::domain::receipts::ChainPosition { sequence, hash }))
    }

    pub(in crate::store) fn event_from_row(row: &DbRow<B>) -> Result<MemberEvent, TxError> {
        let kind: String = row.try_get("kind")?;
        let fund: String = row.try_get("fund")?;
        let channel: String = row.try_get("channel")?;
        Ok(MemberEvent {
            id: row.try_get("id")?,
            group_id: row.try_get("group_id")?,
            member_id: row.try_get("member_id")?,
            kind: match kind.as_str() {
                "contribution" => EventKind::Contribution,
                "withdrawal" => EventKind::Withdrawal,
                _ => return Err(internal("stored event kind")),
            },
            amount_minor: row.try_get("amount_minor")?,
            currency: currency_of(&row.try_get::<String, _>("currency")?)?,
            fund: Fund::parse(&fund).ok_or_else(|| internal("stored fund"))?,
            channel: Channel::parse(&channel).ok_or_else(|| internal("stored channel"))?,
            booked_on: row.try_get("booked_on")?,
            receipt_no: row.try_get("receipt_no")?,
            transaction_id: row.try_get("transaction_id")?,
            chain: Self::chain_from_row(row)?
                .ok_or_else(|| internal("an event's transaction is missing"))?,
            reversed_by: row.try_get("reversed_by")?,
            created_by: row.try_get("created_by")?,
            created_at: row.try_get("created_at")?,
        })
    }

    pub(in crate::store) async fn load_member(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        member_id: Uuid,
    ) -> Result<Option<MemberRecord>, TxError> {
        let row = sqlx::query("SELECT * FROM members WHERE group_id = $1 AND id = $2")
            .bind(group_id)
            .bind(member_id)
            .fetch_optional(&mut **tx)
            .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Self::with_accounts(tx, std::slice::from_ref(&row))
            .await?
            .pop())
    }

    /// The members that `rows` hold, each with its savings and capital accounts, read in
    /// one statement for all of them.
    pub(in crate::store) async fn with_accounts(
        tx: &mut Tx<B::Db>,
        rows: &[DbRow<B>],
    ) -> Result<Vec<MemberRecord>, TxError> {
        let members: Vec<Member> = rows
            .iter()
            .map(Self::member_from_row)
            .collect::<Result<_, _>>()?;
        let refs: Vec<AccountRef> = members
            .iter()
            .flat_map(|m| {
                [
                    AccountRef::Id(m.savings_account_id),
                    AccountRef::Id(m.capital_account_id),
                ]
            })
            .collect();
        let mut accounts: HashMap<Uuid, Account> = HashMap::new();
        let mut group_ids: Vec<Uuid> = members.iter().map(|m| m.group_id).collect();
        group_ids.sort_unstable();
        group_ids.dedup();
        for chunk in refs.chunks(crate::store::shared::ROWS_PER_STATEMENT) {
            for account in Self::accounts_named(tx, &group_ids, chunk.iter()).await? {
                accounts.insert(account.id, account);
            }
        }
        let account = |id: Uuid, what: &str| {
            accounts
                .get(&id)
                .cloned()
                .ok_or_else(|| internal(format!("a member's {what} account is missing")))
        };
        let payables = Self::payables_of_groups(tx, &group_ids).await?;
        members
            .into_iter()
            .map(|member| {
                Ok(MemberRecord {
                    savings: account(member.savings_account_id, "savings")?,
                    capital: account(member.capital_account_id, "capital")?,
                    payables: payables
                        .iter()
                        .filter(|a| crate::domain::position::is_payable_of(a, member.id))
                        .cloned()
                        .collect(),
                    member,
                })
            })
            .collect()
    }

    pub(in crate::store) async fn existing_member(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        member_id: Uuid,
    ) -> Result<MemberRecord, TxError> {
        Self::load_member(tx, group_id, member_id)
            .await?
            .ok_or_else(|| LedgerError::NotFound("member").into())
    }
}
