//! [`CoreStatus`]: one serialisable snapshot of the core for `/health`, `taiji-gateway status` and
//! the UI.

use serde::Serialize;

use super::{Core, SignInState};
use crate::account::TokenState;
use crate::dispatch::AdmissionGauges;
use crate::upstream::SiteStatus;

/// What the core is doing right now.
#[derive(Debug, Clone, Serialize)]
pub struct CoreStatus {
    /// The configured account name, if any (not a secret).
    pub account: Option<String>,
    /// The login state of that account.
    pub login: TokenState,
    /// Where the background sign-in stands.
    pub sign_in: SignInState,
    /// [`CoreStatus::sign_in`] in words, e.g. "site unreachable since 20:41:03 UTC, next try in 8s".
    pub summary: String,
    /// Whether this is the demo (the built-in simulator), not a real account.
    pub demo: bool,
    /// Requests in flight and queued, and the limit.
    pub requests: AdmissionGauges,
    /// The Taiji site in use.
    pub upstream: String,
    /// The site in detail: origin, `x-app-version`, discovery, proxy (redacted), latest change.
    pub site: SiteStatus,
}

impl CoreStatus {
    pub(super) fn collect(core: &Core) -> Self {
        let sign_in = core.sign_in_state();
        Self {
            account: core.signed_in_as().borrow().clone(),
            login: core.account().token_state(),
            summary: sign_in.describe(time::OffsetDateTime::now_utc()),
            sign_in,
            demo: core.is_demo(),
            requests: *core.dispatcher().gauges().borrow(),
            upstream: core.site().borrow().base_url.clone(),
            site: core.site().borrow().clone(),
        }
    }
}
