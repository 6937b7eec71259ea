//! Dividing a pool among members exactly (largest remainder).
//!
//! Each member's exact share is `pool × weight / total`. Every share is first rounded down to
//! the minor unit; the units left over (fewer than the number of members with a weight) go one
//! each to the members with the largest remainders. Ties go to the member listed first, and
//! callers list members in ascending id order, so the same inputs always give the same shares.
//! The arithmetic is in `i128`, so `pool × weight` cannot overflow for any amount the ledger
//! holds (at most 10^15 minor units each).

/// One recipient's result: their weight and their share of the pool, in minor units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Share<K> {
    pub key: K,
    pub weight: i64,
    pub share: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AllocationError {
    /// The pool is zero or negative.
    EmptyPool,
    /// A weight is negative.
    NegativeWeight,
    /// Every weight is zero: there is nobody to give the pool to.
    NoWeight,
}

/// Splits `pool` among `weights` in proportion; members with zero weight get zero. The shares
/// sum to `pool` exactly, and each differs from its exact value by less than one minor unit.
pub fn allocate<K: Clone>(
    pool: i64,
    weights: &[(K, i64)],
) -> Result<Vec<Share<K>>, AllocationError> {
    if pool <= 0 {
        return Err(AllocationError::EmptyPool);
    }
    if weights.iter().any(|(_, w)| *w < 0) {
        return Err(AllocationError::NegativeWeight);
    }
    let total: i128 = weights.iter().map(|(_, w)| i128::from(*w)).sum();
    if total == 0 {
        return Err(AllocationError::NoWeight);
    }
    let pool128 = i128::from(pool);
    let mut shares = Vec::with_capacity(weights.len());
    let mut remainders = Vec::with_capacity(weights.len());
    let mut given: i128 = 0;
    for (index, (key, weight)) in weights.iter().enumerate() {
        let exact = pool128 * i128::from(*weight);
        let floor = exact / total;
        given += floor;
        // floor ≤ pool, so it fits in i64.
        shares.push(Share {
            key: key.clone(),
            weight: *weight,
            share: floor as i64,
        });
        if *weight > 0 {
            remainders.push((exact % total, index));
        }
    }
    let mut left = pool128 - given;
    // Largest remainder first; equal remainders keep the callers' order.
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, index) in remainders {
        if left == 0 {
            break;
        }
        shares[index].share += 1;
        left -= 1;
    }
    debug_assert_eq!(left, 0);
    Ok(shares)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shares(pool: i64, weights: &[i64]) -> Vec<i64> {
        let keyed: Vec<(usize, i64)> = weights.iter().copied().enumerate().collect();
        allocate(pool, &keyed)
            .unwrap()
            .into_iter()
            .map(|s| s.share)
            .collect()
    }

    #[test]
    fn one_hundred_split_three_ways_gives_the_odd_unit_to_the_first() {
        assert_eq!(shares(100, &[1, 1, 1]), vec![34, 33, 33]);
    }

    #[test]
    fn the_largest_remainder_wins_the_leftover() {
        // Exact shares 1.6, 3.2, 5.2: floors 1, 3, 5 leave one unit, which goes to 0.6.
        assert_eq!(shares(10, &[8, 16, 26]), vec![2, 3, 5]);
    }

    #[test]
    fn zero_weights_get_nothing() {
        assert_eq!(shares(7, &[0, 1, 0, 1]), vec![0, 4, 0, 3]);
    }

    #[test]
    fn refusals() {
        assert_eq!(allocate(0, &[(1, 1)]), Err(AllocationError::EmptyPool));
        assert_eq!(
            allocate(5, &[(1, -1), (2, 3)]),
            Err(AllocationError::NegativeWeight)
        );
        assert_eq!(allocate(5, &[(1, 0)]), Err(AllocationError::NoWeight));
        assert_eq!(allocate::<u8>(5, &[]), Err(AllocationError::NoWeight));
    }

    #[test]
    fn largest_amounts_do_not_overflow() {
        let max = 1_000_000_000_000_000;
        let result = shares(max, &[max, max - 1, 3]);
        assert_eq!(result.iter().sum::<i64>(), max);
    }
}
