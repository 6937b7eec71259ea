//! Members, their statements and their corrections as the API shows them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::domain::member::{
    Channel, Fund, MemberEvent, MemberRecord, MemberStatement, MemberStatus, Sex,
};
use crate::domain::money::format_amount;
use crate::domain::operations::Basis;
use crate::domain::receipts::Receipt;
use crate::signing::{Signed, Signer};

use crate::http::views::*;

#[derive(Debug, Serialize)]
pub struct MemberAccountsView {
    pub savings: AccountView,
    pub capital: AccountView,
}

#[derive(Debug, Serialize)]
pub struct MemberView {
    pub id: Uuid,
    pub group_id: Uuid,
    pub number: i64,
    pub name: String,
    pub sex: Sex,
    pub birth_year: Option<i32>,
    pub home_country: String,
    pub host_country: String,
    pub occupation: Option<String>,
    pub contact: Option<String>,
    pub joined_on: NaiveDate,
    pub status: MemberStatus,
    pub status_on: Option<NaiveDate>,
    pub accounts: MemberAccountsView,
    /// Her savings, capital and what the group owes her, per currency, as her accounts stand.
    pub position: Vec<crate::http::reports::BalanceView>,
    pub created_at: DateTime<Utc>,
}

impl MemberView {
    pub fn of(r: &MemberRecord) -> Self {
        let m = &r.member;
        MemberView {
            id: m.id,
            group_id: m.group_id,
            number: m.number,
            name: m.name.clone(),
            sex: m.sex,
            birth_year: m.birth_year,
            home_country: m.home_country.clone(),
            host_country: m.host_country.clone(),
            occupation: m.occupation.clone(),
            contact: m.contact.clone(),
            joined_on: m.joined_on,
            status: m.status,
            status_on: m.status_on,
            accounts: MemberAccountsView {
                savings: AccountView::of(&r.savings),
                capital: AccountView::of(&r.capital),
            },
            position: crate::domain::position::MemberPosition::current(r.savings.currency, r)
                .lines
                .iter()
                .map(crate::http::reports::BalanceView::of)
                .collect(),
            created_at: m.created_at,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct MemberStatementView {
    pub member: MemberView,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub accounts: Vec<StatementView>,
    pub current_balance: String,
    /// What the member may draw at will in her savings' currency: savings and payables.
    pub available_balance: String,
    /// Her savings, capital and what the group owes her, per currency, as they stand.
    pub position: Vec<crate::http::reports::BalanceView>,
    /// The group's distribution basis, by which investment shares are counted.
    pub distribution_basis: Basis,
    pub investments: Vec<InvestmentShareView>,
    /// Every remittance the member sent, with its cost (not limited to `from`..`to`).
    pub remittances: Vec<RemittanceView>,
    /// The signed receipts of her contributions, withdrawals and remittances booked from
    /// `from` to `to`, in the order of their transactions' sequences.
    pub receipts: Vec<Signed>,
}

/// The member's share of one investment's book value, on the group's basis today.
#[derive(Debug, Serialize)]
pub struct InvestmentShareView {
    pub investment_id: Uuid,
    pub name: String,
    pub kind: crate::domain::operations::InvestmentKind,
    pub status: crate::domain::operations::InvestmentStatus,
    pub currency: String,
    pub book_value: String,
    pub member_share: String,
}

impl MemberStatementView {
    pub fn of(s: &MemberStatement, signer: &Signer) -> Self {
        let holdings = &s.holdings;
        let savings = &s.record.savings;
        let balance = crate::domain::account::normal_balance(
            savings.kind,
            savings.debits_minor,
            savings.credits_minor,
        )
        .unwrap_or(0);
        MemberStatementView {
            member: MemberView::of(&s.record),
            from: s.savings.from,
            to: s.savings.to,
            accounts: vec![StatementView::of(&s.savings), StatementView::of(&s.capital)],
            current_balance: format_amount(balance, savings.currency),
            available_balance: format_amount(
                holdings.position.available(savings.currency),
                savings.currency,
            ),
            position: holdings
                .position
                .lines
                .iter()
                .map(crate::http::reports::BalanceView::of)
                .collect(),
            distribution_basis: holdings.basis,
            investments: holdings
                .investments
                .iter()
                .map(|(r, share)| InvestmentShareView {
                    investment_id: r.investment.id,
                    name: r.investment.name.clone(),
                    kind: r.investment.kind,
                    status: r.investment.status,
                    currency: r.investment.currency.code().to_string(),
                    book_value: format_amount(r.figures.book_value, r.investment.currency),
                    member_share: format_amount(*share, r.investment.currency),
                })
                .collect(),
            remittances: holdings
                .remittances
                .iter()
                .map(|r| RemittanceView::of(r, signer))
                .collect(),
            receipts: statement_receipts(s)
                .iter()
                .map(|r| signer.sign(r.document()))
                .collect(),
        }
    }
}

/// The receipts a statement shows: its period's contributions, withdrawals and remittances,
/// by sequence.
fn statement_receipts(s: &MemberStatement) -> Vec<Receipt> {
    let in_period = |on: NaiveDate| {
        s.savings.from.is_none_or(|from| on >= from) && s.savings.to.is_none_or(|to| on <= to)
    };
    let mut receipts: Vec<Receipt> = s.events.iter().map(Receipt::of_event).collect();
    receipts.extend(
        s.holdings
            .remittances
            .iter()
            .filter(|r| in_period(r.details.booked_on))
            .filter_map(Receipt::of_remittance),
    );
    receipts.sort_by_key(|r| r.sequence);
    receipts
}

/// A correction of a member's record as the API shows it.
#[derive(Debug, Serialize)]
pub struct MemberCorrectionView {
    pub id: Uuid,
    pub member_id: Uuid,
    pub corrected_at: DateTime<Utc>,
    pub corrected_by: Option<Uuid>,
    pub reason: String,
    pub changes: Vec<crate::domain::member::FieldChange>,
}

#[derive(Debug, Serialize)]
pub struct ContributionView {
    pub id: Uuid,
    pub group_id: Uuid,
    pub member_id: Uuid,
    pub amount: String,
    pub currency: String,
    pub fund: Fund,
    pub channel: Channel,
    pub booked_on: NaiveDate,
    pub receipt_no: Option<String>,
    pub transaction_id: Uuid,
    /// The transaction that reversed this record's, if it was corrected away.
    pub reversed_by: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    /// The member's signed receipt (docs/RECEIPTS.md).
    pub receipt: Signed,
}

impl ContributionView {
    /// The record with the member's receipt, signed by `signer`.
    pub fn of(e: &MemberEvent, signer: &Signer) -> Self {
        ContributionView {
            id: e.id,
            group_id: e.group_id,
            member_id: e.member_id,
            amount: format_amount(e.amount_minor, e.currency),
            currency: e.currency.code().to_string(),
            fund: e.fund,
            channel: e.channel,
            booked_on: e.booked_on,
            receipt_no: e.receipt_no.clone(),
            transaction_id: e.transaction_id,
            reversed_by: e.reversed_by,
            created_by: e.created_by,
            created_at: e.created_at,
            receipt: signer.sign(Receipt::of_event(e).document()),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct WithdrawalView {
    pub id: Uuid,
    pub group_id: Uuid,
    pub member_id: Uuid,
    pub amount: String,
    pub currency: String,
    pub from: &'static str,
    pub channel: Channel,
    pub booked_on: NaiveDate,
    pub transaction_id: Uuid,
    /// The transaction that reversed this record's, if it was corrected away.
    pub reversed_by: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    /// The member's signed receipt (docs/RECEIPTS.md).
    pub receipt: Signed,
}

impl WithdrawalView {
    /// The record with the member's receipt, signed by `signer`.
    pub fn of(e: &MemberEvent, signer: &Signer) -> Self {
        WithdrawalView {
            id: e.id,
            group_id: e.group_id,
            member_id: e.member_id,
            amount: format_amount(e.amount_minor, e.currency),
            currency: e.currency.code().to_string(),
            from: "savings",
            channel: e.channel,
            booked_on: e.booked_on,
            transaction_id: e.transaction_id,
            reversed_by: e.reversed_by,
            created_by: e.created_by,
            created_at: e.created_at,
            receipt: signer.sign(Receipt::of_event(e).document()),
        }
    }
}
