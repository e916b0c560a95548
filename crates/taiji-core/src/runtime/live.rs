//! Keeps the running parts in step with the settings: every change of the stored settings is
//! merged with this run's overrides, validated, published as the effective settings, and applied
//! to the dispatcher (concurrency, pacing), the request log (retention, previews) and the account
//! (site address and version). Aliases and API keys are read from the effective settings on each
//! request, so publishing them is enough.

use std::sync::Weak;

use tokio_util::sync::CancellationToken;

use super::{Inner, pacing_config, upstream_config};
use crate::settings::{Settings, ValidationError};

/// Runs until `shutdown` or until the core is dropped.
pub(super) async fn apply_settings(inner: Weak<Inner>, shutdown: CancellationToken) {
    let Some(mut stored) = inner.upgrade().map(|inner| inner.store.subscribe()) else {
        return;
    };
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            changed = stored.changed() => if changed.is_err() { return },
        }
        let Some(inner) = inner.upgrade() else { return };
        stored.borrow_and_update();
        if let Err(error) = apply_stored(&inner).await {
            // The store validated its own document; only an override can make it invalid.
            tracing::warn!(%error, "ignoring a settings change that conflicts with this run's overrides");
        }
    }
}

/// Applies the stored settings (with this run's overrides) now and returns them as published.
/// Applying the same settings twice changes nothing, so the live task and an explicit update
/// may both apply one change.
pub(super) async fn apply_stored(inner: &Inner) -> Result<Settings, ValidationError> {
    let _applying = inner.applying.lock().await;
    let next = inner.overrides.apply(inner.store.get());
    next.validate()?;
    let previous = inner.effective.send_replace(next.clone());
    if previous.max_concurrent != next.max_concurrent {
        let limit = usize::try_from(next.max_concurrent).unwrap_or(usize::MAX);
        inner.dispatcher.set_concurrency(limit);
    }
    if previous.pacing != next.pacing {
        inner.dispatcher.set_pacing(pacing_config(&next));
    }
    if previous.request_log != next.request_log
        && let Err(error) = (inner.log.set_retention(next.request_log.retention))
            .and_then(|()| inner.log.set_previews(next.request_log.previews))
    {
        tracing::error!(%error, "could not apply the request-log settings");
    }
    if previous.upstream.proxy != next.upstream.proxy {
        match super::image_clients(&next) {
            Ok(images) => *inner.images.write().expect("image client lock poisoned") = images,
            Err(error) => tracing::error!(%error, "could not apply the proxy to image downloads"),
        }
    }
    if previous.upstream != next.upstream {
        if let Err(error) = inner.account.set_upstream_config(upstream_config(&next)).await {
            tracing::error!(%error, "could not apply the upstream settings");
        }
        inner.catalog.invalidate();
    }
    Ok(next)
}
