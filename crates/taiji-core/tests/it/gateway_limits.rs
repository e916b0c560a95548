//! Emulated limits and cancellation over real HTTP: stop sequences and `max_tokens` cut the answer
//! and stop the upstream at once (the simulator sees the abort), the request log still shows the
//! request as done, and a client that goes away mid-stream or mid-wait cancels the upstream call
//! and its session is deleted.

use std::time::Duration;

use crate::gateway_support::{Fetch, Harness, Setup, parse_sse};
use serde_json::{Value, json};
use taiji_core::request_log::EntryStatus;
use taiji_sim::SimConfig;

/// A long reply ("w1 w2 … w3000") that takes many seconds, so a cut always comes before its end.
fn slow_setup() -> Setup {
    Setup {
        sim: SimConfig {
            frame_delay: Duration::from_millis(5),
            ..SimConfig::default()
        },
        ..Setup::default()
    }
}

const LONG: &str = "[[sim:long=3000]]";

fn openai_text(body: &str) -> (String, Vec<Value>) {
    let (events, _) = parse_sse(body);
    assert_eq!(
        events.last().map(|event| event.data.as_str()),
        Some("[DONE]"),
        "{body}"
    );
    let chunks: Vec<Value> = events[..events.len() - 1]
        .iter()
        .map(|event| event.json())
        .collect();
    let text = chunks
        .iter()
        .filter_map(|chunk| chunk["choices"][0]["delta"]["content"].as_str())
        .collect();
    (text, chunks)
}

async fn assert_upstream_stopped(harness: &Harness, aborted: u64) {
    let control = harness.sim.control();
    let stopped = control
        .wait_for(
            |stats| stats.completions_aborted == aborted && stats.sessions_open == 0,
            Duration::from_secs(10),
        )
        .await;
    assert!(stopped, "{:?}", control.stats());
    assert_eq!(control.stats().completions_finished, 0, "no reply ran to its end");
}

#[tokio::test]
async fn stop_sequences_cut_the_answer_and_stop_the_upstream() {
    let harness = Harness::with(slow_setup()).await;
    let body = harness
        .openai(
            "/v1/chat/completions",
            &json!({"model": "gpt-4.1-mini", "stream": true, "stop": ["w7", "never"],
                    "stream_options": {"include_usage": true},
                    "messages": [{"role": "user", "content": LONG}]}),
        )
        .text_body()
        .await;
    let (text, chunks) = openai_text(&body);
    assert_eq!(text, "w1 w2 w3 w4 w5 w6 ");
    let finish = &chunks[chunks.len() - 2];
    assert_eq!(finish["choices"][0]["finish_reason"], "stop");
    assert!(
        chunks.last().expect("usage")["usage"]["completion_tokens"]
            .as_u64()
            .expect("tokens")
            > 0
    );
    assert_upstream_stopped(&harness, 1).await;

    let response: Value = harness
        .anthropic(
            "/v1/messages",
            &json!({"model": "gpt-4.1-mini", "max_tokens": 4096, "stop_sequences": ["w4 w5"],
                    "messages": [{"role": "user", "content": LONG}]}),
        )
        .json_body()
        .await;
    assert_eq!(response["content"][0]["text"], "w1 w2 w3 ");
    assert_eq!(response["stop_reason"], "stop_sequence");
    assert_eq!(response["stop_sequence"], "w4 w5");
    assert_upstream_stopped(&harness, 2).await;

    // The dispatcher records a dropped stream as cancelled; for the client the answer ended normally.
    let entries = harness
        .wait_log(|entries| {
            entries.len() == 2
                && entries
                    .iter()
                    .all(|entry| entry.status == EntryStatus::Done && entry.http_status == Some(200))
        })
        .await;
    assert!(
        entries
            .iter()
            .all(|entry| entry.completion_tokens.is_some_and(|tokens| tokens > 0))
    );
    harness.finish().await;
}

#[tokio::test]
async fn max_tokens_ends_with_length_and_max_tokens() {
    let harness = Harness::with(slow_setup()).await;
    let response: Value = harness
        .openai(
            "/v1/chat/completions",
            &json!({"model": "gpt-4.1-mini", "max_completion_tokens": 6,
                    "messages": [{"role": "user", "content": LONG}]}),
        )
        .json_body()
        .await;
    assert_eq!(response["choices"][0]["finish_reason"], "length");
    assert_eq!(response["usage"]["completion_tokens"], 6);
    let content = response["choices"][0]["message"]["content"]
        .as_str()
        .expect("content");
    assert!(content.starts_with("w1") && content.len() < 30, "{content}");
    assert_upstream_stopped(&harness, 1).await;

    let body = harness
        .anthropic(
            "/v1/messages",
            &json!({"model": "gpt-4.1-mini", "max_tokens": 4, "stream": true,
                    "messages": [{"role": "user", "content": LONG}]}),
        )
        .text_body()
        .await;
    let (events, _) = parse_sse(&body);
    let names: Vec<&str> = events.iter().filter_map(|event| event.event.as_deref()).collect();
    assert_eq!(names.last(), Some(&"message_stop"), "{names:?}");
    let delta = events
        .iter()
        .find(|event| event.event.as_deref() == Some("message_delta"))
        .expect("message_delta")
        .json();
    assert_eq!(delta["delta"]["stop_reason"], "max_tokens");
    assert_eq!(delta["usage"]["output_tokens"], 4);
    assert_upstream_stopped(&harness, 2).await;
    harness.finish().await;
}

#[tokio::test]
async fn a_client_leaving_mid_stream_cancels_the_upstream() {
    let harness = Harness::with(slow_setup()).await;
    let mut response = harness
        .openai(
            "/v1/chat/completions",
            &json!({"model": "gpt-4.1-mini", "stream": true, "messages": [{"role": "user", "content": LONG}]}),
        )
        .fetch().await;
    let mut received = String::new();
    while !received.contains("w3") {
        let chunk = response.chunk().await.expect("read").expect("more body");
        received.push_str(&String::from_utf8_lossy(&chunk));
    }
    drop(response);
    assert_upstream_stopped(&harness, 1).await;
    let entries = harness
        .wait_log(|entries| {
            entries
                .first()
                .is_some_and(|entry| entry.status == EntryStatus::Cancelled)
        })
        .await;
    assert_eq!(entries.len(), 1);
    harness.finish().await;
}

#[tokio::test]
async fn a_client_leaving_a_non_stream_request_cancels_the_upstream() {
    let harness = Harness::with(slow_setup()).await;
    let request = harness.openai(
        "/v1/chat/completions",
        &json!({"model": "gpt-4.1-mini", "messages": [{"role": "user", "content": LONG}]}),
    );
    let pending = tokio::spawn(request.send());
    let started = harness
        .sim
        .control()
        .wait_for(|stats| stats.completions_started == 1, Duration::from_secs(10))
        .await;
    assert!(started);
    // Aborting the task drops the connection, as a client that gives up does.
    pending.abort();
    assert!(pending.await.is_err_and(|error| error.is_cancelled()));
    assert_upstream_stopped(&harness, 1).await;
    harness
        .wait_log(|entries| {
            entries
                .first()
                .is_some_and(|entry| entry.status == EntryStatus::Cancelled)
        })
        .await;
    harness.finish().await;
}
