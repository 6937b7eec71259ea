//! Meetings: the events recorded at one sitting, written together or not at all.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row as _;
use uuid::Uuid;

use crate::domain::error::{LedgerError, Rule};
use crate::domain::model::*;
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
    /// Records every event of the meeting in order, each with its own transaction, as
    /// if sent one by one; if any is refused, the caller rolls all of them back and the
    /// refusal lists every failing item.
    pub(in crate::store) async fn meeting_outcome(
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

    pub(in crate::store) async fn load_meeting(
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
            "SELECT x.*, (SELECT r.id FROM transactions r WHERE r.reverses_id = x.transaction_id) AS reversed_by, \
             (SELECT c.sequence FROM transactions c WHERE c.id = x.transaction_id) AS transaction_sequence, \
             (SELECT c.hash FROM transactions c WHERE c.id = x.transaction_id) AS transaction_hash \
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
}
