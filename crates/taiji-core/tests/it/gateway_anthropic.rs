//! The Anthropic Messages routes over real HTTP against the simulator: exact event sequence with
//! `event:` lines, thinking blocks, non-stream bodies, `?beta=true`, unknown versions and betas, and
//! count_tokens.

use crate::gateway_support::{Fetch, Harness, assert_sse_headers, parse_sse};
use serde_json::{Value, json};

/// The events of a stream, checked for `event:` = `data.type` on every event.
fn events(body: &str) -> Vec<(String, Value)> {
    let (events, _) = parse_sse(body);
    events
        .into_iter()
        .map(|event| {
            let data = event.json();
            let name = event.event.expect("every Anthropic event has an event line");
            assert_eq!(data["type"], name.as_str(), "event line matches data.type");
            (name, data)
        })
        .collect()
}

/// Checks the sequence rules and returns (block types, concatenated text per block).
fn check_sequence(events: &[(String, Value)]) -> Vec<(String, String)> {
    let names: Vec<&str> = events
        .iter()
        .map(|(name, _)| name.as_str())
        .filter(|name| *name != "ping")
        .collect();
    assert_eq!(names.first(), Some(&"message_start"), "{names:?}");
    assert_eq!(
        &names[names.len() - 2..],
        ["message_delta", "message_stop"],
        "{names:?}"
    );
    let start = &events[0].1;
    assert!(start["message"]["usage"]["input_tokens"].is_u64());
    assert_eq!(start["message"]["content"], json!([]));
    let mut blocks: Vec<(String, String)> = Vec::new();
    let mut open: Option<u64> = None;
    for (name, data) in events {
        match name.as_str() {
            "content_block_start" => {
                assert!(
                    open.is_none(),
                    "a block starts only after the previous one stopped"
                );
                let index = data["index"].as_u64().expect("index");
                assert_eq!(index, blocks.len() as u64, "contiguous indices");
                open = Some(index);
                blocks.push((
                    data["content_block"]["type"].as_str().expect("type").to_owned(),
                    String::new(),
                ));
            }
            "content_block_delta" => {
                let index = data["index"].as_u64().expect("index");
                assert_eq!(Some(index), open, "delta for the open block");
                let block = &mut blocks[index as usize];
                let delta = &data["delta"];
                match (block.0.as_str(), delta["type"].as_str()) {
                    ("text", Some("text_delta")) => block.1.push_str(delta["text"].as_str().expect("text")),
                    ("thinking", Some("thinking_delta")) => {
                        block.1.push_str(delta["thinking"].as_str().expect("thinking"))
                    }
                    ("thinking", Some("signature_delta")) => {}
                    other => panic!("delta {other:?} does not fit its block"),
                }
            }
            "content_block_stop" => {
                assert_eq!(data["index"].as_u64(), open, "stop for the open block");
                open = None;
            }
            "message_delta" => {
                assert!(open.is_none());
                assert!(data["usage"]["output_tokens"].is_u64());
            }
            _ => {}
        }
    }
    blocks
}

#[tokio::test]
async fn stream_event_sequence_with_beta_query_and_unknown_headers() {
    let harness = Harness::start().await;
    let response = harness
        .anthropic(
            "/v1/messages?beta=true",
            &json!({"model": "gpt-4.1-mini", "max_tokens": 1024, "stream": true,
                    "system": [{"type": "text", "text": "sys prompt", "cache_control": {"type": "ephemeral"}}],
                    "metadata": {"user_id": "u"}, "context_management": {"edits": []},
                    "messages": [{"role": "user", "content": [{"type": "text", "text": "hello claude"}]}]}),
        )
        .header("anthropic-version", "2026-10-21")
        .header("anthropic-beta", "claude-code-20250219,advisor-tool-2026-03-01,made-up-beta")
        .fetch().await;
    assert_sse_headers(&response);
    let body = response.text().await.expect("body");
    let events = events(&body);
    let blocks = check_sequence(&events);
    assert_eq!(blocks.len(), 1, "{blocks:?}");
    assert_eq!(blocks[0].0, "text");
    assert!(blocks[0].1.contains("hello claude"), "{}", blocks[0].1);
    let (_, delta) = &events[events.len() - 2];
    assert_eq!(delta["delta"]["stop_reason"], "end_turn");
    assert!(delta["delta"]["stop_sequence"].is_null());
    let text = harness.last_sent_text();
    assert!(text.contains("sys prompt"), "{text}");
    harness.finish().await;
}

#[tokio::test]
async fn thinking_model_streams_a_thinking_block_first() {
    let harness = Harness::start().await;
    let body = harness
        .anthropic(
            "/v1/messages",
            &json!({"model": "deepseek-reasoner", "max_tokens": 4096, "stream": true,
                    "messages": [{"role": "user", "content": "think about it"}]}),
        )
        .text_body()
        .await;
    let blocks = check_sequence(&events(&body));
    assert_eq!(blocks.len(), 2, "{blocks:?}");
    assert_eq!(blocks[0].0, "thinking");
    assert!(!blocks[0].1.is_empty());
    assert!(!blocks[0].1.contains("<think>") && !blocks[1].1.contains("</think>"));
    assert_eq!(blocks[1].0, "text");
    assert!(blocks[1].1.contains("think about it"), "{}", blocks[1].1);

    // The same reasoning reaches OpenAI clients as `reasoning_content`.
    let body: Value = harness
        .openai(
            "/v1/chat/completions",
            &json!({"model": "deepseek-reasoner", "messages": [{"role": "user", "content": "and again"}]}),
        )
        .json_body()
        .await;
    let message = &body["choices"][0]["message"];
    assert!(
        !message["reasoning_content"]
            .as_str()
            .expect("reasoning")
            .is_empty()
    );
    assert!(!message["content"].as_str().expect("content").contains("<think>"));
    harness.finish().await;
}

#[tokio::test]
async fn non_stream_message_and_count_tokens() {
    let harness = Harness::start().await;
    let response = harness
        .anthropic(
            "/v1/messages",
            &json!({"model": "gpt-4.1-mini", "max_tokens": 1024, "system": "be kind",
                    "messages": [{"role": "user", "content": "one"}, {"role": "assistant", "content": "two"},
                                 {"role": "user", "content": "three"}]}),
        )
        .fetch()
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["type"], "message");
    assert_eq!(body["role"], "assistant");
    assert_eq!(body["model"], "gpt-4.1-mini");
    assert_eq!(body["stop_reason"], "end_turn");
    assert_eq!(body["content"][0]["type"], "text");
    assert!(body["usage"]["input_tokens"].as_u64().expect("input") > 0);
    assert!(body["usage"]["output_tokens"].as_u64().expect("output") > 0);
    let text = harness.last_sent_text();
    assert!(
        text.contains("be kind") && text.contains("two") && text.contains("three"),
        "{text}"
    );

    let small =
        json!({"model": "claude-sonnet-4-5-20250929", "messages": [{"role": "user", "content": "hi"}]});
    let large = json!({"model": "claude-sonnet-4-5-20250929", "system": "a long system prompt ".repeat(50),
                       "tools": [{"name": "get_weather", "description": "weather", "input_schema": {"type": "object"}}],
                       "messages": [{"role": "user", "content": "hi"}]});
    let mut counts = Vec::new();
    for body in [small, large] {
        let response = harness
            .anthropic("/v1/messages/count_tokens?beta=true", &body)
            .fetch()
            .await;
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.expect("json");
        counts.push(body["input_tokens"].as_u64().expect("input_tokens"));
    }
    assert!(counts[0] > 0 && counts[1] > counts[0] + 100, "{counts:?}");
    harness.finish().await;
}

/// A 1×1 PNG.
const PIXEL: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

#[tokio::test]
async fn images_become_upstream_files_or_a_clear_400() {
    let harness = Harness::start().await;
    let message = |model: &str| {
        json!({"model": model, "max_tokens": 100, "messages": [{"role": "user", "content": [
            {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PIXEL}},
            {"type": "text", "text": "what is this"}]}]})
    };
    let response = harness
        .anthropic("/v1/messages", &message("gpt-4o"))
        .fetch()
        .await;
    assert_eq!(response.status(), 200);
    let sent = harness.sim.control().recent_completions();
    let files = &sent.last().expect("sent").files;
    assert_eq!(files.len(), 1, "{files:?}");

    let response = harness
        .anthropic("/v1/messages", &message("gpt-4.1-mini"))
        .fetch()
        .await;
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"]["type"], "invalid_request_error");
    assert!(
        body["error"]["message"]
            .as_str()
            .expect("message")
            .contains("does not accept images"),
        "{body}"
    );
    assert_eq!(
        harness.sim.control().stats().completions_started,
        1,
        "nothing sent upstream"
    );
    harness.finish().await;
}

/// `message_start` announces what `count_tokens` says for the same request, for a short prompt
/// (counted on the request's path) and for a long one (counted beside the upstream call).
#[tokio::test]
async fn message_start_announces_the_count_tokens_estimate_for_short_and_long_prompts() {
    let harness = Harness::start().await;
    for words in [3, 4_000] {
        let body = json!({"model": "gpt-4.1-mini", "max_tokens": 1024, "stream": true,
            "system": "be brief",
            "messages": [{"role": "user", "content": "长文本 words ".repeat(words)}]});
        let counted: Value = harness
            .anthropic("/v1/messages/count_tokens", &body)
            .fetch()
            .await
            .json()
            .await
            .expect("json");
        let response = harness.anthropic("/v1/messages", &body).fetch().await;
        assert_eq!(response.status(), 200);
        let events = events(&response.text().await.expect("body"));
        check_sequence(&events);
        assert_eq!(
            events[0].1["message"]["usage"]["input_tokens"], counted["input_tokens"],
            "{words} words"
        );
    }
    harness.finish().await;
}
