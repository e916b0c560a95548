//! The SQLite files of the core's stores (the request log, the conversations): created readable
//! only by the user (the database and its WAL, shared-memory and journal files), opened in WAL
//! mode (readers never block the writer) with a busy timeout, and migrated by `PRAGMA
//! user_version`. The `rusqlite_migration` crate does the same, but its releases pin an older
//! `rusqlite` than the workspace's, and two bundled SQLites cannot link into one binary.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::Connection;

/// How long a connection waits for a lock before reporting `SQLITE_BUSY`.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Why a store's database could not be opened; each store turns it into its own error.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The file could not be created or made private.
    #[error("cannot prepare {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file was written by a newer build with a schema this build does not know.
    #[error("schema version {found} is newer than this build's {supported}")]
    NewerSchema {
        /// The version on disk.
        found: i64,
        /// The newest version this build knows.
        supported: i64,
    },
    /// SQLite failed.
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
}

/// One store's database: its file, its name in log lines, the connection settings it adds, and its
/// migrations (entry `n`, 0-based, brings the schema from version `n` to `n + 1`).
pub struct Database<'a> {
    /// The database file.
    pub path: &'a Path,
    /// What log lines call it ("the request log").
    pub name: &'a str,
    /// `PRAGMA`s set before WAL mode and the first table (e.g. `auto_vacuum`, `foreign_keys`).
    pub pragmas: &'a [(&'a str, &'a str)],
    /// The schema, one migration per version.
    pub migrations: &'a [&'a str],
}

impl Database<'_> {
    /// Opens the read-write connection: a private file, the connection settings, the schema
    /// migrated to the newest version.
    pub fn open(&self) -> Result<Connection, OpenError> {
        create_private_file(self.path)?;
        let mut conn = Connection::open(self.path)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        for (pragma, value) in self.pragmas {
            conn.pragma_update(None, pragma, value)?;
        }
        let mode: String = conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(%mode, "{} could not switch to WAL mode", self.name);
        }
        // In WAL mode NORMAL is durable against application crashes and much faster than FULL.
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        self.migrate(&mut conn)?;
        // SQLite gives the WAL and shared-memory files the database's mode, but files left by an
        // older version may still be world-readable.
        for suffix in ["-wal", "-shm", "-journal"] {
            let mut side = self.path.as_os_str().to_owned();
            side.push(suffix);
            private(crate::fs::make_private_file(Path::new(&side)), self.path)?;
        }
        Ok(conn)
    }

    /// The schema version this build writes.
    pub fn schema_version(&self) -> i64 {
        self.migrations.len() as i64
    }

    fn migrate(&self, conn: &mut Connection) -> Result<(), OpenError> {
        let found: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
        let supported = self.schema_version();
        if found > supported {
            return Err(OpenError::NewerSchema { found, supported });
        }
        let applied = usize::try_from(found).unwrap_or(0);
        for (index, sql) in self.migrations.iter().enumerate().skip(applied) {
            let version = index as i64 + 1;
            let tx = conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", version)?;
            tx.commit()?;
            tracing::info!(version, "migrated the schema of {}", self.name);
        }
        Ok(())
    }
}

/// Creates the database file readable only by the user before SQLite opens it (SQLite would
/// create it with the umask's mode, usually 0644), or tightens an existing one.
fn create_private_file(path: &Path) -> Result<(), OpenError> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    private(options.open(path).map(drop), path)?;
    private(crate::fs::make_private_file(path), path)
}

fn private(result: std::io::Result<()>, path: &Path) -> Result<(), OpenError> {
    result.map_err(|source| OpenError::Io {
        path: path.to_owned(),
        source,
    })
}
