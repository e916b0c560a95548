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
    /// Which catalog shape `/api/chat/tmpl` serves (2.x plain values or 3.x `provider::model`).
    pub catalog: CatalogVersion,
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
            catalog: CatalogVersion::V2,
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

/// Shape of the model catalog: 2.x (`gpt-4.1-mini`) or 3.x (`openai::gpt-4.1-mini` plus capabilities).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CatalogVersion {
    #[default]
    V2,
    V3,
}
