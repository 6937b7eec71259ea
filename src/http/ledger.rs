//! Group-wide ledger routes: trial balance, period closes, chain verification.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::AppState;
use super::dto::{CreatePeriodClose, PeriodCloseView, TrialBalanceView, VerificationView};
use super::error::ApiError;
use super::extract::{IdempotencyKey, JsonBody, PathParams, RequestContext, path_id};
use super::query::QueryParams;
use super::write::{PreparedWrite, json_response};

pub async fn trial_balance(
    State(state): State<AppState>,
    PathParams(group_id): PathParams<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let group_id = path_id(&group_id, "group")?;
    let params = QueryParams::parse(raw.as_deref(), &["as_of"])?;
    let tb = state
        .store
        .trial_balance(group_id, params.date("as_of")?)
        .await?;
    Ok(json_response(StatusCode::OK, &TrialBalanceView::of(&tb)))
}

pub async fn close_period(
    State(state): State<AppState>,
    PathParams(group_id): PathParams<String>,
    ctx: RequestContext,
    key: IdempotencyKey,
    body: JsonBody<CreatePeriodClose>,
) -> Result<Response, ApiError> {
    let group_id = path_id(&group_id, "group")?;
    let through = body.value.parse()?;
    let write = PreparedWrite::new(
        &state.in_flight,
        key.0,
        &group_id.to_string(),
        &ctx.route,
        &body.canonical,
        PeriodCloseView::of,
    )?;
    write.respond(
        state
            .store
            .close_period(group_id, through, write.idempotency())
            .await,
    )
}

pub async fn verify(
    State(state): State<AppState>,
    PathParams(group_id): PathParams<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    QueryParams::parse(raw.as_deref(), &[])?;
    let verification = state
        .store
        .verify_ledger(path_id(&group_id, "group")?)
        .await?;
    Ok(json_response(
        StatusCode::OK,
        &VerificationView::of(&verification),
    ))
}

/// The group's journal for accounting tools: `format=hledger|beancount|csv`, optionally only
/// what was booked from `from` to `to`.
pub async fn export(
    State(state): State<AppState>,
    PathParams(group_id): PathParams<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    use crate::domain::export::{self, ExportFormat};
    use axum::http::{HeaderValue, header};
    use axum::response::IntoResponse;

    let group_id = path_id(&group_id, "group")?;
    let params = QueryParams::parse(raw.as_deref(), &["format", "from", "to"])?;
    let format = match params.text("format") {
        Some(text) => ExportFormat::parse(text).ok_or_else(|| {
            ApiError::invalid_parameter("format", "must be hledger, beancount or csv")
        })?,
        None => {
            return Err(ApiError::invalid_parameter(
                "format",
                "is required: hledger, beancount or csv",
            ));
        }
    };
    let (from, to) = params.date_range()?;
    let journal = state.store.export_journal(group_id, from, to).await?;
    let body = match format {
        ExportFormat::Hledger => export::hledger(
            &journal.group,
            &journal.accounts,
            &journal.transactions,
            from,
            to,
        ),
        ExportFormat::Beancount => export::beancount(
            &journal.group,
            &journal.accounts,
            &journal.transactions,
            from,
            to,
        ),
        ExportFormat::Csv => export::csv(&journal.accounts, &journal.transactions),
    };
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    let disposition = format!(
        "attachment; filename=\"group-{group_id}.{}\"",
        format.extension()
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}
