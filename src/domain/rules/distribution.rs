//! A distribution: a pool taken out of the undistributed surplus (or out of one investment's
//! income) and shared among the members by weight, each share credited to the account the
//! request pays to.

use uuid::Uuid;

use super::{Chosen, Proposal, Standard, standard, to_open};
use crate::domain::account::{AccountType, Direction};
use crate::domain::allocation::{self, AllocationError};
use crate::domain::error::{LedgerError, Rule};
use crate::domain::member::MemberRecord;
use crate::domain::model::Account;
use crate::domain::money::{self, Currency};
use crate::domain::operations::{
    Basis, DistributionShare, InvestmentRecord, NewDistribution, PayTo, investment_income_code,
    payable_code, positive_amount, undistributed_code,
};

/// Where the pool comes from and in which currency: the investment the request names
/// (`found` is what the group has under its id) or the undistributed surplus.
pub fn source(
    request: &NewDistribution,
    found: Option<Option<InvestmentRecord>>,
    group_currency: Currency,
) -> Result<(Option<InvestmentRecord>, Currency), LedgerError> {
    let investment = match found {
        None => None,
        Some(Some(record)) => Some(record),
        Some(None) => {
            return Err(LedgerError::rule(
                Rule::UnknownInvestment,
                Some("/investment_id".into()),
                "the group has no investment with this id",
            ));
        }
    };
    let currency = match (&investment, request.currency) {
        (Some(r), Some(c)) if c != r.investment.currency => {
            return Err(LedgerError::rule(
                Rule::CurrencyMismatch,
                Some("/currency".into()),
                format!(
                    "the investment's income is in {}, not {c}",
                    r.investment.currency
                ),
            ));
        }
        (Some(r), _) => r.investment.currency,
        (None, c) => c.unwrap_or(group_currency),
    };
    Ok((investment, currency))
}

/// What a distribution is decided on, once its [`source`] is known.
#[derive(Debug, Clone)]
pub struct DistributionFacts {
    pub basis: Basis,
    pub currency: Currency,
    pub investment: Option<InvestmentRecord>,
    /// `equity:undistributed:<currency>`, if the group has it.
    pub undistributed: Option<Account>,
    /// The investment income account in `currency`, read only for an investment's pool.
    pub income: Option<Account>,
    /// What was already shared out of the investment's income (not reversed).
    pub shared_minor: i64,
    /// Each member who has not exited, in id order, with her weight on `basis`.
    pub weights: Vec<(MemberRecord, i64)>,
    /// The members' payable accounts in `currency` the group has (see [`standard_codes`]).
    pub standard: Standard,
}

/// The payable accounts a distribution in `currency` to `members` may credit.
pub fn standard_codes<'a>(
    members: impl IntoIterator<Item = &'a MemberRecord>,
    currency: Currency,
) -> Vec<String> {
    members
        .into_iter()
        .map(|r| payable_code(r.member.id, currency))
        .collect()
}

/// A distribution decided: the transaction to post and what each member gets.
#[derive(Debug, Clone)]
pub struct DistributionDecision {
    pub proposal: Proposal,
    pub pool_minor: i64,
    pub shares: Vec<DistributionShare>,
    pub weight_currency: Option<Currency>,
    pub description: String,
    pub metadata: serde_json::Value,
}

/// What the pool may take, and how much of that is in the investment income account.
fn available(facts: &DistributionFacts) -> (i64, i64) {
    let held = |account: &Option<Account>| {
        account
            .as_ref()
            .map_or(0, |a| (a.credits_minor - a.debits_minor).max(0))
    };
    // An investment's income is attributable to it until it is shared out, before a period
    // close (in the income account) and after it (in the undistributed surplus the close
    // moved it to): its pool is taken from the income account as far as that holds, and the
    // rest from the undistributed surplus.
    match &facts.investment {
        Some(record) => {
            let both = held(&facts.income).saturating_add(held(&facts.undistributed));
            // Only this investment's income, less what was already shared out of it.
            let own = record.figures.income - facts.shared_minor;
            (held(&facts.income), both.min(own))
        }
        None => (
            0,
            facts
                .undistributed
                .as_ref()
                .map_or(0, |a| a.credits_minor - a.debits_minor),
        ),
    }
}

/// The lines that take `pool` out of its source.
fn take_pool(facts: &DistributionFacts, pool: i64) -> Result<Proposal, LedgerError> {
    let currency = facts.currency;
    let (from_income, available) = available(facts);
    if pool > available {
        let whence = match &facts.investment {
            Some(r) => format!(
                "the income of {} not yet shared out, as far as {} and {} hold it",
                r.investment.name,
                investment_income_code(currency),
                undistributed_code(currency)
            ),
            None => format!(
                "{}; close a period to move income there",
                undistributed_code(currency)
            ),
        };
        return Err(LedgerError::rule(
            Rule::PoolExceedsAvailable,
            Some("/pool".into()),
            format!(
                "the pool is {} {currency} but only {} {currency} is available: {whence}",
                money::format_amount(pool, currency),
                money::format_amount(available.max(0), currency),
            ),
        ));
    }
    let missing = |what: &str| LedgerError::Internal(what.into());
    let mut proposal = Proposal::default();
    let taken_from_income = pool.min(from_income);
    if taken_from_income > 0 {
        let income = facts
            .income
            .clone()
            .ok_or_else(|| missing("investment income account"))?;
        proposal.add(
            &Chosen::Existing(income),
            Direction::Debit,
            taken_from_income,
        );
    }
    if pool > taken_from_income {
        let undistributed = facts
            .undistributed
            .clone()
            .ok_or_else(|| missing("distribution source account"))?;
        proposal.add(
            &Chosen::Existing(undistributed),
            Direction::Debit,
            pool - taken_from_income,
        );
    }
    Ok(proposal)
}

/// The account a member's share is paid to; `None` for a zero share paid to a payable
/// account, which is not opened for nothing.
fn share_account(
    request: &NewDistribution,
    facts: &DistributionFacts,
    record: &MemberRecord,
    share: i64,
) -> Result<Option<Chosen>, LedgerError> {
    let currency = facts.currency;
    let account = match request.pay_to {
        PayTo::Payable if share > 0 => {
            let wanted = to_open(
                payable_code(record.member.id, currency),
                format!("Payable to {} ({currency})", record.member.name),
                AccountType::Liability,
                currency,
                true,
            );
            standard(&facts.standard, wanted, "/pay_to")?
        }
        PayTo::Payable => return Ok(None),
        PayTo::Savings => Chosen::Existing(record.savings.clone()),
        PayTo::Capital => Chosen::Existing(record.capital.clone()),
    };
    if account.currency() != currency {
        return Err(LedgerError::rule(
            Rule::CurrencyMismatch,
            Some("/pay_to".into()),
            format!(
                "members' {} accounts are in {}, the pool is in {currency}; pay to payable instead",
                request.pay_to.as_str(),
                account.currency()
            ),
        ));
    }
    Ok(Some(account))
}

/// The distribution `request` over `facts`, recorded as `id`: the lines it posts and each
/// member's share, or the rule it breaks and the field that breaks it.
pub fn decide(
    request: &NewDistribution,
    facts: &DistributionFacts,
    id: Uuid,
) -> Result<DistributionDecision, LedgerError> {
    let (basis, currency) = (facts.basis, facts.currency);
    let pool = positive_amount(&request.pool, currency, "/pool")?;
    let mut proposal = take_pool(facts, pool)?;
    let keyed: Vec<(usize, i64)> = facts
        .weights
        .iter()
        .enumerate()
        .map(|(i, (_, w))| (i, *w))
        .collect();
    let allocated = allocation::allocate(pool, &keyed).map_err(|e| match e {
        AllocationError::NoWeight => LedgerError::rule(
            Rule::NoRecipients,
            Some("/basis".into()),
            format!(
                "no member has a {} weight on {}",
                basis.as_str(),
                request.as_of
            ),
        ),
        e => LedgerError::Internal(format!("allocation: {e:?}")),
    })?;
    let mut shares = Vec::with_capacity(allocated.len());
    for share in allocated {
        let (record, weight) = &facts.weights[share.key];
        let account = share_account(request, facts, record, share.share)?;
        let account_code = match &account {
            Some(account) => account.code().to_string(),
            None => payable_code(record.member.id, currency),
        };
        if let Some(account) = account.filter(|_| share.share > 0) {
            proposal.add(&account, Direction::Credit, share.share);
        }
        shares.push(DistributionShare {
            member_id: record.member.id,
            member_name: record.member.name.clone(),
            weight: *weight,
            share_minor: share.share,
            account_code,
        });
    }
    let weight_currency = match basis {
        Basis::Savings => facts.weights.first().map(|(r, _)| r.savings.currency),
        Basis::Capital => facts.weights.first().map(|(r, _)| r.capital.currency),
        Basis::Equal => None,
    };
    let description = format!(
        "Distribution of {} {currency} by {}",
        money::format_amount(pool, currency),
        basis.as_str()
    );
    let metadata = serde_json::json!({"event": "distribution", "event_id": id.to_string()});
    Ok(DistributionDecision {
        proposal,
        pool_minor: pool,
        shares,
        weight_currency,
        description,
        metadata,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::rules::testing::{
        account, balance_after, balances, currency, day, member, post, rule_and_pointer,
    };
    use proptest::prelude::*;

    fn request(pool: i64, pay_to: PayTo) -> NewDistribution {
        NewDistribution {
            pool: money::format_amount(pool, currency("HKD")),
            currency: None,
            investment_id: None,
            basis: None,
            as_of: day(),
            pay_to,
            booked_on: day(),
            dry_run: false,
            created_by: None,
        }
    }

    /// A surplus of `surplus` HKD minor units shared among members of `weights` by savings.
    fn facts(surplus: i64, weights: &[i64]) -> DistributionFacts {
        let hkd = currency("HKD");
        let undistributed = account(&undistributed_code(hkd), AccountType::Equity, hkd, surplus);
        DistributionFacts {
            basis: Basis::Savings,
            currency: hkd,
            investment: None,
            undistributed: Some(undistributed),
            income: None,
            shared_minor: 0,
            weights: weights
                .iter()
                .map(|w| (member("Ana", hkd, *w, 0, &[]), *w))
                .collect(),
            standard: Standard::new(),
        }
    }

    #[test]
    fn a_pool_beyond_the_surplus_or_with_nobody_to_share_it_is_refused_at_its_field() {
        assert_eq!(
            rule_and_pointer(decide(
                &request(101, PayTo::Savings),
                &facts(100, &[1]),
                Uuid::nil()
            )),
            (Rule::PoolExceedsAvailable, Some("/pool".into()))
        );
        assert_eq!(
            rule_and_pointer(decide(
                &request(100, PayTo::Savings),
                &facts(100, &[0, 0]),
                Uuid::nil()
            )),
            (Rule::NoRecipients, Some("/basis".into()))
        );
    }

    #[test]
    fn an_unknown_investment_is_refused_at_investment_id() {
        let mut by_investment = request(1, PayTo::Payable);
        by_investment.investment_id = Some(Uuid::nil());
        assert_eq!(
            rule_and_pointer(source(&by_investment, Some(None), currency("HKD"))),
            (Rule::UnknownInvestment, Some("/investment_id".into()))
        );
        let (investment, currency_of_pool) =
            source(&request(1, PayTo::Payable), None, currency("PHP")).unwrap();
        assert!(investment.is_none());
        assert_eq!(currency_of_pool, currency("PHP"));
    }

    #[test]
    fn shares_paid_to_savings_in_another_currency_are_refused_at_pay_to() {
        let mut facts = facts(100, &[1]);
        facts.weights[0].0.savings.currency = currency("PHP");
        assert_eq!(
            rule_and_pointer(decide(&request(100, PayTo::Savings), &facts, Uuid::nil())),
            (Rule::CurrencyMismatch, Some("/pay_to".into()))
        );
    }

    proptest::proptest! {
        /// The shares always add up to the pool, none is negative, the transaction balances
        /// and takes the pool out of the surplus.
        #[test]
        fn a_distribution_always_sums_to_its_pool(
            pool in 1i64..=10_000_000,
            extra in 0i64..=1_000,
            weights in proptest::collection::vec(0i64..=1_000_000, 1..12),
            to_payable: bool,
        ) {
            prop_assume!(weights.iter().any(|w| *w > 0));
            let facts = facts(pool + extra, &weights);
            let pay_to = if to_payable { PayTo::Payable } else { PayTo::Savings };
            let decided = decide(&request(pool, pay_to), &facts, Uuid::nil()).unwrap();
            prop_assert_eq!(decided.pool_minor, pool);
            prop_assert_eq!(decided.shares.iter().map(|s| s.share_minor).sum::<i64>(), pool);
            prop_assert!(decided.shares.iter().all(|s| s.share_minor >= 0));
            for (share, (_, weight)) in decided.shares.iter().zip(&facts.weights) {
                prop_assert_eq!(share.weight, *weight);
                if *weight == 0 {
                    prop_assert_eq!(share.share_minor, 0);
                }
            }
            prop_assert!(balances(&decided.proposal));
            prop_assert!(post(&decided.proposal).is_ok());
            let surplus = undistributed_code(currency("HKD"));
            prop_assert_eq!(balance_after(&decided.proposal, &surplus), extra);
        }

        /// A pool larger than the surplus is always refused at `/pool`.
        #[test]
        fn a_pool_beyond_what_is_available_is_refused(
            surplus in -1_000i64..=1_000_000,
            beyond in 1i64..=1_000_000,
        ) {
            let pool = surplus.max(0) + beyond;
            prop_assert_eq!(
                rule_and_pointer(decide(&request(pool, PayTo::Savings), &facts(surplus, &[1]), Uuid::nil())),
                (Rule::PoolExceedsAvailable, Some("/pool".into()))
            );
        }
    }
}
