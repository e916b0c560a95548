//! The real `taiji-gateway` binary against the Taiji simulator on loopback: what a user sees on
//! stdout and stderr, exit codes, and what reaches (and is cleaned up on) the upstream.
//!
//! Every run gets its own temporary data directory and `HOME`, a cleared environment and the
//! file credential store, so nothing touches the real home directory or keychain. Unix only: the
//! shutdown tests send real signals.

#![cfg(unix)]

mod support;

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use support::{API_KEY, Home, announced_base, login_on_stdin};
use taiji_sim::{DEMO_ACCOUNT, DEMO_PASSWORD, SimConfig, Simulator};
use tokio::io::{AsyncReadExt as _, BufReader};
use tokio::process::{Child, Command};

/// Safety net for waits on events; tests never sleep to synchronise.
const LIMIT: Duration = Duration::from_secs(60);

/// A temporary home and data directory, and the simulator the binary talks to.
struct Env {
    home: Home,
    sim: Simulator,
}

impl Env {
    async fn new() -> Self {
        Self::with(SimConfig::default()).await
    }

    async fn with(config: SimConfig) -> Self {
        Self {
            home: Home::new(),
            sim: Simulator::start(config).await.expect("simulator starts"),
        }
    }

    fn data_dir(&self) -> std::path::PathBuf {
        self.home.data_dir()
    }

    /// `taiji-gateway ARGS` with a clean environment pointing at the simulator.
    fn command(&self, args: &[&str]) -> Command {
        self.home.command(self.sim.base_url(), args)
    }

    /// The same, signed in through the environment with the demo account.
    fn signed_in(&self, args: &[&str]) -> Command {
        let mut command = self.command(args);
        command
            .env("TAIJI_ACCOUNT", DEMO_ACCOUNT)
            .env("TAIJI_PASSWORD", DEMO_PASSWORD);
        command
    }
}

async fn run(mut command: Command) -> Output {
    tokio::time::timeout(LIMIT, command.output())
        .await
        .expect("the command finishes")
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Asserts a failure reported as exactly one line on stderr containing `expected`.
fn assert_one_line_failure(output: &Output, expected: &str) {
    let stderr = text(&output.stderr);
    assert!(!output.status.success(), "expected a failure; stderr: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line expected, got: {stderr}");
    assert!(stderr.contains(expected), "expected `{expected}` in: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(text(&output.stdout).is_empty(), "nothing on stdout on failure");
}

/// A running `serve` and the address it announced.
struct Server {
    child: Child,
    base: String,
    stdout: BufReader<tokio::process::ChildStdout>,
}

impl Server {
    async fn start(mut command: Command) -> Self {
        let mut child = command.spawn().expect("serve starts");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
        let Some(base) = announced_base(&mut stdout, LIMIT).await else {
            let mut stderr = String::new();
            if let Some(mut pipe) = child.stderr.take() {
                let _ = pipe.read_to_string(&mut stderr).await;
            }
            panic!("serve exited before listening: {stderr}");
        };
        Self { child, base, stdout }
    }

    fn signal(&self, signal: nix::sys::signal::Signal) {
        let pid = self.child.id().expect("serve is running");
        let pid = nix::unistd::Pid::from_raw(i32::try_from(pid).expect("pid fits"));
        nix::sys::signal::kill(pid, signal).expect("signal delivered");
    }

    /// Waits for the exit and returns the status with the rest of stdout and all of stderr.
    async fn wait(mut self) -> (std::process::ExitStatus, String, String) {
        let mut rest = String::new();
        let mut stderr = String::new();
        let mut stderr_pipe = self.child.stderr.take().expect("stderr is piped");
        let (status, _, _) = tokio::time::timeout(LIMIT, async {
            tokio::join!(
                self.child.wait(),
                self.stdout.read_to_string(&mut rest),
                stderr_pipe.read_to_string(&mut stderr)
            )
        })
        .await
        .expect("serve exits");
        (status.expect("exit status"), rest, stderr)
    }
}

#[tokio::test]
async fn serve_prints_the_listening_line_and_answers_health() {
    let env = Env::new().await;
    let server = Server::start(env.signed_in(&["serve", "--port", "0", "--api-key", API_KEY])).await;
    assert!(server.base.starts_with("http://127.0.0.1:"), "{}", server.base);

    let health = reqwest::get(format!("{}/health", server.base))
        .await
        .expect("health answers");
    assert!(health.status().is_success(), "{}", health.status());
    let models = reqwest::Client::new()
        .get(format!("{}/v1/models", server.base))
        .bearer_auth(API_KEY)
        .send()
        .await
        .expect("models answers");
    assert_eq!(models.status(), 200);

    server.signal(nix::sys::signal::Signal::SIGINT);
    let base = server.base.clone();
    let (status, rest, stderr) = server.wait().await;
    assert!(status.success(), "exit {status:?}; stderr: {stderr}");
    assert!(
        rest.is_empty(),
        "stdout carries only the listening line, got {rest:?}"
    );
    // Stderr tells the user what to paste into their apps; never the password.
    assert!(stderr.contains(API_KEY), "{stderr}");
    assert!(stderr.contains(&format!("base URL {base}/v1")), "{stderr}");
    assert!(stderr.contains(&format!("ANTHROPIC_BASE_URL={base}")), "{stderr}");
    assert!(!stderr.contains(DEMO_PASSWORD), "{stderr}");
}

#[tokio::test]
async fn sigterm_during_a_stream_exits_zero_and_deletes_the_upstream_session() {
    let env = Env::with(SimConfig {
        frame_delay: Duration::from_millis(50),
        ..SimConfig::default()
    })
    .await;
    let server = Server::start(env.signed_in(&["serve", "--port", "0", "--api-key", API_KEY])).await;

    let mut response = reqwest::Client::new()
        .post(format!("{}/v1/chat/completions", server.base))
        .bearer_auth(API_KEY)
        .json(&serde_json::json!({
            "model": "gpt-4.1-mini",
            "stream": true,
            "messages": [{"role": "user", "content": "[[sim:long=5000]] go"}],
        }))
        .send()
        .await
        .expect("the stream starts");
    assert_eq!(response.status(), 200);
    let first = response.chunk().await.expect("a first chunk");
    assert!(first.is_some(), "the stream sent something");
    let control = env.sim.control().clone();
    assert!(
        control
            .wait_for(|s| s.completions_started == 1 && s.sessions_open == 1, LIMIT)
            .await,
        "the upstream is generating: {:?}",
        control.stats()
    );

    server.signal(nix::sys::signal::Signal::SIGTERM);
    // The client sees its stream end (with an in-stream error), not hang.
    while let Ok(Some(_)) = response.chunk().await {}
    let (status, _, stderr) = server.wait().await;
    assert!(status.success(), "exit {status:?}; stderr: {stderr}");
    assert!(
        control
            .wait_for(|s| s.sessions_open == 0 && s.completions_aborted == 1, LIMIT)
            .await,
        "the session was deleted and the generation aborted: {:?}",
        control.stats()
    );
    assert_eq!(control.stats().completions_finished, 0);
}

#[tokio::test]
async fn a_taken_port_is_named_with_a_free_one_to_try() {
    let env = Env::new().await;
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port();
    let output = run(env.signed_in(&["serve", "--port", &port.to_string(), "--api-key", API_KEY])).await;
    assert_one_line_failure(&output, &format!("port {port} is in use on 127.0.0.1"));
    let stderr = text(&output.stderr);
    assert!(stderr.trim_end().ends_with("is free)"), "{stderr}");
    let suggested: u16 = stderr
        .rsplit("; port ")
        .next()
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|p| p.parse().ok())
        .expect("a suggested port");
    assert_ne!(suggested, port);
    drop(taken);
}

#[tokio::test]
async fn an_unreachable_site_is_one_line() {
    let env = Env::new().await;
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let site = format!("http://127.0.0.1:{closed}");
    let output = run(env.signed_in(&["--api-base", &site, "models"])).await;
    assert_one_line_failure(&output, &format!("cannot reach the Taiji site at {site}"));
}

#[tokio::test]
async fn no_api_key_is_refused_outside_loopback() {
    let env = Env::new().await;
    let output = run(env.signed_in(&[
        "serve",
        "--host",
        "0.0.0.0",
        "--lan",
        "--no-api-key",
        "--port",
        "0",
    ]))
    .await;
    assert_one_line_failure(&output, "invalid settings");
    assert!(text(&output.stderr).contains("api_keys_required"));
}

#[tokio::test]
async fn bad_flags_exit_with_a_usage_error() {
    let env = Env::new().await;
    let output = run(env.command(&["serve", "--port", "not-a-port"])).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("--port"));
    assert!(!text(&output.stderr).contains("panicked"));
}

#[tokio::test]
async fn login_reads_the_password_from_stdin_then_models_lists_the_catalog() {
    let env = Env::new().await;
    let output = login_on_stdin(&env.home, env.sim.base_url(), LIMIT).await;
    let stdout = text(&output.stdout);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(
        stdout.contains(&format!("signed in as {DEMO_ACCOUNT}")),
        "{stdout}"
    );
    assert!(
        stdout.contains("stored in a file readable only by you"),
        "{stdout}"
    );
    assert!(!stdout.contains(DEMO_PASSWORD) && !text(&output.stderr).contains(DEMO_PASSWORD));
    assert_private_file(&env.data_dir().join("credentials.json"));

    // No credentials in the environment this time: the stored ones are used.
    let output = run(env.command(&["models", "--json"])).await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    let models: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).expect("JSON");
    let ids: Vec<&str> = models.iter().filter_map(|m| m["id"].as_str()).collect();
    // Bare ids (2.x) or `provider::model` values (3.4.0, the simulator's default) alike.
    let listed = |bare: &str| ids.iter().any(|id| id.rsplit("::").next() == Some(bare));
    assert!(listed("gpt-4.1-mini") && listed("deepseek-reasoner"), "{ids:?}");
    let reasoner = models
        .iter()
        .find(|m| {
            m["id"]
                .as_str()
                .is_some_and(|id| id.ends_with("deepseek-reasoner"))
        })
        .expect("reasoner listed");
    assert_eq!(reasoner["thinking"], true);

    let table = run(env.command(&["models"])).await;
    let table_text = text(&table.stdout);
    assert!(table.status.success());
    for header in ["id", "label", "group", "price", "vision", "thinking"] {
        assert!(table_text.contains(header), "{table_text}");
    }
    assert!(table_text.contains("gpt-4o"), "{table_text}");

    let logout = run(env.command(&["logout"])).await;
    assert!(logout.status.success());
    let after = run(env.command(&["models"])).await;
    assert_one_line_failure(&after, "not signed in");
}

fn assert_private_file(path: &Path) {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(path)
        .expect("credentials file")
        .permissions()
        .mode();
    assert_eq!(mode & 0o077, 0, "credentials readable by others: {mode:o}");
}

#[tokio::test]
async fn chat_streams_the_answer_and_reports_usage() {
    let env = Env::new().await;
    let output = run(env.signed_in(&["chat", "hello from the cli", "--model", "deepseek-reasoner"])).await;
    let stdout = text(&output.stdout);
    let stderr = text(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    // The simulator echoes the prompt; reasoning stays off stdout.
    assert!(stdout.contains("hello from the cli"), "{stdout}");
    assert!(!stdout.contains("<think>"), "{stdout}");
    assert!(
        stderr.contains("tokens:") && stderr.contains("points:"),
        "{stderr}"
    );
    let record = env
        .sim
        .control()
        .recent_completions()
        .pop()
        .expect("a completion reached the upstream");
    assert_eq!(record.text, "hello from the cli");
    assert_eq!(record.model.rsplit("::").next(), Some("deepseek-reasoner"));
    assert!(
        env.sim.control().wait_for(|s| s.sessions_open == 0, LIMIT).await,
        "the chat session was deleted"
    );
}

#[tokio::test]
async fn chat_with_an_unknown_model_is_one_line() {
    let env = Env::new().await;
    let output = run(env.signed_in(&["chat", "hi", "--model", "no-such-model-xyz"])).await;
    assert_one_line_failure(&output, "no-such-model-xyz");
    assert_eq!(env.sim.control().stats().completions_started, 0);
}

#[tokio::test]
async fn status_reports_the_account_and_settings_without_secrets() {
    let env = Env::new().await;
    let output = run(env.signed_in(&["status", "--json"])).await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    let status: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(status["account"], DEMO_ACCOUNT);
    assert_eq!(status["login"]["state"], "logged_in");
    assert_eq!(status["settings"]["upstream"]["base_url"], env.sim.base_url());
    assert_eq!(
        status["settings"]["api_key_names"],
        serde_json::json!(["default"])
    );
    let raw = text(&output.stdout);
    assert!(!raw.contains(DEMO_PASSWORD), "{raw}");
    assert!(!raw.contains("tj-"), "no API key secrets in status: {raw}");

    let plain = run(env.signed_in(&["status"])).await;
    let plain_text = text(&plain.stdout);
    assert!(plain.status.success());
    assert!(
        plain_text.contains(&format!("signed in as:     {DEMO_ACCOUNT}")),
        "{plain_text}"
    );
    assert!(
        plain_text.contains(&env.data_dir().display().to_string()),
        "{plain_text}"
    );

    assert!(plain_text.contains("connection:       ok"), "{plain_text}");
    assert!(plain_text.contains("upstream proxy:   system"), "{plain_text}");
    assert_eq!(status["connection"]["ok"], true);
    assert_eq!(status["site"]["base_url"], env.sim.base_url());

    // Through a proxy that is not there: the check says so, and its password never shows.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let dead = listener.local_addr().expect("addr");
    drop(listener);
    let mut proxied = env.command(&["status", "--json"]);
    proxied.env("TAIJI_UPSTREAM_PROXY", format!("socks5://user:pr0xy-pass@{dead}"));
    let output = run(proxied).await;
    let raw = format!("{}{}", text(&output.stdout), text(&output.stderr));
    assert!(output.status.success(), "{raw}");
    assert!(!raw.contains("pr0xy-pass"), "{raw}");
    let status: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(status["connection"]["ok"], false, "{status}");
    assert_eq!(status["site"]["proxy"], format!("socks5://***:***@{dead}"));

    // Credentials from the environment serve that run only; nothing was stored.
    let unset = run(env.command(&["status"])).await;
    assert!(
        text(&unset.stdout).contains("nobody (run `taiji-gateway login`)"),
        "{}",
        text(&unset.stdout)
    );
}
