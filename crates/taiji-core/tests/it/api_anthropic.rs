//! The Anthropic wire format through the public API of `taiji_core::api`: exact stream bytes, the
//! non-stream body, `count_tokens`, and the request shapes real clients (Claude Code, Cherry
//! Studio, the anthropic SDK) send, converted into the neutral transcript.

use std::sync::LazyLock;

use crate::support::{TemplateEncoder, encode_both, text_of};
use serde_json::{Value, json};
use taiji_core::api::ApiFlavor;
use taiji_core::api::anthropic::validate::validate_common;
use taiji_core::api::anthropic::{
    AnthropicAggregator, AnthropicStreamEncoder, MessageMeta, MessagesRequest, count_anthropic_tokens,
    to_transcript, validate_options,
};
use taiji_core::api::error::ApiError;
use taiji_core::api::extract::parse_json;
use taiji_core::api::limits::{LimitOutcome, OutputLimiter, OutputLimits};
use taiji_core::api::output::{Finish, OutputEvent, StopReason};
use taiji_core::api::tokens::{IMAGE_TOKENS, TokenEstimator};
use taiji_core::chat::{ChatEvent, Usage};
use taiji_core::prompt::{ImageSource, Part, Role, Turn};

// Loaded once per test binary (seconds in debug builds); an immutable fixture.
static ESTIMATOR: LazyLock<TokenEstimator> =
    LazyLock::new(|| TokenEstimator::new().expect("the embedded table loads"));

fn meta() -> MessageMeta {
    MessageMeta {
        id: "msg_1".into(),
        model: "m".into(),
    }
}

fn finish(reason: StopReason, output_tokens: u64) -> OutputEvent {
    OutputEvent::Finished(Finish {
        reason,
        usage: Usage {
            prompt_tokens: 30,
            completion_tokens: output_tokens,
            total_tokens: 30 + output_tokens,
            points: 1,
        },
        usage_estimated: false,
        reasoning_tokens: 0,
    })
}

/// Parses an SSE text into `(event name, data)` pairs, as the anthropic SDK does.
fn events(sse: &str) -> Vec<(String, Value)> {
    sse.split("\n\n")
        .filter(|event| !event.is_empty())
        .map(|event| {
            let mut lines = event.lines();
            let name = lines
                .next()
                .and_then(|line| line.strip_prefix("event: "))
                .expect("event line");
            let data = lines
                .next()
                .and_then(|line| line.strip_prefix("data: "))
                .expect("data line");
            assert!(lines.next().is_none(), "one data line per event");
            (name.to_owned(), serde_json::from_str(data).expect("json data"))
        })
        .collect()
}

#[test]
fn stream_with_thinking_then_text_matches_the_canonical_bytes() {
    let mut encoder = AnthropicStreamEncoder::new(meta(), 25);
    let mut frames = encoder.start();
    assert!(encoder.start().is_empty(), "message_start is sent once");
    frames.extend(encoder.encode(&OutputEvent::Reasoning("Let me think".into())));
    frames.extend(encoder.encode(&OutputEvent::Text("Hello".into())));
    frames.extend(encoder.encode(&OutputEvent::Text(String::new())));
    frames.extend(encoder.encode(&OutputEvent::Text("!".into())));
    frames.extend(encoder.encode(&finish(StopReason::EndTurn, 15)));
    assert!(encoder.encode(&OutputEvent::Text("late".into())).is_empty());
    let signature = meta().thinking_signature();
    let expected = [
        ("message_start", r#"{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"m","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"output_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0}}}"#.to_owned()),
        ("ping", r#"{"type":"ping"}"#.to_owned()),
        ("content_block_start", r#"{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}"#.to_owned()),
        ("content_block_delta", r#"{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Let me think"}}"#.to_owned()),
        ("content_block_delta", format!(r#"{{"type":"content_block_delta","index":0,"delta":{{"type":"signature_delta","signature":"{signature}"}}}}"#)),
        ("content_block_stop", r#"{"type":"content_block_stop","index":0}"#.to_owned()),
        ("content_block_start", r#"{"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}"#.to_owned()),
        ("content_block_delta", r#"{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Hello"}}"#.to_owned()),
        ("content_block_delta", r#"{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"!"}}"#.to_owned()),
        ("content_block_stop", r#"{"type":"content_block_stop","index":1}"#.to_owned()),
        ("message_delta", r#"{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":30,"output_tokens":15}}"#.to_owned()),
        ("message_stop", r#"{"type":"message_stop"}"#.to_owned()),
    ]
    .map(|(name, data)| format!("event: {name}\ndata: {data}\n\n"))
    .concat();
    assert_eq!(text_of(&frames), expected);
    assert!(!signature.is_empty());
}

#[test]
fn every_event_name_matches_its_data_type_and_the_order_holds() {
    let mut encoder = AnthropicStreamEncoder::new(meta(), 3);
    // No explicit start: the first event sends message_start itself.
    let mut frames = encoder.encode(&OutputEvent::Text("a".into()));
    frames.extend(encoder.encode(&OutputEvent::Reasoning("late thought".into())));
    frames.extend(encoder.encode(&OutputEvent::Text("b".into())));
    frames.extend(encoder.encode(&finish(StopReason::StopSequence("END".into()), 4)));
    let events = events(&text_of(&frames));
    for (name, data) in &events {
        assert_eq!(data["type"], name.as_str());
    }
    let names: Vec<&str> = events
        .iter()
        .map(|(name, _)| name.as_str())
        .filter(|name| *name != "ping")
        .collect();
    assert_eq!(names.first(), Some(&"message_start"));
    assert_eq!(&names[names.len() - 2..], ["message_delta", "message_stop"]);
    // Indices are contiguous in start order; every started block is stopped once.
    let starts: Vec<u64> = events
        .iter()
        .filter(|(name, _)| name == "content_block_start")
        .filter_map(|(_, data)| data["index"].as_u64())
        .collect();
    let stops: Vec<u64> = events
        .iter()
        .filter(|(name, _)| name == "content_block_stop")
        .filter_map(|(_, data)| data["index"].as_u64())
        .collect();
    assert_eq!(starts, [0, 1, 2]);
    assert_eq!(stops, [0, 1, 2]);
    let delta = &events
        .iter()
        .find(|(name, _)| name == "message_delta")
        .expect("message_delta")
        .1;
    assert_eq!(
        delta["delta"],
        json!({"stop_reason": "stop_sequence", "stop_sequence": "END"})
    );
    assert_eq!(delta["usage"]["output_tokens"], 4);
}

#[test]
fn an_empty_answer_still_has_one_text_block() {
    let mut encoder = AnthropicStreamEncoder::new(meta(), 3);
    let frames = encoder.encode(&finish(StopReason::MaxTokens, 0));
    let names: Vec<String> = events(&text_of(&frames))
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert_eq!(
        names,
        [
            "message_start",
            "ping",
            "content_block_start",
            "content_block_stop",
            "message_delta",
            "message_stop"
        ]
    );
}

#[test]
fn stream_error_and_keep_alive_events() {
    let mut encoder = AnthropicStreamEncoder::new(meta(), 3);
    let _ = encoder.start();
    assert_eq!(
        &encoder.keep_alive()[..],
        b"event: ping\ndata: {\"type\":\"ping\"}\n\n"
    );
    let frame =
        encoder.error(&ApiError::upstream_busy(std::time::Duration::from_secs(5)).with_request_id("req_1"));
    let text = String::from_utf8_lossy(&frame).into_owned();
    assert!(text.starts_with(
        "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":"
    ));
    assert!(!text.contains("req_1"), "the in-stream error has no request id");
    assert!(
        encoder.encode(&finish(StopReason::EndTurn, 1)).is_empty(),
        "nothing after an error"
    );
}

#[test]
fn non_stream_body_has_thinking_text_and_cache_counters() {
    let mut aggregator = AnthropicAggregator::new(meta());
    aggregator.push(&OutputEvent::Reasoning("hmm".into()));
    aggregator.push(&OutputEvent::Text("Hello!".into()));
    aggregator.push(&finish(StopReason::EndTurn, 6));
    let body = serde_json::to_value(aggregator.into_response()).expect("serialises");
    assert_eq!(
        body,
        json!({
            "id": "msg_1", "type": "message", "role": "assistant", "model": "m",
            "content": [
                {"type": "thinking", "thinking": "hmm", "signature": meta().thinking_signature()},
                {"type": "text", "text": "Hello!"}
            ],
            "stop_reason": "end_turn", "stop_sequence": null,
            "usage": {"input_tokens": 30, "output_tokens": 6, "cache_creation_input_tokens": 0,
                      "cache_read_input_tokens": 0}
        })
    );
}

#[test]
fn non_stream_body_reports_the_stop_sequence() {
    let mut aggregator = AnthropicAggregator::new(meta());
    aggregator.push(&OutputEvent::Text("Hi".into()));
    aggregator.push(&finish(StopReason::StopSequence("\n\nHuman:".into()), 1));
    let body = serde_json::to_value(aggregator.into_response()).expect("serialises");
    assert_eq!(body["content"], json!([{"type": "text", "text": "Hi"}]));
    assert_eq!(
        (body["stop_reason"].as_str(), body["stop_sequence"].as_str()),
        (Some("stop_sequence"), Some("\n\nHuman:"))
    );
}

#[test]
fn max_tokens_cut_ends_the_stream_with_max_tokens() {
    let limits = OutputLimits {
        stop_sequences: Vec::new(),
        max_output_tokens: Some(3),
    };
    let mut limiter = OutputLimiter::new(ESTIMATOR.clone(), &limits, 7);
    let mut encoder = AnthropicStreamEncoder::new(meta(), 7);
    let mut frames = encoder.start();
    let mut outcome = LimitOutcome::Continue;
    for delta in ["one", " two", " three", " four"] {
        let step = limiter.apply(ChatEvent::TextDelta(delta.into()));
        for event in &step.events {
            frames.extend(encoder.encode(event));
        }
        outcome = step.outcome;
        if outcome != LimitOutcome::Continue {
            break;
        }
    }
    assert_eq!(
        outcome,
        LimitOutcome::Cut {
            reason: StopReason::MaxTokens
        }
    );
    let events = events(&text_of(&frames));
    let text: String = events
        .iter()
        .filter_map(|(_, data)| data["delta"]["text"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(text, "one two three");
    let delta = &events
        .iter()
        .find(|(name, _)| name == "message_delta")
        .expect("message_delta")
        .1;
    assert_eq!(delta["delta"]["stop_reason"], "max_tokens");
    assert_eq!(delta["usage"], json!({"input_tokens": 7, "output_tokens": 3}));
}

/// A request as Claude Code sends it: system blocks with cache_control, tools, thinking, metadata,
/// beta fields, a tool_use/tool_result exchange with an image and an error, echoed thinking blocks.
fn claude_code_request() -> Value {
    json!({
        "model": "claude-sonnet-4-5-20250929",
        "max_tokens": 32000,
        "stream": true,
        "temperature": 1,
        "system": [
            {"type": "text", "text": "You are Claude Code.", "cache_control": {"type": "ephemeral"}},
            {"type": "text", "text": "Be concise."}
        ],
        "messages": [
            {"role": "user", "content": [{"type": "text", "text": "list files", "cache_control": {"type": "ephemeral", "ttl": "1h"}}]},
            {"role": "assistant", "content": [
                {"type": "thinking", "thinking": "I should run ls", "signature": "EqQB"},
                {"type": "redacted_thinking", "data": "xyz"},
                {"type": "text", "text": "Running ls."},
                {"type": "tool_use", "id": "toolu_1", "name": "Bash", "input": {"command": "ls"}}
            ]},
            {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "toolu_1", "content": [
                    {"type": "text", "text": "a.txt\nb.txt"},
                    {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}}
                ]},
                {"type": "tool_result", "tool_use_id": "toolu_2", "content": "boom", "is_error": true},
                {"type": "text", "text": "thanks"}
            ]}
        ],
        "tools": [{"name": "Bash", "description": "Run a command", "input_schema": {"type": "object", "properties": {"command": {"type": "string"}}}}],
        "tool_choice": {"type": "auto"},
        "thinking": {"type": "enabled", "budget_tokens": 1024},
        "metadata": {"user_id": "u"},
        "context_management": {"edits": []},
        "output_config": {"effort": "high"}
    })
}

#[test]
fn converts_claude_code_requests() {
    let request: MessagesRequest = parse_json(claude_code_request().to_string().as_bytes()).expect("parses");
    let options = validate_options(&request).expect("valid");
    assert!(options.stream);
    assert_eq!(options.model, "claude-sonnet-4-5-20250929");
    assert_eq!(options.limits.max_output_tokens, Some(32000));
    let transcript = to_transcript(&request).expect("converts");
    assert_eq!(transcript.system[0], "You are Claude Code.\nBe concise.");
    assert!(transcript.system[1].contains("- Bash: Run a command Arguments: {"));
    assert_eq!(
        transcript.turns,
        vec![
            Turn::text(Role::User, "list files"),
            Turn {
                role: Role::Assistant,
                parts: vec![
                    Part::Text("Running ls.".into()),
                    Part::Text(r#"{"tool_calls":[{"name":"Bash","arguments":{"command":"ls"}}]}"#.into()),
                ],
            },
            Turn {
                role: Role::Tool,
                parts: vec![
                    Part::Text("[result of Bash (id toolu_1)]\na.txt\nb.txt".into()),
                    Part::Image(ImageSource::DataUrl("data:image/png;base64,iVBORw0KGgo=".into())),
                    Part::Text("[error from tool (id toolu_2)]\nboom".into()),
                ],
            },
            Turn::text(Role::User, "thanks"),
        ]
    );
}

#[test]
fn converts_cherry_studio_requests() {
    // Cherry Studio (AI SDK anthropic provider): system blocks, a url image, a text document.
    let body = json!({
        "model": "m", "max_tokens": 4096,
        "system": [{"type": "text", "text": "test"}],
        "messages": [{"role": "user", "content": [
            {"type": "image", "source": {"type": "url", "url": "https://example.com/cat.png"}},
            {"type": "document", "title": "notes.txt", "source": {"type": "text", "media_type": "text/plain", "data": "hello"}},
            {"type": "text", "text": "hi"}
        ]}]
    });
    let request: MessagesRequest = parse_json(body.to_string().as_bytes()).expect("parses");
    let options = validate_options(&request).expect("valid");
    assert!(!options.stream);
    let transcript = to_transcript(&request).expect("converts");
    assert_eq!(transcript.system, ["test"]);
    assert_eq!(
        transcript.turns,
        vec![Turn {
            role: Role::User,
            parts: vec![
                Part::Image(ImageSource::Url("https://example.com/cat.png".into())),
                Part::Text("[document: notes.txt]\nhello".into()),
                Part::Text("hi".into()),
            ],
        }]
    );
}

fn rejected(body: Value) -> ApiError {
    let request: MessagesRequest = parse_json(body.to_string().as_bytes()).expect("parses");
    validate_options(&request)
        .and_then(|_| to_transcript(&request))
        .expect_err("invalid")
}

#[test]
fn invalid_requests_name_the_field_in_the_message() {
    let user = json!([{"role": "user", "content": "hi"}]);
    let error = rejected(json!({"messages": user, "max_tokens": 5}));
    assert_eq!(error.param(), Some("model"));
    let body = serde_json::to_value(error.anthropic_body()).expect("serialises");
    assert_eq!(
        body,
        json!({"type": "error", "error": {"type": "invalid_request_error", "message": "model: Field required."}})
    );
    assert_eq!(
        rejected(json!({"model": "m", "max_tokens": 5})).param(),
        Some("messages")
    );
    assert_eq!(
        rejected(json!({"model": "m", "messages": []})).param(),
        Some("messages")
    );
    assert_eq!(
        rejected(json!({"model": "m", "messages": [{"role": "developer", "content": "x"}]})).param(),
        Some("messages.0.role")
    );
    assert_eq!(
        rejected(json!({"model": "m", "messages": user, "temperature": 1.5})).param(),
        Some("temperature")
    );
    assert_eq!(
        rejected(json!({"model": "m", "messages": user, "max_tokens": 0})).param(),
        Some("max_tokens")
    );
    let pdf = json!([{"role": "user", "content": [{"type": "text", "text": "read"},
        {"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBERi0="}}]}]);
    let error = rejected(json!({"model": "m", "messages": pdf}));
    assert_eq!(error.param(), Some("messages.0.content.1"));
    assert!(error.message().contains("PDF"));
    assert_eq!(error.status(ApiFlavor::Anthropic), http::StatusCode::BAD_REQUEST);
    let bad_image = json!([{"role": "user", "content": [{"type": "image", "source": {"type": "base64", "media_type": "application/pdf", "data": "x"}}]}]);
    assert_eq!(
        rejected(json!({"model": "m", "messages": bad_image})).param(),
        Some("messages.0.content.0.source.media_type")
    );
}

#[test]
fn lenient_about_missing_max_tokens_unknown_fields_and_tool_choice_none() {
    let body = json!({"model": "m", "messages": [{"role": "user", "content": "hi"}], "tool_choice": {"type": "none"},
                      "top_k": 5, "service_tier": "auto", "container": null, "mcp_servers": [], "inference_geo": "us"});
    let request: MessagesRequest = parse_json(body.to_string().as_bytes()).expect("parses");
    let options = validate_options(&request).expect("valid");
    assert_eq!(options.limits, OutputLimits::default());
    assert_eq!(
        to_transcript(&request).expect("converts").turns,
        vec![Turn::text(Role::User, "hi")]
    );
}

#[test]
fn count_tokens_counts_system_messages_tools_and_images() {
    let request: MessagesRequest = parse_json(claude_code_request().to_string().as_bytes()).expect("parses");
    assert!(validate_common(&request).is_ok());
    let total = count_anthropic_tokens(&ESTIMATOR, &request);
    let mut without_tools = request.clone();
    without_tools.tools = None;
    let mut without_system = request;
    without_system.system = None;
    assert!(count_anthropic_tokens(&ESTIMATOR, &without_tools) < total);
    assert!(count_anthropic_tokens(&ESTIMATOR, &without_system) < total);
    assert!(total > IMAGE_TOKENS, "the screenshot counts");

    let simple: MessagesRequest =
        parse_json(br#"{"model":"m","messages":[{"role":"user","content":"hello world"}]}"#).expect("parses");
    // Two tokens of text plus the per-message overhead.
    assert_eq!(
        count_anthropic_tokens(&ESTIMATOR, &simple),
        2 + taiji_core::api::tokens::MESSAGE_OVERHEAD_TOKENS
    );
}

#[test]
fn tool_choice_forms_become_the_neutral_tool_config() {
    use taiji_core::api::anthropic::tool_config;
    use taiji_core::api::tools::ToolChoice;
    let config = |choice: Value| {
        let body = json!({"model": "m", "max_tokens": 10, "messages": [{"role": "user", "content": "hi"}],
            "tools": [{"name": "Bash", "description": "Run.", "input_schema": {"type": "object"}}],
            "tool_choice": choice});
        let request: MessagesRequest = parse_json(body.to_string().as_bytes()).expect("parses");
        validate_options(&request).expect("forced choices are valid");
        tool_config(&request)
    };
    assert_eq!(config(json!({"type": "auto"})).choice, ToolChoice::Auto);
    assert_eq!(config(json!({"type": "any"})).choice, ToolChoice::Required);
    assert_eq!(config(json!({"type": "none"})).choice, ToolChoice::None);
    let named = config(json!({"type": "tool", "name": "Bash", "disable_parallel_tool_use": true}));
    assert_eq!(
        (named.choice, named.parallel),
        (ToolChoice::Named("Bash".into()), false)
    );
    assert!(config(Value::Null).parallel);
}

/// The events of one answer for the template test: text and thinking deltas of any content, in
/// any order (so blocks open and close), tool calls between them, then a finish.
fn any_events() -> impl proptest::strategy::Strategy<Value = Vec<OutputEvent>> {
    use proptest::prelude::*;
    let event = prop_oneof![
        4 => any::<String>().prop_map(OutputEvent::Text),
        2 => "[\"\\\\\u{0}-\u{1f}a-z你好😀]{0,12}".prop_map(OutputEvent::Reasoning),
        1 => "[a-z]{1,8}".prop_map(|name| OutputEvent::ToolCall(taiji_core::api::output::ToolCall {
            id: "t1".into(),
            name,
            arguments: "{\"city\":\"北京\"}".into(),
        })),
    ];
    proptest::collection::vec(event, 0..16)
}

proptest::proptest! {
    /// Deltas written into the cut event template are byte for byte the events `encode` serialises.
    #[test]
    fn template_deltas_are_the_serialised_events(events in any_events()) {
        let (expected, written) = encode_both(
            AnthropicStreamEncoder::new(meta(), 9),
            AnthropicStreamEncoder::new(meta(), 9),
            &events,
        );
        proptest::prop_assert_eq!(written, expected);
    }
}

impl TemplateEncoder for AnthropicStreamEncoder {
    fn opening(&mut self) -> Vec<bytes::Bytes> {
        self.start()
    }

    fn encode(&mut self, event: &OutputEvent) -> Vec<bytes::Bytes> {
        AnthropicStreamEncoder::encode(self, event)
    }

    fn encode_into(&mut self, event: &OutputEvent, out: &mut bytes::BytesMut) {
        AnthropicStreamEncoder::encode_into(self, event, out);
    }
}
