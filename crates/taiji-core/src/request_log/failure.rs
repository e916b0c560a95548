//! [`FailureClass`]: the one vocabulary of the request log's `error_class` column, shared by the
//! dispatcher (upstream failures, shutdown, internal errors) and the gateway's audit (requests
//! rejected before they reached the dispatcher, and bare HTTP error statuses). [`FailureKind`] is
//! also the kind of the gateway's HTTP errors (`api::error::ApiErrorKind`, which adds the status
//! and error types of each kind), so an answered error is logged under its own kind. Each class is
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
    /// A failure of this kind: an error the gateway answered, or the dispatcher's internal one.
    Kind(FailureKind),
    /// An HTTP error status the gateway answered without a typed error (stored as `http_<status>`).
    Http(u16),
}

/// The class of a failure, as far as an API client needs to know it (the gateway's
/// `api::error::ApiErrorKind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FailureKind {
    /// The request is malformed or asks for something we cannot honour (bad JSON, a missing or
    /// out-of-range field, an unsupported modality, `n > 1`, a forced tool call).
    InvalidRequest,
    /// The prompt exceeds what the upstream accepts.
    PromptTooLong,
    /// The HTTP body itself is larger than the gateway accepts.
    RequestTooLarge,
    /// Our own API key is missing or wrong.
    Unauthenticated,
    /// The request is not allowed from where it came (e.g. a forbidden `Host`).
    Forbidden,
    /// No such route or resource.
    NotFound,
    /// The requested model is not in the account's catalog (and no alias maps it).
    ModelNotFound,
    /// The account's points balance cannot pay for this message.
    QuotaExhausted,
    /// The upstream (or the gateway's pacing) asks the client to slow down.
    RateLimited,
    /// The upstream is refusing traffic for now (a WAF page, an overloaded channel).
    UpstreamBusy,
    /// The gateway cannot sign in to the upstream; the user has to act.
    UpstreamLoginFailed,
    /// The gateway is still signing in, or the site is unreachable; retrying later helps.
    NotSignedInYet,
    /// The upstream failed in a way the client cannot fix (transport, malformed reply, 5xx, an
    /// upstream business error without a better class).
    UpstreamFailed,
    /// The upstream did not answer in time.
    Timeout,
    /// A bug or an unexpected state inside the gateway.
    Internal,
    /// The client stopped sending its request body.
    RequestTimeout,
}

impl FailureKind {
    /// The stored name, e.g. `quota_exhausted`.
    pub fn name(self) -> &'static str {
        match self {
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
        }
    }
}

impl FailureClass {
    /// The stored name, e.g. `quota_exhausted`, `login_expired` or `http_404`.
    pub fn name(self) -> Cow<'static, str> {
        match self {
            Self::Upstream(class) => Cow::Borrowed(class.as_str()),
            Self::ShuttingDown => Cow::Borrowed("shutting_down"),
            Self::Kind(kind) => Cow::Borrowed(kind.name()),
            Self::Http(status) => Cow::Owned(format!("http_{status}")),
        }
    }
}

impl From<ErrorClass> for FailureClass {
    fn from(class: ErrorClass) -> Self {
        Self::Upstream(class)
    }
}

impl From<FailureKind> for FailureClass {
    fn from(kind: FailureKind) -> Self {
        Self::Kind(kind)
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
        assert_eq!(
            FailureClass::from(FailureKind::ModelNotFound).name(),
            "model_not_found"
        );
        assert_eq!(FailureClass::Http(404).to_string(), "http_404");
    }
}
