//! [`SessionGuard`]: the promise that an upstream session created for a request is deleted,
//! whatever way the request ends. The happy path deletes explicitly and waits for it; if the
//! request's task is cancelled or panics instead, `Drop` hands the deletion to a new task.

use std::future::Future;

use tokio_util::task::TaskTracker;

use super::reaper::SessionReaper;
use crate::upstream::{SessionInfo, UpstreamError};

/// Owns the deletion of at most one upstream session.
pub(crate) struct SessionGuard {
    reaper: SessionReaper,
    tasks: TaskTracker,
    session: Option<u64>,
}

impl SessionGuard {
    pub(crate) fn new(reaper: SessionReaper, tasks: TaskTracker) -> Self {
        Self {
            reaper,
            tasks,
            session: None,
        }
    }

    /// Takes responsibility for deleting `session_id`.
    pub(crate) fn hold(&mut self, session_id: u64) {
        self.session = Some(session_id);
    }

    /// A session creation still under way after its client left: whatever it creates is deleted
    /// as soon as it exists.
    pub(crate) fn adopt_late(
        &self,
        creation: impl Future<Output = Result<SessionInfo, UpstreamError>> + Send + 'static,
    ) {
        let reaper = self.reaper.clone();
        self.tasks.spawn(async move {
            if let Ok(session) = creation.await {
                tracing::debug!(
                    session_id = session.id,
                    "deleting a session created after its client left"
                );
                reaper.delete(session.id).await;
            }
        });
    }

    /// Deletes the held session now (or records it for a retry) and waits for that.
    pub(crate) async fn delete_now(&mut self) {
        if let Some(session_id) = self.session.take() {
            self.reaper.delete(session_id).await;
        }
    }
}

impl Drop for SessionGuard {
    fn drop(&mut self) {
        let Some(session_id) = self.session.take() else {
            return;
        };
        // Reached only when the request's task was cancelled or panicked mid-request.
        if tokio::runtime::Handle::try_current().is_ok() {
            let reaper = self.reaper.clone();
            self.tasks.spawn(async move {
                reaper.delete(session_id).await;
            });
        } else {
            tracing::error!(session_id, "no runtime left to delete an upstream session");
        }
    }
}
