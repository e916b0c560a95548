//! `GET /health` and the `GET`/`HEAD /` probe, also served at `/api/hello`, the address Claude
//! Code 2.1 probes (`HEAD {ANTHROPIC_BASE_URL}/api/hello`, without credentials) when it starts.
//! None needs a key (monitors and Claude Code's connection probe have none) and none is written to
//! the request log; all still pass the `Host` check, because `/health` names the signed-in account.
//!
//! `/health` always answers 200 while the process serves (a supervisor must not restart a
//! gateway that waits for the network); whether chat requests can be served is `ready`, and
//! `sign_in` / `summary` say why not ("signing in", "site unreachable since …, next try in 8s",
//! "wrong password", "sign in first").

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use super::state::AppState;
use crate::account::TokenState;
use crate::dispatch::AdmissionGauges;
use crate::runtime::SignInState;
use crate::upstream::SiteStatus;

/// The probe routes.
pub(crate) fn router() -> Router<AppState> {
    // axum answers HEAD with the GET handler, minus the body.
    Router::new()
        .route("/health", get(health))
        .route("/", get(root))
        .route("/api/hello", get(root))
}

/// The `/health` body.
#[derive(Debug, Serialize)]
struct Health {
    /// `ok` when chat requests can be served, `degraded` otherwise.
    status: &'static str,
    /// Whether chat requests can be served: signed in, credentials not rejected, not stopping.
    ready: bool,
    /// Whether an account is configured.
    signed_in: bool,
    /// The configured account name.
    account: Option<String>,
    /// The login state.
    login: TokenState,
    /// Where the background sign-in stands.
    sign_in: SignInState,
    /// `sign_in` in words.
    summary: String,
    /// Whether this is the demo (the built-in simulator), not a real account.
    demo: bool,
    /// Requests in flight and queued, and the limit.
    requests: AdmissionGauges,
    /// The gateway's version.
    version: &'static str,
    /// The Taiji site in use (origin, `x-app-version`, discovery, redacted proxy) and its latest change.
    site: SiteStatus,
}

async fn health(State(state): State<AppState>) -> Json<Health> {
    let status = state.core.status();
    let signed_in = status.account.is_some();
    let ready = signed_in
        && status.sign_in.is_ready()
        && !matches!(status.login, TokenState::InvalidCredentials { .. })
        && !state.draining.is_cancelled();
    Json(Health {
        status: if ready { "ok" } else { "degraded" },
        ready,
        signed_in,
        account: status.account,
        login: status.login,
        sign_in: status.sign_in,
        summary: status.summary,
        demo: status.demo,
        requests: status.requests,
        version: env!("CARGO_PKG_VERSION"),
        site: status.site,
    })
}

/// The `/` body: enough for a connection probe and for a human who opens the address.
#[derive(Debug, Serialize)]
struct Root {
    name: &'static str,
    version: &'static str,
    status: &'static str,
}

async fn root() -> Json<Root> {
    Json(Root {
        name: "Taiji Gateway",
        version: env!("CARGO_PKG_VERSION"),
        status: "ok",
    })
}
