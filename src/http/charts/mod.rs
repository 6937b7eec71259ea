//! Charts of the network reports, drawn on the server as SVG with `charts-rs`: savings over
//! time by sex, the investment portfolio by kind, and the cost of remittance corridors against
//! the 3 % target and the 5 % line. Each chart is drawn from the same figures as its report,
//! after suppression, so a cell a report withholds leaves a gap in its chart. Amounts become
//! `f32` only here, as positions on the drawing; every figure a reader reads comes from the
//! report's exact strings in the page's data table.

mod words;

use std::collections::{BTreeMap, BTreeSet};

use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use charts_rs::{BarChart, MarkLine, MarkLineCategory, Series, SeriesCategory};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::domain::money::Currency;
use crate::domain::network::{
    CorridorLine, PortfolioLine, ReturnCell, ReturnFigures, SavingsTrend, months, sex_rank,
};
use crate::http::AppState;
use crate::http::error::ApiError;
use crate::http::network::trend::{self, TrendQuery};
use crate::http::network::{Scope, returned};
use crate::http::path::GroupPath;
use crate::http::query::QueryParams;
use words::Language;

/// The messages of the catalogues the charts use.
#[cfg(test)]
const WORDS: [&str; 28] = [
    "portfolio-by-kind",
    "portfolio-by-sector",
    "portfolio-by-country",
    "portfolio-by-status",
    "investment-status-active",
    "investment-status-exited",
    "investment-status-written_off",
    "portfolio-by-women_led",
    "women-led-true",
    "women-led-false",
    "women-led-unknown",
    "chart-returned-title",
    "chart-paid-out",
    "chart-capital-held",
    "chart-savings-title",
    "chart-portfolio-title",
    "chart-corridors-title",
    "chart-committed",
    "chart-disbursed",
    "chart-book-value",
    "chart-target-3",
    "chart-line-5",
    "chart-empty",
    "sex-female",
    "sex-male",
    "sex-other",
    "sex-undisclosed",
    "kind-other",
];

/// Draws at this size; the SVG scales to the width of the screen or the page.
const WIDTH: f32 = 640.0;
const HEIGHT: f32 = 400.0;

fn language(params: &QueryParams) -> Result<Language, ApiError> {
    match params.text("lang") {
        None => Ok(Language::ENGLISH),
        Some(tag) => Language::parse(tag)
            .ok_or_else(|| ApiError::invalid_parameter("lang", "must be one of en, fil, id, ne")),
    }
}

fn currency(params: &QueryParams) -> Result<Option<Currency>, ApiError> {
    params
        .text("currency")
        .map(|code| {
            Currency::parse(code).map_err(|_| {
                ApiError::invalid_parameter("currency", "must be an ISO 4217 currency code")
            })
        })
        .transpose()
}

/// An amount in major units, as a position on the drawing.
fn position(minor: i128, currency: Currency) -> Option<f32> {
    Decimal::try_from_i128_with_scale(minor, currency.exponent())
        .ok()
        .and_then(|d| d.to_f32())
}

/// The SVG, named for screen readers by its title, as `image/svg+xml`.
fn svg_response(svg: Result<String, charts_rs::Error>, title: &str) -> Response {
    let Ok(svg) = svg else {
        return ApiError::from(crate::domain::error::LedgerError::Internal(
            "the chart could not be drawn".into(),
        ))
        .into_response();
    };
    let escaped = title
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('"', "&quot;");
    let named = svg.replacen(
        "<svg",
        &format!("<svg role=\"img\" aria-label=\"{escaped}\""),
        1,
    );
    let mut response = (StatusCode::OK, named).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("image/svg+xml; charset=utf-8"),
    );
    response
}

fn sized<C: std::ops::DerefMut<Target = charts_rs::ChartBase>>(
    chart: &mut C,
    title: &str,
    words: Language,
) {
    chart.width = WIDTH;
    chart.height = HEIGHT;
    chart.title.text = title.to_string();
    chart.empty_text = Some(words.word("chart-empty"));
}

/// The currency drawn: the one asked for, else the first the figures have.
fn chosen<'c>(
    asked: Option<Currency>,
    mut present: impl Iterator<Item = &'c Currency>,
) -> Option<Currency> {
    asked.or_else(|| present.next().copied())
}

/// The currency drawn: the one asked for, else the first by code of those the figures have.
fn first_by_code<'c>(
    asked: Option<Currency>,
    present: impl Iterator<Item = &'c Currency>,
) -> Option<Currency> {
    chosen(asked, present.min_by_key(|c| c.code()).into_iter())
}

/// Savings at each month's end by sex, in one currency; a suppressed cell is a gap.
pub fn savings_chart(
    trend: &SavingsTrend,
    asked: Option<Currency>,
    words: Language,
) -> (String, Result<String, charts_rs::Error>) {
    let title = words.word("chart-savings-title");
    let currency = first_by_code(asked, trend.cells.iter().map(|c| &c.currency));
    let months = months(trend.from, trend.to);
    let mut by_sex: BTreeMap<u8, (String, Vec<Option<f32>>)> = BTreeMap::new();
    for c in trend.cells.iter().filter(|c| Some(c.currency) == currency) {
        let Some(i) = months.iter().position(|m| *m == c.month) else {
            continue;
        };
        let line = by_sex.entry(sex_rank(c.sex)).or_insert_with(|| {
            (
                words.word(&format!("sex-{}", c.sex.as_str())),
                vec![None; months.len()],
            )
        });
        line.1[i] = c
            .figures
            .and_then(|f| position(f.savings_minor, c.currency));
    }
    let series = by_sex
        .into_values()
        .map(|(name, data)| Series::new_nullable(name, data))
        .collect();
    let labels = months
        .iter()
        .map(|m| m.format("%Y-%m").to_string())
        .collect();
    let mut chart = BarChart::new(series, labels);
    let heading = match currency {
        Some(c) => format!("{title} ({})", c.code()),
        None => title,
    };
    sized(&mut chart, &heading, words);
    (heading, chart.svg())
}

/// How the portfolio chart breaks the investments down, as the report's breakdowns do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breakdown {
    Kind,
    Sector,
    Country,
    Status,
    WomenLed,
}

impl Breakdown {
    fn parse(params: &QueryParams) -> Result<Self, ApiError> {
        match params.text("by") {
            None | Some("kind") => Ok(Breakdown::Kind),
            Some("sector") => Ok(Breakdown::Sector),
            Some("country") => Ok(Breakdown::Country),
            Some("status") => Ok(Breakdown::Status),
            Some("women_led") => Ok(Breakdown::WomenLed),
            Some(_) => Err(ApiError::invalid_parameter(
                "by",
                "must be one of kind, sector, country, status, women_led",
            )),
        }
    }

    /// A line's name on the chart: kinds, statuses and women-led in words, sectors and
    /// countries as recorded.
    fn label(self, key: &str, words: Language) -> String {
        match self {
            Breakdown::Kind => words.word(&format!("kind-{key}")),
            Breakdown::Status => words.word(&format!("investment-status-{key}")),
            Breakdown::WomenLed => words.word(&format!("women-led-{key}")),
            Breakdown::Sector | Breakdown::Country => key.to_string(),
        }
    }
}

/// A line of a portfolio breakdown as its chart draws it: none when the report suppressed it.
pub struct Bar<'l> {
    pub key: &'l str,
    pub currency: Currency,
    pub figures: Option<&'l PortfolioLine>,
}

/// Committed, disbursed and book value of the investments of each kind, in one currency.
pub fn portfolio_chart(
    lines: &[PortfolioLine],
    asked: Option<Currency>,
    words: Language,
) -> (String, Result<String, charts_rs::Error>) {
    let bars: Vec<Bar> = lines
        .iter()
        .map(|l| Bar {
            key: &l.key,
            currency: l.currency,
            figures: Some(l),
        })
        .collect();
    breakdown_chart(Breakdown::Kind, &bars, asked, words)
}

/// Committed, disbursed and book value of each line of a breakdown, in one currency; a
/// suppressed line is a gap.
pub fn breakdown_chart(
    by: Breakdown,
    bars: &[Bar],
    asked: Option<Currency>,
    words: Language,
) -> (String, Result<String, charts_rs::Error>) {
    let currency = chosen(asked, bars.iter().map(|b| &b.currency));
    let bars: Vec<&Bar> = bars
        .iter()
        .filter(|b| Some(b.currency) == currency)
        .collect();
    let figure = |f: fn(&PortfolioLine) -> i128| -> Vec<Option<f32>> {
        bars.iter()
            .map(|b| b.figures.and_then(|l| position(f(l), l.currency)))
            .collect()
    };
    let series = vec![
        Series::new_nullable(words.word("chart-committed"), figure(|l| l.committed_minor)),
        Series::new_nullable(words.word("chart-disbursed"), figure(|l| l.disbursed_minor)),
        Series::new_nullable(
            words.word("chart-book-value"),
            figure(|l| l.book_value_minor),
        ),
    ];
    let labels = bars.iter().map(|b| by.label(b.key, words)).collect();
    let mut chart = BarChart::new(series, labels);
    let title = format!(
        "{}: {}",
        words.word("chart-portfolio-title"),
        words.word(&format!("portfolio-by-{}", by_id(by)))
    );
    let heading = match currency {
        Some(c) => format!("{title} ({})", c.code()),
        None => title,
    };
    sized(&mut chart, &heading, words);
    (heading, chart.svg())
}

fn by_id(by: Breakdown) -> &'static str {
    match by {
        Breakdown::Kind => "kind",
        Breakdown::Sector => "sector",
        Breakdown::Country => "country",
        Breakdown::Status => "status",
        Breakdown::WomenLed => "women_led",
    }
}

/// The median cost of each corridor month by month as bars, against the 3 % target and the
/// 5 % line.
pub fn corridors_chart(
    lines: &[CorridorLine],
    suppression_min: u32,
    words: Language,
) -> (String, Result<String, charts_rs::Error>) {
    let months: Vec<String> = lines
        .iter()
        .map(|l| l.month.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut corridors: BTreeMap<String, Vec<Option<f32>>> = BTreeMap::new();
    for l in lines {
        let name = format!(
            "{} → {} ({} → {})",
            l.send_country,
            l.receive_country,
            l.send_currency.code(),
            l.receive_currency.code()
        );
        let Some(i) = months.iter().position(|m| *m == l.month) else {
            continue;
        };
        let shown = l.senders >= i64::from(suppression_min);
        corridors
            .entry(name)
            .or_insert_with(|| vec![None; months.len()])[i] =
            shown.then(|| l.median_cost_percent.to_f32()).flatten();
    }
    let mut series: Vec<Series> = corridors
        .into_iter()
        .map(|(name, data)| Series::new_nullable(name, data))
        .collect();
    if !months.is_empty() {
        for (id, level) in [("chart-target-3", 3.0), ("chart-line-5", 5.0)] {
            // A line series names the level in the legend; its mark line draws it across
            // the whole chart, even over a single month.
            let mut line = Series::new(words.word(id), vec![level; months.len()]);
            line.category = Some(SeriesCategory::Line);
            line.mark_lines = vec![MarkLine {
                category: MarkLineCategory::Value(level),
                ..Default::default()
            }];
            series.push(line);
        }
    }
    let mut chart = BarChart::new(series, months);
    let title = words.word("chart-corridors-title");
    sized(&mut chart, &title, words);
    (title.clone(), chart.svg())
}

/// What was paid out to the members who returned home and what they keep invested, by home
/// country and sex, in one currency; a suppressed cell is a gap.
pub fn returned_chart(
    cells: &[ReturnCell],
    asked: Option<Currency>,
    words: Language,
) -> (String, Result<String, charts_rs::Error>) {
    let currency = first_by_code(asked, cells.iter().map(|c| &c.currency));
    let cells: Vec<&ReturnCell> = cells
        .iter()
        .filter(|c| Some(c.currency) == currency)
        .collect();
    let figure = |f: fn(&ReturnFigures) -> i128| -> Vec<Option<f32>> {
        cells
            .iter()
            .map(|c| c.figures.as_ref().and_then(|x| position(f(x), c.currency)))
            .collect()
    };
    let series = vec![
        Series::new_nullable(words.word("chart-paid-out"), figure(|f| f.paid_out_minor)),
        Series::new_nullable(
            words.word("chart-capital-held"),
            figure(|f| f.capital_held_minor),
        ),
    ];
    let labels = cells
        .iter()
        .map(|c| {
            format!(
                "{} · {}",
                c.home_country,
                words.word(&format!("sex-{}", c.sex.as_str()))
            )
        })
        .collect();
    let mut chart = BarChart::new(series, labels);
    let title = words.word("chart-returned-title");
    let heading = match currency {
        Some(c) => format!("{title} ({})", c.code()),
        None => title,
    };
    sized(&mut chart, &heading, words);
    (heading, chart.svg())
}

/// The chart a route draws.
#[derive(Debug, Clone, Copy)]
pub enum Chart {
    SavingsTrend,
    Portfolio,
    Corridors,
    ReturnedHome,
}

impl Chart {
    async fn draw(
        self,
        scope: Scope,
        state: &AppState,
        raw: Option<&str>,
    ) -> Result<Response, ApiError> {
        let own: &[&str] = match self {
            Chart::SavingsTrend => &["from", "to", "currency", "lang"],
            Chart::Portfolio => &["by", "currency", "lang"],
            Chart::Corridors => &["from", "to", "lang"],
            Chart::ReturnedHome => &["from", "to", "currency", "lang"],
        };
        let (params, filter) = scope.parse(raw, own)?;
        let (words, asked) = (language(&params)?, currency(&params)?);
        let (title, svg) = match self {
            Chart::SavingsTrend => {
                let query = TrendQuery::parse(state, &params, filter).await?;
                savings_chart(&trend::load(state, &query).await?, asked, words)
            }
            Chart::Portfolio => {
                let portfolio = state
                    .store
                    .portfolio_report(&filter, state.suppression_min)
                    .await?;
                let by = Breakdown::parse(&params)?;
                let lines: &[PortfolioLine] = match by {
                    Breakdown::Kind => &portfolio.by_kind,
                    Breakdown::Sector => &portfolio.by_sector,
                    Breakdown::Country => &portfolio.by_country,
                    Breakdown::Status => &portfolio.by_status,
                    Breakdown::WomenLed => &[],
                };
                let bars: Vec<Bar> = match by {
                    Breakdown::WomenLed => portfolio
                        .by_women_led
                        .iter()
                        .map(|l| Bar {
                            key: &l.key,
                            currency: l.currency,
                            figures: l.figures.as_ref(),
                        })
                        .collect(),
                    _ => lines
                        .iter()
                        .map(|l| Bar {
                            key: &l.key,
                            currency: l.currency,
                            figures: Some(l),
                        })
                        .collect(),
                };
                breakdown_chart(by, &bars, asked, words)
            }
            Chart::Corridors => {
                let (from, to) = params.date_range()?;
                let lines = state
                    .store
                    .remittance_corridors(&filter, from, to, false)
                    .await?;
                corridors_chart(&lines, state.suppression_min, words)
            }
            Chart::ReturnedHome => {
                let (from, to) = params.date_range()?;
                let cells = returned::load(state, &filter, from, to).await?;
                returned_chart(&cells, asked, words)
            }
        };
        Ok(svg_response(svg, &title))
    }
}

/// A chart being drawn, as a route's handler answers it.
type Drawing = std::pin::Pin<Box<dyn Future<Output = Result<Response, ApiError>> + Send>>;

/// `GET /v1/reports/{report}/chart`: the chart of a network report.
pub fn network_chart(chart: Chart) -> impl Fn(State<AppState>, RawQuery) -> Drawing + Clone {
    move |State(state), RawQuery(raw)| {
        Box::pin(async move { chart.draw(Scope::Network, &state, raw.as_deref()).await })
    }
}

/// `GET /v1/groups/{group_id}/reports/{report}/chart`: the chart of one group's report.
pub fn group_chart(
    chart: Chart,
) -> impl Fn(State<AppState>, GroupPath, RawQuery) -> Drawing + Clone {
    move |State(state), GroupPath { group_id }, RawQuery(raw)| {
        Box::pin(async move {
            chart
                .draw(Scope::Group(group_id), &state, raw.as_deref())
                .await
        })
    }
}
