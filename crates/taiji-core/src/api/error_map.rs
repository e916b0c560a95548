//! How the core's typed errors become [`ApiError`]s: dispatcher and upstream failures by their
//! [`ErrorClass`], model resolution failures, and prompt building failures. The status each class ends up with is
//! decided by [`crate::api::error::ApiErrorKind`]; this module only picks the kind and a message
//! that tells the user what happened and, where they can act, what to do.

use std::time::Duration;

use crate::api::error::{ApiError, ApiErrorKind};
use crate::dispatch::DispatchError;
use crate::model_resolver::ResolveError;
use crate::prompt::PromptError;
use crate::upstream::{ErrorClass, UpstreamError};

/// The wait suggested when the upstream rate-limits without saying how long.
const DEFAULT_RATE_LIMIT_RETRY: Duration = Duration::from_secs(10);

/// The wait suggested when a firewall page blocks us without saying how long; such blocks last
/// longer than a plain rate limit.
const DEFAULT_BLOCKED_RETRY: Duration = Duration::from_secs(30);

/// The wait suggested while the gateway shuts down (a restart takes a moment).
const SHUTDOWN_RETRY: Duration = Duration::from_secs(5);

impl From<&DispatchError> for ApiError {
    fn from(error: &DispatchError) -> Self {
        match error {
            DispatchError::Upstream(upstream) => ApiError::from(upstream),
            DispatchError::ShuttingDown => ApiError::new(
                ApiErrorKind::UpstreamBusy,
                "Taiji Gateway is shutting down; retry in a moment.",
            )
            .with_retry_after(SHUTDOWN_RETRY),
            // The details belong in the log (the route logs `error`), never in the response.
            DispatchError::Internal(_) => ApiError::internal(),
        }
    }
}

impl From<&UpstreamError> for ApiError {
    fn from(error: &UpstreamError) -> Self {
        let upstream_message = error.upstream_message().filter(|message| !message.is_empty());
        match error.class() {
            ErrorClass::InvalidCredentials => {
                ApiError::upstream_login_failed("Taiji AI rejected the saved account or password")
            }
            ErrorClass::LoginExpired => {
                ApiError::upstream_login_failed("the login expired and signing in again did not work")
            }
            ErrorClass::QuotaExhausted => ApiError::quota_exhausted(upstream_message),
            ErrorClass::InputTooLong => ApiError::input_too_long(upstream_message),
            ErrorClass::RateLimited => {
                // A 403 page is the site's firewall: "busy" (503) rather than "slow down" (429).
                if error.http_status() == Some(403) {
                    ApiError::upstream_busy(error.retry_after().unwrap_or(DEFAULT_BLOCKED_RETRY))
                } else {
                    ApiError::rate_limited(error.retry_after().unwrap_or(DEFAULT_RATE_LIMIT_RETRY))
                }
            }
            ErrorClass::Transport => match error {
                UpstreamError::StreamIdle(_) => ApiError::timeout(),
                UpstreamError::Transport { source, .. } if source.is_timeout() => ApiError::timeout(),
                _ => ApiError::upstream_failed(&error.to_string()),
            },
            // A session the gateway just created is unknown: an upstream fault, not the client's.
            ErrorClass::UnknownSession | ErrorClass::Upstream | ErrorClass::Malformed => {
                ApiError::upstream_failed(upstream_message.unwrap_or(&error.to_string()))
            }
        }
    }
}

impl From<&ResolveError> for ApiError {
    fn from(error: &ResolveError) -> Self {
        match error {
            ResolveError::Unknown { .. } | ResolveError::AliasTargetUnknown { .. } => {
                ApiError::new(ApiErrorKind::ModelNotFound, sentence(&error.to_string())).with_param("model")
            }
            ResolveError::Ambiguous { .. } => ApiError::invalid_param("model", sentence(&error.to_string())),
        }
    }
}

impl From<&PromptError> for ApiError {
    fn from(error: &PromptError) -> Self {
        let param = match error {
            PromptError::ImagesNotSupported { .. } => "model",
            PromptError::NoUserMessage
            | PromptError::TooManyImages { .. }
            | PromptError::ImageTooLarge { .. }
            | PromptError::BadDataUrl { .. }
            | PromptError::ImageFetch { .. } => "messages",
        };
        ApiError::invalid_param(param, sentence(&error.to_string()))
    }
}

impl ApiError {
    /// The upstream refused the input as too long. The message starts with "prompt is too long",
    /// the phrase Claude Code recognises to compact the conversation instead of retrying.
    pub fn input_too_long(upstream_message: Option<&str>) -> Self {
        let mut message = String::from(
            "prompt is too long: Taiji AI refused the input as longer than it accepts. Shorten the \
             conversation or the attachments.",
        );
        if let Some(upstream) = upstream_message {
            message.push_str(&format!(" (Taiji AI said: {upstream})"));
        }
        ApiError::new(ApiErrorKind::PromptTooLong, message).with_param("messages")
    }
}

/// Capitalises the first letter and ends with a full stop, so lower-case error texts read as
/// sentences in API messages.
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    let mut out: String = chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    if !out.ends_with(['.', '?', '!']) {
        out.push('.');
    }
    out
}

#[cfg(test)]
mod tests {
    use http::StatusCode;

    use super::*;
    use crate::api::ApiFlavor;
    use crate::upstream::error::api;

    fn http(status: u16, html: bool, retry_after: Option<Duration>) -> UpstreamError {
        UpstreamError::Http {
            status,
            detail: String::from("x"),
            html,
            retry_after,
            reached_model: false,
        }
    }

    #[test]
    fn upstream_classes_map_to_api_kinds() {
        let cases = [
            (
                UpstreamError::InvalidCredentials {
                    msg: "账号或密码错误".into(),
                },
                ApiErrorKind::UpstreamLoginFailed,
            ),
            (api(2, "登录已过期"), ApiErrorKind::UpstreamLoginFailed),
            (api(1, "套餐余量不足"), ApiErrorKind::QuotaExhausted),
            (api(1, "超出字数限制，请缩减输入"), ApiErrorKind::PromptTooLong),
            (api(1, "无效参数的对话请求"), ApiErrorKind::UpstreamFailed),
            (api(1, "无可用渠道"), ApiErrorKind::UpstreamFailed),
            (http(429, false, None), ApiErrorKind::RateLimited),
            (http(403, true, None), ApiErrorKind::UpstreamBusy),
            (http(502, false, None), ApiErrorKind::UpstreamFailed),
            (
                UpstreamError::StreamIdle(Duration::from_secs(60)),
                ApiErrorKind::Timeout,
            ),
            (
                UpstreamError::Malformed {
                    detail: "EOF without [DONE]".into(),
                    reached_model: true,
                },
                ApiErrorKind::UpstreamFailed,
            ),
        ];
        for (upstream, kind) in cases {
            assert_eq!(ApiError::from(&upstream).kind(), kind, "{upstream}");
        }
    }

    #[test]
    fn retry_hints_and_messages() {
        let error = ApiError::from(&http(429, false, Some(Duration::from_secs(7))));
        assert_eq!(error.retry_after(), Some(Duration::from_secs(7)));
        assert_eq!(
            ApiError::from(&http(403, true, None)).retry_after(),
            Some(DEFAULT_BLOCKED_RETRY)
        );
        let error = ApiError::from(&api(1, "超出字数限制"));
        assert!(error.message().starts_with("prompt is too long"));
        assert!(error.message().contains("超出字数限制"));
        assert_eq!(error.status(ApiFlavor::Anthropic), StatusCode::BAD_REQUEST);
        let error = ApiError::from(&api(1, "无可用渠道"));
        assert_eq!(error.message(), "Taiji AI failed: 无可用渠道");
    }

    #[test]
    fn dispatch_errors() {
        let error = ApiError::from(&DispatchError::Upstream(api(1, "套餐余量不足")));
        assert_eq!(error.kind(), ApiErrorKind::QuotaExhausted);
        let error = ApiError::from(&DispatchError::Internal("task panicked at secret.rs".into()));
        assert_eq!(error.kind(), ApiErrorKind::Internal);
        assert!(!error.message().contains("secret.rs"));
        let error = ApiError::from(&DispatchError::ShuttingDown);
        assert_eq!(error.status(ApiFlavor::OpenAi), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(error.retry_after(), Some(SHUTDOWN_RETRY));
    }

    #[test]
    fn resolve_and_prompt_errors() {
        let unknown = ResolveError::Unknown {
            requested: "gpt-9".into(),
            suggestions: vec!["gpt-5".into()],
        };
        let error = ApiError::from(&unknown);
        assert_eq!(
            (error.kind(), error.param()),
            (ApiErrorKind::ModelNotFound, Some("model"))
        );
        assert!(error.message().contains("gpt-9"));
        let ambiguous = ResolveError::Ambiguous {
            requested: "x".into(),
            candidates: vec!["a::x".into(), "b::x".into()],
        };
        assert_eq!(ApiError::from(&ambiguous).kind(), ApiErrorKind::InvalidRequest);
        let error = ApiError::from(&PromptError::ImagesNotSupported { model: "m".into() });
        assert_eq!(
            (error.kind(), error.param()),
            (ApiErrorKind::InvalidRequest, Some("model"))
        );
        assert!(error.message().starts_with("Model `m` does not accept images"));
        assert_eq!(
            ApiError::from(&PromptError::NoUserMessage).message(),
            "The conversation has no user message."
        );
    }
}
