//! Group-wide ledger routes: trial balance, period closes, chain verification.

use axum::Extension;
use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::AppState;
use super::approvals::Asking;
use super::dto::CreatePeriodClose;
use super::error::ApiError;
use super::extract::JsonBody;
use super::path::GroupPath;
use super::query::QueryParams;
use super::views::{PeriodCloseView, TrialBalanceView, VerificationView};
use super::write::{Idempotent, json_response};
use crate::auth::caller::Caller;
use crate::domain::approvals::{ClosingRate, Operation};
use crate::store::ExportPage;

pub async fn trial_balance(
    State(state): State<AppState>,
    GroupPath { group_id }: GroupPath,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = QueryParams::parse(raw.as_deref(), &["as_of"])?;
    let tb = state
        .store
        .trial_balance(group_id, params.date("as_of")?)
        .await?;
    Ok(json_response(StatusCode::OK, &TrialBalanceView::of(&tb)))
}

pub async fn close_period(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    GroupPath { group_id }: GroupPath,
    idempotent: Idempotent,
    body: JsonBody<CreatePeriodClose>,
) -> Result<Response, ApiError> {
    let today = state.today(group_id).await?;
    let (through, fx_rates) = body.value.parse(today)?;
    // Under a policy that says so, it waits for a second person (202).
    let rates = fx_rates
        .iter()
        .map(|r| ClosingRate {
            base: r.pair.base,
            quote: r.pair.quote,
            rate: r.rate.to_string(),
        })
        .collect();
    let operation = Operation::PeriodClose {
        through,
        fx_rates: rates,
    };
    let asking = Asking::new(&state, group_id, caller.id(), &body.canonical);
    asking
        .unless_it_waits(idempotent, operation, async |idempotent| {
            let write = idempotent.prepare(group_id, &body.canonical, PeriodCloseView::of)?;
            write.respond(
                state
                    .store
                    .close_period(group_id, through, fx_rates, write.idempotency())
                    .await,
            )
        })
        .await
}

pub async fn verify(
    State(state): State<AppState>,
    GroupPath { group_id }: GroupPath,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    QueryParams::parse(raw.as_deref(), &[])?;
    let verification = state.store.verify_ledger(group_id).await?;
    Ok(json_response(
        StatusCode::OK,
        &VerificationView::of(&verification),
    ))
}

/// Transactions read and written per page of a streamed export: enough to keep the database
/// round trips few, small enough that memory stays bounded whatever the journal's size.
pub const EXPORT_PAGE_TRANSACTIONS: u32 = 500;

/// The group's journal for accounting tools: `format=hledger|beancount|csv`, optionally only
/// what was booked from `from` to `to`.
///
/// Streamed: the header (commodities and accounts) is sent at once, then the journal page by
/// page, each read in its own short transaction up to the head sequence pinned at the start, so
/// the file is the journal as it was at that moment. Everything that can be refused is checked
/// before the first byte; a failure after it aborts the body (see [`ExportStream`]).
pub async fn export(
    State(state): State<AppState>,
    GroupPath { group_id }: GroupPath,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    use crate::domain::export::{ExportFormat, ExportWriter};
    use axum::http::{HeaderValue, header};
    use axum::response::IntoResponse;
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
    let start = state.store.export_start(group_id).await?;
    let writer = ExportWriter::new(format, &start.accounts);
    let header = writer.header(&start.group, &start.accounts, from, to);
    let stream = ExportStream {
        store: state.store.clone(),
        writer,
        group_id,
        page: ExportPage {
            from,
            to,
            after_sequence: 0,
            through_sequence: start.group.head_sequence,
            limit: EXPORT_PAGE_TRANSACTIONS,
        },
        header: Some(header),
        done: false,
    };
    let body = Body::from_stream(futures_util::stream::unfold(stream, ExportStream::next));
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

/// The body of a streamed export: the header, then one chunk per page of transactions.
///
/// A page that cannot be read after the response has started cannot become a problem+json
/// any more; the error is logged and ends the stream with an error, so the server aborts the
/// transfer (no terminating chunk) and the client sees a broken download rather than a file
/// that looks complete.
struct ExportStream {
    store: std::sync::Arc<dyn crate::store::Store>,
    writer: crate::domain::export::ExportWriter,
    group_id: uuid::Uuid,
    page: ExportPage,
    header: Option<String>,
    done: bool,
}

impl ExportStream {
    async fn next(mut self) -> Option<(Result<Bytes, std::io::Error>, Self)> {
        if let Some(header) = self.header.take() {
            return Some((Ok(Bytes::from(header)), self));
        }
        if self.done {
            return None;
        }
        match self.store.export_page(self.group_id, &self.page).await {
            Ok(page) => {
                let mut chunk = String::new();
                self.writer.transactions(&mut chunk, &page.items);
                match page.items.last() {
                    Some(last) if page.has_more => self.page.after_sequence = last.sequence,
                    _ => self.done = true,
                }
                if chunk.is_empty() {
                    return None;
                }
                Some((Ok(Bytes::from(chunk)), self))
            }
            Err(error) => {
                tracing::error!(
                    group.id = %self.group_id,
                    after_sequence = self.page.after_sequence,
                    error = %error,
                    "export aborted after the response started"
                );
                self.done = true;
                Some((
                    Err(std::io::Error::other("the export could not be completed")),
                    self,
                ))
            }
        }
    }
}
