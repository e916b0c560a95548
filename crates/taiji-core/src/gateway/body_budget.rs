//! A global budget for request bodies in memory. The body limit bounds one request, and the
//! dispatcher's admission bounds the requests that run upstream, but bodies are read and parsed
//! before admission: without a budget, a handful of clients sending maximum-size bodies at once
//! would make the gateway hold gigabytes. Each request with a body reserves its declared
//! `Content-Length` (or the whole body limit when it does not declare one) from one semaphore of
//! bytes until its response starts; when the budget is used up the request is answered at once
//! with a 429 and `Retry-After` in its client's format, before any of its body is read.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::header;
use tokio::sync::Semaphore;

use super::audit::{LogNote, reject};
use super::flavor::flavor_for;
use super::state::AppState;
use crate::api::error::{ApiError, ApiErrorKind};

/// The budget counts kibibytes, so that any budget fits the semaphore's `u32` permits per request.
const UNIT: usize = 1024;

/// The shared budget of one gateway.
#[derive(Debug, Clone)]
pub(crate) struct BodyBudget {
    permits: Arc<Semaphore>,
}

impl BodyBudget {
    /// A budget of `bytes`.
    pub(crate) fn new(bytes: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(bytes.div_ceil(UNIT))),
        }
    }
}

/// The middleware.
pub(crate) async fn reserve(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<usize>().ok());
    let chunked = request.headers().contains_key(header::TRANSFER_ENCODING);
    let bytes = match (declared, chunked) {
        (Some(length), false) => length.min(state.options.body_limit),
        (None, false) => 0,
        // A body of unknown length may grow up to the limit.
        (_, true) => state.options.body_limit,
    };
    if bytes == 0 {
        return next.run(request).await;
    }
    let units = u32::try_from(bytes.div_ceil(UNIT)).unwrap_or(u32::MAX);
    let Ok(permit) = state.body_budget.permits.clone().try_acquire_many_owned(units) else {
        let flavor = flavor_for(request.uri().path(), request.headers());
        let error = ApiError::new(
            ApiErrorKind::RateLimited,
            "Taiji Gateway is receiving too many large requests at once; retry after the delay in \
             the Retry-After header.",
        )
        .with_retry_after(Duration::from_secs(1));
        return reject(flavor, error, LogNote::anonymous());
    };
    let response = next.run(request).await;
    drop(permit);
    response
}
