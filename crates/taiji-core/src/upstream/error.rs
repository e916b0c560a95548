//! The one error type of the upstream client, [`UpstreamError`], and its classification
//! [`ErrorClass`]. Every layer above (account, dispatcher, API status mapping, request log) decides
//! what to do from `class()`, `may_have_reached_model()` and `retry_after()` alone, so the rules of
//! taiji-protocol.md §5–§6 live here and nowhere else.
//!
//! Messages never contain a token or a password: they are built from the upstream's own `msg`,
//! HTTP statuses and transport errors, none of which carry our credentials (the token travels in a
//! header and the password in a request body, never in a URL).

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

/// What kind of failure an [`UpstreamError`] is. This is what callers branch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ErrorClass {
    /// The login was rejected (wrong account or password). Retrying cannot help.
    InvalidCredentials,
    /// The token expired or was refused (HTTP 401, code 2 or 1001, or the expiry wording).
    LoginExpired,
    /// Not enough points or plan balance left.
    QuotaExhausted,
    /// The message text is longer than the upstream accepts.
    InputTooLong,
    /// The upstream does not know the chat session (`无效参数的对话请求`).
    UnknownSession,
    /// Too many requests (HTTP 429) or a WAF page (HTTP 403 with HTML). See `retry_after()`.
    RateLimited,
    /// Any other upstream failure: an envelope with `code != 0`, an in-stream error frame, an HTTP
    /// error status. See `code()` and `upstream_message()`.
    Upstream,
    /// Connecting, sending or receiving failed (refused, reset, timed out).
    Transport,
    /// The upstream answered something we cannot understand.
    Malformed,
}

impl ErrorClass {
    /// A stable snake_case name, for logs and the request log.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidCredentials => "invalid_credentials",
            Self::LoginExpired => "login_expired",
            Self::QuotaExhausted => "quota_exhausted",
            Self::InputTooLong => "input_too_long",
            Self::UnknownSession => "unknown_session",
            Self::RateLimited => "rate_limited",
            Self::Upstream => "upstream",
            Self::Transport => "transport",
            Self::Malformed => "malformed",
        }
    }
}

impl std::fmt::Display for ErrorClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A failed upstream call. Cheap to clone, so a single-flight login can hand one failure to every
/// waiter.
#[derive(Debug, Clone, thiserror::Error)]
pub enum UpstreamError {
    /// The login endpoint refused the credentials.
    #[error("the upstream rejected the login: {msg}")]
    InvalidCredentials {
        /// The upstream's message, e.g. "账号或密码错误".
        msg: String,
    },
    /// A JSON envelope or an in-stream frame with `code != 0`.
    #[error("upstream error (code {code}): {msg}")]
    Api {
        /// The envelope `code`.
        code: i64,
        /// `msg`, else `err`, else `data` of the envelope or frame.
        msg: String,
        /// The HTTP status the envelope came with (usually 200).
        http_status: u16,
        /// Whether this happened once the completions request may have reached the model.
        reached_model: bool,
    },
    /// An HTTP error status without a usable envelope (401, 403 WAF page, 429, 5xx, redirects).
    #[error("upstream answered HTTP {status}: {detail}")]
    Http {
        /// The HTTP status.
        status: u16,
        /// A short description of the body (never the full page).
        detail: String,
        /// Whether the body was an HTML page (a WAF or proxy error page).
        html: bool,
        /// `Retry-After`, when the upstream sent one in seconds.
        retry_after: Option<Duration>,
        /// Whether this happened once the completions request may have reached the model.
        reached_model: bool,
    },
    /// Connecting, sending, or reading failed.
    #[error("connection to the upstream failed while {during}: {source}")]
    Transport {
        /// What we were doing, e.g. "sending the request".
        during: &'static str,
        /// The underlying error (its message names the URL, which carries no secret).
        #[source]
        source: Arc<reqwest::Error>,
        /// Whether this happened once the completions request may have reached the model.
        reached_model: bool,
    },
    /// A completions stream stayed silent for longer than the configured idle timeout.
    #[error("the upstream stream was silent for {0:?}")]
    StreamIdle(Duration),
    /// A body we cannot understand (bad JSON, unexpected content type, EOF without `[DONE]`).
    #[error("malformed upstream response: {detail}")]
    Malformed {
        /// What was wrong.
        detail: String,
        /// Whether this happened once the completions request may have reached the model.
        reached_model: bool,
    },
}

impl UpstreamError {
    /// The classification every caller branches on.
    pub fn class(&self) -> ErrorClass {
        match self {
            Self::InvalidCredentials { .. } => ErrorClass::InvalidCredentials,
            Self::Api {
                code,
                msg,
                http_status,
                ..
            } => classify_api(*http_status, *code, msg),
            Self::Http { status, html, .. } => classify_http(*status, *html),
            Self::Transport { .. } | Self::StreamIdle(_) => ErrorClass::Transport,
            Self::Malformed { .. } => ErrorClass::Malformed,
        }
    }

    /// Whether the completions request may already have reached the model (and may be billed).
    /// A request for which this is `true` must never be sent again. Always `false` for calls
    /// other than completions.
    pub fn may_have_reached_model(&self) -> bool {
        match self {
            Self::InvalidCredentials { .. } => false,
            Self::Api { reached_model, .. }
            | Self::Http { reached_model, .. }
            | Self::Transport { reached_model, .. }
            | Self::Malformed { reached_model, .. } => *reached_model,
            // Only a completions stream has an idle timeout, and it is already generating.
            Self::StreamIdle(_) => true,
        }
    }

    /// How long the upstream asked us to wait (`Retry-After`), if it said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Http { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// The envelope `code` of an upstream business error.
    pub fn code(&self) -> Option<i64> {
        match self {
            Self::Api { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// The HTTP status the error came with, if a response was received.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            Self::Api { http_status, .. } => Some(*http_status),
            Self::Http { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The upstream's own message (`msg`), for surfacing to users as is.
    pub fn upstream_message(&self) -> Option<&str> {
        match self {
            Self::InvalidCredentials { msg } | Self::Api { msg, .. } => Some(msg),
            _ => None,
        }
    }

    /// Marks the error as having happened after the completions request may have reached the model.
    pub(crate) fn after_send(mut self) -> Self {
        match &mut self {
            Self::Api { reached_model, .. }
            | Self::Http { reached_model, .. }
            | Self::Transport { reached_model, .. }
            | Self::Malformed { reached_model, .. } => *reached_model = true,
            Self::InvalidCredentials { .. } | Self::StreamIdle(_) => {}
        }
        self
    }

    /// Whether this failure means the configured origin is no longer the Taiji API, so the site may
    /// have moved: the host cannot be reached at all (DNS, refused connection, TLS failure), it
    /// redirects elsewhere, or it answers pages instead of the JSON envelope. Rate limits, WAF pages
    /// (403) and server errors are the site itself having trouble, not a move.
    pub fn means_site_moved(&self) -> bool {
        match self {
            Self::Transport { source, .. } => source.is_connect(),
            Self::Http { status, html, .. } => {
                (300..400).contains(status) || (matches!(status, 404 | 410) && *html)
            }
            Self::Malformed { detail, .. } => detail.starts_with(super::response::NOT_AN_ENVELOPE),
            _ => false,
        }
    }

    /// Whether the site refused the request because our `x-app-version` is outdated. The wording is
    /// matched (no code is documented): "版本" with 过低/更新/升级/刷新/旧, or "version" with
    /// old/outdated/update/upgrade.
    pub fn is_old_version_refusal(&self) -> bool {
        let Self::Api { msg, .. } = self else {
            return false;
        };
        let lower = msg.to_lowercase();
        let has = |needles: &[&str]| needles.iter().any(|n| lower.contains(n));
        (lower.contains("版本") && has(&["过低", "更新", "升级", "刷新", "旧"]))
            || (lower.contains("version") && has(&["old", "outdated", "update", "upgrade"]))
    }

    pub(crate) fn transport(during: &'static str, source: reqwest::Error) -> Self {
        Self::Transport {
            during,
            source: Arc::new(source),
            reached_model: false,
        }
    }

    pub(crate) fn malformed(detail: impl Into<String>) -> Self {
        Self::Malformed {
            detail: detail.into(),
            reached_model: false,
        }
    }
}

/// Classifies a business error (`code != 0`) by its code and wording (taiji-protocol.md §5, §6).
/// The wording is matched because the codes other than 2/1001 are not documented anywhere.
pub fn classify_api(http_status: u16, code: i64, msg: &str) -> ErrorClass {
    let lower = msg.to_lowercase();
    let has = |needles: &[&str]| needles.iter().any(|n| lower.contains(n));
    if http_status == 401
        || code == 2
        || code == 1001
        || has(&["过期", "重新登录", "重新登陆", "unauthori", "未登录", "请先登录"])
    {
        ErrorClass::LoginExpired
    } else if http_status == 429 {
        ErrorClass::RateLimited
    } else if has(&[
        "套餐余量不足",
        "余量不足",
        "余额",
        "积分不足",
        "点数不足",
        "quota",
        "insufficient",
    ]) {
        ErrorClass::QuotaExhausted
    } else if has(&[
        "字数限制",
        "缩减输入",
        "message-length",
        "too long",
        "长度超",
        "超出长度",
        "超过长度",
    ]) {
        ErrorClass::InputTooLong
    } else if has(&["无效参数的对话请求"]) {
        ErrorClass::UnknownSession
    } else {
        ErrorClass::Upstream
    }
}

/// Classifies an HTTP error status that came without a business envelope.
pub fn classify_http(status: u16, html: bool) -> ErrorClass {
    match status {
        401 => ErrorClass::LoginExpired,
        429 => ErrorClass::RateLimited,
        // A WAF in front of the site answers bursts with an HTML 403 page (taiji-protocol.md §6).
        403 if html => ErrorClass::RateLimited,
        _ => ErrorClass::Upstream,
    }
}

/// Whether a rejected login means the credentials are wrong (rather than the site being unwell).
/// The real wording was never captured, so this looks for any mention of the account or the
/// password; a message that names neither is treated as a transient upstream error instead, so
/// that a passing outage does not lock the account out until the user re-enters the password.
pub(crate) fn is_credential_rejection(msg: &str) -> bool {
    let lower = msg.to_lowercase();
    [
        "密码",
        "账号",
        "帐号",
        "账户",
        "用户不存在",
        "用户名",
        "登录失败",
        "password",
        "account",
        "credential",
    ]
    .iter()
    .any(|n| lower.contains(n))
}

/// A business error in a 200 reply that never reached the model, for the tests that classify and
/// map upstream failures.
#[cfg(test)]
pub(crate) fn api(code: i64, msg: &str) -> UpstreamError {
    UpstreamError::Api {
        code,
        msg: msg.into(),
        http_status: 200,
        reached_model: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification_table() {
        let cases: &[(i64, &str, ErrorClass)] = &[
            (2, "登录已过期", ErrorClass::LoginExpired),
            (1001, "授权登陆已过期，请重新登陆", ErrorClass::LoginExpired),
            (7, "token expired, please 重新登录", ErrorClass::LoginExpired),
            (1, "Unauthorized", ErrorClass::LoginExpired),
            (1, "套餐余量不足", ErrorClass::QuotaExhausted),
            (1, "账户余额不足", ErrorClass::QuotaExhausted),
            (1, "积分不足，请充值", ErrorClass::QuotaExhausted),
            (1, "超出字数限制，请缩减输入", ErrorClass::InputTooLong),
            (1, "message-length error", ErrorClass::InputTooLong),
            (1, "Input too long", ErrorClass::InputTooLong),
            (1, "无效参数的对话请求", ErrorClass::UnknownSession),
            (1, "无可用渠道", ErrorClass::Upstream),
            (500, "当前模型不支持推理等级配置", ErrorClass::Upstream),
        ];
        for (code, msg, class) in cases {
            assert_eq!(api(*code, msg).class(), *class, "code {code} msg {msg}");
        }
    }

    #[test]
    fn http_statuses() {
        let http = |status, html| UpstreamError::Http {
            status,
            detail: String::new(),
            html,
            retry_after: Some(Duration::from_secs(3)),
            reached_model: false,
        };
        assert_eq!(http(401, false).class(), ErrorClass::LoginExpired);
        assert_eq!(http(429, false).class(), ErrorClass::RateLimited);
        assert_eq!(http(403, true).class(), ErrorClass::RateLimited);
        assert_eq!(http(403, false).class(), ErrorClass::Upstream);
        assert_eq!(http(500, false).class(), ErrorClass::Upstream);
        assert_eq!(http(429, false).retry_after(), Some(Duration::from_secs(3)));
        // An envelope that arrives with HTTP 401 is an expired login whatever its code says.
        let enveloped = UpstreamError::Api {
            code: 5,
            msg: "x".into(),
            http_status: 401,
            reached_model: false,
        };
        assert_eq!(enveloped.class(), ErrorClass::LoginExpired);
    }

    #[test]
    fn reached_model_is_tracked() {
        assert!(!api(2, "登录已过期").may_have_reached_model());
        assert!(api(2, "登录已过期").after_send().may_have_reached_model());
        assert!(UpstreamError::StreamIdle(Duration::from_secs(1)).may_have_reached_model());
        assert!(!UpstreamError::malformed("x").may_have_reached_model());
    }

    #[test]
    fn credential_rejection_wording() {
        assert!(is_credential_rejection("账号或密码错误"));
        assert!(is_credential_rejection("Wrong password"));
        assert!(!is_credential_rejection("系统繁忙，请稍后再试"));
    }
}
