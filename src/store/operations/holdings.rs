//! What a member holds, for her statement and her exit.

use crate::domain::member::MemberRecord;

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::domain::allocation::{self};
use crate::domain::model::*;
use crate::domain::operations::*;
use crate::store::backend::{Backend, DbRow, Ledger, Tx};
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
    /// What the member holds beyond their own accounts, for their statement.
    pub(in crate::store) async fn member_holdings_in_tx(
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

    /// Every payable account of the groups (`liabilities:payable:...`), by group and code:
    /// one statement for every `ROWS_PER_STATEMENT` groups.
    pub(in crate::store) async fn payables_of_groups(
        tx: &mut Tx<B::Db>,
        group_ids: &[Uuid],
    ) -> Result<Vec<Account>, TxError> {
        let mut payables = Vec::new();
        for chunk in group_ids.chunks(crate::store::shared::ROWS_PER_STATEMENT) {
            let sql = format!(
                "SELECT * FROM accounts WHERE group_id IN ({}) \
                 AND code LIKE 'liabilities:payable:%' ORDER BY group_id, code",
                crate::store::shared::parameters(1, chunk.len())
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for group_id in chunk {
                query = query.bind(*group_id);
            }
            for row in &query.fetch_all(&mut **tx).await? {
                payables.push(Self::account_from_row(row)?);
            }
        }
        Ok(payables)
    }

    /// The member's position as her accounts stand now.
    pub(in crate::store) async fn member_position_in_tx(
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
    pub(in crate::store) async fn member_investment_shares(
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
