//! What the service counts for Prometheus, and the scrape that shows it (`GET /metrics`, in
//! the Prometheus text format, written by `prometheus-client`).
//!
//! Every label value comes from a small set fixed by the code: a route's template (never its
//! path, which carries ids), a method of HTTP's own (any other is `other`), a status, a
//! problem type, a pool's or a queue's name. The counts of one service live in its own
//! [`Metrics`], so two services in one process (as in the tests) count apart.
//!
//! Requests are counted by a layer around the routes ([`Metrics::record`]); what the store
//! knows (commits, connections, queues) is read from it at each scrape ([`StoreCollector`]).

use std::sync::Arc;

use axum::http::{Method, StatusCode};
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::{ConstGauge, Gauge};
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::metrics::info::Info;
use prometheus_client::registry::Registry;

use crate::store::Store;

/// The `Content-Type` of a scrape: the Prometheus text format, version 0.0.4.
pub const CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

/// The route label of a request that matched no route.
pub const UNMATCHED_ROUTE: &str = "(unmatched)";

/// The routes where people sign in: their refusals are counted as sign-in failures and locks.
const SIGN_IN_ROUTES: [&str; 2] = ["/v1/auth/token", "/v1/auth/session"];

/// The problem type of a refusal, left on its response by `ApiError` for the count of
/// refusals by type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProblemSlug(pub &'static str);

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: &'static str,
    status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
    method: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteOnly {
    route: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ProblemLabels {
    r#type: &'static str,
    status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BuildLabels {
    version: &'static str,
    /// The git commit built, or "unknown" (see build.rs).
    commit: &'static str,
    backend: &'static str,
}

type HistogramFamily<S> = Family<S, Histogram, fn() -> Histogram>;

/// Request latencies from 1 ms to about 16 s.
fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

/// One service's metrics: the registry a scrape encodes, and the handles the request layer
/// counts into.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    durations: HistogramFamily<RouteLabels>,
    in_flight: Gauge,
    replays: Family<RouteOnly, Counter>,
    problems: Family<ProblemLabels, Counter>,
    sign_in_failures: Family<RouteOnly, Counter>,
    sign_in_locked: Family<RouteOnly, Counter>,
}

impl Metrics {
    /// The metrics of a service over `store`, whose commits, connections and queues every
    /// scrape reads.
    pub fn new(store: Arc<dyn Store>) -> Self {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "msai_http_requests",
            "Requests answered, by route template, method and status",
            requests.clone(),
        );
        let durations: HistogramFamily<RouteLabels> =
            Family::new_with_constructor(latency_histogram);
        registry.register(
            "msai_http_request_duration_seconds",
            "Time from a request's arrival to its answer, by route template and method",
            durations.clone(),
        );
        let in_flight = Gauge::default();
        registry.register(
            "msai_http_requests_in_flight",
            "Requests being served now",
            in_flight.clone(),
        );
        let replays = Family::<RouteOnly, Counter>::default();
        registry.register(
            "msai_idempotent_replays",
            "Writes answered again from their Idempotency-Key's stored outcome, by route template",
            replays.clone(),
        );
        let problems = Family::<ProblemLabels, Counter>::default();
        registry.register(
            "msai_problems",
            "Refusals answered as problem+json, by problem type (/problems/TYPE) and status",
            problems.clone(),
        );
        let sign_in_failures = Family::<RouteOnly, Counter>::default();
        registry.register(
            "msai_sign_in_failures",
            "Sign-ins refused for a wrong username or password, by route template",
            sign_in_failures.clone(),
        );
        let sign_in_locked = Family::<RouteOnly, Counter>::default();
        registry.register(
            "msai_sign_in_locked",
            "Sign-ins refused unchecked because a limit of failed sign-ins locks them, by route template",
            sign_in_locked.clone(),
        );
        register_store(&mut registry, store);
        Metrics {
            registry,
            requests,
            durations,
            in_flight,
            replays,
            problems,
            sign_in_failures,
            sign_in_locked,
        }
    }

    /// The scrape: every metric, in the Prometheus text format.
    pub fn encode(&self) -> Result<String, std::fmt::Error> {
        let mut text = String::new();
        prometheus_client::encoding::prometheus_text::encode(&mut text, &self.registry)?;
        Ok(text)
    }

    /// Counts a request that has begun; the returned guard counts it out when dropped.
    pub fn begin(self: &Arc<Self>) -> InFlight {
        self.in_flight.inc();
        InFlight(self.clone())
    }

    /// Counts a request answered: `route` is its template ([`UNMATCHED_ROUTE`] when none
    /// matched), `problem` the type of its refusal, if it was one made now, and `replayed`
    /// whether it was answered from an idempotency key's stored outcome.
    pub fn answered(&self, answer: Answer<'_>, seconds: f64) {
        let route = answer.route.to_string();
        let method = method_label(answer.method);
        let status = answer.status.as_u16();
        self.requests
            .get_or_create(&RequestLabels {
                route: route.clone(),
                method,
                status,
            })
            .inc();
        self.durations
            .get_or_create(&RouteLabels {
                route: route.clone(),
                method,
            })
            .observe(seconds);
        if answer.replayed {
            self.replays
                .get_or_create(&RouteOnly {
                    route: route.clone(),
                })
                .inc();
        }
        if let Some(ProblemSlug(slug)) = answer.problem {
            self.problems
                .get_or_create(&ProblemLabels {
                    r#type: slug,
                    status,
                })
                .inc();
        }
        if *answer.method == Method::POST && SIGN_IN_ROUTES.contains(&answer.route) {
            match (answer.problem, answer.status) {
                (Some(ProblemSlug("invalid-credentials")), _) => {
                    self.sign_in_failures
                        .get_or_create(&RouteOnly { route })
                        .inc();
                }
                (Some(ProblemSlug("too-many-attempts")), StatusCode::TOO_MANY_REQUESTS) => {
                    self.sign_in_locked
                        .get_or_create(&RouteOnly { route })
                        .inc();
                }
                _ => {}
            }
        }
    }
}

/// What the metrics note of one answered request.
#[derive(Debug, Clone, Copy)]
pub struct Answer<'a> {
    pub route: &'a str,
    pub method: &'a Method,
    pub status: StatusCode,
    pub problem: Option<ProblemSlug>,
    pub replayed: bool,
}

/// A request being served; counted out of the requests in flight when dropped, however the
/// request ends.
pub struct InFlight(Arc<Metrics>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.dec();
    }
}

/// The method as a label: one of HTTP's own, or `other` (a client may send any token as a
/// method, and labels must stay few).
pub fn method_label(method: &Method) -> &'static str {
    const KNOWN: [(Method, &str); 9] = [
        (Method::GET, "GET"),
        (Method::HEAD, "HEAD"),
        (Method::POST, "POST"),
        (Method::PUT, "PUT"),
        (Method::PATCH, "PATCH"),
        (Method::DELETE, "DELETE"),
        (Method::OPTIONS, "OPTIONS"),
        (Method::CONNECT, "CONNECT"),
        (Method::TRACE, "TRACE"),
    ];
    KNOWN
        .iter()
        .find(|(known, _)| known == method)
        .map_or("other", |(_, label)| label)
}

/// Reads the store's commits, connections and queues at each scrape.
#[derive(Clone)]
struct StoreCollector(Arc<dyn Store>);

impl std::fmt::Debug for StoreCollector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("StoreCollector").finish()
    }
}

impl Collector for StoreCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let stats = self.0.stats();
        let counter = |encoder: &mut DescriptorEncoder, name, help, value: u64| {
            let metric = ConstCounter::new(value);
            metric.encode(encoder.encode_descriptor(name, help, None, metric.metric_type())?)
        };
        counter(
            &mut encoder,
            "msai_db_commits",
            "Database commits of batches of writes",
            stats.commits.commits,
        )?;
        counter(
            &mut encoder,
            "msai_db_writes",
            "Writes committed (each request gathered into a batch counts)",
            stats.commits.writes,
        )?;
        {
            let mut family = encoder.encode_descriptor(
                "msai_db_pool_connections",
                "Database connections open now, by pool and state (in_use or idle)",
                None,
                prometheus_client::metrics::MetricType::Gauge,
            )?;
            for pool in &stats.pools {
                for (state, value) in [("in_use", pool.open - pool.idle), ("idle", pool.idle)] {
                    let labels = [("pool", pool.name), ("state", state)];
                    ConstGauge::new(i64::from(value)).encode(family.encode_family(&labels)?)?;
                }
            }
        }
        {
            let mut family = encoder.encode_descriptor(
                "msai_db_pool_max_connections",
                "The most connections each pool opens",
                None,
                prometheus_client::metrics::MetricType::Gauge,
            )?;
            for pool in &stats.pools {
                let labels = [("pool", pool.name)];
                ConstGauge::new(i64::from(pool.max)).encode(family.encode_family(&labels)?)?;
            }
        }
        let waiting = ConstGauge::new(i64::try_from(stats.waiting_for_connection).unwrap_or(0));
        waiting.encode(encoder.encode_descriptor(
            "msai_db_pool_waiting",
            "Transactions waiting for a database connection to begin on",
            None,
            waiting.metric_type(),
        )?)?;
        let mut family = encoder.encode_descriptor(
            "msai_write_queue_depth",
            "Requests waiting to be written (or read) together with others, by queue",
            None,
            prometheus_client::metrics::MetricType::Gauge,
        )?;
        for (queue, depth) in &stats.queued {
            let labels = [("queue", *queue)];
            ConstGauge::new(i64::try_from(*depth).unwrap_or(i64::MAX))
                .encode(family.encode_family(&labels)?)?;
        }
        Ok(())
    }
}

/// Registers what the store tells of itself: its commits' durations and sizes, the build and
/// backend, and its commits, connections and queues, read at each scrape.
fn register_store(registry: &mut Registry, store: Arc<dyn Store>) {
    let timings = store.commit_timings();
    registry.register(
        "msai_db_commit_duration_seconds",
        "Time a database commit of a batch of writes takes, durable write included",
        timings.commit_seconds,
    );
    registry.register(
        "msai_db_writes_per_commit",
        "Writes run in one committed transaction (group commit); a gathering of requests written in one step counts once",
        timings.writes_per_commit,
    );
    registry.register(
        "msai_build",
        "The service's version, the commit it was built from, and its database backend",
        Info::new(BuildLabels {
            version: env!("CARGO_PKG_VERSION"),
            commit: env!("MSAI_GIT_COMMIT"),
            backend: store.backend(),
        }),
    );
    registry.register_collector(Box::new(StoreCollector(store)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_outside_https_own_share_one_label() {
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::DELETE), "DELETE");
        let odd = Method::from_bytes(b"FROBNICATE-4f1c").unwrap();
        assert_eq!(method_label(&odd), "other");
    }
}
