//! The `/__sim/` HTTP control API mirrors `SimControl`.

use reqwest::StatusCode;
use serde_json::{Value, json};
use taiji_sim::SimStats;

use crate::common::{Api, JsonReply, start, v2};

#[tokio::test]
async fn faults_stats_completions_and_frame_delay_over_http() {
    let sim = start(v2()).await;
    let api = Api::login(&sim).await;
    let http = reqwest::Client::new();
    let url = |path: &str| format!("{}/__sim/{path}", sim.base_url());

    let added = http
        .post(url("faults"))
        .json(&json!({"target": "completions", "kind": "eof_without_done"}))
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), StatusCode::OK);
    let session = api.create_session("gpt-4.1-mini").await;
    assert!(
        !api.complete(session, "hi", json!([]))
            .await
            .body
            .contains("[DONE]")
    );

    let bad = http
        .post(url("faults"))
        .json(&json!({"target": "nowhere"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);

    http.post(url("faults"))
        .json(&json!({"target": "tmpl", "kind": "http500", "count": 3}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        http.delete(url("faults")).send().await.unwrap().status(),
        StatusCode::OK
    );
    assert_eq!(api.get("/api/chat/tmpl").await["code"], 0);

    let delay = http
        .post(url("frame-delay"))
        .json(&json!({"ms": 0}))
        .send()
        .await
        .unwrap();
    assert_eq!(delay.status(), StatusCode::OK);
    api.complete(session, "hi", json!([])).await.record();

    let stats: SimStats = http.get(url("stats")).json_reply().await;
    assert_eq!(stats, sim.control().stats());
    assert_eq!(
        (
            stats.completions_failed,
            stats.completions_finished,
            stats.logins_ok
        ),
        (1, 1, 1)
    );

    let recent: Vec<Value> = http.get(url("completions")).json_reply().await;
    assert_eq!(recent.len(), 2);
    assert_eq!(recent[1]["session_id"], session);
    assert_eq!(recent[1]["text"], "hi");
}

#[tokio::test]
async fn scripted_replies_over_http_replace_the_next_answers() {
    let sim = start(v2()).await;
    let api = Api::login(&sim).await;
    let http = reqwest::Client::new();
    let url = format!("{}/__sim/script", sim.base_url());

    let queued = http
        .post(&url)
        .json(&json!({"replies": [
            {"text": "first"},
            {"text": "{\"tool_calls\":[]}", "thinking": "计划一下", "match": "weather"},
        ]}))
        .send()
        .await
        .unwrap();
    assert_eq!(queued.status(), StatusCode::OK);
    let listed: Value = http.get(&url).json_reply().await;
    assert_eq!(listed["replies"].as_array().unwrap().len(), 2);
    assert_eq!(listed["replies"][1]["match"], "weather");

    let session = api.create_session("gpt-4.1-mini").await;
    // The matching entry wins although it was queued second.
    let reply = api.complete(session, "what is the weather?", json!([])).await;
    assert_eq!(reply.ai_text(), "<think>计划一下</think>{\"tool_calls\":[]}");
    let pieces: Vec<Value> = reply.json_frames();
    assert_eq!(pieces[0]["data"], "<thi");
    assert_eq!(api.complete(session, "hi", json!([])).await.ai_text(), "first");
    // Queue empty: the deterministic reply is back.
    assert!(
        api.complete(session, "hi", json!([]))
            .await
            .ai_text()
            .contains("模拟回复")
    );

    let bad = http
        .post(&url)
        .json(&json!({"replies": [{}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    sim.control()
        .script_replies([taiji_sim::ScriptedReply::text("x").when_text_contains("never")]);
    assert_eq!(http.delete(&url).send().await.unwrap().status(), StatusCode::OK);
    assert!(sim.control().scripted_replies().is_empty());
    assert_eq!(sim.control().stats().completions_finished, 3);
}
