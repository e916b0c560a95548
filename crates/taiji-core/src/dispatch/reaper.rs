//! [`SessionReaper`]: deletes the upstream sessions the dispatcher created, and makes sure every one
//! of them is deleted eventually. A deletion that fails is recorded in the request log's database
//! (so it survives a restart) and retried with backoff by a background loop; at start-up every
//! recorded deletion is tried once straight away.
//!
//! Deleting matters beyond tidiness: the session list is the user's visible history on the site,
//! and a leaked session would keep the conversation text there.

use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::account::Account;
use crate::request_log::RequestLog;
use crate::upstream::{ErrorClass, UpstreamError};

/// How often the retry loop looks for due deletions when nothing wakes it earlier.
const RETRY_SCAN_INTERVAL: Duration = Duration::from_secs(30);

/// Deletes upstream sessions now, or later if now fails. Cheap to clone.
#[derive(Clone)]
pub struct SessionReaper {
    inner: Arc<Inner>,
}

struct Inner {
    account: Account,
    log: RequestLog,
    delete_timeout: Duration,
    wake: Notify,
}

impl std::fmt::Debug for SessionReaper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionReaper").finish_non_exhaustive()
    }
}

impl SessionReaper {
    /// A reaper deleting with `account` and persisting failures in `log`. Each deletion attempt
    /// gives up after `delete_timeout` (and is then retried later).
    pub fn new(account: Account, log: RequestLog, delete_timeout: Duration) -> Self {
        Self {
            inner: Arc::new(Inner {
                account,
                log,
                delete_timeout,
                wake: Notify::new(),
            }),
        }
    }

    /// Deletes `session_id` now. Returns `true` when the session is gone; otherwise the deletion
    /// is recorded for a later retry and `false` is returned.
    pub async fn delete(&self, session_id: u64) -> bool {
        match self.try_delete(session_id).await {
            Ok(()) => true,
            Err(reason) => {
                tracing::warn!(session_id, %reason, "deleting the upstream session failed; will retry later");
                // A session exists only after a sign-in, so there is an account; an empty name
                // would only mark the deletion as not tied to one.
                let account = self.inner.account.account_name().unwrap_or_default();
                match self
                    .inner
                    .log
                    .add_pending_deletion(&session_id.to_string(), &account)
                    .await
                {
                    Ok(_) => self.inner.wake.notify_one(),
                    Err(error) => {
                        tracing::error!(session_id, %error, "could not record a pending session deletion")
                    }
                }
                false
            }
        }
    }

    /// Retries recorded deletions: all of them when `only_due` is false, otherwise those whose
    /// backoff has elapsed. Returns how many were deleted.
    pub async fn retry_pending(&self, only_due: bool) -> usize {
        let pending = match self.inner.log.pending_deletions().await {
            Ok(pending) => pending,
            Err(error) => {
                tracing::error!(%error, "could not read pending session deletions");
                return 0;
            }
        };
        let now = OffsetDateTime::now_utc();
        let mut deleted = 0;
        for entry in pending {
            if only_due && !entry.is_due(now) {
                continue;
            }
            let Ok(session_id) = entry.session_id.parse::<u64>() else {
                tracing::error!(session = %entry.session_id, "dropping a pending deletion with an invalid session id");
                let _ = self.inner.log.remove_pending_deletion(entry.id).await;
                continue;
            };
            let outcome = match self.try_delete(session_id).await {
                Ok(()) => self
                    .inner
                    .log
                    .remove_pending_deletion(entry.id)
                    .await
                    .map(|_| true),
                Err(reason) => self
                    .inner
                    .log
                    .record_deletion_attempt(entry.id, &reason)
                    .await
                    .map(|_| false),
            };
            match outcome {
                Ok(true) => deleted += 1,
                Ok(false) => {}
                Err(error) => tracing::error!(%error, "could not update a pending session deletion"),
            }
        }
        deleted
    }

    /// Runs the retry loop until `shutdown`: one pass over everything recorded at start-up (an
    /// earlier run may have left deletions behind), then a pass over due ones every
    /// [`RETRY_SCAN_INTERVAL`] or whenever a new failure is recorded.
    pub async fn run_retry_loop(self, shutdown: CancellationToken) {
        self.retry_pending(false).await;
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(RETRY_SCAN_INTERVAL) => {}
                () = self.inner.wake.notified() => {}
            }
            self.retry_pending(true).await;
        }
    }

    /// One deletion attempt. A session the upstream no longer knows counts as deleted.
    async fn try_delete(&self, session_id: u64) -> Result<(), String> {
        let attempt = tokio::time::timeout(
            self.inner.delete_timeout,
            self.inner.account.delete_session(session_id),
        )
        .await;
        match attempt {
            Ok(Ok(())) => Ok(()),
            Ok(Err(error)) if error.class() == ErrorClass::UnknownSession => Ok(()),
            Ok(Err(error)) => Err(describe(&error)),
            Err(_) => Err(format!("timed out after {:?}", self.inner.delete_timeout)),
        }
    }
}

fn describe(error: &UpstreamError) -> String {
    format!("{}: {error}", error.class())
}
