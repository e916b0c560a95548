//! `SimControl`: the in-process handle tests use to steer and observe the simulator (expire tokens,
//! inject faults, pace frames, script the next replies, read counters and the recent completions requests).

use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use crate::faults::{Fault, FaultKind, FaultQueue, FaultTarget};

/// How many completions requests `recent_completions` keeps.
const RECENT_LIMIT: usize = 200;

/// Counters of everything the simulator served. JSON of `GET /__sim/stats` (snake_case keys).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimStats {
    pub logins_ok: u64,
    pub logins_failed: u64,
    pub sessions_created: u64,
    pub sessions_deleted: u64,
    pub sessions_open: u64,
    /// Completions that passed validation and began streaming.
    pub completions_started: u64,
    /// Streams that delivered the `object` frame (points deducted, turn stored).
    pub completions_finished: u64,
    /// Streams whose client went away (or the simulator stopped) before the end.
    pub completions_aborted: u64,
    /// Injected faults and pre-generation errors.
    pub completions_failed: u64,
    pub concurrent_completions: u64,
    pub max_concurrent_completions: u64,
    pub points_deducted: i64,
    /// `/api/*` calls refused for an old `x-app-version` (old-version refusal mode).
    pub old_version_refusals: u64,
}

/// Request headers as the records keep them: lower-case names, values as text.
pub(crate) fn recorded_headers(headers: &axum::http::HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

/// One `POST /api/user/login` as received, without the password.
/// JSON of `GET /__sim/logins`: a list of these, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoginRecord {
    /// Request headers as received, lower-case names.
    pub headers: Vec<(String, String)>,
    /// The body with `password` replaced by `"<redacted>"` (`null` when it was not JSON).
    pub body: serde_json::Value,
}

/// One `POST /api/chat/completions` as received (every request, also refused ones).
/// JSON of `GET /__sim/completions`: a list of these, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompletionRecord {
    /// `sessionId` of the body (0 when missing or not a number).
    pub session_id: u64,
    /// The session's model value (or the body's `model` when the session is unknown).
    pub model: String,
    pub text: String,
    pub files: Vec<serde_json::Value>,
    /// Request headers as received, lower-case names (simulator tokens are not secrets).
    pub headers: Vec<(String, String)>,
    /// The whole request body (`null` when it was not JSON).
    pub body: serde_json::Value,
}

/// One scripted answer of the simulated model (`POST /__sim/script` takes `{"replies":[…]}` of these).
///
/// The next completion whose request `text` contains `match` consumes it (entries with a `match` are checked
/// first, oldest first; otherwise the oldest entry without `match` is used). The model then answers `text`,
/// prefixed by `<think>thinking</think>` when `thinking` is given, streamed like any other reply.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScriptedReply {
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thinking: Option<String>,
    #[serde(default, rename = "match", skip_serializing_if = "Option::is_none")]
    pub matches: Option<String>,
}

impl ScriptedReply {
    /// An unconditional entry answering `text`.
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            ..Self::default()
        }
    }

    /// Adds reasoning streamed before the answer inside `<think>…</think>`.
    pub fn with_thinking(mut self, thinking: impl Into<String>) -> Self {
        self.thinking = Some(thinking.into());
        self
    }

    /// Restricts the entry to completions whose request text contains `needle`.
    pub fn when_text_contains(mut self, needle: impl Into<String>) -> Self {
        self.matches = Some(needle.into());
        self
    }
}

/// Cheap, cloneable handle to the simulator's control state.
#[derive(Clone)]
pub struct SimControl {
    inner: Arc<ControlInner>,
}

struct ControlInner {
    stats: watch::Sender<SimStats>,
    faults: FaultQueue,
    frame_delay: Mutex<Duration>,
    recent: Mutex<VecDeque<CompletionRecord>>,
    logins: Mutex<VecDeque<LoginRecord>>,
    // Tokens issued since the last expire-all; a signed token that is not listed here is refused.
    live_tokens: Mutex<HashSet<String>>,
    script: Mutex<Vec<ScriptedReply>>,
}

impl SimControl {
    pub(crate) fn new(frame_delay: Duration) -> Self {
        Self {
            inner: Arc::new(ControlInner {
                stats: watch::Sender::new(SimStats::default()),
                faults: FaultQueue::default(),
                frame_delay: Mutex::new(frame_delay),
                recent: Mutex::new(VecDeque::new()),
                logins: Mutex::new(VecDeque::new()),
                live_tokens: Mutex::new(HashSet::new()),
                script: Mutex::new(Vec::new()),
            }),
        }
    }

    /// Invalidates every token issued so far (the next API call answers "登录已过期").
    pub fn expire_all_tokens(&self) {
        lock(&self.inner.live_tokens).clear();
    }

    /// Queues a fault; faults for the same target fire in the order they were queued.
    pub fn inject_fault(&self, fault: Fault) {
        self.inner.faults.push(fault);
    }

    pub fn reset_faults(&self) {
        self.inner.faults.clear();
    }

    /// Delay between SSE frames of ordinary models, also for streams already running.
    pub fn set_frame_delay(&self, d: Duration) {
        *lock(&self.inner.frame_delay) = d;
    }

    /// Appends entries to the scripted-reply queue (see [`ScriptedReply`] for which completion takes which).
    pub fn script_replies(&self, replies: impl IntoIterator<Item = ScriptedReply>) {
        lock(&self.inner.script).extend(replies);
    }

    /// Empties the scripted-reply queue; later completions get the deterministic reply again.
    pub fn clear_script(&self) {
        lock(&self.inner.script).clear();
    }

    /// The entries still queued, oldest first.
    pub fn scripted_replies(&self) -> Vec<ScriptedReply> {
        lock(&self.inner.script).clone()
    }

    pub fn stats(&self) -> SimStats {
        self.inner.stats.borrow().clone()
    }

    /// Completions requests received, oldest first (the last 200).
    pub fn recent_completions(&self) -> Vec<CompletionRecord> {
        lock(&self.inner.recent).iter().cloned().collect()
    }

    /// Login requests received, oldest first (the last 200), passwords redacted.
    pub fn recent_logins(&self) -> Vec<LoginRecord> {
        lock(&self.inner.logins).iter().cloned().collect()
    }

    /// Waits until `pred` holds for the counters (checked on every change), or `timeout` passes.
    pub async fn wait_for(&self, pred: impl Fn(&SimStats) -> bool, timeout: Duration) -> bool {
        let mut rx = self.inner.stats.subscribe();
        matches!(
            tokio::time::timeout(timeout, rx.wait_for(|s| pred(s))).await,
            Ok(Ok(_))
        )
    }

    pub(crate) fn frame_delay(&self) -> Duration {
        *lock(&self.inner.frame_delay)
    }

    pub(crate) fn take_fault(&self, target: FaultTarget) -> Option<FaultKind> {
        self.inner.faults.take(target)
    }

    /// Removes and returns the entry a completion with this request text consumes, if any.
    pub(crate) fn take_scripted(&self, text: &str) -> Option<ScriptedReply> {
        let mut script = lock(&self.inner.script);
        let matched = script
            .iter()
            .position(|r| r.matches.as_deref().is_some_and(|m| text.contains(m)));
        let index = matched.or_else(|| script.iter().position(|r| r.matches.is_none()))?;
        Some(script.remove(index))
    }

    pub(crate) fn update(&self, change: impl FnOnce(&mut SimStats)) {
        self.inner.stats.send_modify(change);
    }

    pub(crate) fn record_completion(&self, record: CompletionRecord) {
        let mut recent = lock(&self.inner.recent);
        if recent.len() == RECENT_LIMIT {
            recent.pop_front();
        }
        recent.push_back(record);
    }

    pub(crate) fn record_login(&self, record: LoginRecord) {
        let mut logins = lock(&self.inner.logins);
        if logins.len() == RECENT_LIMIT {
            logins.pop_front();
        }
        logins.push_back(record);
    }

    pub(crate) fn register_token(&self, token: &str) {
        lock(&self.inner.live_tokens).insert(token.to_owned());
    }

    pub(crate) fn is_token_live(&self, token: &str) -> bool {
        lock(&self.inner.live_tokens).contains(token)
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().expect("simulator control lock poisoned")
}

impl std::fmt::Debug for SimControl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimControl")
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}
