//! Every injected fault kind, on every target it applies to, and its counting.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;
use taiji_sim::{Fault, FaultKind, FaultTarget, Simulator};

use crate::common::{Api, start, v2};

fn fault(target: FaultTarget, kind: FaultKind, count: u32) -> Fault {
    Fault { target, kind, count }
}

#[tokio::test]
async fn stream_error_frame_sends_pieces_then_an_error_frame_and_closes() {
    let sim = start(v2()).await;
    let api = Api::login(&sim).await;
    let session = api.create_session("gpt-4.1-mini").await;
    sim.control()
        .inject_fault(fault(FaultTarget::Completions, FaultKind::StreamErrorFrame, 1));
    let completion = api.complete(session, "hi", json!([])).await;
    let frames = completion.json_frames();
    assert_eq!(completion.frames().len(), 4, "no [DONE]");
    assert!(
        frames[..3]
            .iter()
            .all(|f| f["type"] == "string" && f["code"] == 0)
    );
    let error = &frames[3];
    assert_ne!(error["code"], 0);
    assert!(error["msg"].as_str().is_some_and(|m| !m.is_empty()), "{error}");
    assert!(!frames.iter().any(|f| f["type"] == "object"));
    let stats = sim.control().stats();
    assert_eq!(
        (
            stats.completions_started,
            stats.completions_failed,
            stats.completions_finished
        ),
        (1, 1, 0)
    );
    assert_eq!((stats.concurrent_completions, stats.points_deducted), (0, 0));
    // Not stored: the next turn sees no history, and it streams normally again.
    assert!(
        api.complete(session, "again", json!([]))
            .await
            .ai_text()
            .contains("history=0")
    );
}

#[tokio::test]
async fn eof_without_done_ends_after_a_few_pieces() {
    let sim = start(v2()).await;
    let api = Api::login(&sim).await;
    let session = api.create_session("gpt-4.1-mini").await;
    sim.control()
        .inject_fault(fault(FaultTarget::Completions, FaultKind::EofWithoutDone, 1));
    let completion = api.complete(session, "hi", json!([])).await;
    let frames = completion.frames();
    assert_eq!(frames.len(), 3);
    assert!(completion.json_frames().iter().all(|f| f["type"] == "string"));
    let stats = sim.control().stats();
    assert_eq!(
        (
            stats.completions_started,
            stats.completions_failed,
            stats.points_deducted
        ),
        (1, 1, 0)
    );
}

#[tokio::test]
async fn json_error_replaces_the_stream_and_count_is_honoured() {
    let sim = start(v2()).await;
    let api = Api::login(&sim).await;
    let session = api.create_session("gpt-4.1-mini").await;
    let kind = FaultKind::JsonError {
        code: 1001,
        msg: "授权登陆已过期，请重新登陆".into(),
    };
    sim.control()
        .inject_fault(fault(FaultTarget::Completions, kind, 2));
    for _ in 0..2 {
        let envelope = api.complete(session, "hi", json!([])).await.envelope();
        assert_eq!(
            envelope,
            json!({"code": 1001, "data": null, "msg": "授权登陆已过期，请重新登陆"})
        );
    }
    api.complete(session, "hi", json!([])).await.record();
    let stats = sim.control().stats();
    assert_eq!((stats.completions_failed, stats.completions_finished), (2, 1));
}

/// Calls `target` once and returns (status, content type, retry-after, body).
async fn call(sim: &Simulator, api: &Api, target: FaultTarget) -> (u16, String, Option<String>, String) {
    // Only targets that need a session get one first, so a session-create fault is not used up here.
    let session = match target {
        FaultTarget::Completions | FaultTarget::SessionDelete => api.create_session("gpt-4.1-mini").await,
        _ => 0,
    };
    let request = match target {
        FaultTarget::Completions => api.completion_request(session, "hi", json!([])),
        FaultTarget::SessionCreate => api
            .request(Method::POST, "/api/chat/session")
            .json(&json!({"model": "gpt-4o"})),
        FaultTarget::SessionDelete => api.request(Method::DELETE, &format!("/api/chat/session/{session}")),
        FaultTarget::Tmpl => api.request(Method::GET, "/api/chat/tmpl"),
        FaultTarget::Login => reqwest::Client::new()
            .post(format!("{}/api/user/login", sim.base_url()))
            .json(&json!({"account": taiji_sim::DEMO_ACCOUNT, "password": taiji_sim::DEMO_PASSWORD})),
    };
    let response = request.send().await.unwrap();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    let content_type = header("content-type").unwrap_or_default();
    let retry_after = header("retry-after");
    (
        response.status().as_u16(),
        content_type,
        retry_after,
        response.text().await.unwrap(),
    )
}

#[tokio::test]
async fn http_faults_hit_every_target_once() {
    let sim = start(v2()).await;
    let api = Api::login(&sim).await;
    let targets = [
        FaultTarget::Completions,
        FaultTarget::SessionCreate,
        FaultTarget::SessionDelete,
        FaultTarget::Login,
        FaultTarget::Tmpl,
    ];
    for target in targets {
        sim.control().inject_fault(fault(target, FaultKind::Http500, 1));
        let (status, content_type, _, body) = call(&sim, &api, target).await;
        assert_eq!(status, 500, "{target:?}");
        assert!(
            content_type.starts_with("text/html") && body.contains("500"),
            "{target:?}"
        );

        sim.control().inject_fault(fault(target, FaultKind::Waf403, 1));
        let (status, _, _, body) = call(&sim, &api, target).await;
        assert_eq!(status, 403, "{target:?}");
        assert!(body.contains("Microsoft-Azure-Application-Gateway"), "{target:?}");

        sim.control()
            .inject_fault(fault(target, FaultKind::RateLimited429, 1));
        let (status, _, retry_after, _) = call(&sim, &api, target).await;
        assert_eq!((status, retry_after.as_deref()), (429, Some("1")), "{target:?}");

        let kind = FaultKind::JsonError {
            code: 7,
            msg: "无可用渠道".into(),
        };
        sim.control().inject_fault(fault(target, kind, 1));
        let (status, _, _, body) = call(&sim, &api, target).await;
        assert_eq!(status, 200);
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&body).unwrap(),
            json!({"code": 7, "data": null, "msg": "无可用渠道"})
        );

        // Used up: the next call is normal.
        let (status, content_type, _, _) = call(&sim, &api, target).await;
        assert_eq!(status, 200, "{target:?}");
        assert!(!content_type.starts_with("text/html"));
    }
}

#[tokio::test]
async fn slow_frames_still_finish_and_reset_clears_faults() {
    let sim = start(v2()).await;
    let api = Api::login(&sim).await;
    let session = api.create_session("gpt-4.1-mini").await;
    sim.control().inject_fault(fault(
        FaultTarget::Completions,
        FaultKind::SlowFrames(Duration::from_millis(1)),
        1,
    ));
    api.complete(session, "[[sim:long=3]]", json!([])).await.record();

    sim.control()
        .inject_fault(fault(FaultTarget::Completions, FaultKind::Http500, 5));
    sim.control().reset_faults();
    api.complete(session, "hi", json!([])).await.record();
    assert_eq!(sim.control().stats().completions_finished, 2);
}
