//! The tracing span of each request: the method and the matched route (never the raw URI, which
//! may carry anything, and never headers, which carry API keys).

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
        tracing::info_span!("http", method = %request.method(), route)
    }
}

/// The tracing layer with [`RouteSpan`].
pub(crate) fn layer() -> TraceLayer<SharedClassifier<ServerErrorsAsFailures>, RouteSpan> {
    TraceLayer::new_for_http().make_span_with(RouteSpan)
}
