//! `GET /v1/groups/{group_id}/reports/financial-statements`: the balance sheet and income
//! statement, currency by currency, with revaluation at given rates.

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::NaiveDate;
use serde::Serialize;
use uuid::Uuid;

use crate::domain::fx::{FxPositions, FxRate};
use crate::domain::money::{Currency, format_total};
use crate::domain::reports::{self, CurrencyStatements, ReportLine, StatementData};
use crate::http::AppState;
use crate::http::error::ApiError;
use crate::http::path::GroupPath;
use crate::http::report::{Report, Table, answer, cell, report_query};

#[derive(Debug, Serialize)]
pub struct LineView {
    pub code: String,
    pub name: String,
    pub amount: String,
}

#[derive(Debug, Serialize)]
pub struct EquationView {
    pub assets: String,
    /// Liabilities + equity + income − expense not yet closed.
    pub liabilities_equity_and_result: String,
    pub holds: bool,
}

#[derive(Debug, Serialize)]
pub struct BalanceSheetView {
    pub assets: Vec<LineView>,
    pub total_assets: String,
    pub liabilities: Vec<LineView>,
    pub total_liabilities: String,
    pub equity: Vec<LineView>,
    pub total_equity: String,
    /// Income and expense since the last period close, not yet moved into equity.
    pub unclosed_income: String,
    pub unclosed_expenses: String,
    pub equation: EquationView,
}

#[derive(Debug, Serialize)]
pub struct IncomeStatementView {
    pub income: Vec<LineView>,
    pub total_income: String,
    pub expenses: Vec<LineView>,
    pub total_expenses: String,
    pub net_income: String,
}

#[derive(Debug, Serialize)]
pub struct CurrencyStatementsView {
    pub currency: String,
    pub balance_sheet: BalanceSheetView,
    pub income_statement: IncomeStatementView,
}

#[derive(Debug, Serialize)]
pub struct FinancialStatementsView {
    pub group_id: Uuid,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub currencies: Vec<CurrencyStatementsView>,
    /// The FX clearing accounts as one currency position per pair, as of `to`.
    pub fx_positions: Vec<FxPositionView>,
    /// Clearing entries that no pair explains (postings made by hand), per currency.
    pub fx_unpaired: Vec<FxUnpairedView>,
}

/// One pair's position: the legs in the two clearing accounts, the rate they were taken at,
/// and at the rate given (`fx_rate=BASE/QUOTE:RATE`) what they are worth and the gain or loss.
#[derive(Debug, Serialize)]
pub struct FxPositionView {
    pub pair: String,
    pub base: String,
    pub quote: String,
    /// The base currency's clearing leg.
    pub base_amount: String,
    /// The quote currency's clearing leg.
    pub quote_amount: String,
    /// −quote ÷ base: units of quote per unit of base the events gave on average; at it the
    /// position is worth zero.
    pub events_rate: Option<String>,
    pub rate: Option<String>,
    /// base + quote ÷ rate, in the base currency.
    pub value: Option<String>,
    /// −value: positive a gain, negative a loss, in the base currency.
    pub gain_or_loss: Option<String>,
}

impl FxPositionView {
    fn of(p: &crate::domain::fx::FxPosition) -> Self {
        let (base, quote) = (p.pair.base, p.pair.quote);
        FxPositionView {
            pair: p.pair.name(),
            base: base.code().to_string(),
            quote: quote.code().to_string(),
            base_amount: format_total(p.base_minor, base),
            quote_amount: format_total(p.quote_minor, quote),
            events_rate: p.events_rate.map(|r| r.to_string()),
            rate: p.rate.map(|r| r.to_string()),
            value: p.value_minor.map(|v| format_total(v, base)),
            gain_or_loss: p.gain_minor().map(|v| format_total(v, base)),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct FxUnpairedView {
    pub currency: String,
    pub amount: String,
}

/// A revaluation a period close posted.
#[derive(Debug, Serialize)]
pub struct RevaluationView {
    pub pair: String,
    pub rate: String,
    /// In the pair's base currency: positive a gain, negative a loss.
    pub gain_or_loss: String,
    pub currency: String,
    pub transaction_id: Uuid,
}

impl RevaluationView {
    pub fn of(r: &crate::domain::fx::Revaluation) -> Self {
        RevaluationView {
            pair: r.pair.name(),
            rate: r.rate.to_string(),
            gain_or_loss: format_total(r.gain_minor, r.pair.base),
            currency: r.pair.base.code().to_string(),
            transaction_id: r.transaction_id,
        }
    }
}

fn lines(lines: &[ReportLine], c: Currency) -> Vec<LineView> {
    lines
        .iter()
        .map(|l| LineView {
            code: l.code.clone(),
            name: l.name.clone(),
            amount: format_total(l.amount, c),
        })
        .collect()
}

impl CurrencyStatementsView {
    pub fn of(s: &CurrencyStatements) -> Self {
        let c = s.currency;
        CurrencyStatementsView {
            currency: c.code().to_string(),
            balance_sheet: BalanceSheetView {
                assets: lines(&s.assets, c),
                total_assets: format_total(s.total_assets(), c),
                liabilities: lines(&s.liabilities, c),
                total_liabilities: format_total(s.total_liabilities(), c),
                equity: lines(&s.equity, c),
                total_equity: format_total(s.total_equity(), c),
                unclosed_income: format_total(s.unclosed_income, c),
                unclosed_expenses: format_total(s.unclosed_expenses, c),
                equation: EquationView {
                    assets: format_total(s.total_assets(), c),
                    liabilities_equity_and_result: format_total(
                        s.total_liabilities() + s.total_equity() + s.unclosed_income
                            - s.unclosed_expenses,
                        c,
                    ),
                    holds: s.equation_holds(),
                },
            },
            income_statement: IncomeStatementView {
                income: lines(&s.income, c),
                total_income: format_total(s.total_income(), c),
                expenses: lines(&s.expenses, c),
                total_expenses: format_total(s.total_expenses(), c),
                net_income: format_total(s.net_income(), c),
            },
        }
    }
}

impl Report for FinancialStatementsView {
    const FILE_NAME: &'static str = "financial-statements";

    /// Each currency's statements, section by section with their totals, then the FX
    /// positions.
    fn table(&self) -> Table {
        let mut table = Table::new(&["currency", "statement", "section", "code", "name", "amount"]);
        for c in &self.currencies {
            push_statements(&mut table, c);
        }
        push_fx_positions(&mut table, self);
        table
    }
}

/// One currency's balance sheet and income statement: each section's lines, then its total.
fn push_statements(table: &mut Table, c: &CurrencyStatementsView) {
    let mut add = |statement: &str, section: &str, lines: &[LineView], total: &str| {
        for l in lines {
            table.push(vec![
                c.currency.clone(),
                statement.into(),
                section.into(),
                l.code.clone(),
                l.name.clone(),
                l.amount.clone(),
            ]);
        }
        table.push(vec![
            c.currency.clone(),
            statement.into(),
            section.into(),
            String::new(),
            format!("Total {section}"),
            total.to_string(),
        ]);
    };
    let b = &c.balance_sheet;
    add("balance_sheet", "assets", &b.assets, &b.total_assets);
    add(
        "balance_sheet",
        "liabilities",
        &b.liabilities,
        &b.total_liabilities,
    );
    add("balance_sheet", "equity", &b.equity, &b.total_equity);
    add("balance_sheet", "unclosed_income", &[], &b.unclosed_income);
    add(
        "balance_sheet",
        "unclosed_expenses",
        &[],
        &b.unclosed_expenses,
    );
    let i = &c.income_statement;
    add("income_statement", "income", &i.income, &i.total_income);
    add(
        "income_statement",
        "expenses",
        &i.expenses,
        &i.total_expenses,
    );
    add("income_statement", "net_income", &[], &i.net_income);
}

/// Each pair's position: its legs, then its value and gain or loss at the rate given; then
/// the clearing entries no pair explains.
fn push_fx_positions(table: &mut Table, view: &FinancialStatementsView) {
    for p in &view.fx_positions {
        let mut row = |currency: &str, section: &str, amount: Option<&String>| {
            table.push(vec![
                currency.to_string(),
                "fx_position".into(),
                section.into(),
                p.pair.clone(),
                p.rate
                    .as_ref()
                    .map_or_else(String::new, |r| format!("at {r}")),
                cell(amount),
            ]);
        };
        row(&p.base, "base_amount", Some(&p.base_amount));
        row(&p.quote, "quote_amount", Some(&p.quote_amount));
        row(&p.base, "value", p.value.as_ref());
        row(&p.base, "gain_or_loss", p.gain_or_loss.as_ref());
    }
    for u in &view.fx_unpaired {
        table.push(vec![
            u.currency.clone(),
            "fx_position".into(),
            "unpaired".into(),
            String::new(),
            String::new(),
            u.amount.clone(),
        ]);
    }
}

pub async fn financial_statements(
    State(state): State<AppState>,
    GroupPath { group_id }: GroupPath,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    // `fx_rate` repeats (one a pair), so it is read apart from the other parameters.
    let (rates, rest) = crate::http::network::savings::split_repeated(raw.as_deref(), "fx_rate")?;
    let (params, format) =
        report_query(Some(&rest), &["from", "to", "format", "fx_rate"], &headers)?;
    let (from, to) = params.date_range()?;
    let rates = read_rates(&rates)?;
    let data = state.store.statement_data(group_id, from, to).await?;
    let fx = fx_positions(&data, &rates)?;
    let view = FinancialStatementsView {
        group_id,
        from,
        to,
        currencies: reports::financial_statements(&data)
            .iter()
            .map(CurrencyStatementsView::of)
            .collect(),
        fx_positions: fx.pairs.iter().map(FxPositionView::of).collect(),
        fx_unpaired: fx
            .unpaired
            .iter()
            .map(|(c, v)| FxUnpairedView {
                currency: c.code().to_string(),
                amount: format_total(*v, *c),
            })
            .collect(),
    };
    Ok(answer(format, &view))
}

/// The `fx_rate` parameters, each read, and not too many.
fn read_rates(texts: &[String]) -> Result<Vec<FxRate>, ApiError> {
    let rates = texts
        .iter()
        .map(|text| crate::http::operations::fx_rate_parameter("fx_rate", text))
        .collect::<Result<Vec<_>, _>>()?;
    if rates.len() > crate::http::operations::MAX_FX_RATES {
        return Err(ApiError::invalid_parameter(
            "fx_rate",
            format!("at most {} rates", crate::http::operations::MAX_FX_RATES),
        ));
    }
    Ok(rates)
}

/// The group's currency positions valued at `rates`, which must each price a pair of the
/// group's currency.
fn fx_positions(data: &StatementData, rates: &[FxRate]) -> Result<FxPositions, ApiError> {
    let group_currency = data.group.currency;
    crate::domain::fx::check_rates(group_currency, rates, |_| "fx_rate".to_string()).map_err(
        |e| match e {
            crate::domain::error::LedgerError::Invalid(fields) => ApiError::invalid_parameter(
                "fx_rate",
                fields
                    .into_iter()
                    .map(|f| f.detail)
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            other => ApiError::from(other),
        },
    )?;
    crate::domain::fx::positions(group_currency, &data.fx_movements, rates).map_err(
        |crate::domain::fx::OutOfRange(pair)| {
            ApiError::invalid_parameter(
                "fx_rate",
                format!(
                    "the {} position valued at this rate is beyond exact arithmetic",
                    pair.name()
                ),
            )
        },
    )
}
