//! Write statements sent to the database together.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::store::backend::{Backend, DbRow, Tx};
use crate::store::shared::*;
use crate::store::tx::Column;

/// Write statements sent to the database together. On PostgreSQL (`B::WRITES_AS_CTES`),
/// whose protocol takes one statement with parameters at a time, they are the
/// data-modifying parts of one `WITH` statement, sent in one round trip; parameters are
/// numbered across the whole script, and past MAX_SCRIPT_PARAMETERS the script so far is
/// sent and a new one begun, which keeps every statement within what the database allows.
/// On SQLite each statement is sent by itself and kept prepared on the connection: a
/// statement's text depends only on its table and its number of rows, so the writer's
/// connection compiles each shape once, where a script of several statements took a new
/// text, and a new compilation, with nearly every gathering's mix of rows. Each statement is
/// then a hand-off to the connection's thread of its own, which costs less than the
/// compiling did (docs/DECISIONS.md, "Statements PostgreSQL prepares once").
pub(in crate::store) struct WriteScript<B: Backend> {
    builder: sqlx::QueryBuilder<B::Db>,
    statements: usize,
    parameters: usize,
}

impl<B: Backend> WriteScript<B>
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
    pub(in crate::store) fn new() -> Self {
        WriteScript {
            builder: sqlx::QueryBuilder::new(""),
            statements: 0,
            parameters: 0,
        }
    }

    /// Starts the next statement, sending what is there first: on SQLite always, on
    /// PostgreSQL when it is long enough.
    pub(in crate::store) async fn statement(&mut self, tx: &mut Tx<B::Db>) -> Result<(), TxError> {
        if self.parameters >= crate::store::shared::MAX_SCRIPT_PARAMETERS {
            self.send(tx).await?;
        }
        let n = self.statements;
        if B::WRITES_AS_CTES {
            if n == 0 {
                self.builder.push("WITH w0 AS (");
            } else {
                self.builder.push(format!("), w{n} AS ("));
            }
        } else if n > 0 {
            // SQLite: the statement before goes by itself.
            self.send(tx).await?;
        }
        self.statements += 1;
        Ok(())
    }

    pub(in crate::store) fn push(&mut self, sql: &str) -> &mut Self {
        self.builder.push(sql);
        self
    }

    pub(in crate::store) fn bind<T>(&mut self, value: T) -> &mut Self
    where
        T: for<'q> sqlx::Encode<'q, B::Db> + sqlx::Type<B::Db>,
    {
        self.builder.push_bind(value);
        self.parameters += 1;
        self
    }

    /// Adds audit events, ROWS_PER_STATEMENT to a statement.
    pub(in crate::store) async fn audit_events<
        E: std::borrow::Borrow<crate::domain::access::AuditEvent>,
    >(
        &mut self,
        tx: &mut Tx<B::Db>,
        events: &[E],
    ) -> Result<(), TxError> {
        for chunk in events.chunks(crate::store::shared::ROWS_PER_STATEMENT) {
            self.statement(tx).await?;
            self.push(
                "INSERT INTO audit_events (id, occurred_at, user_id, username, group_id, method, route, \
                 path, status, idempotency_key, request_id, created_ids, client_addr, chain, \
                 chain_sequence, previous_hash, hash) VALUES ",
            );
            for (n, event) in chunk.iter().enumerate() {
                let event = event.borrow();
                let created = serde_json::to_string(&event.created_ids).map_err(internal)?;
                self.push(if n == 0 { "(" } else { ", (" });
                self.bind(event.id)
                    .push(", ")
                    .bind(event.occurred_at)
                    .push(", ");
                self.bind(event.user_id)
                    .push(", ")
                    .bind(event.username.clone())
                    .push(", ");
                self.bind(event.group_id)
                    .push(", ")
                    .bind(event.method.clone())
                    .push(", ");
                self.bind(event.route.clone())
                    .push(", ")
                    .bind(event.path.clone())
                    .push(", ");
                self.bind(i32::from(event.status))
                    .push(", ")
                    .bind(event.idempotency_key.clone())
                    .push(", ");
                self.bind(event.request_id.clone())
                    .push(", ")
                    .bind(created)
                    .push(", ");
                let link = event.link.as_ref();
                self.bind(event.client_addr.clone())
                    .push(", ")
                    .bind(link.map(|l| l.chain.clone()))
                    .push(", ");
                self.bind(link.map(|l| l.sequence))
                    .push(", ")
                    .bind(link.map(|l| l.previous_hash.clone()))
                    .push(", ")
                    .bind(link.map(|l| l.hash.clone()))
                    .push(")");
            }
        }
        Ok(())
    }

    /// Moves the audit chains' heads on (chain, sequence, hash), a statement each.
    pub(in crate::store) async fn audit_heads(
        &mut self,
        tx: &mut Tx<B::Db>,
        heads: &[(String, i64, String)],
    ) -> Result<(), TxError> {
        for (chain, sequence, hash) in heads {
            self.statement(tx).await?;
            self.push("UPDATE audit_heads SET sequence = ")
                .bind(*sequence)
                .push(", hash = ")
                .bind(hash.clone())
                .push(" WHERE chain = ")
                .bind(chain.clone());
        }
        Ok(())
    }

    /// Sends the statements begun so far, if any.
    pub(in crate::store) async fn send(&mut self, tx: &mut Tx<B::Db>) -> Result<(), TxError> {
        if self.statements == 0 {
            return Ok(());
        }
        if B::WRITES_AS_CTES {
            self.builder.push(") SELECT 1");
        }
        // PostgreSQL's scripts are not kept among the prepared statements: they differ with
        // every mix of rows, and each connection would keep a compiled copy of every shape
        // it met. SQLite's single statements are (see above).
        self.builder
            .build()
            .persistent(!B::WRITES_AS_CTES)
            .execute(&mut **tx)
            .await?;
        *self = WriteScript::new();
        Ok(())
    }
}
