//! The local HTTP gateway: the axum routes that make a Taiji AI account look like the OpenAI Chat
//! Completions and Anthropic Messages APIs, on top of the one [`Core`].
//!
//! Layout, one job per module:
//! - [`server`]: [`GatewayServer`], the running listener the desktop shell and the CLI hold (start,
//!   stop, rebind without losing the old listener), and its typed [`GatewayError`];
//! - `openai`, `anthropic`, `models`, `health`, `fallback`: the routes of each area, each module a
//!   `fn router() -> Router<AppState>`;
//! - `chat`: the shared pipeline of the two chat routes (resolve, build the prompt, dispatch) and
//!   the streaming and non-stream relays from the dispatcher's events to the wire;
//! - `access`: API keys, the DNS-rebinding defence (`Host` check) and CORS;
//! - `readiness`: the "not signed in yet" answers while the background sign-in has not succeeded;
//! - `audit`: writes a request-log entry for every request the dispatcher never saw (rejections,
//!   model lists, token counts), because the dispatcher logs only what it dispatches;
//! - `metrics`: `/metrics` (Prometheus text, off by default, behind the API key);
//! - `trace`: the tracing span of each request (matched route, never headers).
//!
//! Why the layers sit where they sit (outermost first): body read timeout → body limit → audit →
//! CORS → `Host` check → body budget → routing → tracing → API key (only on the API routes) →
//! handler. The audit layer must see every response, including refusals by the layers inside it;
//! CORS must answer preflights before a key is asked for (browsers never send credentials on a
//! preflight). The layers before routing wrap the router as one service (`build_service` says
//! why); the tracing span comes after routing because it names the matched route.

mod access;
mod anthropic;
mod audit;
mod body_budget;
mod chat;
mod core_error;
mod fallback;
mod flavor;
mod health;
mod metrics;
mod models;
mod openai;
mod readiness;
mod server;
mod state;
mod trace;

use std::future::Future;
use std::io;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio_util::sync::CancellationToken;
use tower_http::timeout::RequestBodyTimeoutLayer;

use crate::runtime::Core;

pub use server::{GatewayError, GatewayServer};
use state::AppState;

/// The largest request body accepted. The largest valid request carries 5 images of 5 MB (the
/// upstream's limits, taiji-protocol.md §7.1), 33.4 MB as base64, plus its text: Claude Code's
/// longest prompts (a full context window, tool schemas) are 1–3 MB of JSON. 40 MiB leaves room
/// for that and for a few earlier images in the history, and nothing valid is larger.
pub const DEFAULT_BODY_LIMIT: usize = 40 * 1024 * 1024;

/// How many bytes of request bodies may be in memory at once by default: four maximum-size
/// bodies, or any number of ordinary ones.
pub const DEFAULT_BODY_MEMORY_BUDGET: usize = 4 * DEFAULT_BODY_LIMIT;

/// Tunables of the gateway's HTTP behaviour. The defaults are what real clients need; tests
/// shorten the timings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GatewayOptions {
    /// How often an idle stream gets a keep-alive (an SSE comment for OpenAI, a `ping` event for
    /// Anthropic), so clients and proxies do not time out while the request is queued or the model
    /// is slow.
    pub keep_alive_interval: Duration,
    /// How long a streamed request waits for the upstream to accept the message (or for the
    /// dispatcher's first event, if that comes first) before the response headers and the first
    /// frame go out. Failures that happen before generation (quota, prompt too long, a blocked
    /// upstream) usually arrive within this window and then get a real HTTP status instead of an
    /// in-stream error; a queued request or a slow session gets its first frame when the window
    /// ends (Cherry Studio's connection check waits 15 s for it).
    pub first_event_wait: Duration,
    /// The request body limit in bytes.
    pub body_limit: usize,
    /// The bytes all request bodies in flight may take together (see `body_budget`).
    pub body_memory_budget: usize,
    /// How long a connection may take to send a request's headers, counted from when the server
    /// starts waiting for them, so it also closes idle keep-alive connections. Slow or stalled
    /// clients otherwise hold a connection (and its memory) forever.
    pub header_read_timeout: Duration,
    /// How long a request body may pause between two chunks before the request fails.
    pub body_read_timeout: Duration,
    /// How long the shutdown waits for open connections after it ended the running streams and
    /// answered waiting requests; connections still open then (a client in the middle of sending
    /// its headers or body) are dropped, so the shutdown never waits for a stalled client.
    pub shutdown_drain: Duration,
}

impl Default for GatewayOptions {
    fn default() -> Self {
        Self {
            keep_alive_interval: Duration::from_secs(15),
            first_event_wait: Duration::from_secs(2),
            body_limit: DEFAULT_BODY_LIMIT,
            body_memory_budget: DEFAULT_BODY_MEMORY_BUDGET,
            header_read_timeout: Duration::from_secs(30),
            body_read_timeout: Duration::from_secs(30),
            shutdown_drain: Duration::from_secs(5),
        }
    }
}

/// Serves the gateway on `listener` until `shutdown` completes. Then it stops accepting
/// connections, closes idle keep-alive connections at once, ends running streams with an
/// in-stream "shutting down" error (dropping their dispatcher streams, which cancels the upstream
/// calls and deletes their sessions), answers waiting non-stream requests with a 503, and returns
/// once every connection is closed. The caller then runs `core.shutdown(grace)` to wait for the
/// session deletions. [`GatewayServer`] is the way the CLI and the desktop app run it.
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    core: Core,
    options: GatewayOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let draining = CancellationToken::new();
    let app = build_service(AppState::new(core, options, draining.clone()));
    let mut connections = Builder::new(TokioExecutor::new());
    connections
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(options.header_read_timeout);
    connections.http2().timer(TokioTimer::new());
    let graceful = GracefulShutdown::new();
    let mut open = tokio::task::JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        // Forget the connections that have closed.
        while open.try_join_next().is_some() {}
        let (tcp, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and similar: wait a moment instead of spinning.
                    tracing::warn!(%error, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // SSE frames are small and latency matters more than packet count.
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::debug!(%error, "could not set TCP_NODELAY");
        }
        let service = TowerToHyperService::new(app.clone());
        let connection = connections
            .serve_connection_with_upgrades(TokioIo::new(tcp), service)
            .into_owned();
        let connection = graceful.watch(connection);
        open.spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection ended with an error");
            }
        });
    }
    drop(listener);
    draining.cancel();
    // Idle connections close at once, the others after their current response; connections that
    // are still sending a request get `shutdown_drain`, then they are dropped.
    if tokio::time::timeout(options.shutdown_drain, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::debug!(
            open = open.len(),
            "dropping connections that did not finish in time"
        );
        open.abort_all();
    }
    while open.join_next().await.is_some() {}
    Ok(())
}

/// The gateway's HTTP service: the routes, behind the request-level layers.
///
/// Those layers wrap the router once, as one service, not each route (`Router::layer`): axum
/// boxes each route's layered stack, and a `from_fn` layer clones its inner service on every
/// request, so layers added per route cost a deep clone of the boxed stack below them at each
/// layer of each request (some 60 allocations per request; BENCHMARKS.md, "The first wave").
/// Around the router, a layer's inner service is the next layer or the router itself, whose
/// clones are cheap. Only the tracing layer stays per route, because its span names the matched
/// route, which is known after routing.
fn build_service<B>(
    state: AppState,
) -> impl tower::Service<
    http::Request<B>,
    Response = axum::response::Response,
    Error = std::convert::Infallible,
    Future: Send + 'static,
> + Clone
+ Send
+ Sync
+ 'static
where
    B: axum::body::HttpBody<Data = bytes::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    let body_limit = state.options.body_limit;
    let body_read_timeout = state.options.body_read_timeout;
    let router = build_router(state.clone());
    tower::ServiceBuilder::new()
        .layer(RequestBodyTimeoutLayer::new(body_read_timeout))
        .layer(DefaultBodyLimit::max(body_limit))
        // The `from_fn` layers take axum's body type.
        .map_request(|request: http::Request<_>| request.map(axum::body::Body::new))
        .layer(middleware::from_fn_with_state(state.clone(), audit::record))
        .layer(middleware::from_fn_with_state(state.clone(), access::cors))
        .layer(middleware::from_fn_with_state(state.clone(), access::check_host))
        .layer(middleware::from_fn_with_state(state, body_budget::reserve))
        .service(router)
}

/// The routes, with the API key required on the API routes and a tracing span per request.
fn build_router(state: AppState) -> Router {
    let api = Router::new()
        .merge(openai::router())
        .merge(anthropic::router())
        .merge(models::router())
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            access::require_api_key,
        ));
    Router::new()
        .merge(health::router())
        .merge(metrics::router(&state))
        .nest("/v1", api.clone())
        // Cherry Studio ≤ 1.5 appended `/v1/` to a host that already ended in `/v1`.
        .nest("/v1/v1", api.clone())
        // Hosts configured without any version segment (`…/chat/completions`, `…/messages`).
        .merge(api)
        .merge(fallback::router())
        .fallback(fallback::not_found)
        .method_not_allowed_fallback(fallback::method_not_allowed)
        .layer(trace::layer())
        .with_state(state)
}
