//! `POST /v1/groups/{group_id}/members/{member_id}/exit`: a member leaving, paid out.

use axum::Extension;
use axum::extract::State;
use axum::response::Response;
use chrono::NaiveDate;
use serde::Deserialize;

use crate::auth::caller::Caller;
use crate::domain::approvals::Operation;
use crate::domain::member::{Channel, MemberStatus};
use crate::domain::operations::*;
use crate::http::AppState;
use crate::http::approvals::Asking;
use crate::http::dto::booking_date;
use crate::http::error::{ApiError, FieldChecks};
use crate::http::extract::JsonBody;
use crate::http::path::MemberPath;
use crate::http::views::*;
use crate::http::write::Idempotent;

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeavingStatus {
    ReturnedHome,
    Exited,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateExit {
    pub status: LeavingStatus,
    #[serde(
        default,
        deserialize_with = "crate::domain::dates::deserialize_optional"
    )]
    pub on: Option<NaiveDate>,
    pub channel: Channel,
    #[serde(default)]
    pub keep_capital: bool,
}

pub async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    path: MemberPath,
    idempotent: Idempotent,
    body: JsonBody<CreateExit>,
) -> Result<Response, ApiError> {
    let (group_id, member_id) = crate::http::members::member_path(&state, &path).await?;
    idempotent.require_key()?;
    let today = state.today(group_id).await?;
    let e = body.value;
    let status = match e.status {
        LeavingStatus::ReturnedHome => MemberStatus::ReturnedHome,
        LeavingStatus::Exited => MemberStatus::Exited,
    };
    let mut checks = FieldChecks::default();
    if status == MemberStatus::Exited && e.keep_capital {
        checks.refuse(ApiError::invalid_field(
            "/keep_capital",
            "a member who exits is paid out in full; only a member who returns home may keep their capital invested",
        ));
    }
    let on = checks.check(booking_date("/on", e.on, today));
    let (Some(on), true) = (on, checks.passed()) else {
        return Err(checks.refusal());
    };
    let request = MemberExit {
        status,
        on,
        channel: e.channel,
        keep_capital: e.keep_capital,
        created_by: Some(caller.id()),
    };
    // Under a policy that makes exits wait, it waits for a second person (202).
    let operation = Operation::Exit {
        member_id,
        status,
        on,
        channel: request.channel,
        keep_capital: request.keep_capital,
    };
    let asking = Asking::new(&state, group_id, caller.id(), &body.canonical);
    asking
        .unless_it_waits(idempotent, operation, async |idempotent| {
            let write = idempotent.prepare(group_id, &body.canonical, ExitView::of)?;
            write.respond(
                state
                    .store
                    .exit_member(group_id, member_id, request, write.idempotency())
                    .await,
            )
        })
        .await
}
