//! [`FailureClass`]: the one vocabulary of the request log's `error_class` column, shared by the
//! dispatcher (upstream failures, shutdown, internal errors) and the gateway's audit (requests
//! rejected before they reached the dispatcher, and bare HTTP error statuses). Each class is
//! mapped to its stored string here, once; the upstream classes keep the names
//! [`crate::upstream::ErrorClass`] gives them.

use std::borrow::Cow;
use std::fmt;

use crate::upstream::ErrorClass;

/// Why a logged request failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FailureClass {
    /// The upstream failed; its own classification.
    Upstream(ErrorClass),
    /// The gateway was stopping; the request was not (or no longer) served.
    ShuttingDown,
    /// A bug or an unexpected internal failure.
    Internal,
    /// The request was malformed or unsupported.
    InvalidRequest,
    /// The prompt is longer than the model accepts.
    PromptTooLong,
    /// The request body exceeded the gateway's limit.
    RequestTooLarge,
    /// No or a wrong API key.
    Unauthenticated,
    /// Refused by the access rules (host, origin).
    Forbidden,
    /// No such route.
    NotFound,
    /// The requested model does not resolve.
    ModelNotFound,
    /// Not enough points or plan balance left.
    QuotaExhausted,
    /// Too many requests.
    RateLimited,
    /// The gateway's queue is full.
    UpstreamBusy,
    /// The Taiji account could not sign in.
    UpstreamLoginFailed,
    /// The background sign-in has not succeeded yet.
    NotSignedInYet,
    /// The upstream failed in a way the client sees as a gateway error.
    UpstreamFailed,
    /// The upstream did not answer in time.
    Timeout,
    /// The client did not send its request in time.
    RequestTimeout,
    /// An HTTP error status the gateway answered without a typed error (stored as `http_<status>`).
    Http(u16),
}

impl FailureClass {
    /// The stored name, e.g. `quota_exhausted`, `login_expired` or `http_404`.
    pub fn name(self) -> Cow<'static, str> {
        Cow::Borrowed(match self {
            Self::Upstream(class) => class.as_str(),
            Self::ShuttingDown => "shutting_down",
            Self::Internal => "internal",
            Self::InvalidRequest => "invalid_request",
            Self::PromptTooLong => "prompt_too_long",
            Self::RequestTooLarge => "request_too_large",
            Self::Unauthenticated => "unauthenticated",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
            Self::ModelNotFound => "model_not_found",
            Self::QuotaExhausted => "quota_exhausted",
            Self::RateLimited => "rate_limited",
            Self::UpstreamBusy => "upstream_busy",
            Self::UpstreamLoginFailed => "upstream_login_failed",
            Self::NotSignedInYet => "not_signed_in_yet",
            Self::UpstreamFailed => "upstream_failed",
            Self::Timeout => "timeout",
            Self::RequestTimeout => "request_timeout",
            Self::Http(status) => return Cow::Owned(format!("http_{status}")),
        })
    }
}

impl From<ErrorClass> for FailureClass {
    fn from(class: ErrorClass) -> Self {
        Self::Upstream(class)
    }
}

impl fmt::Display for FailureClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_keep_their_stored_names() {
        assert_eq!(
            FailureClass::from(ErrorClass::LoginExpired).name(),
            "login_expired"
        );
        assert_eq!(FailureClass::ShuttingDown.name(), "shutting_down");
        assert_eq!(FailureClass::ModelNotFound.name(), "model_not_found");
        assert_eq!(FailureClass::Http(404).to_string(), "http_404");
    }
}
