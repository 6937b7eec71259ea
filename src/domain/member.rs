//! Members of a savings group, and the events a treasurer records for them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::money::Currency;

/// Recorded as the member chooses; never required to be disclosed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Female,
    Male,
    Other,
    #[default]
    Undisclosed,
}

impl Sex {
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Female => "female",
            Sex::Male => "male",
            Sex::Other => "other",
            Sex::Undisclosed => "undisclosed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "female" => Sex::Female,
            "male" => Sex::Male,
            "other" => Sex::Other,
            "undisclosed" => Sex::Undisclosed,
            _ => return None,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberStatus {
    Active,
    /// Went home (reintegration); may still be paid out.
    ReturnedHome,
    /// Left the group for good; final.
    Exited,
}

impl MemberStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MemberStatus::Active => "active",
            MemberStatus::ReturnedHome => "returned_home",
            MemberStatus::Exited => "exited",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "active" => MemberStatus::Active,
            "returned_home" => MemberStatus::ReturnedHome,
            "exited" => MemberStatus::Exited,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: Uuid,
    pub group_id: Uuid,
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
    pub savings_account_id: Uuid,
    pub capital_account_id: Uuid,
    pub created_at: DateTime<Utc>,
}

/// A member with their savings and capital accounts as they stand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRecord {
    pub member: Member,
    pub savings: super::model::Account,
    pub capital: super::model::Account,
    /// Her payable accounts (`liabilities:payable:<member id>:<CCY>`), by code: what the
    /// group owes her, part of her position.
    pub payables: Vec<super::model::Account>,
}

/// A member's statement: each of their accounts over a period.
#[derive(Debug, Clone)]
pub struct MemberStatement {
    pub record: MemberRecord,
    pub savings: super::model::Statement,
    pub capital: super::model::Statement,
    /// Read in the same transaction as the statement, so the parts agree.
    pub holdings: super::operations::MemberHoldings,
}

#[derive(Debug, Clone)]
pub struct NewMember {
    pub name: String,
    pub sex: Sex,
    pub birth_year: Option<i32>,
    pub home_country: String,
    pub host_country: String,
    pub occupation: Option<String>,
    pub contact: Option<String>,
    pub joined_on: NaiveDate,
}

/// Changes to a member: each `Some` replaces the field (`Some(None)` clears it).
#[derive(Debug, Clone, Default)]
pub struct MemberUpdate {
    pub occupation: Option<Option<String>>,
    pub contact: Option<Option<String>>,
    pub status: Option<(MemberStatus, NaiveDate)>,
}

/// Where a contribution goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fund {
    Savings,
    Capital,
    SocialFund,
}

/// How money came in or went out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Cash,
    Bank,
    Remittance,
    MobileWallet,
}

impl Fund {
    pub fn as_str(self) -> &'static str {
        match self {
            Fund::Savings => "savings",
            Fund::Capital => "capital",
            Fund::SocialFund => "social_fund",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "savings" => Fund::Savings,
            "capital" => Fund::Capital,
            "social_fund" => Fund::SocialFund,
            _ => return None,
        })
    }
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Cash => "cash",
            Channel::Bank => "bank",
            Channel::Remittance => "remittance",
            Channel::MobileWallet => "mobile_wallet",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "cash" => Channel::Cash,
            "bank" => Channel::Bank,
            "remittance" => Channel::Remittance,
            "mobile_wallet" => Channel::MobileWallet,
            _ => return None,
        })
    }

    /// The group's asset account that money through this channel lands in or leaves from:
    /// the cash box, the bank or e-wallet account in the host country, or the bank account at
    /// home for money remitted there.
    pub fn asset_code(self, currency: Currency) -> String {
        match self {
            Channel::Cash => format!("assets:cash:{currency}"),
            Channel::Bank | Channel::MobileWallet => format!("assets:bank:{currency}"),
            Channel::Remittance => format!("assets:home-bank:{currency}"),
        }
    }
}

/// The code of a member's savings and capital accounts.
pub fn savings_code(member_id: Uuid) -> String {
    format!("liabilities:savings:{member_id}")
}

pub fn capital_code(member_id: Uuid) -> String {
    format!("equity:capital:{member_id}")
}

pub fn social_fund_code(currency: Currency) -> String {
    format!("liabilities:social-fund:{currency}")
}

/// What a treasurer recorded: a contribution (money in) or a withdrawal (money out).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    Contribution,
    Withdrawal,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Contribution => "contribution",
            EventKind::Withdrawal => "withdrawal",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberEvent {
    pub id: Uuid,
    pub group_id: Uuid,
    pub member_id: Uuid,
    pub kind: EventKind,
    pub amount_minor: i64,
    pub currency: Currency,
    pub fund: Fund,
    pub channel: Channel,
    pub booked_on: NaiveDate,
    pub receipt_no: Option<String>,
    pub transaction_id: Uuid,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

/// A contribution or withdrawal as asked for; the amount is still text until the currency is
/// known to be right.
#[derive(Debug, Clone)]
pub struct NewMemberEvent {
    pub kind: EventKind,
    pub member_id: Uuid,
    pub amount: String,
    pub currency: Option<Currency>,
    pub fund: Fund,
    pub channel: Channel,
    pub booked_on: NaiveDate,
    pub receipt_no: Option<String>,
    pub created_by: Option<Uuid>,
    /// The request's audit record, to be written with the event in its commit when the event
    /// is written with others (see `coalesce.rs`); `None` leaves it to the audit layer.
    pub audit: Option<super::access::AuditDraft>,
}

#[derive(Debug, Clone)]
pub struct MemberEventQuery {
    pub kind: EventKind,
    pub member_id: Option<Uuid>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub after: Option<Uuid>,
    pub limit: u32,
}

/// A meeting recorded at once: who came, and the contributions and withdrawals made there,
/// all booked on the meeting's day.
#[derive(Debug, Clone)]
pub struct NewMeeting {
    pub held_on: NaiveDate,
    pub note: Option<String>,
    pub attendance: Vec<Uuid>,
    pub events: Vec<NewMemberEvent>,
    pub created_by: Option<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meeting {
    pub id: Uuid,
    pub group_id: Uuid,
    pub held_on: NaiveDate,
    pub note: Option<String>,
    pub attendance: Vec<Uuid>,
    pub events: Vec<MemberEvent>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}
