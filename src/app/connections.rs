//! Serving connections: accepting them up to the limit, answering those beyond it, bounding
//! the time and size of each request's head, and stopping gracefully.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tower::ServiceExt as _;

use super::*;

/// Serves until `shutdown` resolves, then stops accepting, lets in-flight requests finish, and
/// closes the store's pool.
pub async fn serve(
    listener: TcpListener,
    store: Arc<dyn Store>,
    config: AppConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    serve_with_metrics(listener, None, store, config, shutdown).await
}

/// [`serve`], and `GET /metrics` without credentials on `metrics_listener` when there is one
/// (`--metrics-listen`: an address on a private network that only the scraper reaches).
pub async fn serve_with_metrics(
    listener: TcpListener,
    metrics_listener: Option<TcpListener>,
    store: Arc<dyn Store>,
    config: AppConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let state = prepare(store.clone(), &config).await?;
    let metrics = state.metrics.clone();
    let app = app_over(state, &config);
    let listen = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let metrics_server = match metrics_listener {
        None => None,
        Some(metrics_listener) => {
            let metrics_listen = metrics_listener.local_addr()?;
            tracing::info!(%metrics_listen, "serving GET /metrics without credentials");
            let router = crate::http::metrics::open_router(metrics);
            let mut stopped = stopped.clone();
            Some(tokio::spawn(async move {
                let served = axum::serve(metrics_listener, router)
                    .with_graceful_shutdown(async move {
                        let _ = stopped.wait_for(|stop| *stop).await;
                    })
                    .await;
                if let Err(e) = served {
                    tracing::error!(error = %e, "the metrics listener failed");
                }
            }))
        }
    };
    let closings = crate::closings::spawn(store.clone(), stopped.clone());
    let deliveries = crate::webhooks::spawn(store.clone(), config.webhooks.clone(), stopped);
    tracing::info!(%listen, backend = store.backend(), "msai-ledger ready");
    serve_connections(listener, app, &config, shutdown).await;
    let _ = stop.send(true);
    let _ = deliveries.await;
    let _ = closings.await;
    if let Some(server) = metrics_server {
        let _ = server.await;
    }
    store.close().await;
    Ok(())
}

/// Connections beyond `max_connections` answered 503 at once; past these, a new connection
/// is closed unanswered, so a flood cannot make the service spend itself on refusals.
const BUSY_ANSWERS: usize = 64;

/// The least time between two log lines about refused connections.
pub(super) const REFUSAL_LOG_INTERVAL: Duration = Duration::from_secs(1);

/// Counts the connections refused at the limit and says when to log them: the first at once,
/// then at most one line every [`REFUSAL_LOG_INTERVAL`] with the number refused since the last
/// line, so that a flood of connections cannot flood the log too.
#[derive(Default)]
pub(super) struct RefusalLog {
    last_line: Option<std::time::Instant>,
    unlogged: u64,
}

impl RefusalLog {
    /// Counts one refusal at `now`; returns how many to log now, if a line is due.
    pub(super) fn refused(&mut self, now: std::time::Instant) -> Option<u64> {
        self.unlogged += 1;
        let due = self
            .last_line
            .is_none_or(|last| now.saturating_duration_since(last) >= REFUSAL_LOG_INTERVAL);
        if !due {
            return None;
        }
        self.last_line = Some(now);
        Some(std::mem::take(&mut self.unlogged))
    }
}

/// How long a connection beyond the limit is given to send the request it is refused.
const BUSY_ANSWER_TIMEOUT: Duration = Duration::from_secs(2);

/// Accepts connections until `shutdown` resolves, each served by its own task, at most
/// `max_connections` at once; then waits for those being served to finish their requests.
async fn serve_connections(
    listener: TcpListener,
    app: Router,
    config: &AppConfig,
    shutdown: impl Future<Output = ()>,
) {
    let builder = connection_builder(config);
    let slots = Arc::new(Semaphore::new(config.max_connections));
    let busy_slots = Arc::new(Semaphore::new(BUSY_ANSWERS));
    let mut refusals = RefusalLog::default();
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    accept_failed(e).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            if let Some(refused) = refusals.refused(std::time::Instant::now()) {
                tracing::warn!(
                    max_connections = config.max_connections,
                    refused,
                    "connections refused: the service is serving as many connections as it may"
                );
            }
            answer_busy(
                stream,
                &busy_slots,
                config.max_connections,
                config.secure_cookies,
            );
            continue;
        };
        // The client's address, for `ConnectInfo`, as `axum::serve` would give it.
        let service = app.clone().map_request(move |mut req: Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(remote));
            req
        });
        let io = ProblemRefusals::new(
            TokioIo::new(stream),
            config.max_header_bytes,
            MAX_HEADER_FIELDS,
        );
        let connection = builder
            .serve_connection_with_upgrades(io, TowerToHyperService::new(service))
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
            drop(slot);
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// HTTP/1 and HTTP/2 as `axum::serve` offers them, with the header read timeout. hyper's own
/// header limits are set far above the service's, so that headers over the service's limits
/// reach [`limit_headers`] and are refused with a problem like every other refusal; hyper
/// refuses only headers past [`hard_header_limit`] (and more than [`HYPER_MAX_HEADER_FIELDS`]
/// fields), before they are ever buffered whole, and its bare answer is rewritten into a
/// problem on the way out ([`ProblemRefusals`]).
fn connection_builder(config: &AppConfig) -> auto::Builder<TokioExecutor> {
    let hard_limit = hard_header_limit(config.max_header_bytes);
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(config.header_read_timeout)
        .max_headers(HYPER_MAX_HEADER_FIELDS)
        .max_buf_size(hard_limit);
    // HTTP/2 has no header read timeout: the connection is pinged every header read timeout
    // instead, and closed when a ping is not answered within as long, so that a client gone
    // without a word (a phone off the network) does not hold a connection for good. A body
    // trickled on a stream is cut off by the body read timeout, as over HTTP/1.
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(config.header_read_timeout)
        .keep_alive_timeout(config.header_read_timeout)
        .max_header_list_size(u32::try_from(hard_limit).unwrap_or(u32::MAX));
    builder
}

/// The size past which hyper refuses request headers unread: eight times the configured limit,
/// and never below 128 KiB.
fn hard_header_limit(max_header_bytes: usize) -> usize {
    max_header_bytes
        .saturating_mul(8)
        .max(128 * 1024)
        .max(HYPER_MIN_BUF_BYTES)
}

/// The most header fields hyper parses: past [`MAX_HEADER_FIELDS`], requests are refused with
/// a problem by [`limit_headers`] up to this many.
const HYPER_MAX_HEADER_FIELDS: usize = 5 * MAX_HEADER_FIELDS;

/// hyper's smallest allowed HTTP/1 read buffer.
const HYPER_MIN_BUF_BYTES: usize = 8192;

/// A connection beyond the limit gets a 503 with `Retry-After` and is closed, so its client
/// learns at once to come back rather than waiting in a queue.
fn answer_busy(
    stream: TcpStream,
    busy_slots: &Arc<Semaphore>,
    max_connections: usize,
    over_tls: bool,
) {
    let Ok(slot) = busy_slots.clone().try_acquire_owned() else {
        return;
    };
    tokio::spawn(async move {
        let service = hyper::service::service_fn(move |_| async move {
            Ok::<_, std::convert::Infallible>(too_many_connections(max_connections, over_tls))
        });
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .keep_alive(false)
            .timer(TokioTimer::new())
            .header_read_timeout(BUSY_ANSWER_TIMEOUT);
        let connection = builder.serve_connection(TokioIo::new(stream), service);
        let _ = tokio::time::timeout(BUSY_ANSWER_TIMEOUT, connection).await;
        drop(slot);
    });
}

fn too_many_connections(max_connections: usize, over_tls: bool) -> Response {
    let mut error = ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "too-many-connections",
        "Too many connections",
        format!("the service is serving its limit of {max_connections} connections; retry shortly"),
    );
    error.retry_after = Some(1);
    let mut response = error.into_response();
    add_security_headers(response.headers_mut(), over_tls);
    // Answered outside the router and its request-id layer, so it gets its id here.
    if let Ok(id) = HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()) {
        response.headers_mut().insert(REQUEST_ID, id);
    }
    response
}

/// A failed accept is usually one client's connection going away; running out of file
/// descriptors is not, and accepting again at once would only spin.
async fn accept_failed(error: std::io::Error) {
    use std::io::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset | ErrorKind::ConnectionRefused
    ) {
        return;
    }
    tracing::error!(error = %error, "cannot accept connections; trying again in 1 s");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

/// Refuses, with a problem, a request whose header fields (names, values and separators)
/// total more than `max_header_bytes`, or that has more than [`MAX_HEADER_FIELDS`] of them.
pub(super) async fn limit_headers(
    max_header_bytes: usize,
    req: Request<Body>,
    next: Next,
) -> Response {
    let size: usize = req
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    let count = req.headers().len();
    let detail = if size > max_header_bytes {
        format!("request headers are limited to {max_header_bytes} bytes in all; these take {size}")
    } else if count > MAX_HEADER_FIELDS {
        format!("requests are limited to {MAX_HEADER_FIELDS} header fields; this one has {count}")
    } else {
        return next.run(req).await;
    };
    let mut error = ApiError::new(
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
        "headers-too-large",
        "The request headers are too large",
        detail,
    );
    // Over HTTP/2 the answer ends the stream; `Connection` has no place there.
    error.close = req.version() < axum::http::Version::HTTP_2;
    error.into_response()
}

/// Resolves on Ctrl-C or SIGTERM. The handlers are installed when this is called, not when
/// the future is first polled: called before the service says it is ready, a SIGTERM sent as
/// soon as it is ready stops it gracefully rather than killing it (the default action), which
/// a handler installed by the accept loop's first poll could miss under load.
pub fn shutdown_signal() -> impl std::future::Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let signals = {
        use tokio::signal::unix::{SignalKind, signal};
        (
            signal(SignalKind::interrupt()).ok(),
            signal(SignalKind::terminate()).ok(),
        )
    };
    async move {
        #[cfg(unix)]
        {
            let (interrupt, terminate) = signals;
            let received = |signal: Option<tokio::signal::unix::Signal>| async move {
                match signal {
                    Some(mut signal) => {
                        signal.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                () = received(interrupt) => {},
                () = received(terminate) => {},
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
        tracing::info!("shutting down: finishing in-flight requests");
    }
}
