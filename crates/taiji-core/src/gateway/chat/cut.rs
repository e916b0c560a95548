//! Correcting the request-log entry of an answer the gateway cut short. Dropping the dispatcher's
//! stream is how a stop sequence or an output budget stops the upstream, and the dispatcher records
//! every dropped stream as "cancelled" once the upstream session is deleted; for the client,
//! though, the answer ended normally. This waits for the dispatcher's final record and then marks
//! the entry done, with the gateway's usage estimate (the upstream's final record never came).

use std::time::Duration;

use tokio::sync::broadcast::{self, error::RecvError};

use crate::chat::Usage;
use crate::request_log::{EntryPatch, EntryStatus, LogEntry, RequestLog};

/// Waits (up to `wait`) until entry `id` is final, then marks it done if it was recorded as
/// cancelled. `updates` must be subscribed before the dispatcher's stream is dropped, so the final
/// record cannot be missed.
pub(super) async fn mark_cut_done(
    log: RequestLog,
    id: String,
    mut updates: broadcast::Receiver<LogEntry>,
    usage: Option<Usage>,
    wait: Duration,
) {
    let final_status = async {
        loop {
            if let Ok(entry) = log.get(&id).await
                && entry.status.is_final()
            {
                return Some(entry.status);
            }
            loop {
                match updates.recv().await {
                    Ok(entry) if entry.id == id && entry.status.is_final() => return Some(entry.status),
                    Ok(_) => {}
                    // Missed some updates: look the entry up again.
                    Err(RecvError::Lagged(_)) => break,
                    Err(RecvError::Closed) => return None,
                }
            }
        }
    };
    match tokio::time::timeout(wait, final_status).await {
        Ok(Some(EntryStatus::Cancelled)) => {
            let patch = EntryPatch {
                status: Some(EntryStatus::Done),
                http_status: Some(200),
                usage,
                ..EntryPatch::default()
            };
            if let Err(error) = log.update(&id, patch).await {
                tracing::error!(request_id = id, %error, "could not mark a cut request as done");
            }
        }
        Ok(_) => {}
        Err(_) => tracing::warn!(request_id = id, "a cut request was not recorded in time"),
    }
}
