//! Who may do what: users, their role grants, and the audit log's events.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A role, granted service-wide (admin, auditor) or for one group (treasurer, chair, member).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, everywhere: the service's administrators.
    Admin,
    /// Reads every group, changes nothing: the task force.
    Auditor,
    /// Reads and writes one group's ledger.
    Treasurer,
    /// Approves or rejects what waits for a second person in one group (four eyes), and reads
    /// the group's ledger to judge it; writes nothing else.
    Chair,
    /// Reads one member's own records and group totals that reveal no other member.
    Member,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Auditor => "auditor",
            Role::Treasurer => "treasurer",
            Role::Chair => "chair",
            Role::Member => "member",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "admin" => Role::Admin,
            "auditor" => Role::Auditor,
            "treasurer" => Role::Treasurer,
            "chair" => Role::Chair,
            "member" => Role::Member,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub id: Uuid,
    pub role: Role,
    pub group_id: Option<Uuid>,
    pub member_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewGrant {
    pub role: Role,
    pub group_id: Option<Uuid>,
    pub member_id: Option<Uuid>,
}

impl NewGrant {
    /// Service-wide roles name no group; group roles name one; a member grant names its member.
    pub fn check(&self) -> Result<(), &'static str> {
        match (self.role, self.group_id, self.member_id) {
            (Role::Admin | Role::Auditor, None, None) => Ok(()),
            (Role::Admin | Role::Auditor, _, _) => {
                Err("admin and auditor grants are service-wide: give no group_id or member_id")
            }
            (Role::Treasurer, Some(_), None) => Ok(()),
            (Role::Treasurer, _, _) => Err("a treasurer grant needs a group_id and no member_id"),
            (Role::Chair, Some(_), None) => Ok(()),
            (Role::Chair, _, _) => Err("a chair grant needs a group_id and no member_id"),
            (Role::Member, Some(_), Some(_)) => Ok(()),
            (Role::Member, _, _) => Err("a member grant needs a group_id and a member_id"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: Uuid,
    pub username: String,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    /// Raised by every password change; tokens issued under an older value are refused.
    pub token_version: i64,
    pub grants: Vec<Grant>,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub password_hash: String,
    pub grants: Vec<NewGrant>,
}

/// One count of failed sign-ins an attempt is checked against and counted in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureCounter {
    /// What is counted, such as `user+address ana 203.0.113.9`.
    pub key: String,
    /// The user the count belongs to, whose locks an administrator can lift; `None` for an
    /// address's count.
    pub username: Option<String>,
    /// Failures allowed before the count locks; each one past them locks it for longer.
    pub free_failures: i64,
    /// Whether a user signing in from an address they signed in from lately is exempt.
    pub known_addresses_exempt: bool,
    /// Whether a successful sign-in clears the count, or only takes its own attempt back.
    pub cleared_by_success: bool,
    /// Whether an attempt counts as a failure from the moment it is admitted (until it is
    /// known to have succeeded), so that guesses sent all at once get no more tries than
    /// guesses sent one by one; or only once its password was found wrong, so that
    /// successful sign-ins never count, not even while they are being checked.
    pub counted_on_admission: bool,
}

/// How long a count is locked after failures past its free ones: `first_ms` after the first,
/// twice as long after each further one, never more than `max_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockDelays {
    pub first_ms: i64,
    pub max_ms: i64,
}

impl LockDelays {
    /// How long a count of `failures` with `free_failures` free is locked after its last
    /// failure: nothing while failures remain free, then growing with each failure.
    pub fn lock_ms(&self, failures: i64, free_failures: i64) -> i64 {
        if failures < free_failures.max(1) {
            return 0;
        }
        let doublings = u32::try_from(failures - free_failures.max(1)).unwrap_or(u32::MAX);
        let grown = match 1i64.checked_shl(doublings.min(62)) {
            Some(factor) => self.first_ms.saturating_mul(factor),
            None => i64::MAX,
        };
        grown.min(self.max_ms).max(0)
    }

    /// Milliseconds until a count of `failures`, last grown at `last_failure_ms`, admits an
    /// attempt again at `now_ms`; `None` when it admits one now.
    pub fn wait_ms(
        &self,
        failures: i64,
        free_failures: i64,
        last_failure_ms: i64,
        now_ms: i64,
    ) -> Option<i64> {
        // A count under its free failures is never locked, even when an attempt admitted at
        // the same moment (or another process, its clock a little ahead) counted a failure
        // stamped later than `now_ms`.
        let lock_ms = self.lock_ms(failures, free_failures);
        if lock_ms == 0 {
            return None;
        }
        let lock_ends_ms = last_failure_ms.saturating_add(lock_ms);
        (now_ms < lock_ends_ms).then(|| lock_ends_ms - now_ms)
    }
}

/// A sign-in attempt as the limits see it. Times are milliseconds since the Unix epoch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInAttempt {
    pub username: String,
    /// The client's address as the limits count it (an IPv6 client by its /64).
    pub address: String,
    pub counters: Vec<FailureCounter>,
    pub now_ms: i64,
    /// A count is forgotten once this long has passed since its last failure. Longer than
    /// the longest lock, so that a lock that ends does not take the count with it.
    pub window_ms: i64,
    pub delays: LockDelays,
    /// How long an address a user signed in from stays known after the sign-in.
    pub known_for_ms: i64,
}

/// Whether a sign-in attempt may check its password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Yes; it counts as a failure until it is known to have succeeded.
    Admitted,
    /// No, until the lock of the count it ran into ends.
    Refused { retry_after_ms: i64 },
}

/// One state-changing request, as the audit log keeps it. Never a password, token or body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub id: Uuid,
    pub occurred_at: DateTime<Utc>,
    pub user_id: Option<Uuid>,
    pub username: Option<String>,
    pub group_id: Option<Uuid>,
    pub method: String,
    pub route: String,
    pub path: String,
    pub status: u16,
    pub idempotency_key: Option<String>,
    pub request_id: Option<String>,
    pub created_ids: Vec<Uuid>,
    pub client_addr: Option<String>,
    /// The record's place in the audit chains (see `audit_chain`), given as it is written;
    /// `None` before, and for records written before the chains began.
    pub link: Option<AuditLink>,
}

/// A record's place in its audit chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditLink {
    /// The group's id, or `"service"` for records naming no group.
    pub chain: String,
    pub sequence: i64,
    pub previous_hash: String,
    pub hash: String,
}

/// A write request's audit record before its outcome is known. The store writes it in the
/// write's own transaction, with the outcome, so that the record commits with the write and
/// costs no commit of its own; the store's answer then says the record was committed with the
/// write, and the request's audit layer writes nothing more. A request whose write did not
/// commit the record (refused before it was written, written alone, or failed) is recorded by
/// the audit layer as before.
#[derive(Debug, Clone)]
pub struct AuditDraft {
    /// The record, its outcome (status, created ids) still to be filled in.
    pub record: AuditEvent,
}

impl AuditDraft {
    /// The record, for an outcome answered with `status` that created `created_ids`.
    pub fn event(
        &self,
        occurred_at: DateTime<Utc>,
        status: u16,
        created_ids: Vec<Uuid>,
    ) -> AuditEvent {
        AuditEvent {
            id: Uuid::now_v7(),
            occurred_at,
            status,
            created_ids,
            ..self.record.clone()
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub group_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub after: Option<Uuid>,
    pub limit: u32,
}

/// A browser's signed-in session as the service keeps it. The cookie's value itself is never
/// stored, only its SHA-256, so a copy of the database signs no one in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// SHA-256 of the cookie's value, as lower-case hex.
    pub token_hash: String,
    pub user_id: Uuid,
    /// The user's token version at sign-in: a password changed since ends the session.
    pub token_version: i64,
    /// What the browser sends back in `X-CSRF-Token` with every write the cookie authenticates.
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    /// When the session was last used, moved on at most every [`Session::TOUCH_INTERVAL_SECS`].
    pub last_seen_at: DateTime<Utc>,
    /// The absolute end, however much the session is used.
    pub expires_at: DateTime<Utc>,
}

/// How long a session lasts: unused, and at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLifetimes {
    pub idle: chrono::Duration,
    pub absolute: chrono::Duration,
}

impl Session {
    /// `last_seen_at` is written at most once a minute per session, not on every request: the
    /// idle lifetime is days long, and a minute of it is not worth a write per request.
    pub const TOUCH_INTERVAL_SECS: i64 = 60;

    /// When the session ends if it is not used before: its idle end, or its absolute end if
    /// that comes first.
    pub fn idle_expires_at(&self, idle: chrono::Duration) -> DateTime<Utc> {
        (self.last_seen_at + idle).min(self.expires_at)
    }

    /// Whether the session is still open at `now`.
    pub fn is_open(&self, now: DateTime<Utc>, idle: chrono::Duration) -> bool {
        now < self.expires_at && now < self.last_seen_at + idle
    }

    /// Whether a request at `now` should move `last_seen_at` on.
    pub fn needs_touch(&self, now: DateTime<Utc>) -> bool {
        now - self.last_seen_at >= chrono::Duration::seconds(Self::TOUCH_INTERVAL_SECS)
    }
}

#[cfg(test)]
mod session_tests {
    use super::*;

    fn session(last_seen_at: DateTime<Utc>, expires_at: DateTime<Utc>) -> Session {
        Session {
            token_hash: String::new(),
            user_id: Uuid::nil(),
            token_version: 0,
            csrf_token: String::new(),
            created_at: last_seen_at,
            last_seen_at,
            expires_at,
        }
    }

    #[test]
    fn a_session_ends_at_its_idle_end_or_its_absolute_end_whichever_comes_first() {
        let start = DateTime::parse_from_rfc3339("2026-12-06T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let idle = chrono::Duration::days(7);
        let s = session(start, start + chrono::Duration::days(30));
        assert!(s.is_open(start, idle));
        assert!(s.is_open(start + idle - chrono::Duration::seconds(1), idle));
        assert!(!s.is_open(start + idle, idle));
        assert_eq!(s.idle_expires_at(idle), start + idle);
        let late = session(
            start + chrono::Duration::days(28),
            start + chrono::Duration::days(30),
        );
        assert!(late.is_open(start + chrono::Duration::days(29), idle));
        assert!(!late.is_open(start + chrono::Duration::days(30), idle));
        assert_eq!(
            late.idle_expires_at(idle),
            start + chrono::Duration::days(30)
        );
    }

    #[test]
    fn last_seen_is_moved_on_at_most_once_a_minute() {
        let start = DateTime::parse_from_rfc3339("2026-12-06T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let s = session(start, start + chrono::Duration::days(30));
        assert!(!s.needs_touch(start + chrono::Duration::seconds(59)));
        assert!(s.needs_touch(start + chrono::Duration::seconds(60)));
    }
}
