//! The Taiji completions frames (taiji-protocol.md §4): the typed [`Frame`]s and the
//! [`FrameDecoder`] that turns raw response bytes into them. This is the whole per-frame path
//! without any network, so benchmarks drive [`FrameDecoder::feed`] directly.

use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

use super::error::UpstreamError;
use super::sse::{SseEvent, SseParser};
use crate::chat::Usage;
use crate::text::truncate;

/// One frame of a completions stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// The next piece of assistant text (`type: "string"`).
    Text(String),
    /// The final record (`type: "object"`), sent once right before `[DONE]`.
    Final(FinalRecord),
}

/// What the decoder produces: a frame, or the end of the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamItem {
    /// A text or final frame.
    Frame(Frame),
    /// `data: [DONE]` (or the never-observed `type: "close"`): the stream ended normally.
    Done,
}

/// The fields of the final record (taiji-protocol.md §4.3) that the gateway uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FinalRecord {
    /// The 19-digit task id, kept as a string (it exceeds JavaScript's safe integers).
    pub task_id: String,
    /// The record id (`data.id`).
    pub record_id: Option<u64>,
    /// The session the message belongs to.
    pub session_id: Option<u64>,
    /// The model's display **label** (not its id).
    pub model_label: Option<String>,
    /// The full assistant text as stored upstream (recovers lost deltas).
    pub ai_text: Option<String>,
    /// Input tokens billed, including platform prompt and replayed history.
    pub prompt_tokens: u64,
    /// Output tokens.
    pub completion_tokens: u64,
    /// Tokens of platform prompt and replayed history.
    pub context_tokens: u64,
    /// Total tokens (`promptTokens + completionTokens`).
    pub use_tokens: u64,
    /// Points charged.
    pub deduct_count: i64,
    /// Points refunded.
    pub refund_count: i64,
    /// Extra points charged.
    pub append_deduct_count: i64,
    /// Whether the upstream recorded the generation as stopped by the user.
    pub user_stop: bool,
}

impl FinalRecord {
    /// The neutral usage of this record.
    pub fn usage(&self) -> Usage {
        let total = if self.use_tokens > 0 {
            self.use_tokens
        } else {
            self.prompt_tokens + self.completion_tokens
        };
        Usage {
            prompt_tokens: self.prompt_tokens,
            completion_tokens: self.completion_tokens,
            total_tokens: total,
            points: self.deduct_count - self.refund_count + self.append_deduct_count,
        }
    }

    fn from_value(task_id: String, data: &Value) -> Self {
        let u = |key: &str| data.get(key).and_then(as_u64);
        let i = |key: &str| data.get(key).and_then(as_i64).unwrap_or(0);
        let s = |key: &str| data.get(key).and_then(Value::as_str).map(str::to_owned);
        let task_id = data
            .get("taskId")
            .and_then(id_string)
            .filter(|t| !t.is_empty())
            .unwrap_or(task_id);
        Self {
            task_id,
            record_id: u("id"),
            session_id: u("sessionId"),
            model_label: s("model"),
            ai_text: s("aiText"),
            prompt_tokens: u("promptTokens").unwrap_or(0),
            completion_tokens: u("completionTokens").unwrap_or(0),
            context_tokens: u("contextTokens").unwrap_or(0),
            use_tokens: u("useTokens").unwrap_or(0),
            deduct_count: i("deductCount"),
            refund_count: i("refundCount"),
            append_deduct_count: i("appendDeductCount"),
            user_stop: data.get("userStop").and_then(Value::as_bool).unwrap_or(false),
        }
    }
}

/// A frame as it is on the wire: `{"id","type","data","code"}` (+ `msg`/`err` on errors).
#[derive(Deserialize)]
struct RawFrame<'a> {
    /// Read only for the final record; left unparsed in the frame's text for every other frame.
    #[serde(default, borrow)]
    id: Option<&'a RawValue>,
    /// Read as one of the known names, without allocating (`Option<Cow<str>>` allocated per frame:
    /// serde borrows a `Cow` only when it is not inside an `Option`). Missing or `null`: `None`.
    #[serde(rename = "type", default)]
    kind: Option<FrameType>,
    #[serde(default)]
    data: Value,
    #[serde(default)]
    code: Value,
    #[serde(default)]
    msg: Option<String>,
    #[serde(default)]
    err: Option<String>,
}

/// A frame's `type` (taiji-protocol.md §4.2).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "lowercase")]
enum FrameType {
    /// Assistant text.
    String,
    /// The final record.
    Object,
    /// Never observed; one public client treats it as the end marker.
    Close,
    /// Any other name: carries nothing for us.
    #[serde(other)]
    Other,
}

/// Parses the `data` of one SSE event. `Ok(None)` for frame types that carry nothing for us.
pub fn parse_frame(data: &str) -> Result<Option<StreamItem>, UpstreamError> {
    let trimmed = data.trim();
    if trimmed == "[DONE]" {
        return Ok(Some(StreamItem::Done));
    }
    let raw: RawFrame = serde_json::from_str(trimmed).map_err(|e| {
        UpstreamError::malformed(format!("a stream frame is not JSON ({e}): {}", snippet(trimmed)))
            .after_send()
    })?;
    let code = as_i64(&raw.code).unwrap_or(0);
    if code != 0 {
        let msg = [raw.msg, raw.err]
            .into_iter()
            .flatten()
            .find(|m| !m.trim().is_empty())
            .or_else(|| value_text(&raw.data))
            .unwrap_or_else(|| "error frame without a message".to_owned());
        return Err(UpstreamError::Api {
            code,
            msg,
            http_status: 200,
            reached_model: true,
        });
    }
    match raw.kind {
        Some(FrameType::String) => match raw.data {
            Value::String(text) => Ok(Some(StreamItem::Frame(Frame::Text(text)))),
            Value::Null => Ok(None),
            other => Ok(Some(StreamItem::Frame(Frame::Text(other.to_string())))),
        },
        Some(FrameType::Object) => {
            let id = raw.id.and_then(|id| serde_json::from_str::<Value>(id.get()).ok());
            let task_id = id.as_ref().and_then(id_string).unwrap_or_default();
            Ok(Some(StreamItem::Frame(Frame::Final(FinalRecord::from_value(
                task_id, &raw.data,
            )))))
        }
        // Never observed, but one public client treats it as the end marker (§4.2).
        Some(FrameType::Close) => Ok(Some(StreamItem::Done)),
        Some(FrameType::Other) | None => Ok(None),
    }
}

/// Bytes → frames, incrementally. Feed chunks as they arrive, then call [`FrameDecoder::finish`].
/// After `Done` or an error, further input is ignored.
#[derive(Debug, Default)]
pub struct FrameDecoder {
    sse: SseParser,
    finished: bool,
}

impl FrameDecoder {
    /// A decoder at the start of a stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether `[DONE]` or an error was produced (the stream is over).
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// Decodes the next chunk, appending items to `out`.
    pub fn feed(&mut self, chunk: &[u8], out: &mut Vec<Result<StreamItem, UpstreamError>>) {
        if self.finished {
            return;
        }
        let finished = &mut self.finished;
        self.sse
            .feed(chunk, &mut |event| decode_event(event, finished, out));
    }

    /// Ends the input. A stream that ended without `[DONE]` yields an error.
    pub fn finish(&mut self, out: &mut Vec<Result<StreamItem, UpstreamError>>) {
        if self.finished {
            return;
        }
        let finished = &mut self.finished;
        self.sse.finish(&mut |event| decode_event(event, finished, out));
        if !self.finished {
            self.finished = true;
            out.push(Err(
                UpstreamError::malformed("stream ended without [DONE]").after_send()
            ));
        }
    }
}

/// Decodes one SSE event into `out`, unless the stream already `finished` (after `Done` or an
/// error, later events are ignored); sets `finished` when this one ends it.
fn decode_event(event: &SseEvent, finished: &mut bool, out: &mut Vec<Result<StreamItem, UpstreamError>>) {
    if *finished {
        return;
    }
    match parse_frame(&event.data) {
        Ok(Some(item)) => {
            *finished = item == StreamItem::Done;
            out.push(Ok(item));
        }
        Ok(None) => {}
        Err(error) => {
            *finished = true;
            out.push(Err(error));
        }
    }
}

fn as_u64(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn as_i64(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// An id as a string, whether the upstream sent it as a string or (losslessly for u64) a number.
fn id_string(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn value_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) if s.trim().is_empty() => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// The first 200 characters of a body, for error messages.
pub(crate) fn snippet(text: &str) -> String {
    truncate(text, 200)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::upstream::ErrorClass;

    const RECORD: &str = r#"data: {"id":"2026967689787871232","type":"object","code":0,"data":{"id":3824782,"created":"2026-02-26 18:28:51","sessionId":462993,"userText":"hi","aiText":"你好呀","uid":12345,"taskId":"2026967689787871232","model":"GT-5-Chat-Latest【流式/长上下文】","deductCount":1,"refundCount":0,"appendDeductCount":0,"promptTokens":203,"completionTokens":31,"contextTokens":195,"useTokens":234,"useImages":null,"useFiles":null,"useAppId":0,"userStop":false}}"#;

    fn decode(bytes: &[u8]) -> Vec<Result<StreamItem, UpstreamError>> {
        let mut decoder = FrameDecoder::new();
        let mut out = Vec::new();
        decoder.feed(bytes, &mut out);
        decoder.finish(&mut out);
        out
    }

    #[test]
    fn captured_stream_shape() {
        let stream = format!(
            "data: {{\"id\":\"2026967689787871232\",\"type\":\"string\",\"data\":\"你好\",\"code\":0}}\n\n{RECORD}\n\ndata: [DONE]\n\n"
        );
        let items: Vec<_> = decode(stream.as_bytes())
            .into_iter()
            .map(|r| r.expect("no error"))
            .collect();
        assert_eq!(items[0], StreamItem::Frame(Frame::Text("你好".into())));
        let StreamItem::Frame(Frame::Final(record)) = &items[1] else {
            panic!("no final record: {items:?}")
        };
        assert_eq!(record.task_id, "2026967689787871232");
        assert_eq!(record.session_id, Some(462993));
        assert_eq!(
            record.model_label.as_deref(),
            Some("GT-5-Chat-Latest【流式/长上下文】")
        );
        assert_eq!(record.context_tokens, 195);
        assert_eq!(
            record.usage(),
            Usage {
                prompt_tokens: 203,
                completion_tokens: 31,
                total_tokens: 234,
                points: 1
            }
        );
        assert_eq!(items[2], StreamItem::Done);
        assert_eq!(items.len(), 3);
    }

    #[test]
    fn the_frame_id_is_the_task_id_when_the_record_has_none() {
        for frame in [
            r#"{"id":2026967689787871232,"type":"object","code":0,"data":{}}"#,
            r#"{"id":"2026967689787871232","type":"object","code":0,"data":{}}"#,
            r#"{"id":"2026967689787871232","type":"object","code":0,"data":{"taskId":""}}"#,
        ] {
            let item = parse_frame(frame);
            let Ok(Some(StreamItem::Frame(Frame::Final(record)))) = item else {
                panic!("{item:?}")
            };
            assert_eq!(record.task_id, "2026967689787871232", "{frame}");
        }
        let item = parse_frame(r#"{"type":"object","code":0,"data":{}}"#);
        let Ok(Some(StreamItem::Frame(Frame::Final(record)))) = item else {
            panic!("{item:?}")
        };
        assert_eq!(record.task_id, "");
    }

    #[test]
    fn frame_types_are_read_whatever_their_spelling_on_the_wire() {
        let escaped = parse_frame(r#"{"id":"1","type":"\u0073tring","data":"hi","code":0}"#);
        assert_eq!(
            escaped.expect("a text frame"),
            Some(StreamItem::Frame(Frame::Text("hi".into())))
        );
        for ignored in [
            r#"{"id":"1","type":"image","data":"x","code":0}"#,
            r#"{"id":"1","data":"x","code":0}"#,
            r#"{"id":"1","type":null,"data":"x","code":0}"#,
        ] {
            assert_eq!(parse_frame(ignored).expect("ignored"), None, "{ignored}");
        }
        let close = parse_frame(r#"{"id":"1","type":"close","data":null,"code":0}"#);
        assert_eq!(close.expect("the end"), Some(StreamItem::Done));
    }

    #[test]
    fn error_frame_message_precedence() {
        let err = parse_frame(r#"{"id":"1","type":"string","data":"d","code":1,"msg":"","err":"e"}"#)
            .expect_err("error frame");
        assert_eq!(err.upstream_message(), Some("e"));
        assert!(err.may_have_reached_model());
        let err = parse_frame(r#"{"id":"1","type":"string","data":"套餐余量不足","code":1}"#)
            .expect_err("error frame");
        assert_eq!(err.class(), ErrorClass::QuotaExhausted);
    }

    #[test]
    fn eof_without_done_is_an_error() {
        let out = decode(b"data: {\"id\":\"1\",\"type\":\"string\",\"data\":\"a\",\"code\":0}\n\n");
        assert_eq!(out.len(), 2);
        let err = out[1].as_ref().expect_err("truncated stream");
        assert_eq!(err.class(), ErrorClass::Malformed);
        assert!(err.to_string().contains("without [DONE]"));
        assert!(err.may_have_reached_model());
    }

    #[test]
    fn nothing_after_done_or_error() {
        let out = decode(b"data: [DONE]\n\ndata: garbage\n\n");
        assert_eq!(out.len(), 1);
        let out = decode(b"data: not json\n\ndata: [DONE]\n\n");
        assert_eq!(out.len(), 1);
        assert_eq!(
            out[0].as_ref().expect_err("bad frame").class(),
            ErrorClass::Malformed
        );
    }

    #[test]
    fn unknown_types_are_skipped() {
        assert_eq!(
            parse_frame(r#"{"id":"1","type":"ping","data":null,"code":0}"#).ok(),
            Some(None)
        );
    }

    fn summary(items: Vec<Result<StreamItem, UpstreamError>>) -> Vec<Result<StreamItem, String>> {
        items.into_iter().map(|r| r.map_err(|e| e.to_string())).collect()
    }

    proptest::proptest! {
        /// Bytes → frames gives the same frames however the bytes are split into reads.
        #[test]
        fn any_split_yields_the_same_frames(
            pieces in proptest::collection::vec("[a-z你好👋 \\n*]{0,6}", 0..8),
            crlf in proptest::bool::ANY,
            with_done in proptest::bool::ANY,
            cuts in proptest::collection::vec(proptest::arbitrary::any::<proptest::sample::Index>(), 0..10),
        ) {
            let eol = if crlf { "\r\n" } else { "\n" };
            let mut body = String::new();
            for piece in &pieces {
                let frame = serde_json::json!({"id": "2026967689787871232", "type": "string", "data": piece, "code": 0});
                body.push_str(&format!(": keep-alive{eol}data:{frame}{eol}{eol}"));
            }
            body.push_str(&format!("{RECORD}{eol}{eol}"));
            if with_done {
                body.push_str(&format!("data: [DONE]{eol}{eol}"));
            }
            let bytes = body.as_bytes();
            let whole = summary(decode(bytes));
            let texts: Vec<_> = whole.iter().filter_map(|i| match i {
                Ok(StreamItem::Frame(Frame::Text(t))) => Some(t.clone()),
                _ => None,
            }).collect();
            proptest::prop_assert_eq!(&texts, &pieces);

            let mut points: Vec<usize> = cuts.iter().map(|i| i.index(bytes.len() + 1)).collect();
            points.sort_unstable();
            let mut decoder = FrameDecoder::new();
            let mut out = Vec::new();
            let mut start = 0;
            for point in points {
                decoder.feed(&bytes[start..point], &mut out);
                start = point;
            }
            decoder.feed(&bytes[start..], &mut out);
            decoder.finish(&mut out);
            proptest::prop_assert_eq!(summary(out), whole);
        }
    }
}
