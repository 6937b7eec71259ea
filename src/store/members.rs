//! Members and their contributions and withdrawals, written once for both backends.
//! `impl_member_store!` is expanded after `impl_store!` in each backend module and uses the
//! names that expansion brings into scope (`Tx`, `DbRow`, `write_tx!`, `read_tx!`, the ledger
//! helpers such as `lock_group`, `apply_posting` and `statement_in_tx`).

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row as _;
use uuid::Uuid;

use super::backend::{Backend, DbRow, Ledger, Tx};
use super::ledger::currency_of;
use super::shared::*;
use super::tx::{Column, read_tx, write_tx};
use crate::domain::account::{AccountType, Direction};
use crate::domain::error::{Conflict, LedgerError, Rule};
use crate::domain::model::*;
use crate::domain::money::{self, Currency};
use crate::domain::posting::{AccountState, Line};
use crate::store::{Idempotency, StoreResult, Written};

use crate::domain::member::{
    Channel, EventKind, Fund, Member, MemberEvent, MemberEventQuery, MemberRecord, MemberStatement,
    MemberStatus, MemberUpdate, NewMember, NewMemberEvent, Sex,
};
use crate::store::MemberStore;

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
    pub(super) fn member_from_row(row: &DbRow<B>) -> Result<Member, TxError> {
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

    pub(super) fn event_from_row(row: &DbRow<B>) -> Result<MemberEvent, TxError> {
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
            reversed_by: row.try_get("reversed_by")?,
            created_by: row.try_get("created_by")?,
            created_at: row.try_get("created_at")?,
        })
    }

    pub(super) async fn load_member(
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
    pub(super) async fn with_accounts(
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

    pub(super) async fn existing_member(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        member_id: Uuid,
    ) -> Result<MemberRecord, TxError> {
        Self::load_member(tx, group_id, member_id)
            .await?
            .ok_or_else(|| LedgerError::NotFound("member").into())
    }

    /// Why an existing account cannot serve as the group's `kind` account in `currency`
    /// (a 422 on `pointer`), if it cannot.
    pub(super) fn unfit_account(
        account: &Account,
        kind: AccountType,
        currency: Currency,
        pointer: &str,
    ) -> Option<LedgerError> {
        (account.currency != currency || account.kind != kind).then(|| {
            LedgerError::rule(
                Rule::CurrencyMismatch,
                Some(pointer.to_string()),
                format!(
                    "the group's account {} is a {} account in {}, not a {} account in {currency}",
                    account.code,
                    account.kind.as_str(),
                    account.currency,
                    kind.as_str()
                ),
            )
        })
    }

    /// What a standard account the group has not opened yet is opened as.
    pub(super) fn account_to_open(
        code: String,
        name: &str,
        kind: AccountType,
        currency: Currency,
        no_overdraft: bool,
    ) -> NewAccount {
        // Income and expense accounts only gather what is closed into equity later: a
        // correction booked after a period may take one below zero until that period is
        // closed, so they never refuse a posting.
        let no_overdraft =
            no_overdraft && !matches!(kind, AccountType::Income | AccountType::Expense);
        NewAccount {
            code,
            name: name.to_string(),
            kind,
            currency,
            no_overdraft,
        }
    }

    /// The account with `code`, created as `kind` in `currency` if the group has none yet.
    /// An existing account of another currency or type cannot be used: a 422 on `pointer`.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn open_account(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        code: String,
        name: &str,
        kind: AccountType,
        currency: Currency,
        no_overdraft: bool,
        pointer: &str,
    ) -> Result<Result<Account, LedgerError>, TxError> {
        if let Some(account) =
            Self::find_account(tx, group_id, &AccountRef::Code(code.clone())).await?
        {
            return Ok(
                match Self::unfit_account(&account, kind, currency, pointer) {
                    Some(unfit) => Err(unfit),
                    None => Ok(account),
                },
            );
        }
        let request = Self::account_to_open(code, name, kind, currency, no_overdraft);
        Ok(Ok(Self::insert_account(tx, group_id, &request).await?))
    }

    /// As `open_account`, in memory, for a gathering of writes: the index in `known` (the
    /// group's accounts read so far, each marked whether it is yet to be opened) of the
    /// account with `code`, added to `known` as one to open if the group has none yet.
    pub(super) fn plan_account(
        known: &mut Vec<(Account, bool)>,
        group_id: Uuid,
        wanted: NewAccount,
        pointer: &str,
    ) -> Result<usize, LedgerError> {
        if let Some(index) = known.iter().position(|(a, _)| a.code == wanted.code) {
            return match Self::unfit_account(&known[index].0, wanted.kind, wanted.currency, pointer)
            {
                Some(unfit) => Err(unfit),
                None => Ok(index),
            };
        }
        known.push((Self::new_account(group_id, &wanted), true));
        Ok(known.len() - 1)
    }

    pub(super) async fn create_member_in_tx(
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
        let savings = Self::insert_account(
            tx,
            group_id,
            &NewAccount {
                code: crate::domain::member::savings_code(id),
                name: format!("Savings of {}", request.name),
                kind: AccountType::Liability,
                currency: group.currency,
                no_overdraft: true,
            },
        )
        .await?;
        let capital = Self::insert_account(
            tx,
            group_id,
            &NewAccount {
                code: crate::domain::member::capital_code(id),
                name: format!("Capital of {}", request.name),
                kind: AccountType::Equity,
                currency: group.currency,
                no_overdraft: true,
            },
        )
        .await?;
        // Under the group's lock, so two members registered at once get two numbers.
        let number: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(number), 0) + 1 FROM members WHERE group_id = $1",
        )
        .bind(group_id)
        .fetch_one(&mut **tx)
        .await?;
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
        sqlx::query(
            "INSERT INTO members (id, group_id, name, sex, birth_year, home_country, host_country, occupation, \
             contact, joined_on, status, status_on, savings_account_id, capital_account_id, created_at, number) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
        )
        .bind(member.id)
        .bind(group_id)
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

    pub(super) async fn update_member_in_tx(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        member_id: Uuid,
        update: &MemberUpdate,
    ) -> Result<Result<MemberRecord, LedgerError>, TxError> {
        let group = Self::lock_group(tx, group_id).await?;
        let record = Self::existing_member(tx, group_id, member_id).await?;
        group.refuse_if_closed()?;
        let mut member = record.member;
        if let Some((status, on)) = update.status {
            if member.status == MemberStatus::Exited {
                return Err(LedgerError::conflict(
                    Conflict::MemberExited,
                    "the member has exited the group; their status cannot change again",
                )
                .into());
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
        let renamed = update
            .correction
            .as_ref()
            .and_then(|c| c.name.clone())
            .filter(|n| *n != member.name);
        if let Some(correction) = &update.correction {
            let changes = crate::domain::member::correct(&mut member, correction);
            if !changes.is_empty() {
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
                .bind(serde_json::to_string(&changes).map_err(internal)?)
                .execute(&mut **tx)
                .await?;
            }
        }
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

    /// Checks a contribution or withdrawal and writes it with its balanced transaction
    /// (a gathering of one, see `member_events_in_tx`).
    pub(super) async fn member_event_in_tx(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        request: &NewMemberEvent,
        idempotency: &Option<Idempotency<'_, MemberEvent>>,
    ) -> Result<Result<Written<MemberEvent>, LedgerError>, TxError> {
        let write = crate::store::shared::MemberEventWrite {
            group_id,
            request,
            idempotency: idempotency.as_ref().map(|i| Idempotency {
                key: i.key,
                request_hash: i.request_hash,
                render: i.render.clone(),
            }),
            reply: None,
            audit: None,
        };
        let mut outcomes = Self::member_events_in_tx(tx, std::slice::from_ref(&write)).await?;
        outcomes
            .pop()
            .map(|(outcome, _)| outcome)
            .ok_or_else(|| internal("the outcome of a member event"))
    }

    /// Contributions and withdrawals that arrived together, each judged as it would be
    /// alone and in the order they arrived (each sees the totals the ones before it
    /// left), written with a few statements for all of them. What a write needs is read
    /// once for the gathering: the groups (locked), the stored outcomes of the keys, the
    /// members with their accounts, and the accounts of the channels and social funds
    /// named. An account a write needs that the group has not opened is opened only if
    /// that write is accepted: a refused write leaves nothing behind but its stored
    /// outcome, and never fails the others. Each outcome says too whether the write's
    /// audit record was written with it.
    #[allow(clippy::type_complexity)]
    pub(super) async fn member_events_in_tx(
        tx: &mut Tx<B::Db>,
        writes: &[crate::store::shared::MemberEventWrite<'_>],
    ) -> Result<Vec<(Result<Written<MemberEvent>, LedgerError>, bool)>, TxError> {
        use crate::store::shared::{ROWS_PER_STATEMENT, parameters};
        let mut group_ids: Vec<Uuid> = writes.iter().map(|w| w.group_id).collect();
        group_ids.sort_unstable();
        group_ids.dedup();
        let mut groups = Self::lock_groups(tx, &group_ids).await?;
        let keys: Vec<(String, &str)> = writes
            .iter()
            .filter_map(|w| {
                w.idempotency
                    .as_ref()
                    .map(|i| (w.group_id.to_string(), i.key))
            })
            .collect();
        let mut stored = Self::stored_responses(tx, &keys).await?;
        // By group: the accounts read or planned, each marked whether it is yet to be opened.
        let found: Vec<Uuid> = groups.keys().copied().collect();
        let mut known: HashMap<Uuid, Vec<(Account, bool)>> =
            found.iter().map(|g| (*g, Vec::new())).collect();
        let mut members: HashMap<Uuid, Member> = HashMap::new();
        if !found.is_empty() {
            let mut member_ids: Vec<Uuid> = writes
                .iter()
                .filter(|w| groups.contains_key(&w.group_id))
                .map(|w| w.request.member_id)
                .collect();
            member_ids.sort_unstable();
            member_ids.dedup();
            let mut records = Vec::new();
            for chunk in member_ids.chunks(ROWS_PER_STATEMENT) {
                let sql = format!(
                    "SELECT * FROM members WHERE group_id IN ({}) AND id IN ({})",
                    parameters(1, found.len()),
                    parameters(1 + found.len(), chunk.len())
                );
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
                for group_id in &found {
                    query = query.bind(*group_id);
                }
                for id in chunk {
                    query = query.bind(*id);
                }
                let rows = query.fetch_all(&mut **tx).await?;
                records.extend(Self::with_accounts(tx, &rows).await?);
            }
            let mut codes = Vec::new();
            for w in writes {
                if let Some(group) = groups.get(&w.group_id) {
                    let currency = w.request.currency.unwrap_or(group.currency);
                    codes.push(AccountRef::Code(w.request.channel.asset_code(currency)));
                    if w.request.fund == Fund::SocialFund {
                        codes.push(AccountRef::Code(crate::domain::member::social_fund_code(
                            currency,
                        )));
                    }
                }
            }
            let named = Self::accounts_named(tx, &found, codes.iter()).await?;
            let accounts = records
                .iter()
                .flat_map(|r| [r.savings.clone(), r.capital.clone()])
                .chain(named);
            for account in accounts {
                if let Some(of_group) = known.get_mut(&account.group_id)
                    && !of_group.iter().any(|(a, _)| a.id == account.id)
                {
                    of_group.push((account, false));
                }
            }
            members.extend(records.into_iter().map(|r| (r.member.id, r.member)));
        }

        let mut outcomes = Vec::with_capacity(writes.len());
        let mut remembered = Vec::new();
        let mut transactions = Vec::new();
        let mut events = Vec::new();
        let mut audits = Vec::new();
        let mut totals: HashMap<Uuid, (Uuid, i64, i64)> = HashMap::new();
        for w in writes {
            if w.reply.is_some_and(|r| r.is_closed()) {
                // As a write cancelled before it began, it is not written.
                outcomes.push((
                    Err(LedgerError::Unavailable("the request was cancelled".into())),
                    false,
                ));
                continue;
            }
            let Some(group) = groups.get_mut(&w.group_id) else {
                outcomes.push((Err(LedgerError::NotFound("group")), false));
                continue;
            };
            let scope = w.group_id.to_string();
            if let Some(idem) = &w.idempotency
                && let Some((request_hash, response)) =
                    stored.get(&(scope.clone(), idem.key.to_string()))
            {
                let outcome = if request_hash == idem.request_hash {
                    Ok(Written::Replayed(response.clone()))
                } else {
                    Err(LedgerError::IdempotencyKeyReused)
                };
                outcomes.push((outcome, false));
                continue;
            }
            let accounts = known
                .get_mut(&w.group_id)
                .ok_or_else(|| internal("accounts of a locked group"))?;
            let before = accounts.len();
            let member = members
                .get(&w.request.member_id)
                .filter(|m| m.group_id == w.group_id);
            let judged = match group.refuse_if_closed() {
                Err(closed) => Err(closed),
                Ok(()) => Self::judge_member_event(group, w.request, member, accounts)?,
            };
            let outcome = match judged {
                Ok((event, transaction, new_totals)) => {
                    for (account_id, debits, credits) in new_totals {
                        if let Some((a, _)) = accounts.iter_mut().find(|(a, _)| a.id == account_id)
                        {
                            a.debits_minor = debits;
                            a.credits_minor = credits;
                        }
                        totals.insert(account_id, (w.group_id, debits, credits));
                    }
                    transactions.push(transaction);
                    events.push(event.clone());
                    Ok(event)
                }
                Err(refused) => {
                    // The accounts this write would have opened are not opened.
                    accounts.truncate(before);
                    Err(refused)
                }
            };
            let mut audited = false;
            if let Some(idem) = &w.idempotency {
                let response = (idem.render.as_ref())(outcome.as_ref());
                if let Some(draft) = w.audit {
                    let created = outcome.as_ref().map(|e| vec![e.id]).unwrap_or_default();
                    audits.push(draft.event(recorded_now(), response.status, created));
                    audited = true;
                }
                stored.insert(
                    (scope.clone(), idem.key.to_string()),
                    (idem.request_hash.to_string(), response.clone()),
                );
                remembered.push((
                    scope,
                    idem.key.to_string(),
                    idem.request_hash.to_string(),
                    response,
                ));
            }
            outcomes.push((outcome.map(Written::Created), audited));
        }

        let known: Vec<(Account, bool)> = known.into_values().flatten().collect();
        let groups: Vec<&Group> = groups.values().collect();
        let written: Vec<&Transaction> = transactions.iter().collect();
        let totals: Vec<(Uuid, Uuid, i64, i64)> = totals
            .into_iter()
            .map(|(account, (group, debits, credits))| (group, account, debits, credits))
            .collect();
        let rows = crate::store::shared::PostingRows {
            transactions: &written,
            totals: &totals,
            heads: &[],
            remembered: &remembered,
            audits: &audits,
        };
        Self::write_member_events(tx, &known, &groups, &rows, &events).await?;
        Ok(outcomes)
    }

    /// Checks one contribution or withdrawal against the locked `group` and writes it with
    /// its balanced transaction, as a meeting does for each of its events.
    pub(super) async fn member_event_outcome(
        tx: &mut Tx<B::Db>,
        group: &mut Group,
        request: &NewMemberEvent,
    ) -> Result<Result<MemberEvent, LedgerError>, TxError> {
        let record = Self::load_member(tx, group.id, request.member_id).await?;
        let currency = request.currency.unwrap_or(group.currency);
        let mut codes = vec![AccountRef::Code(request.channel.asset_code(currency))];
        if request.fund == Fund::SocialFund {
            codes.push(AccountRef::Code(crate::domain::member::social_fund_code(
                currency,
            )));
        }
        let named = Self::accounts_named(tx, &[group.id], codes.iter()).await?;
        let mut known: Vec<(Account, bool)> = record
            .iter()
            .flat_map(|r| [r.savings.clone(), r.capital.clone()])
            .chain(named)
            .map(|a| (a, false))
            .collect();
        let (event, transaction, new_totals) = match Self::judge_member_event(
            group,
            request,
            record.as_ref().map(|r| &r.member),
            &mut known,
        )? {
            Ok(judged) => judged,
            Err(refused) => return Ok(Err(refused)),
        };
        let totals: Vec<(Uuid, Uuid, i64, i64)> = new_totals
            .into_iter()
            .map(|(account, debits, credits)| (group.id, account, debits, credits))
            .collect();
        let events = [event];
        let rows = crate::store::shared::PostingRows {
            transactions: &[&transaction],
            totals: &totals,
            heads: &[],
            remembered: &[],
            audits: &[],
        };
        Self::write_member_events(tx, &known, &[group], &rows, &events).await?;
        let [event] = events;
        Ok(Ok(event))
    }

    /// Writes what judging member events decided: the accounts to open (those of
    /// `known` so marked), the postings' rows (`rows`, whose heads are those of the
    /// `groups` the postings moved on), and the events.
    pub(super) async fn write_member_events(
        tx: &mut Tx<B::Db>,
        known: &[(Account, bool)],
        groups: &[&Group],
        rows: &crate::store::shared::PostingRows<'_>,
        events: &[MemberEvent],
    ) -> Result<(), TxError> {
        for (account, _) in known.iter().filter(|(_, to_open)| *to_open) {
            Self::insert_account_row(tx, account).await?;
        }
        let heads: Vec<(Uuid, i64, &str)> = groups
            .iter()
            .filter(|g| rows.transactions.iter().any(|t| t.group_id == g.id))
            .map(|g| (g.id, g.head_sequence, g.head_hash.as_str()))
            .collect();
        B::write_postings(
            tx,
            &crate::store::shared::PostingRows {
                heads: &heads,
                ..*rows
            },
        )
        .await?;
        Self::insert_member_events(tx, events).await
    }

    /// Judges one contribution or withdrawal against the group as the writes before it
    /// in its gathering left it: the member (`None`: not a member of the group), the
    /// group's accounts `accounts` (those it needs and has not opened are added, to be
    /// opened). Accepted, it is the event, its transaction (the group's head moved on)
    /// and the accounts' new totals; refused, the rule it breaks, the first found in the
    /// order the API promises.
    #[allow(clippy::type_complexity)]
    pub(super) fn judge_member_event(
        group: &mut Group,
        request: &NewMemberEvent,
        member: Option<&Member>,
        accounts: &mut Vec<(Account, bool)>,
    ) -> Result<Result<(MemberEvent, Transaction, Vec<(Uuid, i64, i64)>), LedgerError>, TxError>
    {
        let group_id = group.id;
        let Some(member) = member else {
            return Ok(Err(LedgerError::rule(
                Rule::UnknownMember,
                Some("/member_id".into()),
                "no member of this group has this id",
            )));
        };
        if request.kind == EventKind::Contribution && member.status != MemberStatus::Active {
            return Ok(Err(LedgerError::rule(
                Rule::MemberNotActive,
                Some("/member_id".into()),
                format!(
                    "the member's status is {}; contributions are taken from active members only",
                    member.status.as_str()
                ),
            )));
        }
        let currency = request.currency.unwrap_or(group.currency);
        let index_of = |accounts: &[(Account, bool)], id: Uuid| {
            accounts
                .iter()
                .position(|(a, _)| a.id == id)
                .ok_or_else(|| internal("a member's account is missing"))
        };
        let member_account = match request.fund {
            Fund::Savings => Some(index_of(accounts, member.savings_account_id)?),
            Fund::Capital => Some(index_of(accounts, member.capital_account_id)?),
            Fund::SocialFund => None,
        };
        if let Some(index) = member_account
            && accounts[index].0.currency != currency
        {
            return Ok(Err(LedgerError::rule(
                Rule::CurrencyMismatch,
                Some("/currency".into()),
                format!(
                    "the member's {} account is in {}, not {currency}",
                    request.fund.as_str(),
                    accounts[index].0.currency
                ),
            )));
        }
        let amount_minor = match money::parse_positive_amount(&request.amount, currency) {
            Ok(minor) => minor,
            Err(money::AmountError::NotPositive) => {
                return Ok(Err(LedgerError::rule(
                    Rule::NonPositiveAmount,
                    Some("/amount".into()),
                    "the amount must be greater than zero",
                )));
            }
            Err(e) => return Ok(Err(LedgerError::invalid("/amount", format!("amount {e}")))),
        };
        let channel_name = format!("{} ({currency})", request.channel.as_str());
        let channel_code = request.channel.asset_code(currency);
        let wanted = Self::account_to_open(
            channel_code,
            &channel_name,
            AccountType::Asset,
            currency,
            true,
        );
        let channel = match Self::plan_account(accounts, group_id, wanted, "/channel") {
            Ok(index) => index,
            Err(e) => return Ok(Err(e)),
        };
        let fund = match member_account {
            Some(index) => index,
            None => {
                let code = crate::domain::member::social_fund_code(currency);
                let name = format!("Social fund ({currency})");
                let wanted =
                    Self::account_to_open(code, &name, AccountType::Liability, currency, true);
                match Self::plan_account(accounts, group_id, wanted, "/fund") {
                    Ok(index) => index,
                    Err(e) => return Ok(Err(e)),
                }
            }
        };
        // The member's fund first: when a withdrawal asks for more than the member has,
        // that is the overdraft to report, before any shortage in the cash box. Each
        // points at the field of the request that chose it.
        let mut fund_state = AccountState::of(&accounts[fund].0);
        fund_state.field = Some("/amount");
        if member_account.is_some() {
            fund_state.label = Some(crate::domain::member::fund_label(
                &member.name,
                member.sex,
                request.fund,
            ));
        }
        let mut channel_state = AccountState::of(&accounts[channel].0);
        channel_state.field = Some("/channel");
        let states = [fund_state, channel_state];
        let (fund_line, channel_line) = (0, 1);
        // Money in: the channel's asset grows, the member's fund grows. Money out: back.
        let lines = match request.kind {
            EventKind::Contribution => [
                Line {
                    account: channel_line,
                    direction: Direction::Debit,
                    amount_minor,
                },
                Line {
                    account: fund_line,
                    direction: Direction::Credit,
                    amount_minor,
                },
            ],
            EventKind::Withdrawal => [
                Line {
                    account: fund_line,
                    direction: Direction::Debit,
                    amount_minor,
                },
                Line {
                    account: channel_line,
                    direction: Direction::Credit,
                    amount_minor,
                },
            ],
        };
        let event_id = Uuid::now_v7();
        let metadata =
            serde_json::json!({"event": request.kind.as_str(), "event_id": event_id.to_string()});
        let description = match request.kind {
            EventKind::Contribution => format!(
                "{} contributes to {} ({})",
                member.name,
                request.fund.as_str(),
                request.channel.as_str()
            ),
            EventKind::Withdrawal => format!(
                "{} withdraws from savings ({})",
                member.name,
                request.channel.as_str()
            ),
        };
        let posting = Posting {
            booked_on: request.booked_on,
            description: &description,
            metadata: &metadata,
            lines: &lines,
            accounts: &states,
            reverses: None,
            created_by: request.created_by,
        };
        let (transaction, new_totals) = match Self::prepare_posting(group, posting)? {
            Ok(prepared) => prepared,
            Err(e) => return Ok(Err(e)),
        };
        let event = MemberEvent {
            id: event_id,
            group_id,
            member_id: member.id,
            kind: request.kind,
            amount_minor,
            currency,
            fund: request.fund,
            channel: request.channel,
            booked_on: request.booked_on,
            receipt_no: request.receipt_no.clone(),
            transaction_id: transaction.id,
            reversed_by: None,
            created_by: request.created_by,
            created_at: transaction.recorded_at,
        };
        Ok(Ok((event, transaction, new_totals)))
    }

    /// The rows of member events, in a statement per `ROWS_PER_STATEMENT` of them.
    pub(super) async fn insert_member_events(
        tx: &mut Tx<B::Db>,
        events: &[MemberEvent],
    ) -> Result<(), TxError> {
        const COLUMNS: usize = 13;
        for chunk in events.chunks(crate::store::shared::ROWS_PER_STATEMENT) {
            let values: Vec<String> = (0..chunk.len())
                .map(|n| {
                    format!(
                        "({})",
                        crate::store::shared::parameters(1 + n * COLUMNS, COLUMNS)
                    )
                })
                .collect();
            let sql = format!(
                "INSERT INTO member_events (id, group_id, member_id, kind, amount_minor, currency, fund, channel, \
                 booked_on, receipt_no, transaction_id, created_by, created_at) VALUES {}",
                values.join(", ")
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for event in chunk {
                query = query
                    .bind(event.id)
                    .bind(event.group_id)
                    .bind(event.member_id)
                    .bind(event.kind.as_str())
                    .bind(event.amount_minor)
                    .bind(event.currency.code())
                    .bind(event.fund.as_str())
                    .bind(event.channel.as_str())
                    .bind(event.booked_on)
                    .bind(event.receipt_no.clone())
                    .bind(event.transaction_id)
                    .bind(event.created_by)
                    .bind(event.created_at);
            }
            query.execute(&mut **tx).await?;
        }
        Ok(())
    }

    /// Writes member events that arrived together as one step of a group commit (see
    /// `post_gathered`).
    pub(super) async fn member_events_gathered(
        &self,
        queued: &[crate::store::shared::QueuedMemberEvent],
    ) -> StoreResult<Vec<StoreResult<Written<MemberEvent>>>> {
        let writes: Vec<crate::store::shared::MemberEventWrite<'_>> = queued
            .iter()
            .map(|q| crate::store::shared::MemberEventWrite {
                group_id: q.group_id,
                request: &q.request,
                idempotency: q
                    .idempotency
                    .as_ref()
                    .map(crate::store::shared::OwnedIdempotency::borrowed),
                reply: Some(&q.reply),
                audit: q.request.audit.as_ref(),
            })
            .collect();
        let written = match write_tx!(self, |tx| Self::member_events_in_tx(&mut tx, &writes)
            .await
            .map(Ok))
        {
            Ok(outcomes) => {
                self.commits.count_gathered(queued.len() as u64 - 1);
                outcomes
            }
            Err(e @ LedgerError::Unavailable(_)) => return Err(e),
            Err(e) => {
                tracing::warn!(error = %e, "member events written together failed; writing each alone");
                let mut outcomes = Vec::with_capacity(queued.len());
                for q in queued {
                    // The audit layer then writes its audit record.
                    let idempotency = q.idempotency.as_ref().map(OwnedIdempotency::borrowed);
                    outcomes.push((
                        write_tx!(self, |tx| Self::member_event_in_tx(
                            &mut tx,
                            q.group_id,
                            &q.request,
                            &idempotency
                        )
                        .await),
                        false,
                    ));
                }
                outcomes
            }
        };
        Ok(crate::store::tx::recorded(written, queued, |request| {
            request.audit.as_ref()
        }))
    }

    /// Writes the member events waiting in the queue until none waits.
    pub(super) async fn drain_member_events(self) {
        while let Some(queued) = self.member_events.next() {
            let written = self.member_events_gathered(&queued).await;
            Self::answer(&self.member_events, queued, written);
        }
    }
}

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
    ) -> StoreResult<Written<MemberEvent>> {
        if !self.commits.batches() {
            return write_tx!(self, |tx| Self::member_event_in_tx(
                &mut tx,
                group_id,
                &event,
                &idempotency
            )
            .await);
        }
        // Gathered with the contributions and withdrawals that arrive meanwhile (see
        // `coalesce.rs`).
        let make = |reply| QueuedMemberEvent {
            group_id,
            request: event,
            idempotency: idempotency.map(OwnedIdempotency::of),
            reply,
        };
        Self::queue_and_wait(&self.member_events, make, || {
            self.clone().drain_member_events()
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
                Ok(MemberStatement {
                    record,
                    savings,
                    capital,
                    holdings,
                })
            }
            .await;
            result
        })
    }
}
