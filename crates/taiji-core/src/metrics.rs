//! Prometheus metrics for people who run the gateway as a service (`/metrics`, off by default).
//!
//! [`Metrics`] owns its own registry (no global one): the core creates one and feeds it from the
//! dispatcher's events ([`Metrics::observer`], called on each request's task: a subscriber task
//! would be woken several times per request) and the account's sign-in state
//! ([`Metrics::follow`]); the gateway adds the requests the dispatcher never sees (refusals, model
//! lists, token counts) and renders the text format with the admission gauges of that moment.
//! Label values are bounded: `model` is a catalog id for dispatched requests and empty for refused
//! ones (requested names come from anyone), and `outcome` is a short class name.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use crate::account::TokenState;
use crate::dispatch::{AdmissionGauges, DispatchEvent, DispatchEventKind, EventObserver};

/// The labels of `taiji_requests_total`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct RequestLabels {
    endpoint: String,
    model: String,
    outcome: String,
}

/// The labels of the latency histograms.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct ModelLabels {
    model: String,
}

/// The labels of `taiji_sign_ins_total`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct SignInLabels {
    result: &'static str,
}

/// The gateway's metrics. Cheap to clone; clones share the values.
#[derive(Clone)]
pub struct Metrics {
    inner: Arc<Inner>,
}

struct Inner {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    upstream_seconds: Family<ModelLabels, Histogram>,
    first_token_seconds: Family<ModelLabels, Histogram>,
    in_flight: Gauge,
    queued: Gauge,
    points: Counter,
    sign_ins: Family<SignInLabels, Counter>,
    /// Requests between `Queued` and their last event: endpoint and model.
    running: Mutex<HashMap<String, (String, String)>>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

fn latency_histogram() -> Histogram {
    // 50 ms … ~410 s: first tokens arrive in a second or two, long answers take minutes.
    Histogram::new(exponential_buckets(0.05, 2.0, 14))
}

impl Metrics {
    /// Empty metrics in their own registry.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("taiji");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "requests",
            "Requests answered, by canonical endpoint, model (catalog id; empty when refused before \
             dispatch) and outcome (ok, cancelled, or the error class)",
            requests.clone(),
        );
        let upstream_seconds =
            Family::<ModelLabels, Histogram>::new_with_constructor(latency_histogram as fn() -> Histogram);
        registry.register(
            "upstream_duration_seconds",
            "Time from dispatch to the end of the upstream answer",
            upstream_seconds.clone(),
        );
        let first_token_seconds =
            Family::<ModelLabels, Histogram>::new_with_constructor(latency_histogram as fn() -> Histogram);
        registry.register(
            "time_to_first_token_seconds",
            "Time from dispatch to the first reasoning or text token",
            first_token_seconds.clone(),
        );
        let in_flight = Gauge::default();
        registry.register(
            "requests_in_flight",
            "Chat requests running upstream",
            in_flight.clone(),
        );
        let queued = Gauge::default();
        registry.register(
            "requests_queued",
            "Chat requests waiting for a slot",
            queued.clone(),
        );
        let points = Counter::default();
        registry.register(
            "points_spent",
            "Taiji points deducted for finished requests",
            points.clone(),
        );
        let sign_ins = Family::<SignInLabels, Counter>::default();
        registry.register(
            "sign_ins",
            "Sign-ins to the Taiji site, by result (ok, failed)",
            sign_ins.clone(),
        );
        Self {
            inner: Arc::new(Inner {
                registry,
                requests,
                upstream_seconds,
                first_token_seconds,
                in_flight,
                queued,
                points,
                sign_ins,
                running: Mutex::default(),
            }),
        }
    }

    /// Counts one request the dispatcher never saw (refused, or served by the gateway itself).
    pub fn record_request(&self, endpoint: &str, outcome: &str) {
        self.inner
            .requests
            .get_or_create(&RequestLabels {
                endpoint: endpoint.to_owned(),
                model: String::new(),
                outcome: outcome.to_owned(),
            })
            .inc();
    }

    /// The metrics in Prometheus' text format, with `gauges` as the admission's state now.
    pub fn render(&self, gauges: AdmissionGauges) -> String {
        self.inner
            .in_flight
            .set(i64::try_from(gauges.in_flight).unwrap_or(i64::MAX));
        self.inner
            .queued
            .set(i64::try_from(gauges.queued).unwrap_or(i64::MAX));
        let mut text = String::new();
        if let Err(error) = prometheus_client::encoding::text::encode(&mut text, &self.inner.registry) {
            tracing::error!(%error, "could not render the metrics");
        }
        text
    }

    /// The dispatcher's observer that feeds these metrics ([`crate::dispatch::Dispatcher::observed`]).
    pub fn observer(&self) -> EventObserver {
        let metrics = self.clone();
        Arc::new(move |event: &DispatchEvent| metrics.on_event(event))
    }

    /// Follows the account's sign-in state until `stop`.
    pub async fn follow(self, mut token: watch::Receiver<TokenState>, stop: CancellationToken) {
        let mut last_expiry = signed_in_expiry(&token.borrow_and_update());
        loop {
            tokio::select! {
                () = stop.cancelled() => return,
                changed = token.changed() => {
                    if changed.is_err() {
                        return;
                    }
                    let state = token.borrow_and_update().clone();
                    self.on_token(&mut last_expiry, &state);
                }
            }
        }
    }

    fn on_event(&self, event: &DispatchEvent) {
        let DispatchEvent { request_id, kind } = event;
        // Held only for one map operation; a panic elsewhere cannot leave the map half-changed.
        let running = || self.inner.running.lock().unwrap_or_else(PoisonError::into_inner);
        // The request's outcome, and how long it took upstream when it got there.
        let (outcome, upstream_ms) = match kind {
            DispatchEventKind::Queued { model, endpoint, .. } => {
                running().insert(request_id.clone(), (endpoint.clone(), model.clone()));
                return;
            }
            DispatchEventKind::Started { .. } => return,
            DispatchEventKind::FirstToken { after_ms } => {
                let model = running()
                    .get(request_id)
                    .map(|(_, model)| model.clone())
                    .unwrap_or_default();
                self.inner
                    .first_token_seconds
                    .get_or_create(&ModelLabels { model })
                    .observe(seconds(*after_ms));
                return;
            }
            DispatchEventKind::Finished { usage, duration_ms } => {
                self.inner.points.inc_by(u64::try_from(usage.points).unwrap_or(0));
                ("ok".to_owned(), Some(*duration_ms))
            }
            DispatchEventKind::Failed {
                class, duration_ms, ..
            } => (class.clone(), Some(*duration_ms)),
            DispatchEventKind::Cancelled { .. } => ("cancelled".to_owned(), None),
        };
        let (endpoint, model) = running().remove(request_id).unwrap_or_default();
        if let Some(duration_ms) = upstream_ms {
            self.observe_upstream(&model, duration_ms);
        }
        self.inner
            .requests
            .get_or_create(&RequestLabels {
                endpoint,
                model,
                outcome,
            })
            .inc();
    }

    fn observe_upstream(&self, model: &str, duration_ms: u64) {
        self.inner
            .upstream_seconds
            .get_or_create(&ModelLabels {
                model: model.to_owned(),
            })
            .observe(seconds(duration_ms));
    }

    /// A sign-in is a new token (a new expiry); a failure is a change into a failed state.
    fn on_token(&self, last_expiry: &mut Option<Option<time::OffsetDateTime>>, state: &TokenState) {
        match state {
            TokenState::LoggedIn { .. } => {
                let expiry = signed_in_expiry(state);
                if expiry != *last_expiry {
                    *last_expiry = expiry;
                    self.inner
                        .sign_ins
                        .get_or_create(&SignInLabels { result: "ok" })
                        .inc();
                }
            }
            TokenState::InvalidCredentials { .. } | TokenState::LoginFailed { .. } => {
                self.inner
                    .sign_ins
                    .get_or_create(&SignInLabels { result: "failed" })
                    .inc();
            }
            _ => {}
        }
    }
}

/// The expiry of a held token (`Some(exp)`), or `None` when no token is held.
fn signed_in_expiry(state: &TokenState) -> Option<Option<time::OffsetDateTime>> {
    match state {
        TokenState::LoggedIn { expires_at, .. } => Some(*expires_at),
        _ => None,
    }
}

fn seconds(ms: u64) -> f64 {
    // Millisecond counts stay far below 2^52, where f64 is exact.
    #[allow(clippy::cast_precision_loss)]
    let ms = ms as f64;
    ms / 1000.0
}
