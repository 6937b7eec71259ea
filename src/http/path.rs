//! Typed path parameters: one small struct per shape of path, each field read from the route's
//! segment of the same name. A segment that is not what it should be (an id that is not a
//! UUID, a member that is neither an id nor a number) names nothing that exists: 404 naming
//! what was looked for, as problem+json. A segment that is not valid UTF-8 is a 404 too.

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use uuid::Uuid;

use super::error::ApiError;
use crate::domain::member::MemberRef;
use crate::domain::model::AccountRef;

/// What one path segment is read as.
pub trait Segment: Sized {
    /// `what` is named in the 404 of a segment that cannot be read.
    fn read(text: &str, what: &str) -> Result<Self, ApiError>;
}

impl Segment for Uuid {
    fn read(text: &str, what: &str) -> Result<Self, ApiError> {
        Uuid::try_parse(text).map_err(|_| ApiError::not_found(what))
    }
}

/// A member by id or by number ("12" or "#12").
impl Segment for MemberRef {
    fn read(text: &str, what: &str) -> Result<Self, ApiError> {
        MemberRef::parse(text).ok_or_else(|| ApiError::not_found(what))
    }
}

/// An account by id or by code: any text names one, or none (answered by the store).
impl Segment for AccountRef {
    fn read(text: &str, _: &str) -> Result<Self, ApiError> {
        Ok(AccountRef::parse(text))
    }
}

/// A segment kept as its text, for a handler that reads it only after the query (so that an
/// unknown query parameter is answered first, as on every other route).
#[derive(Debug, Clone)]
pub struct SegmentText {
    pub text: String,
    what: String,
}

impl SegmentText {
    /// The text as a sequence number of a group's journal: decimal digits, 0 or more, without
    /// leading zeros (so each sequence has one path); anything else names nothing (404).
    pub fn sequence(&self) -> Result<i64, ApiError> {
        let text = self.text.as_str();
        let canonical = text == "0" || (!text.starts_with('0') && !text.is_empty());
        match text.parse::<i64>() {
            Ok(n) if canonical && text.bytes().all(|b| b.is_ascii_digit()) => Ok(n),
            _ => Err(ApiError::not_found(&self.what)),
        }
    }
}

impl Segment for SegmentText {
    fn read(text: &str, what: &str) -> Result<Self, ApiError> {
        Ok(SegmentText {
            text: text.to_string(),
            what: what.to_string(),
        })
    }
}

/// The path's parameters, percent-decoded; not valid UTF-8 is a 404.
pub async fn raw_params<S: Send + Sync>(
    parts: &mut Parts,
    state: &S,
) -> Result<RawPathParams, ApiError> {
    RawPathParams::from_request_parts(parts, state)
        .await
        .map_err(|_| ApiError::not_found("resource"))
}

/// The segment `name` of the path, read as `T`.
pub fn segment<T: Segment>(params: &RawPathParams, name: &str, what: &str) -> Result<T, ApiError> {
    let text = params
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value)
        .ok_or_else(|| ApiError::not_found("resource"))?;
    T::read(text, what)
}

/// Declares path structs: `Name { field: Type = "what it names" }`; the fields are read in
/// their order, so the first wrong one is the one answered.
macro_rules! paths {
    ($($(#[$doc:meta])* $name:ident { $($field:ident: $ty:ty = $what:literal),+ $(,)? })*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name {
            $(pub $field: $ty),+
        }

        impl<S: Send + Sync> FromRequestParts<S> for $name {
            type Rejection = ApiError;

            async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
                let params = raw_params(parts, state).await?;
                Ok($name {
                    $($field: segment(&params, stringify!($field), $what)?),+
                })
            }
        }
    )*};
}

paths! {
    /// `/v1/groups/{group_id}`
    GroupPath { group_id: Uuid = "group" }
    /// `/v1/groups/{group_id}/accounts/{account}`
    AccountPath { group_id: Uuid = "group", account: AccountRef = "account" }
    /// `/v1/groups/{group_id}/transactions/{transaction_id}`
    TransactionPath { group_id: Uuid = "group", transaction_id: Uuid = "transaction" }
    /// `/v1/groups/{group_id}/members/{member_id}`, the member by id or number.
    MemberPath { group_id: Uuid = "group", member_id: MemberRef = "member" }
    /// `/v1/groups/{group_id}/contributions/{contribution_id}`
    ContributionPath { group_id: Uuid = "group", contribution_id: Uuid = "contribution" }
    /// `/v1/groups/{group_id}/withdrawals/{withdrawal_id}`
    WithdrawalPath { group_id: Uuid = "group", withdrawal_id: Uuid = "withdrawal" }
    /// `/v1/groups/{group_id}/meetings/{meeting_id}`
    MeetingPath { group_id: Uuid = "group", meeting_id: Uuid = "meeting" }
    /// `/v1/groups/{group_id}/investments/{investment_id}`
    InvestmentPath { group_id: Uuid = "group", investment_id: Uuid = "investment" }
    /// `/v1/groups/{group_id}/investments/{investment_id}/{disbursements,returns,write-downs}/{event_id}`
    InvestmentEventPath {
        group_id: Uuid = "group",
        investment_id: Uuid = "investment",
        event_id: Uuid = "investment event",
    }
    /// `/v1/groups/{group_id}/remittances/{remittance_id}`
    RemittancePath { group_id: Uuid = "group", remittance_id: Uuid = "remittance" }
    /// `/v1/groups/{group_id}/transfers/{transfer_id}`
    TransferPath { group_id: Uuid = "group", transfer_id: Uuid = "transfer" }
    /// `/v1/groups/{group_id}/distributions/{distribution_id}`
    DistributionPath { group_id: Uuid = "group", distribution_id: Uuid = "distribution" }
    /// `/v1/groups/{group_id}/checkpoints/{sequence}`
    CheckpointPath { group_id: Uuid = "group", sequence: SegmentText = "checkpoint" }
    /// `/v1/groups/{group_id}/approvals/{approval_id}`
    ApprovalPath { group_id: Uuid = "group", approval_id: Uuid = "approval" }
    /// `/v1/groups/{group_id}/webhooks/{webhook_id}`
    WebhookPath { group_id: Uuid = "group", webhook_id: Uuid = "webhook" }
    /// `/v1/users/{user_id}`
    UserPath { user_id: Uuid = "user" }
    /// `/v1/users/{user_id}/grants/{grant_id}`
    GrantPath { user_id: Uuid = "user", grant_id: Uuid = "grant" }
}

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::body::{Body, to_bytes};
    use axum::http::{Request, StatusCode};
    use axum::routing::get;
    use tower::ServiceExt as _;

    use super::MemberPath;
    use crate::domain::member::MemberRef;

    async fn answer(path: &str) -> (StatusCode, String) {
        let app = Router::new().route(
            "/v1/groups/{group_id}/members/{member_id}",
            get(|path: MemberPath| async move {
                match path.member_id {
                    MemberRef::Id(id) => format!("{} {id}", path.group_id),
                    MemberRef::Number(n) => format!("{} #{n}", path.group_id),
                }
            }),
        );
        let request = Request::get(path).body(Body::empty()).expect("request");
        let response = app.oneshot(request).await.expect("response");
        let status = response.status();
        let body = to_bytes(response.into_body(), 1 << 16).await.expect("body");
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    #[tokio::test]
    async fn a_path_names_what_it_cannot_read_in_a_problem_404() {
        let group = uuid::Uuid::now_v7();
        let (status, body) = answer(&format!("/v1/groups/{group}/members/12")).await;
        assert_eq!((status, body), (StatusCode::OK, format!("{group} #12")));
        let member = uuid::Uuid::now_v7();
        let (status, body) = answer(&format!("/v1/groups/{group}/members/{member}")).await;
        assert_eq!(
            (status, body),
            (StatusCode::OK, format!("{group} {member}"))
        );

        for (path, detail) in [
            (
                "/v1/groups/not-a-uuid/members/12".to_string(),
                "group not found",
            ),
            // The first segment that cannot be read is the one answered.
            (
                "/v1/groups/nope/members/nope".to_string(),
                "group not found",
            ),
            (
                format!("/v1/groups/{group}/members/twelve"),
                "member not found",
            ),
            (
                format!("/v1/groups/{group}/members/%FF%FE"),
                "resource not found",
            ),
        ] {
            let (status, body) = answer(&path).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
            let problem: serde_json::Value = serde_json::from_str(&body).expect("problem+json");
            assert_eq!(problem["type"], "/problems/not-found", "{path}");
            assert_eq!(problem["detail"], detail, "{path}");
        }
    }
}
