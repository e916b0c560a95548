//! Keeps the settings in step with what the upstream client learnt about the site: when it adopts a
//! moved origin or a newer front-end version, the stored settings get them, so the next start goes
//! straight there. Values given for this run only (`--api-base`, `--app-version`) are never written.

use std::sync::Weak;

use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use super::Inner;
use crate::upstream::SiteStatus;

/// Runs until `shutdown` or until the core is dropped.
pub(super) async fn persist_site_changes(
    inner: Weak<Inner>,
    mut site: watch::Receiver<SiteStatus>,
    shutdown: CancellationToken,
) {
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            changed = site.changed() => if changed.is_err() { return },
        }
        let Some(inner) = inner.upgrade() else { return };
        let now = site.borrow_and_update().clone();
        let stored = inner.store.get().upstream;
        let origin = (inner.overrides.upstream_base_url.is_none()
            && now.discovery
            && stored.base_url.trim().trim_end_matches('/') != now.base_url)
            .then(|| now.base_url.clone());
        let version = (inner.overrides.app_version.is_none() && stored.app_version.trim() != now.app_version)
            .then(|| now.app_version.clone());
        if origin.is_none() && version.is_none() {
            continue;
        }
        let store = inner.store.clone();
        let saved = tokio::task::spawn_blocking(move || {
            store.update(|settings| {
                if let Some(origin) = origin {
                    settings.upstream.base_url = origin;
                }
                if let Some(version) = version {
                    settings.upstream.app_version = version;
                }
            })
        })
        .await;
        match saved {
            Ok(Ok(_)) => {
                tracing::info!(origin = %now.base_url, app_version = %now.app_version, "saved the Taiji site's address and version")
            }
            Ok(Err(error)) => {
                tracing::error!(%error, "could not save the Taiji site's new address or version")
            }
            Err(error) => tracing::error!(%error, "saving the Taiji site's address failed"),
        }
    }
}
