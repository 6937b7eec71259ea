//! Persistence: one `Store` trait with a method per use case, implemented once for both
//! databases.
//!
//! Each method is one database transaction. `Ledger<B>` (`backend.rs`) is the store, written
//! as generic code over `B: Backend` in one module per use case (`ledger/`, `members/`,
//! `operations/`, `access/`, `reports.rs`, `network.rs`), with the running of its
//! transactions in `tx.rs`. What differs between the databases (connecting, migrations, how a
//! group's writes are serialised, which errors are retried, how many rows are written in one
//! round trip) is the `Backend` of `sqlite.rs` and of `postgres.rs`.

use async_trait::async_trait;
use chrono::NaiveDate;
use uuid::Uuid;

use crate::domain::access::{
    Admission, AuditEvent, AuditQuery, Grant, NewGrant, NewUser, Session, SignInAttempt, User,
};
use crate::domain::error::LedgerError;
use crate::domain::member::{
    EventKind, Meeting, MemberEvent, MemberEventQuery, MemberRecord, MemberStatement, MemberUpdate,
    NewMeeting, NewMember, NewMemberEvent,
};
use crate::domain::model::{
    Account, AccountRef, Group, JournalExport, NewAccount, NewGroup, NewReversal, NewTransaction,
    Page, PeriodClose, Statement, Transaction, TransactionQuery, TrialBalance, Verification,
};
use crate::domain::network::{
    CorridorLine, Indicators, NetworkFilter, Portfolio, ReturnedMember, SavingsReport, SavingsTrend,
};
use crate::domain::operations::{
    Distribution, ExitOutcome, GroupUpdate, InvestmentEvent, InvestmentEventKind, InvestmentRecord,
    InvestmentUpdate, MemberExit, NewDistribution, NewInvestment, NewInvestmentEvent, NewTransfer,
    Remittance, RemittanceDetails, RemittanceQuery, Transfer,
};
use crate::domain::reports::{
    Accreditation, CashBook, InvestmentRegister, MemberBalances, StatementData,
};
pub use transit::TransitStore;

mod access;
mod approvals;
mod backend;
pub mod batch;
mod closings;
mod coalesce;
mod connect;
mod events;
mod ledger;
mod members;
mod network;
mod operations;
mod pg_hosts;
pub mod pg_statistics;
mod postgres;
mod proofs;
mod reports;
mod shared;
mod sqlite;
mod sqlite_checkpoints;
mod stats;
pub mod transit;
mod tx;
mod written;

pub use approvals::{ApprovalStore, Decision, NewApproval};
pub use backend::write_lane;
pub use backend::{Backend, Ledger};
pub use closings::{ClosingPass, ClosingStore};
pub use connect::{
    MAX_WRITE_LANES, POSTGRES_GROUP_COMMIT_MAX, POSTGRES_WRITE_LANES, SQLITE_GROUP_COMMIT_MAX,
    SQLITE_WRITE_LANES, StoreOptions, connect, connect_with,
};
pub use events::EventStore;
pub use postgres::{PostgresBackend, PostgresStore};
pub use shared::recorded_now;
pub use sqlite::{SqliteBackend, SqliteStore, WRITER_THREAD as SQLITE_WRITER_THREAD};
pub use stats::{PoolStats, StoreStats};
pub use written::{Audited, GROUPS_SCOPE, Idempotency, Render, StoredResponse, Written};

pub type StoreResult<T> = Result<T, LedgerError>;

/// Users, grants, settings and the audit log. Each method is one database transaction.
#[async_trait]
pub trait AccessStore: Send + Sync + 'static {
    async fn user_count(&self) -> StoreResult<i64>;
    /// Creates a user with its grants; a grant naming a group that does not exist, or a member
    /// grant naming no member of its group, is refused.
    async fn create_user(&self, user: NewUser) -> StoreResult<User>;
    async fn list_users(&self, after: Option<Uuid>, limit: u32) -> StoreResult<Vec<User>>;
    async fn get_user(&self, user_id: Uuid) -> StoreResult<User>;
    /// The user and their password hash, for signing in.
    async fn find_login(&self, username: &str) -> StoreResult<Option<(User, String)>>;
    async fn add_grant(&self, user_id: Uuid, grant: NewGrant) -> StoreResult<Grant>;
    /// Removes a grant (grants are permissions, not ledger history; the audit log keeps the act).
    async fn delete_grant(&self, user_id: Uuid, grant_id: Uuid) -> StoreResult<()>;
    /// Changes the password, which ends the user's tokens and sessions.
    async fn set_password(&self, user_id: Uuid, password_hash: &str) -> StoreResult<()>;
    /// Disables the user, which ends their tokens and sessions.
    async fn disable_user(&self, user_id: Uuid) -> StoreResult<User>;
    /// The setting's value, storing `value` first if it has none (the first instance wins).
    async fn setting_or_init(&self, name: &str, value: &str) -> StoreResult<String>;
    async fn record_audit(&self, event: &AuditEvent) -> StoreResult<()>;
    async fn list_audit(&self, query: AuditQuery) -> StoreResult<Page<AuditEvent>>;
    /// Recomputes the audit log's hash chains (`domain::audit_chain`) in one snapshot.
    async fn verify_audit(&self) -> StoreResult<crate::domain::audit_chain::Verification>;
    /// Checks a sign-in attempt against the locks of its failure counts and, when admitted,
    /// counts it as a failure in those counted on admission; forgets counts whose window has
    /// passed. Kept in the database, so every process on it shares the counts.
    async fn admit_sign_in(&self, attempt: &SignInAttempt) -> StoreResult<Admission>;
    /// The admitted attempt signed in: its counts are cleared or given the attempt back, and
    /// its address becomes known for the user.
    async fn sign_in_succeeded(&self, attempt: &SignInAttempt) -> StoreResult<()>;
    /// The admitted attempt's password was wrong: the counts not counted on admission grow.
    async fn sign_in_failed(&self, attempt: &SignInAttempt) -> StoreResult<()>;
    /// Forgets every failure count of `username` (from one address or from anywhere), which
    /// lifts its locks.
    async fn lift_sign_in_locks(&self, username: &str) -> StoreResult<()>;
    /// Keeps a new browser session, forgetting the user's sessions that have ended by its
    /// start (`idle` is how long one lasts unused).
    async fn create_session(&self, session: &Session, idle: chrono::Duration) -> StoreResult<()>;
    /// The session whose cookie hashes to `token_hash`, if it is kept (ended or not).
    async fn find_session(&self, token_hash: &str) -> StoreResult<Option<Session>>;
    /// The session was used at `at`.
    async fn touch_session(
        &self,
        token_hash: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<()>;
    /// Forgets the session (signing out); nothing happens if it is not kept.
    async fn delete_session(&self, token_hash: &str) -> StoreResult<()>;
}

/// Members and the contributions and withdrawals recorded for them. Each method is one
/// database transaction; recording an event also writes its balanced journal transaction.
#[async_trait]
pub trait MemberStore: Send + Sync + 'static {
    async fn create_member(
        &self,
        group_id: Uuid,
        member: NewMember,
        idempotency: Option<Idempotency<'_, MemberRecord>>,
    ) -> StoreResult<Written<MemberRecord>>;
    async fn list_members(
        &self,
        group_id: Uuid,
        after: Option<Uuid>,
        limit: u32,
    ) -> StoreResult<Vec<MemberRecord>>;
    async fn get_member(&self, group_id: Uuid, member_id: Uuid) -> StoreResult<MemberRecord>;
    /// The corrections made to a member's record, oldest first.
    async fn list_member_corrections(
        &self,
        group_id: Uuid,
        member_id: Uuid,
    ) -> StoreResult<Vec<crate::domain::member::MemberCorrectionRecord>>;
    /// The ids of the group's members with these numbers, as (number, id); numbers no member
    /// has are left out. Numbers are never reused, so the answer never goes stale.
    async fn member_ids_by_number(
        &self,
        group_id: Uuid,
        numbers: &[i64],
    ) -> StoreResult<Vec<(i64, Uuid)>>;
    async fn update_member(
        &self,
        group_id: Uuid,
        member_id: Uuid,
        update: MemberUpdate,
    ) -> StoreResult<MemberRecord>;
    /// Records a contribution or withdrawal; the audit record it carries may be committed
    /// with it (see [`Audited`]).
    async fn record_member_event(
        &self,
        group_id: Uuid,
        event: NewMemberEvent,
        idempotency: Option<Idempotency<'_, MemberEvent>>,
    ) -> Audited<MemberEvent>;
    async fn list_member_events(
        &self,
        group_id: Uuid,
        query: MemberEventQuery,
    ) -> StoreResult<Page<MemberEvent>>;
    async fn get_member_event(
        &self,
        group_id: Uuid,
        kind: EventKind,
        event_id: Uuid,
    ) -> StoreResult<MemberEvent>;
    async fn member_statement(
        &self,
        group_id: Uuid,
        member_id: Uuid,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> StoreResult<MemberStatement>;
}

/// What a group does with its money beyond members' deposits: its status, investments,
/// remittances, transfers, distributions, and members leaving. Each method is one database
/// transaction; each recorded event writes its balanced journal transaction.
#[async_trait]
pub trait OperationsStore: Send + Sync + 'static {
    async fn update_group(&self, group_id: Uuid, update: GroupUpdate) -> StoreResult<Group>;

    async fn create_investment(
        &self,
        group_id: Uuid,
        investment: NewInvestment,
        idempotency: Option<Idempotency<'_, InvestmentRecord>>,
    ) -> StoreResult<Written<InvestmentRecord>>;
    async fn list_investments(
        &self,
        group_id: Uuid,
        after: Option<Uuid>,
        limit: u32,
    ) -> StoreResult<Page<InvestmentRecord>>;
    async fn get_investment(
        &self,
        group_id: Uuid,
        investment_id: Uuid,
    ) -> StoreResult<InvestmentRecord>;
    async fn update_investment(
        &self,
        group_id: Uuid,
        investment_id: Uuid,
        update: InvestmentUpdate,
    ) -> StoreResult<InvestmentRecord>;
    async fn record_investment_event(
        &self,
        group_id: Uuid,
        event: NewInvestmentEvent,
        idempotency: Option<Idempotency<'_, InvestmentEvent>>,
    ) -> StoreResult<Written<InvestmentEvent>>;
    /// Events of one or two kinds (returns are income and capital returned).
    async fn list_investment_events(
        &self,
        group_id: Uuid,
        investment_id: Uuid,
        kinds: &[InvestmentEventKind],
        after: Option<Uuid>,
        limit: u32,
        include_reversed: bool,
    ) -> StoreResult<Page<InvestmentEvent>>;
    async fn get_investment_event(
        &self,
        group_id: Uuid,
        investment_id: Uuid,
        kinds: &[InvestmentEventKind],
        event_id: Uuid,
    ) -> StoreResult<InvestmentEvent>;

    async fn record_remittance(
        &self,
        group_id: Uuid,
        details: RemittanceDetails,
        created_by: Option<Uuid>,
        idempotency: Option<Idempotency<'_, Remittance>>,
    ) -> StoreResult<Written<Remittance>>;
    async fn list_remittances(
        &self,
        group_id: Uuid,
        query: RemittanceQuery,
    ) -> StoreResult<Page<Remittance>>;
    async fn get_remittance(&self, group_id: Uuid, remittance_id: Uuid) -> StoreResult<Remittance>;

    async fn record_transfer(
        &self,
        group_id: Uuid,
        transfer: NewTransfer,
        idempotency: Option<Idempotency<'_, Transfer>>,
    ) -> StoreResult<Written<Transfer>>;
    async fn list_transfers(
        &self,
        group_id: Uuid,
        after: Option<Uuid>,
        limit: u32,
        include_reversed: bool,
    ) -> StoreResult<Page<Transfer>>;
    async fn get_transfer(&self, group_id: Uuid, transfer_id: Uuid) -> StoreResult<Transfer>;

    /// Declares a distribution, or with `dry_run` works it out and writes nothing.
    async fn distribute(
        &self,
        group_id: Uuid,
        request: NewDistribution,
        idempotency: Option<Idempotency<'_, Distribution>>,
    ) -> StoreResult<Written<Distribution>>;
    async fn list_distributions(
        &self,
        group_id: Uuid,
        after: Option<Uuid>,
        limit: u32,
    ) -> StoreResult<Page<Distribution>>;
    async fn get_distribution(
        &self,
        group_id: Uuid,
        distribution_id: Uuid,
    ) -> StoreResult<Distribution>;

    /// Pays out a member who returns home or exits, and marks their status.
    async fn exit_member(
        &self,
        group_id: Uuid,
        member_id: Uuid,
        request: MemberExit,
        idempotency: Option<Idempotency<'_, ExitOutcome>>,
    ) -> StoreResult<Written<ExitOutcome>>;
    /// Records a meeting's attendance and events at once: all of them or, if any is refused,
    /// none (the refusal lists every failing item).
    async fn record_meeting(
        &self,
        group_id: Uuid,
        meeting: NewMeeting,
        idempotency: Option<Idempotency<'_, Meeting>>,
    ) -> StoreResult<Written<Meeting>>;
    async fn list_meetings(
        &self,
        group_id: Uuid,
        after: Option<Uuid>,
        limit: u32,
    ) -> StoreResult<Page<Meeting>>;
    async fn get_meeting(&self, group_id: Uuid, meeting_id: Uuid) -> StoreResult<Meeting>;

    /// The group's journal booked from `from` to `to` (all of it when both are `None`), read in
    /// one transaction, for export to accounting tools.
    async fn export_journal(
        &self,
        group_id: Uuid,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> StoreResult<JournalExport>;
    /// The start of a streamed export: the group, whose head sequence pins the snapshot every
    /// page is read up to, and its accounts, read together (no transactions).
    async fn export_start(&self, group_id: Uuid) -> StoreResult<JournalExport>;
    /// One page of a streamed export, in its own short read transaction. The journal is
    /// append-only, so pages read up to the pinned head add up to the journal as it was then.
    async fn export_page(
        &self,
        group_id: Uuid,
        page: &ExportPage,
    ) -> StoreResult<Page<Transaction>>;
}

/// Which transactions one page of an export holds: booked in `from`..`to`, with sequences
/// after `after_sequence` and not after `through_sequence`, at most `limit` of them.
#[derive(Debug, Clone, Copy)]
pub struct ExportPage {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub after_sequence: i64,
    pub through_sequence: i64,
    pub limit: u32,
}

/// Group reports for treasurers and the task force, read from the journal in one transaction
/// each.
#[async_trait]
pub trait ReportStore: Send + Sync + 'static {
    /// Every account with its totals to `to`, and within `from`..`to` without period closes.
    async fn statement_data(
        &self,
        group_id: Uuid,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> StoreResult<StatementData>;
    async fn member_balances(
        &self,
        group_id: Uuid,
        as_of: Option<NaiveDate>,
    ) -> StoreResult<MemberBalances>;
    /// The statement of one asset account, or of every cash and bank account.
    async fn cash_book(
        &self,
        group_id: Uuid,
        account: Option<AccountRef>,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> StoreResult<CashBook>;
    async fn investment_register(&self, group_id: Uuid) -> StoreResult<InvestmentRegister>;
    async fn distribution_audit(&self, group_id: Uuid) -> StoreResult<Vec<Distribution>>;
    /// What the group's performance from `from` (its first booking when `None`) to `to` is
    /// worked out from, and the group as read in the same transaction.
    async fn performance_facts(
        &self,
        group_id: Uuid,
        from: Option<NaiveDate>,
        to: NaiveDate,
    ) -> StoreResult<crate::domain::performance::LoadedPerformance>;
    /// Everything the accreditation statement on `on` says, read in one transaction so that
    /// its parts agree: the group's whole life to `on`, and, unless `on` is before the group
    /// began, the year to `on`, the financial statements to it, the investments, the
    /// distributions and the hash chain's verification.
    async fn accreditation_facts(
        &self,
        group_id: Uuid,
        on: NaiveDate,
    ) -> StoreResult<Accreditation>;
}

/// The task force's reports across groups, read from the journal at request time. Each method
/// is one read transaction over one snapshot, so a report's parts agree with each other.
#[async_trait]
pub trait NetworkStore: Send + Sync + 'static {
    /// Members by status and their savings and capital per group and currency, from entries
    /// booked on or before `as_of` (all when `None`).
    async fn savings_report(
        &self,
        filter: &NetworkFilter,
        as_of: Option<NaiveDate>,
    ) -> StoreResult<SavingsReport>;
    /// Every investment of the groups, by kind, by sector and by country.
    async fn portfolio_report(
        &self,
        filter: &NetworkFilter,
        suppression_min: u32,
    ) -> StoreResult<Portfolio>;
    /// Remittances booked from `from` to `to` whose transaction (if any) stands, by corridor,
    /// month (and channel, when `by_channel`) and currency pair.
    async fn remittance_corridors(
        &self,
        filter: &NetworkFilter,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        by_channel: bool,
    ) -> StoreResult<Vec<CorridorLine>>;
    /// Members who had joined by `as_of` and their figures on that date, by sex, age band,
    /// host and home country and currency; cells of fewer than `suppression_min` members
    /// suppressed.
    async fn indicators_report(
        &self,
        as_of: NaiveDate,
        suppression_min: u32,
    ) -> StoreResult<Indicators>;
    /// Members who returned home, with their stake when they left and what they keep invested.
    async fn reintegration_report(&self) -> StoreResult<Vec<ReturnedMember>>;
    /// Savings month by month from `from` to `to`, by sex and currency, of the members of the
    /// groups `filter` covers; cells of fewer than `suppression_min` people suppressed.
    async fn savings_trend(
        &self,
        filter: &NetworkFilter,
        from: NaiveDate,
        to: NaiveDate,
        suppression_min: u32,
    ) -> StoreResult<SavingsTrend>;
}

/// The service's signing keys, and what checkpoints are made of (see `crate::signing`).
#[async_trait]
pub trait ProofStore: Send + Sync + 'static {
    /// The current signing key, storing `candidate` as the first if there is none (the first
    /// process wins, however many start at once).
    async fn signing_key_or_init(
        &self,
        candidate: &crate::signing::StoredKey,
    ) -> StoreResult<crate::signing::StoredKey>;
    /// Makes `key` the current signing key (stored if new), retiring the one before it at the
    /// key's `began_at`; the old one stays published.
    async fn adopt_signing_key(
        &self,
        key: &crate::signing::StoredKey,
    ) -> StoreResult<crate::signing::StoredKey>;
    /// Every signing key ever used, oldest first, without private keys.
    async fn published_keys(&self) -> StoreResult<Vec<crate::signing::StoredKey>>;
    /// The group's head sequence and its checkpoint at `sequence` (the head when `None`), or
    /// no checkpoint when `sequence` lies beyond the head.
    async fn checkpoint(
        &self,
        group_id: Uuid,
        sequence: Option<i64>,
    ) -> StoreResult<(i64, Option<crate::domain::receipts::Checkpoint>)>;
}

#[async_trait]
pub trait Store:
    AccessStore
    + ApprovalStore
    + EventStore
    + MemberStore
    + OperationsStore
    + TransitStore
    + ReportStore
    + NetworkStore
    + ProofStore
    + ClosingStore
    + Send
    + Sync
    + 'static
{
    /// Which backend this is, for logs and health output.
    fn backend(&self) -> &'static str;
    /// Commits made by this store so far and the writes they carried (see group commit in
    /// `batch`).
    fn write_commits(&self) -> batch::CommitCounts;
    /// The histograms of commit latency and writes per commit (shared handles).
    fn commit_timings(&self) -> batch::CommitTimings;
    /// The store's connections and queues as they are now, for the service's metrics.
    fn stats(&self) -> StoreStats;
    /// The database answers and every migration this build knows of has been applied.
    async fn ready(&self) -> StoreResult<()>;
    /// Closes the pool, waiting for connections in use to be returned.
    async fn close(&self);

    async fn create_group(
        &self,
        group: NewGroup,
        idempotency: Option<Idempotency<'_, Group>>,
    ) -> StoreResult<Written<Group>>;
    async fn list_groups(&self, after: Option<Uuid>, limit: u32) -> StoreResult<Vec<Group>>;
    /// Every time zone that some group keeps, once each.
    async fn group_time_zones(&self) -> StoreResult<Vec<crate::domain::dates::Tz>>;
    async fn get_group(&self, group_id: Uuid) -> StoreResult<Group>;

    async fn create_account(
        &self,
        group_id: Uuid,
        account: NewAccount,
        idempotency: Option<Idempotency<'_, Account>>,
    ) -> StoreResult<Written<Account>>;
    async fn list_accounts(&self, group_id: Uuid) -> StoreResult<Vec<Account>>;
    async fn get_account(&self, group_id: Uuid, account: &AccountRef) -> StoreResult<Account>;
    /// The account with its totals over the entries booked on or before `as_of` only.
    async fn account_as_of(
        &self,
        group_id: Uuid,
        account: &AccountRef,
        as_of: NaiveDate,
    ) -> StoreResult<Account>;

    /// Posts a transaction; the audit record it carries may be committed with it (see
    /// [`Audited`]).
    async fn post_transaction(
        &self,
        group_id: Uuid,
        transaction: NewTransaction,
        idempotency: Option<Idempotency<'_, Transaction>>,
    ) -> Audited<Transaction>;
    async fn reverse_transaction(
        &self,
        group_id: Uuid,
        transaction_id: Uuid,
        reversal: NewReversal,
        idempotency: Option<Idempotency<'_, Transaction>>,
    ) -> StoreResult<Written<Transaction>>;
    async fn list_transactions(
        &self,
        group_id: Uuid,
        query: TransactionQuery,
    ) -> StoreResult<Page<Transaction>>;
    async fn get_transaction(
        &self,
        group_id: Uuid,
        transaction_id: Uuid,
    ) -> StoreResult<Transaction>;

    async fn account_statement(
        &self,
        group_id: Uuid,
        account: &AccountRef,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> StoreResult<Statement>;
    async fn trial_balance(
        &self,
        group_id: Uuid,
        as_of: Option<NaiveDate>,
    ) -> StoreResult<TrialBalance>;

    /// Closes the period through `through`, first revaluing the FX positions at the closing
    /// rates given (none: no revaluation).
    async fn close_period(
        &self,
        group_id: Uuid,
        through: NaiveDate,
        fx_rates: Vec<crate::domain::fx::FxRate>,
        idempotency: Option<Idempotency<'_, PeriodClose>>,
    ) -> StoreResult<Written<PeriodClose>>;
    async fn verify_ledger(&self, group_id: Uuid) -> StoreResult<Verification>;
}
