//! Injected faults: their types (also the JSON of `POST /__sim/faults`), the queue, and the canned
//! responses for faults that replace a whole answer (error envelope, HTTP 500, WAF 403, 429).

use std::sync::Mutex;
use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::envelope;
use crate::serde_ms;

/// One fault: applies to the next `count` calls of `target`.
/// JSON: `{"target":"completions","kind":"eof_without_done","count":1}`,
/// `{"target":"login","kind":{"json_error":{"code":5,"msg":"x"}}}`, `{"kind":{"slow_frames":500},…}` (ms).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fault {
    pub target: FaultTarget,
    pub kind: FaultKind,
    #[serde(default = "one")]
    pub count: u32,
}

fn one() -> u32 {
    1
}

impl Fault {
    /// `kind` on the next `count` requests to `target`.
    pub fn new(target: FaultTarget, kind: FaultKind, count: u32) -> Self {
        Self { target, kind, count }
    }
}

/// Which endpoint a fault hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultTarget {
    /// `POST /api/chat/completions`
    Completions,
    /// `POST /api/chat/session`
    SessionCreate,
    /// `DELETE /api/chat/session/{id}`
    SessionDelete,
    /// `POST /api/user/login`
    Login,
    /// `GET /api/chat/tmpl`
    Tmpl,
}

/// What goes wrong. Stream kinds (`StreamErrorFrame`, `EofWithoutDone`, `SlowFrames`) only make sense for
/// completions; queued for another target they are used up without effect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// A few `string` frames, then a frame with `code != 0` and a `msg`, then the stream closes.
    StreamErrorFrame,
    /// A few `string` frames, then EOF: no `object` frame, no `[DONE]`.
    EofWithoutDone,
    /// HTTP 200 JSON envelope with `code != 0` (for completions: instead of SSE).
    JsonError { code: i64, msg: String },
    /// HTTP 500 with an HTML body.
    #[serde(rename = "http500")]
    Http500,
    /// HTTP 403 with an Azure Application Gateway style HTML page.
    #[serde(rename = "waf403")]
    Waf403,
    /// HTTP 429 with `Retry-After: 1`.
    #[serde(rename = "rate_limited429")]
    RateLimited429,
    /// Completions: this per-frame delay for the affected calls.
    SlowFrames(#[serde(with = "serde_ms")] Duration),
}

impl FaultKind {
    /// The response that replaces the whole answer, for the kinds that do that.
    pub fn replacement_response(&self) -> Option<Response> {
        match self {
            Self::JsonError { code, msg } => Some(envelope::error(*code, msg.clone())),
            Self::Http500 => Some(html(StatusCode::INTERNAL_SERVER_ERROR, HTTP_500_PAGE)),
            Self::Waf403 => Some(html(StatusCode::FORBIDDEN, WAF_403_PAGE)),
            Self::RateLimited429 => {
                let mut response = html(StatusCode::TOO_MANY_REQUESTS, HTTP_429_PAGE);
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
                Some(response)
            }
            Self::StreamErrorFrame | Self::EofWithoutDone | Self::SlowFrames(_) => None,
        }
    }
}

fn html(status: StatusCode, body: &'static str) -> Response {
    (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
}

const WAF_403_PAGE: &str = "<html>\r\n<head><title>403 Forbidden</title></head>\r\n<body>\r\n\
<center><h1>403 Forbidden</h1></center>\r\n<hr><center>Microsoft-Azure-Application-Gateway/v2</center>\r\n\
</body>\r\n</html>\r\n";
const HTTP_500_PAGE: &str = "<html>\r\n<head><title>500 Internal Server Error</title></head>\r\n<body>\r\n\
<center><h1>500 Internal Server Error</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
const HTTP_429_PAGE: &str = "<html>\r\n<head><title>429 Too Many Requests</title></head>\r\n<body>\r\n\
<center><h1>429 Too Many Requests</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

/// Faults waiting to fire, oldest first.
#[derive(Default)]
pub struct FaultQueue {
    queued: Mutex<Vec<Fault>>,
}

impl FaultQueue {
    pub fn push(&self, fault: Fault) {
        if fault.count > 0 {
            self.lock().push(fault);
        }
    }

    pub fn clear(&self) {
        self.lock().clear();
    }

    /// Uses up one call of the oldest fault queued for `target`.
    pub fn take(&self, target: FaultTarget) -> Option<FaultKind> {
        let mut queued = self.lock();
        let index = queued.iter().position(|f| f.target == target)?;
        let fault = &mut queued[index];
        let kind = fault.kind.clone();
        fault.count -= 1;
        if fault.count == 0 {
            queued.remove(index);
        }
        Some(kind)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Fault>> {
        self.queued.lock().expect("fault queue lock poisoned")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_shape_and_counting() {
        let fault: Fault = serde_json::from_str(
            r#"{"target":"completions","kind":{"json_error":{"code":5,"msg":"x"}},"count":2}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(fault.count, 2);
        let slow: Fault =
            serde_json::from_str(r#"{"target":"completions","kind":{"slow_frames":40}}"#).unwrap();
        assert_eq!(slow.kind, FaultKind::SlowFrames(Duration::from_millis(40)));
        assert_eq!(serde_json::to_string(&FaultKind::Waf403).unwrap(), r#""waf403""#);
        let queue = FaultQueue::default();
        queue.push(fault);
        queue.push(Fault {
            target: FaultTarget::Login,
            kind: FaultKind::Http500,
            count: 1,
        });
        assert_eq!(queue.take(FaultTarget::Tmpl), None);
        assert!(matches!(
            queue.take(FaultTarget::Completions),
            Some(FaultKind::JsonError { .. })
        ));
        assert!(queue.take(FaultTarget::Completions).is_some());
        assert_eq!(queue.take(FaultTarget::Completions), None);
        assert_eq!(queue.take(FaultTarget::Login), Some(FaultKind::Http500));
    }
}
