//! A member's statement as a printable HTML page and as CSV rows, from the same view as the
//! JSON statement.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::report::Table;
use super::views::MemberStatementView;
use crate::domain::account::Direction;
use crate::signing::Signed;

/// Text made safe to place in HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Where the statement page's stylesheet is served (`web/print.css`, served with the app).
pub const STYLESHEET_PATH: &str = "/app/print.css";

pub fn html(view: &MemberStatementView) -> String {
    let mut page = String::new();
    push_head(&mut page, view);
    push_position(&mut page, view);
    push_accounts(&mut page, view);
    push_investments(&mut page, view);
    push_remittances(&mut page, view);
    push_receipts(&mut page, view);
    page.push_str("</body>\n</html>\n");
    page
}

/// The page's head, title and the member's particulars.
fn push_head(page: &mut String, view: &MemberStatementView) {
    let m = &view.member;
    let period = match (view.from, view.to) {
        (None, None) => "all movements".to_string(),
        (from, to) => format!(
            "from {} to {}",
            from.map_or("the start".into(), |d| d.to_string()),
            to.map_or("today".into(), |d| d.to_string())
        ),
    };
    page.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    page.push_str(&format!(
        "<title>Statement of {}</title>\n",
        escape(&m.name)
    ));
    // A stylesheet of the service's own, not an inline style: the Content-Security-Policy
    // allows no inline style.
    page.push_str(&format!(
        "<link rel=\"stylesheet\" href=\"{STYLESHEET_PATH}\">\n</head>\n<body>\n"
    ));
    page.push_str(&format!("<h1>Statement of {}</h1>\n", escape(&m.name)));
    page.push_str(&format!(
        "<p>Member {} of group {}; status {}{}. Period: {}.</p>\n",
        m.id,
        m.group_id,
        escape(m.status.as_str()),
        m.status_on
            .map(|d| format!(" since {d}"))
            .unwrap_or_default(),
        escape(&period)
    ));
    page.push_str(&format!(
        "<p>Current balance: <strong>{}</strong>. Available: <strong>{}</strong> ({}).</p>\n",
        escape(&view.current_balance),
        escape(&view.available_balance),
        escape(&m.accounts.savings.currency)
    ));
}

/// What the member has in the group, per currency.
fn push_position(page: &mut String, view: &MemberStatementView) {
    page.push_str(
        "<h2>Your money in the group</h2>\n<table>\n<tr><th>Currency</th><th>Your savings</th><th>Your capital</th><th>Owed to you (shares not yet paid)</th><th>Available to you</th></tr>\n",
    );
    for line in &view.position {
        page.push_str(&format!(
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
            escape(&line.currency),
            escape(&line.savings),
            escape(&line.capital),
            escape(&line.payable),
            escape(&line.available)
        ));
    }
    page.push_str("</table>\n");
}

/// Each account's movements, between its opening and closing balance.
fn push_accounts(page: &mut String, view: &MemberStatementView) {
    for account in &view.accounts {
        page.push_str(&format!(
            "<h2>{} ({})</h2>\n<table>\n<tr><th>Date</th><th>No.</th><th>Description</th><th>In</th><th>Out</th><th>Balance</th></tr>\n",
            escape(&account.account.name),
            escape(&account.account.currency)
        ));
        page.push_str(&format!(
            "<tr><td></td><td></td><td>Opening balance</td><td></td><td></td><td class=\"n\">{}</td></tr>\n",
            escape(&account.opening_balance)
        ));
        for line in &account.lines {
            // Money in credits a member's account; money out debits it.
            let (money_in, money_out) = match line.direction {
                crate::domain::account::Direction::Credit => (line.amount.as_str(), ""),
                crate::domain::account::Direction::Debit => ("", line.amount.as_str()),
            };
            page.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
                line.booked_on,
                line.sequence,
                escape(&line.description),
                escape(money_in),
                escape(money_out),
                escape(&line.balance)
            ));
        }
        page.push_str(&format!(
            "<tr><td></td><td></td><td>Closing balance</td><td></td><td></td><td class=\"n\">{}</td></tr>\n</table>\n",
            escape(&account.closing_balance)
        ));
    }
}

/// The member's share of the group's investments, if any.
fn push_investments(page: &mut String, view: &MemberStatementView) {
    if !view.investments.is_empty() {
        page.push_str(&format!(
            "<h2>Share of the group's investments (by {})</h2>\n<table>\n<tr><th>Investment</th><th>Status</th><th>Book value</th><th>Your share</th></tr>\n",
            escape(view.distribution_basis.as_str())
        ));
        for i in &view.investments {
            page.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td class=\"n\">{} {}</td><td class=\"n\">{} {}</td></tr>\n",
                escape(&i.name),
                escape(i.status.as_str()),
                escape(&i.book_value),
                escape(&i.currency),
                escape(&i.member_share),
                escape(&i.currency)
            ));
        }
        page.push_str("</table>\n");
    }
}

/// The member's remittances, if any.
fn push_remittances(page: &mut String, view: &MemberStatementView) {
    if !view.remittances.is_empty() {
        page.push_str("<h2>Remittances</h2>\n<table>\n<tr><th>Date</th><th>Sent</th><th>Received</th><th>Provider</th><th>Fee</th><th>Total cost</th><th>Cost %</th></tr>\n");
        for r in &view.remittances {
            page.push_str(&format!(
                "<tr><td>{}</td><td class=\"n\">{} {}</td><td class=\"n\">{} {}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
                r.booked_on,
                escape(&r.send_amount),
                escape(&r.send_currency),
                escape(&r.receive_amount),
                escape(&r.receive_currency),
                escape(&r.provider),
                escape(&r.cost.fee),
                escape(&r.cost.total),
                escape(&r.cost.percent)
            ));
        }
        page.push_str("</table>\n");
    }
}

/// The period's signed receipts, each with what it says and its exact signed text and
/// signature, so that a printed statement can be checked by hand against the published key
/// (docs/RECEIPTS.md).
fn push_receipts(page: &mut String, view: &MemberStatementView) {
    if view.receipts.is_empty() {
        return;
    }
    page.push_str(
        "<h2>Receipts</h2>\n<p>Each receipt below is signed by the service. Anyone can check it \
         with the key published at /.well-known/msai-ledger/keys: the signed text is exactly the \
         line after \u{201c}Signed text\u{201d}.</p>\n<table>\n<tr><th>Date</th><th>What</th>\
         <th>Amount</th><th>No.</th><th>Key</th></tr>\n",
    );
    let said: Vec<serde_json::Value> = view
        .receipts
        .iter()
        .map(|r| serde_json::from_str(&r.payload).unwrap_or_default())
        .collect();
    let text = |v: &serde_json::Value, key: &str| v[key].as_str().unwrap_or("").to_string();
    for (receipt, said) in view.receipts.iter().zip(&said) {
        let currency = text(said, "currency");
        let amount = crate::domain::money::Currency::parse(&currency)
            .ok()
            .zip(text(said, "amount_minor").parse::<i64>().ok())
            .map(|(c, minor)| crate::domain::money::format_amount(minor, c))
            .unwrap_or_default();
        page.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{} {}</td><td>{}</td><td>{}</td></tr>\n",
            escape(&text(said, "booked_on")),
            escape(&text(said, "kind")),
            escape(&amount),
            escape(&currency),
            escape(&text(said, "sequence")),
            escape(&receipt.key_id)
        ));
    }
    page.push_str("</table>\n");
    for (receipt, said) in view.receipts.iter().zip(&said) {
        page.push_str(&format!(
            "<div class=\"receipt\"><p>Receipt of the {} of {} (No. {})</p>\n\
             <p>Signed text:</p>\n<pre>{}</pre>\n<p>Signature ({}, key {}):</p>\n<pre>{}</pre></div>\n",
            escape(&text(said, "kind")),
            escape(&text(said, "booked_on")),
            escape(&text(said, "sequence")),
            escape(&receipt.payload),
            receipt.algorithm,
            escape(&receipt.key_id),
            escape(&receipt.signature)
        ));
    }
}

pub fn html_response(view: &MemberStatementView) -> Response {
    let mut response = (StatusCode::OK, html(view)).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

/// One row per movement, with each account's opening and closing balance. A movement that
/// carries one of the member's signed receipts (a contribution, withdrawal or remittance) has
/// it in its last three columns: the exact signed text, the signature and the key's id, the
/// same as the JSON statement's `receipts` (docs/RECEIPTS.md).
pub fn table(view: &MemberStatementView) -> Table {
    let mut table = Table::new(&[
        "account",
        "currency",
        "booked_on",
        "sequence",
        "transaction_id",
        "description",
        "direction",
        "amount",
        "balance",
        "receipt_payload",
        "receipt_signature",
        "receipt_key_id",
    ]);
    let mut receipts = ReceiptsBySequence::of(view);
    for account in &view.accounts {
        let edge = |label: &str, balance: &str| {
            let mut row = vec![String::new(); 12];
            row[0] = account.account.code.clone();
            row[1] = account.account.currency.clone();
            row[5] = label.to_string();
            row[8] = balance.to_string();
            row
        };
        table.push(edge("opening balance", &account.opening_balance));
        for line in &account.lines {
            let mut row = vec![
                account.account.code.clone(),
                account.account.currency.clone(),
                line.booked_on.to_string(),
                line.sequence.to_string(),
                line.transaction_id.to_string(),
                line.description.clone(),
                line.direction.as_str().to_string(),
                line.amount.clone(),
                line.balance.clone(),
            ];
            match receipts.take(line.sequence, line.direction) {
                Some(signed) => row.extend([
                    signed.payload.clone(),
                    signed.signature.clone(),
                    signed.key_id.clone(),
                ]),
                None => row.extend([String::new(), String::new(), String::new()]),
            }
            table.push(row);
        }
        table.push(edge("closing balance", &account.closing_balance));
    }
    table
}

/// The statement's receipts, found by their transaction's sequence. Each contribution,
/// withdrawal and remittance is its own transaction, with one line on the member's accounts:
/// money in (a contribution, a remittance's group savings) or out (a withdrawal).
struct ReceiptsBySequence<'a> {
    left: Vec<(i64, Direction, &'a Signed)>,
}

impl<'a> ReceiptsBySequence<'a> {
    fn of(view: &'a MemberStatementView) -> Self {
        let left = view
            .receipts
            .iter()
            .filter_map(|signed| {
                let said: serde_json::Value = serde_json::from_str(&signed.payload).ok()?;
                let sequence = said["sequence"].as_str()?.parse::<i64>().ok()?;
                let direction = match said["kind"].as_str()? {
                    "withdrawal" => Direction::Debit,
                    _ => Direction::Credit,
                };
                Some((sequence, direction, signed))
            })
            .collect();
        ReceiptsBySequence { left }
    }

    /// The receipt of the line at `sequence` going `direction`, each receipt given once.
    fn take(&mut self, sequence: i64, direction: Direction) -> Option<&'a Signed> {
        let at = self
            .left
            .iter()
            .position(|(s, d, _)| *s == sequence && *d == direction)?;
        Some(self.left.remove(at).2)
    }
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn markup_in_names_is_escaped() {
        assert_eq!(
            escape("<b>Ana & \"Bea\"</b>"),
            "&lt;b&gt;Ana &amp; &quot;Bea&quot;&lt;/b&gt;"
        );
    }
}
