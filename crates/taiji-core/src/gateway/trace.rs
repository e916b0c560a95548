//! The tracing span of each request: the method and the matched route (never the raw URI, which
//! may carry anything, and never headers, which carry API keys). It is a debug span: at the
//! serving log level (`taiji_core=info`) building it, formatting its fields and entering it on
//! every poll of the handler and the response body would be work on every request for no output
//! (request-scoped messages carry their `request_id` themselves); `RUST_LOG=taiji_core=debug`
//! brings it back.

use axum::extract::MatchedPath;
use http::Request;
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::trace::{MakeSpan, TraceLayer};
use tracing::Span;

/// Makes the per-request span.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RouteSpan;

impl<B> MakeSpan<B> for RouteSpan {
    fn make_span(&mut self, request: &Request<B>) -> Span {
        let route = request
            .extensions()
            .get::<MatchedPath>()
            .map_or("(unmatched)", MatchedPath::as_str);
        tracing::debug_span!("http", method = %request.method(), route)
    }
}

/// The tracing layer with [`RouteSpan`].
pub(crate) fn layer() -> TraceLayer<SharedClassifier<ServerErrorsAsFailures>, RouteSpan> {
    TraceLayer::new_for_http().make_span_with(RouteSpan)
}
