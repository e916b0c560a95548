//! [`ToolCallShaper`]: applies the parser to one answer's output events and turns usable calls
//! into native [`OutputEvent::ToolCall`]s, checked against the declared tools' JSON Schemas.

use std::collections::HashMap;

use serde_json::Value;

use super::ToolConfig;
use super::parser::{CallParser, Captured, Piece, RawCall};
use crate::api::output::{OutputEvent, StopReason, ToolCall};

/// Shapes one answer: text passes (held back only while it may start a call), calls become
/// [`OutputEvent::ToolCall`]s, the finish says [`StopReason::ToolUse`] when there were calls.
pub struct ToolCallShaper {
    config: ToolConfig,
    parser: CallParser,
    /// Compiled schemas by tool name; `None` when the tool has no usable schema.
    validators: HashMap<String, Option<jsonschema::Validator>>,
    calls: usize,
    /// Whitespace that opens the answer, held until text follows: dropped when a call follows
    /// instead, so an answer that is only a call gets no blank text part.
    pending_space: String,
    /// Whether any text was passed on.
    texted: bool,
}

impl std::fmt::Debug for ToolCallShaper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ToolCallShaper")
            .field("tools", &self.config.tools.len())
            .field("calls", &self.calls)
            .finish_non_exhaustive()
    }
}

impl ToolCallShaper {
    /// A shaper for one answer under `config`.
    pub fn new(config: ToolConfig) -> Self {
        Self {
            config,
            parser: CallParser::new(),
            validators: HashMap::new(),
            calls: 0,
            pending_space: String::new(),
            texted: false,
        }
    }

    /// Shapes the events of one step (the output limiter's), in order.
    pub fn apply(&mut self, events: Vec<OutputEvent>) -> Vec<OutputEvent> {
        let mut out = Vec::with_capacity(events.len());
        for event in events {
            match event {
                OutputEvent::Text(text) => {
                    for piece in self.parser.push(&text) {
                        self.piece(piece, &mut out);
                    }
                }
                OutputEvent::Finished(mut finish) => {
                    for piece in self.parser.finish() {
                        self.piece(piece, &mut out);
                    }
                    if self.calls > 0 {
                        finish.reason = StopReason::ToolUse;
                    } else {
                        let space = std::mem::take(&mut self.pending_space);
                        push_text(&mut out, space);
                    }
                    out.push(OutputEvent::Finished(finish));
                }
                other => out.push(other),
            }
        }
        out
    }

    fn piece(&mut self, piece: Piece, out: &mut Vec<OutputEvent>) {
        match piece {
            Piece::Text(text) => self.text(text, out),
            Piece::Call(Captured { raw, calls }) => match calls {
                Ok(calls) => match calls.into_iter().map(|call| self.check(call)).collect() {
                    Some(calls) => self.emit(calls, out),
                    None => {
                        tracing::debug!("a tool call did not match the declared tools; passed on as text");
                        self.text(raw, out);
                    }
                },
                Err(reason) => {
                    tracing::debug!(reason, "a malformed tool call; passed on as text");
                    self.text(raw, out);
                }
            },
        }
    }

    fn emit(&mut self, calls: Vec<RawCall>, out: &mut Vec<OutputEvent>) {
        for call in calls {
            if self.calls > 0 && !self.config.parallel {
                break;
            }
            self.calls += 1;
            self.pending_space.clear();
            out.push(OutputEvent::ToolCall(ToolCall {
                id: uuid::Uuid::new_v4().simple().to_string()[..24].to_owned(),
                name: call.name,
                arguments: call.arguments.to_string(),
            }));
        }
    }

    /// Text before any call is the answer's; text after a call is dropped (the model cannot know
    /// the result yet, so it is at best a guess of it).
    fn text(&mut self, text: String, out: &mut Vec<OutputEvent>) {
        if self.calls > 0 || text.is_empty() {
            return;
        }
        if !self.texted && text.trim().is_empty() {
            self.pending_space.push_str(&text);
            return;
        }
        self.texted = true;
        let mut released = std::mem::take(&mut self.pending_space);
        released.push_str(&text);
        push_text(out, released);
    }

    /// The call with the declared tool's name, if it names a declared tool (exactly, or else in
    /// another letter case when that is unambiguous) and its arguments fit the tool's schema.
    fn check(&mut self, call: RawCall) -> Option<RawCall> {
        let tools = &self.config.tools;
        let tool = tools.iter().find(|tool| tool.name == call.name).or_else(|| {
            let mut same = tools
                .iter()
                .filter(|tool| tool.name.eq_ignore_ascii_case(&call.name));
            same.next().filter(|_| same.next().is_none())
        })?;
        let validator = self
            .validators
            .entry(tool.name.clone())
            .or_insert_with(|| compile(tool.schema.as_ref()));
        validator
            .as_ref()
            .is_none_or(|validator| validator.is_valid(&call.arguments))
            .then(|| RawCall {
                name: tool.name.clone(),
                arguments: call.arguments,
            })
    }
}

fn push_text(out: &mut Vec<OutputEvent>, text: String) {
    if text.is_empty() {
        return;
    }
    if let Some(OutputEvent::Text(previous)) = out.last_mut() {
        previous.push_str(&text);
    } else {
        out.push(OutputEvent::Text(text));
    }
}

/// The compiled schema, or `None` (no check beyond "an object") when there is none or it does not
/// compile (a client's broken schema must not make its tool unusable).
fn compile(schema: Option<&Value>) -> Option<jsonschema::Validator> {
    let schema = schema?;
    match jsonschema::validator_for(schema) {
        Ok(validator) => Some(validator),
        Err(error) => {
            tracing::debug!(%error, "a tool schema does not compile; arguments are not checked");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;
    use crate::api::output::Finish;
    use crate::api::split::split_at;
    use crate::api::tools::{ToolChoice, ToolSpec};
    use crate::chat::Usage;

    fn config(parallel: bool) -> ToolConfig {
        ToolConfig {
            tools: vec![
                ToolSpec {
                    name: "get_weather".into(),
                    description: "Weather of a city.".into(),
                    schema: Some(json!({
                        "type": "object",
                        "properties": {"city": {"type": "string"}},
                        "required": ["city"],
                        "additionalProperties": false
                    })),
                },
                ToolSpec {
                    name: "now".into(),
                    description: String::new(),
                    schema: None,
                },
            ],
            choice: ToolChoice::Auto,
            parallel,
        }
    }

    fn finished() -> OutputEvent {
        OutputEvent::Finished(Finish {
            reason: StopReason::EndTurn,
            usage: Usage::default(),
            usage_estimated: false,
            reasoning_tokens: 0,
        })
    }

    /// Shapes `deltas` (with a reasoning event first) and returns the events with adjacent texts
    /// merged and call ids blanked.
    fn shape(parallel: bool, deltas: &[&str]) -> Vec<OutputEvent> {
        let mut shaper = ToolCallShaper::new(config(parallel));
        let mut events = vec![OutputEvent::Reasoning("think".into())];
        events.extend(deltas.iter().map(|d| OutputEvent::Text((*d).to_owned())));
        events.push(finished());
        let mut out: Vec<OutputEvent> = Vec::new();
        // One event per step, as the relay feeds them.
        for event in events {
            for event in shaper.apply(vec![event]) {
                match (out.last_mut(), event) {
                    (Some(OutputEvent::Text(previous)), OutputEvent::Text(text)) => previous.push_str(&text),
                    (_, OutputEvent::ToolCall(mut call)) => {
                        assert_eq!(call.id.len(), 24);
                        call.id.clear();
                        out.push(OutputEvent::ToolCall(call));
                    }
                    (_, event) => out.push(event),
                }
            }
        }
        out
    }

    fn call(name: &str, arguments: &str) -> OutputEvent {
        OutputEvent::ToolCall(ToolCall {
            id: String::new(),
            name: name.into(),
            arguments: arguments.into(),
        })
    }

    fn reason(events: &[OutputEvent]) -> StopReason {
        match events.last() {
            Some(OutputEvent::Finished(finish)) => finish.reason.clone(),
            other => panic!("no finish: {other:?}"),
        }
    }

    const TWO_CALLS: &str = r#"Checking. {"tool_calls":[{"name":"get_weather","arguments":{"city":"Paris"}},{"name":"now"}]} and then I guess it is sunny"#;

    #[test]
    fn valid_calls_become_tool_calls_and_trailing_text_is_dropped() {
        let events = shape(true, &[TWO_CALLS]);
        assert_eq!(
            events[..4],
            [
                OutputEvent::Reasoning("think".into()),
                OutputEvent::Text("Checking. ".into()),
                call("get_weather", r#"{"city":"Paris"}"#),
                call("now", "{}"),
            ]
        );
        assert_eq!(events.len(), 5);
        assert_eq!(reason(&events), StopReason::ToolUse);
    }

    #[test]
    fn without_parallel_calls_only_the_first_is_kept() {
        let events = shape(false, &[TWO_CALLS]);
        assert_eq!(events[2], call("get_weather", r#"{"city":"Paris"}"#));
        assert_eq!(events.len(), 4);
    }

    #[test]
    fn invalid_calls_fall_back_to_the_models_text() {
        for answer in [
            r#"{"tool_calls":[{"name":"get_weather","arguments":{"town":"Paris"}}]}"#,
            r#"{"tool_calls":[{"name":"rm_rf","arguments":{}}]}"#,
            r#"{"tool_calls":[{"name":"now"},{"name":"get_weather","arguments":{"city":1}}]}"#,
            r#"{"tool_calls":[{"name":"now","arguments":"not json"}]}"#,
            r#"Sure: {"tool_calls":[{"name":"now""#,
        ] {
            let events = shape(true, &[answer]);
            assert_eq!(events[1], OutputEvent::Text(answer.into()), "{answer}");
            assert_eq!(reason(&events), StopReason::EndTurn);
            assert_eq!(events.len(), 3);
        }
    }

    #[test]
    fn whitespace_alone_before_a_call_is_no_text() {
        let events = shape(true, &["\n", " ", r#"{"tool_calls":[{"name":"now"}]}"#, "\n"]);
        assert_eq!(events[1], call("now", "{}"));
        assert_eq!(events.len(), 3);
        let events = shape(true, &[" ", "\n", "b", " \n"]);
        assert_eq!(events[1], OutputEvent::Text(" \nb \n".into()));
        let events = shape(true, &["\n\n"]);
        assert_eq!(events[1], OutputEvent::Text("\n\n".into()));
    }

    #[test]
    fn a_tool_name_in_another_case_is_the_declared_tool() {
        let events = shape(true, &[r#"{"tool_calls":[{"name":"NOW"}]}"#]);
        assert_eq!(events[1], call("now", "{}"));
    }

    #[test]
    fn claude_code_style_schemas_compile_and_check() {
        // Claude Code's schemas name draft-07 and use local refs; they must really be checked.
        let schema = json!({
            "$schema": "http://json-schema.org/draft-07/schema#",
            "type": "object",
            "definitions": {"path": {"type": "string", "minLength": 1}},
            "properties": {"file_path": {"$ref": "#/definitions/path"}, "limit": {"type": "number"}},
            "required": ["file_path"],
            "additionalProperties": false
        });
        assert!(compile(Some(&schema)).is_some());
        let mut config = config(true);
        config.tools[1].schema = Some(schema);
        let mut shaper = ToolCallShaper::new(config);
        let good = shaper.check(RawCall {
            name: "now".into(),
            arguments: json!({"file_path": "/tmp/a", "limit": 3}),
        });
        assert!(good.is_some());
        for bad in [
            json!({"file_path": ""}),
            json!({"limit": 3}),
            json!({"file_path": "a", "x": 1}),
        ] {
            let checked = shaper.check(RawCall {
                name: "now".into(),
                arguments: bad.clone(),
            });
            assert!(checked.is_none(), "{bad}");
        }
    }

    #[test]
    fn a_broken_client_schema_does_not_block_the_tool() {
        let mut config = config(true);
        config.tools[1].schema = Some(json!({"type": 12}));
        let mut shaper = ToolCallShaper::new(config);
        let events = shaper.apply(vec![OutputEvent::Text(
            r#"{"tool_calls":[{"name":"now"}]}"#.into(),
        )]);
        assert!(matches!(&events[..], [OutputEvent::ToolCall(_)]));
    }

    proptest! {
        #[test]
        fn any_split_gives_the_same_events_and_no_markup_in_text(
            cuts in proptest::collection::vec(0usize..200, 0..10),
            fenced in any::<bool>(),
        ) {
            let answer = if fenced {
                format!("好的 😀\n```json\n{}\n```", &TWO_CALLS[10..93])
            } else {
                TWO_CALLS.to_owned()
            };
            let whole = shape(true, &[answer.as_str()]);
            let deltas = split_at(&answer, &cuts);
            let split = shape(true, &deltas);
            prop_assert_eq!(&split, &whole);
            prop_assert_eq!(split.iter().filter(|e| matches!(e, OutputEvent::ToolCall(_))).count(), 2);
            for event in &split {
                if let OutputEvent::Text(text) = event {
                    prop_assert!(!text.contains('{') && !text.contains("```"), "{}", text);
                }
            }
        }
    }
}
