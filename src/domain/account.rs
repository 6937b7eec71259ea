//! Accounts: their types, normal sides, codes and the balance rules that depend on them.

use serde::{Deserialize, Serialize};

/// Which side of the ledger an entry is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Debit,
    Credit,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Debit => "debit",
            Direction::Credit => "credit",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "debit" => Some(Direction::Debit),
            "credit" => Some(Direction::Credit),
            _ => None,
        }
    }

    pub fn opposite(self) -> Self {
        match self {
            Direction::Debit => Direction::Credit,
            Direction::Credit => Direction::Debit,
        }
    }
}

/// The five classic account types. The type fixes the normal side of the balance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountType {
    Asset,
    Liability,
    Equity,
    Income,
    Expense,
}

impl AccountType {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountType::Asset => "asset",
            AccountType::Liability => "liability",
            AccountType::Equity => "equity",
            AccountType::Income => "income",
            AccountType::Expense => "expense",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "asset" => AccountType::Asset,
            "liability" => AccountType::Liability,
            "equity" => AccountType::Equity,
            "income" => AccountType::Income,
            "expense" => AccountType::Expense,
            _ => return None,
        })
    }

    /// Assets and expenses grow with debits; liabilities, equity and income with credits.
    pub fn normal_side(self) -> Direction {
        match self {
            AccountType::Asset | AccountType::Expense => Direction::Debit,
            _ => Direction::Credit,
        }
    }
}

/// Balance on the account's normal side, or `None` on overflow.
pub fn normal_balance(kind: AccountType, debits_minor: i64, credits_minor: i64) -> Option<i64> {
    match kind.normal_side() {
        Direction::Debit => debits_minor.checked_sub(credits_minor),
        Direction::Credit => credits_minor.checked_sub(debits_minor),
    }
}

/// Longest account code accepted.
pub const MAX_CODE_LEN: usize = 200;
/// Longest segment of an account code.
pub const MAX_CODE_SEGMENT_LEN: usize = 64;

/// Checks an account code such as `liabilities:savings:ana`: two or more colon-separated
/// segments of ASCII letters, digits, `-` and `_`. Requiring a colon keeps codes distinct from
/// account ids, so a path segment can name an account either way.
pub fn validate_code(code: &str) -> Result<(), &'static str> {
    if code.is_empty() || code.len() > MAX_CODE_LEN {
        return Err("must be 1 to 200 characters");
    }
    if uuid::Uuid::try_parse(code).is_ok() {
        return Err("must not be readable as an account id (such as a urn:uuid: form)");
    }
    let segments: Vec<&str> = code.split(':').collect();
    if segments.len() < 2 {
        return Err("must have at least two colon-separated segments, such as \"assets:cash\"");
    }
    for segment in segments {
        if segment.is_empty() || segment.len() > MAX_CODE_SEGMENT_LEN {
            return Err("each colon-separated segment must be 1 to 64 characters");
        }
        if !segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err("segments may hold only ASCII letters, digits, '-' and '_'");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_sides_follow_the_accounting_equation() {
        assert_eq!(AccountType::Asset.normal_side(), Direction::Debit);
        assert_eq!(AccountType::Expense.normal_side(), Direction::Debit);
        assert_eq!(AccountType::Liability.normal_side(), Direction::Credit);
        assert_eq!(AccountType::Equity.normal_side(), Direction::Credit);
        assert_eq!(AccountType::Income.normal_side(), Direction::Credit);
        assert_eq!(normal_balance(AccountType::Asset, 500, 200), Some(300));
        assert_eq!(normal_balance(AccountType::Liability, 500, 200), Some(-300));
        assert_eq!(normal_balance(AccountType::Asset, i64::MIN, 1), None);
    }

    #[test]
    fn codes_need_colon_separated_plain_segments() {
        assert!(validate_code("liabilities:savings:ana").is_ok());
        assert!(validate_code("assets:cash:HKD").is_ok());
        assert!(validate_code("cash").is_err());
        assert!(validate_code("assets::cash").is_err());
        assert!(validate_code("assets:cash box").is_err());
        assert!(validate_code("assets:caf\u{e9}").is_err());
        assert!(validate_code(&format!("a:{}", "x".repeat(65))).is_err());
        assert!(validate_code("0190a7c2-8f1e-7000-8000-000000000000").is_err());
        assert!(validate_code("urn:uuid:0190a7c2-8f1e-7000-8000-000000000000").is_err());
    }
}
