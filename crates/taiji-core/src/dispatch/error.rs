//! [`DispatchError`]: why a dispatched chat request failed. Upstream failures keep their
//! [`UpstreamError`] (and so its classification); the rest are the dispatcher's own outcomes.

use crate::request_log::{FailureClass, FailureKind};
use crate::upstream::{ErrorClass, UpstreamError};

/// A failed chat request.
#[derive(Debug, Clone, thiserror::Error)]
pub enum DispatchError {
    /// The upstream refused or failed; see [`UpstreamError::class`].
    #[error(transparent)]
    Upstream(#[from] UpstreamError),
    /// The gateway is stopping; the request was not (or no longer) served.
    #[error("the gateway is shutting down")]
    ShuttingDown,
    /// A bug: the request's task ended without an outcome (for example it panicked).
    #[error("internal error: {0}")]
    Internal(String),
}

impl DispatchError {
    /// The upstream classification, when the failure came from the upstream.
    pub fn upstream_class(&self) -> Option<ErrorClass> {
        match self {
            Self::Upstream(error) => Some(error.class()),
            _ => None,
        }
    }

    /// The request log's class of this failure (its name also goes into events).
    pub fn failure_class(&self) -> FailureClass {
        match self {
            Self::Upstream(error) => FailureClass::Upstream(error.class()),
            Self::ShuttingDown => FailureClass::ShuttingDown,
            Self::Internal(_) => FailureClass::Kind(FailureKind::Internal),
        }
    }
}
