//! Remittances sent and not yet arrived: recording one in transit, completing or failing it
//! (each once), and listing those still on their way.

use async_trait::async_trait;
use chrono::NaiveDate;
use uuid::Uuid;

use super::{Idempotency, StoreResult, Written};
use crate::domain::operations::{CompletionRequest, FailureRequest, Remittance, RemittanceDetails};

#[async_trait]
pub trait TransitStore: Send + Sync + 'static {
    /// Records a remittance sent and not yet arrived: its group-savings part waits in
    /// `assets:in-transit:<receive currency>`.
    async fn record_remittance_in_transit(
        &self,
        group_id: Uuid,
        details: RemittanceDetails,
        created_by: Option<Uuid>,
        idempotency: Option<Idempotency<'_, Remittance>>,
    ) -> StoreResult<Written<Remittance>>;
    /// Confirms the arrival of a remittance in transit, with the figures of what arrived.
    async fn complete_remittance(
        &self,
        group_id: Uuid,
        remittance_id: Uuid,
        request: CompletionRequest,
        created_by: Option<Uuid>,
        idempotency: Option<Idempotency<'_, Remittance>>,
    ) -> StoreResult<Written<Remittance>>;
    /// Records that a remittance in transit failed or was returned.
    async fn fail_remittance(
        &self,
        group_id: Uuid,
        remittance_id: Uuid,
        request: FailureRequest,
        created_by: Option<Uuid>,
        idempotency: Option<Idempotency<'_, Remittance>>,
    ) -> StoreResult<Written<Remittance>>;
    /// The group's remittances still in transit (their sending not reversed) sent before
    /// `sent_before` (all of them without it), oldest first, at most `limit`.
    async fn remittances_in_transit(
        &self,
        group_id: Uuid,
        sent_before: Option<NaiveDate>,
        limit: u32,
    ) -> StoreResult<Vec<Remittance>>;
}
