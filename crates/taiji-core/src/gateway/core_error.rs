//! How the gateway reports failures: the core's errors as [`ApiError`]s, and the short class names
//! of API errors in the request log.

use crate::api::error::{ApiError, ApiErrorKind};
use crate::runtime::CoreError;

/// The API error for a failed core operation (catalog, model resolution, prompt building).
/// Details of internal failures go to the gateway's log, never to the client.
pub(crate) fn api_error_from_core(error: &CoreError) -> ApiError {
    match error {
        CoreError::NotSignedIn | CoreError::MissingCredentials => {
            ApiError::upstream_login_failed("no Taiji AI account is signed in")
        }
        CoreError::Upstream(upstream) => ApiError::from(upstream),
        CoreError::Resolve(resolve) => ApiError::from(resolve),
        CoreError::Prompt(prompt) => ApiError::from(prompt),
        CoreError::Invalid(_)
        | CoreError::Settings(_)
        | CoreError::SettingsStore(_)
        | CoreError::Credentials(_)
        | CoreError::RequestLog(_)
        | CoreError::Internal(_) => {
            tracing::error!(%error, "a core operation failed while serving a request");
            ApiError::internal()
        }
    }
}

/// The request-log error class of an API error, e.g. `model_not_found`.
pub(crate) fn error_class(kind: ApiErrorKind) -> &'static str {
    match kind {
        ApiErrorKind::InvalidRequest => "invalid_request",
        ApiErrorKind::PromptTooLong => "prompt_too_long",
        ApiErrorKind::RequestTooLarge => "request_too_large",
        ApiErrorKind::Unauthenticated => "unauthenticated",
        ApiErrorKind::Forbidden => "forbidden",
        ApiErrorKind::NotFound => "not_found",
        ApiErrorKind::ModelNotFound => "model_not_found",
        ApiErrorKind::QuotaExhausted => "quota_exhausted",
        ApiErrorKind::RateLimited => "rate_limited",
        ApiErrorKind::UpstreamBusy => "upstream_busy",
        ApiErrorKind::UpstreamLoginFailed => "upstream_login_failed",
        ApiErrorKind::NotSignedInYet => "not_signed_in_yet",
        ApiErrorKind::UpstreamFailed => "upstream_failed",
        ApiErrorKind::Timeout => "timeout",
        ApiErrorKind::Internal => "internal",
        ApiErrorKind::RequestTimeout => "request_timeout",
    }
}
