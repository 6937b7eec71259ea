//! A group's journal written for independent accounting tools: hledger (and ledger-cli) journal
//! syntax, beancount, or one CSV row per entry. Every account is declared with its currency,
//! every transaction keeps its sequence, id and hash, and amounts are exact decimals: debits
//! positive, credits negative, so each tool's balances equal the service's trial balance.

use std::collections::HashMap;
use std::fmt::Write as _;

use chrono::NaiveDate;
use uuid::Uuid;

use super::account::{AccountType, Direction};
use super::model::{Account, Group, Transaction};
use super::money::{Currency, to_decimal};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Hledger,
    Beancount,
    Csv,
}

impl ExportFormat {
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "hledger" | "ledger" => ExportFormat::Hledger,
            "beancount" => ExportFormat::Beancount,
            "csv" => ExportFormat::Csv,
            _ => return None,
        })
    }

    pub fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Hledger | ExportFormat::Beancount => "text/plain; charset=utf-8",
            ExportFormat::Csv => "text/csv; charset=utf-8",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Hledger => "journal",
            ExportFormat::Beancount => "beancount",
            ExportFormat::Csv => "csv",
        }
    }
}

/// The signed amount of an entry: debits positive, credits negative.
fn signed(direction: Direction, minor: i64, currency: Currency) -> String {
    let value = to_decimal(minor, currency);
    match direction {
        Direction::Debit => value.to_string(),
        Direction::Credit => (-value).to_string(),
    }
}

/// Text on one line, without the characters a journal would read as syntax.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_string()
}

fn header(group: &Group, from: Option<NaiveDate>, to: Option<NaiveDate>, comment: &str) -> String {
    let mut out = String::new();
    let range = match (from, to) {
        (None, None) => "the whole journal".to_string(),
        (f, t) => format!(
            "booked from {} to {}",
            f.map_or("the start".into(), |d| d.to_string()),
            t.map_or("today".into(), |d| d.to_string())
        ),
    };
    let _ = writeln!(
        out,
        "{comment} msai-ledger export of group {} ({})",
        group.id,
        one_line(&group.name)
    );
    let _ = writeln!(
        out,
        "{comment} {range}; head sequence {}, head hash {}",
        group.head_sequence, group.head_hash
    );
    out
}

/// An account name beancount accepts: the root its type requires, then the code's segments,
/// each starting with a capital letter or a digit.
pub fn beancount_account(code: &str, kind: AccountType) -> String {
    let root = match kind {
        AccountType::Asset => "Assets",
        AccountType::Liability => "Liabilities",
        AccountType::Equity => "Equity",
        AccountType::Income => "Income",
        AccountType::Expense => "Expenses",
    };
    let mut segments: Vec<&str> = code.split(':').collect();
    let first = segments[0].to_ascii_lowercase();
    let same_root = match kind {
        AccountType::Asset => ["asset", "assets"].contains(&first.as_str()),
        AccountType::Liability => ["liability", "liabilities"].contains(&first.as_str()),
        AccountType::Equity => first == "equity",
        AccountType::Income => ["income", "revenue", "revenues"].contains(&first.as_str()),
        AccountType::Expense => ["expense", "expenses"].contains(&first.as_str()),
    };
    if same_root {
        segments.remove(0);
    }
    let mut name = root.to_string();
    for segment in segments {
        name.push(':');
        let cleaned: String = segment
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        let mut chars = cleaned.chars();
        match chars.next() {
            Some(c) if c.is_ascii_alphanumeric() => {
                name.push(c.to_ascii_uppercase());
                name.extend(chars);
            }
            _ => {
                name.push('X');
                name.push_str(&cleaned);
            }
        }
    }
    name
}

fn quoted(text: &str) -> String {
    format!(
        "\"{}\"",
        one_line(text).replace('\\', "\\\\").replace('"', "\\\"")
    )
}

fn csv_cell(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

pub const CSV_HEADER: &str = "sequence,transaction_id,booked_on,recorded_at,description,line,account,account_type,direction,amount,signed_amount,currency,reverses,hash";

/// Writes an export in pieces: first the header (the group, its commodities and its accounts),
/// then the transactions in as many batches as the caller reads them. The pieces joined are the
/// whole file, byte for byte, however the journal was split, so an export can be streamed page
/// by page with memory bounded by one page.
pub struct ExportWriter {
    format: ExportFormat,
    /// beancount's name of each account, by id.
    names: HashMap<Uuid, String>,
    /// Each account's type, by id (a CSV column).
    kinds: HashMap<Uuid, AccountType>,
}

impl ExportWriter {
    pub fn new(format: ExportFormat, accounts: &[Account]) -> Self {
        let names = match format {
            ExportFormat::Beancount => accounts
                .iter()
                .map(|a| (a.id, beancount_account(&a.code, a.kind)))
                .collect(),
            _ => HashMap::new(),
        };
        let kinds = match format {
            ExportFormat::Csv => accounts.iter().map(|a| (a.id, a.kind)).collect(),
            _ => HashMap::new(),
        };
        ExportWriter {
            format,
            names,
            kinds,
        }
    }

    /// Everything before the first transaction.
    pub fn header(
        &self,
        group: &Group,
        accounts: &[Account],
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> String {
        match self.format {
            ExportFormat::Hledger => hledger_header(group, accounts, from, to),
            ExportFormat::Beancount => self.beancount_header(group, accounts, from, to),
            ExportFormat::Csv => {
                let mut out = String::from(CSV_HEADER);
                out.push_str("\r\n");
                out
            }
        }
    }

    /// Appends `transactions` (oldest first, with their entries) to `out`.
    pub fn transactions(&self, out: &mut String, transactions: &[Transaction]) {
        for t in transactions {
            match self.format {
                ExportFormat::Hledger => hledger_transaction(out, t),
                ExportFormat::Beancount => self.beancount_transaction(out, t),
                ExportFormat::Csv => self.csv_rows(out, t),
            }
        }
    }

    /// beancount syntax. Accounts are opened on 1970-01-01, the earliest booking date the
    /// service accepts, restricted to their currency.
    fn beancount_header(
        &self,
        group: &Group,
        accounts: &[Account],
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> String {
        let mut out = header(group, from, to, ";");
        let _ = writeln!(out, "option \"title\" {}", quoted(&group.name));
        let currencies = currencies(accounts);
        if let Some(first) = currencies.first() {
            let _ = writeln!(out, "option \"operating_currency\" \"{first}\"");
        }
        out.push('\n');
        for c in &currencies {
            let _ = writeln!(out, "1970-01-01 commodity {c}");
        }
        for a in accounts {
            let _ = writeln!(out, "1970-01-01 open {} {}", self.names[&a.id], a.currency);
            let _ = writeln!(out, "  code: {}", quoted(&a.code));
        }
        out
    }

    fn beancount_transaction(&self, out: &mut String, t: &Transaction) {
        out.push('\n');
        let _ = writeln!(out, "{} * {}", t.booked_on, quoted(&t.description));
        let _ = writeln!(out, "  sequence: {}", t.sequence);
        let _ = writeln!(out, "  id: \"{}\"", t.id);
        let _ = writeln!(out, "  hash: \"{}\"", t.hash);
        for e in &t.entries {
            let name = self
                .names
                .get(&e.account_id)
                .cloned()
                .unwrap_or_else(|| beancount_account(&e.account_code, AccountType::Asset));
            let _ = writeln!(
                out,
                "  {}  {} {}",
                name,
                signed(e.direction, e.amount_minor, e.currency),
                e.currency
            );
        }
    }

    /// One row per entry.
    fn csv_rows(&self, out: &mut String, t: &Transaction) {
        for e in &t.entries {
            let row = [
                t.sequence.to_string(),
                t.id.to_string(),
                t.booked_on.to_string(),
                t.recorded_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                csv_cell(&t.description),
                e.line.to_string(),
                csv_cell(&e.account_code),
                self.kinds
                    .get(&e.account_id)
                    .map_or("", |k| k.as_str())
                    .to_string(),
                e.direction.as_str().to_string(),
                to_decimal(e.amount_minor, e.currency).to_string(),
                signed(e.direction, e.amount_minor, e.currency),
                e.currency.code().to_string(),
                t.reverses.map(|r| r.to_string()).unwrap_or_default(),
                t.hash.clone(),
            ];
            out.push_str(&row.join(","));
            out.push_str("\r\n");
        }
    }
}

/// The accounts' currencies, sorted by code, each once.
fn currencies(accounts: &[Account]) -> Vec<Currency> {
    let mut currencies: Vec<Currency> = accounts.iter().map(|a| a.currency).collect();
    currencies.sort_by_key(|c| c.code());
    currencies.dedup();
    currencies
}

/// hledger journal syntax (also read by ledger-cli).
fn hledger_header(
    group: &Group,
    accounts: &[Account],
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> String {
    let mut out = header(group, from, to, ";");
    out.push('\n');
    for c in &currencies(accounts) {
        // The format directive fixes each commodity's decimals, so no tool rounds.
        let sample = to_decimal(100_000, *c);
        let _ = writeln!(out, "commodity {sample} {c}");
    }
    out.push('\n');
    for a in accounts {
        let kind = match a.kind {
            AccountType::Asset => "A",
            AccountType::Liability => "L",
            AccountType::Equity => "E",
            AccountType::Income => "R",
            AccountType::Expense => "X",
        };
        let _ = writeln!(
            out,
            "account {}  ; type: {kind}, currency: {}",
            a.code, a.currency
        );
    }
    out
}

fn hledger_transaction(out: &mut String, t: &Transaction) {
    out.push('\n');
    let _ = writeln!(out, "{} * {}", t.booked_on, one_line(&t.description));
    let _ = writeln!(
        out,
        "    ; sequence: {}, id: {}, hash: {}",
        t.sequence, t.id, t.hash
    );
    if let Some(of) = t.reverses {
        let _ = writeln!(out, "    ; reverses: {of}");
    }
    for e in &t.entries {
        let _ = writeln!(
            out,
            "    {}  {} {}",
            e.account_code,
            signed(e.direction, e.amount_minor, e.currency),
            e.currency
        );
    }
}

/// The whole export in one string: the header and every transaction.
pub fn write_all(
    format: ExportFormat,
    group: &Group,
    accounts: &[Account],
    transactions: &[Transaction],
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> String {
    let writer = ExportWriter::new(format, accounts);
    let mut out = writer.header(group, accounts, from, to);
    writer.transactions(&mut out, transactions);
    out
}

/// hledger journal syntax (also read by ledger-cli), whole.
pub fn hledger(
    group: &Group,
    accounts: &[Account],
    transactions: &[Transaction],
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> String {
    write_all(
        ExportFormat::Hledger,
        group,
        accounts,
        transactions,
        from,
        to,
    )
}

/// beancount syntax, whole.
pub fn beancount(
    group: &Group,
    accounts: &[Account],
    transactions: &[Transaction],
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> String {
    write_all(
        ExportFormat::Beancount,
        group,
        accounts,
        transactions,
        from,
        to,
    )
}

/// One CSV row per entry, whole.
pub fn csv(accounts: &[Account], transactions: &[Transaction]) -> String {
    let writer = ExportWriter::new(ExportFormat::Csv, accounts);
    let mut out = String::from(CSV_HEADER);
    out.push_str("\r\n");
    writer.transactions(&mut out, transactions);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beancount_names_keep_the_code_under_the_right_root() {
        assert_eq!(
            beancount_account("assets:cash:HKD", AccountType::Asset),
            "Assets:Cash:HKD"
        );
        assert_eq!(
            beancount_account(
                "liabilities:savings:0197aa00-0000-7000-8000-000000000000",
                AccountType::Liability
            ),
            "Liabilities:Savings:0197aa00-0000-7000-8000-000000000000"
        );
        assert_eq!(
            beancount_account("expense:fx-loss:PHP", AccountType::Expense),
            "Expenses:Fx-loss:PHP"
        );
        assert_eq!(
            beancount_account("savings:ana", AccountType::Liability),
            "Liabilities:Savings:Ana"
        );
        assert_eq!(
            beancount_account("cash:_box", AccountType::Asset),
            "Assets:Cash:X-box"
        );
        assert_eq!(
            beancount_account("equity:f3b2", AccountType::Equity),
            "Equity:F3b2"
        );
    }

    #[test]
    fn descriptions_stay_on_one_line_and_quotes_are_escaped() {
        assert_eq!(one_line("a\nb\tc "), "a b c");
        assert_eq!(quoted("say \"hi\""), "\"say \\\"hi\\\"\"");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("a\"b"), "\"a\"b\"".replace("a\"b", "a\"\"b"));
    }
}
