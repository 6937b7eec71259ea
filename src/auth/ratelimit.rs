//! Limits on failed sign-ins, kept in the database so every process on it shares them.
//!
//! Three counts, each forgotten once a window has passed since its last failure:
//! - a username from one client address: the lock a guesser runs into;
//! - a username from anywhere: many addresses guessing one user. Its limit is higher, and it
//!   does not apply from an address the user signed in from lately, so strangers cannot lock
//!   a user out of the places they usually sign in from;
//! - a client address, whatever the usernames: one address guessing many users. Members sign
//!   in from a meeting hall's Wi-Fi or from behind a carrier's one address, so its limit is
//!   high, only wrong passwords count against it (a correct sign-in never does, not even
//!   while it is checked), and users who signed in from the address lately are exempt.
//!
//! Past its free failures a count is locked: for [`FIRST_LOCK`] after the first failure past
//! them, twice as long after each further one, never more than [`MAX_LOCK`]; an attempt during
//! a lock is refused without its password being checked, and is no failure. The counts of a
//! username are counted from the moment an attempt is admitted, so guesses sent all at once get
//! no more tries than guesses sent one by one; a successful sign-in takes its attempt back. An
//! administrator can lift a user's locks (`DELETE /v1/users/{id}/sign-in-lock`).

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use crate::auth::client::limit_group;
use crate::domain::access::{Admission, FailureCounter, LockDelays, SignInAttempt};
use crate::domain::error::LedgerError;
use crate::store::AccessStore;

/// Failures free of any lock per username from one client address, per client address, and
/// per username from addresses the user has not signed in from lately.
pub const MAX_FAILURES_PER_USERNAME_AND_ADDRESS: i64 = 5;
pub const MAX_FAILURES_PER_ADDRESS: i64 = 100;
pub const MAX_FAILURES_PER_USERNAME: i64 = 50;
/// The lock after the first failure past the free ones, and the longest lock.
pub const FIRST_LOCK: Duration = Duration::from_secs(30);
pub const MAX_LOCK: Duration = Duration::from_secs(15 * 60);
/// A count is forgotten once this long has passed since its last failure.
pub const WINDOW: Duration = Duration::from_secs(60 * 60);
// A lock that ends must not take its count with it, or locks would never grow.
const _: () = assert!(WINDOW.as_secs() > MAX_LOCK.as_secs());
/// How long an address stays known to a user after they signed in from it.
pub const KNOWN_ADDRESS_FOR: Duration = Duration::from_secs(30 * 24 * 60 * 60);

/// The sign-in limits a service runs with; [`SignInLimits::default`] holds the constants above.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInLimits {
    pub per_username_and_address: i64,
    pub per_address: i64,
    pub per_username: i64,
    pub first_lock: Duration,
    pub max_lock: Duration,
    /// Kept longer than `max_lock` whatever is asked (see [`SignInLimits::window_ms`]).
    pub window: Duration,
}

impl Default for SignInLimits {
    fn default() -> Self {
        SignInLimits {
            per_username_and_address: MAX_FAILURES_PER_USERNAME_AND_ADDRESS,
            per_address: MAX_FAILURES_PER_ADDRESS,
            per_username: MAX_FAILURES_PER_USERNAME,
            first_lock: FIRST_LOCK,
            max_lock: MAX_LOCK,
            window: WINDOW,
        }
    }
}

impl SignInLimits {
    fn delays(&self) -> LockDelays {
        LockDelays {
            first_ms: millis(self.first_lock),
            max_ms: millis(self.max_lock).max(millis(self.first_lock)),
        }
    }

    /// The window, at least twice the longest lock.
    fn window_ms(&self) -> i64 {
        millis(self.window).max(self.delays().max_ms.saturating_mul(2))
    }

    /// The sign-in attempt of `username` from `client` (an unknown client is counted as one
    /// address, "unknown"), as of `now_ms`.
    pub fn attempt(&self, username: &str, client: Option<IpAddr>, now_ms: i64) -> SignInAttempt {
        let address = client.map_or_else(|| "unknown".to_string(), limit_group);
        let user = Some(username.to_string());
        // Neither usernames nor addresses contain spaces, so the keys cannot collide.
        SignInAttempt {
            counters: vec![
                FailureCounter {
                    key: format!("user+address {username} {address}"),
                    username: user.clone(),
                    free_failures: self.per_username_and_address,
                    known_addresses_exempt: false,
                    cleared_by_success: true,
                    counted_on_admission: true,
                },
                FailureCounter {
                    key: format!("address {address}"),
                    username: None,
                    free_failures: self.per_address,
                    known_addresses_exempt: true,
                    cleared_by_success: false,
                    counted_on_admission: false,
                },
                FailureCounter {
                    key: format!("user {username}"),
                    username: user,
                    free_failures: self.per_username,
                    known_addresses_exempt: true,
                    cleared_by_success: false,
                    counted_on_admission: true,
                },
            ],
            username: username.to_string(),
            address,
            now_ms,
            window_ms: self.window_ms(),
            delays: self.delays(),
            known_for_ms: millis(KNOWN_ADDRESS_FOR),
        }
    }
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

#[derive(Clone)]
pub struct LoginLimiter {
    store: Arc<dyn AccessStore>,
    limits: SignInLimits,
}

impl LoginLimiter {
    pub fn new(store: Arc<dyn AccessStore>, limits: SignInLimits) -> Self {
        LoginLimiter { store, limits }
    }

    /// Admits an attempt, counting it as a failure until [`Self::succeeded`] says otherwise;
    /// `Ok(Err(seconds))` to wait when a limit is already reached.
    pub async fn admit(
        &self,
        username: &str,
        client: Option<IpAddr>,
    ) -> Result<Result<(), u64>, LedgerError> {
        let attempt = self.limits.attempt(username, client, now_ms());
        match self.store.admit_sign_in(&attempt).await? {
            Admission::Admitted => Ok(Ok(())),
            Admission::Refused { retry_after_ms } => {
                let secs = u64::try_from(retry_after_ms).unwrap_or(0).div_ceil(1000);
                Ok(Err(secs.max(1)))
            }
        }
    }

    /// The admitted attempt signed in: the username's failures from this address are
    /// forgiven, the other counts get the attempt back, and the address becomes known.
    pub async fn succeeded(
        &self,
        username: &str,
        client: Option<IpAddr>,
    ) -> Result<(), LedgerError> {
        let attempt = self.limits.attempt(username, client, now_ms());
        self.store.sign_in_succeeded(&attempt).await
    }

    /// The admitted attempt's password was wrong: the counts taken only on failure grow.
    pub async fn failed(&self, username: &str, client: Option<IpAddr>) -> Result<(), LedgerError> {
        let attempt = self.limits.attempt(username, client, now_ms());
        self.store.sign_in_failed(&attempt).await
    }

    /// Lifts the locks of `username`: its counts, from every address, start again.
    pub async fn lift(&self, username: &str) -> Result<(), LedgerError> {
        self.store.lift_sign_in_locks(username).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn attempt(username: &str, client: Option<IpAddr>, now_ms: i64) -> SignInAttempt {
        SignInLimits::default().attempt(username, client, now_ms)
    }

    #[test]
    fn an_attempt_is_counted_per_username_and_address_per_address_and_per_username() {
        let a = attempt("ana", Some("2001:db8:1:2::7".parse().unwrap()), 1_000);
        let keys: Vec<&str> = a.counters.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "user+address ana 2001:db8:1:2::/64",
                "address 2001:db8:1:2::/64",
                "user ana"
            ]
        );
        assert_eq!(a.window_ms, 60 * 60 * 1000);
        // A user's known addresses are spared the counts that strangers can run up: the
        // username's across addresses, and the address's across usernames.
        let exempt: Vec<bool> = a
            .counters
            .iter()
            .map(|c| c.known_addresses_exempt)
            .collect();
        assert_eq!(exempt, [false, true, true]);
        // Only wrong passwords count against an address.
        let on_admission: Vec<bool> = a.counters.iter().map(|c| c.counted_on_admission).collect();
        assert_eq!(on_admission, [true, false, true]);
        // The user's counts can be lifted by naming the user; the address's cannot.
        let users: Vec<Option<&str>> = a.counters.iter().map(|c| c.username.as_deref()).collect();
        assert_eq!(users, [Some("ana"), None, Some("ana")]);
        let unknown = attempt("ana", None, 1_000);
        assert_eq!(unknown.address, "unknown");
    }

    #[test]
    fn locks_start_after_the_free_failures_and_double_up_to_the_longest() {
        let delays = SignInLimits::default().delays();
        let locks: Vec<i64> = (0..=12).map(|n| delays.lock_ms(n, 5) / 1000).collect();
        assert_eq!(locks, [0, 0, 0, 0, 0, 30, 60, 120, 240, 480, 900, 900, 900]);
        assert_eq!(delays.wait_ms(5, 5, 10_000, 10_000), Some(30_000));
        assert_eq!(delays.wait_ms(5, 5, 10_000, 40_000), None);
        assert_eq!(delays.wait_ms(4, 5, 10_000, 10_000), None);
        // A failure under the free ones, stamped after `now` by an attempt admitted at the
        // same moment, locks nothing.
        assert_eq!(delays.wait_ms(4, 5, 10_050, 10_000), None);
    }

    #[test]
    fn a_short_window_is_stretched_past_the_longest_lock() {
        let limits = SignInLimits {
            window: Duration::from_secs(1),
            ..SignInLimits::default()
        };
        assert!(limits.window_ms() > millis(MAX_LOCK));
    }

    proptest! {
        #[test]
        fn a_lock_never_shrinks_with_more_failures_and_never_passes_the_longest(
            failures in 0i64..10_000,
            free in 1i64..1_000,
            first_ms in 1i64..10_000_000,
            max_ms in 1i64..100_000_000,
        ) {
            let delays = LockDelays { first_ms, max_ms: max_ms.max(first_ms) };
            let lock = delays.lock_ms(failures, free);
            let next = delays.lock_ms(failures + 1, free);
            prop_assert!(lock <= next);
            prop_assert!(next <= delays.max_ms);
            prop_assert!(next >= 0);
            if failures < free {
                prop_assert_eq!(lock, 0);
            } else {
                prop_assert!(lock >= first_ms.min(delays.max_ms));
                prop_assert!(next == delays.max_ms || next == 2 * lock);
            }
        }
    }
}
