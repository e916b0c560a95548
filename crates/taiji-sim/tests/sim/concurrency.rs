//! Client aborts and concurrency tracking, observed through `wait_for` (no sleeps).

use std::time::Duration;

use futures::StreamExt;
use serde_json::json;
use taiji_sim::{SimConfig, Simulator};

use crate::common::{Api, start, v2};

const WAIT: Duration = Duration::from_secs(10);
/// Long enough that a stream never ends by itself during a test.
const STALL: Duration = Duration::from_secs(3600);

/// A simulator whose streams stall after their first frame, and a client signed in to it.
async fn stalling() -> (Simulator, Api) {
    let sim = start(SimConfig {
        frame_delay: STALL,
        ..v2()
    })
    .await;
    let api = Api::login(&sim).await;
    (sim, api)
}

/// Starts a completion of `text` in a fresh session; returns the session and the response.
async fn open_stream(api: &Api, text: &str) -> (u64, reqwest::Response) {
    let session = api.create_session("gpt-4.1-mini").await;
    let response = api
        .completion_request(session, text, json!([]))
        .send()
        .await
        .unwrap();
    (session, response)
}

#[tokio::test]
async fn a_client_that_drops_the_stream_is_counted_as_aborted() {
    let (sim, api) = stalling().await;
    let (session, response) = open_stream(&api, "[[sim:long=1000]]").await;
    let mut body = response.bytes_stream();
    let first = body.next().await.unwrap().unwrap();
    assert!(first.starts_with(b"data: "));
    assert_eq!(sim.control().stats().concurrent_completions, 1);
    drop(body);

    let aborted = sim
        .control()
        .wait_for(
            |s| s.completions_aborted == 1 && s.concurrent_completions == 0,
            WAIT,
        )
        .await;
    assert!(aborted, "{:?}", sim.control().stats());
    let stats = sim.control().stats();
    assert_eq!((stats.completions_finished, stats.points_deducted), (0, 0));

    // The aborted turn was not stored.
    sim.control().set_frame_delay(Duration::ZERO);
    assert!(
        api.complete(session, "next", json!([]))
            .await
            .ai_text()
            .contains("history=0")
    );
}

#[tokio::test]
async fn maximum_concurrency_is_tracked() {
    let (sim, api) = stalling().await;
    let mut streams = Vec::new();
    for _ in 0..4 {
        let (_, response) = open_stream(&api, "hi").await;
        let mut body = response.bytes_stream();
        body.next().await.unwrap().unwrap();
        streams.push(body);
    }
    assert!(
        sim.control()
            .wait_for(|s| s.concurrent_completions == 4, WAIT)
            .await
    );
    drop(streams);
    let settled = sim
        .control()
        .wait_for(
            |s| s.concurrent_completions == 0 && s.completions_aborted == 4,
            WAIT,
        )
        .await;
    assert!(settled, "{:?}", sim.control().stats());
    assert_eq!(sim.control().stats().max_concurrent_completions, 4);
}

#[tokio::test]
async fn wait_for_times_out_when_the_condition_never_holds() {
    let sim = start(v2()).await;
    assert!(
        !sim.control()
            .wait_for(|s| s.logins_ok == 1, Duration::from_millis(50))
            .await
    );
    Api::login(&sim).await;
    assert!(sim.control().wait_for(|s| s.logins_ok == 1, WAIT).await);
}

#[tokio::test]
async fn shutdown_ends_running_streams() {
    let (sim, api) = stalling().await;
    let (_, response) = open_stream(&api, "hi").await;
    let control = sim.control().clone();
    sim.shutdown().await;
    // The body ends (no [DONE]) instead of hanging for an hour.
    let body = response.text().await.unwrap_or_default();
    assert!(!body.contains("[DONE]"));
    assert_eq!(control.stats().completions_aborted, 1);
}
