//! `GET /v1/groups/{group_id}/reports/member-balances`: what each member holds in each fund.

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::NaiveDate;
use serde::Serialize;
use uuid::Uuid;

use crate::domain::member::{MemberStatus, Sex};
use crate::domain::money::{Currency, format_amount, format_total};
use crate::domain::position::PositionLine;
use crate::domain::reports::MemberBalances;
use crate::http::AppState;
use crate::http::error::ApiError;
use crate::http::path::GroupPath;
use crate::http::report::{Report, Table, answer, report_query};

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
    let (params, format) = report_query(raw.as_deref(), &["as_of", "format"], &headers)?;
    let as_of = params.date("as_of")?;
    let balances = state.store.member_balances(group_id, as_of).await?;
    let view = MemberBalancesView {
        group_id,
        as_of,
        members: balances
            .members
            .iter()
            .map(|(record, position)| MemberBalanceView {
                member_id: record.member.id,
                name: record.member.name.clone(),
                sex: record.member.sex,
                status: record.member.status,
                balances: position.lines.iter().map(BalanceView::of).collect(),
            })
            .collect(),
        totals: totals(&balances),
    };
    Ok(answer(format, &view))
}

/// Every member's savings, capital and payables added up, per currency.
fn totals(balances: &MemberBalances) -> Vec<TotalBalanceView> {
    let mut totals: std::collections::BTreeMap<&'static str, (Currency, [i128; 3])> =
        Default::default();
    for b in balances.members.iter().flat_map(|(_, p)| &p.lines) {
        let t = &mut totals
            .entry(b.currency.code())
            .or_insert((b.currency, [0; 3]))
            .1;
        t[0] += i128::from(b.savings);
        t[1] += i128::from(b.capital);
        t[2] += i128::from(b.payable);
    }
    totals
        .into_values()
        .map(|(c, [s, k, p])| TotalBalanceView {
            currency: c.code().to_string(),
            savings: format_total(s, c),
            capital: format_total(k, c),
            payable: format_total(p, c),
        })
        .collect()
}

impl Report for MemberBalancesView {
    const FILE_NAME: &'static str = "member-balances";

    /// One row per member and currency.
    fn table(&self) -> Table {
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
        for m in &self.members {
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
    }
}
