//! Every error class over real HTTP: the status, the body in each API's own format and the
//! request-log row, for refusals before dispatch (bad input, keys, hosts, unknown models and paths)
//! and for upstream failures (quota, input too long, firewall, rate limit, mid-stream errors).

use std::time::Duration;

use crate::gateway_support::{Fetch, Harness, KEY, KEY_NAME, Setup, parse_sse};
use serde_json::{Value, json};
use taiji_core::request_log::{EntryStatus, LogEntry};
use taiji_core::runtime::SettingsOverrides;
use taiji_sim::{Fault, FaultKind, FaultTarget, SimAccount, SimConfig};

fn chat(model: &str, stream: bool) -> Value {
    json!({"model": model, "stream": stream, "max_tokens": 100, "messages": [{"role": "user", "content": "hi"}]})
}

/// Sends `request` and reads the error it is answered with: status, headers and JSON body.
async fn error_of(request: reqwest::RequestBuilder) -> (u16, reqwest::header::HeaderMap, Value) {
    error_in(request.fetch().await).await
}

/// An error answer's status, headers and JSON body (asserting its content type).
async fn error_in(response: reqwest::Response) -> (u16, reqwest::header::HeaderMap, Value) {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    assert!(
        headers["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("application/json"),
        "{headers:?}"
    );
    (status, headers, response.json().await.expect("json error body"))
}

fn assert_openai_error(body: &Value, kind: &str, code: Option<&str>) {
    let error = &body["error"];
    assert_eq!(error["type"], kind, "{body}");
    assert_eq!(error["code"].as_str(), code, "{body}");
    assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    assert!(error.get("param").is_some(), "param is always present: {body}");
}

fn assert_anthropic_error(body: &Value, kind: &str) {
    assert_eq!(body["type"], "error", "{body}");
    assert_eq!(body["error"]["type"], kind, "{body}");
    assert!(
        body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
}

fn find<'a>(entries: &'a [LogEntry], endpoint: &str, status: u16) -> &'a LogEntry {
    entries
        .iter()
        .find(|entry| entry.endpoint == endpoint && entry.http_status == Some(status))
        .unwrap_or_else(|| panic!("no {status} entry for {endpoint}: {entries:#?}"))
}

#[tokio::test]
async fn an_unknown_model_is_404_in_each_format_and_logged() {
    let harness = Harness::start().await;

    let (status, _, body) = error_of(harness.openai("/v1/chat/completions", &chat("gpt-9", false))).await;
    assert_eq!(status, 404);
    assert_openai_error(&body, "invalid_request_error", Some("model_not_found"));
    assert_eq!(body["error"]["param"], "model");
    let (status, _, body) = error_of(harness.anthropic("/v1/messages", &chat("gpt-9", true))).await;
    assert_eq!(status, 404);
    assert_anthropic_error(&body, "not_found_error");

    let entries = harness.log().await;
    let unknown = find(&entries, "/v1/chat/completions", 404);
    assert_eq!(
        (
            unknown.status,
            unknown.error_class.as_deref(),
            unknown.model.as_str()
        ),
        (EntryStatus::Failed, Some("model_not_found"), "gpt-9")
    );
    assert_eq!(unknown.source.api, "openai");
    assert_eq!(unknown.source.key_name.as_deref(), Some(KEY_NAME));
    let unknown = find(&entries, "/v1/messages", 404);
    assert!(unknown.stream);
    assert_eq!(unknown.source.api, "anthropic");
    assert_eq!(entries.len(), 2, "{entries:#?}");
    harness.finish().await;
}

#[tokio::test]
async fn unsupported_or_malformed_bodies_are_400_in_each_format_and_logged() {
    let harness = Harness::start().await;

    let mut n2 = chat("gpt-4.1-mini", false);
    n2["n"] = json!(2);
    let (status, _, body) = error_of(harness.openai("/v1/chat/completions", &n2)).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["param"], "n");

    for (path, anthropic) in [("/v1/chat/completions", false), ("/v1/messages", true)] {
        let response = harness
            .post(path)
            .bearer_auth(KEY)
            .header("content-type", "application/json")
            .body("{\"model\": \"gpt-4.1-mini\", \"messages\": [")
            .fetch()
            .await;
        let (status, _, body) = error_in(response).await;
        assert_eq!(status, 400, "malformed JSON is a 400, never a 422");
        if anthropic {
            assert_anthropic_error(&body, "invalid_request_error");
        } else {
            assert_openai_error(&body, "invalid_request_error", None);
        }
    }

    let entries = harness.log().await;
    assert_eq!(
        find(&entries, "/v1/chat/completions", 400).error_class.as_deref(),
        Some("invalid_request")
    );
    assert_eq!(
        find(&entries, "/v1/messages", 400).error_class.as_deref(),
        Some("invalid_request")
    );
    assert_eq!(entries.len(), 3, "{entries:#?}");
    harness.finish().await;
}

#[tokio::test]
async fn unknown_routes_and_methods_are_404_or_405_and_logged() {
    let harness = Harness::start().await;

    let (status, _, body) = error_of(harness.get("/v1/responses").bearer_auth(KEY)).await;
    assert_eq!(status, 404);
    assert!(
        body["error"]["message"]
            .as_str()
            .expect("message")
            .contains("Responses API")
    );
    let (status, _, body) = error_of(harness.get("/v2/nothing")).await;
    assert_eq!(status, 404);
    assert_openai_error(&body, "invalid_request_error", None);
    let (status, _, _) = error_of(harness.get("/v1/chat/completions").bearer_auth(KEY)).await;
    assert_eq!(status, 405);

    let entries = harness.log().await;
    find(&entries, "/v1/responses", 404);
    find(&entries, "/v2/nothing", 404);
    assert_eq!(entries.len(), 3, "{entries:#?}");
    harness.finish().await;
}

#[tokio::test]
async fn missing_and_wrong_keys_are_refused_in_each_format_and_logged() {
    let harness = Harness::start().await;
    let body = chat("gpt-4.1-mini", false);

    // Missing and wrong keys, in each route's format.
    let (status, _, error) = error_of(harness.post("/v1/chat/completions").json(&body)).await;
    assert_eq!(status, 401);
    assert_openai_error(&error, "invalid_request_error", Some("invalid_api_key"));
    let (status, _, error) = error_of(
        harness
            .post("/v1/messages")
            .header("x-api-key", "sk-wrong-key-wrong-key-wrong")
            .json(&body),
    )
    .await;
    assert_eq!(status, 401);
    assert_anthropic_error(&error, "authentication_error");
    assert!(!error.to_string().contains("sk-wrong"), "the key is never echoed");
    let (status, _, _) = error_of(harness.get("/v1/models").bearer_auth("nope")).await;
    assert_eq!(status, 401);

    let entries = harness
        .wait_log(|entries| {
            entries
                .iter()
                .filter(|entry| entry.http_status == Some(401))
                .count()
                >= 3
        })
        .await;
    let refused: Vec<&LogEntry> = entries
        .iter()
        .filter(|entry| entry.http_status == Some(401))
        .collect();
    assert_eq!(refused.len(), 3, "{entries:#?}");
    assert!(
        refused
            .iter()
            .all(|entry| entry.error_class.as_deref() == Some("unauthenticated")
                && entry.source.key_name.is_none())
    );
    harness.finish().await;
}

#[tokio::test]
async fn both_key_headers_work_on_every_route_and_name_the_key() {
    let harness = Harness::start().await;
    let body = chat("gpt-4.1-mini", false);

    // Both header forms work on every route.
    for path in ["/v1/chat/completions", "/v1/messages"] {
        let bearer = harness.post(path).bearer_auth(KEY).json(&body).fetch().await;
        assert_eq!(bearer.status(), 200, "{path} with Bearer");
        let api_key = harness
            .post(path)
            .header("x-api-key", KEY)
            .json(&body)
            .fetch()
            .await;
        assert_eq!(api_key.status(), 200, "{path} with x-api-key");
    }
    let both = harness
        .get("/v1/models")
        .header("authorization", format!("Bearer {KEY}"))
        .header("x-api-key", KEY)
        .fetch()
        .await;
    assert_eq!(both.status(), 200, "Cherry Studio sends both headers");

    let entries = harness
        .wait_log(|entries| {
            entries
                .iter()
                .filter(|entry| entry.endpoint == "/v1/chat/completions" && entry.status == EntryStatus::Done)
                .count()
                >= 2
        })
        .await;
    let served: Vec<&LogEntry> = entries
        .iter()
        .filter(|entry| entry.endpoint == "/v1/chat/completions" && entry.status == EntryStatus::Done)
        .collect();
    assert_eq!(served.len(), 2);
    assert!(
        served
            .iter()
            .all(|entry| entry.source.key_name.as_deref() == Some(KEY_NAME))
    );
    harness.finish().await;
}

#[tokio::test]
async fn foreign_hosts_are_refused_and_loopback_names_accepted() {
    let harness = Harness::start().await;
    let body = chat("gpt-4.1-mini", false);

    // DNS rebinding: a foreign Host is refused even with a valid key; loopback names are fine.
    let (status, _, error) = error_of(
        harness
            .post("/v1/chat/completions")
            .bearer_auth(KEY)
            .header("host", "evil.example")
            .json(&body),
    )
    .await;
    assert_eq!(status, 403);
    assert_openai_error(&error, "invalid_request_error", Some("forbidden"));
    let health = harness
        .get("/health")
        .header("host", "evil.example:8760")
        .fetch()
        .await;
    assert_eq!(
        health.status(),
        403,
        "health names the account, so it is guarded too"
    );
    let port = harness.base.rsplit(':').next().expect("port").to_owned();
    for host in [
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
        "127.0.0.1".to_owned(),
    ] {
        let response = harness
            .get("/v1/models")
            .bearer_auth(KEY)
            .header("host", host.as_str())
            .fetch()
            .await;
        assert_eq!(response.status(), 200, "{host}");
    }

    let entries = harness
        .wait_log(|entries| {
            entries
                .iter()
                .filter(|entry| entry.status == EntryStatus::Done)
                .count()
                >= 3
                && entries.iter().any(|entry| entry.http_status == Some(403))
        })
        .await;
    let forbidden = find(&entries, "/v1/chat/completions", 403);
    assert_eq!(forbidden.error_class.as_deref(), Some("forbidden"));
    assert!(
        entries.iter().all(|entry| entry.endpoint != "/health"),
        "health checks are not logged"
    );
    harness.finish().await;
}

#[tokio::test]
async fn stored_access_settings_apply_live() {
    // No overrides: the stored settings (a generated key, required by default) decide.
    let harness = Harness::with(Setup {
        overrides: SettingsOverrides::default(),
        ..Setup::default()
    })
    .await;
    let key = harness
        .core
        .settings()
        .access
        .api_keys
        .iter()
        .next()
        .expect("a key is generated on first run")
        .clone();
    let status = |request: reqwest::RequestBuilder| async move { request.fetch().await.status().as_u16() };
    assert_eq!(status(harness.get("/v1/models")).await, 401);
    assert_eq!(
        status(harness.get("/v1/models").bearer_auth(key.secret.expose())).await,
        200
    );

    let evil = || {
        harness
            .get("/v1/models")
            .bearer_auth(key.secret.expose())
            .header("host", "evil.example")
    };
    assert_eq!(status(evil()).await, 403);
    harness
        .update_settings(|settings| settings.access.lan_mode = true)
        .await;
    assert_eq!(status(evil()).await, 200, "LAN mode accepts any Host");

    harness
        .update_settings(|settings| {
            settings.access.lan_mode = false;
            settings.access.api_keys_required = false;
        })
        .await;
    assert_eq!(
        status(harness.get("/v1/models")).await,
        200,
        "keys no longer required"
    );
    assert_eq!(status(evil()).await, 403);
    let entries = harness.log().await;
    // Newest first: the refused Host, the key-less request, the LAN-mode request with a key.
    assert_eq!(entries[0].http_status, Some(403));
    assert_eq!(
        (entries[1].http_status, entries[1].source.key_name.as_deref()),
        (Some(200), None)
    );
    assert_eq!(
        entries[2].source.key_name.as_deref(),
        Some(key.name.as_str()),
        "a presented key is named"
    );
    harness.finish().await;
}

#[tokio::test]
async fn upstream_quota_and_length_errors_get_real_statuses() {
    let broke = SimAccount {
        points: 0,
        ..SimAccount::demo()
    };
    let harness = Harness::with(Setup {
        sim: SimConfig {
            accounts: vec![broke],
            max_text_chars: 50,
            ..SimConfig::default()
        },
        ..Setup::default()
    })
    .await;

    let (status, headers, body) =
        error_of(harness.openai("/v1/chat/completions", &chat("gpt-4.1-mini", false))).await;
    assert_eq!(status, 429);
    assert_openai_error(&body, "insufficient_quota", Some("insufficient_quota"));
    assert_eq!(headers["x-should-retry"], "false");
    // Streamed requests that fail before generation also get the real status.
    let (status, _, body) = error_of(harness.anthropic("/v1/messages", &chat("gpt-4.1-mini", true))).await;
    assert_eq!(status, 402);
    assert_anthropic_error(&body, "billing_error");

    let long = json!({"model": "gpt-4.1-mini", "max_tokens": 10, "messages": [{"role": "user", "content": "x".repeat(200)}]});
    let (status, _, body) = error_of(harness.anthropic("/v1/messages", &long)).await;
    assert_eq!(status, 400);
    assert_anthropic_error(&body, "invalid_request_error");
    assert!(
        body["error"]["message"]
            .as_str()
            .expect("message")
            .contains("prompt is too long"),
        "{body}"
    );
    let (status, _, body) = error_of(harness.openai("/v1/chat/completions", &long)).await;
    assert_eq!(status, 400);
    assert_openai_error(&body, "invalid_request_error", Some("context_length_exceeded"));

    let entries = harness
        .wait_log(|entries| {
            entries.len() == 4
                && entries
                    .iter()
                    .all(|entry| entry.status == EntryStatus::Failed && entry.http_status.is_some())
        })
        .await;
    assert_eq!(
        find(&entries, "/v1/chat/completions", 429).error_class.as_deref(),
        Some("quota_exhausted")
    );
    assert_eq!(
        find(&entries, "/v1/messages", 402).error_class.as_deref(),
        Some("quota_exhausted")
    );
    assert_eq!(
        find(&entries, "/v1/messages", 400).error_class.as_deref(),
        Some("input_too_long")
    );
    harness.finish().await;
}

#[tokio::test]
async fn firewall_and_rate_limits_carry_retry_after_and_expired_logins_recover() {
    let harness = Harness::start().await;
    let control = harness.sim.control();
    // The dispatcher retries these before anything is sent to the model, three times in all.
    control.inject_fault(Fault::new(FaultTarget::Completions, FaultKind::Waf403, 3));
    let (status, headers, body) =
        error_of(harness.openai("/v1/chat/completions", &chat("gpt-4.1-mini", false))).await;
    assert_eq!(status, 503);
    assert_openai_error(&body, "server_error", Some("overloaded"));
    assert!(headers.get("retry-after").is_some(), "{headers:?}");

    control.inject_fault(Fault::new(FaultTarget::Completions, FaultKind::RateLimited429, 3));
    let (status, headers, body) =
        error_of(harness.anthropic("/v1/messages", &chat("gpt-4.1-mini", false))).await;
    assert_eq!(status, 429);
    assert_anthropic_error(&body, "rate_limit_error");
    assert_eq!(headers["retry-after"], "1");

    let logins = control.stats().logins_ok;
    control.expire_all_tokens();
    let response = harness
        .openai("/v1/chat/completions", &chat("gpt-4.1-mini", false))
        .fetch()
        .await;
    assert_eq!(
        response.status(),
        200,
        "an expired login is renewed transparently"
    );
    assert_eq!(control.stats().logins_ok, logins + 1);
    harness.finish().await;
}

#[tokio::test]
async fn errors_after_the_stream_began_are_in_stream_events() {
    let harness = Harness::start().await;
    let control = harness.sim.control();
    let long = |stream| json!({"model": "gpt-4.1-mini", "stream": stream, "messages": [{"role": "user", "content": "[[sim:long=50]]"}]});

    control.inject_fault(Fault::new(
        FaultTarget::Completions,
        FaultKind::StreamErrorFrame,
        1,
    ));
    let response = harness.openai("/v1/chat/completions", &long(true)).fetch().await;
    assert_eq!(response.status(), 200);
    let (events, _) = parse_sse(&response.text().await.expect("body"));
    let last = events.last().expect("events").json();
    assert!(last["error"]["message"].is_string(), "{last}");
    assert!(
        events.iter().all(|event| event.data != "[DONE]"),
        "no [DONE] after an error"
    );
    assert!(
        events
            .iter()
            .all(|event| !event.data.contains("\"finish_reason\":\"stop\""))
    );

    control.inject_fault(Fault::new(FaultTarget::Completions, FaultKind::EofWithoutDone, 1));
    let response = harness.anthropic("/v1/messages", &long(true)).fetch().await;
    assert_eq!(response.status(), 200);
    let (events, _) = parse_sse(&response.text().await.expect("body"));
    let last = events.last().expect("events");
    assert_eq!(last.event.as_deref(), Some("error"));
    assert_eq!(last.json()["error"]["type"], "api_error");
    assert!(
        events
            .iter()
            .all(|event| event.event.as_deref() != Some("message_stop"))
    );
    assert!(
        control
            .wait_for(|stats| stats.sessions_open == 0, Duration::from_secs(10))
            .await
    );
    harness.finish().await;
}

#[tokio::test]
async fn without_credentials_the_api_says_to_sign_in() {
    let harness = Harness::with(Setup {
        login: false,
        ..Setup::default()
    })
    .await;
    let (status, headers, body) = error_of(harness.get("/v1/models").bearer_auth(KEY)).await;
    assert_eq!(status, 503);
    assert_eq!(headers["x-should-retry"], "false");
    assert!(
        body["error"]["message"]
            .as_str()
            .expect("message")
            .contains("Sign in"),
        "{body}"
    );
    let (status, _, body) = error_of(harness.anthropic("/v1/messages", &chat("gpt-4.1-mini", true))).await;
    assert_eq!(status, 503);
    assert_anthropic_error(&body, "api_error");
    let health: Value = harness.health().await;
    assert_eq!(health["status"], "degraded");
    assert_eq!(health["signed_in"], false);
    harness.finish().await;
}
