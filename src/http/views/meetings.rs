//! Meetings as the API shows them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::domain::member::{EventKind, Meeting};
use crate::http::views::{ContributionView, WithdrawalView};
use crate::signing::Signer;

#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum MeetingEventView {
    Contribution(ContributionView),
    Withdrawal(WithdrawalView),
}

#[derive(Debug, Serialize)]
pub struct TypedEventView {
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(flatten)]
    pub event: MeetingEventView,
}

#[derive(Debug, Serialize)]
pub struct MeetingView {
    pub id: Uuid,
    pub group_id: Uuid,
    pub held_on: NaiveDate,
    pub note: Option<String>,
    pub attendance: Vec<Uuid>,
    pub events: Vec<TypedEventView>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl MeetingView {
    /// The meeting, each event with the member's receipt signed by `signer`.
    pub fn of(m: &Meeting, signer: &Signer) -> Self {
        MeetingView {
            id: m.id,
            group_id: m.group_id,
            held_on: m.held_on,
            note: m.note.clone(),
            attendance: m.attendance.clone(),
            events: m
                .events
                .iter()
                .map(|e| TypedEventView {
                    kind: e.kind.as_str(),
                    event: match e.kind {
                        EventKind::Contribution => {
                            MeetingEventView::Contribution(ContributionView::of(e, signer))
                        }
                        EventKind::Withdrawal => {
                            MeetingEventView::Withdrawal(WithdrawalView::of(e, signer))
                        }
                    },
                })
                .collect(),
            created_by: m.created_by,
            created_at: m.created_at,
        }
    }
}
