//! Approvals (maker-checker), written once for both backends over `Backend`: each group's
//! policy, the operations waiting for a second person, and their approval (which checks every
//! rule again and posts the operation in the same transaction) or rejection. The rules are in
//! `domain::approvals`.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row as _;
use uuid::Uuid;

use crate::domain::approval_request::Request;
use crate::domain::approvals::{
    Approval, ApprovalPolicy, ApprovalQuery, ApprovalStatus, Operation, PreviewLine, Undecidable,
    Verdict, may_decide,
};
use crate::domain::error::{Conflict, LedgerError};
use crate::domain::model::{Entry, Group, Page, TransactionQuery, reversal_date};
use crate::store::backend::{Backend, DbRow, Ledger, Tx};
use crate::store::shared::*;
use crate::store::tx::{Column, guarded_write, read_tx, refuse_on_err, write_tx};
use crate::store::{Idempotency, StoreResult, Written};

/// The most transactions one operation waiting for approval may post (a period close posts
/// one per FX position revalued, and its closing transaction).
const MAX_PREVIEW_TRANSACTIONS: u32 = 1_000;

/// Approvals with the usernames of who asked and who decided, as `approval_from_row` reads
/// them; a query adds its `WHERE` on the approvals' own columns.
const APPROVALS: &str = "SELECT * FROM (SELECT a.*, m.username AS maker_username, \
     d.username AS decider_username FROM approvals a \
     LEFT JOIN users m ON m.id = a.maker_id LEFT JOIN users d ON d.id = a.decided_by) x";

/// An operation asked for that must wait for a second person.
#[derive(Debug, Clone)]
pub struct NewApproval {
    pub operation: Operation,
    pub maker_id: Uuid,
    pub asked_at: DateTime<Utc>,
}

/// A second person's decision on a pending item.
#[derive(Debug, Clone)]
pub struct Decision {
    pub verdict: Verdict,
    pub decider: Uuid,
    pub note: Option<String>,
    pub at: DateTime<Utc>,
}

/// Each method is one database transaction.
#[async_trait]
pub trait ApprovalStore: Send + Sync + 'static {
    /// The group's policy; the default one while the group has set none.
    async fn approval_policy(&self, group_id: Uuid) -> StoreResult<ApprovalPolicy>;
    /// Sets the group's policy at once (an administrator's change).
    async fn set_approval_policy(
        &self,
        group_id: Uuid,
        policy: ApprovalPolicy,
        by: Uuid,
    ) -> StoreResult<ApprovalPolicy>;
    /// Keeps an operation as a pending item with what it would post now; refused as the
    /// operation itself would be if a rule refuses it already.
    async fn propose(
        &self,
        group_id: Uuid,
        item: NewApproval,
        idempotency: Option<Idempotency<'_, Approval>>,
    ) -> StoreResult<Written<Approval>>;
    /// Approves (checking every rule again and posting the operation in the same
    /// transaction; a refusal leaves the item pending) or rejects a pending item.
    async fn decide(
        &self,
        group_id: Uuid,
        approval_id: Uuid,
        decision: Decision,
        idempotency: Option<Idempotency<'_, Approval>>,
    ) -> StoreResult<Written<Approval>>;
    async fn get_approval(&self, group_id: Uuid, approval_id: Uuid) -> StoreResult<Approval>;
    async fn list_approvals(&self, query: ApprovalQuery) -> StoreResult<Page<Approval>>;
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
    fn approval_from_row(row: &DbRow<B>) -> Result<Approval, TxError> {
        let operation: String = row.try_get("operation")?;
        let preview: String = row.try_get("preview")?;
        let kept: String = row.try_get("status")?;
        Ok(Approval {
            id: row.try_get("id")?,
            group_id: row.try_get("group_id")?,
            operation: serde_json::from_str(&operation).map_err(internal)?,
            preview: serde_json::from_str(&preview).map_err(internal)?,
            maker_id: row.try_get("maker_id")?,
            maker_username: row.try_get("maker_username")?,
            created_at: row.try_get("created_at")?,
            expires_at: row.try_get("expires_at")?,
            kept: ApprovalStatus::parse_kept(&kept)
                .ok_or_else(|| internal(format!("an approval's status is {kept:?}")))?,
            decided_by: row.try_get("decided_by")?,
            decider_username: row.try_get("decider_username")?,
            decided_at: row.try_get("decided_at")?,
            note: row.try_get("note")?,
            result_id: row.try_get("result_id")?,
        })
    }

    async fn policy_in_tx(tx: &mut Tx<B::Db>, group_id: Uuid) -> Result<ApprovalPolicy, TxError> {
        let row = sqlx::query(
            "SELECT withdrawals_above, exits, disbursements, distributions, reversals, \
             period_closes, expires_after_hours FROM approval_policies WHERE group_id = $1",
        )
        .bind(group_id)
        .fetch_optional(&mut **tx)
        .await?;
        let Some(row) = row else {
            return Ok(ApprovalPolicy::default());
        };
        let above: String = row.try_get("withdrawals_above")?;
        Ok(ApprovalPolicy {
            withdrawals_above: serde_json::from_str(&above).map_err(internal)?,
            exits: row.try_get("exits")?,
            disbursements: row.try_get("disbursements")?,
            distributions: row.try_get("distributions")?,
            reversals: row.try_get("reversals")?,
            period_closes: row.try_get("period_closes")?,
            expires_after_hours: row.try_get("expires_after_hours")?,
        })
    }

    async fn write_policy(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        policy: &ApprovalPolicy,
        by: Uuid,
    ) -> Result<(), TxError> {
        let above = serde_json::to_string(&policy.withdrawals_above).map_err(internal)?;
        sqlx::query(
            "INSERT INTO approval_policies (group_id, withdrawals_above, exits, disbursements, \
             distributions, reversals, period_closes, expires_after_hours, updated_at, \
             updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             ON CONFLICT (group_id) DO UPDATE SET withdrawals_above = excluded.withdrawals_above, \
             exits = excluded.exits, disbursements = excluded.disbursements, \
             distributions = excluded.distributions, reversals = excluded.reversals, \
             period_closes = excluded.period_closes, \
             expires_after_hours = excluded.expires_after_hours, \
             updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        )
        .bind(group_id)
        .bind(above)
        .bind(policy.exits)
        .bind(policy.disbursements)
        .bind(policy.distributions)
        .bind(policy.reversals)
        .bind(policy.period_closes)
        .bind(policy.expires_after_hours)
        .bind(recorded_now())
        .bind(by)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    async fn approval_in_tx(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        approval_id: Uuid,
    ) -> Result<Approval, TxError> {
        let row = sqlx::query(const_format::concatcp!(
            APPROVALS,
            " WHERE group_id = $1 AND id = $2"
        ))
        .bind(group_id)
        .bind(approval_id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(TxError::Ledger(LedgerError::NotFound("approval")))?;
        Self::approval_from_row(&row)
    }

    /// Carries out `operation` in the locked `group` as its maker asked for it, every rule
    /// checked now: what it posted, by id (none for a policy, or an exit or a period close
    /// that had nothing to post).
    async fn carry_out(
        tx: &mut Tx<B::Db>,
        group: &mut Group,
        operation: &Operation,
        maker: Uuid,
    ) -> Result<Result<Option<Uuid>, LedgerError>, TxError> {
        let posted = match operation.request(maker).map_err(internal)? {
            Request::Withdrawal(request) => {
                Some(refuse_on_err!(Self::member_event_outcome(tx, group, &request).await?).id)
            }
            Request::Exit { member_id, request } => {
                refuse_on_err!(Self::exit_outcome(tx, group, member_id, &request).await?)
                    .transaction_id
            }
            Request::Disbursement(request) => {
                Some(refuse_on_err!(Self::investment_event_outcome(tx, group, &request).await?).id)
            }
            Request::Distribution(request) => {
                refuse_on_err!(Self::distribution_outcome(tx, group, &request).await?).id
            }
            Request::Reversal {
                transaction_id,
                request,
            } => Some(
                refuse_on_err!(Self::reversal_outcome(tx, group, transaction_id, &request).await?)
                    .id,
            ),
            Request::PeriodClose { through, fx_rates } => {
                refuse_on_err!(Self::period_close_outcome(tx, group, through, &fx_rates).await?)
                    .closing_transaction_id
            }
            Request::Policy(policy) => {
                Self::write_policy(tx, group.id, &policy, maker).await?;
                None
            }
        };
        Ok(Ok(posted))
    }

    /// `operation` as it is kept: a reversal's booking date resolved now, as it would be if
    /// it were carried out now.
    async fn resolved(
        tx: &mut Tx<B::Db>,
        group: &Group,
        operation: &Operation,
    ) -> Result<Operation, TxError> {
        let Operation::Reversal {
            transaction_id,
            booked_on: None,
            description,
        } = operation
        else {
            return Ok(operation.clone());
        };
        let original = Self::load_transaction(tx, group.id, *transaction_id).await?;
        Ok(Operation::Reversal {
            transaction_id: *transaction_id,
            booked_on: Some(reversal_date(original.booked_on, group.closed_through)),
            description: description.clone(),
        })
    }

    /// What `operation` would post now in the locked `group`; the refusal the operation itself
    /// would get if a rule refuses it. A withdrawal is judged without writing; any other is
    /// carried out on a copy of the group and undone (`SAVEPOINT`), as a distribution's dry
    /// run is, and what it posted read back before it is undone.
    async fn preview(
        tx: &mut Tx<B::Db>,
        group: &Group,
        operation: &Operation,
        maker: Uuid,
    ) -> Result<Result<Vec<PreviewLine>, LedgerError>, TxError> {
        let mut copy = group.clone();
        let entries = match operation {
            Operation::Withdrawal { .. } => {
                let Request::Withdrawal(request) = operation.request(maker).map_err(internal)?
                else {
                    return Err(internal("a withdrawal's request is not a withdrawal"));
                };
                let (judged, _) =
                    refuse_on_err!(Self::judge_member_event(tx, &mut copy, &request).await?);
                judged.prepared.transaction.entries
            }
            Operation::Policy { .. } => Vec::new(),
            _ => {
                sqlx::query("SAVEPOINT approval_preview")
                    .execute(&mut **tx)
                    .await?;
                let outcome = Self::carry_out(tx, &mut copy, operation, maker).await;
                let posted = match &outcome {
                    Ok(Ok(_)) => Some(Self::posted_after(tx, group).await),
                    _ => None,
                };
                sqlx::query("ROLLBACK TO SAVEPOINT approval_preview")
                    .execute(&mut **tx)
                    .await?;
                sqlx::query("RELEASE SAVEPOINT approval_preview")
                    .execute(&mut **tx)
                    .await?;
                refuse_on_err!(outcome?);
                posted.transpose()?.unwrap_or_default()
            }
        };
        Ok(Ok(entries
            .iter()
            .map(|e| PreviewLine {
                account: e.account_code.clone(),
                direction: e.direction,
                amount_minor: e.amount_minor,
                currency: e.currency.code().to_string(),
            })
            .collect()))
    }

    /// The entries of every transaction posted in `group` after its head as `group` holds it.
    async fn posted_after(tx: &mut Tx<B::Db>, group: &Group) -> Result<Vec<Entry>, TxError> {
        let query = TransactionQuery {
            account: None,
            from: None,
            to: None,
            after_sequence: group.head_sequence,
            limit: MAX_PREVIEW_TRANSACTIONS,
        };
        let page = Self::list_transactions_in_tx(tx, group.id, &query).await?;
        if page.has_more {
            return Err(internal(
                "an operation posted more transactions than a preview shows",
            ));
        }
        Ok(page.items.into_iter().flat_map(|t| t.entries).collect())
    }

    async fn propose_outcome(
        tx: &mut Tx<B::Db>,
        group: &mut Group,
        item: &NewApproval,
    ) -> Result<Result<Approval, LedgerError>, TxError> {
        let operation = Self::resolved(tx, group, &item.operation).await?;
        let preview = refuse_on_err!(Self::preview(tx, group, &operation, item.maker_id).await?);
        let policy = Self::policy_in_tx(tx, group.id).await?;
        let approval = Approval {
            id: Uuid::now_v7(),
            group_id: group.id,
            operation,
            preview,
            maker_id: item.maker_id,
            maker_username: None,
            created_at: item.asked_at,
            expires_at: policy.expiry(item.asked_at),
            kept: ApprovalStatus::Pending,
            decided_by: None,
            decider_username: None,
            decided_at: None,
            note: None,
            result_id: None,
        };
        sqlx::query(
            "INSERT INTO approvals (id, group_id, kind, operation, preview, maker_id, created_at, \
             expires_at, status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending')",
        )
        .bind(approval.id)
        .bind(approval.group_id)
        .bind(approval.operation.kind())
        .bind(serde_json::to_string(&approval.operation).map_err(internal)?)
        .bind(serde_json::to_string(&approval.preview).map_err(internal)?)
        .bind(approval.maker_id)
        .bind(approval.created_at)
        .bind(approval.expires_at)
        .execute(&mut **tx)
        .await?;
        // Read back, with the maker's username.
        Ok(Ok(Self::approval_in_tx(tx, group.id, approval.id).await?))
    }

    /// Decides a pending item under the group's lock: an approval carries the operation out
    /// (every rule checked again now) and records what it posted; a rejection only records.
    async fn decide_outcome(
        tx: &mut Tx<B::Db>,
        group: &mut Group,
        approval_id: Uuid,
        decision: &Decision,
    ) -> Result<Result<Approval, LedgerError>, TxError> {
        let item = Self::approval_in_tx(tx, group.id, approval_id).await?;
        refuse_on_err!(may_decide(&item, decision.decider, decision.at).map_err(undecidable));
        let (status, result_id) = match decision.verdict {
            Verdict::Reject => (ApprovalStatus::Rejected, None),
            Verdict::Approve => {
                let posted = refuse_on_err!(
                    Self::carry_out(tx, group, &item.operation, item.maker_id).await?
                );
                (ApprovalStatus::Approved, posted)
            }
        };
        sqlx::query(
            "UPDATE approvals SET status = $1, decided_by = $2, decided_at = $3, note = $4, \
             result_id = $5 WHERE group_id = $6 AND id = $7 AND status = 'pending'",
        )
        .bind(status.as_str())
        .bind(decision.decider)
        .bind(decision.at)
        .bind(decision.note.as_deref())
        .bind(result_id)
        .bind(group.id)
        .bind(approval_id)
        .execute(&mut **tx)
        .await?;
        Ok(Ok(Self::approval_in_tx(tx, group.id, approval_id).await?))
    }

    async fn list_approvals_in_tx(
        tx: &mut Tx<B::Db>,
        query: &ApprovalQuery,
    ) -> Result<Page<Approval>, TxError> {
        let mut sql =
            sqlx::QueryBuilder::<B::Db>::new(const_format::concatcp!(APPROVALS, " WHERE id > "));
        sql.push_bind(query.after.unwrap_or(BEFORE_ANY_ID));
        if let Some(group) = query.group_id {
            sql.push(" AND group_id = ").push_bind(group);
        }
        if let Some(groups) = &query.groups {
            if groups.is_empty() {
                return Ok(Page {
                    items: Vec::new(),
                    has_more: false,
                });
            }
            sql.push(" AND group_id IN (");
            let mut list = sql.separated(", ");
            for group in groups {
                list.push_bind(*group);
            }
            sql.push(")");
        }
        if let Some(maker) = query.not_made_by {
            sql.push(" AND maker_id <> ").push_bind(maker);
        }
        match query.status {
            None => {}
            Some(ApprovalStatus::Pending) => {
                sql.push(" AND status = 'pending' AND expires_at > ")
                    .push_bind(query.now);
            }
            Some(ApprovalStatus::Expired) => {
                sql.push(" AND status = 'pending' AND expires_at <= ")
                    .push_bind(query.now);
            }
            Some(kept) => {
                sql.push(" AND status = ").push_bind(kept.as_str());
            }
        }
        sql.push(" ORDER BY id LIMIT ")
            .push_bind(i64::from(query.limit) + 1);
        let rows = sql.build().fetch_all(&mut **tx).await?;
        let mut items = rows
            .iter()
            .map(Self::approval_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        let has_more = items.len() > query.limit as usize;
        items.truncate(query.limit as usize);
        Ok(Page { items, has_more })
    }
}

/// Why an item cannot be decided, as the client is told. The maker is refused before the
/// store is asked; here it is the same conflict as any item that cannot be decided.
fn undecidable(reason: Undecidable) -> LedgerError {
    let detail = match reason {
        Undecidable::OwnItem => {
            "the approval was asked for by the same person; another person must decide it".into()
        }
        Undecidable::NotPending(status) => format!(
            "the approval is {}; only a pending approval can be approved or rejected",
            status.as_str()
        ),
    };
    LedgerError::Conflict {
        conflict: Conflict::StatusTransition,
        detail,
    }
}

#[async_trait]
impl<B: Backend> ApprovalStore for Ledger<B>
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
    async fn approval_policy(&self, group_id: Uuid) -> StoreResult<ApprovalPolicy> {
        read_tx!(self, |tx| {
            let result: Result<ApprovalPolicy, TxError> = async {
                Self::read_group(&mut tx, group_id).await?;
                Self::policy_in_tx(&mut tx, group_id).await
            }
            .await;
            result
        })
    }

    async fn set_approval_policy(
        &self,
        group_id: Uuid,
        policy: ApprovalPolicy,
        by: Uuid,
    ) -> StoreResult<ApprovalPolicy> {
        write_tx!(self, |tx| {
            let result: Result<StoreResult<ApprovalPolicy>, TxError> = async {
                Self::lock_group(&mut tx, group_id).await?;
                Self::write_policy(&mut tx, group_id, &policy, by).await?;
                Ok(Ok(Self::policy_in_tx(&mut tx, group_id).await?))
            }
            .await;
            result
        })
    }

    async fn propose(
        &self,
        group_id: Uuid,
        item: NewApproval,
        idempotency: Option<Idempotency<'_, Approval>>,
    ) -> StoreResult<Written<Approval>> {
        write_tx!(self, |tx| {
            let tx = &mut tx;
            async {
                guarded_write!(tx, group_id, &idempotency, |group| Self::propose_outcome(
                    tx, &mut group, &item
                )
                .await?)
            }
            .await
        })
    }

    async fn decide(
        &self,
        group_id: Uuid,
        approval_id: Uuid,
        decision: Decision,
        idempotency: Option<Idempotency<'_, Approval>>,
    ) -> StoreResult<Written<Approval>> {
        write_tx!(self, |tx| {
            let tx = &mut tx;
            async {
                guarded_write!(tx, group_id, &idempotency, |group| Self::decide_outcome(
                    tx,
                    &mut group,
                    approval_id,
                    &decision
                )
                .await?)
            }
            .await
        })
    }

    async fn get_approval(&self, group_id: Uuid, approval_id: Uuid) -> StoreResult<Approval> {
        read_tx!(self, |tx| {
            let result: Result<Approval, TxError> = async {
                Self::read_group(&mut tx, group_id).await?;
                Self::approval_in_tx(&mut tx, group_id, approval_id).await
            }
            .await;
            result
        })
    }

    async fn list_approvals(&self, query: ApprovalQuery) -> StoreResult<Page<Approval>> {
        read_tx!(self, |tx| Self::list_approvals_in_tx(&mut tx, &query).await)
    }
}
