//! Simulator configuration: the accounts it knows, token lifetime, catalog shape, stream pacing and limits.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::serde_ms;

/// Account of the built-in demo user (the binary prints it; tests use it through `SimConfig::default()`).
pub const DEMO_ACCOUNT: &str = "13800000000";
/// Password of the built-in demo user.
pub const DEMO_PASSWORD: &str = "taiji-demo-pass";

/// Everything that shapes one simulator instance. `Default` gives one demo account and the real site's values.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SimConfig {
    /// Accounts that can log in.
    pub accounts: Vec<SimAccount>,
    /// JWT lifetime (`exp - iat`), rounded down to whole seconds; zero issues tokens that are already expired.
    #[serde(with = "serde_ms")]
    pub token_lifetime: Duration,
    /// The site's dialect (named for its most visible part, the catalog shape): 3.4.0 (`provider::model`
    /// values, capabilities, `reasoningEffort` checks, `X-Chat-Task-Id`) by default, or 2.x.
    pub catalog: CatalogVersion,
    /// Old-version refusal mode: every `/api/*` call whose `x-app-version` is older than the dialect's
    /// front-end version ([`CatalogVersion::app_version`]) is refused with a "version too old" envelope,
    /// as a site does after a front-end release. Off by default.
    pub refuse_old_app_version: bool,
    /// Delay before the first SSE frame of every completions stream (after the response headers), as a
    /// model's time to first token; benchmarks set it. Zero by default.
    #[serde(default, with = "serde_ms")]
    pub first_frame_delay: Duration,
    /// Delay between SSE frames of ordinary models.
    #[serde(with = "serde_ms")]
    pub frame_delay: Duration,
    /// Per-frame delay of the slow model (`o3-pro`).
    #[serde(with = "serde_ms")]
    pub slow_frame_delay: Duration,
    /// Longest accepted completions `text`, in chars; longer text is a pre-generation error.
    pub max_text_chars: usize,
    /// `contextCount` of new sessions: how many history messages are replayed into a turn.
    pub context_count: u32,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            accounts: vec![SimAccount::demo()],
            token_lifetime: Duration::from_secs(15 * 24 * 3600),
            catalog: CatalogVersion::default(),
            refuse_old_app_version: false,
            first_frame_delay: Duration::ZERO,
            frame_delay: Duration::ZERO,
            slow_frame_delay: Duration::from_millis(250),
            max_text_chars: 48_000,
            context_count: 10,
        }
    }
}

/// One login the simulator accepts, with its starting points balance.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimAccount {
    pub account: String,
    pub password: String,
    pub user_id: u64,
    pub points: i64,
}

impl SimAccount {
    /// The demo account: `13800000000` / `taiji-demo-pass`, user id 10001, 100 000 000 points.
    pub fn demo() -> Self {
        Self {
            account: DEMO_ACCOUNT.to_owned(),
            password: DEMO_PASSWORD.to_owned(),
            user_id: 10001,
            points: 100_000_000,
        }
    }
}

// The password must never reach a log line, even though it is only a simulator credential.
impl fmt::Debug for SimAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimAccount")
            .field("account", &self.account)
            .field("password", &"<redacted>")
            .field("user_id", &self.user_id)
            .field("points", &self.points)
            .finish()
    }
}

/// The dialect the simulated site speaks (taiji-protocol.md §9). `V3` is the 3.4.0 site of Sep 2026 and the
/// default; `V2` is the 2.x site of the captures (`ai.aurod.cn`, 2.16.0).
///
/// | | `V2` (2.16.0) | `V3` (3.4.0) |
/// |---|---|---|
/// | catalog `value` | `gpt-4.1-mini` | `openai::gpt-4.1-mini` |
/// | `attr.capabilities`, `providers` | no | yes |
/// | completions `reasoningEffort` | ignored | checked against the model's `reasoningEfforts` |
/// | `X-Chat-Task-Id` response header | no | yes |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CatalogVersion {
    V2,
    #[default]
    V3,
}

/// The same setting under the name the CLI and the docs use (`--dialect 2.x|3.4`).
pub type Dialect = CatalogVersion;

impl CatalogVersion {
    /// The front-end version of this dialect: what the site's own JS sends as `x-app-version`.
    pub fn app_version(self) -> &'static str {
        match self {
            Self::V2 => "2.16.0",
            Self::V3 => "3.4.0",
        }
    }
}
