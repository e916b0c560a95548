//! Bad input found by probing the gateway (issue 8), each reproduced over real HTTP: image URLs
//! that reach this machine (SSRF), connections that never finish their request, oversized
//! identifiers, cross-origin requests from web pages, odd `Host` headers, wrong paths under
//! `/v1/messages`, and file permissions of what the gateway writes.

use crate::gateway_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::gateway_support::{Fetch, Harness, KEY, Setup};
use axum::Router;
use axum::routing::get;
use serde_json::{Value, json};
use taiji_core::gateway::GatewayOptions;
use taiji_core::runtime::SettingsOverrides;

/// A loopback server with one PNG and one redirect, counting the requests it gets.
async fn image_server() -> (std::net::SocketAddr, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    let app = Router::new()
        .route(
            "/ok.png",
            get(|| async {
                (
                    [(http::header::CONTENT_TYPE, "image/png")],
                    &b"\x89PNG\r\n\x1a\nimage"[..],
                )
            }),
        )
        .layer(axum::middleware::from_fn(
            move |request: axum::extract::Request, next: axum::middleware::Next| {
                counted.fetch_add(1, Ordering::SeqCst);
                next.run(request)
            },
        ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (addr, hits)
}

fn image_request(url: &str) -> Value {
    json!({"model": "gpt-4o", "messages": [{"role": "user", "content": [
        {"type": "image_url", "image_url": {"url": url}},
        {"type": "text", "text": "what is this"}]}]})
}

#[tokio::test]
async fn image_urls_on_this_machine_are_refused_without_saying_what_is_there() {
    let harness = Harness::start().await;
    let (addr, hits) = image_server().await;
    for url in [
        format!("http://{addr}/ok.png"),
        format!("http://localhost:{}/ok.png", addr.port()),
        format!("http://{addr}/missing.png"),
        "http://169.254.169.254/latest/meta-data/".to_owned(),
        "http://[::1]:9/x.png".to_owned(),
    ] {
        let response = harness
            .openai("/v1/chat/completions", &image_request(&url))
            .fetch()
            .await;
        assert_eq!(response.status(), 400, "{url}");
        let body: Value = response.json().await.expect("json");
        let message = body["error"]["message"].as_str().expect("message");
        assert_eq!(message, "Could not use this image URL.", "{url}");
    }
    assert_eq!(hits.load(Ordering::SeqCst), 0, "the loopback server was reached");
    assert_eq!(harness.sim.control().stats().completions_started, 0);

    // The LAN setting lets users fetch from their own network.
    harness
        .update_settings(|settings| settings.images.allow_private_hosts = true)
        .await;
    let response = harness
        .openai(
            "/v1/chat/completions",
            &image_request(&format!("http://{addr}/ok.png")),
        )
        .fetch()
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    harness.finish().await;
}

/// Reads until the server closes the connection, failing the test if it never does.
async fn read_until_closed(stream: &mut tokio::net::TcpStream) -> Vec<u8> {
    use tokio::io::AsyncReadExt;
    let mut received = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(20), async {
        let mut buffer = [0u8; 4096];
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&buffer[..n]),
            }
        }
    })
    .await;
    assert!(read.is_ok(), "the server kept the connection open");
    received
}

fn short_timeouts() -> Setup {
    Setup {
        options: GatewayOptions {
            header_read_timeout: Duration::from_millis(300),
            body_read_timeout: Duration::from_millis(300),
            ..GatewayOptions::default()
        },
        ..Setup::default()
    }
}

#[tokio::test]
async fn half_a_header_or_half_a_body_is_not_held_forever() {
    use tokio::io::AsyncWriteExt;
    let harness = Harness::with(short_timeouts()).await;
    let addr = harness.base.trim_start_matches("http://").to_owned();

    let mut half_header = tokio::net::TcpStream::connect(&addr).await.expect("connect");
    half_header
        .write_all(b"POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\n")
        .await
        .expect("write");
    read_until_closed(&mut half_header).await;

    let mut half_body = tokio::net::TcpStream::connect(&addr).await.expect("connect");
    half_body
        .write_all(
            format!(
                "POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {KEY}\r\n\
                 Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"model\":"
            )
            .as_bytes(),
        )
        .await
        .expect("write");
    let answer = String::from_utf8_lossy(&read_until_closed(&mut half_body).await).into_owned();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"type\":\"invalid_request_error\""), "{answer}");
    assert_eq!(harness.sim.control().stats().completions_started, 0);
    harness.finish().await;
}

#[tokio::test]
async fn idle_connections_do_not_delay_shutdown() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    // Header timeouts far beyond the hang guard in `finish`: only closing idle connections and
    // dropping stalled ones at shutdown lets it return in time.
    let harness = Harness::with(Setup {
        options: GatewayOptions {
            header_read_timeout: Duration::from_secs(600),
            shutdown_drain: Duration::from_millis(500),
            ..GatewayOptions::default()
        },
        ..Setup::default()
    })
    .await;
    let addr = harness.base.trim_start_matches("http://").to_owned();
    let mut idle = Vec::new();
    for index in 0..90 {
        let mut stream = tokio::net::TcpStream::connect(&addr).await.expect("connect");
        if index % 3 == 1 {
            // A client stuck in the middle of its headers: dropped after the drain time.
            stream
                .write_all(b"GET /health HTTP/1.1\r\nHost: local")
                .await
                .expect("write");
        } else if index % 3 == 0 {
            // A kept-alive connection after one answered request.
            stream
                .write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n")
                .await
                .expect("write");
            let mut buffer = [0u8; 1024];
            let n = stream.read(&mut buffer).await.expect("read");
            assert!(buffer[..n].starts_with(b"HTTP/1.1 200"));
        }
        idle.push(stream);
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    harness.finish().await;
    for stream in &mut idle {
        read_until_closed(stream).await;
    }
}

#[tokio::test]
async fn web_pages_cannot_spend_points_even_without_an_api_key() {
    let harness = Harness::with(Setup {
        overrides: SettingsOverrides {
            api_keys_required: Some(false),
            ..SettingsOverrides::default()
        },
        ..Setup::default()
    })
    .await;
    let body = r#"{"model":"gpt-4.1-mini","messages":[{"role":"user","content":"spend"}]}"#;
    // A "simple" cross-origin request: no preflight, text/plain.
    let response = harness
        .post("/v1/chat/completions")
        .header("origin", "https://evil.example")
        .header("content-type", "text/plain")
        .body(body)
        .fetch()
        .await;
    assert_eq!(response.status(), 403);
    assert!(response.headers().get("access-control-allow-origin").is_none());
    let error: Value = response.json().await.expect("json");
    assert_eq!(error["error"]["code"], "forbidden");
    let response = harness
        .post("/v1/messages")
        .header("origin", "null")
        .body(body)
        .fetch()
        .await;
    assert_eq!(response.status(), 403);
    let error: Value = response.json().await.expect("json");
    assert_eq!(error["error"]["type"], "permission_error", "Anthropic's shape");
    assert_eq!(harness.sim.control().stats().completions_started, 0);

    // Clients without an Origin, and Electron apps loading from disk, keep working.
    for origin in [None, Some("file://")] {
        let mut request = harness.post("/v1/chat/completions").body(body);
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        let response = request.fetch().await;
        assert_eq!(response.status(), 200, "{origin:?}");
    }

    // A listed origin gets its own origin back (never `*`) and a preflight naming only API headers.
    harness
        .update_settings(|settings| settings.access.allowed_origins = vec!["https://chat.example".into()])
        .await;
    let preflight = harness
        .client
        .request(reqwest::Method::OPTIONS, harness.url("/v1/chat/completions"))
        .header("origin", "https://chat.example")
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization, content-type, x-stainless-os, x-evil-header, cookie",
        )
        .fetch()
        .await;
    assert_eq!(preflight.status(), 204);
    let headers = preflight.headers();
    assert_eq!(headers["access-control-allow-origin"], "https://chat.example");
    assert_eq!(headers["access-control-allow-methods"], "GET, POST, OPTIONS");
    assert_eq!(
        headers["access-control-allow-headers"],
        "authorization, content-type, x-stainless-os"
    );
    let response = harness
        .post("/v1/chat/completions")
        .header("origin", "https://chat.example")
        .header("content-type", "application/json")
        .body(body)
        .fetch()
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        "https://chat.example"
    );
    harness.finish().await;
}

#[tokio::test]
async fn huge_identifiers_are_refused_and_never_echoed_or_stored_whole() {
    let harness = Harness::start().await;
    let huge = "m".repeat(4 * 1024 * 1024);
    let openai = json!({"model": huge, "messages": [{"role": "user", "content": "hi"}]});
    let anthropic = json!({"model": huge, "max_tokens": 10, "messages": [{"role": "user", "content": "hi"}]});
    let user =
        json!({"model": "gpt-4.1-mini", "user": huge, "messages": [{"role": "user", "content": "hi"}]});
    let role = json!({"model": "gpt-4.1-mini", "messages": [{"role": huge, "content": "hi"}]});
    let metadata = json!({"model": "gpt-4.1-mini", "max_tokens": 10, "metadata": {"user_id": huge},
        "messages": [{"role": "user", "content": "hi"}]});
    for (path, body) in [
        ("/v1/chat/completions", &openai),
        ("/v1/messages", &anthropic),
        ("/v1/messages/count_tokens", &anthropic),
        ("/v1/chat/completions", &user),
        ("/v1/chat/completions", &role),
        ("/v1/messages", &metadata),
    ] {
        let response = harness.anthropic(path, body).fetch().await;
        assert_eq!(response.status(), 400, "{path}");
        let text = response.text().await.expect("body");
        assert!(text.len() < 2048, "{path}: {} bytes echoed", text.len());
        assert!(
            text.contains("too long") || text.contains("role"),
            "{path}: {text}"
        );
    }
    let entries = harness.wait_log(|entries| entries.len() == 6).await;
    for entry in &entries {
        assert!(
            entry.model.len() <= 260,
            "model kept: {} bytes",
            entry.model.len()
        );
        let message = entry.error_message.as_deref().unwrap_or_default();
        assert!(message.len() <= 4 * 1024, "message kept: {} bytes", message.len());
    }
    assert_eq!(harness.sim.control().stats().completions_started, 0);
    harness.finish().await;
}

/// Sends `raw` on a fresh connection and returns the whole answer (the request asks to close).
async fn raw_exchange(addr: &str, raw: &str) -> String {
    use tokio::io::AsyncWriteExt;
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream.write_all(raw.as_bytes()).await.expect("write");
    String::from_utf8_lossy(&read_until_closed(&mut stream).await).into_owned()
}

#[tokio::test]
async fn missing_or_doubled_host_headers_and_wrong_messages_paths() {
    let harness = Harness::start().await;
    let addr = harness.base.trim_start_matches("http://").to_owned();
    let no_host = raw_exchange(&addr, "GET /v1/models HTTP/1.1\r\nConnection: close\r\n\r\n").await;
    assert!(no_host.starts_with("HTTP/1.1 400"), "{no_host}");
    let two_hosts = raw_exchange(
        &addr,
        &format!(
            "GET /v1/models HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\n\
             Authorization: Bearer {KEY}\r\nConnection: close\r\n\r\n"
        ),
    )
    .await;
    assert!(two_hosts.starts_with("HTTP/1.1 400"), "{two_hosts}");
    assert!(two_hosts.contains("exactly one Host"), "{two_hosts}");
    let one_host = raw_exchange(
        &addr,
        &format!("GET /v1/models HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {KEY}\r\nConnection: close\r\n\r\n"),
    )
    .await;
    assert!(one_host.starts_with("HTTP/1.1 200"), "{one_host}");

    for (method, path, status) in [
        (reqwest::Method::GET, "/v1/messages", 405),
        (reqwest::Method::GET, "/v1/messages/batches", 404),
        (reqwest::Method::POST, "/v1/messages/nope", 404),
        (reqwest::Method::GET, "/v1/messages/count_tokens", 405),
    ] {
        let response = harness
            .client
            .request(method.clone(), harness.url(path))
            .header("x-api-key", KEY)
            .fetch()
            .await;
        assert_eq!(response.status(), status, "{method} {path}");
        let body: Value = response.json().await.expect("json");
        assert_eq!(body["type"], "error", "{method} {path}: {body}");
        assert!(body["error"]["type"].is_string(), "{method} {path}: {body}");
    }
    harness.finish().await;
}

#[cfg(unix)]
#[tokio::test]
async fn every_file_the_gateway_writes_is_private_even_in_an_existing_directory() {
    use std::os::unix::fs::PermissionsExt;
    let sim = taiji_sim::Simulator::start(taiji_sim::SimConfig::default())
        .await
        .expect("sim");
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    std::fs::create_dir(&data).expect("mkdir");
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    // A database left world-readable by an earlier version.
    std::fs::write(data.join("request-log.sqlite3"), b"").expect("write");
    std::fs::set_permissions(
        data.join("request-log.sqlite3"),
        std::fs::Permissions::from_mode(0o644),
    )
    .expect("chmod");
    let core = gateway_support::open_core(&sim, &data, SettingsOverrides::default(), true).await;
    core.settings_store()
        .update(|settings| settings.max_concurrent = 4)
        .expect("settings saved");
    let mode =
        |path: &std::path::Path| std::fs::metadata(path).expect("metadata").permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700, "data directory");
    let mut files = 0;
    for entry in std::fs::read_dir(&data).expect("list") {
        let path = entry.expect("entry").path();
        if path.is_file() {
            files += 1;
            assert_eq!(mode(&path), 0o600, "{}", path.display());
        }
    }
    // Settings, credentials, the database and its WAL and shared-memory files.
    assert!(files >= 5, "{files} files");
    core.shutdown(Duration::from_secs(5)).await;
}

#[tokio::test]
async fn bodies_in_flight_share_one_memory_budget() {
    use tokio::io::AsyncWriteExt;
    let harness = Harness::with(Setup {
        options: GatewayOptions {
            body_memory_budget: 100 * 1024,
            ..GatewayOptions::default()
        },
        ..Setup::default()
    })
    .await;
    let addr = harness.base.trim_start_matches("http://").to_owned();
    // Unknown fields are ignored but still take memory while the body is read.
    let padding = "x".repeat(60 * 1024);
    let body = json!({"model": "gpt-4.1-mini", "max_tokens": 10, "padding": padding,
        "messages": [{"role": "user", "content": "hi"}]});

    // A slow client holds 60 KiB of the budget while its body trickles in.
    let mut slow = tokio::net::TcpStream::connect(&addr).await.expect("connect");
    slow.write_all(
        format!(
            "POST /v1/messages HTTP/1.1\r\nHost: localhost\r\nx-api-key: {KEY}\r\n\
             Content-Length: {}\r\n\r\n{{",
            60 * 1024
        )
        .as_bytes(),
    )
    .await
    .expect("write");
    tokio::time::sleep(Duration::from_millis(200)).await;

    let response = harness.anthropic("/v1/messages", &body).fetch().await;
    assert_eq!(response.status(), 429, "{:?}", response.text().await);
    let error: Value = response.json().await.expect("json");
    assert_eq!(error["error"]["type"], "rate_limit_error", "{error}");
    let response = harness.openai("/v1/chat/completions", &body).fetch().await;
    assert_eq!(response.status(), 429);
    let error: Value = response.json().await.expect("json");
    assert_eq!(error["error"]["code"], "rate_limit_exceeded", "{error}");

    // Once the slow request is gone, its share is free again.
    drop(slow);
    let mut served = false;
    for _ in 0..50 {
        let response = harness.anthropic("/v1/messages", &body).fetch().await;
        if response.status() == 200 {
            served = true;
            break;
        }
        let status = response.status();
        assert_eq!(status, 429, "{:?}", response.text().await);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(served, "the budget was never released");
    harness.finish().await;
}

#[tokio::test]
async fn metrics_are_off_by_default_then_served_behind_the_key() {
    let harness = Harness::start().await;
    let scrape = |key: Option<&'static str>| {
        let mut request = harness.get("/metrics");
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        request.send()
    };
    assert_eq!(scrape(Some(KEY)).await.expect("send").status(), 404);
    harness
        .update_settings(|settings| settings.metrics.enabled = true)
        .await;
    assert_eq!(scrape(None).await.expect("send").status(), 401);

    let chat =
        json!({"model": "gpt-4.1-mini", "stream": true, "messages": [{"role": "user", "content": "hi"}]});
    let response = harness.openai("/v1/chat/completions", &chat).fetch().await;
    assert_eq!(response.status(), 200);
    response.text().await.expect("body");
    let message =
        json!({"model": "gpt-4.1-mini", "max_tokens": 50, "messages": [{"role": "user", "content": "hi"}]});
    let response = harness.anthropic("/v1/messages", &message).fetch().await;
    assert_eq!(response.status(), 200);
    let unknown = json!({"model": "no-such-model", "messages": [{"role": "user", "content": "hi"}]});
    let response = harness.openai("/v1/chat/completions", &unknown).fetch().await;
    assert_eq!(response.status(), 404);

    let mut text = String::new();
    for _ in 0..100 {
        let response = scrape(Some(KEY)).await.expect("send");
        assert_eq!(response.status(), 200);
        text = response.text().await.expect("text");
        if text.contains("endpoint=\"/v1/messages\"") && text.contains("sign_ins_total{") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let has_line = |parts: &[&str]| {
        text.lines()
            .any(|line| parts.iter().all(|part| line.contains(part)))
    };
    // One served request per API, one refused for its model.
    let requests: [&[&str]; 3] = [
        &[
            "taiji_requests_total{",
            "endpoint=\"/v1/chat/completions\"",
            "gpt-4.1-mini",
            "outcome=\"ok\"",
            "} 1",
        ],
        &[
            "taiji_requests_total{",
            "endpoint=\"/v1/messages\"",
            "outcome=\"ok\"",
            "} 1",
        ],
        &[
            "taiji_requests_total{",
            "endpoint=\"/v1/chat/completions\"",
            "model=\"\"",
            "outcome=\"model_not_found\"",
            "} 1",
        ],
    ];
    for parts in requests {
        assert!(has_line(parts), "{parts:?} in {text}");
    }
    assert!(
        has_line(&["taiji_sign_ins_total{", "result=\"ok\"", "} 1"]),
        "the harness signed in once: {text}"
    );
    // The admission's gauges as they are when scraped: nothing running, nothing queued.
    assert!(has_line(&["taiji_requests_in_flight 0"]), "{text}");
    assert!(has_line(&["taiji_requests_queued 0"]), "{text}");
    for name in [
        "taiji_upstream_duration_seconds_bucket",
        "taiji_time_to_first_token_seconds_count",
        "taiji_requests_in_flight",
        "taiji_requests_queued",
        "taiji_points_spent_total",
        "# TYPE taiji_sign_ins counter",
    ] {
        assert!(text.contains(name), "{name} missing: {text}");
    }
    assert!(!text.contains(KEY), "no secrets in metrics");
    harness.finish().await;
}
