//! Group reports for treasurers and the task force, as JSON or CSV: balance sheet and income
//! statement, members' balances, the cash book, the investment register, the distribution
//! audit, the group's performance indicators and its signed accreditation statement.

pub mod accreditation;
pub mod cash_book;
pub mod distribution_audit;
pub mod financial_statements;
pub mod investment_register;
pub mod member_balances;
pub mod performance;

pub use accreditation::accreditation;
pub use cash_book::cash_book;
pub use distribution_audit::distribution_audit;
pub use financial_statements::financial_statements;
pub use investment_register::investment_register;
pub use member_balances::{BalanceView, member_balances};
pub use performance::group_performance;
