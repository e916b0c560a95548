//! A small incremental Server-Sent-Events parser: bytes in, events out, whatever the chunking.
//!
//! It follows the WHATWG event-stream grammar closely enough for the Taiji stream and its
//! variants seen in the wild (taiji-protocol.md §4.1): lines end in CRLF, LF or a lone CR (a CR at
//! the end of one chunk and the LF at the start of the next count once); lines starting with `:`
//! are comments; `data:` works with or without the space; several `data:` lines of one event are
//! joined with `\n`. Lines are decoded only once complete, and CR/LF never occur inside a
//! multi-byte UTF-8 sequence, so characters split across network reads arrive intact.
//!
//! One deliberate leniency: at end of input, a final line without its terminator and an event
//! without its blank line are still delivered (the spec drops them), so a server that closes right
//! after `data: [DONE]` is not reported as truncated.

/// One dispatched event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SseEvent {
    /// The `event:` field, when one was sent.
    pub event: Option<String>,
    /// The `data:` lines joined by `\n`.
    pub data: String,
    /// The `id:` field, when one was sent.
    pub id: Option<String>,
}

/// The parser state between chunks.
#[derive(Debug, Default)]
pub struct SseParser {
    /// Bytes of the current, not yet terminated line.
    line: Vec<u8>,
    /// The previous chunk ended with CR, so a leading LF of the next chunk belongs to it.
    after_cr: bool,
    /// The event being assembled.
    pending: SseEvent,
    /// Whether any `data:` line arrived for the pending event.
    has_data: bool,
}

impl SseParser {
    /// A parser at the start of a stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds the next chunk of bytes, calling `on_event` with every completed event. The event is
    /// lent, not given: its buffers are cleared and reused for the next one, so a stream costs no
    /// allocation per event once they have grown to its events' size.
    pub fn feed(&mut self, mut chunk: &[u8], on_event: &mut impl FnMut(&SseEvent)) {
        if chunk.is_empty() {
            return;
        }
        if self.after_cr {
            self.after_cr = false;
            if let Some(rest) = chunk.strip_prefix(b"\n") {
                chunk = rest;
            }
        }
        // memchr scans a word at a time: a byte loop here was a twentieth of the CPU per frame.
        while let Some(end) = memchr::memchr2(b'\n', b'\r', chunk) {
            let terminator = chunk[end];
            if self.line.is_empty() {
                self.process_line(&chunk[..end], on_event);
            } else {
                self.line.extend_from_slice(&chunk[..end]);
                let line = std::mem::take(&mut self.line);
                self.process_line(&line, on_event);
                // Reuse the allocation for the next line.
                self.line = line;
                self.line.clear();
            }
            chunk = &chunk[end + 1..];
            if terminator == b'\r' {
                match chunk.first() {
                    Some(b'\n') => chunk = &chunk[1..],
                    Some(_) => {}
                    None => self.after_cr = true,
                }
            }
        }
        self.line.extend_from_slice(chunk);
    }

    /// Ends the stream: delivers an unterminated last line and a pending event.
    pub fn finish(&mut self, on_event: &mut impl FnMut(&SseEvent)) {
        if !self.line.is_empty() {
            let line = std::mem::take(&mut self.line);
            self.process_line(&line, on_event);
        }
        self.dispatch(on_event);
        self.after_cr = false;
    }

    fn process_line(&mut self, line: &[u8], on_event: &mut impl FnMut(&SseEvent)) {
        if line.is_empty() {
            self.dispatch(on_event);
            return;
        }
        if line[0] == b':' {
            return;
        }
        let (field, value) = match memchr::memchr(b':', line) {
            Some(colon) => {
                let value = &line[colon + 1..];
                (&line[..colon], value.strip_prefix(b" ").unwrap_or(value))
            }
            None => (line, &[][..]),
        };
        // The strict check first: it is much faster on valid text (nearly always), and the lossy
        // decoding gives the same result for it.
        let value = match std::str::from_utf8(value) {
            Ok(text) => std::borrow::Cow::Borrowed(text),
            Err(_) => String::from_utf8_lossy(value),
        };
        match field {
            b"data" => {
                if self.has_data {
                    self.pending.data.push('\n');
                }
                self.pending.data.push_str(&value);
                self.has_data = true;
            }
            b"event" => self.pending.event = Some(value.into_owned()),
            b"id" => self.pending.id = Some(value.into_owned()),
            // `retry:` and unknown fields carry nothing we use.
            _ => {}
        }
    }

    fn dispatch(&mut self, on_event: &mut impl FnMut(&SseEvent)) {
        if self.has_data {
            on_event(&self.pending);
        }
        self.pending.data.clear();
        self.pending.event = None;
        self.pending.id = None;
        self.has_data = false;
    }
}

/// Parses a whole byte stream at once (for tests and benchmarks).
pub fn parse_all(bytes: &[u8]) -> Vec<SseEvent> {
    let mut parser = SseParser::new();
    let mut out = Vec::new();
    let mut collect = |event: &SseEvent| out.push(event.clone());
    parser.feed(bytes, &mut collect);
    parser.finish(&mut collect);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn data(events: &[SseEvent]) -> Vec<&str> {
        events.iter().map(|e| e.data.as_str()).collect()
    }

    #[test]
    fn taiji_frames_with_lf() {
        let stream = "data: {\"a\":1}\n\ndata: [DONE]\n\n";
        assert_eq!(data(&parse_all(stream.as_bytes())), ["{\"a\":1}", "[DONE]"]);
    }

    #[test]
    fn crlf_lone_cr_comments_and_missing_space() {
        let stream = ": heartbeat\r\ndata:x\r\n\r\n:another\rdata: y\r\rdata:  two spaces\n\n";
        assert_eq!(data(&parse_all(stream.as_bytes())), ["x", "y", " two spaces"]);
    }

    #[test]
    fn multi_line_data_and_fields() {
        let stream = "event: message\nid: 7\ndata: line one\ndata\ndata: line three\nretry: 10\n\n";
        let events = parse_all(stream.as_bytes());
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].data, "line one\n\nline three");
        assert_eq!(events[0].event.as_deref(), Some("message"));
        assert_eq!(events[0].id.as_deref(), Some("7"));
    }

    #[test]
    fn events_without_data_are_not_dispatched() {
        assert!(parse_all(b"event: ping\n\n: only a comment\n\n\n\n").is_empty());
    }

    #[test]
    fn unterminated_tail_is_delivered_at_finish() {
        assert_eq!(data(&parse_all(b"data: a\n\ndata: [DONE]")), ["a", "[DONE]"]);
    }

    #[test]
    fn utf8_split_inside_a_character() {
        let bytes = "data: 你好👋\n\n".as_bytes();
        let mut parser = SseParser::new();
        let mut out = Vec::new();
        let mut collect = |event: &SseEvent| out.push(event.clone());
        for b in bytes {
            parser.feed(std::slice::from_ref(b), &mut collect);
        }
        parser.finish(&mut collect);
        assert_eq!(data(&out), ["你好👋"]);
    }

    fn arb_stream() -> impl Strategy<Value = Vec<u8>> {
        let text = prop::collection::vec(
            prop_oneof![
                Just("a".to_owned()),
                Just("你".to_owned()),
                Just("👋".to_owned()),
                Just(":".to_owned()),
                Just(" ".to_owned()),
                Just("{\"id\":\"2026967689787871232\"}".to_owned()),
            ],
            0..6,
        )
        .prop_map(|parts| parts.concat());
        let line = prop_oneof![
            text.clone().prop_map(|t| format!("data: {t}")),
            text.clone().prop_map(|t| format!("data:{t}")),
            text.prop_map(|t| format!(": {t}")),
            Just("event: x".to_owned()),
            Just(String::new()),
        ];
        let terminator = prop_oneof![Just("\n"), Just("\r\n"), Just("\r")];
        prop::collection::vec((line, terminator), 0..20).prop_map(|lines| {
            lines
                .into_iter()
                .flat_map(|(l, t)| format!("{l}{t}").into_bytes())
                .collect()
        })
    }

    proptest! {
        /// Any split of a byte stream into chunks yields the same events as the whole stream.
        #[test]
        fn any_split_yields_the_same_events(
            bytes in arb_stream(),
            cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..12),
        ) {
            let whole = parse_all(&bytes);
            let mut points: Vec<usize> = cuts.iter().map(|i| i.index(bytes.len() + 1)).collect();
            points.sort_unstable();
            let mut parser = SseParser::new();
            let mut out = Vec::new();
            let mut collect = |event: &SseEvent| out.push(event.clone());
            let mut start = 0;
            for point in points {
                parser.feed(&bytes[start..point], &mut collect);
                start = point;
            }
            parser.feed(&bytes[start..], &mut collect);
            parser.finish(&mut collect);
            prop_assert_eq!(out, whole);
        }
    }
}
