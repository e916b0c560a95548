//! [`AppState`]: what every handler and middleware of the gateway shares: the one [`Core`], the
//! gateway's options and the drain signal that ends running streams when the server stops.

use tokio_util::sync::CancellationToken;

use super::GatewayOptions;
use super::body_budget::BodyBudget;
use crate::runtime::Core;

/// The state of one gateway router. Cheap to clone.
#[derive(Clone)]
pub(crate) struct AppState {
    /// The client core; settings are read from it on every request so changes apply live.
    pub(crate) core: Core,
    /// Timings and limits.
    pub(crate) options: GatewayOptions,
    /// Cancelled when the server stops: running streams end with an in-stream error and waiting
    /// requests get a 503, so the graceful shutdown does not wait for long answers.
    pub(crate) draining: CancellationToken,
    /// The memory budget shared by all request bodies in flight.
    pub(crate) body_budget: BodyBudget,
    /// The Unix time this router was built; reported as the `created` time of every model, so the
    /// model list is stable between calls (the catalog itself has no dates).
    pub(crate) started_unix: i64,
}

impl AppState {
    pub(crate) fn new(core: Core, options: GatewayOptions, draining: CancellationToken) -> Self {
        Self {
            core,
            options,
            draining,
            body_budget: BodyBudget::new(options.body_memory_budget),
            started_unix: time::OffsetDateTime::now_utc().unix_timestamp(),
        }
    }
}
