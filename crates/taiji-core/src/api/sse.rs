//! Server-sent-event framing shared by both APIs: exact bytes for `data:` events, named events,
//! `[DONE]`, keep-alive comments, and the response headers an unbuffered SSE body needs.
//!
//! The encoders build their frames here rather than with axum's `Sse` type so the bytes on the
//! wire are exactly the documented ones (one `data:` line per event, `event:` before `data:` for
//! Anthropic, comments for keep-alives) and can be compared byte for byte in tests.

use bytes::{Bytes, BytesMut};
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

/// A placeholder for the string a [`StringSlot`] is cut around. Control characters are escaped
/// by JSON, so its encoded form cannot come from any ordinary value of the frame.
pub const SLOT_MARKER: &str = "\u{1}taiji-slot\u{1}";

/// A frame that differs between events only in one string (the text of a delta): the bytes
/// before and after that string's JSON form, cut once from a frame built with [`SLOT_MARKER`] in
/// its place. Writing a delta then costs the escaping of its text, instead of serialising the
/// whole payload and allocating its frame (the streaming hot path: one frame per token).
#[derive(Debug, Clone)]
pub struct StringSlot {
    before: Bytes,
    after: Bytes,
}

impl StringSlot {
    /// Cuts `frame` around the JSON form of [`SLOT_MARKER`]; `None` if it is not there once.
    pub fn around_marker(frame: &[u8]) -> Option<Self> {
        let marker = serde_json::to_vec(SLOT_MARKER).ok()?;
        let at = frame
            .windows(marker.len())
            .position(|window| window == marker.as_slice())?;
        let after = &frame[at + marker.len()..];
        if after
            .windows(marker.len())
            .any(|window| window == marker.as_slice())
        {
            return None;
        }
        Some(Self {
            before: Bytes::copy_from_slice(&frame[..at]),
            after: Bytes::copy_from_slice(after),
        })
    }

    /// Appends the frame with `value` in the slot: byte for byte what serialising it would give.
    pub fn write(&self, value: &str, out: &mut BytesMut) {
        out.extend_from_slice(&self.before);
        let mut writer = BytesWriter(out);
        // Writing a string into memory cannot fail.
        if serde_json::to_writer(&mut writer, value).is_err() {
            tracing::error!("failed to serialise an SSE string");
        }
        out.extend_from_slice(&self.after);
    }
}

/// `io::Write` over a `BytesMut`, for serde_json.
struct BytesWriter<'a>(&'a mut BytesMut);

impl std::io::Write for BytesWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slot_writes_what_serialising_the_whole_payload_gives() {
        let payload = |text: &str| serde_json::json!({"id": "x", "delta": {"content": text}, "n": null});
        let slot =
            StringSlot::around_marker(&data_frame(&payload(SLOT_MARKER))).expect("the marker is found");
        for text in ["", "plain", "引号\"和\\反斜杠", "\u{0}\u{1f}\n\t", "😀 emoji"] {
            let mut written = BytesMut::new();
            slot.write(text, &mut written);
            assert_eq!(&written[..], &data_frame(&payload(text))[..], "{text:?}");
        }
    }

    #[test]
    fn a_frame_without_the_marker_or_with_it_twice_has_no_slot() {
        assert!(StringSlot::around_marker(b"data: {\"a\":\"b\"}\n\n").is_none());
        let twice = data_frame(&serde_json::json!([SLOT_MARKER, SLOT_MARKER]));
        assert!(StringSlot::around_marker(&twice).is_none());
    }
}
