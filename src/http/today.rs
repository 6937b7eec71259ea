//! "Today" for a group: the date it is now where the group meets, in its time zone. Every
//! default date of a write (booked on, joined on, held on, status on, as of) and every bound
//! "not after today" is this date, not the server's.
//!
//! Writes are frequent and time zones change almost never, so each group's zone is kept for a
//! while instead of being read for every write. A change made through this process forgets
//! the kept zone at once; another process on the same database takes up to
//! [`ZONE_CACHE_TTL`] to learn of it.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use uuid::Uuid;

use super::AppState;
use super::error::ApiError;
use crate::domain::dates::Tz;
use crate::domain::error::LedgerError;

/// How long a group's time zone is used without reading it again.
pub const ZONE_CACHE_TTL: Duration = Duration::from_secs(60);

/// Groups whose zone is kept at most; when full, everything kept is dropped and fills again.
const MAX_GROUPS: usize = 10_000;

/// Time zones of groups, by group id, each with the moment its read began.
#[derive(Debug, Default)]
pub struct GroupZones {
    kept: Mutex<Kept>,
}

#[derive(Debug, Default)]
struct Kept {
    /// Counts the forgettings: a read that began before one may have seen the old zone, and is
    /// not kept.
    generation: u64,
    zones: HashMap<Uuid, (Tz, Instant)>,
}

impl GroupZones {
    fn kept(&self) -> std::sync::MutexGuard<'_, Kept> {
        // Plain data that no holder leaves half-changed: a panic elsewhere leaves nothing to
        // repair.
        self.kept.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn get(&self, group_id: Uuid) -> Option<Tz> {
        let kept = self.kept();
        let (zone, began) = kept.zones.get(&group_id)?;
        (began.elapsed() < ZONE_CACHE_TTL).then_some(*zone)
    }

    fn keep(&self, group_id: Uuid, zone: Tz, generation: u64, began: Instant) {
        let mut kept = self.kept();
        if kept.generation != generation {
            return;
        }
        if kept.zones.len() >= MAX_GROUPS && !kept.zones.contains_key(&group_id) {
            kept.zones.clear();
        }
        kept.zones.insert(group_id, (zone, began));
    }

    /// Forgets the group's zone after a change to the group (whether or not it succeeded,
    /// since a failure may come after the commit).
    pub fn forget(&self, group_id: Uuid) {
        let mut kept = self.kept();
        kept.generation += 1;
        kept.zones.remove(&group_id);
    }
}

impl AppState {
    /// The group's time zone; `None` for a group that does not exist (the request's own call
    /// to the store then answers 404, in its usual place among the request's checks).
    pub async fn group_zone(&self, group_id: Uuid) -> Result<Option<Tz>, ApiError> {
        if let Some(zone) = self.zones.get(group_id) {
            return Ok(Some(zone));
        }
        let (generation, began) = (self.zones.kept().generation, Instant::now());
        match self.store.get_group(group_id).await {
            Ok(group) => {
                let zone = group.profile.time_zone;
                self.zones.keep(group_id, zone, generation, began);
                Ok(Some(zone))
            }
            Err(LedgerError::NotFound(_)) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Today's date where the group meets. For a group that does not exist it is the date in
    /// UTC, which only serves checks that run before the store answers 404.
    pub async fn today(&self, group_id: Uuid) -> Result<NaiveDate, ApiError> {
        let zone = self.group_zone(group_id).await?;
        Ok(self.clock.today_in(zone.unwrap_or(chrono_tz::UTC)))
    }
}
