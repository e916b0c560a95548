//! Shared set-up of the gateway tests: a simulator, a core signed in to it in a temporary data
//! directory, and the gateway served on 127.0.0.1:0, plus a raw SSE parser for framing checks.

#![allow(dead_code)]

use std::io;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde_json::Value;
use taiji_core::credentials::BackendChoice;
use taiji_core::gateway::{self, GatewayOptions};
use taiji_core::request_log::{LogEntry, LogFilter};
use taiji_core::runtime::{Core, CoreOptions, SettingsOverrides};
use taiji_core::secret::Secret;
use taiji_core::settings::Settings;
use taiji_sim::{DEMO_ACCOUNT, DEMO_PASSWORD, SimConfig, Simulator};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The API key every harness configures (named `cli-1` by the overrides).
pub const KEY: &str = "sk-taiji-gateway-test-key-0123456789";
/// Its name in the request log.
pub const KEY_NAME: &str = "cli-1";

/// A running gateway in front of a simulator.
pub struct Harness {
    pub sim: Simulator,
    pub core: Core,
    pub base: String,
    pub client: reqwest::Client,
    dir: tempfile::TempDir,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<io::Result<()>>,
}

/// How to build a harness.
pub struct Setup {
    pub sim: SimConfig,
    pub overrides: SettingsOverrides,
    pub options: GatewayOptions,
    pub login: bool,
}

impl Default for Setup {
    fn default() -> Self {
        Self {
            sim: SimConfig::default(),
            overrides: SettingsOverrides {
                api_keys: Some(vec![Secret::new(KEY)]),
                api_keys_required: Some(true),
                ..SettingsOverrides::default()
            },
            options: GatewayOptions::default(),
            login: true,
        }
    }
}

impl Harness {
    /// The default harness: keys required, signed in.
    pub async fn start() -> Self {
        Self::with(Setup::default()).await
    }

    /// A harness as `setup` says.
    pub async fn with(setup: Setup) -> Self {
        let sim = Simulator::start(setup.sim).await.expect("simulator starts");
        let dir = tempfile::tempdir().expect("temp dir");
        let core = open_core(&sim, dir.path(), setup.overrides, setup.login).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(gateway::serve_with(
            listener,
            core.clone(),
            setup.options,
            async move {
                let _ = stopped.await;
            },
        ));
        let client = reqwest::Client::builder().no_proxy().build().expect("client");
        Self {
            sim,
            core,
            base,
            client,
            dir,
            stop: Some(stop),
            task,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The text of the last completions request the simulator received.
    pub fn last_sent_text(&self) -> String {
        let sent = self.sim.control().recent_completions();
        sent.last().expect("a completions request was sent").text.clone()
    }

    /// Every request-log entry, newest first.
    pub async fn log(&self) -> Vec<LogEntry> {
        self.core
            .request_log()
            .query(LogFilter::default(), 0, 1000)
            .await
            .expect("log query")
            .entries
    }

    /// Waits until the request log satisfies `done` (the dispatcher records outcomes after the
    /// client has its answer), failing the test after 10 s.
    pub async fn wait_log(&self, done: impl Fn(&[LogEntry]) -> bool) -> Vec<LogEntry> {
        let mut updates = self.core.request_log().subscribe();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let entries = self.log().await;
            if done(&entries) {
                return entries;
            }
            match tokio::time::timeout_at(deadline, updates.recv()).await {
                Ok(_) => {}
                Err(_) => panic!("the request log never got there: {entries:#?}"),
            }
        }
    }

    /// Changes the stored settings and waits until the core applies them.
    pub async fn update_settings(&self, change: impl FnOnce(&mut Settings) + Send + 'static) {
        let mut effective = self.core.subscribe_settings();
        effective.borrow_and_update();
        let core = self.core.clone();
        tokio::task::spawn_blocking(move || core.settings_store().update(change))
            .await
            .expect("join")
            .expect("valid settings");
        tokio::time::timeout(Duration::from_secs(10), effective.changed())
            .await
            .expect("applied in time")
            .expect("core alive");
    }

    /// A GET of `path` without any header.
    pub fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.client.get(self.url(path))
    }

    /// A POST to `path` without any header.
    pub fn post(&self, path: &str) -> reqwest::RequestBuilder {
        self.client.post(self.url(path))
    }

    /// `GET /health`.
    pub async fn health(&self) -> Value {
        self.get("/health").json_body().await
    }

    /// A POST with the OpenAI SDK's auth header.
    pub fn openai(&self, path: &str, body: &Value) -> reqwest::RequestBuilder {
        self.client.post(self.url(path)).bearer_auth(KEY).json(body)
    }

    /// A POST with the Anthropic SDK's headers.
    pub fn anthropic(&self, path: &str, body: &Value) -> reqwest::RequestBuilder {
        self.client
            .post(self.url(path))
            .header("x-api-key", KEY)
            .header("anthropic-version", "2023-06-01")
            .json(body)
    }

    /// Stops the gateway (waiting for it) and the core, and checks that no session is left open.
    pub async fn finish(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        tokio::time::timeout(Duration::from_secs(10), &mut self.task)
            .await
            .expect("gateway stops in time")
            .expect("gateway task")
            .expect("gateway serves without error");
        self.core.shutdown(Duration::from_secs(10)).await;
        let closed = self
            .sim
            .control()
            .wait_for(|stats| stats.sessions_open == 0, Duration::from_secs(10))
            .await;
        assert!(closed, "sessions left open: {:?}", self.sim.control().stats());
        drop(self.dir);
    }
}

/// A core in `dir` whose upstream is `sim`, signed in with the demo account when `login`.
pub async fn open_core(
    sim: &Simulator,
    dir: &std::path::Path,
    mut overrides: SettingsOverrides,
    login: bool,
) -> Core {
    overrides.upstream_base_url = Some(sim.base_url().to_owned());
    let core = Core::open(CoreOptions {
        data_dir: dir.to_owned(),
        credential_backend: BackendChoice::File,
        overrides,
        demo: false,
    })
    .await
    .expect("core opens");
    if login {
        core.login(DEMO_ACCOUNT, DEMO_PASSWORD).await.expect("login");
    }
    core
}

/// The steps every test takes to send a request and read its answer; a failed send or an
/// unreadable body fails the test.
pub trait Fetch {
    /// Sends the request.
    fn fetch(self) -> impl Future<Output = reqwest::Response> + Send;
    /// Sends the request and reads the whole body as text.
    fn text_body(self) -> impl Future<Output = String> + Send;
    /// Sends the request and parses the body as JSON.
    fn json_body<T: DeserializeOwned>(self) -> impl Future<Output = T> + Send;
}

impl Fetch for reqwest::RequestBuilder {
    async fn fetch(self) -> reqwest::Response {
        self.send().await.expect("send")
    }

    async fn text_body(self) -> String {
        self.fetch().await.text().await.expect("body")
    }

    async fn json_body<T: DeserializeOwned>(self) -> T {
        self.fetch().await.json().await.expect("json")
    }
}

/// One parsed SSE event.
#[derive(Debug, Clone, PartialEq)]
pub struct SseEvent {
    pub event: Option<String>,
    pub data: String,
}

impl SseEvent {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.data).unwrap_or_else(|e| panic!("bad JSON {:?}: {e}", self.data))
    }
}

/// Parses a whole SSE body strictly: every line is `event:`, `data:`, a comment or blank, and
/// every event ends with a blank line. Returns the events and the number of comments.
pub fn parse_sse(body: &str) -> (Vec<SseEvent>, usize) {
    assert!(
        body.is_empty() || body.ends_with("\n\n"),
        "body must end with a blank line: {body:?}"
    );
    let mut events = Vec::new();
    let mut comments = 0;
    for block in body.split("\n\n").filter(|block| !block.is_empty()) {
        let mut event = None;
        let mut data: Vec<&str> = Vec::new();
        for line in block.split('\n') {
            if line.starts_with(':') {
                comments += 1;
            } else if let Some(name) = line.strip_prefix("event: ") {
                event = Some(name.to_owned());
            } else if let Some(payload) = line.strip_prefix("data: ") {
                data.push(payload);
            } else {
                panic!("unexpected SSE line {line:?}");
            }
        }
        if !data.is_empty() {
            events.push(SseEvent {
                event,
                data: data.join("\n"),
            });
        }
    }
    (events, comments)
}

/// The assertions every SSE response must pass: status 200, content type, no compression.
pub fn assert_sse_headers(response: &reqwest::Response) {
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"].to_str().expect("ascii");
    assert!(content_type.starts_with("text/event-stream"), "{content_type}");
    assert!(response.headers().get("content-encoding").is_none());
    assert!(response.headers().get("content-length").is_none());
    assert_eq!(response.headers()["cache-control"], "no-cache, no-transform");
}
