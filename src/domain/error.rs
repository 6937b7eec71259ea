//! The one error type of the domain and store layers. The HTTP layer maps each variant to a
//! problem+json response in one place (`http::error`).

/// A field that is wrong, named by its JSON pointer into the request (RFC 6901).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub pointer: String,
    pub detail: String,
}

impl FieldError {
    pub fn new(pointer: impl Into<String>, detail: impl Into<String>) -> Self {
        FieldError {
            pointer: pointer.into(),
            detail: detail.into(),
        }
    }
}

/// Why one item of a batch was refused: where it is (a JSON pointer), the problem type it
/// would have had on its own, and the detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemError {
    pub pointer: String,
    pub slug: &'static str,
    pub detail: String,
}

impl ItemError {
    /// The reasons `error` gives for the item at `prefix` (such as `/events/3`).
    pub fn from_error(prefix: &str, error: LedgerError) -> Vec<ItemError> {
        let at = |pointer: Option<String>| match pointer {
            Some(p) if p != "/" => format!("{prefix}{p}"),
            _ => prefix.to_string(),
        };
        match error {
            LedgerError::Invalid(fields) => fields
                .into_iter()
                .map(|f| ItemError {
                    pointer: at(Some(f.pointer)),
                    slug: "invalid-field",
                    detail: f.detail,
                })
                .collect(),
            LedgerError::Rule {
                rule,
                detail,
                pointer,
            } => {
                vec![ItemError {
                    pointer: at(pointer),
                    slug: rule.slug(),
                    detail,
                }]
            }
            LedgerError::Conflict { conflict, detail } => {
                vec![ItemError {
                    pointer: at(None),
                    slug: conflict.slug(),
                    detail,
                }]
            }
            LedgerError::NotFound(what) => vec![ItemError {
                pointer: at(None),
                slug: "not-found",
                detail: format!("{what} not found"),
            }],
            LedgerError::Items(items) => items
                .into_iter()
                .map(|i| ItemError {
                    pointer: at(Some(i.pointer)),
                    ..i
                })
                .collect(),
            other => vec![ItemError {
                pointer: at(None),
                slug: "internal",
                detail: other.to_string(),
            }],
        }
    }
}

/// Ledger rules a well-formed request can still break. Each has a stable slug that becomes the
/// problem `type`, so clients can branch on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    EntryCount,
    NonPositiveAmount,
    UnknownAccount,
    CurrencyMismatch,
    Unbalanced,
    Overdraft,
    ClosedPeriod,
    Overflow,
    UnknownMember,
    MemberNotActive,
    UsesMismatch,
    PoolExceedsAvailable,
    NoRecipients,
    InvestmentClosed,
    AccountKind,
    UnknownInvestment,
}

impl Rule {
    pub fn slug(self) -> &'static str {
        match self {
            Rule::EntryCount => "entry-count",
            Rule::NonPositiveAmount => "non-positive-amount",
            Rule::UnknownAccount => "unknown-account",
            Rule::CurrencyMismatch => "currency-mismatch",
            Rule::Unbalanced => "unbalanced",
            Rule::Overdraft => "overdraft",
            Rule::ClosedPeriod => "closed-period",
            Rule::Overflow => "amount-overflow",
            Rule::UnknownMember => "unknown-member",
            Rule::MemberNotActive => "member-not-active",
            Rule::UsesMismatch => "uses-mismatch",
            Rule::PoolExceedsAvailable => "pool-exceeds-available",
            Rule::NoRecipients => "no-recipients",
            Rule::InvestmentClosed => "investment-closed",
            Rule::AccountKind => "account-kind",
            Rule::UnknownInvestment => "unknown-investment",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Rule::EntryCount => "A transaction needs 2 to 100 entries",
            Rule::NonPositiveAmount => "Entry amounts must be greater than zero",
            Rule::UnknownAccount => "An entry names an account that does not exist in this group",
            Rule::CurrencyMismatch => "An entry's amount is not in its account's currency",
            Rule::Unbalanced => "Debits and credits differ in a currency",
            Rule::Overdraft => "The transaction would overdraw a no-overdraft account",
            Rule::ClosedPeriod => "The booking date is inside a closed period",
            Rule::Overflow => "A total would exceed the largest amount the ledger can hold",
            Rule::UnknownMember => "No member of this group has this id",
            Rule::MemberNotActive => "The member has returned home or exited",
            Rule::UsesMismatch => "A remittance's uses do not add up to the amount received",
            Rule::PoolExceedsAvailable => "The pool is larger than what is available to distribute",
            Rule::NoRecipients => "No member has a weight on this basis",
            Rule::InvestmentClosed => "The investment has been exited or written off",
            Rule::AccountKind => "The account is not of the kind this operation needs",
            Rule::UnknownInvestment => "No investment of this group has this id",
        }
    }
}

/// Conflicts with the current state of the ledger (HTTP 409).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conflict {
    AlreadyReversed,
    IsReversal,
    DuplicateAccountCode,
    PeriodAlreadyClosed,
    RequestInFlight,
    DuplicateUsername,
    LastAdmin,
    MemberExited,
    StatusTransition,
    GroupClosed,
    RemittanceNotInTransit,
    RemittanceSettled,
}

impl Conflict {
    pub fn slug(self) -> &'static str {
        match self {
            Conflict::AlreadyReversed => "already-reversed",
            Conflict::IsReversal => "reversal-of-reversal",
            Conflict::DuplicateAccountCode => "duplicate-account-code",
            Conflict::PeriodAlreadyClosed => "period-already-closed",
            Conflict::RequestInFlight => "request-in-flight",
            Conflict::DuplicateUsername => "duplicate-username",
            Conflict::LastAdmin => "last-admin",
            Conflict::MemberExited => "member-exited",
            Conflict::StatusTransition => "status-transition",
            Conflict::GroupClosed => "group-closed",
            Conflict::RemittanceNotInTransit => "remittance-not-in-transit",
            Conflict::RemittanceSettled => "remittance-settled",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Conflict::AlreadyReversed => "The transaction has already been reversed",
            Conflict::IsReversal => "A reversal cannot itself be reversed",
            Conflict::DuplicateAccountCode => {
                "An account with this code already exists in the group"
            }
            Conflict::PeriodAlreadyClosed => {
                "The ledger is already closed through this date or later"
            }
            Conflict::RequestInFlight => {
                "A request with this idempotency key is still being processed"
            }
            Conflict::DuplicateUsername => "A user with this username already exists",
            Conflict::LastAdmin => "The service would be left without an administrator",
            Conflict::MemberExited => "The member has exited the group for good",
            Conflict::StatusTransition => "The status cannot change that way",
            Conflict::GroupClosed => "The group is closed",
            Conflict::RemittanceNotInTransit => "The remittance is not in transit",
            Conflict::RemittanceSettled => {
                "The remittance's arrival or failure is recorded for good"
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    /// The group, account or transaction named in the path does not exist.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Fields that fail their format or range (HTTP 422).
    #[error("the request has invalid fields")]
    Invalid(Vec<FieldError>),
    /// A ledger rule was broken (HTTP 422). `pointer` names the offending entry or field.
    #[error("{detail}")]
    Rule {
        rule: Rule,
        detail: String,
        pointer: Option<String>,
    },
    #[error("{detail}")]
    Conflict { conflict: Conflict, detail: String },
    /// Some items of a batch broke a rule or were invalid; nothing of the batch was written
    /// (HTTP 422, one entry per failing item).
    #[error("some items of the request were refused")]
    Items(Vec<ItemError>),
    /// The idempotency key was used before with a different request body.
    #[error("the idempotency key was already used for a different request")]
    IdempotencyKeyReused,
    /// The database cannot be reached or is shutting down (HTTP 503).
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// A fault of the service itself. Details are logged, never shown to clients.
    #[error("internal error: {0}")]
    Internal(String),
}

impl LedgerError {
    pub fn rule(rule: Rule, pointer: Option<String>, detail: impl Into<String>) -> Self {
        LedgerError::Rule {
            rule,
            detail: detail.into(),
            pointer,
        }
    }

    pub fn conflict(conflict: Conflict, detail: impl Into<String>) -> Self {
        LedgerError::Conflict {
            conflict,
            detail: detail.into(),
        }
    }

    pub fn invalid(pointer: impl Into<String>, detail: impl Into<String>) -> Self {
        LedgerError::Invalid(vec![FieldError::new(pointer, detail)])
    }
}
