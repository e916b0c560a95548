//! The one HTTP error type of the public APIs, [`ApiError`], and its rendering in each API's own
//! format: before the first byte as a real status with a JSON body, after streaming began as the
//! API's in-stream error event.
//!
//! Every failure a route can meet (bad input, our API key, the dispatcher's upstream classes) is
//! first mapped into an [`ApiErrorKind`]; the kind alone decides the status code, the error `type`
//! and `code`, and the retry hints. The table, and why each class gets its status:
//!
//! | kind                  | status (OpenAI / Anthropic) | OpenAI `type` / `code`                     | Anthropic `type`        | hints |
//! |-----------------------|-----------------------------|--------------------------------------------|-------------------------|-------|
//! | `InvalidRequest`      | 400 / 400                   | `invalid_request_error` / –                | `invalid_request_error` | |
//! | `PromptTooLong`       | 400 / 400                   | `invalid_request_error` / `context_length_exceeded` | `invalid_request_error` | |
//! | `RequestTooLarge`     | 413 / 413                   | `invalid_request_error` / `request_too_large` | `request_too_large`  | |
//! | `Unauthenticated`     | 401 / 401                   | `invalid_request_error` / `invalid_api_key` | `authentication_error` | |
//! | `Forbidden`           | 403 / 403                   | `invalid_request_error` / `forbidden`      | `permission_error`      | |
//! | `NotFound`            | 404 / 404                   | `invalid_request_error` / –                | `not_found_error`       | |
//! | `ModelNotFound`       | 404 / 404                   | `invalid_request_error` / `model_not_found` | `not_found_error`      | |
//! | `QuotaExhausted`      | 429 / 402                   | `insufficient_quota` / `insufficient_quota` | `billing_error`        | `x-should-retry: false` |
//! | `RateLimited`         | 429 / 429                   | `requests` / `rate_limit_exceeded`         | `rate_limit_error`      | `Retry-After` |
//! | `UpstreamBusy`        | 503 / 503                   | `server_error` / `overloaded`              | `overloaded_error`      | `Retry-After` |
//! | `UpstreamLoginFailed` | 503 / 503                   | `server_error` / `upstream_login_failed`   | `api_error`             | `x-should-retry: false` |
//! | `NotSignedInYet`      | 503 / 503                   | `server_error` / `upstream_unavailable`    | `api_error`             | `Retry-After` |
//! | `UpstreamFailed`      | 502 / 502                   | `server_error` / `upstream_error`          | `api_error`             | |
//! | `Timeout`             | 504 / 504                   | `server_error` / `timeout`                 | `timeout_error`         | |
//! | `Internal`            | 500 / 500                   | `server_error` / –                         | `api_error`             | |
//! | `RequestTimeout`      | 408 / 408                   | `invalid_request_error` / `request_timeout` | `invalid_request_error` | |
//!
//! Why quota differs per API: both SDKs retry 429 twice, and Claude Code retries 429 with backoff
//! for a long time, but an exhausted points balance never recovers by waiting. OpenAI clients
//! recognise `insufficient_quota` on a 429, and `x-should-retry: false` stops the SDKs' automatic
//! retries; Anthropic's own class for "pay first" is 402 `billing_error`, which no Anthropic client
//! retries. While the gateway is still signing in, or the site is unreachable, requests get a 503
//! with `Retry-After` set to the next sign-in attempt (the SDKs wait that long and retry). An
//! upstream login failure is a 503 (the gateway cannot serve until the user signs in
//! again) with `x-should-retry: false` and a message saying what to do. A prompt that is too long
//! is a 400 with Anthropic's exact phrasing, so Claude Code compacts instead of retrying a 5xx
//! forever. Internal errors never show their details; the route logs them.

use std::time::Duration;

use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http::{HeaderValue, StatusCode, header};
use serde::Serialize;

use crate::api::ApiFlavor;
use crate::api::sse;

/// The class of a failure, as far as an API client needs to know it. The dispatcher's and the
/// upstream client's typed errors are mapped into this by the routes. It is the request log's
/// [`FailureKind`](crate::request_log::FailureKind) (one vocabulary: the log stores the kind of every error the gateway answers,
/// under the name `request_log` gives it); this module adds what each kind means on the wire.
pub use crate::request_log::FailureKind as ApiErrorKind;

impl ApiErrorKind {
    /// The HTTP status for this class in the given API.
    pub fn status(self, flavor: ApiFlavor) -> StatusCode {
        match self {
            Self::InvalidRequest | Self::PromptTooLong => StatusCode::BAD_REQUEST,
            Self::RequestTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Unauthenticated => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound | Self::ModelNotFound => StatusCode::NOT_FOUND,
            Self::QuotaExhausted => match flavor {
                ApiFlavor::OpenAi => StatusCode::TOO_MANY_REQUESTS,
                ApiFlavor::Anthropic => StatusCode::PAYMENT_REQUIRED,
            },
            Self::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            Self::UpstreamBusy | Self::UpstreamLoginFailed | Self::NotSignedInYet => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            Self::UpstreamFailed => StatusCode::BAD_GATEWAY,
            Self::Timeout => StatusCode::GATEWAY_TIMEOUT,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Self::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
        }
    }

    /// OpenAI's `error.type`.
    pub fn openai_type(self) -> &'static str {
        match self {
            Self::InvalidRequest
            | Self::PromptTooLong
            | Self::RequestTooLarge
            | Self::Unauthenticated
            | Self::Forbidden
            | Self::NotFound
            | Self::ModelNotFound
            | Self::RequestTimeout => "invalid_request_error",
            Self::QuotaExhausted => "insufficient_quota",
            Self::RateLimited => "requests",
            Self::UpstreamBusy
            | Self::UpstreamLoginFailed
            | Self::NotSignedInYet
            | Self::UpstreamFailed
            | Self::Timeout
            | Self::Internal => "server_error",
        }
    }

    /// OpenAI's `error.code` (machine-readable; `null` where OpenAI itself sends none).
    pub fn openai_code(self) -> Option<&'static str> {
        match self {
            Self::InvalidRequest | Self::NotFound | Self::Internal => None,
            Self::PromptTooLong => Some("context_length_exceeded"),
            Self::RequestTooLarge => Some("request_too_large"),
            Self::Unauthenticated => Some("invalid_api_key"),
            Self::Forbidden => Some("forbidden"),
            Self::ModelNotFound => Some("model_not_found"),
            Self::QuotaExhausted => Some("insufficient_quota"),
            Self::RateLimited => Some("rate_limit_exceeded"),
            Self::UpstreamBusy => Some("overloaded"),
            Self::UpstreamLoginFailed => Some("upstream_login_failed"),
            Self::NotSignedInYet => Some("upstream_unavailable"),
            Self::UpstreamFailed => Some("upstream_error"),
            Self::Timeout => Some("timeout"),
            Self::RequestTimeout => Some("request_timeout"),
        }
    }

    /// Anthropic's `error.type`.
    pub fn anthropic_type(self) -> &'static str {
        match self {
            Self::InvalidRequest | Self::PromptTooLong | Self::RequestTimeout => "invalid_request_error",
            Self::RequestTooLarge => "request_too_large",
            Self::Unauthenticated => "authentication_error",
            Self::Forbidden => "permission_error",
            Self::NotFound | Self::ModelNotFound => "not_found_error",
            Self::QuotaExhausted => "billing_error",
            Self::RateLimited => "rate_limit_error",
            Self::UpstreamBusy => "overloaded_error",
            Self::UpstreamLoginFailed | Self::NotSignedInYet | Self::UpstreamFailed | Self::Internal => {
                "api_error"
            }
            Self::Timeout => "timeout_error",
        }
    }

    /// Whether SDKs must be told not to retry (`x-should-retry: false`) although the status alone
    /// would make them: waiting does not help with these.
    pub fn forbids_retry(self) -> bool {
        matches!(self, Self::QuotaExhausted | Self::UpstreamLoginFailed)
    }
}

/// One error of the public APIs: a class, a message for the user, optionally the offending request
/// field and a retry hint. Cheap to clone, so a stream can report it after logging it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    kind: ApiErrorKind,
    message: String,
    param: Option<String>,
    retry_after: Option<Duration>,
    request_id: Option<String>,
}

/// The longest error message sent or logged: messages quote client input (roles, part types,
/// model names), and a client must not be able to make the gateway echo megabytes.
pub const MAX_MESSAGE_CHARS: usize = 1024;

/// The message shown for internal errors; their details stay in the gateway's log.
const INTERNAL_MESSAGE: &str = "Taiji Gateway hit an internal error; the details are in its log.";

impl ApiError {
    /// An error of the given class with a message for the user.
    /// Messages longer than [`MAX_MESSAGE_CHARS`] are cut, because many quote client input.
    pub fn new(kind: ApiErrorKind, message: impl Into<String>) -> Self {
        let message = message.into();
        let message = if message.len() > MAX_MESSAGE_CHARS {
            crate::api::bounds::truncate(&message, MAX_MESSAGE_CHARS)
        } else {
            message
        };
        Self {
            kind,
            message,
            param: None,
            retry_after: None,
            request_id: None,
        }
    }

    /// Names the offending request field (OpenAI's `param`; prefixed to Anthropic's message).
    pub fn with_param(mut self, param: impl Into<String>) -> Self {
        self.param = Some(param.into());
        self
    }

    /// Sets the `Retry-After` hint.
    pub fn with_retry_after(mut self, retry_after: Duration) -> Self {
        self.retry_after = Some(retry_after);
        self
    }

    /// Sets the request id echoed in Anthropic bodies and the `request-id` header.
    pub fn with_request_id(mut self, request_id: impl Into<String>) -> Self {
        self.request_id = Some(request_id.into());
        self
    }

    /// A 400 about the request as a whole.
    pub fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(ApiErrorKind::InvalidRequest, message)
    }

    /// A 400 about one field, named in the API's own path style (`messages[1].role` for OpenAI,
    /// `messages.1.role` for Anthropic).
    pub fn invalid_param(param: impl Into<String>, message: impl Into<String>) -> Self {
        Self::invalid_request(message).with_param(param)
    }

    /// A 404 for a model that is not in the catalog; `suggestions` are the closest ids.
    pub fn model_not_found(model: &str, suggestions: &[String]) -> Self {
        let mut message = format!("The model `{model}` does not exist or you do not have access to it.");
        if !suggestions.is_empty() {
            message.push_str(" Did you mean: ");
            message.push_str(&suggestions.join(", "));
            message.push('?');
        }
        Self::new(ApiErrorKind::ModelNotFound, message).with_param("model")
    }

    /// A 400 for a prompt over the limit, phrased exactly like Anthropic's
    /// (`prompt is too long: N tokens > M maximum`), which Claude Code recognises and compacts on.
    pub fn prompt_too_long(tokens: u64, max_tokens: u64) -> Self {
        Self::new(
            ApiErrorKind::PromptTooLong,
            format!("prompt is too long: {tokens} tokens > {max_tokens} maximum"),
        )
        .with_param("messages")
    }

    /// A 413 for an HTTP body over the gateway's size limit.
    pub fn request_too_large(message: impl Into<String>) -> Self {
        Self::new(ApiErrorKind::RequestTooLarge, message)
    }

    /// A 401 for a missing or wrong API key. The key itself is never echoed.
    pub fn unauthenticated() -> Self {
        Self::new(
            ApiErrorKind::Unauthenticated,
            "Missing or invalid API key. Send one of the keys configured in Taiji Gateway as \
             `Authorization: Bearer <key>` or `x-api-key: <key>`.",
        )
    }

    /// A 403.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ApiErrorKind::Forbidden, message)
    }

    /// A 404 for an unknown route or resource.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ApiErrorKind::NotFound, message)
    }

    /// Quota exhausted; `upstream_message` is the site's own wording, if any.
    pub fn quota_exhausted(upstream_message: Option<&str>) -> Self {
        let mut message = String::from(
            "Your Taiji AI points balance cannot pay for this request. Top up or check in on the \
             Taiji AI website, or pick a cheaper model.",
        );
        if let Some(upstream) = upstream_message.filter(|text| !text.is_empty()) {
            message.push_str(&format!(" (Taiji AI said: {upstream})"));
        }
        Self::new(ApiErrorKind::QuotaExhausted, message)
    }

    /// Rate limited; retry after the given delay.
    pub fn rate_limited(retry_after: Duration) -> Self {
        Self::new(
            ApiErrorKind::RateLimited,
            "Too many requests to Taiji AI right now; retry after the delay in the Retry-After header.",
        )
        .with_retry_after(retry_after)
    }

    /// The upstream refuses traffic for now (WAF page, overload); retry after the given delay.
    pub fn upstream_busy(retry_after: Duration) -> Self {
        Self::new(
            ApiErrorKind::UpstreamBusy,
            "Taiji AI is refusing requests for the moment (overloaded or blocked by its firewall); \
             retry after the delay in the Retry-After header.",
        )
        .with_retry_after(retry_after)
    }

    /// The gateway cannot sign in to the upstream; `detail` says why (never a secret).
    pub fn upstream_login_failed(detail: &str) -> Self {
        Self::new(
            ApiErrorKind::UpstreamLoginFailed,
            format!(
                "Taiji Gateway is not signed in to Taiji AI ({detail}). Sign in again in Taiji \
                 Gateway (the tray menu or `taiji-gateway login`), then retry."
            ),
        )
    }

    /// The gateway is not signed in yet (signing in, or the site is unreachable); `detail` says
    /// which, and `retry_after` when the next attempt is due.
    pub fn not_signed_in_yet(detail: &str, retry_after: Duration) -> Self {
        Self::new(
            ApiErrorKind::NotSignedInYet,
            format!("Taiji Gateway is not signed in to Taiji AI yet: {detail}. Retry in a moment."),
        )
        .with_retry_after(retry_after)
    }

    /// No account is configured: the user has to sign in first.
    pub fn sign_in_first() -> Self {
        Self::new(
            ApiErrorKind::UpstreamLoginFailed,
            "Sign in first: Taiji Gateway has no Taiji AI account yet. Run `taiji-gateway login` \
             (or sign in in the Taiji Gateway app); the running gateway picks the account up \
             without a restart.",
        )
    }

    /// The upstream failed; `detail` is safe to show (an upstream message or a short cause).
    pub fn upstream_failed(detail: &str) -> Self {
        Self::new(ApiErrorKind::UpstreamFailed, format!("Taiji AI failed: {detail}"))
    }

    /// The upstream did not answer in time.
    pub fn timeout() -> Self {
        Self::new(ApiErrorKind::Timeout, "Taiji AI did not answer in time.")
    }

    /// An internal error; the caller logs the details, the client sees a fixed message.
    pub fn internal() -> Self {
        Self::new(ApiErrorKind::Internal, INTERNAL_MESSAGE)
    }

    /// The class.
    pub fn kind(&self) -> ApiErrorKind {
        self.kind
    }

    /// The user-facing message (without the Anthropic param prefix).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The offending field, if any.
    pub fn param(&self) -> Option<&str> {
        self.param.as_deref()
    }

    /// The retry hint, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// The HTTP status in the given API.
    pub fn status(&self, flavor: ApiFlavor) -> StatusCode {
        self.kind.status(flavor)
    }

    /// The OpenAI body: `{"error":{"message","type","param","code"}}`.
    pub fn openai_body(&self) -> OpenAiErrorBody {
        OpenAiErrorBody {
            error: OpenAiErrorDetail {
                message: self.message.clone(),
                kind: self.kind.openai_type(),
                param: self.param.clone(),
                code: self.kind.openai_code(),
            },
        }
    }

    /// The Anthropic body: `{"type":"error","error":{"type","message"},"request_id"?}`. Anthropic
    /// has no `param`, so the field is prefixed to the message as Anthropic itself does.
    pub fn anthropic_body(&self) -> AnthropicErrorBody {
        let message = match &self.param {
            Some(param) => format!("{param}: {}", self.message),
            None => self.message.clone(),
        };
        AnthropicErrorBody {
            kind: "error",
            error: AnthropicErrorDetail {
                kind: self.kind.anthropic_type(),
                message,
            },
            request_id: self.request_id.clone(),
        }
    }

    /// The in-stream form for OpenAI streams: `data: {"error":{...}}`; the stream closes after it
    /// (no `[DONE]`), which the openai SDK turns into an `APIError`.
    pub fn openai_stream_frame(&self) -> Bytes {
        sse::data_frame(&self.openai_body())
    }

    /// The in-stream form for Anthropic streams: `event: error` + data; the stream closes after
    /// it (no `message_stop`).
    pub fn anthropic_stream_frame(&self) -> Bytes {
        let mut body = self.anthropic_body();
        // Anthropic's in-stream error event carries no request id.
        body.request_id = None;
        sse::event_frame("error", &body)
    }

    /// The complete HTTP response in the given API's format: status, JSON body, and the
    /// `Retry-After`, `x-should-retry` and `request-id` headers where they apply.
    pub fn into_response(self, flavor: ApiFlavor) -> Response {
        let status = self.status(flavor);
        let mut response = match flavor {
            ApiFlavor::OpenAi => (status, axum::Json(self.openai_body())).into_response(),
            ApiFlavor::Anthropic => (status, axum::Json(self.anthropic_body())).into_response(),
        };
        let headers = response.headers_mut();
        if let Some(retry_after) = self.retry_after {
            // Whole seconds, rounded up, so a client never retries too early.
            let seconds = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
        }
        if self.kind.forbids_retry() {
            headers.insert("x-should-retry", HeaderValue::from_static("false"));
        }
        if let Some(request_id) = self.request_id.as_deref()
            && let Ok(value) = HeaderValue::from_str(request_id)
        {
            headers.insert("request-id", value);
        }
        response
    }
}

/// OpenAI's error body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpenAiErrorBody {
    /// The error object.
    pub error: OpenAiErrorDetail,
}

/// OpenAI's `error` object; `param` and `code` are always present (possibly `null`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpenAiErrorDetail {
    /// What went wrong, for a human.
    pub message: String,
    /// The error type.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The offending request field.
    pub param: Option<String>,
    /// A machine-readable code.
    pub code: Option<&'static str>,
}

/// Anthropic's error body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnthropicErrorBody {
    /// Always `"error"`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The error object.
    pub error: AnthropicErrorDetail,
    /// The request id, when the route assigned one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// Anthropic's `error` object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnthropicErrorDetail {
    /// The error type.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// What went wrong, for a human.
    pub message: String,
}

/// An [`ApiError`] rendered in OpenAI's format; what OpenAI handlers return as their error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenAiError(pub ApiError);

/// An [`ApiError`] rendered in Anthropic's format; what Anthropic handlers return as their error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnthropicError(pub ApiError);

impl From<ApiError> for OpenAiError {
    fn from(error: ApiError) -> Self {
        Self(error)
    }
}

impl From<ApiError> for AnthropicError {
    fn from(error: ApiError) -> Self {
        Self(error)
    }
}

impl IntoResponse for OpenAiError {
    fn into_response(self) -> Response {
        self.0.into_response(ApiFlavor::OpenAi)
    }
}

impl IntoResponse for AnthropicError {
    fn into_response(self) -> Response {
        self.0.into_response(ApiFlavor::Anthropic)
    }
}
