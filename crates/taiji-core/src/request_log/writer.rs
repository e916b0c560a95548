//! The writer thread: the only owner of the read-write SQLite connection.
//!
//! rusqlite is blocking, so async callers never touch the connection. They send a job (a closure)
//! over an unbounded channel and await its answer on a oneshot; sending never blocks and nothing is
//! dropped, so any number of concurrent writers each get their row. Jobs run one at a time in
//! arrival order, which also orders the live broadcast exactly like the commits. Between jobs the
//! thread enforces retention whenever the retention interval has elapsed; it waits on the channel
//! with a timeout, so an idle log costs nothing. The thread ends when the last [`super::RequestLog`]
//! clone is dropped, after finishing the jobs already queued.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use rusqlite::{Connection, params};
use time::OffsetDateTime;
use tokio::sync::{broadcast, oneshot};

use super::retention::enforce_retention;
use super::rows::{load_entry, to_ms, to_sql_int};
use super::{EntryPatch, LogEntry, NewEntry, PreviewPolicy, RequestLogError, RetentionPolicy};

/// What a job can use.
pub(super) struct WriterState {
    pub(super) conn: Connection,
    pub(super) retention: RetentionPolicy,
    pub(super) previews: PreviewPolicy,
    pub(super) events: broadcast::Sender<LogEntry>,
}

/// A unit of work for the writer thread.
pub(super) type Job = Box<dyn FnOnce(&mut WriterState) + Send>;

/// The sending side: turns closures into jobs and awaits their results.
#[derive(Clone)]
pub(super) struct WriterHandle {
    jobs: mpsc::Sender<Job>,
}

impl WriterHandle {
    /// Starts the writer thread with `state`, enforcing retention at start and every `interval`.
    pub(super) fn spawn(state: WriterState, interval: Duration) -> std::io::Result<Self> {
        let (jobs, receiver) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("request-log-writer".to_owned())
            .spawn(move || run(state, &receiver, interval))?;
        Ok(Self { jobs })
    }

    /// Runs `work` on the writer thread and returns its result.
    pub(super) async fn call<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut WriterState) -> Result<T, RequestLogError> + Send + 'static,
    ) -> Result<T, RequestLogError> {
        let (reply, answer) = oneshot::channel();
        self.send(move |state| {
            // The caller may have gone away; then nobody wants the result.
            let _ = reply.send(work(state));
        })?;
        answer.await.map_err(|_| RequestLogError::Closed)?
    }

    /// Queues `work` without waiting for it.
    pub(super) fn send(
        &self,
        work: impl FnOnce(&mut WriterState) + Send + 'static,
    ) -> Result<(), RequestLogError> {
        self.jobs
            .send(Box::new(work))
            .map_err(|_| RequestLogError::Closed)
    }
}

fn run(mut state: WriterState, jobs: &mpsc::Receiver<Job>, interval: Duration) {
    let mut next_retention = Instant::now();
    loop {
        let now = Instant::now();
        if now >= next_retention {
            if let Err(error) = enforce_retention(&mut state, OffsetDateTime::now_utc()) {
                tracing::warn!(%error, "request log retention failed; will retry");
            }
            next_retention = now + interval;
        }
        match jobs.recv_timeout(next_retention.saturating_duration_since(Instant::now())) {
            Ok(job) => job(&mut state),
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    tracing::debug!("request log writer stopped");
}

/// Inserts a new entry and broadcasts it.
pub(super) fn insert(state: &mut WriterState, entry: NewEntry) -> Result<LogEntry, RequestLogError> {
    let id = entry.id.unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let prompt_preview = state.previews.apply(entry.prompt_preview);
    state.conn.execute(
        "INSERT INTO requests (id, started_at_ms, updated_at_ms, api, key_name, user_agent,
             endpoint, model, stream, status, prompt_preview)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            id,
            to_ms(entry.started_at),
            to_ms(OffsetDateTime::now_utc()),
            entry.source.api,
            entry.source.key_name,
            entry.source.user_agent,
            entry.endpoint,
            entry.model,
            entry.stream,
            entry.status.as_str(),
            prompt_preview,
        ],
    )?;
    publish(state, &id)
}

/// Applies a patch to an entry and broadcasts the result.
pub(super) fn apply_patch(
    state: &mut WriterState,
    id: &str,
    patch: EntryPatch,
) -> Result<LogEntry, RequestLogError> {
    let prompt_preview = state.previews.apply(patch.prompt_preview);
    let reply_preview = state.previews.apply(patch.reply_preview);
    let usage = patch.usage;
    // COALESCE keeps the stored value wherever the patch has none.
    let changed = state.conn.execute(
        "UPDATE requests SET
             updated_at_ms     = ?2,
             status            = COALESCE(?3, status),
             model             = COALESCE(?4, model),
             http_status       = COALESCE(?5, http_status),
             error_class       = COALESCE(?6, error_class),
             error_message     = COALESCE(?7, error_message),
             queue_wait_ms     = COALESCE(?8, queue_wait_ms),
             first_token_ms    = COALESCE(?9, first_token_ms),
             duration_ms       = COALESCE(?10, duration_ms),
             prompt_tokens     = COALESCE(?11, prompt_tokens),
             completion_tokens = COALESCE(?12, completion_tokens),
             total_tokens      = COALESCE(?13, total_tokens),
             points            = COALESCE(?14, points),
             prompt_preview    = COALESCE(?15, prompt_preview),
             reply_preview     = COALESCE(?16, reply_preview)
         WHERE id = ?1",
        params![
            id,
            to_ms(OffsetDateTime::now_utc()),
            patch.status.map(|status| status.as_str()),
            patch.model,
            patch.http_status,
            patch.error_class,
            patch.error_message,
            patch.queue_wait_ms.map(to_sql_int),
            patch.first_token_ms.map(to_sql_int),
            patch.duration_ms.map(to_sql_int),
            usage.map(|usage| to_sql_int(usage.prompt_tokens)),
            usage.map(|usage| to_sql_int(usage.completion_tokens)),
            usage.map(|usage| to_sql_int(usage.total_tokens)),
            usage.map(|usage| usage.points),
            prompt_preview,
            reply_preview,
        ],
    )?;
    if changed == 0 {
        return Err(RequestLogError::NotFound(id.to_owned()));
    }
    publish(state, id)
}

fn publish(state: &WriterState, id: &str) -> Result<LogEntry, RequestLogError> {
    let entry = load_entry(&state.conn, id)?;
    // No subscriber is not an error: the UI may simply be closed.
    let _ = state.events.send(entry.clone());
    Ok(entry)
}
