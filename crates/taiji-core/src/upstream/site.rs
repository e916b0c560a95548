//! Where the site is, kept right while it moves: [`SiteStatus`] (what the client talks to, published
//! for the UI, `status` and `/health`) and the recovery of [`UpstreamClient`]. When a call fails in a
//! way that means the site moved ([`UpstreamError::means_site_moved`]) and discovery is configured,
//! the client looks for the site as its front end does ([`super::discovery`]), adopts the first
//! candidate that answers the Taiji API and retries the call once; when the site refuses our
//! `x-app-version` as outdated, it reads the current version from the site's front end and retries
//! once. A retry happens only for calls that cannot have reached the model. One recovery runs at a
//! time; the runtime persists what it adopts.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use time::OffsetDateTime;
use tokio::sync::watch;

use super::client::{Active, UpstreamClient, build_active};
use super::config::{Endpoints, UpstreamConfig};
use super::discovery;
use super::error::UpstreamError;

/// After discovery or version detection failed, failures within this time do not run it again (a
/// site that is simply down is not searched for on every request).
const RECOVERY_COOLDOWN: Duration = Duration::from_secs(60);

/// What the last recovery attempts found, so a site that is simply down is not searched for on every
/// failing request.
#[derive(Default)]
pub(super) struct Recovery {
    last_failed_discovery: Option<Instant>,
    last_failed_version: Option<Instant>,
}

/// Where the client talks to, for the UI, `status` and `/health`, and what last changed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SiteStatus {
    /// The origin in use.
    pub base_url: String,
    /// The `x-app-version` in use.
    pub app_version: String,
    /// Whether the client looks for the site when it moves.
    pub discovery: bool,
    /// The proxy setting, password redacted.
    pub proxy: String,
    /// The latest discovery or version event, if any happened in this run.
    pub last_event: Option<SiteEvent>,
}

/// One change (or failed attempt) of the site address or version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SiteEvent {
    /// What happened.
    pub kind: SiteEventKind,
    /// In words, e.g. "the Taiji site moved from https://a to https://b".
    pub message: String,
    /// When.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// The kind of a [`SiteEvent`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SiteEventKind {
    /// A new origin was adopted.
    Moved,
    /// A new front-end version was adopted.
    VersionUpdated,
    /// The site could not be found (or its version not read); the configured values stay.
    Failed,
}

impl SiteStatus {
    pub(super) fn of(config: &UpstreamConfig, endpoints: &Endpoints, last_event: Option<SiteEvent>) -> Self {
        Self {
            base_url: config.base_url.trim().trim_end_matches('/').to_owned(),
            app_version: config.app_version.trim().to_owned(),
            discovery: config.discovery.is_some(),
            proxy: endpoints.proxy.redacted(),
            last_event,
        }
    }
}

impl UpstreamClient {
    /// The site in use and its latest change; every change is published.
    pub fn site(&self) -> watch::Receiver<SiteStatus> {
        self.inner.site.subscribe()
    }

    pub(super) fn install(&self, active: Active, event: Option<SiteEvent>) {
        let event = event.or_else(|| self.inner.site.borrow().last_event.clone());
        let status = SiteStatus::of(&active.config, &active.endpoints, event);
        *self.inner.active.write().expect("upstream config lock poisoned") = Arc::new(active);
        self.inner.site.send_if_modified(|site| {
            let changed = *site != status;
            *site = status;
            changed
        });
    }

    fn note_failure(&self, message: String) {
        tracing::warn!("{message}");
        self.inner.site.send_modify(|site| {
            site.last_event = Some(SiteEvent {
                kind: SiteEventKind::Failed,
                message,
                at: OffsetDateTime::now_utc(),
            });
        });
    }

    /// Runs `op` with the current configuration; on a failure meaning the site moved or our version
    /// is outdated, repairs the configuration and, if the failure cannot have reached the model, runs
    /// `op` once more.
    pub(super) async fn recovering<T, F, Fut>(&self, op: F) -> Result<T, UpstreamError>
    where
        F: Fn(Arc<Active>) -> Fut,
        Fut: Future<Output = Result<T, UpstreamError>>,
    {
        let active = self.active();
        let error = match op(active.clone()).await {
            Ok(value) => return Ok(value),
            Err(error) => error,
        };
        let repaired = if error.is_old_version_refusal() {
            self.update_app_version(&active).await
        } else if active.config.discovery.is_some() && error.means_site_moved() {
            self.relocate(&active, &error).await
        } else {
            false
        };
        if repaired && !error.may_have_reached_model() {
            return op(self.active()).await;
        }
        Err(error)
    }

    /// Asks the entry page where the site is now (at start, when discovery is on) and moves there if
    /// that origin differs from the configured one and answers the Taiji API. `Ok(true)` when it
    /// moved; `Ok(false)` when the configured origin is current or discovery is off. A failure leaves
    /// the configured origin in use (it is the fallback) and is reported, not retried.
    pub async fn rediscover(&self) -> Result<bool, discovery::DiscoveryError> {
        let _recovery = self.inner.recovery.lock().await;
        let now = self.active();
        let Some(settings) = now.config.discovery.clone() else {
            return Ok(false);
        };
        let timeout = now.config.request_timeout;
        let found = discovery::discover(&now.http, &settings.entry_url, timeout).await?;
        let from = now.endpoints.origin.clone();
        if found == from {
            return Ok(false);
        }
        discovery::probe(&now.http, &found, &now.config.app_version, timeout)
            .await
            .map_err(|e| discovery::DiscoveryError(format!("{found} is not the Taiji API: {e}")))?;
        let config = UpstreamConfig {
            base_url: found.clone(),
            ..now.config.clone()
        };
        let active = build_active(config, &self.inner.jar).map_err(|e| discovery::DiscoveryError(e.0))?;
        tracing::warn!(from = %from, to = %found, "the Taiji entry page points at a new address; using it");
        self.install(
            active,
            Some(SiteEvent {
                kind: SiteEventKind::Moved,
                message: format!("the Taiji site moved from {from} to {found}"),
                at: OffsetDateTime::now_utc(),
            }),
        );
        Ok(true)
    }

    /// Looks for the site; `true` when another origin is in use afterwards.
    async fn relocate(&self, failed: &Active, error: &UpstreamError) -> bool {
        let mut recovery = self.inner.recovery.lock().await;
        let now = self.active();
        if now.endpoints.origin != failed.endpoints.origin {
            return true; // Someone else already moved us while we waited.
        }
        if recovery
            .last_failed_discovery
            .is_some_and(|at| at.elapsed() < RECOVERY_COOLDOWN)
        {
            return false;
        }
        let Some(discovery) = now.config.discovery.clone() else {
            return false;
        };
        let from = now.endpoints.origin.clone();
        tracing::info!(origin = %from, %error, "the Taiji site does not answer; looking for its current address");
        let timeout = now.config.request_timeout;
        let mut candidates = Vec::new();
        let mut notes = Vec::new();
        match discovery::discover(&now.http, &discovery.entry_url, timeout).await {
            Ok(origin) => candidates.push(origin),
            Err(error) => notes.push(error.to_string()),
        }
        candidates.extend(
            discovery
                .known_origins
                .iter()
                .map(|o| o.trim().trim_end_matches('/').to_owned()),
        );
        let mut tried = Vec::new();
        for candidate in candidates {
            if candidate == from || tried.contains(&candidate) {
                continue;
            }
            tried.push(candidate.clone());
            match discovery::probe(&now.http, &candidate, &now.config.app_version, timeout).await {
                Ok(()) => {
                    let config = UpstreamConfig {
                        base_url: candidate.clone(),
                        ..now.config.clone()
                    };
                    let Ok(active) = build_active(config, &self.inner.jar) else {
                        continue;
                    };
                    tracing::warn!(from = %from, to = %candidate, "the Taiji site moved; using its new address");
                    self.install(
                        active,
                        Some(SiteEvent {
                            kind: SiteEventKind::Moved,
                            message: format!("the Taiji site moved from {from} to {candidate}"),
                            at: OffsetDateTime::now_utc(),
                        }),
                    );
                    recovery.last_failed_discovery = None;
                    return true;
                }
                // Not the Taiji API: nothing, credentials least of all, is sent there.
                Err(error) => notes.push(format!("{candidate}: {error}")),
            }
        }
        recovery.last_failed_discovery = Some(Instant::now());
        self.note_failure(format!(
            "{from} does not answer and no other Taiji address works ({})",
            notes.join("; ")
        ));
        false
    }

    /// Reads the site's current front-end version; `true` when another version is in use afterwards.
    async fn update_app_version(&self, refused: &Active) -> bool {
        let mut recovery = self.inner.recovery.lock().await;
        let now = self.active();
        if now.config.app_version != refused.config.app_version {
            return true;
        }
        if recovery
            .last_failed_version
            .is_some_and(|at| at.elapsed() < RECOVERY_COOLDOWN)
        {
            return false;
        }
        let old = now.config.app_version.trim().to_owned();
        let detected =
            discovery::detect_app_version(&now.http, &now.endpoints.origin, now.config.request_timeout).await;
        let failure = match detected {
            Ok(version) if version != old => {
                let config = UpstreamConfig {
                    app_version: version.clone(),
                    ..now.config.clone()
                };
                match build_active(config, &self.inner.jar) {
                    Ok(active) => {
                        tracing::warn!(from = %old, to = %version, "the Taiji site wants a newer front-end version; using it");
                        self.install(
                            active,
                            Some(SiteEvent {
                                kind: SiteEventKind::VersionUpdated,
                                message: format!(
                                    "the site's front-end version changed from {old} to {version}"
                                ),
                                at: OffsetDateTime::now_utc(),
                            }),
                        );
                        recovery.last_failed_version = None;
                        return true;
                    }
                    Err(error) => error.to_string(),
                }
            }
            Ok(_) => "its front end shows the same version".to_owned(),
            Err(error) => error.to_string(),
        };
        recovery.last_failed_version = Some(Instant::now());
        self.note_failure(format!(
            "the site refuses x-app-version {old} as outdated, and no newer version was found: {failure}"
        ));
        false
    }
}
