//! Server-sent-event framing shared by both APIs: exact bytes for `data:` events, named events,
//! `[DONE]`, keep-alive comments, and the response headers an unbuffered SSE body needs.
//!
//! The encoders build their frames here rather than with axum's `Sse` type so the bytes on the
//! wire are exactly the documented ones (one `data:` line per event, `event:` before `data:` for
//! Anthropic, comments for keep-alives) and can be compared byte for byte in tests.

use bytes::Bytes;
use http::{HeaderName, HeaderValue, header};
use serde::Serialize;

/// `data: <json>\n\n`.
pub fn data_frame(payload: &impl Serialize) -> Bytes {
    framed(b"data: ", payload)
}

/// `event: <name>\ndata: <json>\n\n`.
pub fn event_frame(name: &str, payload: &impl Serialize) -> Bytes {
    let mut head = Vec::with_capacity(name.len() + 14);
    head.extend_from_slice(b"event: ");
    head.extend_from_slice(name.as_bytes());
    head.extend_from_slice(b"\ndata: ");
    framed(&head, payload)
}

/// `<head><json>\n\n`, serialised straight into the frame's buffer: one allocation per frame on
/// the streaming hot path instead of a JSON string and a formatted copy of it. The payloads are
/// plain strings, numbers and options and cannot fail to serialise; should one ever fail, an empty
/// object is sent (and logged) rather than a panic.
fn framed(head: &[u8], payload: &impl Serialize) -> Bytes {
    let mut frame = Vec::with_capacity(head.len() + 192);
    frame.extend_from_slice(head);
    if let Err(error) = serde_json::to_writer(&mut frame, payload) {
        tracing::error!(%error, "failed to serialise an SSE payload");
        frame.truncate(head.len());
        frame.extend_from_slice(b"{}");
    }
    frame.extend_from_slice(b"\n\n");
    Bytes::from(frame)
}

/// `data: [DONE]\n\n`, the end of every OpenAI stream.
pub fn done_frame() -> Bytes {
    Bytes::from_static(b"data: [DONE]\n\n")
}

/// `: keep-alive\n\n`, an SSE comment: every SSE parser ignores it, so it keeps idle connections
/// (and proxies) open without ever becoming a chunk or an event.
pub fn keep_alive_frame() -> Bytes {
    Bytes::from_static(b": keep-alive\n\n")
}

/// The headers of an SSE response: the content type, no caching or transformation by proxies, and
/// no buffering by nginx-like proxies. No `Content-Encoding` is ever set on these bodies.
pub fn sse_headers() -> [(HeaderName, HeaderValue); 3] {
    [
        (
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/event-stream; charset=utf-8"),
        ),
        (
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache, no-transform"),
        ),
        (
            HeaderName::from_static("x-accel-buffering"),
            HeaderValue::from_static("no"),
        ),
    ]
}
