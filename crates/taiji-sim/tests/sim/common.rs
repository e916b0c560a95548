//! Test helpers: a logged-in client for one simulator, session and completions shortcuts, an SSE splitter.

use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use taiji_sim::{CatalogVersion, DEMO_ACCOUNT, DEMO_PASSWORD, SimConfig, Simulator};

pub const APP_VERSION: &str = "2.16.0";

/// The 2.x dialect. Most tests here check the shapes of the 2.x captures byte by byte (bare model values,
/// no capabilities), so they pin it; `dialect.rs` covers what the 3.4.0 default adds.
pub fn v2() -> SimConfig {
    SimConfig {
        catalog: CatalogVersion::V2,
        ..SimConfig::default()
    }
}

pub async fn start(config: SimConfig) -> Simulator {
    Simulator::start(config).await.expect("simulator starts")
}

/// Sends a request and reads its JSON reply; a failed send or a body that is not JSON fails the test.
pub trait JsonReply {
    fn json_reply<T: DeserializeOwned>(self) -> impl Future<Output = T> + Send;
}

impl JsonReply for reqwest::RequestBuilder {
    async fn json_reply<T: DeserializeOwned>(self) -> T {
        self.send().await.expect("send").json().await.expect("json")
    }
}

/// A client that sends the headers the real site requires, with a token from the demo login.
pub struct Api {
    pub http: reqwest::Client,
    pub base: String,
    pub token: String,
}

impl Api {
    pub async fn login(sim: &Simulator) -> Api {
        Self::login_as(sim, DEMO_ACCOUNT, DEMO_PASSWORD).await
    }

    pub async fn login_as(sim: &Simulator, account: &str, password: &str) -> Api {
        let http = reqwest::Client::new();
        let base = sim.base_url().to_owned();
        let reply: Value = http
            .post(format!("{base}/api/user/login"))
            .json(&json!({"account": account, "password": password}))
            .send()
            .await
            .expect("login request")
            .json()
            .await
            .expect("login json");
        assert_eq!(reply["code"], 0, "{reply}");
        let token = reply["data"]["token"].as_str().expect("token").to_owned();
        Api { http, base, token }
    }

    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.base))
            .header("authorization", &self.token)
            .header("x-app-version", APP_VERSION)
    }

    pub async fn get(&self, path: &str) -> Value {
        self.request(reqwest::Method::GET, path).json_reply().await
    }

    pub async fn send(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        self.request(method, path).json(&body).json_reply().await
    }

    pub async fn create_session(&self, model: &str) -> u64 {
        let reply = self
            .send(
                reqwest::Method::POST,
                "/api/chat/session",
                json!({"model": model, "plugins": [], "mcp": []}),
            )
            .await;
        assert_eq!(reply["code"], 0, "{reply}");
        reply["data"]["id"].as_u64().expect("session id")
    }

    pub fn completion_request(&self, session: u64, text: &str, files: Value) -> reqwest::RequestBuilder {
        self.request(reqwest::Method::POST, "/api/chat/completions")
            .header("accept", "text/event-stream")
            .json(&json!({"text": text, "sessionId": session, "files": files}))
    }

    /// Sends a completions request and reads the whole body.
    pub async fn complete(&self, session: u64, text: &str, files: Value) -> Completion {
        let response = self
            .completion_request(session, text, files)
            .send()
            .await
            .expect("send");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.text().await.expect("body");
        Completion {
            status,
            headers,
            body,
        }
    }
}

pub struct Completion {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl Completion {
    pub fn content_type(&self) -> &str {
        self.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// The raw `data:` payloads, in order; asserts the exact `data: …\n\n` framing.
    pub fn frames(&self) -> Vec<String> {
        assert!(
            self.content_type().starts_with("text/event-stream"),
            "{}",
            self.body
        );
        assert!(self.body.ends_with("\n\n"), "every event ends with a blank line");
        self.body
            .strip_suffix("\n\n")
            .unwrap_or_default()
            .split("\n\n")
            .map(|event| {
                event
                    .strip_prefix("data: ")
                    .expect("each event is one `data: ` line")
                    .to_owned()
            })
            .collect()
    }

    /// Parsed JSON frames (everything but `[DONE]`).
    pub fn json_frames(&self) -> Vec<Value> {
        self.frames()
            .iter()
            .filter(|f| *f != "[DONE]")
            .map(|f| serde_json::from_str(f).expect("frame is JSON"))
            .collect()
    }

    /// The final record of a successful stream.
    pub fn record(&self) -> Value {
        let frames = self.json_frames();
        let last = frames.last().expect("frames");
        assert_eq!(last["type"], "object", "{}", self.body);
        last["data"].clone()
    }

    pub fn ai_text(&self) -> String {
        self.record()["aiText"].as_str().expect("aiText").to_owned()
    }

    pub fn envelope(&self) -> Value {
        assert!(
            self.content_type().starts_with("application/json"),
            "{}",
            self.body
        );
        serde_json::from_str(&self.body).expect("envelope JSON")
    }
}

/// The simulator's documented token rule: one per non-ASCII char, one per started group of four ASCII chars.
pub fn estimate_tokens(text: &str) -> u64 {
    let ascii = text.chars().filter(char::is_ascii).count() as u64;
    let other = text.chars().count() as u64 - ascii;
    other + ascii.div_ceil(4)
}

/// A 1×1 PNG as a data URL.
pub fn png_file() -> Value {
    json!({"name": "dot.png", "data": "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="})
}
