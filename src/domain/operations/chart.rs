//! The codes of the accounts a group's operations post to, and its standard chart.

use uuid::Uuid;

use super::*;

/// The code of an investment's own asset account.
pub fn investment_code(investment_id: Uuid) -> String {
    format!("assets:investments:{investment_id}")
}

pub fn home_bank_code(currency: Currency) -> String {
    format!("assets:home-bank:{currency}")
}

pub fn fx_code(currency: Currency) -> String {
    format!("assets:fx:{currency}")
}

pub fn undistributed_code(currency: Currency) -> String {
    format!("equity:undistributed:{currency}")
}

pub fn investment_income_code(currency: Currency) -> String {
    format!("income:investments:{currency}")
}

pub fn fees_code(currency: Currency) -> String {
    format!("expense:fees:{currency}")
}

pub fn impairment_code(currency: Currency) -> String {
    format!("expense:impairment:{currency}")
}

pub fn fx_gain_code(currency: Currency) -> String {
    format!("income:fx-gain:{currency}")
}

pub fn fx_loss_code(currency: Currency) -> String {
    format!("expense:fx-loss:{currency}")
}

/// The accounts a new group gets in its own currency: (code, name, type, no_overdraft). Other
/// currencies' accounts, members' and investments' accounts are opened as they are needed.
pub fn standard_chart(
    currency: Currency,
) -> Vec<(String, String, crate::domain::account::AccountType, bool)> {
    use crate::domain::account::AccountType::*;
    vec![
        (
            format!("assets:cash:{currency}"),
            format!("Cash box ({currency})"),
            Asset,
            true,
        ),
        (
            format!("assets:bank:{currency}"),
            format!("Bank or e-wallet ({currency})"),
            Asset,
            true,
        ),
        (
            fx_code(currency),
            format!("FX clearing ({currency})"),
            Asset,
            false,
        ),
        (
            crate::domain::member::social_fund_code(currency),
            format!("Social fund ({currency})"),
            Liability,
            true,
        ),
        (
            undistributed_code(currency),
            format!("Undistributed surplus ({currency})"),
            Equity,
            false,
        ),
        (
            investment_income_code(currency),
            format!("Investment income ({currency})"),
            Income,
            false,
        ),
        (
            fx_gain_code(currency),
            format!("FX gain ({currency})"),
            Income,
            false,
        ),
        (
            fees_code(currency),
            format!("Fees ({currency})"),
            Expense,
            false,
        ),
        (
            fx_loss_code(currency),
            format!("FX loss ({currency})"),
            Expense,
            false,
        ),
        (
            impairment_code(currency),
            format!("Impairment ({currency})"),
            Expense,
            false,
        ),
    ]
}

/// A member's payable account in a currency: distributions declared and not yet paid.
pub fn payable_code(member_id: Uuid, currency: Currency) -> String {
    format!("liabilities:payable:{member_id}:{currency}")
}
