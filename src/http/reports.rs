//! Group reports for treasurers and the task force, as JSON or CSV: balance sheet and income
//! statement, members' balances, the cash book, the investment register, and the distribution
//! audit.

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::NaiveDate;
use serde::Serialize;
use uuid::Uuid;

use super::AppState;
use super::error::ApiError;
use super::path::GroupPath;
use super::query::QueryParams;
use super::report::{Table, cell, negotiate, respond};
use super::views::{DistributionView, InvestmentView};
use crate::domain::account::Direction;
use crate::domain::member::{MemberStatus, Sex};
use crate::domain::model::AccountRef;
use crate::domain::money::{Currency, format_amount, format_total};
use crate::domain::network::{Holding, breakdown};
use crate::domain::operations::{Basis, PayTo};
use crate::domain::position::PositionLine;
use crate::domain::reports::{self, CurrencyStatements, ReportLine};

// ---------------------------------------------------------------------------------------------
// Balance sheet and income statement

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
    fn of(s: &CurrencyStatements) -> Self {
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

fn statements_table(view: &FinancialStatementsView) -> Table {
    let mut table = Table::new(&["currency", "statement", "section", "code", "name", "amount"]);
    for c in &view.currencies {
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
    // Each pair's position: its legs, then its value and gain or loss at the rate given.
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
    table
}

pub async fn financial_statements(
    State(state): State<AppState>,
    GroupPath { group_id }: GroupPath,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    // `fx_rate` repeats (one a pair), so it is read apart from the other parameters.
    let (rates, rest) = super::network::savings::split_repeated(raw.as_deref(), "fx_rate")?;
    let params = QueryParams::parse(Some(&rest), &["from", "to", "format", "fx_rate"])?;
    let format = negotiate(&params, &headers)?;
    let (from, to) = params.date_range()?;
    let rates = rates
        .iter()
        .map(|text| super::operations::fx_rate_parameter("fx_rate", text))
        .collect::<Result<Vec<_>, _>>()?;
    if rates.len() > super::operations::MAX_FX_RATES {
        return Err(ApiError::invalid_parameter(
            "fx_rate",
            format!("at most {} rates", super::operations::MAX_FX_RATES),
        ));
    }
    let data = state.store.statement_data(group_id, from, to).await?;
    let group_currency = data.group.currency;
    crate::domain::fx::check_rates(group_currency, &rates, |_| "fx_rate".to_string()).map_err(
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
    let fx = crate::domain::fx::positions(group_currency, &data.fx_movements, &rates).map_err(
        |crate::domain::fx::OutOfRange(pair)| {
            ApiError::invalid_parameter(
                "fx_rate",
                format!(
                    "the {} position valued at this rate is beyond exact arithmetic",
                    pair.name()
                ),
            )
        },
    )?;
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
    Ok(respond(
        format,
        &view,
        || statements_table(&view),
        "financial-statements",
    ))
}

// ---------------------------------------------------------------------------------------------
// Members' balances

#[derive(Debug, Serialize)]
pub struct BalanceView {
    pub currency: String,
    pub savings: String,
    pub capital: String,
    pub payable: String,
    /// Savings and payables: what the member may draw at will.
    pub available: String,
}

impl BalanceView {
    /// A member's position in one currency, as every view of it shows it.
    pub fn of(line: &PositionLine) -> Self {
        let c = line.currency;
        BalanceView {
            currency: c.code().to_string(),
            savings: format_amount(line.savings, c),
            capital: format_amount(line.capital, c),
            payable: format_amount(line.payable, c),
            available: format_amount(line.available(), c),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct MemberBalanceView {
    pub member_id: Uuid,
    pub name: String,
    pub sex: Sex,
    pub status: MemberStatus,
    pub balances: Vec<BalanceView>,
}

#[derive(Debug, Serialize)]
pub struct TotalBalanceView {
    pub currency: String,
    pub savings: String,
    pub capital: String,
    pub payable: String,
}

#[derive(Debug, Serialize)]
pub struct MemberBalancesView {
    pub group_id: Uuid,
    pub as_of: Option<NaiveDate>,
    pub members: Vec<MemberBalanceView>,
    pub totals: Vec<TotalBalanceView>,
}

pub async fn member_balances(
    State(state): State<AppState>,
    GroupPath { group_id }: GroupPath,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = QueryParams::parse(raw.as_deref(), &["as_of", "format"])?;
    let format = negotiate(&params, &headers)?;
    let as_of = params.date("as_of")?;
    let balances = state.store.member_balances(group_id, as_of).await?;
    let mut totals: std::collections::BTreeMap<&'static str, (Currency, [i128; 3])> =
        Default::default();
    let members = balances
        .members
        .iter()
        .map(|(record, position)| MemberBalanceView {
            member_id: record.member.id,
            name: record.member.name.clone(),
            sex: record.member.sex,
            status: record.member.status,
            balances: position
                .lines
                .iter()
                .map(|b| {
                    let t = &mut totals
                        .entry(b.currency.code())
                        .or_insert((b.currency, [0; 3]))
                        .1;
                    t[0] += i128::from(b.savings);
                    t[1] += i128::from(b.capital);
                    t[2] += i128::from(b.payable);
                    BalanceView::of(b)
                })
                .collect(),
        })
        .collect();
    let view = MemberBalancesView {
        group_id,
        as_of,
        members,
        totals: totals
            .into_values()
            .map(|(c, [s, k, p])| TotalBalanceView {
                currency: c.code().to_string(),
                savings: format_total(s, c),
                capital: format_total(k, c),
                payable: format_total(p, c),
            })
            .collect(),
    };
    let table = || {
        let mut table = Table::new(&[
            "member_id",
            "name",
            "sex",
            "status",
            "currency",
            "savings",
            "capital",
            "payable",
            "available",
        ]);
        for m in &view.members {
            for b in &m.balances {
                table.push(vec![
                    m.member_id.to_string(),
                    m.name.clone(),
                    m.sex.as_str().into(),
                    m.status.as_str().into(),
                    b.currency.clone(),
                    b.savings.clone(),
                    b.capital.clone(),
                    b.payable.clone(),
                    b.available.clone(),
                ]);
            }
        }
        table
    };
    Ok(respond(format, &view, table, "member-balances"))
}

// ---------------------------------------------------------------------------------------------
// Cash book

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
    let params = QueryParams::parse(raw.as_deref(), &["account", "from", "to", "format"])?;
    let format = negotiate(&params, &headers)?;
    let (from, to) = params.date_range()?;
    let account = params.text("account").map(AccountRef::parse);
    let book = state.store.cash_book(group_id, account, from, to).await?;
    let view = CashBookView {
        group_id,
        from,
        to,
        accounts: book
            .accounts
            .iter()
            .map(|s| {
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
            })
            .collect(),
    };
    let table = || {
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
        for a in &view.accounts {
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
    };
    Ok(respond(format, &view, table, "cash-book"))
}

// ---------------------------------------------------------------------------------------------
// Investment register

#[derive(Debug, Serialize)]
pub struct RegisterTotalView {
    pub currency: String,
    pub investments: i64,
    pub committed: String,
    pub disbursed: String,
    pub book_value: String,
    pub income_received: String,
    pub capital_returned: String,
    pub written_down: String,
    pub net_return: String,
    pub roi_percent: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct InvestmentRegisterView {
    pub group_id: Uuid,
    pub investments: Vec<InvestmentView>,
    pub totals: Vec<RegisterTotalView>,
}

pub async fn investment_register(
    State(state): State<AppState>,
    GroupPath { group_id }: GroupPath,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = QueryParams::parse(raw.as_deref(), &["format"])?;
    let format = negotiate(&params, &headers)?;
    let register = state.store.investment_register(group_id).await?;
    // Per currency, added up exactly as the task force's portfolio adds them.
    let holdings: Vec<Holding> = register
        .investments
        .iter()
        .map(|r| Holding {
            kind: r.investment.kind,
            sector: r.investment.sector.clone(),
            country: r.investment.country.clone(),
            currency: r.investment.currency,
            committed_minor: r.investment.committed_minor,
            women_led: r.investment.women_led,
            figures: r.figures,
        })
        .collect();
    let totals = breakdown(&holdings, |_| String::new());
    let view = InvestmentRegisterView {
        group_id,
        investments: register
            .investments
            .iter()
            .map(InvestmentView::of)
            .collect(),
        totals: totals
            .iter()
            .map(|t| {
                let c = t.currency;
                RegisterTotalView {
                    currency: c.code().to_string(),
                    investments: t.count,
                    committed: format_total(t.committed_minor, c),
                    disbursed: format_total(t.disbursed_minor, c),
                    book_value: format_total(t.book_value_minor, c),
                    income_received: format_total(t.income_minor, c),
                    capital_returned: format_total(t.capital_returned_minor, c),
                    written_down: format_total(t.written_down_minor, c),
                    net_return: format_total(t.net_return_minor(), c),
                    roi_percent: t.roi_percent().map(|r| format!("{r:.2}")),
                }
            })
            .collect(),
    };
    let table = || {
        let mut table = Table::new(&[
            "investment_id",
            "name",
            "kind",
            "sector",
            "country",
            "status",
            "currency",
            "committed",
            "disbursed",
            "book_value",
            "income_received",
            "capital_returned",
            "written_down",
            "net_return",
            "roi_percent",
        ]);
        for i in &view.investments {
            table.push(vec![
                i.id.to_string(),
                i.name.clone(),
                i.kind.as_str().into(),
                i.sector.clone(),
                i.country.clone(),
                i.status.as_str().into(),
                i.currency.clone(),
                cell(i.committed.as_ref()),
                i.disbursed.clone(),
                i.book_value.clone(),
                i.income_received.clone(),
                i.capital_returned.clone(),
                i.written_down.clone(),
                i.net_return.clone(),
                cell(i.roi_percent.as_ref()),
            ]);
        }
        for t in &view.totals {
            table.push(vec![
                String::new(),
                format!("Total ({} investments)", t.investments),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                t.currency.clone(),
                t.committed.clone(),
                t.disbursed.clone(),
                t.book_value.clone(),
                t.income_received.clone(),
                t.capital_returned.clone(),
                t.written_down.clone(),
                t.net_return.clone(),
                cell(t.roi_percent.as_ref()),
            ]);
        }
        table
    };
    Ok(respond(format, &view, table, "investment-register"))
}

// ---------------------------------------------------------------------------------------------
// Distribution audit

#[derive(Debug, Serialize)]
pub struct AuditedDistributionView {
    #[serde(flatten)]
    pub distribution: DistributionView,
    /// The shares add up to the pool exactly.
    pub sums_to_pool: bool,
    /// Every share equals the one the largest-remainder rule gives from the recorded weights.
    pub matches_recomputation: bool,
}

#[derive(Debug, Serialize)]
pub struct DistributionAuditView {
    pub group_id: Uuid,
    pub distributions: Vec<AuditedDistributionView>,
}

pub async fn distribution_audit(
    State(state): State<AppState>,
    GroupPath { group_id }: GroupPath,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = QueryParams::parse(raw.as_deref(), &["format"])?;
    let format = negotiate(&params, &headers)?;
    let distributions = state.store.distribution_audit(group_id).await?;
    let view = DistributionAuditView {
        group_id,
        distributions: distributions
            .iter()
            .map(|d| {
                let check = reports::check_distribution(d);
                AuditedDistributionView {
                    distribution: DistributionView::of(d),
                    sums_to_pool: check.sums_to_pool,
                    matches_recomputation: check.matches_recomputation,
                }
            })
            .collect(),
    };
    let table = || {
        let mut table = Table::new(&[
            "distribution_id",
            "booked_on",
            "pool",
            "currency",
            "basis",
            "as_of",
            "pay_to",
            "total_weight",
            "member_id",
            "member_name",
            "weight",
            "share",
            "sums_to_pool",
            "matches_recomputation",
        ]);
        for a in &view.distributions {
            let d = &a.distribution;
            for s in &d.shares {
                table.push(vec![
                    cell(d.id),
                    d.booked_on.to_string(),
                    d.pool.clone(),
                    d.currency.clone(),
                    basis_text(d.basis).into(),
                    d.as_of.to_string(),
                    pay_to_text(d.pay_to).into(),
                    d.total_weight.clone(),
                    s.member_id.to_string(),
                    s.member_name.clone(),
                    s.weight.clone(),
                    s.share.clone(),
                    a.sums_to_pool.to_string(),
                    a.matches_recomputation.to_string(),
                ]);
            }
        }
        table
    };
    Ok(respond(format, &view, table, "distribution-audit"))
}

fn basis_text(b: Basis) -> &'static str {
    b.as_str()
}

fn pay_to_text(p: PayTo) -> &'static str {
    p.as_str()
}
