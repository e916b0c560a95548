//! `taiji-gateway serve` starts anyway: with the Taiji site unreachable, with a wrong password,
//! without any account, and in demo mode. The real binary against the simulator on loopback.
//!
//! Every run gets its own temporary data directory and `HOME`, a cleared environment and the
//! file credential store, so nothing touches the real home directory or keychain. Waits poll
//! `/health` with a generous safety limit; nothing asserts how long anything took.

#![cfg(unix)]

mod support;

use std::time::Duration;

use serde_json::{Value, json};
use support::{API_KEY, Home, announced_base, login_on_stdin};
use taiji_sim::{DEMO_ACCOUNT, DEMO_PASSWORD, SimConfig, Simulator};
use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::process::{Child, Command};

/// Safety net for waits on events; tests never sleep to synchronise.
const LIMIT: Duration = Duration::from_secs(90);

/// A running `serve` and the address it announced.
struct Server {
    _child: Child,
    base: String,
    http: reqwest::Client,
    /// What `serve` printed on stderr up to its "press Ctrl-C" line.
    banner: String,
}

impl Server {
    async fn start(mut command: Command) -> Self {
        let mut child = command.spawn().expect("serve starts");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
        let mut stderr = BufReader::new(child.stderr.take().expect("stderr is piped"));
        let base = announced_base(&mut stdout, LIMIT)
            .await
            .expect("serve announces its address before exiting");
        let mut banner = String::new();
        while !banner.contains("press Ctrl-C") {
            let read = tokio::time::timeout(LIMIT, stderr.read_line(&mut banner))
                .await
                .expect("serve prints its banner")
                .expect("stderr is readable");
            assert!(read > 0, "stderr ended early: {banner}");
        }
        // Keep draining both pipes so the server never blocks on a full pipe.
        tokio::spawn(async move { tokio::io::copy(&mut stdout, &mut tokio::io::sink()).await });
        tokio::spawn(async move { tokio::io::copy(&mut stderr, &mut tokio::io::sink()).await });
        Self {
            _child: child,
            base,
            http: reqwest::Client::new(),
            banner,
        }
    }

    async fn health(&self) -> Value {
        self.http
            .get(format!("{}/health", self.base))
            .send()
            .await
            .expect("health answers")
            .json()
            .await
            .expect("health is JSON")
    }

    /// Polls `/health` until `done` holds (or the safety limit ends the test).
    async fn wait_for_health(&self, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = tokio::time::Instant::now() + LIMIT;
        loop {
            let health = self.health().await;
            if done(&health) {
                return health;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "gave up waiting; last health: {health}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn openai_chat(&self, key: &str) -> reqwest::Response {
        self.http
            .post(format!("{}/v1/chat/completions", self.base))
            .bearer_auth(key)
            .json(&json!({
                "model": "gpt-4.1-mini",
                "messages": [{"role": "user", "content": "hello through the gateway"}],
            }))
            .send()
            .await
            .expect("chat answers")
    }

    async fn anthropic_chat(&self, key: &str) -> reqwest::Response {
        self.http
            .post(format!("{}/v1/messages", self.base))
            .header("x-api-key", key)
            .header("anthropic-version", "2023-06-01")
            .json(&json!({
                "model": "gpt-4.1-mini",
                "max_tokens": 64,
                "messages": [{"role": "user", "content": "hello through the gateway"}],
            }))
            .send()
            .await
            .expect("messages answers")
    }
}

/// A loopback port nothing listens on (just released).
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

fn retry_after(response: &reqwest::Response) -> u64 {
    response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("a Retry-After header: {:?}", response.headers()))
}

#[tokio::test]
async fn serve_starts_while_the_site_is_unreachable_and_signs_in_when_it_comes_back() {
    let home = Home::new();
    let port = free_port();
    let site = format!("http://127.0.0.1:{port}");
    let mut command = home.command(&site, &["serve", "--port", "0", "--api-key", API_KEY]);
    command
        .env("TAIJI_ACCOUNT", DEMO_ACCOUNT)
        .env("TAIJI_PASSWORD", DEMO_PASSWORD);
    let server = Server::start(command).await;
    assert!(server.banner.contains("serving anyway"), "{}", server.banner);

    let health = server.health().await;
    assert_eq!(health["ready"], false, "{health}");
    assert_eq!(health["sign_in"]["state"], "unreachable", "{health}");
    assert!(
        health["summary"]
            .as_str()
            .is_some_and(|s| s.starts_with("site unreachable since ") && s.contains("next try in")),
        "{health}"
    );

    let openai = server.openai_chat(API_KEY).await;
    assert_eq!(openai.status(), 503);
    assert!(retry_after(&openai) >= 1);
    let body: Value = openai.json().await.expect("OpenAI error JSON");
    assert_eq!(body["error"]["type"], "server_error", "{body}");
    assert_eq!(body["error"]["code"], "upstream_unavailable", "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("unreachable")),
        "{body}"
    );

    let anthropic = server.anthropic_chat(API_KEY).await;
    assert_eq!(anthropic.status(), 503);
    assert!(retry_after(&anthropic) >= 1);
    let body: Value = anthropic.json().await.expect("Anthropic error JSON");
    assert_eq!(body["type"], "error", "{body}");
    assert_eq!(body["error"]["type"], "api_error", "{body}");

    // The site comes up on that address: the gateway signs in by itself.
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("the port is still free");
    let sim = Simulator::start_on(listener, SimConfig::default())
        .await
        .expect("simulator starts");
    let health = server.wait_for_health(|h| h["ready"] == true).await;
    assert_eq!(health["sign_in"]["state"], "signed_in", "{health}");
    assert_eq!(sim.control().stats().logins_ok, 1);

    let openai = server.openai_chat(API_KEY).await;
    assert_eq!(openai.status(), 200);
    let anthropic = server.anthropic_chat(API_KEY).await;
    assert_eq!(anthropic.status(), 200);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_wrong_password_stops_the_retries_and_says_so() {
    let home = Home::new();
    let sim = Simulator::start(SimConfig::default())
        .await
        .expect("simulator starts");
    let mut command = home.command(sim.base_url(), &["serve", "--port", "0", "--api-key", API_KEY]);
    command
        .env("TAIJI_ACCOUNT", DEMO_ACCOUNT)
        .env("TAIJI_PASSWORD", "not-the-password-42");
    let server = Server::start(command).await;
    assert!(server.banner.contains("wrong password"), "{}", server.banner);
    assert!(
        !server.banner.contains("not-the-password-42"),
        "{}",
        server.banner
    );

    let health = server.health().await;
    assert_eq!(health["ready"], false, "{health}");
    assert_eq!(health["sign_in"]["state"], "wrong_password", "{health}");
    assert!(!health.to_string().contains("not-the-password-42"), "{health}");

    // Requests meanwhile are refused without another login attempt.
    for _ in 0..5 {
        let openai = server.openai_chat(API_KEY).await;
        assert_eq!(openai.status(), 503);
        assert_eq!(openai.headers()["x-should-retry"], "false");
        let body: Value = openai.json().await.expect("OpenAI error JSON");
        assert_eq!(body["error"]["code"], "upstream_login_failed", "{body}");
        let anthropic = server.anthropic_chat(API_KEY).await;
        assert_eq!(anthropic.status(), 503);
    }
    let models = server
        .http
        .get(format!("{}/v1/models", server.base))
        .bearer_auth(API_KEY)
        .send()
        .await
        .expect("models answers");
    assert_eq!(models.status(), 503, "no catalog was ever fetched");
    let health = server.health().await;
    assert_eq!(health["sign_in"]["state"], "wrong_password", "{health}");
    assert_eq!(sim.control().stats().logins_failed, 1);
    assert_eq!(sim.control().stats().logins_ok, 0);
}

#[tokio::test]
async fn serve_without_an_account_says_sign_in_first_and_picks_up_a_later_login() {
    let home = Home::new();
    let sim = Simulator::start(SimConfig::default())
        .await
        .expect("simulator starts");
    let server =
        Server::start(home.command(sim.base_url(), &["serve", "--port", "0", "--api-key", API_KEY])).await;
    assert!(server.banner.contains("taiji-gateway login"), "{}", server.banner);

    let health = server.health().await;
    assert_eq!(health["ready"], false, "{health}");
    assert_eq!(health["sign_in"]["state"], "no_account", "{health}");
    assert!(
        health["summary"]
            .as_str()
            .is_some_and(|s| s.contains("taiji-gateway login")),
        "{health}"
    );

    let openai = server.openai_chat(API_KEY).await;
    assert_eq!(openai.status(), 503);
    let body: Value = openai.json().await.expect("OpenAI error JSON");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("taiji-gateway login")),
        "{body}"
    );
    let anthropic = server.anthropic_chat(API_KEY).await;
    assert_eq!(anthropic.status(), 503);
    let body: Value = anthropic.json().await.expect("Anthropic error JSON");
    assert_eq!(body["type"], "error", "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("taiji-gateway login")),
        "{body}"
    );
    assert_eq!(sim.control().stats().logins_ok, 0);

    // Another process stores credentials; the running gateway picks them up without a restart.
    let output = login_on_stdin(&home, sim.base_url(), LIMIT).await;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let health = server.wait_for_health(|h| h["ready"] == true).await;
    assert_eq!(health["account"], DEMO_ACCOUNT, "{health}");
    let openai = server.openai_chat(API_KEY).await;
    assert_eq!(openai.status(), 200);
}

#[tokio::test]
async fn demo_mode_answers_with_zero_configuration_and_stores_nothing() {
    let home = Home::new();
    let server = Server::start(home.bare_command(&["serve", "--demo", "--port", "0"])).await;
    assert!(server.banner.starts_with("DEMO MODE"), "{}", server.banner);
    let key = server
        .banner
        .lines()
        .find_map(|line| line.strip_prefix("API key (default): "))
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("an API key in the banner: {}", server.banner))
        .to_owned();

    let health = server.health().await;
    assert_eq!(health["demo"], true, "{health}");
    assert_eq!(health["ready"], true, "{health}");

    let models: Value = server
        .http
        .get(format!("{}/v1/models", server.base))
        .bearer_auth(&key)
        .send()
        .await
        .expect("models answers")
        .json()
        .await
        .expect("models JSON");
    let names: Vec<&str> = models["data"]
        .as_array()
        .expect("a model list")
        .iter()
        .filter_map(|m| m["display_name"].as_str())
        .collect();
    assert!(
        !names.is_empty() && names.iter().all(|n| n.starts_with("DEMO · ")),
        "{names:?}"
    );

    let openai = server.openai_chat(&key).await;
    assert_eq!(openai.status(), 200);
    let body: Value = openai.json().await.expect("completion JSON");
    assert!(
        body["choices"][0]["message"]["content"]
            .as_str()
            .is_some_and(|c| !c.is_empty()),
        "{body}"
    );
    // The demo never stores credentials, neither in the real data directory nor its own.
    assert!(!home.data_dir().join("credentials.json").exists());
    assert!(!home.data_dir().join("demo").join("credentials.json").exists());
    assert!(home.data_dir().join("demo").join("settings.json").exists());
}
