//! [`CoreStatus`]: one serialisable snapshot of the core for `/health`, `taiji-gateway status` and
//! the UI.

use serde::Serialize;

use super::Core;
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
    /// Requests in flight and queued, and the limit.
    pub requests: AdmissionGauges,
    /// The Taiji site in use.
    pub upstream: String,
    /// The site in detail: origin, `x-app-version`, discovery, proxy (redacted), latest change.
    pub site: SiteStatus,
}

impl CoreStatus {
    pub(super) fn collect(core: &Core) -> Self {
        Self {
            account: core.signed_in_as().borrow().clone(),
            login: core.account().token_state(),
            requests: *core.dispatcher().gauges().borrow(),
            upstream: core.site().borrow().base_url.clone(),
            site: core.site().borrow().clone(),
        }
    }
}
