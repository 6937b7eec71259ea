//! The task that writes month-end balances as months end (see `store::ClosingStore` and
//! `domain::closings`): at start, then every [`CHECK_EVERY`], it steps every group whose
//! ended months are not yet closed, a few groups a transaction at a time, until none is left.
//! Several processes on one database may each run it: a step takes the group's write lock and
//! does nothing when another process has closed the months already.

use std::sync::Arc;
use std::time::Duration;

use crate::store::Store;

/// How often the groups are looked at. A month is closed within this of becoming closable.
pub const CHECK_EVERY: Duration = Duration::from_secs(600);

/// Groups stepped by one call of the store, before the task looks again.
const GROUPS_PER_CALL: u32 = 16;

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
            catch_up(store.as_ref(), &stopped).await;
        }
    })
}

/// Steps groups until every one is closed through the latest closable month, the store
/// fails (to be tried again at the next look), or the service stops.
async fn catch_up(store: &dyn Store, stopped: &tokio::sync::watch::Receiver<bool>) {
    while !*stopped.borrow() {
        let today = crate::store::recorded_now().date_naive();
        match store.close_months(today, GROUPS_PER_CALL).await {
            Ok(0) => return,
            Ok(stepped) => tracing::debug!(groups = stepped, "month-end balances written"),
            Err(e) => {
                tracing::warn!(error = %e, "month-end balances could not be written; trying again later");
                return;
            }
        }
    }
}
