//! "Accept everything the real APIs accept": request bodies of today's clients (Claude Code 2.1's
//! captured first request, the newest OpenAI and Anthropic request fields, server-tool and search
//! result blocks) pass validation and conversion; only truly invalid input is refused.

use serde_json::{Value, json};
use taiji_core::api::anthropic::{self, MessagesRequest};
use taiji_core::api::extract::parse_json;
use taiji_core::api::openai::{self, ChatCompletionRequest};
use taiji_core::prompt::{Role, Transcript, render_text};

/// Claude Code 2.1.332's first request of `claude -p "say pong"`, captured on loopback and
/// sanitised (tests/sdk/fixtures, shared with the end-to-end replay).
const CLAUDE_CODE_CAPTURE: &str =
    include_str!("../../../../tests/sdk/fixtures/claude-code-2.1.332-messages.json");

fn anthropic_transcript(body: &Value) -> Transcript {
    let request: MessagesRequest = parse_json(body.to_string().as_bytes()).expect("parses");
    anthropic::validate_options(&request).expect("valid options");
    anthropic::to_transcript(&request).expect("converts")
}

fn openai_transcript(body: &Value) -> Transcript {
    let request: ChatCompletionRequest = parse_json(body.to_string().as_bytes()).expect("parses");
    openai::validate_options(&request).expect("valid options");
    openai::to_transcript(&request).expect("converts")
}

#[test]
fn claude_code_first_request_is_accepted_with_its_system_turn_in_place() {
    let capture: Value = serde_json::from_str(CLAUDE_CODE_CAPTURE).expect("fixture is JSON");
    let body = &capture["body"];
    // The shapes that broke or could break: a system message between turns, adaptive thinking,
    // context management, effort, a billing-header system block, deferred tools, 128k max_tokens.
    assert_eq!(body["messages"][1]["role"], "system");
    assert_eq!(body["thinking"]["type"], "adaptive");
    assert!(
        body["system"][0]["text"]
            .as_str()
            .unwrap()
            .starts_with("x-anthropic-billing-header:")
    );
    assert!(body["tools"].as_array().unwrap().len() >= 10);

    let transcript = anthropic_transcript(body);
    let system = transcript.system.join("\n");
    assert!(
        !system.contains("x-anthropic-billing-header"),
        "the billing line is dropped"
    );
    assert!(system.starts_with("You are a Claude agent"), "{}", &system[..80]);
    let roles: Vec<Role> = transcript.turns.iter().map(|turn| turn.role).collect();
    assert_eq!(roles, [Role::User, Role::System]);

    let text = render_text(&transcript).expect("renders");
    let user = text.find("用户：").expect("user turn");
    let environment = text
        .find("系统提示：# Environment")
        .expect("labelled system turn");
    assert!(user < environment, "the system turn stays after the user turn");
    assert!(text.contains("say pong"));
}

#[test]
fn anthropic_beta_and_new_fields_are_ignored_not_refused() {
    for thinking in [
        json!({"type": "adaptive"}),
        json!({"type": "adaptive", "display": "omitted"}),
        json!({"type": "enabled", "budget_tokens": 2048, "display": "summarized"}),
        json!({"type": "disabled"}),
    ] {
        let body = json!({
            "model": "claude-opus-5-5", "max_tokens": 128000, "stream": true,
            "thinking": thinking,
            "context_management": {"edits": [{"type": "clear_thinking_20251015", "keep": "all"}]},
            "output_config": {"effort": "max", "format": {"type": "json_schema", "schema": {}}},
            "metadata": {"user_id": "{\"device_id\":\"d\"}"},
            "service_tier": "auto", "container": "c1", "inference_geo": "us", "top_k": 40,
            "mcp_servers": [{"type": "url", "url": "https://mcp.example", "name": "m"}],
            "cache_control": {"type": "ephemeral"},
            "tool_choice": {"type": "auto", "disable_parallel_tool_use": true},
            "tools": [
                {"name": "Read", "description": "d", "input_schema": {"type": "object"}, "defer_loading": true,
                 "cache_control": {"type": "ephemeral", "ttl": "1h"}, "strict": true, "input_examples": [{}]},
                {"type": "web_search_20250305", "name": "web_search", "max_uses": 5},
                {"type": "tool_search_tool_regex_20251119", "name": "tool_search"}
            ],
            "messages": [{"role": "user", "content": [{"type": "text", "text": "hi", "cache_control": {"type": "ephemeral"}}]}]
        });
        let transcript = anthropic_transcript(&body);
        assert_eq!(transcript.turns.len(), 1);
    }
}

#[test]
fn server_tool_and_search_result_blocks_in_history_do_not_fail_the_request() {
    let body = json!({
        "model": "m", "max_tokens": 100,
        "messages": [
            {"role": "user", "content": "find it"},
            {"role": "assistant", "content": [
                {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {"query": "q"}},
                // Server-tool results carry `content` as an object or a list of result objects.
                {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1",
                 "content": {"type": "web_search_tool_result_error", "error_code": "max_uses_exceeded"}},
                {"type": "web_fetch_tool_result", "tool_use_id": "srvtoolu_2",
                 "content": {"type": "web_fetch_result", "url": "https://x", "content": {"type": "document"}}},
                {"type": "text", "text": "Found.", "citations": [{"type": "web_search_result_location", "url": "https://x"}]}
            ]},
            {"role": "user", "content": [
                // `search_result` has a string `source`.
                {"type": "search_result", "source": "https://docs.example/a", "title": "A",
                 "content": [{"type": "text", "text": "result text"}], "citations": {"enabled": true}},
                {"type": "tool_result", "tool_use_id": "toolu_9",
                 "content": [{"type": "tool_reference", "tool_name": "Bash"}]},
                {"type": "text", "text": "thanks"}
            ]},
            {"role": "system", "content": [{"type": "text", "text": "Reminder: be brief."}]}
        ]
    });
    let transcript = anthropic_transcript(&body);
    let text = render_text(&transcript).expect("renders");
    assert!(text.contains("Found.") && text.contains("thanks"), "{text}");
    assert!(text.ends_with("系统提示：Reminder: be brief."), "{text}");
}

#[test]
fn a_lone_system_message_is_not_something_to_answer() {
    let body =
        json!({"model": "m", "max_tokens": 5, "messages": [{"role": "system", "content": "only rules"}]});
    let transcript = anthropic_transcript(&body);
    assert!(render_text(&transcript).is_err(), "nothing to answer");
}

#[test]
fn only_a_single_line_billing_header_is_dropped() {
    let body = json!({"model": "m", "max_tokens": 5,
        "system": [
            {"type": "text", "text": "x-anthropic-billing-header: cc_version=2.1.332.201; cc_entrypoint=cli;"},
            {"type": "text", "text": "x-anthropic-billing-header: is what this prompt explains\nsecond line"}
        ],
        "messages": [{"role": "user", "content": "hi"}]});
    let transcript = anthropic_transcript(&body);
    assert_eq!(
        transcript.system,
        ["x-anthropic-billing-header: is what this prompt explains\nsecond line"]
    );
}

#[test]
fn anthropic_still_refuses_truly_invalid_input() {
    for (body, param) in [
        (
            json!({"model": "m", "messages": [{"role": "user"}], "max_tokens": "many"}),
            None,
        ),
        (
            json!({"model": "m", "messages": [{"role": "robot", "content": "x"}]}),
            Some("messages.0.role"),
        ),
        (json!({"model": "m", "messages": "hi"}), None),
        (
            json!({"model": "m", "messages": [{"role": "user", "content": "x"}], "temperature": 3}),
            Some("temperature"),
        ),
    ] {
        let parsed: Result<MessagesRequest, _> = parse_json(body.to_string().as_bytes());
        match (parsed, param) {
            (Err(_), None) => {}
            (Ok(request), Some(param)) => {
                let error = anthropic::validate_options(&request).expect_err("invalid");
                assert_eq!(error.param(), Some(param));
            }
            (result, param) => panic!("{body}: {:?} expected param {param:?}", result.map(|_| ())),
        }
    }
}

#[test]
fn openai_current_fields_are_accepted() {
    let body = json!({
        "model": "gpt-4.1-mini",
        "messages": [
            {"role": "developer", "content": [{"type": "text", "text": "Be brief."}]},
            {"role": "system", "content": "And kind."},
            {"role": "user", "content": [{"type": "text", "text": "hello"}], "name": "ann"},
            {"role": "assistant", "content": null, "refusal": null, "audio": null, "annotations": []},
            {"role": "user", "content": "again"}
        ],
        "max_completion_tokens": 500, "max_tokens": 100,
        "reasoning_effort": "xhigh", "verbosity": "low",
        "response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "object"}, "strict": true}},
        "stream": true, "stream_options": {"include_usage": true, "include_obfuscation": false},
        "parallel_tool_calls": false, "store": false, "service_tier": "auto", "user": "u-1",
        "safety_identifier": "s", "prompt_cache_key": "k", "prompt_cache_retention": "24h",
        "metadata": {"a": "b"}, "seed": 7, "logprobs": false, "top_logprobs": null, "n": 1,
        "frequency_penalty": 0.5, "presence_penalty": -0.5, "logit_bias": {"50256": -100},
        "modalities": ["text"], "prediction": null, "web_search_options": {}, "audio": null,
        "temperature": 2, "top_p": 1, "stop": null,
        "enable_thinking": false, "thinking": {"type": "disabled"}, "top_k": 20
    });
    let transcript = openai_transcript(&body);
    assert_eq!(transcript.system[..2], ["Be brief.", "And kind."]);
    assert_eq!(transcript.turns.len(), 2, "the empty assistant turn is skipped");
}

#[test]
fn openai_still_refuses_truly_invalid_input() {
    for body in [
        json!({"model": "m"}),
        json!({"model": "m", "messages": [{"role": "wizard", "content": "x"}]}),
        json!({"model": "m", "messages": [{"role": "user", "content": "x"}], "temperature": 2.5}),
        json!({"model": "m", "messages": [{"role": "user", "content": "x"}], "n": 3}),
    ] {
        let request: ChatCompletionRequest = parse_json(body.to_string().as_bytes()).expect("parses");
        assert!(openai::validate_options(&request).is_err(), "{body}");
    }
    let wrong_type: Result<ChatCompletionRequest, _> =
        parse_json(br#"{"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":"lots"}"#);
    assert!(wrong_type.is_err());
}
