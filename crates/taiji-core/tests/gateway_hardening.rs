//! Bad input found by probing the gateway (issue 8), each reproduced over real HTTP: image URLs
//! that reach this machine (SSRF), connections that never finish their request, oversized
//! identifiers, cross-origin requests from web pages, odd `Host` headers, wrong paths under
//! `/v1/messages`, and file permissions of what the gateway writes.

mod gateway_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::routing::get;
use gateway_support::Harness;
use serde_json::{Value, json};

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
            .send()
            .await
            .expect("send");
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
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 200);
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    harness.finish().await;
}
