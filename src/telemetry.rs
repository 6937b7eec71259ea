//! Logging: one line per event, text or JSON, filtered by level. Tokens, passwords and request
//! bodies are never logged.

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

pub fn init(filter: &str, format: LogFormat) -> anyhow::Result<()> {
    let filter =
        EnvFilter::try_new(filter).map_err(|e| anyhow::anyhow!("invalid log filter: {e}"))?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colours only on a terminal: a log written to a file or a journal stays plain text.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    let result = match format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Text => builder.try_init(),
    };
    result.map_err(|e| anyhow::anyhow!("cannot install the logger: {e}"))
}

/// The header that names a request's id (set by the service when the client sends none).
const REQUEST_ID: &str = "x-request-id";

/// The span every request is served in, named by its route's template (`otel.name`, as
/// OpenTelemetry names server spans: method and route, never the concrete path). A valid W3C
/// `traceparent` header puts its trace id and parent span id on the span, so the request's
/// log lines can be found by the trace they belong to; a malformed one is ignored, and the
/// request is served as any other.
pub fn request_span<B>(req: &axum::http::Request<B>) -> tracing::Span {
    let route = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or(crate::metrics::UNMATCHED_ROUTE, |path| path.as_str());
    let request_id = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let span = tracing::info_span!(
        "request",
        otel.name = %format_args!("{} {route}", req.method()),
        method = %req.method(),
        route,
        path = %req.uri().path(),
        request_id,
        trace_id = tracing::field::Empty,
        parent_id = tracing::field::Empty,
    );
    if let Some(parent) = trace_parent(req.headers()) {
        span.record("trace_id", parent.trace_id.as_str());
        span.record("parent_id", parent.parent_id.as_str());
    }
    span
}

/// What a W3C Trace Context `traceparent` header names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceParent {
    /// 32 lowercase hexadecimal digits, not all zero.
    pub trace_id: String,
    /// The caller's span: 16 lowercase hexadecimal digits, not all zero.
    pub parent_id: String,
    /// The caller records this trace.
    pub sampled: bool,
}

/// The request's trace parent: `None` when the header is absent, sent more than once, or
/// malformed (W3C Trace Context says to ignore it then).
pub fn trace_parent(headers: &axum::http::HeaderMap) -> Option<TraceParent> {
    let mut values = headers.get_all("traceparent").iter();
    let value = values.next()?;
    if values.next().is_some() {
        return None;
    }
    parse_trace_parent(value.to_str().ok()?)
}

/// Parses `version-traceid-parentid-flags`. Version `00` is exactly that; a later version may
/// add fields after a further `-`, which are ignored; version `ff` is invalid.
pub fn parse_trace_parent(value: &str) -> Option<TraceParent> {
    let value = value.trim_matches([' ', '\t']);
    let lower_hex = |s: &str, len: usize| {
        s.len() == len && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    };
    let head = value.get(..55)?;
    let rest = &value[55..];
    let mut parts = head.split('-');
    let (version, trace_id, parent_id, flags) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some()
        || !lower_hex(version, 2)
        || version == "ff"
        || !lower_hex(trace_id, 32)
        || !lower_hex(parent_id, 16)
        || !lower_hex(flags, 2)
    {
        return None;
    }
    // Version 00 ends after its flags; a later version may go on after a `-`.
    let ends_well = rest.is_empty() || (version != "00" && rest.starts_with('-'));
    if !ends_well {
        return None;
    }
    if trace_id.bytes().all(|b| b == b'0') || parent_id.bytes().all(|b| b == b'0') {
        return None;
    }
    let flags = u8::from_str_radix(flags, 16).ok()?;
    Some(TraceParent {
        trace_id: trace_id.to_string(),
        parent_id: parent_id.to_string(),
        sampled: flags & 1 == 1,
    })
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use axum::Router;
    use axum::body::Body;
    use axum::http::Request;
    use axum::routing::get;
    use tower::ServiceExt as _;
    use tracing_subscriber::layer::SubscriberExt as _;

    use super::*;

    const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
    const PARENT: &str = "00f067aa0ba902b7";

    #[test]
    fn a_well_formed_traceparent_names_its_trace_and_parent() {
        let parsed = parse_trace_parent(&format!("00-{TRACE}-{PARENT}-01")).unwrap();
        assert_eq!(parsed.trace_id, TRACE);
        assert_eq!(parsed.parent_id, PARENT);
        assert!(parsed.sampled);
        let unsampled = parse_trace_parent(&format!("00-{TRACE}-{PARENT}-00")).unwrap();
        assert!(!unsampled.sampled);
        // A later version may carry more fields, which are left unread.
        let later = parse_trace_parent(&format!("01-{TRACE}-{PARENT}-01-what-comes-next"));
        assert_eq!(later.unwrap().trace_id, TRACE);
    }

    #[test]
    fn a_malformed_traceparent_is_ignored() {
        let zeros_trace = "0".repeat(32);
        let zeros_parent = "0".repeat(16);
        for bad in [
            String::new(),
            "garbage".to_string(),
            format!("00-{TRACE}-{PARENT}"),
            format!("00-{TRACE}-{PARENT}-01-extra"),
            format!("ff-{TRACE}-{PARENT}-01"),
            format!("00-{}-{PARENT}-01", TRACE.to_uppercase()),
            format!("00-{zeros_trace}-{PARENT}-01"),
            format!("00-{TRACE}-{zeros_parent}-01"),
            format!("00-{TRACE}-{PARENT}-0x"),
            format!("00_{TRACE}_{PARENT}_01"),
            format!("00-{}-{PARENT}-01", &TRACE[1..]),
            format!("01-{TRACE}-{PARENT}-01x"),
            "00-é".repeat(20),
        ] {
            assert_eq!(parse_trace_parent(&bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_traceparent_sent_twice_is_ignored() {
        let mut headers = axum::http::HeaderMap::new();
        let value = format!("00-{TRACE}-{PARENT}-01");
        headers.append("traceparent", value.parse().unwrap());
        assert!(trace_parent(&headers).is_some());
        headers.append("traceparent", value.parse().unwrap());
        assert_eq!(trace_parent(&headers), None);
    }

    /// The fields of every span opened, as "name=value" texts.
    #[derive(Clone, Default)]
    struct Spans(Arc<Mutex<Vec<String>>>);

    impl tracing::field::Visit for Fields<'_> {
        fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
            self.0.push(format!("{}={value:?}", field.name()));
        }
        fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
            self.0.push(format!("{}={value}", field.name()));
        }
    }

    struct Fields<'a>(&'a mut Vec<String>);

    impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Spans {
        fn on_new_span(
            &self,
            attrs: &tracing::span::Attributes<'_>,
            _: &tracing::span::Id,
            _: tracing_subscriber::layer::Context<'_, S>,
        ) {
            attrs.record(&mut Fields(&mut self.0.lock().unwrap()));
        }
        fn on_record(
            &self,
            _: &tracing::span::Id,
            values: &tracing::span::Record<'_>,
            _: tracing_subscriber::layer::Context<'_, S>,
        ) {
            values.record(&mut Fields(&mut self.0.lock().unwrap()));
        }
    }

    /// Serves one request through a router with the service's request span, and returns the
    /// span's fields and the answer's status.
    async fn span_of(traceparent: Option<&str>) -> (Vec<String>, u16) {
        let spans = Spans::default();
        let subscriber = tracing_subscriber::registry().with(spans.clone());
        let _guard = tracing::subscriber::set_default(subscriber);
        let app = Router::new()
            .route("/v1/groups/{group_id}", get(|| async { "ok" }))
            .layer(tower_http::trace::TraceLayer::new_for_http().make_span_with(request_span));
        let mut request = Request::get("/v1/groups/0190e0a4-7c1a-7000-8000-000000000001");
        if let Some(value) = traceparent {
            request = request.header("traceparent", value);
        }
        let response = app
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap();
        let fields = spans.0.lock().unwrap().clone();
        (fields, response.status().as_u16())
    }

    #[tokio::test(flavor = "current_thread")]
    async fn the_request_span_is_named_by_route_and_carries_the_callers_trace() {
        let (fields, status) = span_of(Some(&format!("00-{TRACE}-{PARENT}-01"))).await;
        assert_eq!(status, 200);
        assert!(
            fields.contains(&"otel.name=GET /v1/groups/{group_id}".to_string()),
            "{fields:?}"
        );
        assert!(
            fields.contains(&"route=/v1/groups/{group_id}".to_string()),
            "{fields:?}"
        );
        assert!(fields.contains(&format!("trace_id={TRACE}")), "{fields:?}");
        assert!(
            fields.contains(&format!("parent_id={PARENT}")),
            "{fields:?}"
        );
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_request_with_a_malformed_traceparent_is_served_without_a_trace() {
        let (fields, status) = span_of(Some("00-not-a-trace-01")).await;
        assert_eq!(status, 200, "a malformed traceparent is never refused");
        assert!(
            !fields.iter().any(|f| f.starts_with("trace_id=")),
            "{fields:?}"
        );
        assert!(
            fields.contains(&"route=/v1/groups/{group_id}".to_string()),
            "{fields:?}"
        );
    }
}
