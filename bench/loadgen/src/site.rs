//! A client of the simulator as the site's front end talks to it, signed in once: what the direct
//! baseline and the minimal relay (`relay.rs`) do per request, each call as the site wants it.

use std::time::Duration;

use anyhow::Context as _;
use serde_json::{Value, json};

const APP_VERSION: &str = "3.4.0";

/// The HTTP client of every client of the targets.
pub fn http_client() -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .pool_idle_timeout(Duration::from_secs(60))
        .tcp_nodelay(true)
        .build()
}

/// The signed-in client of the site (the simulator) and the model its requests use.
pub struct Site {
    http: reqwest::Client,
    base: String,
    token: String,
    upstream_model: String,
}

impl Site {
    /// Signs in to the simulator at `base` with the front end's login call.
    pub async fn sign_in(
        http: reqwest::Client,
        base: String,
        account: &str,
        password: &str,
        upstream_model: String,
    ) -> anyhow::Result<Self> {
        let login = http
            .post(format!("{base}/api/user/login"))
            .header("x-app-version", APP_VERSION)
            .json(&json!({"account": account, "password": password}))
            .send()
            .await?
            .json::<Value>()
            .await?;
        let token = login["data"]["token"]
            .as_str()
            .context("the simulator refused the login")?
            .to_owned();
        Ok(Self {
            http,
            base,
            token,
            upstream_model,
        })
    }

    fn call(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        request
            .header("authorization", &self.token)
            .header("x-app-version", APP_VERSION)
    }

    /// A new session; its id.
    pub async fn create_session(&self) -> anyhow::Result<u64> {
        let session = self
            .call(self.http.post(format!("{}/api/chat/session", self.base)))
            .json(&json!({"model": self.upstream_model, "plugins": [], "mcp": []}))
            .send()
            .await?
            .json::<Value>()
            .await?;
        session["data"]["id"].as_u64().context("no session id")
    }

    /// Sends `text` in `session`; the response, its stream unread.
    pub async fn send_message(&self, session: u64, text: &str) -> reqwest::Result<reqwest::Response> {
        self.call(self.http.post(format!("{}/api/chat/completions", self.base)))
            .header("accept", "text/event-stream")
            .json(&json!({"text": text, "sessionId": session, "files": [],
                "model": self.upstream_model}))
            .send()
            .await
    }

    pub async fn delete_session(&self, session: u64) -> anyhow::Result<()> {
        self.call(
            self.http
                .delete(format!("{}/api/chat/session/{session}", self.base)),
        )
        .send()
        .await?
        .error_for_status()?;
        Ok(())
    }
}
