//! `GET /v1/groups/{group_id}/reports/cash-book`: money in and out of the cash and bank
//! accounts.

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::NaiveDate;
use serde::Serialize;
use uuid::Uuid;

use crate::domain::account::Direction;
use crate::domain::model::{AccountRef, Statement};
use crate::domain::money::{format_amount, format_total};
use crate::http::AppState;
use crate::http::error::ApiError;
use crate::http::path::GroupPath;
use crate::http::report::{Report, Table, answer, cell, report_query};

#[derive(Debug, Serialize)]
pub struct CashLineView {
    pub booked_on: NaiveDate,
    pub sequence: i64,
    pub transaction_id: Uuid,
    pub description: String,
    pub receipt: Option<String>,
    pub payment: Option<String>,
    pub balance: String,
}

#[derive(Debug, Serialize)]
pub struct CashAccountView {
    pub account: String,
    pub name: String,
    pub currency: String,
    pub opening_balance: String,
    pub receipts: String,
    pub payments: String,
    pub closing_balance: String,
    pub lines: Vec<CashLineView>,
}

#[derive(Debug, Serialize)]
pub struct CashBookView {
    pub group_id: Uuid,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub accounts: Vec<CashAccountView>,
}

pub async fn cash_book(
    State(state): State<AppState>,
    GroupPath { group_id }: GroupPath,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let (params, format) = report_query(
        raw.as_deref(),
        &["account", "from", "to", "format"],
        &headers,
    )?;
    let (from, to) = params.date_range()?;
    let account = params.text("account").map(AccountRef::parse);
    let book = state.store.cash_book(group_id, account, from, to).await?;
    let view = CashBookView {
        group_id,
        from,
        to,
        accounts: book.accounts.iter().map(CashAccountView::of).collect(),
    };
    Ok(answer(format, &view))
}

impl CashAccountView {
    /// An account's movements as receipts (debits) and payments (credits), with their sums.
    fn of(s: &Statement) -> Self {
        let c = s.account.currency;
        let (mut receipts, mut payments) = (0i128, 0i128);
        let lines = s
            .lines
            .iter()
            .map(|l| {
                let amount = format_amount(l.amount_minor, c);
                let receipt = l.direction == Direction::Debit;
                if receipt {
                    receipts += i128::from(l.amount_minor);
                } else {
                    payments += i128::from(l.amount_minor);
                }
                CashLineView {
                    booked_on: l.booked_on,
                    sequence: l.sequence,
                    transaction_id: l.transaction_id,
                    description: l.description.clone(),
                    receipt: receipt.then(|| amount.clone()),
                    payment: (!receipt).then_some(amount),
                    balance: format_amount(l.balance_minor, c),
                }
            })
            .collect();
        CashAccountView {
            account: s.account.code.clone(),
            name: s.account.name.clone(),
            currency: c.code().to_string(),
            opening_balance: format_amount(s.opening_minor, c),
            receipts: format_total(receipts, c),
            payments: format_total(payments, c),
            closing_balance: format_amount(s.closing_minor, c),
            lines,
        }
    }
}

impl Report for CashBookView {
    const FILE_NAME: &'static str = "cash-book";

    /// One row per movement, with each account's opening and closing balance.
    fn table(&self) -> Table {
        let mut table = Table::new(&[
            "account",
            "currency",
            "booked_on",
            "sequence",
            "transaction_id",
            "description",
            "receipt",
            "payment",
            "balance",
        ]);
        for a in &self.accounts {
            let edge = |label: &str, balance: &str| {
                vec![
                    a.account.clone(),
                    a.currency.clone(),
                    String::new(),
                    String::new(),
                    String::new(),
                    label.to_string(),
                    String::new(),
                    String::new(),
                    balance.to_string(),
                ]
            };
            table.push(edge("opening balance", &a.opening_balance));
            for l in &a.lines {
                table.push(vec![
                    a.account.clone(),
                    a.currency.clone(),
                    l.booked_on.to_string(),
                    l.sequence.to_string(),
                    l.transaction_id.to_string(),
                    l.description.clone(),
                    cell(l.receipt.as_ref()),
                    cell(l.payment.as_ref()),
                    l.balance.clone(),
                ]);
            }
            table.push(edge("closing balance", &a.closing_balance));
        }
        table
    }
}
