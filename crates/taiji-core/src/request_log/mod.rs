//! The persisted request log: every chat request (API and built-in chat) with its source, model,
//! status, timings, tokens and points, in SQLite (`request-log.sqlite3`) in the data directory.
//!
//! Writes go through one dedicated writer thread (see [`writer`]), so async callers never block
//! and concurrent writers never lose entries; reads run on short-lived read-only connections in
//! `spawn_blocking`. Every change is broadcast live ([`RequestLog::subscribe`]) for the UI and the
//! tray. Retention by age, row count and size runs in the writer thread at an interval.
//!
//! What is *not* logged: health checks (the route layer skips `/health` before calling
//! [`RequestLog::begin`]), credentials and API keys (an entry names the key, never carries it), and
//! prompt/reply previews unless the user enabled them ([`PreviewPolicy`]). The same database holds
//! the dispatcher's pending session deletions ([`PendingDeletion`]).
//!
//! Mapping of the dispatcher's events: queued → [`RequestLog::begin`] with
//! [`EntryStatus::Queued`]; started → [`EntryPatch::streaming`]; first token → a patch with
//! `first_token_ms`; finished → [`EntryPatch::done`] with the usage; failed →
//! [`EntryPatch::failed`]; cancelled → [`EntryPatch::cancelled`].

mod entry;
mod error;
mod export;
mod failure;
mod job_queue;
mod pending;
mod policy;
mod query;
mod retention;
mod rows;
mod schema;
mod writer;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rusqlite::Connection;
use time::{OffsetDateTime, UtcOffset};
use tokio::sync::broadcast;

pub use entry::{EntryPatch, EntryStatus, LogEntry, NewEntry};
pub use error::RequestLogError;
pub use failure::{FailureClass, FailureKind};
pub use pending::{PendingDeletion, deletion_backoff};
pub use policy::{PreviewPolicy, RetentionPolicy};
pub use query::{DailyModelStats, LogFilter, LogPage, MAX_PAGE_SIZE};
pub use retention::RetentionReport;
pub use schema::{DATABASE_FILE_NAME, SCHEMA_VERSION};

use writer::{WriterHandle, WriterState};

/// How many changes a slow live subscriber may fall behind before it sees `Lagged`.
const BROADCAST_CAPACITY: usize = 1024;

/// How a [`RequestLog`] is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestLogOptions {
    /// The history limits.
    pub retention: RetentionPolicy,
    /// Whether previews are stored.
    pub previews: PreviewPolicy,
    /// How often retention runs in the background (also once at open).
    pub retention_interval: Duration,
}

impl Default for RequestLogOptions {
    fn default() -> Self {
        Self {
            retention: RetentionPolicy::default(),
            previews: PreviewPolicy::default(),
            retention_interval: Duration::from_secs(10 * 60),
        }
    }
}

/// The request log. Cheap to clone; all clones share one writer thread, which stops when the
/// last clone is dropped.
#[derive(Clone)]
pub struct RequestLog {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    writer: WriterHandle,
    events: broadcast::Sender<LogEntry>,
}

impl std::fmt::Debug for RequestLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestLog")
            .field("path", &self.inner.path)
            .finish_non_exhaustive()
    }
}

type Result<T, E = RequestLogError> = std::result::Result<T, E>;

impl RequestLog {
    /// Opens (or creates and migrates) the log in `dir` with previews off and the default
    /// retention interval. Blocking; call it at startup.
    pub fn open(dir: &Path, retention: RetentionPolicy) -> Result<Self> {
        Self::open_with(
            dir,
            RequestLogOptions {
                retention,
                ..RequestLogOptions::default()
            },
        )
    }

    /// Opens the log with explicit options.
    pub fn open_with(dir: &Path, options: RequestLogOptions) -> Result<Self> {
        crate::fs::create_private_dir(dir).map_err(|source| RequestLogError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = dir.join(DATABASE_FILE_NAME);
        let conn = schema::open_writer(&path)?;
        let (events, _) = broadcast::channel(BROADCAST_CAPACITY);
        let state = WriterState::new(conn, options.retention, options.previews, events.clone());
        let writer =
            WriterHandle::spawn(state, options.retention_interval).map_err(|source| RequestLogError::Io {
                path: path.clone(),
                source,
            })?;
        Ok(Self {
            inner: Arc::new(Inner { path, writer, events }),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Records a new request and returns its id once it is stored.
    pub async fn begin(&self, entry: NewEntry) -> Result<String> {
        self.inner
            .writer
            .call_grouped(true, move |state| writer::insert(state, entry))
            .await
    }

    /// Applies a change to an entry and returns the updated entry.
    pub async fn update(&self, id: &str, patch: EntryPatch) -> Result<LogEntry> {
        let id = id.to_owned();
        self.inner
            .writer
            .call_grouped(true, move |state| {
                writer::apply_patch(state, &id, patch, true)?
                    .ok_or_else(|| RequestLogError::NotFound(id.clone()))
            })
            .await
    }

    /// Applies a finished request's last change and returns once it is committed, without
    /// hurrying the commit: the change joins the writes other requests queue within the writer's
    /// gathering window. Its caller (a request's task, whose client already has the answer) waits
    /// a little longer, and the commit no longer lands on the next request's way to the upstream,
    /// which a client sending its next request at once (an agent's tool loop) would otherwise
    /// meet. Unlike [`RequestLog::update`] it does not read the entry back.
    pub async fn settle(&self, id: &str, patch: EntryPatch) -> Result<()> {
        let id = id.to_owned();
        self.inner
            .writer
            .call_grouped(false, move |state| {
                writer::apply_patch(state, &id, patch, false).map(|_| ())
            })
            .await
    }

    /// Records a new request without waiting for the write: for the dispatcher's hot path, where the
    /// entry must not delay the upstream call. Writes run in arrival order, so later changes to the
    /// entry (awaited or not) apply after it; a failure is logged by the writer.
    pub fn begin_in_background(&self, entry: NewEntry) {
        let queued = self.inner.writer.send_grouped(move |state| {
            if let Err(error) = writer::insert(state, entry) {
                tracing::error!(%error, "could not record the request");
            }
        });
        if let Err(error) = queued {
            tracing::error!(%error, "could not record the request");
        }
    }

    /// Applies a change to an entry without waiting for the write (see
    /// [`RequestLog::begin_in_background`]).
    pub fn update_in_background(&self, id: &str, patch: EntryPatch) {
        let id = id.to_owned();
        let queued = self.inner.writer.send_grouped(move |state| {
            if let Err(error) = writer::apply_patch(state, &id, patch, false) {
                tracing::error!(request_id = id, %error, "could not update the request log");
            }
        });
        if let Err(error) = queued {
            tracing::error!(%error, "could not update the request log");
        }
    }

    /// Every entry as it is created or changes, in commit order.
    pub fn subscribe(&self) -> broadcast::Receiver<LogEntry> {
        self.inner.events.subscribe()
    }

    /// One entry by id.
    pub async fn get(&self, id: &str) -> Result<LogEntry> {
        let id = id.to_owned();
        self.read(move |conn| rows::load_entry(conn, &id)).await
    }

    /// One page (0-based) of the matching entries, newest first, with the total count.
    pub async fn query(&self, filter: LogFilter, page: u32, page_size: u32) -> Result<LogPage> {
        self.read(move |conn| query::query_page(conn, &filter, page, page_size))
            .await
    }

    /// Per-day, per-model totals of the matching entries; days are counted in `offset` (pass the
    /// user's local offset for charts).
    pub async fn aggregates(&self, filter: LogFilter, offset: UtcOffset) -> Result<Vec<DailyModelStats>> {
        self.read(move |conn| query::aggregates(conn, &filter, offset))
            .await
    }

    /// Writes the matching entries as CSV (oldest first) and hands the writer back.
    pub async fn export_csv<W: Write + Send + 'static>(&self, filter: LogFilter, mut writer: W) -> Result<W> {
        self.read(move |conn| {
            export::write_csv(conn, &filter, &mut writer)?;
            Ok(writer)
        })
        .await
    }

    /// Writes the matching entries as a JSON array (oldest first) and hands the writer back.
    pub async fn export_json<W: Write + Send + 'static>(
        &self,
        filter: LogFilter,
        mut writer: W,
    ) -> Result<W> {
        self.read(move |conn| {
            export::write_json(conn, &filter, &mut writer)?;
            Ok(writer)
        })
        .await
    }

    /// Runs retention at once (the background pass runs at the configured interval).
    pub async fn enforce_retention_now(&self) -> Result<RetentionReport> {
        self.inner
            .writer
            .call(|state| retention::enforce_retention(state, OffsetDateTime::now_utc()))
            .await
    }

    /// Changes the history limits; they apply from the next retention pass.
    pub fn set_retention(&self, retention: RetentionPolicy) -> Result<()> {
        self.inner.writer.send(move |state| state.retention = retention)
    }

    /// Changes the preview policy; it applies to every write queued after this call.
    pub fn set_previews(&self, previews: PreviewPolicy) -> Result<()> {
        self.inner.writer.send(move |state| state.previews = previews)
    }

    /// Records an upstream session whose deletion must be retried; it is due at once.
    pub async fn add_pending_deletion(&self, session_id: &str, account: &str) -> Result<PendingDeletion> {
        let (session_id, account) = (session_id.to_owned(), account.to_owned());
        self.inner
            .writer
            .call(move |state| pending::add(&state.conn, &session_id, &account, OffsetDateTime::now_utc()))
            .await
    }

    /// Every pending deletion, the most overdue first (filter with [`PendingDeletion::is_due`]).
    pub async fn pending_deletions(&self) -> Result<Vec<PendingDeletion>> {
        self.read(pending::list).await
    }

    /// Removes a pending deletion; `false` when it did not exist.
    pub async fn remove_pending_deletion(&self, id: i64) -> Result<bool> {
        self.inner
            .writer
            .call(move |state| pending::remove(&state.conn, id))
            .await
    }

    /// Records a failed deletion attempt and schedules the next one with backoff; `None` when the
    /// id is unknown.
    pub async fn record_deletion_attempt(&self, id: i64, error: &str) -> Result<Option<PendingDeletion>> {
        let error = error.to_owned();
        self.inner
            .writer
            .call(move |state| pending::record_attempt(&state.conn, id, &error, OffsetDateTime::now_utc()))
            .await
    }

    /// Runs a read on a fresh read-only connection off the async threads.
    async fn read<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let path = self.inner.path.clone();
        tokio::task::spawn_blocking(move || work(&schema::open_reader(&path)?))
            .await
            .map_err(|_| RequestLogError::Closed)?
    }
}
