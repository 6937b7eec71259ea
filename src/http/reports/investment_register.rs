//! `GET /v1/groups/{group_id}/reports/investment-register`: every investment with its figures.

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Serialize;
use uuid::Uuid;

use crate::domain::money::format_total;
use crate::domain::network::{Holding, PortfolioLine, breakdown};
use crate::domain::reports::InvestmentRegister;
use crate::http::AppState;
use crate::http::error::ApiError;
use crate::http::path::GroupPath;
use crate::http::report::{Report, Table, answer, cell, report_query};
use crate::http::views::InvestmentView;

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
    let (_, format) = report_query(raw.as_deref(), &["format"], &headers)?;
    let register = state.store.investment_register(group_id).await?;
    Ok(answer(
        format,
        &InvestmentRegisterView::of(group_id, &register),
    ))
}

impl InvestmentRegisterView {
    fn of(group_id: Uuid, register: &InvestmentRegister) -> Self {
        // Per currency, added up exactly as the task force's portfolio adds them.
        let holdings: Vec<Holding> = register
            .investments
            .iter()
            .map(|r| Holding {
                kind: r.investment.kind,
                sector: r.investment.sector.clone(),
                country: r.investment.country.clone(),
                status: r.investment.status,
                currency: r.investment.currency,
                committed_minor: r.investment.committed_minor,
                women_led: r.investment.women_led,
                figures: r.figures,
            })
            .collect();
        InvestmentRegisterView {
            group_id,
            investments: register
                .investments
                .iter()
                .map(InvestmentView::of)
                .collect(),
            totals: breakdown(&holdings, |_| String::new())
                .iter()
                .map(RegisterTotalView::of)
                .collect(),
        }
    }
}

impl RegisterTotalView {
    fn of(t: &PortfolioLine) -> Self {
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
    }
}

impl Report for InvestmentRegisterView {
    const FILE_NAME: &'static str = "investment-register";

    /// One row per investment, then one total per currency.
    fn table(&self) -> Table {
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
        for i in &self.investments {
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
        for t in &self.totals {
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
    }
}
