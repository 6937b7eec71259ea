//! Limits on failed sign-ins, per username and per client address, kept in this process.
//! A window starts at the first failure; within it, after the limit, attempts are refused
//! with the seconds left until it ends. An attempt counts as a failure from the moment it is
//! admitted, so guesses sent all at once get no more tries than guesses sent one by one; a
//! successful sign-in takes its count back.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Failures allowed per username, and per client address, in one window.
pub const MAX_FAILURES_PER_USERNAME: u32 = 5;
pub const MAX_FAILURES_PER_ADDRESS: u32 = 30;
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Most keys remembered; past it, expired windows are dropped first.
pub const MAX_TRACKED_KEYS: usize = 100_000;

#[derive(Clone, Default)]
pub struct LoginLimiter {
    failures: Arc<Mutex<HashMap<String, (u32, Instant)>>>,
}

impl LoginLimiter {
    fn keys(username: &str, address: Option<&str>) -> Vec<(String, u32)> {
        let mut keys = vec![(format!("user:{username}"), MAX_FAILURES_PER_USERNAME)];
        if let Some(a) = address {
            keys.push((format!("addr:{a}"), MAX_FAILURES_PER_ADDRESS));
        }
        keys
    }

    /// Admits an attempt, counting it as a failure until [`Self::succeeded`] says otherwise;
    /// `Err(seconds)` when either limit is already reached. Checking and counting happen under
    /// one lock.
    pub fn admit(&self, username: &str, address: Option<&str>) -> Result<(), u64> {
        let Ok(mut map) = self.failures.lock() else {
            return Ok(());
        };
        let now = Instant::now();
        let keys = Self::keys(username, address);
        for (key, limit) in &keys {
            if let Some((count, start)) = map.get(key) {
                let elapsed = now.duration_since(*start);
                if elapsed < WINDOW && *count >= *limit {
                    return Err((WINDOW - elapsed).as_secs().max(1));
                }
            }
        }
        if map.len() >= MAX_TRACKED_KEYS {
            map.retain(|_, (_, start)| now.duration_since(*start) < WINDOW);
        }
        for (key, _) in keys {
            let entry = map.entry(key).or_insert((0, now));
            if now.duration_since(entry.1) >= WINDOW {
                *entry = (0, now);
            }
            entry.0 += 1;
        }
        Ok(())
    }

    /// The admitted attempt signed in: the username's failures are forgiven and the address
    /// gets its attempt back.
    pub fn succeeded(&self, username: &str, address: Option<&str>) {
        if let Ok(mut map) = self.failures.lock() {
            map.remove(&format!("user:{username}"));
            if let Some(a) = address
                && let Some(entry) = map.get_mut(&format!("addr:{a}"))
            {
                entry.0 = entry.0.saturating_sub(1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_username_is_locked_after_its_failures_and_others_are_not() {
        let limiter = LoginLimiter::default();
        for _ in 0..MAX_FAILURES_PER_USERNAME {
            assert!(limiter.admit("ana", Some("10.0.0.1")).is_ok());
        }
        let wait = limiter.admit("ana", Some("10.0.0.2")).unwrap_err();
        assert!(wait > 0 && wait <= WINDOW.as_secs());
        assert!(limiter.admit("ben", Some("10.0.0.1")).is_ok());
    }

    #[test]
    fn a_successful_sign_in_forgives_the_username_s_failures() {
        let limiter = LoginLimiter::default();
        for _ in 0..MAX_FAILURES_PER_USERNAME {
            limiter.admit("ana", None).unwrap();
        }
        limiter.succeeded("ana", None);
        for _ in 0..MAX_FAILURES_PER_USERNAME {
            assert!(limiter.admit("ana", None).is_ok());
        }
        assert!(limiter.admit("ana", None).is_err());
    }
}
