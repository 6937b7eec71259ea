//! The group's register of members: registering one (with her savings and capital
//! accounts), changing or correcting what is known of her; and opening a standard account on
//! first need.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::domain::account::AccountType;
use crate::domain::error::{Conflict, LedgerError};
use crate::domain::member::{
    FieldChange, Member, MemberCorrection, MemberRecord, MemberStatus, MemberUpdate, NewMember,
};
use crate::domain::model::*;
use crate::domain::money::Currency;
use crate::store::backend::{Backend, DbRow, Ledger, Tx};
use crate::store::shared::*;
use crate::store::tx::Column;
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
    pub(in crate::store) async fn create_member_in_tx(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        request: &NewMember,
        idempotency: &Option<Idempotency<'_, MemberRecord>>,
    ) -> Result<Result<Written<MemberRecord>, LedgerError>, TxError> {
        let group = Self::lock_group(tx, group_id).await?;
        let scope = group_id.to_string();
        if let Some(replay) = Self::claimed_response(tx, &scope, idempotency).await? {
            return Ok(Ok(Written::Replayed(replay)));
        }
        if let Err(closed) = group.refuse_if_closed() {
            return Self::finish(tx, &scope, idempotency, Err(closed)).await;
        }
        let id = Uuid::now_v7();
        let (savings, capital) =
            Self::open_member_accounts(tx, group_id, group.currency, id, &request.name).await?;
        let number = Self::next_member_number(tx, group_id).await?;
        let member = Member {
            id,
            group_id,
            number,
            name: request.name.clone(),
            sex: request.sex,
            birth_year: request.birth_year,
            home_country: request.home_country.clone(),
            host_country: request.host_country.clone(),
            occupation: request.occupation.clone(),
            contact: request.contact.clone(),
            joined_on: request.joined_on,
            status: MemberStatus::Active,
            status_on: None,
            savings_account_id: savings.id,
            capital_account_id: capital.id,
            created_at: recorded_now(),
        };
        Self::insert_member(tx, &member).await?;
        let joined = crate::domain::events::of_member(&member, true);
        Self::append_events(tx, &[(group_id, joined, member.created_at)]).await?;
        Self::finish(
            tx,
            &scope,
            idempotency,
            Ok(MemberRecord {
                member,
                savings,
                capital,
                payables: Vec::new(),
            }),
        )
        .await
    }

    /// Opens the savings and capital accounts of the member `id` named `name`.
    async fn open_member_accounts(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        currency: Currency,
        id: Uuid,
        name: &str,
    ) -> Result<(Account, Account), TxError> {
        let savings = Self::insert_account(
            tx,
            group_id,
            &NewAccount {
                code: crate::domain::member::savings_code(id),
                name: format!("Savings of {name}"),
                kind: AccountType::Liability,
                currency,
                no_overdraft: true,
            },
        )
        .await?;
        let capital = Self::insert_account(
            tx,
            group_id,
            &NewAccount {
                code: crate::domain::member::capital_code(id),
                name: format!("Capital of {name}"),
                kind: AccountType::Equity,
                currency,
                no_overdraft: true,
            },
        )
        .await?;
        Ok((savings, capital))
    }

    /// The number the group's next member gets. Read under the group's lock, so two
    /// members registered at once get two numbers.
    async fn next_member_number(tx: &mut Tx<B::Db>, group_id: Uuid) -> Result<i64, TxError> {
        let number: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(number), 0) + 1 FROM members WHERE group_id = $1",
        )
        .bind(group_id)
        .fetch_one(&mut **tx)
        .await?;
        Ok(number)
    }

    async fn insert_member(tx: &mut Tx<B::Db>, member: &Member) -> Result<(), TxError> {
        let reopen = crate::domain::closings::reopened_by(None, member);
        Self::reopen_group(tx, member.group_id, reopen).await?;
        sqlx::query(
            "INSERT INTO members (id, group_id, name, sex, birth_year, home_country, host_country, occupation, \
             contact, joined_on, status, status_on, savings_account_id, capital_account_id, created_at, number) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
        )
        .bind(member.id)
        .bind(member.group_id)
        .bind(&member.name)
        .bind(member.sex.as_str())
        .bind(member.birth_year)
        .bind(&member.home_country)
        .bind(&member.host_country)
        .bind(&member.occupation)
        .bind(&member.contact)
        .bind(member.joined_on)
        .bind(member.status.as_str())
        .bind(member.status_on)
        .bind(member.savings_account_id)
        .bind(member.capital_account_id)
        .bind(member.created_at)
        .bind(member.number)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    pub(in crate::store) async fn update_member_in_tx(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        member_id: Uuid,
        update: &MemberUpdate,
    ) -> Result<Result<MemberRecord, LedgerError>, TxError> {
        let group = Self::lock_group(tx, group_id).await?;
        let record = Self::existing_member(tx, group_id, member_id).await?;
        group.refuse_if_closed()?;
        let before = record.member;
        let mut member = before.clone();
        apply_update(&mut member, update)?;
        let renamed = update
            .correction
            .as_ref()
            .and_then(|c| c.name.clone())
            .filter(|n| *n != member.name);
        if let Some(correction) = &update.correction {
            let changes = crate::domain::member::correct(&mut member, correction);
            if !changes.is_empty() {
                Self::record_correction(tx, group_id, member_id, correction, &changes).await?;
            }
        }
        Self::write_member(tx, group_id, member_id, &member).await?;
        let reopen = crate::domain::closings::reopened_by(Some(&before), &member);
        Self::reopen_group(tx, group_id, reopen).await?;
        let changed = crate::domain::events::of_member(&member, false);
        Self::append_events(tx, &[(group_id, changed, recorded_now())]).await?;
        // The member's accounts carry her name; they follow a corrected one.
        if let Some(name) = renamed {
            for (id, label) in [
                (member.savings_account_id, "Savings"),
                (member.capital_account_id, "Capital"),
            ] {
                sqlx::query("UPDATE accounts SET name = $1 WHERE group_id = $2 AND id = $3")
                    .bind(format!("{label} of {name}"))
                    .bind(group_id)
                    .bind(id)
                    .execute(&mut **tx)
                    .await?;
            }
        }
        Ok(Ok(Self::existing_member(tx, group_id, member_id).await?))
    }

    /// Keeps a correction of a member with its reason and the changes it made.
    async fn record_correction(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        member_id: Uuid,
        correction: &MemberCorrection,
        changes: &[FieldChange],
    ) -> Result<(), TxError> {
        sqlx::query(
            "INSERT INTO member_corrections (id, group_id, member_id, corrected_at, corrected_by, reason, changes) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(Uuid::now_v7())
        .bind(group_id)
        .bind(member_id)
        .bind(recorded_now())
        .bind(correction.corrected_by)
        .bind(&correction.reason)
        .bind(serde_json::to_string(changes).map_err(internal)?)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// Writes what may change of a member.
    async fn write_member(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        member_id: Uuid,
        member: &Member,
    ) -> Result<(), TxError> {
        sqlx::query(
            "UPDATE members SET occupation = $1, contact = $2, status = $3, status_on = $4, \
             name = $7, sex = $8, birth_year = $9, home_country = $10, host_country = $11, joined_on = $12 \
             WHERE group_id = $5 AND id = $6",
        )
        .bind(&member.occupation)
        .bind(&member.contact)
        .bind(member.status.as_str())
        .bind(member.status_on)
        .bind(group_id)
        .bind(member_id)
        .bind(&member.name)
        .bind(member.sex.as_str())
        .bind(member.birth_year)
        .bind(&member.home_country)
        .bind(&member.host_country)
        .bind(member.joined_on)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }
}

/// A member's new status, occupation and contact; an exited member's status is final.
fn apply_update(member: &mut Member, update: &MemberUpdate) -> Result<(), LedgerError> {
    if let Some((status, on)) = update.status {
        if member.status == MemberStatus::Exited {
            return Err(LedgerError::conflict(
                Conflict::MemberExited,
                "the member has exited the group; their status cannot change again",
            ));
        }
        member.status = status;
        member.status_on = Some(on);
    }
    if let Some(occupation) = &update.occupation {
        member.occupation = occupation.clone();
    }
    if let Some(contact) = &update.contact {
        member.contact = contact.clone();
    }
    Ok(())
}
