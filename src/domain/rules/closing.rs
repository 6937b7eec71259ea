//! Closing a period: each foreign-currency position revalued at the closing rate given for
//! it, and the balances that income and expense accounts had on the period's last day moved
//! into each currency's undistributed surplus (equity).

use super::{Proposal, Standard, standard, to_open};
use crate::domain::account::{AccountType, Direction};
use crate::domain::error::LedgerError;
use crate::domain::fx::FxPosition;
use crate::domain::model::Account;
use crate::domain::money::Currency;
use crate::domain::operations::{fx_code, fx_gain_code, fx_loss_code, undistributed_code};

/// What closing a period is decided on: each income and expense account with its balance on
/// the period's last day (on its normal side), and the group's undistributed-surplus accounts
/// of [`standard_codes`].
#[derive(Debug, Clone)]
pub struct ClosingFacts {
    pub balances: Vec<(Account, i64)>,
    pub standard: Standard,
}

/// The standard accounts closing into `currencies` may post to.
pub fn standard_codes(currencies: impl IntoIterator<Item = Currency>) -> Vec<String> {
    currencies.into_iter().map(undistributed_code).collect()
}

/// The closing transaction: each account with a balance brought to zero from whichever side it
/// stands on, and each currency's net of income less expense into its undistributed surplus;
/// `None` when no account has a balance. An undistributed-surplus account of the wrong kind
/// or currency is refused on `/through`.
pub fn decide(facts: &ClosingFacts) -> Result<Option<Proposal>, LedgerError> {
    let mut proposal = Proposal::default();
    // Debits less credits per currency, in the order currencies are first met.
    let mut net: std::collections::BTreeMap<&'static str, (Currency, i128)> = Default::default();
    for (account, balance) in &facts.balances {
        if *balance == 0 {
            continue;
        }
        let side = account.kind.normal_side();
        let (direction, amount) = if *balance > 0 {
            (side.opposite(), *balance)
        } else {
            (side, -*balance)
        };
        proposal.add(&super::Chosen::Existing(account.clone()), direction, amount);
        let signed = match direction {
            Direction::Debit => i128::from(amount),
            Direction::Credit => -i128::from(amount),
        };
        net.entry(account.currency.code())
            .or_insert((account.currency, 0))
            .1 += signed;
    }
    if proposal.lines.is_empty() {
        return Ok(None);
    }
    for (currency, amount) in net.into_values() {
        if amount == 0 {
            continue;
        }
        let wanted = to_open(
            undistributed_code(currency),
            format!("Undistributed surplus ({currency})"),
            AccountType::Equity,
            currency,
            false,
        );
        let undistributed = standard(&facts.standard, wanted, "/through")?;
        let minor = i64::try_from(amount.abs())
            .map_err(|_| LedgerError::Internal("a period's net is beyond an amount".into()))?;
        // Income closed with debits leaves a credit to equity, and the reverse.
        let direction = if amount > 0 {
            Direction::Credit
        } else {
            Direction::Debit
        };
        proposal.add(&undistributed, direction, minor);
    }
    Ok(Some(proposal))
}

/// The standard accounts revaluing a position whose base currency is `base` may post to.
pub fn revaluation_codes(base: Currency) -> Vec<String> {
    vec![fx_code(base), fx_loss_code(base), fx_gain_code(base)]
}

/// A position revalued: the transaction to post, the rate and what it comes to.
#[derive(Debug, Clone)]
pub struct RevaluationDecision {
    pub proposal: Proposal,
    pub rate: rust_decimal::Decimal,
    /// In the base currency: positive a gain, negative a loss.
    pub gain_minor: i128,
}

/// Brings a pair's position to zero at its closing rate: between the base currency's clearing
/// account and its FX loss (the position was worth more than zero) or gain. `None` when the
/// position has no rate or is worth nothing. An account of the wrong kind or currency is
/// refused on `pointer` (the rate's place in the request).
pub fn revalue(
    position: &FxPosition,
    standard_accounts: &Standard,
    pointer: &str,
) -> Result<Option<RevaluationDecision>, LedgerError> {
    let (Some(rate), Some(value)) = (position.rate, position.value_minor) else {
        return Ok(None);
    };
    if value == 0 {
        return Ok(None);
    }
    let base = position.pair.base;
    let minor = i64::try_from(value.abs())
        .map_err(|_| LedgerError::Internal("a revaluation is beyond an amount".into()))?;
    let wanted = |code: String, name: &str, kind: AccountType, no_overdraft: bool| {
        let account = to_open(code, format!("{name} ({base})"), kind, base, no_overdraft);
        standard(standard_accounts, account, pointer)
    };
    let clearing = wanted(fx_code(base), "FX clearing", AccountType::Asset, false)?;
    let mut proposal = Proposal::default();
    if value > 0 {
        let loss = wanted(fx_loss_code(base), "FX loss", AccountType::Expense, true)?;
        proposal.add(&loss, Direction::Debit, minor);
        proposal.add(&clearing, Direction::Credit, minor);
    } else {
        let gain = wanted(fx_gain_code(base), "FX gain", AccountType::Income, true)?;
        proposal.add(&clearing, Direction::Debit, minor);
        proposal.add(&gain, Direction::Credit, minor);
    }
    Ok(Some(RevaluationDecision {
        proposal,
        rate,
        gain_minor: -value,
    }))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::domain::rules::testing::{account, balances, currency};

    fn facts(balances: Vec<(Account, i64)>) -> ClosingFacts {
        ClosingFacts {
            balances,
            standard: Standard::new(),
        }
    }

    /// Income and expense accounts in HKD and PHP with balances on either side.
    fn closed_accounts() -> impl Strategy<Value = Vec<(Account, i64)>> {
        prop::collection::vec(
            (
                any::<bool>(),
                any::<bool>(),
                -1_000_000_000i64..1_000_000_000,
            ),
            0..8,
        )
        .prop_map(|specs| {
            specs
                .into_iter()
                .enumerate()
                .map(|(n, (income, hkd, balance))| {
                    let kind = if income {
                        AccountType::Income
                    } else {
                        AccountType::Expense
                    };
                    let code = if hkd { "HKD" } else { "PHP" };
                    let account = account(
                        &format!("{}:{n}:{code}", kind.as_str()),
                        kind,
                        currency(code),
                        balance,
                    );
                    (account, balance)
                })
                .collect()
        })
    }

    proptest! {
        /// Closing balances in every currency, brings every closed account to zero from the
        /// side it stood on, and moves each currency's income less expense, no more, into its
        /// undistributed surplus; nothing is posted when nothing stands on the accounts.
        #[test]
        fn closing_balances_zeroes_every_account_and_keeps_the_surplus(accounts in closed_accounts()) {
            let decided = decide(&facts(accounts.clone())).expect("closing is never refused here");
            let Some(proposal) = decided else {
                prop_assert!(accounts.iter().all(|(_, b)| *b == 0));
                return Ok(());
            };
            prop_assert!(balances(&proposal));
            for (account, balance) in &accounts {
                // The account's position in debit terms, which closing must take away.
                let position = match account.kind.normal_side() {
                    Direction::Debit => i128::from(*balance),
                    Direction::Credit => -i128::from(*balance),
                };
                prop_assert_eq!(proposal.net_of(&account.code), -position);
            }
            for code in ["HKD", "PHP"] {
                let surplus: i128 = accounts
                    .iter()
                    .filter(|(a, _)| a.currency.code() == code)
                    .map(|(a, b)| match a.kind {
                        AccountType::Income => i128::from(*b),
                        _ => -i128::from(*b),
                    })
                    .sum();
                // A surplus is a credit to equity: its net (debits less credits) is minus it.
                prop_assert_eq!(proposal.net_of(&undistributed_code(currency(code))), -surplus);
            }
        }
    }

    #[test]
    fn an_undistributed_account_of_another_kind_is_refused_on_through() {
        let hkd = currency("HKD");
        let income = account("income:fees:HKD", AccountType::Income, hkd, 500);
        let mut standard = Standard::new();
        let wrong = account(&undistributed_code(hkd), AccountType::Asset, hkd, 0);
        standard.insert(wrong.code.clone(), wrong);
        let refused = decide(&ClosingFacts {
            balances: vec![(income, 500)],
            standard,
        });
        let (_, pointer) = crate::domain::rules::testing::rule_and_pointer(refused);
        assert_eq!(pointer.as_deref(), Some("/through"));
    }

    #[test]
    fn nothing_to_close_posts_nothing() {
        let hkd = currency("HKD");
        let idle = account("expense:rent:HKD", AccountType::Expense, hkd, 0);
        assert!(decide(&facts(vec![(idle, 0)])).unwrap().is_none());
    }

    fn position(value: Option<i128>, rate: Option<&str>) -> FxPosition {
        FxPosition {
            pair: crate::domain::fx::Pair::of(currency("PHP"), currency("HKD"), currency("HKD")),
            base_minor: 0,
            quote_minor: 0,
            events_rate: None,
            rate: rate.map(|r| r.parse().unwrap()),
            value_minor: value,
        }
    }

    proptest! {
        /// A revaluation balances and takes the clearing account by exactly the position's
        /// value, to a loss when the position was worth more than zero and to a gain otherwise.
        #[test]
        fn a_revaluation_balances_and_clears_exactly_the_value(value in -1_000_000_000i128..1_000_000_000) {
            let revalued = position(Some(value), Some("0.14"));
            let base = revalued.pair.base;
            let decided = revalue(&revalued, &Standard::new(), "/fx_rates/0")
                .expect("never refused without accounts");
            let Some(decision) = decided else {
                prop_assert_eq!(value, 0);
                return Ok(());
            };
            prop_assert!(balances(&decision.proposal));
            prop_assert_eq!(decision.gain_minor, -value);
            prop_assert_eq!(decision.proposal.net_of(&fx_code(base)), -value);
            let other = if value > 0 { fx_loss_code(base) } else { fx_gain_code(base) };
            prop_assert_eq!(decision.proposal.net_of(&other), value);
        }
    }

    #[test]
    fn a_position_without_a_rate_is_not_revalued() {
        assert!(
            revalue(&position(Some(5), None), &Standard::new(), "/fx_rates/0")
                .unwrap()
                .is_none()
        );
    }
}
