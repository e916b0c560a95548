//! Turns a finished HTTP response (status, content type, body) into the envelope's `data` or a
//! classified [`UpstreamError`] (taiji-protocol.md §2.1, §4.5, §6). Pure, so the rules are tested
//! without a server.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderMap, LOCATION, RETRY_AFTER};
use serde::Deserialize;
use serde_json::Value;

use super::error::UpstreamError;
use super::frames::snippet;

/// The parts of a response the decoder looks at.
#[derive(Debug, Clone)]
pub(crate) struct ResponseMeta {
    pub(crate) status: StatusCode,
    pub(crate) content_type: String,
    pub(crate) retry_after: Option<Duration>,
    pub(crate) location: Option<String>,
}

impl ResponseMeta {
    pub(crate) fn new(status: StatusCode, headers: &HeaderMap) -> Self {
        let text = |name| {
            headers
                .get(name)
                .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
        };
        Self {
            status,
            content_type: text(CONTENT_TYPE).unwrap_or_default().to_ascii_lowercase(),
            retry_after: text(RETRY_AFTER)
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs),
            location: text(LOCATION).map(str::to_owned),
        }
    }

    pub(crate) fn is_event_stream(&self) -> bool {
        self.content_type.starts_with("text/event-stream")
    }
}

/// How a successful answer that is not the JSON envelope is described (a parked domain, a portal page):
/// [`UpstreamError::means_site_moved`] recognises it by this prefix.
pub(crate) const NOT_AN_ENVELOPE: &str = "expected a JSON envelope";

#[derive(Deserialize)]
struct Envelope {
    code: Value,
    #[serde(default)]
    data: Value,
    #[serde(default)]
    msg: Option<String>,
    #[serde(default)]
    err: Option<String>,
}

/// Decodes a complete body. `Ok` carries the envelope's `data` of a `code == 0` answer.
pub(crate) fn decode_body(meta: &ResponseMeta, body: &[u8]) -> Result<Value, UpstreamError> {
    let status = meta.status.as_u16();
    if meta.status.is_redirection() {
        let target = meta.location.as_deref().unwrap_or("an unknown location");
        return Err(UpstreamError::Http {
            status,
            detail: format!(
                "redirected to {target}; the site may have moved, so check the upstream base URL"
            ),
            html: false,
            retry_after: None,
            reached_model: false,
        });
    }
    let text = String::from_utf8_lossy(body);
    if let Ok(envelope) = serde_json::from_str::<Envelope>(text.trim()) {
        let code = match &envelope.code {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        };
        if let Some(code) = code {
            if code != 0 {
                let msg = [envelope.msg, envelope.err]
                    .into_iter()
                    .flatten()
                    .find(|m| !m.trim().is_empty())
                    .or_else(|| envelope.data.as_str().map(str::to_owned))
                    .unwrap_or_default();
                return Err(UpstreamError::Api {
                    code,
                    msg,
                    http_status: status,
                    reached_model: false,
                });
            }
            if meta.status.is_success() {
                return Ok(envelope.data);
            }
        }
    }
    let html = meta.content_type.contains("html") || text.trim_start().starts_with('<');
    if !meta.status.is_success() {
        let detail = if html {
            match html_title(&text) {
                Some(title) => format!("an HTML page titled {title:?} (a WAF or proxy answered)"),
                None => "an HTML page (a WAF or proxy answered)".to_owned(),
            }
        } else {
            snippet(text.trim())
        };
        return Err(UpstreamError::Http {
            status,
            detail,
            html,
            retry_after: meta.retry_after,
            reached_model: false,
        });
    }
    let kind = if meta.content_type.is_empty() {
        "no content type"
    } else {
        meta.content_type.as_str()
    };
    Err(UpstreamError::malformed(format!(
        "{NOT_AN_ENVELOPE}, got {kind}: {}",
        snippet(text.trim())
    )))
}

/// Decodes the body of a completions call that did not answer with an event stream, and decides
/// whether the request could have reached the model. An envelope is a rejection before generation;
/// so are an expired login, a rate limit and a WAF page. Anything else is treated as possibly
/// billed, because we cannot tell.
pub(crate) fn decode_completions_rejection(meta: &ResponseMeta, body: &[u8]) -> UpstreamError {
    let error = match decode_body(meta, body) {
        Ok(_) => UpstreamError::malformed("expected an event stream, got a JSON success envelope"),
        Err(error) => error,
    };
    let pre_generation = match &error {
        UpstreamError::Api { .. } => true,
        UpstreamError::Http { status, html, .. } => {
            matches!(status, 401 | 429) || (*status == 403 && *html) || (300..400).contains(status)
        }
        _ => false,
    };
    if pre_generation { error } else { error.after_send() }
}

fn html_title(page: &str) -> Option<String> {
    let lower = page.to_ascii_lowercase();
    let start = lower.find("<title>")? + "<title>".len();
    let end = start + lower[start..].find("</title>")?;
    let title = page.get(start..end)?.trim();
    (!title.is_empty()).then(|| snippet(title))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::upstream::ErrorClass;

    fn meta(status: u16, content_type: &str) -> ResponseMeta {
        ResponseMeta {
            status: StatusCode::from_u16(status).expect("valid status"),
            content_type: content_type.into(),
            retry_after: Some(Duration::from_secs(1)),
            location: None,
        }
    }

    #[test]
    fn success_envelope_yields_data() {
        let data = decode_body(
            &meta(200, "application/json"),
            br#"{"code":0,"data":{"a":1},"msg":""}"#,
        );
        assert_eq!(data.expect("ok")["a"], 1);
    }

    #[test]
    fn business_error_keeps_code_and_message() {
        let error = decode_body(
            &meta(200, "application/json"),
            r#"{"code":1,"msg":"","err":"无可用渠道"}"#.as_bytes(),
        )
        .expect_err("error");
        assert_eq!(error.code(), Some(1));
        assert_eq!(error.upstream_message(), Some("无可用渠道"));
        assert_eq!(error.class(), ErrorClass::Upstream);
        let error = decode_body(
            &meta(200, "application/json"),
            r#"{"code":2,"msg":"登录已过期"}"#.as_bytes(),
        )
        .expect_err("error");
        assert_eq!(error.class(), ErrorClass::LoginExpired);
    }

    #[test]
    fn http_errors() {
        let waf = decode_body(
            &meta(403, "text/html"),
            b"<html><title>403 Forbidden</title></html>",
        )
        .expect_err("error");
        assert_eq!(waf.class(), ErrorClass::RateLimited);
        assert!(waf.to_string().contains("403 Forbidden"));
        let limited = decode_body(&meta(429, "text/plain"), b"slow down").expect_err("error");
        assert_eq!(limited.class(), ErrorClass::RateLimited);
        assert_eq!(limited.retry_after(), Some(Duration::from_secs(1)));
        let unauthorized = decode_body(&meta(401, ""), b"").expect_err("error");
        assert_eq!(unauthorized.class(), ErrorClass::LoginExpired);
        let server = decode_body(&meta(500, "text/plain"), b"boom").expect_err("error");
        assert_eq!(server.class(), ErrorClass::Upstream);
        assert_eq!(server.http_status(), Some(500));
        let garbage = decode_body(&meta(200, "text/html"), b"<html>hi</html>").expect_err("error");
        assert_eq!(garbage.class(), ErrorClass::Malformed);
    }

    #[test]
    fn completions_rejections_know_whether_the_model_was_reached() {
        let json = decode_completions_rejection(
            &meta(200, "application/json"),
            r#"{"code":2,"msg":"登录已过期"}"#.as_bytes(),
        );
        assert!(!json.may_have_reached_model());
        let waf = decode_completions_rejection(&meta(403, "text/html"), b"<html></html>");
        assert!(!waf.may_have_reached_model());
        let server = decode_completions_rejection(&meta(500, "text/plain"), b"boom");
        assert!(server.may_have_reached_model());
        let odd = decode_completions_rejection(&meta(200, "application/json"), br#"{"code":0,"data":null}"#);
        assert!(odd.may_have_reached_model());
    }
}
