//! What a write answers: its outcome, or the response stored with its idempotency key.

use crate::domain::error::LedgerError;

use super::StoreResult;

/// A response as first sent, kept with its idempotency key so a retry gets it again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub status: u16,
    pub body: String,
}

/// Renders the outcome of a write into the response that is stored with its idempotency key,
/// inside the same database transaction as the write. Shared, so that a write the store
/// gathers with others (see `coalesce.rs`) can render its response on the task that writes them.
pub type Render<T> =
    std::sync::Arc<dyn Fn(Result<&T, &LedgerError>) -> StoredResponse + Send + Sync>;

/// An idempotency key claimed by a write.
pub struct Idempotency<'a, T> {
    pub key: &'a str,
    /// SHA-256 (hex) of the route and the canonical request body.
    pub request_hash: &'a str,
    pub render: Render<T>,
}

/// The result of a write: new, or the stored response of an earlier request with the same key.
#[derive(Debug)]
pub enum Written<T> {
    Created(T),
    Replayed(StoredResponse),
}

/// The outcome of a write that may carry the request's audit record (a posting, a contribution
/// or a withdrawal; see `AuditDraft`), and whether that record was committed with it. When it
/// was, the request's audit layer writes nothing more; otherwise it writes the record itself.
#[derive(Debug)]
pub struct Audited<T> {
    pub outcome: StoreResult<Written<T>>,
    pub audited: bool,
}

impl<T> Audited<T> {
    /// An outcome whose write committed no audit record (written alone, or not written).
    pub fn unaudited(outcome: StoreResult<Written<T>>) -> Self {
        Audited {
            outcome,
            audited: false,
        }
    }
}

/// Scope of idempotency keys for creating groups, which belong to no group yet.
pub const GROUPS_SCOPE: &str = "groups";
