//! `GET /v1/reports/portfolio`: the groups' investments by kind, sector, country, status and
//! women-led, small lines suppressed.

use axum::http::HeaderMap;
use axum::response::Response;
use serde::Serialize;

use super::*;
use crate::domain::network::{Portfolio, PortfolioLine, SuppressedLine};
use crate::http::AppState;
use crate::http::error::ApiError;
use crate::http::report::{Table, cell, negotiate, respond};

#[derive(Serialize)]
struct PortfolioLineView {
    key: String,
    currency: &'static str,
    count: i64,
    committed: String,
    disbursed: String,
    book_value: String,
    income: String,
    capital_returned: String,
    written_down: String,
    net_return: String,
    roi_percent: Option<String>,
}

impl PortfolioLineView {
    fn of(l: &PortfolioLine) -> Self {
        let c = l.currency;
        PortfolioLineView {
            key: l.key.clone(),
            currency: c.code(),
            count: l.count,
            committed: amount(l.committed_minor, c),
            disbursed: amount(l.disbursed_minor, c),
            book_value: amount(l.book_value_minor, c),
            income: amount(l.income_minor, c),
            capital_returned: amount(l.capital_returned_minor, c),
            written_down: amount(l.written_down_minor, c),
            net_return: amount(l.net_return_minor(), c),
            roi_percent: l.roi_percent().map(two_places),
        }
    }
}

/// A line of the women-led breakdown: its figures, or none when suppressed.
#[derive(Serialize)]
struct SuppressedLineView {
    key: String,
    currency: &'static str,
    suppressed: bool,
    #[serde(flatten)]
    figures: Option<PortfolioLineFigures>,
}

/// A portfolio line's figures without its key and currency.
#[derive(Serialize)]
struct PortfolioLineFigures {
    count: i64,
    committed: String,
    disbursed: String,
    book_value: String,
    income: String,
    capital_returned: String,
    written_down: String,
    net_return: String,
    roi_percent: Option<String>,
}

impl SuppressedLineView {
    fn of(l: &SuppressedLine) -> Self {
        SuppressedLineView {
            key: l.key.clone(),
            currency: l.currency.code(),
            suppressed: l.figures.is_none(),
            figures: l.figures.as_ref().map(|f| {
                let v = PortfolioLineView::of(f);
                PortfolioLineFigures {
                    count: v.count,
                    committed: v.committed,
                    disbursed: v.disbursed,
                    book_value: v.book_value,
                    income: v.income,
                    capital_returned: v.capital_returned,
                    written_down: v.written_down,
                    net_return: v.net_return,
                    roi_percent: v.roi_percent,
                }
            }),
        }
    }
}

#[derive(Serialize)]
struct PortfolioView {
    suppression_min: u32,
    by_kind: Vec<PortfolioLineView>,
    by_sector: Vec<PortfolioLineView>,
    by_country: Vec<PortfolioLineView>,
    by_status: Vec<PortfolioLineView>,
    by_women_led: Vec<SuppressedLineView>,
}

fn portfolio_table(view: &PortfolioView) -> Table {
    let mut table = Table::new(&[
        "breakdown",
        "key",
        "currency",
        "count",
        "committed",
        "disbursed",
        "book_value",
        "income",
        "capital_returned",
        "written_down",
        "net_return",
        "roi_percent",
        "suppressed",
    ]);
    for (breakdown, lines) in [
        ("kind", &view.by_kind),
        ("sector", &view.by_sector),
        ("country", &view.by_country),
        ("status", &view.by_status),
    ] {
        for l in lines {
            table.push(vec![
                breakdown.to_string(),
                l.key.clone(),
                l.currency.to_string(),
                l.count.to_string(),
                l.committed.clone(),
                l.disbursed.clone(),
                l.book_value.clone(),
                l.income.clone(),
                l.capital_returned.clone(),
                l.written_down.clone(),
                l.net_return.clone(),
                cell(l.roi_percent.as_ref()),
                "false".to_string(),
            ]);
        }
    }
    for l in &view.by_women_led {
        let mut row = vec![
            "women_led".to_string(),
            l.key.clone(),
            l.currency.to_string(),
        ];
        match &l.figures {
            Some(f) => row.extend([
                f.count.to_string(),
                f.committed.clone(),
                f.disbursed.clone(),
                f.book_value.clone(),
                f.income.clone(),
                f.capital_returned.clone(),
                f.written_down.clone(),
                f.net_return.clone(),
                cell(f.roi_percent.as_ref()),
            ]),
            None => row.extend(std::iter::repeat_n(String::new(), 9)),
        }
        row.push(l.suppressed.to_string());
        table.push(row);
    }
    table
}

/// `GET /v1/reports/portfolio` (or a group's): the alternative investments by kind, sector,
/// country, status and women-led, per currency.
pub(super) async fn portfolio_of(
    scope: Scope,
    state: &AppState,
    headers: &HeaderMap,
    raw: Option<&str>,
) -> Result<Response, ApiError> {
    let (params, filter) = scope.parse(raw, &["format"])?;
    let format = negotiate(&params, headers)?;
    let Portfolio {
        by_kind,
        by_sector,
        by_country,
        by_status,
        by_women_led,
    } = state
        .store
        .portfolio_report(&filter, state.suppression_min)
        .await?;
    let lines = |ls: Vec<PortfolioLine>| ls.iter().map(PortfolioLineView::of).collect();
    let view = PortfolioView {
        suppression_min: state.suppression_min,
        by_kind: lines(by_kind),
        by_sector: lines(by_sector),
        by_country: lines(by_country),
        by_status: lines(by_status),
        by_women_led: by_women_led.iter().map(SuppressedLineView::of).collect(),
    };
    Ok(respond(
        format,
        &view,
        || portfolio_table(&view),
        "investment-portfolio",
    ))
}
