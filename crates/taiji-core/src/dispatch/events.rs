//! What the dispatcher tells the rest of the app about each request: to one observer called in
//! place (the metrics, [`EventObserver`]), and on a broadcast channel that the UI, the tray and
//! anything else may subscribe to. The request log depends on neither (a lagging subscriber may
//! miss events); the dispatcher writes the log directly.

use std::sync::Arc;

use serde::Serialize;

use crate::chat::{RequestSource, Usage};

/// One step in the life of one request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DispatchEvent {
    /// The request's id ([`crate::chat::ChatRequest::id`]).
    pub request_id: String,
    /// What happened.
    #[serde(flatten)]
    pub kind: DispatchEventKind,
}

/// The steps, in order: `Queued`, `Started`, `FirstToken`, then exactly one of `Finished`,
/// `Failed` or `Cancelled` (a request can fail or be cancelled at any point before finishing).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum DispatchEventKind {
    /// Waiting for a concurrency slot.
    Queued {
        /// The catalog id of the model.
        model: String,
        /// Who asked.
        source: RequestSource,
        /// The canonical endpoint it came in on, e.g. `/v1/messages`.
        endpoint: String,
    },
    /// Admitted; the upstream session is being created.
    Started {
        /// Time spent in the queue.
        queue_wait_ms: u64,
    },
    /// The first piece of reasoning or text arrived.
    FirstToken {
        /// Time since the request was dispatched.
        after_ms: u64,
    },
    /// The upstream finished normally.
    Finished {
        /// Tokens and points from the final record (zero when the upstream sent none).
        usage: Usage,
        /// Time since the request was dispatched.
        duration_ms: u64,
    },
    /// The request failed.
    Failed {
        /// [`super::DispatchError::class_name`].
        class: String,
        /// A human-readable reason (never a secret).
        message: String,
        /// Time since the request was dispatched.
        duration_ms: u64,
    },
    /// The client went away before the request finished.
    Cancelled {
        /// Time since the request was dispatched.
        duration_ms: u64,
    },
}

/// Called by the dispatcher with each event as it happens, on the request's own task, before the
/// event is broadcast. For bookkeeping that must see every event and costs next to nothing (the
/// metrics' counters): a broadcast subscriber is a task the runtime wakes for every event, several
/// times per request. It must not block.
pub type EventObserver = Arc<dyn Fn(&DispatchEvent) + Send + Sync>;
