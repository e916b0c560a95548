//! [`AppState`]: what every handler and middleware of the gateway shares: the one [`Core`], the
//! gateway's options and the drain signal that ends running streams when the server stops.

use std::ops::Deref;
use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use super::GatewayOptions;
use super::body_budget::BodyBudget;
use crate::runtime::Core;

/// The state of one gateway router. Every middleware and handler of a request takes its own
/// clone, so a clone is one reference count, not one per field (the drain token's takes a lock).
#[derive(Clone)]
pub(crate) struct AppState(Arc<Shared>);

/// The fields of [`AppState`].
pub(crate) struct Shared {
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
        Self(Arc::new(Shared {
            core,
            options,
            draining,
            body_budget: BodyBudget::new(options.body_memory_budget),
            started_unix: time::OffsetDateTime::now_utc().unix_timestamp(),
        }))
    }
}

impl Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}
