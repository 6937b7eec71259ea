//! Limits on failed sign-ins, kept in the database so every process on it shares them.
//!
//! Three counts, each over a window that starts at its first failure:
//! - a username from one client address: the lock a guesser runs into;
//! - a client address, whatever the usernames: one address guessing many users;
//! - a username from anywhere: many addresses guessing one user. Its limit is higher, and it
//!   does not apply from an address the user signed in from lately, so strangers cannot lock
//!   a user out of the places they usually sign in from.
//!
//! An attempt counts as a failure from the moment it is admitted, so guesses sent all at once
//! get no more tries than guesses sent one by one; a successful sign-in takes it back.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use crate::auth::client::limit_group;
use crate::domain::access::{Admission, FailureCounter, SignInAttempt};
use crate::domain::error::LedgerError;
use crate::store::AccessStore;

/// Failures allowed per username from one client address, per client address, and per username
/// from addresses the user has not signed in from lately, in one window.
pub const MAX_FAILURES_PER_USERNAME_AND_ADDRESS: i64 = 5;
pub const MAX_FAILURES_PER_ADDRESS: i64 = 30;
pub const MAX_FAILURES_PER_USERNAME: i64 = 50;
// Many addresses guessing one username get more tries than one address guessing many.
const _: () = assert!(MAX_FAILURES_PER_USERNAME > MAX_FAILURES_PER_ADDRESS);
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// How long an address stays known to a user after they signed in from it.
pub const KNOWN_ADDRESS_FOR: Duration = Duration::from_secs(30 * 24 * 60 * 60);

/// The sign-in attempt of `username` from `client` (an unknown client is counted as one
/// address, "unknown"), as of `now_ms`.
pub fn attempt(username: &str, client: Option<IpAddr>, now_ms: i64) -> SignInAttempt {
    let address = client.map_or_else(|| "unknown".to_string(), limit_group);
    // Neither usernames nor addresses contain spaces, so the keys cannot collide.
    let counter =
        |key: String, max_failures, known_addresses_exempt, cleared_by_success| FailureCounter {
            key,
            max_failures,
            known_addresses_exempt,
            cleared_by_success,
        };
    SignInAttempt {
        counters: vec![
            counter(
                format!("user+address {username} {address}"),
                MAX_FAILURES_PER_USERNAME_AND_ADDRESS,
                false,
                true,
            ),
            counter(
                format!("address {address}"),
                MAX_FAILURES_PER_ADDRESS,
                false,
                false,
            ),
            counter(
                format!("user {username}"),
                MAX_FAILURES_PER_USERNAME,
                true,
                false,
            ),
        ],
        username: username.to_string(),
        address,
        now_ms,
        window_ms: millis(WINDOW),
        known_for_ms: millis(KNOWN_ADDRESS_FOR),
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
}

impl LoginLimiter {
    pub fn new(store: Arc<dyn AccessStore>) -> Self {
        LoginLimiter { store }
    }

    /// Admits an attempt, counting it as a failure until [`Self::succeeded`] says otherwise;
    /// `Ok(Err(seconds))` to wait when a limit is already reached.
    pub async fn admit(
        &self,
        username: &str,
        client: Option<IpAddr>,
    ) -> Result<Result<(), u64>, LedgerError> {
        let attempt = attempt(username, client, now_ms());
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
        let attempt = attempt(username, client, now_ms());
        self.store.sign_in_succeeded(&attempt).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(a.window_ms, 15 * 60 * 1000);
        // Only the username's count across addresses spares the user's known addresses.
        let exempt: Vec<bool> = a
            .counters
            .iter()
            .map(|c| c.known_addresses_exempt)
            .collect();
        assert_eq!(exempt, [false, false, true]);
        let unknown = attempt("ana", None, 1_000);
        assert_eq!(unknown.address, "unknown");
    }
}
