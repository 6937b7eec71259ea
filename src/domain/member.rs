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
    /// The member's number within the group (1, 2, 3... in order of registration, never
    /// reused), as called out at meetings and written on the sheet.
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
    /// Her contributions and withdrawals booked in the period (reversed ones too), whose
    /// receipts the statement shows.
    pub events: Vec<MemberEvent>,
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
    /// Corrections of who the member is (a typo in a name, a wrong sex or birth year), each
    /// kept with its reason, old and new values.
    pub correction: Option<MemberCorrection>,
}

/// A correction of the facts the reports count a member by. Each `Some` replaces the field
/// (`birth_year: Some(None)` clears it); `reason` is required and kept.
#[derive(Debug, Clone, Default)]
pub struct MemberCorrection {
    pub name: Option<String>,
    pub sex: Option<Sex>,
    pub birth_year: Option<Option<i32>>,
    pub home_country: Option<String>,
    pub host_country: Option<String>,
    pub joined_on: Option<NaiveDate>,
    pub reason: String,
    pub corrected_by: Option<Uuid>,
}

/// One field a correction changed, with its value before and after (JSON, as the member view
/// shows it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub from: serde_json::Value,
    pub to: serde_json::Value,
}

/// A correction as kept: who made it, when, why, and what changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberCorrectionRecord {
    pub id: Uuid,
    pub group_id: Uuid,
    pub member_id: Uuid,
    pub corrected_at: DateTime<Utc>,
    pub corrected_by: Option<Uuid>,
    pub reason: String,
    pub changes: Vec<FieldChange>,
}

/// Applies `correction` to `member` and returns the fields it changed, in a fixed order; a
/// field given with the value it already has is no change.
pub fn correct(member: &mut Member, correction: &MemberCorrection) -> Vec<FieldChange> {
    use serde_json::json;
    let mut changes = Vec::new();
    let mut note = |field: &str, from: serde_json::Value, to: serde_json::Value| {
        if from != to {
            changes.push(FieldChange {
                field: field.to_string(),
                from,
                to,
            });
        }
    };
    if let Some(name) = &correction.name {
        note("name", json!(member.name), json!(name));
        member.name = name.clone();
    }
    if let Some(sex) = correction.sex {
        note("sex", json!(member.sex), json!(sex));
        member.sex = sex;
    }
    if let Some(year) = correction.birth_year {
        note("birth_year", json!(member.birth_year), json!(year));
        member.birth_year = year;
    }
    if let Some(country) = &correction.home_country {
        note("home_country", json!(member.home_country), json!(country));
        member.home_country = country.clone();
    }
    if let Some(country) = &correction.host_country {
        note("host_country", json!(member.host_country), json!(country));
        member.host_country = country.clone();
    }
    if let Some(on) = correction.joined_on {
        note("joined_on", json!(member.joined_on), json!(on));
        member.joined_on = on;
    }
    changes
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
/// A member's fund in her own words, for messages she or her treasurer reads: "Carmen
/// Santos's savings", "her savings".
pub fn fund_label(name: &str, sex: Sex, fund: Fund) -> super::posting::AccountLabel {
    let noun = match fund {
        Fund::Savings => "savings",
        Fund::Capital => "capital",
        Fund::SocialFund => "social fund",
    };
    let pronoun = match sex {
        Sex::Female => "her",
        Sex::Male => "his",
        Sex::Other | Sex::Undisclosed => "their",
    };
    super::posting::AccountLabel {
        whole: format!("{name}'s {noun}"),
        own: format!("{pronoun} {noun}"),
    }
}

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
    /// Where that transaction stands in the group's chain, which the member's receipt names.
    pub chain: super::receipts::ChainPosition,
    /// The transaction that reversed this event's, if it was corrected away.
    pub reversed_by: Option<Uuid>,
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
    /// `false` leaves out events whose transaction was reversed.
    pub include_reversed: bool,
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

/// Most digits of a member number a request may carry (numbers start at 1 and grow by one a
/// member, so nine digits is far beyond any group).
pub const MAX_MEMBER_NUMBER_DIGITS: usize = 9;

/// How a request names a member: by id, or by the number the group gave her ("12" or "#12",
/// as written on a meeting sheet or a passbook).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MemberRef {
    Id(Uuid),
    Number(i64),
}

impl MemberRef {
    /// Reads an id or a member number; `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if let Ok(id) = Uuid::try_parse(text) {
            return Some(MemberRef::Id(id));
        }
        let digits = text.strip_prefix('#').unwrap_or(text);
        let well_formed = !digits.is_empty()
            && digits.len() <= MAX_MEMBER_NUMBER_DIGITS
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0');
        if well_formed {
            digits.parse().ok().map(MemberRef::Number)
        } else {
            None
        }
    }

    /// What a refusal says a member must be.
    pub const EXPECTED: &'static str =
        "a member's id or number, such as \"0190a6f2-58c1-7d3e-9a41-2b6c8e4f1a20\" or \"12\"";
}

impl<'de> Deserialize<'de> for MemberRef {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = MemberRef;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(MemberRef::EXPECTED)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<MemberRef, E> {
                MemberRef::parse(v)
                    .ok_or_else(|| E::invalid_value(serde::de::Unexpected::Str(v), &self))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<MemberRef, E> {
                MemberRef::parse(&v.to_string())
                    .ok_or_else(|| E::invalid_value(serde::de::Unexpected::Unsigned(v), &self))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<MemberRef, E> {
                MemberRef::parse(&v.to_string())
                    .ok_or_else(|| E::invalid_value(serde::de::Unexpected::Signed(v), &self))
            }
            // JSON does not tell 12 from 12.0, and JSON Schema counts both as integers.
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<MemberRef, E> {
                let whole = v.is_finite() && v.fract() == 0.0 && (1.0..1e9).contains(&v);
                if whole {
                    // In range and without a fraction, so the conversion is exact.
                    Ok(MemberRef::Number(v as i64))
                } else {
                    Err(E::invalid_value(serde::de::Unexpected::Float(v), &self))
                }
            }
        }
        d.deserialize_any(Visitor)
    }
}

#[cfg(test)]
mod member_ref_tests {
    use super::*;

    #[test]
    fn a_member_is_named_by_id_or_by_number_and_nothing_else() {
        let id = Uuid::now_v7();
        assert_eq!(MemberRef::parse(&id.to_string()), Some(MemberRef::Id(id)));
        assert_eq!(MemberRef::parse("12"), Some(MemberRef::Number(12)));
        assert_eq!(MemberRef::parse("#7"), Some(MemberRef::Number(7)));
        assert_eq!(MemberRef::parse(" 3 "), Some(MemberRef::Number(3)));
        for bad in [
            "",
            "0",
            "012",
            "-1",
            "1.5",
            "Carmen Santos",
            "#",
            "1234567890",
            "12a",
        ] {
            assert_eq!(MemberRef::parse(bad), None, "{bad}");
        }
    }
}

#[cfg(test)]
mod correction_tests {
    use super::*;

    fn fe() -> Member {
        Member {
            id: Uuid::now_v7(),
            group_id: Uuid::now_v7(),
            number: 4,
            name: "Fe Dizon".into(),
            sex: Sex::Male,
            birth_year: Some(1998),
            home_country: "PH".into(),
            host_country: "HK".into(),
            occupation: None,
            contact: None,
            joined_on: NaiveDate::from_ymd_opt(2026, 1, 10).unwrap(),
            status: MemberStatus::Active,
            status_on: None,
            savings_account_id: Uuid::now_v7(),
            capital_account_id: Uuid::now_v7(),
            created_at: Utc::now(),
        }
    }

    #[test]
    fn a_correction_keeps_only_what_changed_with_its_old_and_new_value() {
        let mut member = fe();
        let correction = MemberCorrection {
            name: Some("Fe Dizon".into()),
            sex: Some(Sex::Female),
            birth_year: Some(None),
            reason: "typed wrong".into(),
            ..MemberCorrection::default()
        };
        let changes = correct(&mut member, &correction);
        assert_eq!(
            changes,
            vec![
                FieldChange {
                    field: "sex".into(),
                    from: serde_json::json!("male"),
                    to: serde_json::json!("female"),
                },
                FieldChange {
                    field: "birth_year".into(),
                    from: serde_json::json!(1998),
                    to: serde_json::Value::Null,
                },
            ]
        );
        assert_eq!((member.sex, member.birth_year), (Sex::Female, None));
        // The same correction again changes nothing.
        assert!(correct(&mut member, &correction).is_empty());
        assert_eq!(member.number, 4);
    }

    #[test]
    fn an_overdraft_names_the_member_in_her_own_words() {
        let label = fund_label("Carmen Santos", Sex::Female, Fund::Savings);
        assert_eq!(label.whole, "Carmen Santos's savings");
        assert_eq!(label.own, "her savings");
        assert_eq!(
            fund_label("Ed", Sex::Undisclosed, Fund::Capital).own,
            "their capital"
        );
    }
}
