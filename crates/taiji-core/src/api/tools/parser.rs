//! The incremental parser of the convention: splits a streamed answer into text and captured
//! `{"tool_calls":[…]}` objects, however the answer is split into deltas.
//!
//! A call starts at `{` followed by `"tool_calls"` and `:` (whitespace allowed between), or at a
//! Markdown fence (```` ``` ```` or ```` ```json ````) directly followed by such an object. Text is
//! released as soon as it cannot be such a start; a possible start is held back until decided. A
//! confirmed start is captured until its JSON object closes (strings and escapes respected), and
//! then handed over whole, with the calls it contains or the reason they are unusable. The output
//! depends only on the concatenated text, never on the split points.

use serde_json::Value;

/// The key that marks a call object.
const KEY: &str = "\"tool_calls\"";
/// A Markdown code fence.
const FENCE: &str = "```";
/// The language tag a fence may carry.
const FENCE_LANG: &str = "json";

/// One piece of the answer, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    /// Plain text (never contains a complete call object).
    Text(String),
    /// A complete call object.
    Call(Captured),
}

/// A captured call object.
#[derive(Debug, Clone, PartialEq)]
pub struct Captured {
    /// The model's text from the start marker (fence included) to the closing `}`, to pass on as
    /// text when the calls are unusable.
    pub raw: String,
    /// The calls, or why the object is not a usable list of calls.
    pub calls: Result<Vec<RawCall>, String>,
}

/// One call as the model wrote it, not yet checked against the declared tools.
#[derive(Debug, Clone, PartialEq)]
pub struct RawCall {
    /// The tool's name.
    pub name: String,
    /// The arguments (an object when well formed).
    pub arguments: Value,
}

/// Where the parser is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Reading text; `buf` holds at most a possible start.
    Text,
    /// Inside a call object that starts at `object` in `buf`; `scanned` bytes of `buf` are read.
    Capture {
        object: usize,
        scanned: usize,
        depth: usize,
        in_string: bool,
        escaped: bool,
    },
}

/// The incremental parser for one answer.
#[derive(Debug, Clone)]
pub struct CallParser {
    buf: String,
    state: State,
}

impl Default for CallParser {
    fn default() -> Self {
        Self::new()
    }
}

impl CallParser {
    /// A parser at the start of an answer.
    pub fn new() -> Self {
        Self {
            buf: String::new(),
            state: State::Text,
        }
    }

    /// Feeds the next delta; returns the pieces decided so far.
    pub fn push(&mut self, delta: &str) -> Vec<Piece> {
        self.buf.push_str(delta);
        let mut pieces = Vec::new();
        loop {
            let progressed = match self.state {
                State::Text => self.scan_text(&mut pieces),
                State::Capture { .. } => self.scan_capture(&mut pieces),
            };
            if !progressed {
                break;
            }
        }
        pieces
    }

    /// Ends the answer: whatever is held back or only partly captured is text.
    pub fn finish(&mut self) -> Vec<Piece> {
        self.state = State::Text;
        let rest = std::mem::take(&mut self.buf);
        let mut pieces = Vec::new();
        push_text(&mut pieces, rest);
        pieces
    }

    /// In text: releases what cannot start a call; returns true when a capture began.
    fn scan_text(&mut self, pieces: &mut Vec<Piece>) -> bool {
        let mut from = 0;
        while let Some(offset) = self.buf[from..].find(['{', '`']) {
            let start = from + offset;
            match classify(&self.buf[start..]) {
                Start::No => from = start + 1,
                Start::Maybe => {
                    let text: String = self.buf.drain(..start).collect();
                    push_text(pieces, text);
                    return false;
                }
                Start::Yes { object } => {
                    let text: String = self.buf.drain(..start).collect();
                    push_text(pieces, text);
                    self.state = State::Capture {
                        object,
                        scanned: object,
                        depth: 0,
                        in_string: false,
                        escaped: false,
                    };
                    return true;
                }
            }
        }
        let text = std::mem::take(&mut self.buf);
        push_text(pieces, text);
        false
    }

    /// In a capture: reads on until the object closes; returns true when it did.
    fn scan_capture(&mut self, pieces: &mut Vec<Piece>) -> bool {
        let State::Capture {
            object,
            mut scanned,
            mut depth,
            mut in_string,
            mut escaped,
        } = self.state
        else {
            return false;
        };
        let mut end = None;
        for (offset, byte) in self.buf.as_bytes()[scanned..].iter().enumerate() {
            // Every delimiter is ASCII, so scanning bytes never splits a char that matters.
            if in_string {
                match (escaped, byte) {
                    (true, _) => escaped = false,
                    (false, b'\\') => escaped = true,
                    (false, b'"') => in_string = false,
                    _ => {}
                }
                continue;
            }
            match byte {
                b'"' => in_string = true,
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        end = Some(scanned + offset + 1);
                        break;
                    }
                }
                _ => {}
            }
        }
        match end {
            Some(end) => {
                let rest = self.buf.split_off(end);
                let raw = std::mem::replace(&mut self.buf, rest);
                let calls = extract(&raw[object..]);
                pieces.push(Piece::Call(Captured { raw, calls }));
                self.state = State::Text;
                true
            }
            None => {
                scanned = self.buf.len();
                self.state = State::Capture {
                    object,
                    scanned,
                    depth,
                    in_string,
                    escaped,
                };
                false
            }
        }
    }
}

fn push_text(pieces: &mut Vec<Piece>, text: String) {
    if text.is_empty() {
        return;
    }
    if let Some(Piece::Text(previous)) = pieces.last_mut() {
        previous.push_str(&text);
    } else {
        pieces.push(Piece::Text(text));
    }
}

/// Whether text starting at a `{` or a backtick starts a call.
#[derive(Debug, PartialEq, Eq)]
enum Start {
    /// It cannot.
    No,
    /// It may; more text decides.
    Maybe,
    /// It does; the object begins at this byte offset.
    Yes { object: usize },
}

/// Classifies `text` (which starts with `{` or a backtick) against
/// ```` (```(json)?\s*)?\{\s*"tool_calls"\s*: ````.
fn classify(text: &str) -> Start {
    let mut rest = text;
    if rest.starts_with('`') {
        match literal(rest, FENCE) {
            Some(Ok(after)) => rest = after,
            Some(Err(())) => return Start::Maybe,
            None => return Start::No,
        }
        if let Some(result) = literal(rest, FENCE_LANG) {
            match result {
                Ok(after) => rest = after,
                Err(()) if rest.is_empty() => return Start::Maybe,
                // A partial language tag: "```js" is no fence of ours, "```jso" may still be.
                Err(()) => return Start::Maybe,
            }
        }
        rest = rest.trim_start();
        if rest.is_empty() {
            return Start::Maybe;
        }
    }
    let object = text.len() - rest.len();
    let Some(after_brace) = rest.strip_prefix('{') else {
        return Start::No;
    };
    let rest = after_brace.trim_start();
    let rest = match literal(rest, KEY) {
        Some(Ok(after)) => after.trim_start(),
        Some(Err(())) => return Start::Maybe,
        None => return Start::No,
    };
    match rest.chars().next() {
        None => Start::Maybe,
        Some(':') => Start::Yes { object },
        Some(_) => Start::No,
    }
}

/// Matches `word` at the start of `text`: `Some(Ok(rest))` when it is there, `Some(Err(()))`
/// when `text` is a proper prefix of it (undecided), `None` when it is not there.
fn literal<'a>(text: &'a str, word: &str) -> Option<Result<&'a str, ()>> {
    if let Some(rest) = text.strip_prefix(word) {
        Some(Ok(rest))
    } else if word.starts_with(text) {
        Some(Err(()))
    } else {
        None
    }
}

/// The calls in a closed call object, or why there are none.
fn extract(object: &str) -> Result<Vec<RawCall>, String> {
    let value: Value = serde_json::from_str(object).map_err(|error| format!("not JSON: {error}"))?;
    let list = value
        .get("tool_calls")
        .and_then(Value::as_array)
        .ok_or("`tool_calls` is not a list")?;
    if list.is_empty() {
        return Err("`tool_calls` is empty".into());
    }
    list.iter().map(call).collect()
}

/// One entry: `{"name", "arguments"}`; also OpenAI's `{"function": {…}}` nesting and arguments
/// given as JSON text, which models sometimes copy from their training data.
fn call(entry: &Value) -> Result<RawCall, String> {
    let entry = entry.get("function").filter(|f| f.is_object()).unwrap_or(entry);
    let name = entry
        .get("name")
        .and_then(Value::as_str)
        .filter(|name| !name.trim().is_empty())
        .ok_or("a call has no name")?;
    let arguments = match entry.get("arguments") {
        None | Some(Value::Null) => Value::Object(serde_json::Map::new()),
        Some(Value::String(text)) => {
            serde_json::from_str(text).map_err(|_| format!("arguments of `{name}` are not JSON"))?
        }
        Some(other) => other.clone(),
    };
    if !arguments.is_object() {
        return Err(format!("arguments of `{name}` are not an object"));
    }
    Ok(RawCall {
        name: name.trim().to_owned(),
        arguments,
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;
    use crate::api::split::split_at;

    /// Runs `deltas` through a parser; adjacent text pieces merged.
    fn run(deltas: &[&str]) -> Vec<Piece> {
        let mut parser = CallParser::new();
        let mut pieces = Vec::new();
        for delta in deltas {
            for piece in parser.push(delta) {
                merge(&mut pieces, piece);
            }
        }
        for piece in parser.finish() {
            merge(&mut pieces, piece);
        }
        pieces
    }

    fn merge(pieces: &mut Vec<Piece>, piece: Piece) {
        match (pieces.last_mut(), piece) {
            (Some(Piece::Text(previous)), Piece::Text(text)) => previous.push_str(&text),
            (_, piece) => pieces.push(piece),
        }
    }

    fn text(s: &str) -> Piece {
        Piece::Text(s.to_owned())
    }

    fn calls(piece: &Piece) -> Vec<(String, Value)> {
        match piece {
            Piece::Call(Captured { calls: Ok(calls), .. }) => calls
                .iter()
                .map(|c| (c.name.clone(), c.arguments.clone()))
                .collect(),
            other => panic!("not a valid call: {other:?}"),
        }
    }

    #[test]
    fn text_then_call() {
        let pieces = run(&[r#"Let me look. {"tool_calls":[{"name":"ls","arguments":{"dir":"/"}}]}"#]);
        assert_eq!(pieces[0], text("Let me look. "));
        assert_eq!(calls(&pieces[1]), vec![("ls".into(), json!({"dir": "/"}))]);
        assert_eq!(pieces.len(), 2);
    }

    #[test]
    fn text_streams_at_once_and_only_a_possible_start_is_held() {
        let mut parser = CallParser::new();
        assert_eq!(parser.push("Hello {"), vec![text("Hello ")]);
        assert_eq!(parser.push(" \"tool"), vec![]);
        assert_eq!(parser.push("s\": 1}"), vec![text("{ \"tools\": 1}")]);
        // "```js" may still become "```json".
        assert_eq!(parser.push("a `code` and ```js"), vec![text("a `code` and ")]);
        assert_eq!(parser.push("\n{\"a\":1}"), vec![text("```js\n{\"a\":1}")]);
        assert!(parser.finish().is_empty());
    }

    #[test]
    fn fenced_call_and_strings_with_braces() {
        let answer =
            "```json\n{\"tool_calls\": [{\"name\": \"echo\", \"arguments\": {\"s\": \"}]{\\\"\"}}]}\n```";
        let pieces = run(&[answer]);
        assert_eq!(calls(&pieces[0]), vec![("echo".into(), json!({"s": "}]{\""}))]);
        match &pieces[0] {
            Piece::Call(captured) => assert!(captured.raw.starts_with("```json\n{")),
            other => panic!("{other:?}"),
        }
        assert_eq!(pieces[1], text("\n```"));
    }

    #[test]
    fn string_arguments_and_function_nesting_are_accepted() {
        let pieces =
            run(&[r#"{"tool_calls":[{"name":"a","arguments":"{\"x\":1}"},{"function":{"name":"b"}}]}"#]);
        assert_eq!(
            calls(&pieces[0]),
            vec![("a".into(), json!({"x": 1})), ("b".into(), json!({}))]
        );
    }

    #[test]
    fn malformed_objects_are_reported_with_their_raw_text() {
        for answer in [
            r#"{"tool_calls": []}"#,
            r#"{"tool_calls": [{"arguments": {}}]}"#,
            r#"{"tool_calls": [{"name": "a", "arguments": [1]}]}"#,
            r#"{"tool_calls": {"name": "a"}}"#,
            r#"{"tool_calls": [{"name": "a", "arguments": {"x": tru}}]}"#,
        ] {
            let pieces = run(&[answer]);
            match &pieces[..] {
                [Piece::Call(Captured { raw, calls: Err(_) })] => assert_eq!(raw, answer),
                other => panic!("{answer}: {other:?}"),
            }
        }
        // Never closed: the whole rest is text.
        let cut = r#"Sure {"tool_calls":[{"name":"a","#;
        assert_eq!(run(&[cut]), vec![text(cut)]);
    }

    /// Answers mixing prose, braces, fences and calls.
    fn answer() -> impl Strategy<Value = String> {
        let part = prop_oneof![
            "[a-z 你😀{}`\"\\n]{0,12}",
            Just(r#"{"tool_calls":[{"name":"get","arguments":{"q":"}{"}}]}"#.to_owned()),
            Just(
                "```json\n{ \"tool_calls\" : [{\"name\":\"a\"},{\"name\":\"b\",\"arguments\":{}}] }\n```"
                    .to_owned()
            ),
            Just(r#"{"tool_calls":[{"name":"bad","arguments":3}]}"#.to_owned()),
            Just(r#"{"tool_calls":[{"name":"x""#.to_owned()),
            Just("{\"tool".to_owned()),
            Just("```js\n{}\n```".to_owned()),
        ];
        proptest::collection::vec(part, 0..5).prop_map(|parts| parts.concat())
    }

    proptest! {
        #[test]
        fn any_split_gives_the_same_pieces(
            answer in answer(),
            cuts in proptest::collection::vec(0usize..256, 0..12),
        ) {
            let whole = run(&[answer.as_str()]);
            prop_assert_eq!(&run(&split_at(&answer, &cuts)), &whole);
            // Nothing is lost or invented: text and raw captures rebuild the answer.
            let rebuilt: String = whole
                .iter()
                .map(|piece| match piece {
                    Piece::Text(text) => text.as_str(),
                    Piece::Call(captured) => captured.raw.as_str(),
                })
                .collect();
            prop_assert_eq!(rebuilt, answer);
            // A call start reaches text only as the unclosed rest at the very end.
            if let Some((_, init)) = whole.split_last() {
                for piece in init {
                    if let Piece::Text(text) = piece {
                        prop_assert!(!text.contains("\"tool_calls\""), "{}", text);
                    }
                }
            }
        }

        #[test]
        fn every_delta_releases_what_cannot_start_a_call(prose in "[a-z 你😀.,!?]{0,40}") {
            // Prose without `{` or backticks is never held back.
            let mut parser = CallParser::new();
            prop_assert_eq!(parser.push(&prose), if prose.is_empty() { vec![] } else { vec![text(&prose)] });
        }
    }
}
