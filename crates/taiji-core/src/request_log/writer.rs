//! The writer thread: the only owner of the read-write SQLite connection.
//!
//! rusqlite is blocking, so async callers never touch the connection. They queue a job (a closure)
//! on an unbounded queue ([`super::job_queue`]) and await its answer on a oneshot; queueing never
//! blocks and nothing is dropped, so any number of concurrent writers each get their row. Jobs run
//! one at a time in arrival order, which also orders the live broadcast exactly like the commits.
//!
//! Entry writes (a request's insert and its patches, three or more per request) are committed in
//! groups: the writer runs the queued jobs in one transaction, then answers their callers and
//! broadcasts the entries once the commit succeeded. One commit writes each changed page of the
//! table and its indexes once per group instead of once per job, which under concurrent requests was
//! most of the gateway's CPU outside the requests themselves. A group that nobody awaits (the
//! writes a request queues as it starts, and the last one its task awaits when the client already
//! has its answer) gathers for up to [`GATHER`] first, so that its commit happens while requests
//! wait for the model rather than on their way there; an urgent write (one a caller is waiting on)
//! is committed without gathering. Other jobs (retention, pending deletions, settings) run alone,
//! outside any group.
//!
//! Between jobs the thread enforces retention whenever the retention interval has elapsed; it waits
//! on the queue with a timeout, so an idle log costs nothing. The thread ends when the last
//! [`super::RequestLog`] clone is dropped, after finishing the jobs already queued.

use std::time::{Duration, Instant};

use rusqlite::{Connection, params};
use time::OffsetDateTime;
use tokio::sync::{broadcast, oneshot};

use super::job_queue::{self, Received};
use super::retention::enforce_retention;
use super::rows::{load_entry, to_ms, to_sql_int};
use super::{EntryPatch, LogEntry, NewEntry, PreviewPolicy, RequestLogError, RetentionPolicy};

/// The most entry writes committed together (a bound on how long the first caller of a group waits).
const MAX_GROUP: usize = 256;
/// How long a group that nobody waits for gathers further writes before it is committed. A
/// request's first writes (its entry, then "streaming") are queued as it starts; committing them a
/// moment later, while the request waits for the model, keeps the commit off the path to the first
/// token, and under concurrent requests one commit then carries the writes of many.
const GATHER: Duration = Duration::from_millis(20);

/// What a job can use.
pub(super) struct WriterState {
    pub(super) conn: Connection,
    pub(super) retention: RetentionPolicy,
    pub(super) previews: PreviewPolicy,
    pub(super) events: broadcast::Sender<LogEntry>,
    /// What waits for the current group's commit: answers to callers and entries to broadcast.
    after_commit: Vec<AfterCommit>,
}

impl WriterState {
    pub(super) fn new(
        conn: Connection,
        retention: RetentionPolicy,
        previews: PreviewPolicy,
        events: broadcast::Sender<LogEntry>,
    ) -> Self {
        Self {
            conn,
            retention,
            previews,
            events,
            after_commit: Vec::new(),
        }
    }

    /// Runs the answers and broadcasts waiting for the commit; `committed` is its outcome.
    fn finish_group(&mut self, committed: Result<(), &rusqlite::Error>) {
        for after in self.after_commit.drain(..) {
            match after {
                AfterCommit::Broadcast(entry) => {
                    if committed.is_ok() {
                        // No subscriber is not an error: the UI may simply be closed.
                        let _ = self.events.send(*entry);
                    }
                }
                AfterCommit::Answer(answer) => answer(committed),
            }
        }
    }
}

/// Something that happens once the group it belongs to is committed (or failed to be).
enum AfterCommit {
    Broadcast(Box<LogEntry>),
    Answer(Answer),
}

/// Answers one caller, given the outcome of its group's commit.
type Answer = Box<dyn FnOnce(Result<(), &rusqlite::Error>) + Send>;

/// A unit of work for the writer thread.
struct Job {
    work: Box<dyn FnOnce(&mut WriterState) + Send>,
    /// An entry write, committed together with the others queued with it.
    grouped: bool,
    /// Someone waits for the commit, so its group is committed without gathering more.
    urgent: bool,
}

/// The sending side: turns closures into jobs and awaits their results.
#[derive(Clone)]
pub(super) struct WriterHandle {
    jobs: job_queue::Sender<Job>,
}

impl WriterHandle {
    /// Starts the writer thread with `state`, enforcing retention at start and every `interval`.
    pub(super) fn spawn(state: WriterState, interval: Duration) -> std::io::Result<Self> {
        let (jobs, receiver) = job_queue::queue::<Job>();
        std::thread::Builder::new()
            .name("request-log-writer".to_owned())
            .spawn(move || run(state, &receiver, interval))?;
        Ok(Self { jobs })
    }

    /// Runs `work` on the writer thread, alone, and returns its result.
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

    /// Runs the entry write `work` on the writer thread in the group being committed, and returns
    /// its result once that group is committed (or the commit's error). An `urgent` write has its
    /// group committed at once; another may wait for the group to gather.
    pub(super) async fn call_grouped<T: Send + 'static>(
        &self,
        urgent: bool,
        work: impl FnOnce(&mut WriterState) -> Result<T, RequestLogError> + Send + 'static,
    ) -> Result<T, RequestLogError> {
        let (reply, answer) = oneshot::channel();
        self.queue(true, urgent, move |state| {
            let result = work(state);
            state
                .after_commit
                .push(AfterCommit::Answer(Box::new(move |committed| {
                    let result = match committed {
                        Ok(()) => result,
                        Err(error) => Err(RequestLogError::Commit(error.to_string())),
                    };
                    // The caller may have gone away; then nobody wants the result.
                    let _ = reply.send(result);
                })));
        })?;
        answer.await.map_err(|_| RequestLogError::Closed)?
    }

    /// Queues `work` to run alone, without waiting for it.
    pub(super) fn send(
        &self,
        work: impl FnOnce(&mut WriterState) + Send + 'static,
    ) -> Result<(), RequestLogError> {
        self.queue(false, false, work)
    }

    /// Queues the entry write `work` without waiting for it; it is committed with its group.
    pub(super) fn send_grouped(
        &self,
        work: impl FnOnce(&mut WriterState) + Send + 'static,
    ) -> Result<(), RequestLogError> {
        self.queue(true, false, work)
    }

    fn queue(
        &self,
        grouped: bool,
        urgent: bool,
        work: impl FnOnce(&mut WriterState) + Send + 'static,
    ) -> Result<(), RequestLogError> {
        let job = Job {
            work: Box::new(work),
            grouped,
            urgent,
        };
        // Only an entry write nobody hurries may wait for a gathering group's window to close.
        self.jobs
            .send(job, grouped && !urgent)
            .map_err(|_| RequestLogError::Closed)
    }
}

fn run(mut state: WriterState, jobs: &job_queue::Receiver<Job>, interval: Duration) {
    let mut next_retention = Instant::now();
    let mut next_job = None;
    loop {
        let now = Instant::now();
        if now >= next_retention {
            if let Err(error) = enforce_retention(&mut state, OffsetDateTime::now_utc()) {
                tracing::warn!(%error, "request log retention failed; will retry");
            }
            next_retention = now + interval;
        }
        let job = match next_job.take() {
            Some(job) => job,
            None => match jobs.next(next_retention.saturating_duration_since(Instant::now())) {
                Received::Job(job) => job,
                Received::TimedOut => continue,
                Received::Closed => break,
            },
        };
        if job.grouped {
            next_job = run_group(&mut state, job, jobs);
        } else {
            (job.work)(&mut state);
            state.finish_group(Ok(()));
        }
    }
    tracing::debug!("request log writer stopped");
}

/// Runs `first` and the entry writes that follow it in one transaction, then answers and
/// broadcasts: those already queued and, while no write of the group is urgent, those arriving within
/// [`GATHER`] (up to [`MAX_GROUP`] in all). Returns the job that ended the group, if one did (it
/// runs alone, after the commit).
fn run_group(state: &mut WriterState, first: Job, jobs: &job_queue::Receiver<Job>) -> Option<Job> {
    let deadline = Instant::now() + GATHER;
    let mut urgent = first.urgent;
    let mut group = vec![first];
    let mut rest = None;
    while group.len() < MAX_GROUP {
        let next = if urgent {
            jobs.try_next()
        } else {
            match jobs.gather_until(deadline) {
                Received::Job(job) => Some(job),
                Received::TimedOut | Received::Closed => None,
            }
        };
        match next {
            Some(job) if job.grouped => {
                urgent |= job.urgent;
                group.push(job);
            }
            Some(job) => {
                rest = Some(job);
                break;
            }
            // Nothing more within the window, or the log is closing: commit what there is.
            None => break,
        }
    }
    let began = state.conn.execute_batch("BEGIN IMMEDIATE");
    if let Err(error) = &began {
        // Without a transaction each statement commits on its own, as before grouping existed.
        tracing::warn!(%error, "could not begin a request log transaction");
    }
    for job in group {
        (job.work)(state);
    }
    if began.is_err() {
        state.finish_group(Ok(()));
        return rest;
    }
    match state.conn.execute_batch("COMMIT") {
        Ok(()) => state.finish_group(Ok(())),
        Err(error) => {
            tracing::error!(%error, "could not commit request log changes");
            let _ = state.conn.execute_batch("ROLLBACK");
            state.finish_group(Err(&error));
        }
    }
    rest
}

/// Inserts a new entry and broadcasts it; returns its id.
pub(super) fn insert(state: &mut WriterState, entry: NewEntry) -> Result<String, RequestLogError> {
    let id = entry.id.unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let prompt_preview = state.previews.apply(entry.prompt_preview);
    state
        .conn
        .prepare_cached(
            "INSERT INTO requests (id, started_at_ms, updated_at_ms, api, key_name, user_agent,
             endpoint, model, stream, status, queue_wait_ms, prompt_preview)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )?
        .execute(params![
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
            entry.queue_wait_ms.map(to_sql_int),
            prompt_preview,
        ])?;
    publish(state, &id, false)?;
    Ok(id)
}

/// Applies a patch to an entry and broadcasts the result; returns the entry as it is now when
/// `wanted`.
pub(super) fn apply_patch(
    state: &mut WriterState,
    id: &str,
    patch: EntryPatch,
    wanted: bool,
) -> Result<Option<LogEntry>, RequestLogError> {
    let prompt_preview = state.previews.apply(patch.prompt_preview);
    let reply_preview = state.previews.apply(patch.reply_preview);
    let usage = patch.usage;
    // COALESCE keeps the stored value wherever the patch has none.
    let changed = state
        .conn
        .prepare_cached(
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
        )?
        .execute(params![
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
        ])?;
    if changed == 0 {
        return Err(RequestLogError::NotFound(id.to_owned()));
    }
    publish(state, id, wanted)
}

/// Queues the entry as stored now for broadcast once its group is committed, and returns it when
/// `wanted`. Read only when someone wants it: a headless gateway has no subscriber, and this read
/// was a third of each write.
fn publish(state: &mut WriterState, id: &str, wanted: bool) -> Result<Option<LogEntry>, RequestLogError> {
    let listened = state.events.receiver_count() > 0;
    if !wanted && !listened {
        return Ok(None);
    }
    let entry = load_entry(&state.conn, id)?;
    if listened {
        state
            .after_commit
            .push(AfterCommit::Broadcast(Box::new(entry.clone())));
    }
    Ok(Some(entry))
}
