//! `GET /metrics`: the core's Prometheus metrics in the text format, for people who run the
//! gateway as a service. Off unless `metrics.enabled` (a 404 as for any unknown path), and behind
//! the API key like the APIs, because the counters describe the account's use.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Router, middleware};
use http::{HeaderMap, HeaderValue, Uri, header};

use super::access;
use super::fallback;
use super::state::AppState;

/// The content type of the text exposition format.
const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// The metrics route.
pub(crate) fn router(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/metrics", get(metrics))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            access::require_api_key,
        ))
}

async fn metrics(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    if !state.core.read_settings(|settings| settings.metrics.enabled) {
        return fallback::not_found(uri, headers).await;
    }
    let mut response = state
        .core
        .metrics()
        .render(*state.core.dispatcher().gauges().borrow())
        .into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    response
}
