//! The HTTP twin of `SimControl` under `/__sim/` (no auth; never part of the Taiji surface).
//!
//! * `POST /__sim/expire-tokens` → `{"ok":true}`
//! * `POST /__sim/faults`, body a `Fault`: `{"target":"completions","kind":"eof_without_done","count":1}`;
//!   targets `completions|session_create|session_delete|login|tmpl`; kinds `"stream_error_frame"`,
//!   `"eof_without_done"`, `{"json_error":{"code":5,"msg":"…"}}`, `"http500"`, `"waf403"`,
//!   `"rate_limited429"`, `{"slow_frames":<ms>}`; `count` defaults to 1 → `{"ok":true}`
//! * `DELETE /__sim/faults` → `{"ok":true}`
//! * `POST /__sim/frame-delay` with `{"ms":N}` → `{"ok":true}`
//! * `GET /__sim/stats` → `SimStats` (snake_case keys, e.g. `{"logins_ok":1,…,"points_deducted":2}`)
//! * `GET /__sim/completions` → `[CompletionRecord]`, oldest first:
//!   `{"session_id":493001,"model":"gpt-4.1-mini","text":"hi","files":[],"headers":[["authorization","…"]],"body":{…}}`
//! * `POST /__sim/script` with `{"replies":[{"text":"…","thinking":"optional …","match":"optional substring"}]}`
//!   appends scripted answers to a queue → `{"ok":true}`. The next completion whose request `text` contains
//!   `match` (entries with a `match` are checked first, oldest first), otherwise the oldest entry without
//!   `match`, consumes one: the model answers `text`, prefixed by `<think>thinking</think>` when `thinking` is
//!   given, streamed with the usual awkward frame splits, final `object` record, billing and history. Without a
//!   matching entry the deterministic reply is used. `DELETE /__sim/script` empties the queue → `{"ok":true}`;
//!   `GET /__sim/script` → `{"replies":[…]}`, what is still queued, oldest first.
//! * `GET /__sim/logins` → `[LoginRecord]`, oldest first, passwords redacted:
//!   `{"headers":[["x-app-version","3.4.0"]],"body":{"account":"…","password":"<redacted>",…}}`
//!
//! Malformed bodies get HTTP 400 with `{"ok":false,"error":"…"}`.

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;

use crate::control::ScriptedReply;
use crate::faults::Fault;
use crate::state::SimState;

pub fn routes() -> Router<Arc<SimState>> {
    Router::new()
        .route("/__sim/expire-tokens", post(expire_tokens))
        .route("/__sim/faults", post(add_fault).delete(clear_faults))
        .route("/__sim/frame-delay", post(frame_delay))
        .route("/__sim/stats", get(stats))
        .route("/__sim/completions", get(completions))
        .route(
            "/__sim/script",
            post(add_script).delete(clear_script).get(list_script),
        )
        .route("/__sim/logins", get(logins))
}

fn ok() -> Response {
    Json(json!({"ok": true})).into_response()
}

fn bad_request(error: impl std::fmt::Display) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"ok": false, "error": error.to_string()})),
    )
        .into_response()
}

async fn expire_tokens(State(state): State<Arc<SimState>>) -> Response {
    state.control.expire_all_tokens();
    ok()
}

async fn add_fault(State(state): State<Arc<SimState>>, body: Bytes) -> Response {
    match serde_json::from_slice::<Fault>(&body) {
        Ok(fault) => {
            state.control.inject_fault(fault);
            ok()
        }
        Err(e) => bad_request(e),
    }
}

async fn clear_faults(State(state): State<Arc<SimState>>) -> Response {
    state.control.reset_faults();
    ok()
}

#[derive(Deserialize)]
struct FrameDelay {
    ms: u64,
}

async fn frame_delay(State(state): State<Arc<SimState>>, body: Bytes) -> Response {
    match serde_json::from_slice::<FrameDelay>(&body) {
        Ok(delay) => {
            state.control.set_frame_delay(Duration::from_millis(delay.ms));
            ok()
        }
        Err(e) => bad_request(e),
    }
}

async fn stats(State(state): State<Arc<SimState>>) -> Response {
    Json(state.control.stats()).into_response()
}

async fn logins(State(state): State<Arc<SimState>>) -> Response {
    Json(state.control.recent_logins()).into_response()
}

async fn completions(State(state): State<Arc<SimState>>) -> Response {
    Json(state.control.recent_completions()).into_response()
}

#[derive(Deserialize)]
struct Script {
    replies: Vec<ScriptedReply>,
}

async fn add_script(State(state): State<Arc<SimState>>, body: Bytes) -> Response {
    match serde_json::from_slice::<Script>(&body) {
        Ok(script) => {
            state.control.script_replies(script.replies);
            ok()
        }
        Err(e) => bad_request(e),
    }
}

async fn clear_script(State(state): State<Arc<SimState>>) -> Response {
    state.control.clear_script();
    ok()
}

async fn list_script(State(state): State<Arc<SimState>>) -> Response {
    Json(json!({"replies": state.control.scripted_replies()})).into_response()
}
