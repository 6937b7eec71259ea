//! Limits on failed sign-ins, per username and per client address, kept in this process.
//! A window starts at the first failure; within it, after the limit, attempts are refused
//! with the seconds left until it ends.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Failures allowed per username, and per client address, in one window.
pub const MAX_FAILURES_PER_USERNAME: u32 = 5;
pub const MAX_FAILURES_PER_ADDRESS: u32 = 30;
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Most keys remembered; past it, expired windows are dropped first, then the oldest.
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

    /// `Err(seconds)` when either limit is reached.
    pub fn check(&self, username: &str, address: Option<&str>) -> Result<(), u64> {
        let Ok(map) = self.failures.lock() else {
            return Ok(());
        };
        let now = Instant::now();
        for (key, limit) in Self::keys(username, address) {
            if let Some((count, start)) = map.get(&key) {
                let elapsed = now.duration_since(*start);
                if elapsed < WINDOW && *count >= limit {
                    return Err((WINDOW - elapsed).as_secs().max(1));
                }
            }
        }
        Ok(())
    }

    pub fn record_failure(&self, username: &str, address: Option<&str>) {
        let Ok(mut map) = self.failures.lock() else {
            return;
        };
        let now = Instant::now();
        if map.len() >= MAX_TRACKED_KEYS {
            map.retain(|_, (_, start)| now.duration_since(*start) < WINDOW);
        }
        for (key, _) in Self::keys(username, address) {
            let entry = map.entry(key).or_insert((0, now));
            if now.duration_since(entry.1) >= WINDOW {
                *entry = (0, now);
            }
            entry.0 += 1;
        }
    }

    pub fn record_success(&self, username: &str) {
        if let Ok(mut map) = self.failures.lock() {
            map.remove(&format!("user:{username}"));
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
            assert!(limiter.check("ana", Some("10.0.0.1")).is_ok());
            limiter.record_failure("ana", Some("10.0.0.1"));
        }
        let wait = limiter.check("ana", Some("10.0.0.2")).unwrap_err();
        assert!(wait > 0 && wait <= WINDOW.as_secs());
        assert!(limiter.check("ben", Some("10.0.0.1")).is_ok());
    }
}
