//! The task that writes month-end balances as months end (see `store::ClosingStore` and
//! `domain::closings`): at start, then every [`CHECK_EVERY`], it [`catch_up`]s. Several
//! processes on one database may each run it: a step takes the group's write lock and does
//! nothing when another process has closed the months already.

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;

use crate::store::{Store, StoreResult};

/// How often the groups are looked at. A month is closed within this of becoming closable.
pub const CHECK_EVERY: Duration = Duration::from_secs(600);

/// Groups stepped by one call of the store.
const GROUPS_PER_PASS: u32 = 16;

/// Runs until `stopped` turns true.
pub fn spawn(
    store: Arc<dyn Store>,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(CHECK_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = every.tick() => {}
                _ = stopped.wait_for(|stop| *stop) => return,
            }
            let today = crate::store::recorded_now().date_naive();
            let running = || !*stopped.borrow();
            match catch_up(store.as_ref(), today, running).await {
                Ok(CatchUp { steps, failing }) => {
                    if steps > 0 {
                        tracing::debug!(steps, "month-end balances written");
                    }
                    if failing > 0 {
                        // Each group's failure was logged with its cause as it happened.
                        tracing::warn!(
                            groups = failing,
                            "month-end balances of some groups could not be written; their past-date balances read the entries instead until they can"
                        );
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "month-end balances could not be written; trying again later")
                }
            }
        }
    })
}

/// Closes every group's months through the latest that may be closed on `today`: passes over
/// the groups that are behind, in id order, each group a step at a time, until a whole round
/// steps none (every group is up to date, or the ones left keep failing and are logged) or
/// `running` says to stop.
pub async fn catch_up(
    store: &dyn Store,
    today: NaiveDate,
    running: impl Fn() -> bool,
) -> StoreResult<CatchUp> {
    let mut steps = 0;
    loop {
        let mut round = 0;
        let mut failing = 0;
        let mut after = None;
        while running() {
            let pass = store.close_months(today, after, GROUPS_PER_PASS).await?;
            round += u64::from(pass.stepped);
            failing += u64::from(pass.failed);
            match pass.last {
                Some(last) => after = Some(last),
                None => break,
            }
        }
        steps += round;
        if round == 0 || !running() {
            return Ok(CatchUp { steps, failing });
        }
    }
}

/// What [`catch_up`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CatchUp {
    /// Steps taken: a group's months closed further, up to six at a time.
    pub steps: u64,
    /// Groups whose step failed in the last round over the groups behind.
    pub failing: u64,
}
