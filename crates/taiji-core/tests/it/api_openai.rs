//! The OpenAI wire format through the public API of `taiji_core::api`: exact stream bytes, the
//! non-stream body, and the request shapes real clients (Cherry Studio, the openai SDK) send.

use std::sync::LazyLock;

use crate::support::{TemplateEncoder, encode_both, text_of};
use serde_json::{Value, json};
use taiji_core::api::extract::parse_json;
use taiji_core::api::limits::{LimitOutcome, OutputLimiter, OutputLimits};
use taiji_core::api::openai::request::{ImageUrl, MessageContent, StopField};
use taiji_core::api::openai::{
    ChatCompletionRequest, OpenAiAggregator, OpenAiStreamEncoder, ResponseMeta, to_transcript,
    validate_options,
};
use taiji_core::api::output::{Finish, OutputEvent, StopReason};
use taiji_core::api::tokens::TokenEstimator;
use taiji_core::chat::{ChatEvent, Usage};
use taiji_core::prompt::{ImageSource, Part, Role, Transcript, Turn};

// Loaded once per test binary (seconds in debug builds); an immutable fixture.
static ESTIMATOR: LazyLock<TokenEstimator> =
    LazyLock::new(|| TokenEstimator::new().expect("the embedded table loads"));

fn meta() -> ResponseMeta {
    ResponseMeta {
        id: "chatcmpl-1".into(),
        created: 1_732_200_000,
        model: "m".into(),
    }
}

fn finish(reason: StopReason) -> OutputEvent {
    OutputEvent::Finished(Finish {
        reason,
        usage: Usage {
            prompt_tokens: 12,
            completion_tokens: 2,
            total_tokens: 14,
            points: 1,
        },
        usage_estimated: false,
        reasoning_tokens: 0,
    })
}

const HEAD: &str = r#"data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1732200000,"model":"m","system_fingerprint":null,"choices":["#;

#[test]
fn stream_with_usage_matches_the_canonical_bytes() {
    let mut encoder = OpenAiStreamEncoder::new(meta(), true);
    let mut frames: Vec<bytes::Bytes> = encoder.start().into_iter().collect();
    assert!(encoder.start().is_none(), "the role chunk is sent once");
    frames.extend(encoder.encode(&OutputEvent::Text("Hel".into())));
    frames.extend(encoder.encode(&OutputEvent::Text(String::new())));
    frames.extend(encoder.encode(&OutputEvent::Text("lo".into())));
    frames.extend(encoder.encode(&finish(StopReason::EndTurn)));
    assert!(encoder.encode(&OutputEvent::Text("late".into())).is_empty());
    let expected = [
        format!(r#"{HEAD}{{"index":0,"delta":{{"role":"assistant","content":""}},"logprobs":null,"finish_reason":null}}],"usage":null}}"#),
        format!(r#"{HEAD}{{"index":0,"delta":{{"content":"Hel"}},"logprobs":null,"finish_reason":null}}],"usage":null}}"#),
        format!(r#"{HEAD}{{"index":0,"delta":{{"content":"lo"}},"logprobs":null,"finish_reason":null}}],"usage":null}}"#),
        format!(r#"{HEAD}{{"index":0,"delta":{{}},"logprobs":null,"finish_reason":"stop"}}],"usage":null}}"#),
        format!(
            r#"{HEAD}],"usage":{{"prompt_tokens":12,"completion_tokens":2,"total_tokens":14,"prompt_tokens_details":{{"cached_tokens":0}},"completion_tokens_details":{{"reasoning_tokens":0}}}}}}"#
        ),
        String::from("data: [DONE]"),
    ]
    .map(|line| format!("{line}\n\n"))
    .concat();
    assert_eq!(text_of(&frames), expected);
}

#[test]
fn stream_without_usage_never_sends_an_empty_choices_chunk() {
    let mut encoder = OpenAiStreamEncoder::new(meta(), false);
    // No explicit start: the first event sends the role chunk itself.
    let mut frames = encoder.encode(&OutputEvent::Reasoning("think".into()));
    frames.extend(encoder.encode(&OutputEvent::Text("answer".into())));
    frames.extend(encoder.encode(&finish(StopReason::MaxTokens)));
    let chunks: Vec<Value> = text_of(&frames)
        .split("\n\n")
        .filter(|event| !event.is_empty() && *event != "data: [DONE]")
        .map(|event| serde_json::from_str(event.trim_start_matches("data: ")).expect("json chunk"))
        .collect();
    assert_eq!(chunks.len(), 4);
    assert_eq!(
        chunks[0]["choices"][0]["delta"],
        json!({"role": "assistant", "content": ""})
    );
    assert_eq!(
        chunks[1]["choices"][0]["delta"],
        json!({"reasoning_content": "think"})
    );
    assert_eq!(chunks[2]["choices"][0]["delta"], json!({"content": "answer"}));
    assert_eq!(chunks[3]["choices"][0]["finish_reason"], "length");
    for chunk in &chunks {
        assert_eq!(chunk["choices"].as_array().map(Vec::len), Some(1));
        assert_eq!(chunk["usage"], Value::Null);
        assert_eq!(
            (chunk["id"].as_str(), chunk["created"].as_i64()),
            (Some("chatcmpl-1"), Some(1_732_200_000))
        );
    }
    let finishes = chunks
        .iter()
        .filter(|chunk| !chunk["choices"][0]["finish_reason"].is_null())
        .count();
    assert_eq!(finishes, 1);
    assert!(text_of(&frames).ends_with("data: [DONE]\n\n"));
}

#[test]
fn stream_error_and_keep_alive_frames() {
    let mut encoder = OpenAiStreamEncoder::new(meta(), false);
    assert_eq!(&encoder.keep_alive()[..], b": keep-alive\n\n");
    let error = taiji_core::api::error::ApiError::upstream_failed("EOF without [DONE]");
    let frame = encoder.error(&error);
    assert_eq!(
        String::from_utf8_lossy(&frame),
        "data: {\"error\":{\"message\":\"Taiji AI failed: EOF without [DONE]\",\"type\":\"server_error\",\"param\":null,\"code\":\"upstream_error\"}}\n\n"
    );
    assert!(encoder.is_finished());
    assert!(
        encoder.encode(&finish(StopReason::EndTurn)).is_empty(),
        "nothing after an error"
    );
}

#[test]
fn non_stream_body_has_every_field_clients_read() {
    let mut aggregator = OpenAiAggregator::new(meta());
    aggregator.push(&OutputEvent::Reasoning("hmm".into()));
    aggregator.push(&OutputEvent::Text("Hello!".into()));
    aggregator.push(&OutputEvent::Finished(Finish {
        reason: StopReason::StopSequence("END".into()),
        usage: Usage {
            prompt_tokens: 12,
            completion_tokens: 3,
            total_tokens: 15,
            points: 1,
        },
        usage_estimated: false,
        reasoning_tokens: 1,
    }));
    assert!(aggregator.is_finished());
    let body = serde_json::to_value(aggregator.into_response()).expect("serialises");
    assert_eq!(
        body,
        json!({
            "id": "chatcmpl-1", "object": "chat.completion", "created": 1_732_200_000, "model": "m",
            "system_fingerprint": null,
            "choices": [{
                "index": 0,
                "message": {"role": "assistant", "content": "Hello!", "reasoning_content": "hmm",
                            "refusal": null, "annotations": []},
                "logprobs": null,
                "finish_reason": "stop"
            }],
            "usage": {"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15,
                      "prompt_tokens_details": {"cached_tokens": 0},
                      "completion_tokens_details": {"reasoning_tokens": 1}}
        })
    );
}

#[test]
fn non_stream_body_omits_reasoning_when_there_is_none() {
    let mut aggregator = OpenAiAggregator::new(meta());
    aggregator.push(&OutputEvent::Text("Hi".into()));
    aggregator.push(&finish(StopReason::EndTurn));
    let body = serde_json::to_value(aggregator.into_response()).expect("serialises");
    assert!(body["choices"][0]["message"].get("reasoning_content").is_none());
}

#[test]
fn limiter_and_encoder_cut_at_a_stop_sequence() {
    let limits = OutputLimits {
        stop_sequences: vec!["\n\nUser:".into()],
        max_output_tokens: None,
    };
    let mut limiter = OutputLimiter::new(ESTIMATOR.clone(), &limits, 5);
    let mut encoder = OpenAiStreamEncoder::new(meta(), true);
    let mut frames: Vec<bytes::Bytes> = encoder.start().into_iter().collect();
    let mut cut = None;
    for delta in ["Sure.", "\n\nUs", "er: next", " more"] {
        let step = limiter.apply(ChatEvent::TextDelta(delta.into()));
        for event in &step.events {
            frames.extend(encoder.encode(event));
        }
        if let LimitOutcome::Cut { reason } = step.outcome {
            cut = Some(reason);
            break;
        }
    }
    assert_eq!(cut, Some(StopReason::StopSequence("\n\nUser:".into())));
    let text = text_of(&frames);
    assert!(text.contains(r#""delta":{"content":"Sure."}"#));
    assert!(!text.contains("User"));
    assert!(text.contains(r#""finish_reason":"stop""#));
    assert!(text.ends_with("data: [DONE]\n\n"));
}

#[test]
fn parses_cherry_studio_requests() {
    // Cherry Studio (AI SDK openai-compatible): stream_options by default, vendor extras, image as
    // a data URL without detail, an assistant turn echoing reasoning_content, an empty-content
    // assistant turn with tool_calls, and a tool result.
    let body = br#"{
        "model": "gpt-5", "stream": true, "stream_options": {"include_usage": true},
        "temperature": 1, "top_p": 1, "enable_thinking": true, "thinking": {"type": "enabled"},
        "reasoning_effort": "high", "max_tokens": 256, "stop": "END",
        "messages": [
            {"role": "system", "content": "test"},
            {"role": "user", "content": [{"type": "text", "text": "look"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}}]},
            {"role": "assistant", "content": "", "reasoning_content": "thought",
             "tool_calls": [{"id": "call_1", "type": "function",
                             "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}]},
            {"role": "tool", "tool_call_id": "call_1", "content": "sunny"},
            {"role": "user", "content": "hi"}
        ],
        "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}],
        "tool_choice": "auto"
    }"#;
    let request: ChatCompletionRequest = parse_json(body).expect("parses");
    let options = validate_options(&request).expect("valid");
    assert_eq!(options.model, "gpt-5");
    assert!(options.stream && options.include_usage);
    assert_eq!(
        options.limits,
        OutputLimits {
            stop_sequences: vec!["END".into()],
            max_output_tokens: Some(256)
        }
    );
    let messages = request.messages.expect("messages");
    assert_eq!(messages.len(), 5);
    let Some(MessageContent::Parts(parts)) = &messages[1].content else {
        panic!("parts")
    };
    assert_eq!(parts[1].kind, "image_url");
    assert_eq!(
        parts[1].image_url.as_ref().map(ImageUrl::url),
        Some("data:image/png;base64,iVBORw0KGgo=")
    );
    let calls = messages[2].tool_calls.as_ref().expect("tool calls");
    assert_eq!(
        calls[0].function.as_ref().map(|f| f.arguments_text()).as_deref(),
        Some(r#"{"city":"Paris"}"#)
    );
    assert_eq!(
        request.tools.as_ref().and_then(|tools| tools[0].name()),
        Some("get_weather")
    );
}

#[test]
fn parses_openai_sdk_shapes() {
    let body = br#"{
        "model": "m", "max_completion_tokens": 10, "max_tokens": 99, "stop": ["a", "", "b"], "n": 1,
        "stream": false, "stream_options": {"include_usage": true},
        "messages": [
            {"role": "developer", "content": [{"type": "text", "text": "be brief"}]},
            {"role": "user", "content": [{"type": "image_url", "image_url": "https://example.com/a.png"}], "name": "bob"},
            {"role": "assistant", "content": null, "tool_calls": [{"id": "c", "type": "function",
              "function": {"name": "f", "arguments": {"x": 1}}}]},
            {"role": "function", "name": "f", "content": "42"}
        ],
        "response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": {}, "strict": true}},
        "user": "u", "seed": 1, "store": false, "metadata": {"a": "b"}, "service_tier": "auto"
    }"#;
    let request: ChatCompletionRequest = parse_json(body).expect("parses");
    let options = validate_options(&request).expect("valid");
    assert_eq!(
        options.limits.max_output_tokens,
        Some(10),
        "max_completion_tokens wins"
    );
    assert_eq!(
        options.limits.stop_sequences,
        vec!["a".to_owned(), "b".to_owned()]
    );
    assert!(
        !options.stream && !options.include_usage,
        "include_usage only applies to streams"
    );
    let messages = request.messages.expect("messages");
    let Some(MessageContent::Parts(parts)) = &messages[1].content else {
        panic!("parts")
    };
    assert_eq!(
        parts[0].image_url.as_ref().map(ImageUrl::url),
        Some("https://example.com/a.png")
    );
    assert!(messages[2].content.is_none());
    let call = messages[2]
        .tool_calls
        .as_ref()
        .and_then(|calls| calls[0].function.clone())
        .expect("call");
    assert_eq!(call.arguments_text(), r#"{"x":1}"#);
    assert_eq!(
        request.stop,
        Some(StopField::Many(vec!["a".into(), String::new(), "b".into()]))
    );
}

/// Validates `body` and returns the error's `(param, message)`.
fn rejection(body: Value) -> (Option<String>, String) {
    let request: ChatCompletionRequest = parse_json(body.to_string().as_bytes()).expect("parses");
    let error = validate_options(&request).expect_err("invalid");
    assert_eq!(
        error.status(taiji_core::api::ApiFlavor::OpenAi),
        http::StatusCode::BAD_REQUEST
    );
    (error.param().map(str::to_owned), error.message().to_owned())
}

#[test]
fn invalid_requests_name_the_field() {
    let user = json!([{"role": "user", "content": "hi"}]);
    assert_eq!(rejection(json!({"messages": user})).0.as_deref(), Some("model"));
    assert_eq!(rejection(json!({"model": "m"})).0.as_deref(), Some("messages"));
    assert_eq!(
        rejection(json!({"model": "m", "messages": []})).0.as_deref(),
        Some("messages")
    );
    let (param, message) = rejection(json!({"model": "m", "messages": user, "n": 2}));
    assert_eq!(param.as_deref(), Some("n"));
    assert!(message.contains("n > 1 is not supported"));
    assert_eq!(
        rejection(json!({"model": "m", "messages": user, "temperature": 2.5}))
            .0
            .as_deref(),
        Some("temperature")
    );
    assert_eq!(
        rejection(json!({"model": "m", "messages": user, "top_p": -0.1}))
            .0
            .as_deref(),
        Some("top_p")
    );
    assert_eq!(
        rejection(json!({"model": "m", "messages": user, "max_tokens": 0}))
            .0
            .as_deref(),
        Some("max_tokens")
    );
    let (param, message) = rejection(
        json!({"model": "m", "messages": [{"role": "user", "content": "a"}, {"role": "robot", "content": "b"}]}),
    );
    assert_eq!(param.as_deref(), Some("messages[1].role"));
    assert!(message.contains("robot"));
    assert_eq!(
        rejection(json!({"model": "m", "messages": [{"content": "b"}]}))
            .0
            .as_deref(),
        Some("messages[0].role")
    );
    assert_eq!(
        rejection(json!({"model": "m", "messages": user, "response_format": {"type": "xml"}}))
            .0
            .as_deref(),
        Some("response_format.type")
    );
}

#[test]
fn lenient_about_what_can_be_ignored() {
    let body = json!({"model": "m", "messages": [{"role": "user", "content": "hi"}], "tool_choice": "none",
                      "temperature": 0, "top_p": 1, "n": 1, "stream": null, "logit_bias": {"1": 2},
                      "web_search_options": {}, "verbosity": "low", "prompt_cache_key": "k"});
    let request: ChatCompletionRequest = parse_json(body.to_string().as_bytes()).expect("parses");
    let options = validate_options(&request).expect("valid");
    assert!(!options.stream);
    assert_eq!(options.limits, OutputLimits::default());
}

#[test]
fn malformed_bodies_are_clear_400s() {
    for body in [
        &b""[..],
        b"   ",
        b"{",
        b"[1,2]",
        b"{\"model\": 5, \"messages\": []}",
        b"{\"messages\": \"hi\"}",
    ] {
        let error = parse_json::<ChatCompletionRequest>(body).expect_err("rejected");
        assert_eq!(
            error.status(taiji_core::api::ApiFlavor::OpenAi),
            http::StatusCode::BAD_REQUEST
        );
        assert!(!error.message().is_empty());
    }
}

#[test]
fn converts_cherry_studio_requests_into_the_transcript() {
    let body = json!({
        "model": "gpt-5", "stream": true,
        "messages": [
            {"role": "system", "content": "test"},
            {"role": "developer", "content": [{"type": "text", "text": "be brief"}]},
            {"role": "user", "content": [{"type": "text", "text": "look"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
                {"type": "file", "file": {"filename": "shot.png", "file_data": "data:image/png;base64,AAAA"}}]},
            {"role": "assistant", "content": "", "reasoning_content": "thought",
             "tool_calls": [{"id": "call_1", "type": "function",
                             "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}]},
            {"role": "tool", "tool_call_id": "call_1", "content": "sunny"},
            {"role": "assistant", "content": [{"type": "text", "text": "It is sunny."}]},
            {"role": "user", "content": "hi"}
        ],
        "tools": [{"type": "function", "function": {"name": "get_weather"}}],
        "response_format": {"type": "json_object"}
    });
    let request: ChatCompletionRequest = parse_json(body.to_string().as_bytes()).expect("parses");
    let transcript = to_transcript(&request).expect("converts");
    assert_eq!(transcript.system[..2], ["test".to_owned(), "be brief".to_owned()]);
    assert!(transcript.system[2].contains("- get_weather Arguments: {\"type\":\"object\"}"));
    assert!(transcript.system[3].contains("valid JSON object"));
    assert_eq!(
        transcript.turns,
        vec![
            Turn {
                role: Role::User,
                parts: vec![
                    Part::Text("look".into()),
                    Part::Image(ImageSource::DataUrl("data:image/png;base64,iVBORw0KGgo=".into())),
                    Part::Image(ImageSource::DataUrl("data:image/png;base64,AAAA".into())),
                ],
            },
            Turn::text(
                Role::Assistant,
                r#"{"tool_calls":[{"name":"get_weather","arguments":{"city":"Paris"}}]}"#
            ),
            Turn::text(Role::Tool, "[result of get_weather (id call_1)]\nsunny"),
            Turn::text(Role::Assistant, "It is sunny."),
            Turn::text(Role::User, "hi"),
        ]
    );
}

#[test]
fn a_plain_request_has_no_extra_system_notes() {
    let body = json!({"model": "m", "messages": [{"role": "user", "content": "hi"}], "tools": []});
    let request: ChatCompletionRequest = parse_json(body.to_string().as_bytes()).expect("parses");
    assert_eq!(
        to_transcript(&request).expect("converts"),
        Transcript::single_user("hi")
    );
}

#[test]
fn unsupported_modalities_are_400s_naming_the_part() {
    let reject = |content: Value| {
        let body = json!({"model": "m", "messages": [{"role": "user", "content": "a"}, {"role": "user", "content": content}]});
        let request: ChatCompletionRequest = parse_json(body.to_string().as_bytes()).expect("parses");
        let error = to_transcript(&request).expect_err("rejected");
        assert_eq!(
            error.status(taiji_core::api::ApiFlavor::OpenAi),
            http::StatusCode::BAD_REQUEST
        );
        (error.param().map(str::to_owned), error.message().to_owned())
    };
    let (param, message) = reject(
        json!([{"type": "text", "text": "x"}, {"type": "input_audio", "input_audio": {"data": "AAAA", "format": "wav"}}]),
    );
    assert_eq!(param.as_deref(), Some("messages[1].content[1]"));
    assert!(message.contains("Audio"));
    let (param, message) = reject(
        json!([{"type": "file", "file": {"filename": "a.pdf", "file_data": "data:application/pdf;base64,JVBERi0="}}]),
    );
    assert_eq!(param.as_deref(), Some("messages[1].content[0]"));
    assert!(message.contains("PDF"));
    let (param, _) = reject(json!([{"type": "video_url", "video_url": {"url": "https://x/v.mp4"}}]));
    assert_eq!(param.as_deref(), Some("messages[1].content[0]"));
    let (param, _) = reject(json!([{"type": "image_url", "image_url": {"url": "ftp://x/a.png"}}]));
    assert_eq!(param.as_deref(), Some("messages[1].content[0].image_url.url"));
    let body = json!({"model": "m", "messages": [{"role": "system", "content": [{"type": "image_url", "image_url": {"url": "https://x/a.png"}}]}]});
    let request: ChatCompletionRequest = parse_json(body.to_string().as_bytes()).expect("parses");
    assert_eq!(
        to_transcript(&request).expect_err("rejected").param(),
        Some("messages[0].content[0]")
    );
}

#[test]
fn tool_choice_forms_become_the_neutral_tool_config() {
    use taiji_core::api::openai::tool_config;
    use taiji_core::api::tools::ToolChoice;
    let config = |extra: Value| {
        let mut body = json!({"model": "m", "messages": [{"role": "user", "content": "hi"}],
            "tools": [{"type": "function", "function": {"name": "a", "description": "A.", "parameters": {"type": "object"}}},
                      {"type": "function", "function": {"name": "b"}},
                      {"type": "custom", "custom": {"name": "free"}}]});
        for (key, value) in extra.as_object().expect("object") {
            body[key] = value.clone();
        }
        let request: ChatCompletionRequest = parse_json(body.to_string().as_bytes()).expect("parses");
        validate_options(&request).expect("forced choices are valid");
        tool_config(&request)
    };
    let auto = config(json!({}));
    let names: Vec<&str> = auto.tools.iter().map(|tool| tool.name.as_str()).collect();
    assert_eq!(names, ["a", "b"], "custom tools take free text and are left out");
    assert_eq!((auto.choice.clone(), auto.parallel), (ToolChoice::Auto, true));
    assert_eq!(auto.tools[0].description, "A.");
    assert_eq!(
        config(json!({"tool_choice": "required"})).choice,
        ToolChoice::Required
    );
    assert_eq!(config(json!({"tool_choice": "none"})).choice, ToolChoice::None);
    assert_eq!(
        config(json!({"tool_choice": {"type": "function", "function": {"name": "b"}}})).choice,
        ToolChoice::Named("b".into())
    );
    assert_eq!(
        config(json!({"function_call": {"name": "a"}})).choice,
        ToolChoice::Named("a".into())
    );
    assert!(!config(json!({"parallel_tool_calls": false})).parallel);
    let allowed = config(json!({"tool_choice": {"type": "allowed_tools", "allowed_tools": {
        "mode": "required", "tools": [{"type": "function", "function": {"name": "b"}}]}}}));
    assert_eq!(allowed.choice, ToolChoice::Required);
    assert_eq!(allowed.tools.len(), 1);
    assert_eq!(allowed.tools[0].name, "b");
}

/// The events of one answer for the template test: deltas of any text (quotes, backslashes,
/// control characters, Chinese, emoji), then a finish.
fn any_events() -> impl proptest::strategy::Strategy<Value = Vec<OutputEvent>> {
    use proptest::prelude::*;
    let delta = prop_oneof![
        any::<String>().prop_map(OutputEvent::Text),
        "[\"\\\\\u{0}-\u{1f}a-z你好😀]{0,12}".prop_map(OutputEvent::Text),
        any::<String>().prop_map(OutputEvent::Reasoning),
    ];
    proptest::collection::vec(delta, 0..12)
}

proptest::proptest! {
    /// Deltas written into the cut chunk template are byte for byte the chunks `encode` serialises.
    #[test]
    fn template_deltas_are_the_serialised_chunks(events in any_events(), model in "[a-z0-9.:/-]{1,20}") {
        let meta = ResponseMeta { id: "chatcmpl-x".into(), created: 1, model };
        let (expected, written) = encode_both(
            OpenAiStreamEncoder::new(meta.clone(), true),
            OpenAiStreamEncoder::new(meta, true),
            &events,
        );
        proptest::prop_assert_eq!(written, expected);
    }
}

impl TemplateEncoder for OpenAiStreamEncoder {
    fn opening(&mut self) -> Vec<bytes::Bytes> {
        self.start().into_iter().collect()
    }

    fn encode(&mut self, event: &OutputEvent) -> Vec<bytes::Bytes> {
        OpenAiStreamEncoder::encode(self, event)
    }

    fn encode_into(&mut self, event: &OutputEvent, out: &mut bytes::BytesMut) {
        OpenAiStreamEncoder::encode_into(self, event, out);
    }
}
