//! [`UpstreamClient`]: the HTTP calls of the Taiji web API (taiji-protocol.md §3), with the
//! browser-like headers of §2.2. One client per account: it owns that account's cookie jar and
//! connection pool. It knows nothing about login state; callers pass the token (see
//! [`crate::account::Account`] for the login lifecycle).
//!
//! It does know where the site is: every call runs through [`super::site`]'s recovery, which finds
//! a moved site or a newer front-end version and retries what cannot have reached the model.

use std::sync::{Arc, RwLock};

use reqwest::cookie::Jar;
use reqwest::header::{ACCEPT, ACCEPT_ENCODING, AUTHORIZATION, CACHE_CONTROL, HeaderValue, ORIGIN, REFERER};
use reqwest::{Method, RequestBuilder};
use serde_json::{Value, json};
use tokio::sync::{Mutex, watch};

use super::catalog::parse_catalog;
use super::config::{Endpoints, InvalidConfig, UpstreamConfig};
use super::discovery;
use super::error::{UpstreamError, is_credential_rejection};
use super::response::{ResponseMeta, decode_body, decode_completions_rejection};
use super::site::{Recovery, SiteStatus};
use super::stream::CompletionStream;
use super::token::LoginToken;
use super::types::{
    CheckInCalendar, CheckInDay, CheckInReward, CompletionRequest, PointsBalance, PointsPlan, SessionInfo,
    SessionPage, UserInfo,
};
use crate::model::Catalog;
use crate::secret::Secret;

/// The user agent of the browser the captures were made with (Edge on Windows); the site serves
/// browsers, and a familiar agent keeps us unremarkable to its WAF.
const USER_AGENT: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
                          Chrome/146.0.0.0 Safari/537.36 Edg/146.0.0.0";
const JSON_ACCEPT: &str = "application/json, text/plain, */*";
const SSE_ACCEPT: &str = "text/event-stream";
/// Points plans are paged; a real account has a handful, so a few pages are plenty.
const MAX_PLAN_PAGES: u32 = 10;

/// The Taiji web API for one account. Cheap to clone; clones share the connection pool, the cookie
/// jar and the configuration.
#[derive(Clone)]
pub struct UpstreamClient {
    pub(super) inner: Arc<Inner>,
}

pub(super) struct Inner {
    /// Survives configuration changes, so the `server_name_session` cookie is kept (§2.3).
    pub(super) jar: Arc<Jar>,
    /// Shared, not copied, by every call: a call clones the `Arc`, not the configuration.
    pub(super) active: RwLock<Arc<Active>>,
    /// Held while the site is searched for or its version read: one wave of failures runs it once.
    pub(super) recovery: Mutex<Recovery>,
    pub(super) site: watch::Sender<SiteStatus>,
}

/// Everything a call needs, swapped as a whole by [`UpstreamClient::set_config`].
pub(super) struct Active {
    pub(super) config: UpstreamConfig,
    pub(super) endpoints: Endpoints,
    pub(super) http: reqwest::Client,
}

/// Which page of the web UI a request pretends to come from (sets `referer`).
#[derive(Clone, Copy)]
enum Page {
    Auth,
    Chat,
}

impl UpstreamClient {
    /// Builds a client. Fails only on an unusable configuration.
    pub fn new(config: UpstreamConfig) -> Result<Self, InvalidConfig> {
        let jar = Arc::new(Jar::default());
        let active = build_active(config, &jar)?;
        let site = watch::Sender::new(SiteStatus::of(&active.config, &active.endpoints, None));
        Ok(Self {
            inner: Arc::new(Inner {
                jar,
                active: RwLock::new(Arc::new(active)),
                recovery: Mutex::new(Recovery::default()),
                site,
            }),
        })
    }

    /// The current configuration.
    pub fn config(&self) -> UpstreamConfig {
        self.active().config.clone()
    }

    /// Replaces the configuration; calls started afterwards use it, running ones finish with the
    /// old one. Cookies are kept. A changed base URL does not drop tokens here: the account does.
    pub fn set_config(&self, config: UpstreamConfig) -> Result<(), InvalidConfig> {
        let active = build_active(config, &self.inner.jar)?;
        self.install(active, None);
        Ok(())
    }

    pub(super) fn active(&self) -> Arc<Active> {
        Arc::clone(&self.inner.active.read().expect("upstream config lock poisoned"))
    }

    /// `POST /api/user/login` with the browser's body of the configured front-end version (§3.1).
    #[tracing::instrument(skip_all, err)]
    pub async fn login(&self, account: &str, password: &Secret) -> Result<LoginToken, UpstreamError> {
        self.recovering(|active| async move {
            let body = login_body(&active.config.app_version, account, password);
            let request = request(
                &active,
                Method::POST,
                "/api/user/login",
                None,
                Page::Auth,
                JSON_ACCEPT,
            )?
            .json(&body);
            let data = match send_json(&active, request).await {
                Err(UpstreamError::Api { msg, .. }) if is_credential_rejection(&msg) => {
                    return Err(UpstreamError::InvalidCredentials { msg });
                }
                other => other?,
            };
            let token = data
                .get("token")
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .ok_or_else(|| UpstreamError::malformed("the login answer has no token"))?;
            Ok(LoginToken::from_raw(Secret::new(token)))
        })
        .await
    }

    /// `GET /api/user/info`: a cheap check that the token works.
    #[tracing::instrument(skip_all, err)]
    pub async fn user_info(&self, token: &Secret) -> Result<UserInfo, UpstreamError> {
        let data = self.get(token, "/api/user/info").await?;
        parse_data(data, "user info")
    }

    /// `GET /api/chat/tmpl`: the account's model catalog (2.x or 3.x shape).
    #[tracing::instrument(skip_all, err)]
    pub async fn catalog(&self, token: &Secret) -> Result<Catalog, UpstreamError> {
        let data = self.get(token, "/api/chat/tmpl").await?;
        if !data.is_object() {
            return Err(UpstreamError::malformed("the catalog is not an object"));
        }
        Ok(parse_catalog(&data))
    }

    /// `POST /api/chat/session`: a fresh session answering with `model`.
    // The spans of the three calls every chat request makes are at debug level: at the serving
    // level (`taiji_core=info`) each would be built, its fields formatted and entered on every poll,
    // for every request; their errors are still logged at error level (`err`).
    #[tracing::instrument(level = "debug", skip_all, err, fields(model = model))]
    pub async fn create_session(&self, token: &Secret, model: &str) -> Result<SessionInfo, UpstreamError> {
        let data = self
            .recovering(|active| async move {
                let body = json!({"model": model, "plugins": [], "mcp": []});
                let request = request(
                    &active,
                    Method::POST,
                    "/api/chat/session",
                    Some(token),
                    Page::Chat,
                    JSON_ACCEPT,
                )?
                .json(&body);
                send_json(&active, request).await
            })
            .await?;
        parse_data(data, "session")
    }

    /// `DELETE /api/chat/session/{id}`.
    #[tracing::instrument(level = "debug", skip_all, err, fields(session_id = session_id))]
    pub async fn delete_session(&self, token: &Secret, session_id: u64) -> Result<(), UpstreamError> {
        let path = format!("/api/chat/session/{session_id}");
        let path = path.as_str();
        self.recovering(|active| async move {
            let request = request(
                &active,
                Method::DELETE,
                path,
                Some(token),
                Page::Chat,
                JSON_ACCEPT,
            )?;
            send_json(&active, request).await.map(drop)
        })
        .await
    }

    /// `GET /api/chat/session?page=N` (1-based, newest first).
    #[tracing::instrument(skip_all, err, fields(page = page))]
    pub async fn list_sessions(&self, token: &Secret, page: u32) -> Result<SessionPage, UpstreamError> {
        let data = self
            .get(token, &format!("/api/chat/session?page={}", page.max(1)))
            .await?;
        parse_data(data, "session list")
    }

    /// `GET /api/user_plan`: the remaining points (sum of `usable` over non-expired plans).
    #[tracing::instrument(skip_all, err)]
    pub async fn user_plan(&self, token: &Secret) -> Result<PointsBalance, UpstreamError> {
        let mut plans = Vec::new();
        let mut page = 1;
        loop {
            let data = self.get(token, &format!("/api/user_plan?page={page}")).await?;
            let records: Vec<PointsPlan> = match data.get("records") {
                None | Some(Value::Null) => Vec::new(),
                Some(records) => parse_data(records.clone(), "points plans")?,
            };
            plans.extend(records);
            let pages = data.get("pages").and_then(Value::as_u64).unwrap_or(1);
            if u64::from(page) >= pages || page >= MAX_PLAN_PAGES {
                break;
            }
            page += 1;
        }
        Ok(PointsBalance::from_plans(plans))
    }

    /// `GET /api/gift_sign?year=YYYY&month=M`: the month's check-ins. The records come in a paged
    /// envelope; a bare list is accepted too, since the protocol only names the record fields.
    #[tracing::instrument(skip_all, err, fields(year = year, month = month))]
    pub async fn check_in_calendar(
        &self,
        token: &Secret,
        year: i32,
        month: u8,
    ) -> Result<CheckInCalendar, UpstreamError> {
        let data = self
            .get(token, &format!("/api/gift_sign?year={year}&month={month}"))
            .await?;
        let records = match data {
            Value::Array(_) => data,
            Value::Object(mut object) => object.remove("records").unwrap_or(Value::Null),
            _ => Value::Null,
        };
        let days: Vec<CheckInDay> = match records {
            Value::Null => Vec::new(),
            records => parse_data(records, "check-in calendar")?,
        };
        Ok(CheckInCalendar { year, month, days })
    }

    /// `POST /api/gift_sign`: claims today's check-in. A second claim on one day is the site's
    /// business error ([`UpstreamError::Api`], its `msg` says why), not a failure of the call.
    #[tracing::instrument(skip_all, err)]
    pub async fn check_in(&self, token: &Secret) -> Result<CheckInReward, UpstreamError> {
        let data = self
            .recovering(|active| async move {
                let request = request(
                    &active,
                    Method::POST,
                    "/api/gift_sign",
                    Some(token),
                    Page::Chat,
                    JSON_ACCEPT,
                )?
                .json(&json!({}));
                send_json(&active, request).await
            })
            .await?;
        match data {
            Value::Null => Ok(CheckInReward { integral: 0 }),
            data => parse_data(data, "check-in reward"),
        }
    }

    /// `POST /api/chat/completions`: sends one message and returns its reply as a stream.
    ///
    /// `Err` means no reply stream exists; [`UpstreamError::may_have_reached_model`] says whether
    /// the message may nevertheless have been billed (then it must not be sent again; the site
    /// recovery never resends it either).
    #[tracing::instrument(level = "debug", skip_all, err, fields(session_id = message.session_id, text_chars = message.text.chars().count(), files = message.files.len()))]
    pub async fn completions(
        &self,
        token: &Secret,
        message: &CompletionRequest,
    ) -> Result<CompletionStream, UpstreamError> {
        let mut body = json!({"text": message.text, "sessionId": message.session_id, "files": message.files});
        if let Some(model) = &message.model {
            body["model"] = Value::String(model.clone());
        }
        if let Some(effort) = &message.reasoning_effort {
            body["reasoningEffort"] = Value::String(effort.clone());
        }
        let body = &body;
        self.recovering(|active| async move { send_completions(&active, token, body).await })
            .await
    }

    async fn get(&self, token: &Secret, path: &str) -> Result<Value, UpstreamError> {
        self.recovering(|active| async move {
            let request = request(&active, Method::GET, path, Some(token), Page::Chat, JSON_ACCEPT)?;
            send_json(&active, request).await
        })
        .await
    }
}

/// One completions POST with the given configuration.
async fn send_completions(
    active: &Active,
    token: &Secret,
    body: &Value,
) -> Result<CompletionStream, UpstreamError> {
    let request = request(
        active,
        Method::POST,
        "/api/chat/completions",
        Some(token),
        Page::Chat,
        SSE_ACCEPT,
    )?
    // Compressed SSE gets buffered by intermediaries and by decoders (§4.1).
    .header(ACCEPT_ENCODING, "identity")
    .header(CACHE_CONTROL, "no-cache")
    .json(body);
    let idle = active.config.stream_idle_timeout;
    let response = match tokio::time::timeout(idle, request.send()).await {
        Err(_) => return Err(UpstreamError::StreamIdle(idle)),
        Ok(Err(error)) => {
            // A refused or failed connection never carried the request; anything later might have.
            let connect = error.is_connect();
            let error = UpstreamError::transport("sending the message", error);
            return Err(if connect { error } else { error.after_send() });
        }
        Ok(Ok(response)) => response,
    };
    let meta = ResponseMeta::new(response.status(), response.headers());
    if meta.status.is_success() && meta.is_event_stream() {
        return Ok(CompletionStream::from_response(response, idle));
    }
    let body = match tokio::time::timeout(active.config.request_timeout, response.bytes()).await {
        Ok(Ok(body)) => body,
        Ok(Err(error)) => {
            return Err(UpstreamError::transport("reading the rejection", error).after_send());
        }
        Err(_) => return Err(UpstreamError::StreamIdle(active.config.request_timeout)),
    };
    Err(decode_completions_rejection(&meta, &body))
}

/// Checks that the configured site answers the Taiji API through the configured proxy: one cheap,
/// unauthenticated call (no credentials, no points). For "check connection" in the UI and `status`.
pub async fn check_connection(config: &UpstreamConfig) -> Result<(), UpstreamError> {
    let active = build_active(config.clone(), &Arc::new(Jar::default()))
        .map_err(|e| UpstreamError::malformed(e.to_string()))?;
    discovery::probe(
        &active.http,
        &active.endpoints.origin,
        &active.config.app_version,
        active.config.request_timeout,
    )
    .await
}

impl std::fmt::Debug for UpstreamClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UpstreamClient")
            .field("config", &self.config())
            .finish_non_exhaustive()
    }
}

pub(super) fn build_active(config: UpstreamConfig, jar: &Arc<Jar>) -> Result<Active, InvalidConfig> {
    let endpoints = config.endpoints()?;
    let builder = endpoints.proxy.apply(reqwest::Client::builder())?;
    let http = builder
        .use_rustls_tls()
        .cookie_provider(Arc::clone(jar))
        .connect_timeout(config.connect_timeout)
        .user_agent(USER_AGENT)
        // Never follow redirects: a redirected POST could carry the password to another host,
        // and a redirect usually means the site moved, which the user must confirm.
        .redirect(reqwest::redirect::Policy::none())
        .tcp_nodelay(true)
        .build()
        .map_err(|e| InvalidConfig(format!("cannot build the HTTP client: {e}")))?;
    Ok(Active {
        config,
        endpoints,
        http,
    })
}

/// A request with the browser headers of §2.2.
fn request(
    active: &Active,
    method: Method,
    path: &str,
    token: Option<&Secret>,
    page: Page,
    accept: &'static str,
) -> Result<RequestBuilder, UpstreamError> {
    let referer = match page {
        Page::Auth => active.endpoints.auth_referer(),
        Page::Chat => active.endpoints.chat_referer(),
    };
    let mut request = active
        .http
        .request(method, active.endpoints.url(path))
        .header(ACCEPT, accept)
        .header("x-app-version", active.config.app_version.trim())
        .header("x-locale", "zh-CN")
        .header(ORIGIN, &active.endpoints.origin)
        .header(REFERER, referer);
    if let Some(token) = token {
        // The raw token, never "Bearer <token>" (§2.2). Marked sensitive so it is not logged.
        let mut value = HeaderValue::from_str(token.expose()).map_err(|_| {
            UpstreamError::malformed("the login token contains characters a header cannot carry")
        })?;
        value.set_sensitive(true);
        request = request.header(AUTHORIZATION, value);
    }
    Ok(request)
}

/// Sends a JSON call with the request timeout and decodes its envelope.
async fn send_json(active: &Active, request: RequestBuilder) -> Result<Value, UpstreamError> {
    let response = request
        .timeout(active.config.request_timeout)
        .send()
        .await
        .map_err(|e| UpstreamError::transport("sending the request", e))?;
    let meta = ResponseMeta::new(response.status(), response.headers());
    let body = response
        .bytes()
        .await
        .map_err(|e| UpstreamError::transport("reading the answer", e))?;
    decode_body(&meta, &body)
}

/// The login body the site's own front end sends: 2.x sends `agreement: true`; 3.x adds
/// `registrationCode` and sends `agreement: false` (§3.1, ashanzzz 3.4.0).
fn login_body(app_version: &str, account: &str, password: &Secret) -> Value {
    let major: u32 = app_version
        .trim()
        .split('.')
        .next()
        .and_then(|major| major.parse().ok())
        .unwrap_or(0);
    let mut body = json!({
        "account": account,
        "password": password.expose(),
        "code": "",
        "captcha": "",
        "invite": "",
        "agreement": major < 3,
        "captchaId": "",
    });
    if major >= 3 {
        body["registrationCode"] = Value::String(String::new());
    }
    body
}

fn parse_data<T: serde::de::DeserializeOwned>(data: Value, what: &str) -> Result<T, UpstreamError> {
    serde_json::from_value(data).map_err(|e| UpstreamError::malformed(format!("unexpected {what}: {e}")))
}
