//! The OpenAI Chat Completions route over real HTTP against the simulator: exact SSE framing,
//! non-stream bodies, usage, reasoning, limits and errors.

use std::time::Duration;

use crate::gateway_support::{Fetch, Harness, Setup, assert_sse_headers, parse_sse};
use serde_json::{Value, json};
use taiji_core::gateway::GatewayOptions;
use taiji_core::runtime::SettingsOverrides;
use taiji_sim::SimConfig;

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
        .fetch().await;
    assert_sse_headers(&response);
    assert!(
        response.headers().get("access-control-allow-origin").is_none(),
        "no CORS grant without an Origin"
    );
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
        .text_body()
        .await;
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
        .fetch().await;
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

#[tokio::test]
async fn keep_alives_fill_pauses_and_queued_streams_start_at_once() {
    let harness = Harness::with(Setup {
        sim: SimConfig {
            slow_frame_delay: Duration::from_millis(400),
            ..SimConfig::default()
        },
        options: GatewayOptions {
            keep_alive_interval: Duration::from_millis(25),
            first_event_wait: Duration::ZERO,
            ..GatewayOptions::default()
        },
        overrides: SettingsOverrides {
            max_concurrent: Some(1),
            ..Setup::default().overrides
        },
        ..Setup::default()
    })
    .await;
    let request = json!({"model": "o3-pro", "stream": true, "max_tokens": 100, "messages": [{"role": "user", "content": "[[sim:long=3]]"}]});
    let body = harness.openai("/v1/chat/completions", &request).text_body().await;
    // The simulator's slow model pauses between frames: keep-alives fill the pauses.
    let role = body.find("\"role\":\"assistant\"").expect("role chunk");
    let first_token = body.find("\"content\":\"w").expect("a token");
    let last_token = body.rfind("\"content\":\"").expect("a token");
    let keep_alive = body[first_token..]
        .find(": keep-alive\n\n")
        .map(|at| at + first_token);
    assert!(role < first_token, "{body}");
    assert!(keep_alive.is_some_and(|at| at < last_token), "{body}");
    let (_, comments) = parse_sse(&body);
    assert!(comments >= 1);

    let body = harness.anthropic("/v1/messages", &request).text_body().await;
    let (events, comments) = parse_sse(&body);
    assert_eq!(comments, 0, "Anthropic keep-alives are ping events");
    assert_eq!(events[0].event.as_deref(), Some("message_start"));
    assert_eq!(events[1].event.as_deref(), Some("ping"));
    let deltas: Vec<usize> = events
        .iter()
        .enumerate()
        .filter(|(_, event)| event.event.as_deref() == Some("content_block_delta"))
        .map(|(index, _)| index)
        .collect();
    let (first, last) = (deltas[0], deltas[deltas.len() - 1]);
    assert!(
        events[first..last]
            .iter()
            .any(|event| event.event.as_deref() == Some("ping")),
        "pings between deltas: {body}"
    );

    // A request waiting for a concurrency slot already has its first frame: clients that wait
    // for it (Cherry Studio's connection check) do not time out in the queue.
    let slow = json!({"model": "o3-pro", "stream": true, "messages": [{"role": "user", "content": "[[sim:long=100]]"}]});
    let control = harness.sim.control();
    let before = control.stats().completions_started;
    let mut running = harness.openai("/v1/chat/completions", &slow).fetch().await;
    running.chunk().await.expect("read").expect("first frame");
    assert!(
        control
            .wait_for(
                |stats| stats.completions_started == before + 1,
                Duration::from_secs(10)
            )
            .await
    );
    let mut queued = harness.openai("/v1/chat/completions", &request).fetch().await;
    let first = queued.chunk().await.expect("read").expect("first frame");
    let first = String::from_utf8_lossy(&first);
    assert!(
        first.starts_with("data: ") && first.contains("\"role\":\"assistant\""),
        "{first}"
    );
    assert_eq!(
        control.stats().completions_started,
        before + 1,
        "the second request is still queued"
    );
    drop(running);
    let rest = queued
        .text()
        .await
        .expect("the queued request runs once the slot is free");
    assert!(rest.ends_with("data: [DONE]\n\n"), "{rest}");
    harness.finish().await;
}

#[tokio::test]
async fn a_stream_starts_when_the_site_accepts_the_message_not_at_its_first_token() {
    // The model's first frame comes a minute after the site accepted the message, and the
    // first-event wait is longer still: only the acceptance can start the stream in time.
    let harness = Harness::with(Setup {
        sim: SimConfig {
            first_frame_delay: Duration::from_secs(60),
            ..SimConfig::default()
        },
        options: GatewayOptions {
            first_event_wait: Duration::from_secs(120),
            ..GatewayOptions::default()
        },
        ..Setup::default()
    })
    .await;
    let request = json!({"model": "gpt-4.1-mini", "stream": true, "max_tokens": 100,
        "messages": [{"role": "user", "content": "hello"}]});
    for (path, opening_event) in [
        ("/v1/chat/completions", "\"role\":\"assistant\""),
        ("/v1/messages", "event: message_start"),
    ] {
        let pending = if path == "/v1/messages" {
            harness.anthropic(path, &request)
        } else {
            harness.openai(path, &request)
        };
        let mut response = tokio::time::timeout(Duration::from_secs(20), pending.fetch())
            .await
            .expect("the head comes when the site accepts, not with the first token");
        assert_eq!(response.status(), 200);
        let opening = response.chunk().await.expect("read").expect("the opening");
        let opening = String::from_utf8_lossy(&opening).into_owned();
        assert!(opening.contains(opening_event), "{opening}");
        // The client leaves before the answer: the upstream stream is dropped and the session
        // deleted.
        let aborted = harness.sim.control().stats().completions_aborted;
        drop(response);
        assert!(
            harness
                .sim
                .control()
                .wait_for(
                    |stats| stats.completions_aborted == aborted + 1 && stats.sessions_open == 0,
                    Duration::from_secs(10)
                )
                .await,
            "{:?}",
            harness.sim.control().stats()
        );
    }
    harness.finish().await;
}

#[tokio::test]
async fn large_bodies_are_accepted_up_to_the_limit() {
    let harness = Harness::start().await;
    let big =
        json!({"model": "gpt-4.1-mini", "messages": [{"role": "user", "content": "hello ".repeat(500_000)}]});
    let response = harness.anthropic("/v1/messages/count_tokens", &big).fetch().await;
    assert_eq!(response.status(), 200, "a 3 MB body is fine");
    harness.finish().await;

    let harness = Harness::with(Setup {
        options: GatewayOptions {
            body_limit: 1024,
            ..GatewayOptions::default()
        },
        ..Setup::default()
    })
    .await;
    let too_big =
        json!({"model": "gpt-4.1-mini", "messages": [{"role": "user", "content": "x".repeat(4096)}]});
    let response = harness.openai("/v1/chat/completions", &too_big).fetch().await;
    assert_eq!(response.status(), 413);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"]["code"], "request_too_large");
    let response = harness.anthropic("/v1/messages", &too_big).fetch().await;
    assert_eq!(response.status(), 413);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"]["type"], "request_too_large");
    harness.finish().await;
}
