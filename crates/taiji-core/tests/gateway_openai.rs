//! The OpenAI Chat Completions route over real HTTP against the simulator: exact SSE framing,
//! non-stream bodies, usage, reasoning, limits and errors.

mod gateway_support;

use gateway_support::{Harness, assert_sse_headers, parse_sse};
use serde_json::{Value, json};

fn chunks(body: &str) -> (Vec<Value>, bool) {
    let (events, _) = parse_sse(body);
    let done = events.last().is_some_and(|event| event.data == "[DONE]");
    let chunks = events
        .iter()
        .filter(|event| event.data != "[DONE]")
        .map(|event| {
            assert!(event.event.is_none(), "OpenAI streams have no event lines");
            event.json()
        })
        .collect();
    (chunks, done)
}

#[tokio::test]
async fn stream_framing_without_usage() {
    let harness = Harness::start().await;
    let response = harness
        .openai(
            "/v1/chat/completions",
            &json!({"model": "gpt-4.1-mini", "stream": true, "messages": [{"role": "user", "content": "你好 gateway"}]}),
        )
        .send()
        .await
        .expect("request");
    assert_sse_headers(&response);
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
    let body = response.text().await.expect("body");
    let (chunks, done) = chunks(&body);
    assert!(done, "ends with [DONE]: {body}");
    assert!(chunks.len() >= 3, "{body}");
    let first = &chunks[0];
    assert_eq!(
        first["choices"][0]["delta"],
        json!({"role": "assistant", "content": ""})
    );
    let id = first["id"].as_str().expect("id");
    assert!(id.starts_with("chatcmpl-"));
    let mut text = String::new();
    for (index, chunk) in chunks.iter().enumerate() {
        assert_eq!(chunk["id"], id);
        assert_eq!(chunk["object"], "chat.completion.chunk");
        assert_eq!(chunk["created"], first["created"]);
        assert_eq!(chunk["model"], "gpt-4.1-mini");
        assert!(chunk["usage"].is_null());
        let choices = chunk["choices"].as_array().expect("choices");
        assert_eq!(choices.len(), 1, "no usage chunk without include_usage");
        let choice = &choices[0];
        if index > 0 {
            assert!(
                choice["delta"].get("role").is_none(),
                "role only in the first chunk"
            );
        }
        if index + 1 == chunks.len() {
            assert_eq!(choice["finish_reason"], "stop");
            assert_eq!(choice["delta"], json!({}));
        } else {
            assert!(choice["finish_reason"].is_null());
            text.push_str(choice["delta"]["content"].as_str().unwrap_or(""));
        }
    }
    assert!(text.contains("你好 gateway"), "{text}");
    harness.finish().await;
}

#[tokio::test]
async fn stream_with_include_usage_and_non_stream_body() {
    let harness = Harness::start().await;
    let body = harness
        .openai(
            "/v1/chat/completions",
            &json!({"model": "gpt-4.1-mini", "stream": true, "stream_options": {"include_usage": true},
                    "messages": [{"role": "user", "content": "count me"}]}),
        )
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("body");
    let (chunks, done) = chunks(&body);
    assert!(done);
    let usage_chunk = chunks.last().expect("usage chunk");
    assert_eq!(usage_chunk["choices"], json!([]));
    assert!(usage_chunk["usage"]["prompt_tokens"].as_u64().expect("prompt") > 0);
    assert!(
        usage_chunk["usage"]["completion_tokens"]
            .as_u64()
            .expect("completion")
            > 0
    );
    let finish = &chunks[chunks.len() - 2];
    assert_eq!(finish["choices"][0]["finish_reason"], "stop");
    assert!(finish["usage"].is_null());

    let response = harness
        .openai(
            "/v1/chat/completions",
            &json!({"model": "gpt-4.1-mini", "messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "non-stream please"}]}),
        )
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("application/json")
    );
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["object"], "chat.completion");
    assert_eq!(body["choices"][0]["message"]["role"], "assistant");
    assert_eq!(body["choices"][0]["finish_reason"], "stop");
    let content = body["choices"][0]["message"]["content"]
        .as_str()
        .expect("content");
    assert!(content.contains("non-stream please"), "{content}");
    assert!(body["usage"]["total_tokens"].as_u64().expect("total") > 0);
    let sent = harness.sim.control().recent_completions();
    let last = sent.last().expect("a completion");
    assert!(
        last.text.contains("be brief") && last.text.contains("non-stream please"),
        "{}",
        last.text
    );
    harness.finish().await;
}
