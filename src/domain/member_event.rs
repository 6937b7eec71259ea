//! Contributions and withdrawals: which rule refuses one (and on which field of the request),
//! or the balanced transaction that records it. Pure: the store loads the member and the
//! group's accounts, this module decides, the store writes.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::account::{AccountType, Direction};
use super::error::{LedgerError, Rule};
use super::member::{EventKind, Fund, Member, MemberEvent, MemberStatus, NewMemberEvent};
use super::model::{Account, Group, NewAccount};
use super::money::{self, Currency};
use super::posting::{AccountState, Line};
use super::prepare::{self, Decision, Inconsistent, Posting, Prepared};

/// The group's accounts a gathering of writes has read or planned so far, each marked
/// whether it is yet to be opened (by the write that first needed it, once accepted).
pub type KnownAccounts = Vec<(Account, bool)>;

/// A contribution or withdrawal that passed every rule: the event and its transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JudgedEvent {
    pub event: MemberEvent,
    pub prepared: Prepared,
}

/// What a standard account the group has not opened yet is opened as.
pub fn account_to_open(
    code: String,
    name: &str,
    kind: AccountType,
    currency: Currency,
    no_overdraft: bool,
) -> NewAccount {
    // Income and expense accounts only gather what is closed into equity later: a
    // correction booked after a period may take one below zero until that period is
    // closed, so they never refuse a posting.
    let no_overdraft = no_overdraft && !matches!(kind, AccountType::Income | AccountType::Expense);
    NewAccount {
        code,
        name: name.to_string(),
        kind,
        currency,
        no_overdraft,
    }
}

/// Why an existing account cannot serve as the group's `kind` account in `currency`
/// (a 422 on `pointer`), if it cannot.
pub fn unfit_account(
    account: &Account,
    kind: AccountType,
    currency: Currency,
    pointer: &str,
) -> Option<LedgerError> {
    (account.currency != currency || account.kind != kind).then(|| {
        LedgerError::rule(
            Rule::CurrencyMismatch,
            Some(pointer.to_string()),
            format!(
                "the group's account {} is a {} account in {}, not a {} account in {currency}",
                account.code,
                account.kind.as_str(),
                account.currency,
                kind.as_str()
            ),
        )
    })
}

/// An account as `request` describes it, with a new id and no entries yet.
pub fn new_account(group_id: Uuid, request: &NewAccount, created_at: DateTime<Utc>) -> Account {
    Account {
        id: Uuid::now_v7(),
        group_id,
        code: request.code.clone(),
        name: request.name.clone(),
        kind: request.kind,
        currency: request.currency,
        no_overdraft: request.no_overdraft,
        debits_minor: 0,
        credits_minor: 0,
        created_at,
    }
}

/// The index in `known` of the account with `wanted`'s code, added to `known` as one to
/// open if the group has none yet. An existing account of another currency or type cannot
/// be used: a 422 on `pointer`.
pub fn plan_account(
    known: &mut KnownAccounts,
    group_id: Uuid,
    wanted: NewAccount,
    pointer: &str,
    recorded_at: DateTime<Utc>,
) -> Result<usize, LedgerError> {
    if let Some(index) = known.iter().position(|(a, _)| a.code == wanted.code) {
        return match unfit_account(&known[index].0, wanted.kind, wanted.currency, pointer) {
            Some(unfit) => Err(unfit),
            None => Ok(index),
        };
    }
    known.push((new_account(group_id, &wanted, recorded_at), true));
    Ok(known.len() - 1)
}

/// Judges one contribution or withdrawal against the group as the writes before it in its
/// gathering left it: the member (`None`: not a member of the group) and the group's
/// accounts `known` (those it needs and the group has not opened are added, to be opened).
/// Accepted, it is the event and its transaction (the group's head moved on); refused, the
/// rule it breaks, the first found in the order the API promises, with the field it points
/// at, and `group` and `known` are as they were.
pub fn judge(
    group: &mut Group,
    request: &NewMemberEvent,
    member: Option<&Member>,
    known: &mut KnownAccounts,
    recorded_at: DateTime<Utc>,
) -> Decision<JudgedEvent> {
    let before = known.len();
    let judged = judge_planning(group, request, member, known, recorded_at);
    if !matches!(judged, Ok(Ok(_))) {
        // The accounts this write would have opened are not opened.
        known.truncate(before);
    }
    judged
}

/// The member making the event, or why the event is refused on `/member_id`.
fn member_may<'m>(
    request: &NewMemberEvent,
    member: Option<&'m Member>,
) -> Result<&'m Member, LedgerError> {
    let Some(member) = member else {
        return Err(LedgerError::rule(
            Rule::UnknownMember,
            Some("/member_id".into()),
            "no member of this group has this id",
        ));
    };
    if request.kind == EventKind::Contribution && member.status != MemberStatus::Active {
        return Err(LedgerError::rule(
            Rule::MemberNotActive,
            Some("/member_id".into()),
            format!(
                "the member's status is {}; contributions are taken from active members only",
                member.status.as_str()
            ),
        ));
    }
    Ok(member)
}

/// The event's amount in the minor units of `currency`, or why it is refused.
fn amount_of(request: &NewMemberEvent, currency: Currency) -> Result<i64, LedgerError> {
    money::parse_positive_amount(&request.amount, currency).map_err(|e| match e {
        money::AmountError::NotPositive => LedgerError::rule(
            Rule::NonPositiveAmount,
            Some("/amount".into()),
            "the amount must be greater than zero",
        ),
        e => LedgerError::invalid("/amount", format!("amount {e}")),
    })
}

/// Where in `known` the event's fund and channel accounts are (planned if need be), and
/// whether the fund is the member's own.
fn plan_accounts(
    group: &Group,
    request: &NewMemberEvent,
    member: &Member,
    known: &mut KnownAccounts,
    recorded_at: DateTime<Utc>,
) -> Decision<(usize, usize, bool)> {
    let currency = request.currency.unwrap_or(group.currency);
    let index_of = |known: &KnownAccounts, id: Uuid| {
        known
            .iter()
            .position(|(a, _)| a.id == id)
            .ok_or_else(|| Inconsistent("a member's account is missing".into()))
    };
    let member_account = match request.fund {
        Fund::Savings => Some(index_of(known, member.savings_account_id)?),
        Fund::Capital => Some(index_of(known, member.capital_account_id)?),
        Fund::SocialFund => None,
    };
    if let Some(index) = member_account
        && known[index].0.currency != currency
    {
        return Ok(Err(LedgerError::rule(
            Rule::CurrencyMismatch,
            Some("/currency".into()),
            format!(
                "the member's {} account is in {}, not {currency}",
                request.fund.as_str(),
                known[index].0.currency
            ),
        )));
    }
    if let Err(refused) = amount_of(request, currency) {
        return Ok(Err(refused));
    }
    let channel_name = format!("{} ({currency})", request.channel.as_str());
    let channel_code = request.channel.asset_code(currency);
    let wanted = account_to_open(
        channel_code,
        &channel_name,
        AccountType::Asset,
        currency,
        true,
    );
    let channel = match plan_account(known, group.id, wanted, "/channel", recorded_at) {
        Ok(index) => index,
        Err(refused) => return Ok(Err(refused)),
    };
    let fund = match member_account {
        Some(index) => index,
        None => {
            let code = super::member::social_fund_code(currency);
            let name = format!("Social fund ({currency})");
            let wanted = account_to_open(code, &name, AccountType::Liability, currency, true);
            match plan_account(known, group.id, wanted, "/fund", recorded_at) {
                Ok(index) => index,
                Err(refused) => return Ok(Err(refused)),
            }
        }
    };
    Ok(Ok((fund, channel, member_account.is_some())))
}

/// As `judge`, leaving in `known` the accounts it planned even when it refuses.
fn judge_planning(
    group: &mut Group,
    request: &NewMemberEvent,
    member: Option<&Member>,
    known: &mut KnownAccounts,
    recorded_at: DateTime<Utc>,
) -> Decision<JudgedEvent> {
    let member = match member_may(request, member) {
        Ok(member) => member,
        Err(refused) => return Ok(Err(refused)),
    };
    let (fund, channel, own_fund) = match plan_accounts(group, request, member, known, recorded_at)?
    {
        Ok(planned) => planned,
        Err(refused) => return Ok(Err(refused)),
    };
    let currency = request.currency.unwrap_or(group.currency);
    let amount_minor = match amount_of(request, currency) {
        Ok(minor) => minor,
        Err(refused) => return Ok(Err(refused)),
    };
    let label = own_fund.then(|| super::member::fund_label(&member.name, member.sex, request.fund));
    let states = states(&known[fund].0, &known[channel].0, label);
    let lines = lines(request.kind, amount_minor);
    let event_id = Uuid::now_v7();
    let metadata =
        serde_json::json!({"event": request.kind.as_str(), "event_id": event_id.to_string()});
    let description = describe(request, member);
    let posting = Posting {
        booked_on: request.booked_on,
        description: &description,
        metadata: &metadata,
        lines: &lines,
        accounts: &states,
        reverses: None,
        created_by: request.created_by,
    };
    let prepared = match prepare::prepare(group, &posting, recorded_at)? {
        Ok(prepared) => prepared,
        Err(refused) => return Ok(Err(refused)),
    };
    let event = MemberEvent {
        id: event_id,
        group_id: group.id,
        member_id: member.id,
        kind: request.kind,
        amount_minor,
        currency,
        fund: request.fund,
        channel: request.channel,
        booked_on: request.booked_on,
        receipt_no: request.receipt_no.clone(),
        transaction_id: prepared.transaction.id,
        chain: super::receipts::ChainPosition {
            sequence: prepared.transaction.sequence,
            hash: prepared.transaction.hash.clone(),
        },
        reversed_by: None,
        created_by: request.created_by,
        created_at: prepared.transaction.recorded_at,
    };
    Ok(Ok(JudgedEvent { event, prepared }))
}

/// The fund's and the channel's accounts as the posting sees them. The member's fund first:
/// when a withdrawal asks for more than the member has, that is the overdraft to report,
/// before any shortage in the cash box. Each points at the field of the request that chose
/// it, as data the refusal carries.
fn states(
    fund: &Account,
    channel: &Account,
    label: Option<super::posting::AccountLabel>,
) -> [AccountState; 2] {
    let mut fund_state = AccountState::of(fund);
    fund_state.field = Some("/amount");
    fund_state.label = label;
    let mut channel_state = AccountState::of(channel);
    channel_state.field = Some("/channel");
    [fund_state, channel_state]
}

/// The lines on the fund (account 0) and the channel (account 1). Money in: the channel's
/// asset grows, the member's fund grows. Money out: back.
fn lines(kind: EventKind, amount_minor: i64) -> [Line; 2] {
    let (fund_side, channel_side) = match kind {
        EventKind::Contribution => (Direction::Credit, Direction::Debit),
        EventKind::Withdrawal => (Direction::Debit, Direction::Credit),
    };
    let fund = Line {
        account: 0,
        direction: fund_side,
        amount_minor,
    };
    let channel = Line {
        account: 1,
        direction: channel_side,
        amount_minor,
    };
    match kind {
        EventKind::Contribution => [channel, fund],
        EventKind::Withdrawal => [fund, channel],
    }
}

fn describe(request: &NewMemberEvent, member: &Member) -> String {
    match request.kind {
        EventKind::Contribution => format!(
            "{} contributes to {} ({})",
            member.name,
            request.fund.as_str(),
            request.channel.as_str()
        ),
        EventKind::Withdrawal => format!(
            "{} withdraws from savings ({})",
            member.name,
            request.channel.as_str()
        ),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::domain::account::normal_balance;
    use crate::domain::hash::GENESIS_HASH;
    use crate::domain::member::{Channel, Sex};
    use crate::domain::operations::{Basis, GroupProfile, GroupStatus};

    fn hkd() -> Currency {
        Currency::parse("HKD").unwrap()
    }

    fn at() -> DateTime<Utc> {
        DateTime::from_timestamp_micros(1_780_000_000_123_456).unwrap()
    }

    fn group() -> Group {
        Group {
            id: Uuid::now_v7(),
            name: "Bayanihan".into(),
            currency: hkd(),
            host_country: "HK".into(),
            home_country: "PH".into(),
            created_at: at(),
            closed_through: None,
            head_sequence: 41,
            head_hash: GENESIS_HASH.into(),
            profile: GroupProfile {
                status: GroupStatus::Provisional,
                status_on: None,
                accredited_on: None,
                distribution_basis: Basis::Savings,
                time_zone: crate::domain::dates::parse_time_zone("Asia/Hong_Kong").unwrap(),
            },
        }
    }

    fn account(group: &Group, code: &str, kind: AccountType, credits: i64, debits: i64) -> Account {
        Account {
            id: Uuid::now_v7(),
            group_id: group.id,
            code: code.into(),
            name: code.into(),
            kind,
            currency: hkd(),
            no_overdraft: true,
            debits_minor: debits,
            credits_minor: credits,
            created_at: at(),
        }
    }

    /// A member with `savings_minor` saved, and the group's accounts as read: her savings
    /// and capital, and the cash box holding `cash_minor` (none if `None`).
    fn member_and_accounts(
        group: &Group,
        savings_minor: i64,
        cash_minor: Option<i64>,
    ) -> (Member, KnownAccounts) {
        let savings = account(
            group,
            "liabilities:savings:m",
            AccountType::Liability,
            savings_minor,
            0,
        );
        let capital = account(group, "equity:capital:m", AccountType::Equity, 0, 0);
        let member = Member {
            id: Uuid::now_v7(),
            group_id: group.id,
            number: 1,
            name: "Carmen Santos".into(),
            sex: Sex::Female,
            birth_year: None,
            home_country: "PH".into(),
            host_country: "HK".into(),
            occupation: None,
            contact: None,
            joined_on: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            status: MemberStatus::Active,
            status_on: None,
            savings_account_id: savings.id,
            capital_account_id: capital.id,
            created_at: at(),
        };
        let mut known = vec![(savings, false), (capital, false)];
        if let Some(cash) = cash_minor {
            known.push((
                account(group, "assets:cash:HKD", AccountType::Asset, 0, cash),
                false,
            ));
        }
        (member, known)
    }

    fn request(kind: EventKind, fund: Fund, amount_minor: i64) -> NewMemberEvent {
        NewMemberEvent {
            kind,
            member_id: Uuid::nil(),
            amount: format!("{}.{:02}", amount_minor / 100, amount_minor % 100),
            currency: None,
            fund,
            channel: Channel::Cash,
            booked_on: chrono::NaiveDate::from_ymd_opt(2026, 11, 10).unwrap(),
            receipt_no: None,
            created_by: None,
            audit: None,
        }
    }

    fn balance_of(known: &KnownAccounts, prepared: &Prepared, code: &str) -> (i64, i64) {
        let (account, _) = known.iter().find(|(a, _)| a.code == code).unwrap();
        let (_, debits, credits) = prepared
            .totals
            .iter()
            .find(|(id, _, _)| *id == account.id)
            .copied()
            .unwrap();
        let before =
            normal_balance(account.kind, account.debits_minor, account.credits_minor).unwrap();
        (
            before,
            normal_balance(account.kind, debits, credits).unwrap(),
        )
    }

    proptest! {
        /// A withdrawal never takes a member's savings below zero: it is refused on
        /// `/amount` when she asks for more than she has, on `/channel` when the cash box
        /// is short, and otherwise takes exactly its amount; a refusal changes nothing.
        #[test]
        fn a_withdrawal_never_takes_savings_below_zero_and_its_refusal_points_at_the_amount(
            savings_minor in 0i64..1_000_000,
            cash_minor in prop::option::of(0i64..1_000_000),
            amount_minor in 1i64..2_000_000,
        ) {
            let mut g = group();
            let (member, mut known) = member_and_accounts(&g, savings_minor, cash_minor);
            let (group_before, known_before) = (g.clone(), known.clone());
            let asked = request(EventKind::Withdrawal, Fund::Savings, amount_minor);
            match judge(&mut g, &asked, Some(&member), &mut known, at()).unwrap() {
                Ok(judged) => {
                    let (before, after) = balance_of(&known, &judged.prepared, "liabilities:savings:m");
                    prop_assert!(after >= 0);
                    prop_assert_eq!(after, before - amount_minor);
                    prop_assert_eq!(judged.event.amount_minor, amount_minor);
                    prop_assert_eq!(g.head_sequence, 42);
                }
                Err(LedgerError::Rule { rule, pointer, .. }) => {
                    prop_assert_eq!(rule, Rule::Overdraft);
                    let expected = if amount_minor > savings_minor { "/amount" } else { "/channel" };
                    prop_assert_eq!(pointer.as_deref(), Some(expected));
                    prop_assert!(amount_minor > savings_minor || amount_minor > cash_minor.unwrap_or(0));
                    prop_assert_eq!(&g, &group_before);
                    prop_assert_eq!(&known, &known_before);
                }
                Err(other) => prop_assert!(false, "{other:?}"),
            }
        }

        /// A contribution always raises the fund it names, and only that fund of the
        /// member's, by exactly its amount; the social fund is opened on first need.
        #[test]
        fn a_contribution_raises_the_right_fund_by_exactly_its_amount(
            savings_minor in 0i64..1_000_000,
            cash_minor in prop::option::of(0i64..1_000_000),
            amount_minor in 1i64..2_000_000,
            fund in prop_oneof![Just(Fund::Savings), Just(Fund::Capital), Just(Fund::SocialFund)],
        ) {
            let mut g = group();
            let (member, mut known) = member_and_accounts(&g, savings_minor, cash_minor);
            let asked = request(EventKind::Contribution, fund, amount_minor);
            let judged = judge(&mut g, &asked, Some(&member), &mut known, at()).unwrap();
            prop_assert!(judged.is_ok(), "{:?}", judged);
            let judged = judged.unwrap();
            let code = match fund {
                Fund::Savings => "liabilities:savings:m",
                Fund::Capital => "equity:capital:m",
                Fund::SocialFund => "liabilities:social-fund:HKD",
            };
            let (before, after) = balance_of(&known, &judged.prepared, code);
            prop_assert_eq!(after, before + amount_minor);
            let (cash_before, cash_after) = balance_of(&known, &judged.prepared, "assets:cash:HKD");
            prop_assert_eq!(cash_after, cash_before + amount_minor);
            prop_assert_eq!(judged.prepared.totals.len(), 2);
            let opened: Vec<&str> = known.iter().filter(|(_, new)| *new).map(|(a, _)| a.code.as_str()).collect();
            let mut expected = Vec::new();
            if cash_minor.is_none() {
                expected.push("assets:cash:HKD");
            }
            if fund == Fund::SocialFund {
                expected.push("liabilities:social-fund:HKD");
            }
            prop_assert_eq!(opened, expected);
        }
    }

    #[test]
    fn a_stranger_or_a_member_gone_home_is_refused_on_the_member() {
        let mut g = group();
        let (mut member, mut known) = member_and_accounts(&g, 0, None);
        let asked = request(EventKind::Contribution, Fund::Savings, 100);
        let pointer_of = |judged: Decision<JudgedEvent>| match judged.unwrap() {
            Err(LedgerError::Rule { rule, pointer, .. }) => (rule, pointer),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            pointer_of(judge(&mut g, &asked, None, &mut known, at())),
            (Rule::UnknownMember, Some("/member_id".into()))
        );
        member.status = MemberStatus::ReturnedHome;
        assert_eq!(
            pointer_of(judge(&mut g, &asked, Some(&member), &mut known, at())),
            (Rule::MemberNotActive, Some("/member_id".into()))
        );
        assert_eq!(known.len(), 2);
    }
}
