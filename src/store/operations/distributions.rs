//! Distributions of a pool to the members, by weight, and the weights they are shared by.

use crate::domain::member::{MemberRecord, MemberStatus};

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row as _;
use uuid::Uuid;

use crate::domain::account::{AccountType, Direction};
use crate::domain::allocation::{self, AllocationError};
use crate::domain::error::{LedgerError, Rule};
use crate::domain::model::*;
use crate::domain::money;
use crate::domain::operations::*;
use crate::domain::posting::Draft;
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
    /// Each member who has not exited, in id order, with their weight on `basis` as of
    /// `as_of` (all entries when `None`).
    pub(in crate::store) async fn member_weights(
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

    pub(in crate::store) async fn distribution_outcome(
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

    pub(in crate::store) async fn load_distribution(
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
}
