//! The gateway as a server: `GatewayServer` start, rebind (a busy port fails and the old listener
//! keeps serving), graceful stop that ends running streams, the probe routes, CORS, path aliases,
//! the model list in both SDK views, and 200 concurrent requests giving 200 request-log rows.

use std::time::Duration;

use crate::gateway_support::{Fetch, Harness, KEY, Setup, open_core, parse_sse};
use serde_json::{Value, json};
use taiji_core::gateway::{GatewayError, GatewayOptions, GatewayServer};
use taiji_core::request_log::EntryStatus;
use taiji_core::runtime::SettingsOverrides;
use taiji_core::secret::Secret;
use taiji_sim::{SimConfig, Simulator};

fn overrides() -> SettingsOverrides {
    SettingsOverrides {
        listen_host: Some("127.0.0.1".into()),
        listen_port: Some(0),
        api_keys: Some(vec![Secret::new(KEY)]),
        api_keys_required: Some(true),
        ..SettingsOverrides::default()
    }
}

async fn health_at(client: &reqwest::Client, addr: std::net::SocketAddr) -> Result<u16, reqwest::Error> {
    Ok(client
        .get(format!("http://{addr}/health"))
        .send()
        .await?
        .status()
        .as_u16())
}

#[tokio::test]
async fn rebind_keeps_the_old_listener_when_the_new_port_is_busy() {
    let sim = Simulator::start(SimConfig::default()).await.expect("sim");
    let dir = tempfile::tempdir().expect("dir");
    let core = open_core(&sim, dir.path(), overrides(), true).await;
    let client = reqwest::Client::builder().no_proxy().build().expect("client");

    let mut server = GatewayServer::start(core.clone())
        .await
        .expect("starts on a free port");
    let first = server.local_addr();
    assert_ne!(first.port(), 0);
    assert_eq!(server.url(), format!("http://{first}"));
    assert_eq!(health_at(&client, first).await.expect("serves"), 200);

    let busy = std::net::TcpListener::bind("127.0.0.1:0").expect("occupy a port");
    let busy_port = busy.local_addr().expect("addr").port();
    let error = server
        .rebind("127.0.0.1", busy_port)
        .await
        .expect_err("the port is busy");
    assert!(
        matches!(error, GatewayError::AddrInUse { addr, .. } if addr.port() == busy_port),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .starts_with(&format!("port {busy_port} is in use")),
        "{error}"
    );
    assert_eq!(server.local_addr(), first);
    assert_eq!(
        health_at(&client, first)
            .await
            .expect("old listener still serves"),
        200
    );

    let error = server.rebind("example.com", 0).await.expect_err("not an address");
    assert!(matches!(error, GatewayError::InvalidHost { .. }));
    let error = server.rebind("0.0.0.0", 0).await.expect_err("LAN needs LAN mode");
    assert!(matches!(error, GatewayError::LanNotAllowed { .. }), "{error:?}");

    let second = server.rebind("127.0.0.1", 0).await.expect("moves");
    assert_ne!(second, first);
    assert_eq!(
        health_at(&client, second).await.expect("new listener serves"),
        200
    );
    assert!(
        health_at(&client, first).await.is_err(),
        "the old listener is closed"
    );

    server.stop().await.expect("stops");
    assert!(health_at(&client, second).await.is_err());
    core.shutdown(Duration::from_secs(5)).await;
}

#[tokio::test]
async fn stopping_ends_running_streams_promptly_with_an_error() {
    let sim = Simulator::start(SimConfig {
        frame_delay: Duration::from_millis(20),
        ..SimConfig::default()
    })
    .await
    .expect("sim");
    let dir = tempfile::tempdir().expect("dir");
    let core = open_core(&sim, dir.path(), overrides(), true).await;
    let server = GatewayServer::start_with(core.clone(), GatewayOptions::default())
        .await
        .expect("starts");
    let client = reqwest::Client::builder().no_proxy().build().expect("client");
    let mut response = client
        .post(format!("{}/v1/messages", server.url()))
        .header("x-api-key", KEY)
        .json(
            &json!({"model": "gpt-4.1-mini", "max_tokens": 100000, "stream": true,
                      "messages": [{"role": "user", "content": "[[sim:long=5000]]"}]}),
        )
        .fetch()
        .await;
    let mut body = String::new();
    while !body.contains("w2") {
        let chunk = response.chunk().await.expect("read").expect("more");
        body.push_str(&String::from_utf8_lossy(&chunk));
    }
    let stopping = tokio::spawn(server.stop());
    while let Some(chunk) = tokio::time::timeout(Duration::from_secs(10), response.chunk())
        .await
        .expect("the stream ends promptly")
        .expect("read")
    {
        body.push_str(&String::from_utf8_lossy(&chunk));
    }
    tokio::time::timeout(Duration::from_secs(10), stopping)
        .await
        .expect("stop returns promptly")
        .expect("join")
        .expect("stops cleanly");
    let (events, _) = parse_sse(&body);
    let last = events.last().expect("events");
    assert_eq!(last.event.as_deref(), Some("error"), "{body}");
    assert!(last.data.contains("shutting down"), "{}", last.data);
    core.shutdown(Duration::from_secs(10)).await;
    let control = sim.control();
    assert!(
        control
            .wait_for(
                |stats| stats.completions_aborted == 1 && stats.sessions_open == 0,
                Duration::from_secs(10)
            )
            .await,
        "{:?}",
        control.stats()
    );
}

#[tokio::test]
async fn probes_cors_and_path_aliases() {
    let harness = Harness::start().await;
    let client = &harness.client;

    let health = client.get(harness.url("/health")).fetch().await;
    assert_eq!(health.status(), 200);
    assert!(
        health.headers().get("access-control-allow-origin").is_none(),
        "no CORS outside /v1"
    );
    let health: Value = health.json().await.expect("json");
    assert_eq!(health["status"], "ok");
    assert_eq!(health["ready"], true);
    assert_eq!(health["account"], taiji_sim::DEMO_ACCOUNT);
    assert!(health["requests"]["limit"].is_u64());
    assert_eq!(client.head(harness.url("/")).fetch().await.status(), 200);
    assert_eq!(client.get(harness.url("/")).fetch().await.status(), 200);
    // Claude Code 2.1's start-up probe, without credentials.
    assert_eq!(client.head(harness.url("/api/hello")).fetch().await.status(), 200);

    // Web origins must be allowed first (gateway_hardening.rs covers the allow-list).
    let preflight = client
        .request(reqwest::Method::OPTIONS, harness.url("/v1/chat/completions"))
        .header("origin", "https://chat.example")
        .header("access-control-request-method", "POST")
        .fetch()
        .await;
    assert_eq!(preflight.status(), 403);
    let preflight = client
        .request(reqwest::Method::OPTIONS, harness.url("/v1/messages"))
        .fetch()
        .await;
    assert_eq!(preflight.status(), 204);
    assert!(
        preflight.headers()["access-control-allow-headers"]
            .to_str()
            .expect("ascii")
            .contains("x-api-key")
    );

    let chat = json!({"model": "gpt-4.1-mini", "messages": [{"role": "user", "content": "alias"}]});
    for path in [
        "/v1/v1/chat/completions",
        "/chat/completions",
        "/messages",
        "/v1/v1/messages",
    ] {
        let response = harness.openai(path, &chat).fetch().await;
        assert_eq!(response.status(), 200, "{path}");
    }
    for path in ["/v1/v1/models", "/models"] {
        let response = client.get(harness.url(path)).bearer_auth(KEY).fetch().await;
        assert_eq!(response.status(), 200, "{path}");
    }
    let entries = harness.wait_log(|entries| entries.len() == 6).await;
    assert!(
        entries.iter().all(|entry| entry.endpoint.starts_with("/v1/")),
        "canonical endpoints: {entries:#?}"
    );
    assert!(
        entries
            .iter()
            .all(|entry| !["/health", "/", "/api/hello"].contains(&entry.endpoint.as_str()))
    );
    harness.finish().await;
}

#[tokio::test]
async fn model_list_satisfies_both_sdks_and_lists_aliases() {
    let harness = Harness::start().await;
    harness
        .core
        .update_settings(|s| {
            s.model_aliases
                .insert("my-missing-alias".to_owned(), "no-such-model".to_owned());
        })
        .await
        .expect("alias added and in effect");
    let openai: Value = harness.get("/v1/models").bearer_auth(KEY).json_body().await;
    assert_eq!(openai["object"], "list");
    assert_eq!(openai["has_more"], false);
    let data = openai["data"].as_array().expect("data");
    assert!(data.len() > 10);
    for model in data {
        assert_eq!(model["object"], "model");
        assert_eq!(model["type"], "model");
        assert!(model["id"].is_string() && model["created"].is_i64() && model["owned_by"].is_string());
        assert!(model["display_name"].is_string() && model["created_at"].is_string());
    }
    assert_eq!(openai["first_id"], data[0]["id"]);
    assert_eq!(openai["last_id"], data[data.len() - 1]["id"]);
    let alias = data
        .iter()
        .find(|model| model["id"] == "claude-haiku-4-5")
        .expect("the Claude Code alias is listed");
    let target = data
        .iter()
        // The bare 2.x id or the 3.4.0 `openai::gpt-4.1-mini`.
        .find(|model| model["id"].as_str().and_then(|id| id.rsplit("::").next()) == Some("gpt-4.1-mini"))
        .expect("target");
    assert_eq!(alias["label"], target["label"]);
    assert_eq!(
        alias["display_name"],
        format!(
            "claude-haiku-4-5 → {}",
            target["display_name"].as_str().expect("name")
        )
    );
    // The family aliases are offered (their targets are in the catalog); an alias whose target
    // is not in this catalog is not.
    assert!(data.iter().any(|model| model["id"] == "opus"));
    assert!(data.iter().all(|model| model["id"] != "my-missing-alias"));

    // The Anthropic SDK's view: same body through x-api-key, one page.
    let anthropic: Value = harness
        .get("/v1/models?limit=20")
        .header("x-api-key", KEY)
        .header("anthropic-version", "2023-06-01")
        .json_body()
        .await;
    assert_eq!(anthropic, openai);

    harness.finish().await;
}

#[tokio::test]
async fn one_model_is_found_by_any_spelling_and_a_missing_one_is_404_in_each_format() {
    let harness = Harness::start().await;
    for id in ["gpt-4o", "claude-haiku-4-5", "GPT-4O"] {
        let one: Value = harness
            .get(&format!("/v1/models/{id}"))
            .bearer_auth(KEY)
            .json_body()
            .await;
        // A bare id finds the 3.4.0 `provider::model` value too.
        let found = one["id"].as_str().expect("id");
        assert!(
            found
                .rsplit("::")
                .next()
                .expect("bare id")
                .eq_ignore_ascii_case(id),
            "{one}"
        );
    }
    let missing = harness.get("/v1/models/gpt-9").bearer_auth(KEY).fetch().await;
    assert_eq!(missing.status(), 404);
    let body: Value = missing.json().await.expect("json");
    assert_eq!(body["error"]["code"], "model_not_found");
    let missing = harness
        .get("/v1/models/provider::nothing/here")
        .header("x-api-key", KEY)
        .header("anthropic-version", "2023-06-01")
        .fetch()
        .await;
    assert_eq!(missing.status(), 404);
    let body: Value = missing.json().await.expect("json");
    assert_eq!(body["error"]["type"], "not_found_error");
    harness.finish().await;
}

#[tokio::test]
async fn two_hundred_concurrent_requests_give_two_hundred_log_rows() {
    let harness = Harness::with(Setup {
        overrides: SettingsOverrides {
            max_concurrent: Some(8),
            ..Setup::default().overrides
        },
        ..Setup::default()
    })
    .await;
    // Pacing would stretch 400 upstream calls over minutes; it has its own tests.
    harness
        .update_settings(|settings| settings.pacing.enabled = false)
        .await;
    let requests = (0..200).map(|index| {
        let stream = index % 2 == 0;
        let request = if index % 4 < 2 {
            harness.openai(
                "/v1/chat/completions",
                &json!({"model": "gpt-4.1-mini", "stream": stream, "messages": [{"role": "user", "content": format!("request {index}")}]}),
            )
        } else {
            harness.anthropic(
                "/v1/messages",
                &json!({"model": "gpt-4.1-mini", "stream": stream, "max_tokens": 1000, "messages": [{"role": "user", "content": format!("request {index}")}]}),
            )
        };
        async move {
            let response = request.fetch().await;
            assert_eq!(response.status(), 200);
            let body = response.text().await.expect("body");
            if stream {
                assert!(body.ends_with("data: [DONE]\n\n") || body.contains("event: message_stop"), "{body}");
            } else {
                assert!(body.contains(&format!("request {index}")), "request {index} got its own answer");
            }
        }
    });
    futures::future::join_all(requests).await;
    let entries = harness
        .wait_log(|entries| {
            entries.len() == 200 && entries.iter().all(|entry| entry.status == EntryStatus::Done)
        })
        .await;
    assert_eq!(entries.iter().filter(|entry| entry.stream).count(), 100);
    assert!(harness.sim.control().stats().max_concurrent_completions <= 8);
    harness.finish().await;
}
