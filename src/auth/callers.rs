//! The users that bearer tokens named recently, kept for a short time so that a request does
//! not read its caller from the database again when the same user called a moment before.
//!
//! A change to a user made through this process (a grant added or removed, a new password, the
//! user disabled) forgets what was kept, so it holds for this process's next request. Another
//! process on the same database learns of it once its copy is older than the time to live; the
//! time to live is therefore the longest a revocation can lag there (`MSAI_CALLER_CACHE_MS`, and
//! 0 keeps nothing).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use uuid::Uuid;

use crate::domain::access::User;

/// Users kept at most; when full, everything kept is dropped and the cache fills again.
const MAX_USERS: usize = 10_000;

/// Callers kept by user id, each with the moment its read began.
#[derive(Debug)]
pub struct CallerCache {
    ttl: Duration,
    kept: Mutex<Kept>,
}

#[derive(Debug, Default)]
struct Kept {
    /// Counts the forgettings. A read that began before one is not kept, since it may have
    /// seen the user as they were before the change.
    generation: u64,
    users: HashMap<Uuid, (User, Instant)>,
}

/// What a read of a user must carry back to [`CallerCache::keep`].
#[derive(Debug, Clone, Copy)]
pub struct ReadTicket {
    generation: u64,
    began: Instant,
}

impl CallerCache {
    pub fn new(ttl: Duration) -> Self {
        CallerCache {
            ttl,
            kept: Mutex::new(Kept::default()),
        }
    }

    fn kept(&self) -> std::sync::MutexGuard<'_, Kept> {
        // The lock guards plain data that no holder leaves half-changed, so a panic elsewhere
        // while holding it leaves nothing to repair.
        self.kept.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The user kept for `id`, if kept less than the time to live ago.
    pub fn get(&self, id: Uuid) -> Option<User> {
        if self.ttl.is_zero() {
            return None;
        }
        let kept = self.kept();
        let (user, began) = kept.users.get(&id)?;
        (began.elapsed() < self.ttl).then(|| user.clone())
    }

    /// Taken just before reading a user from the database.
    pub fn ticket(&self) -> ReadTicket {
        ReadTicket {
            generation: self.kept().generation,
            began: Instant::now(),
        }
    }

    /// Keeps `user`, read under `ticket`, unless a user was forgotten since the read began.
    pub fn keep(&self, user: &User, ticket: ReadTicket) {
        if self.ttl.is_zero() {
            return;
        }
        let mut kept = self.kept();
        if kept.generation != ticket.generation {
            return;
        }
        if kept.users.len() >= MAX_USERS && !kept.users.contains_key(&user.id) {
            kept.users.clear();
        }
        kept.users.insert(user.id, (user.clone(), ticket.began));
    }

    /// Forgets user `id`, after a change to them (whether or not it succeeded, since a failure
    /// may come after the commit). Reads that began before are not kept either.
    pub fn forget(&self, id: Uuid) {
        let mut kept = self.kept();
        kept.generation += 1;
        kept.users.remove(&id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: Uuid, disabled: bool) -> User {
        User {
            id,
            username: "treasurer".into(),
            disabled,
            created_at: chrono::Utc::now(),
            token_version: 0,
            grants: Vec::new(),
        }
    }

    #[test]
    fn a_kept_user_is_found_until_forgotten() {
        let cache = CallerCache::new(Duration::from_secs(60));
        let id = Uuid::new_v4();
        assert!(cache.get(id).is_none());
        let ticket = cache.ticket();
        cache.keep(&user(id, false), ticket);
        assert_eq!(cache.get(id).map(|u| u.disabled), Some(false));
        cache.forget(id);
        assert!(cache.get(id).is_none());
    }

    #[test]
    fn a_read_that_began_before_a_change_is_not_kept() {
        let cache = CallerCache::new(Duration::from_secs(60));
        let id = Uuid::new_v4();
        // The read sees the user enabled; the user is disabled and forgotten before the read
        // comes back: keeping what it read would revive the old state.
        let ticket = cache.ticket();
        cache.forget(id);
        cache.keep(&user(id, false), ticket);
        assert!(cache.get(id).is_none());
        let fresh = cache.ticket();
        cache.keep(&user(id, true), fresh);
        assert_eq!(cache.get(id).map(|u| u.disabled), Some(true));
    }

    #[test]
    fn a_user_is_not_kept_past_the_time_to_live() {
        let cache = CallerCache::new(Duration::from_millis(30));
        let id = Uuid::new_v4();
        cache.keep(&user(id, false), cache.ticket());
        assert!(cache.get(id).is_some());
        std::thread::sleep(Duration::from_millis(40));
        assert!(cache.get(id).is_none());
    }

    #[test]
    fn a_time_to_live_of_zero_keeps_nothing() {
        let cache = CallerCache::new(Duration::ZERO);
        let id = Uuid::new_v4();
        cache.keep(&user(id, false), cache.ticket());
        assert!(cache.get(id).is_none());
    }

    #[test]
    fn a_full_cache_starts_again_rather_than_growing() {
        let cache = CallerCache::new(Duration::from_secs(60));
        let ids: Vec<Uuid> = (0..=MAX_USERS).map(|_| Uuid::new_v4()).collect();
        for id in &ids {
            cache.keep(&user(*id, false), cache.ticket());
        }
        assert_eq!(cache.kept().users.len(), 1);
        assert!(cache.get(ids[MAX_USERS]).is_some());
        assert!(cache.get(ids[0]).is_none());
    }
}
