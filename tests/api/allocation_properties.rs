//! Property tests of the exact allocation used by distributions: for random pools and weights,
//! the shares sum to the pool exactly, each share is within one minor unit of its exact value
//! (checked with exact fractions, not floats), zero weights get zero, the leftover units go to
//! the largest remainders, and the same inputs always give the same shares.

use msai_ledger::domain::allocation::{AllocationError, allocate};
use msai_ledger::domain::money::{Currency, format_amount, parse_amount};
use proptest::prelude::*;

/// Largest amount the ledger holds, in minor units.
const MAX_MINOR: i64 = 1_000_000_000_000_000;

fn weights() -> impl Strategy<Value = Vec<i64>> {
    prop::collection::vec(
        prop_oneof![
            3 => 0i64..1_000,
            3 => 0i64..MAX_MINOR,
            1 => Just(0i64),
            1 => Just(MAX_MINOR),
        ],
        1..60,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn shares_are_exact_and_fair(pool in prop_oneof![1i64..1_000, 1i64..=MAX_MINOR], weights in weights()) {
        let keyed: Vec<(usize, i64)> = weights.iter().copied().enumerate().collect();
        let total: i128 = weights.iter().map(|w| i128::from(*w)).sum();
        let result = allocate(pool, &keyed);
        if total == 0 {
            prop_assert_eq!(result, Err(AllocationError::NoWeight));
            return Ok(());
        }
        let shares = result.unwrap();
        prop_assert_eq!(shares.len(), weights.len());
        let sum: i128 = shares.iter().map(|s| i128::from(s.share)).sum();
        prop_assert_eq!(sum, i128::from(pool));
        for (s, w) in shares.iter().zip(&weights) {
            prop_assert_eq!(s.weight, *w);
            if *w == 0 {
                prop_assert_eq!(s.share, 0);
            }
            // |share − pool·w/total| < 1  ⇔  |share·total − pool·w| < total.
            let exact_scaled = i128::from(pool) * i128::from(*w);
            let diff = (i128::from(s.share) * total - exact_scaled).abs();
            prop_assert!(diff < total, "share {} of weight {} is a unit or more from exact", s.share, w);
            // Never below the floor: rounding only ever adds the leftover units.
            prop_assert!(i128::from(s.share) * total >= exact_scaled - (exact_scaled % total));
        }
        // A unit went to a smaller remainder only if every larger remainder got one too.
        let remainder = |i: usize| (i128::from(pool) * i128::from(weights[i])) % total;
        let bumped = |i: usize| i128::from(shares[i].share) * total > i128::from(pool) * i128::from(weights[i]);
        for i in 0..weights.len() {
            for j in 0..weights.len() {
                if weights[i] > 0 && weights[j] > 0 && bumped(j) && !bumped(i) {
                    prop_assert!(
                        remainder(i) < remainder(j) || (remainder(i) == remainder(j) && j < i),
                        "member {} got a leftover unit ahead of member {} with a larger remainder", j, i
                    );
                }
            }
        }
        // Deterministic.
        prop_assert_eq!(allocate(pool, &keyed).unwrap(), shares);
    }

    #[test]
    fn equal_weights_differ_by_at_most_one_unit(pool in 1i64..=MAX_MINOR, members in 1usize..200) {
        let keyed: Vec<(usize, i64)> = (0..members).map(|i| (i, 1)).collect();
        let shares = allocate(pool, &keyed).unwrap();
        let min = shares.iter().map(|s| s.share).min().unwrap();
        let max = shares.iter().map(|s| s.share).max().unwrap();
        prop_assert!(max - min <= 1);
        prop_assert_eq!(shares.iter().map(|s| i128::from(s.share)).sum::<i128>(), i128::from(pool));
    }

    /// In currencies of every exponent (JPY 0, HKD 2, KWD 3), the shares written as the
    /// amounts a member sees add back up to the pool as written.
    #[test]
    fn shares_add_up_in_every_currency(
        code in prop::sample::select(vec!["JPY", "KRW", "HKD", "PHP", "KWD", "BHD"]),
        pool in 1i64..=MAX_MINOR,
        weights in prop::collection::vec(0i64..1_000_000_000, 1..40),
    ) {
        let currency = Currency::parse(code).unwrap();
        let pool_text = format_amount(pool, currency);
        let keyed: Vec<(usize, i64)> = weights.iter().copied().enumerate().collect();
        match allocate(parse_amount(&pool_text, currency).unwrap(), &keyed) {
            Err(AllocationError::NoWeight) => prop_assert!(weights.iter().all(|w| *w == 0)),
            Err(e) => prop_assert!(false, "{e:?}"),
            Ok(shares) => {
                let total: i128 = shares
                    .iter()
                    .map(|s| i128::from(parse_amount(&format_amount(s.share, currency), currency).unwrap()))
                    .sum();
                prop_assert_eq!(total, i128::from(pool));
            }
        }
    }
}
