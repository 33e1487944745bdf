//! Persistence for kefu: one [`SqlStore`] type over SQLite (embedded, the default) and
//! PostgreSQL, chosen at run time from the URL scheme.
//!
//! Writes go through a single writer task that group-commits whatever is queued (see
//! `writer`); reads use a pool. Message content passes through the configured
//! [`Sealer`](kefu_core::seal::Sealer) on every write and read.

pub mod keys;
pub mod analytics;
mod addresses;
mod bot;
mod channel_writes;
mod channels;
mod email;
mod migrate;
mod ratings;
pub mod onboarding;
mod reads;
mod rows;
mod search;
mod settings_version;
mod writer;

use kefu_core::seal::Sealer;
use kefu_core::store::{ChangeSet, StoreError};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Executor};
use std::str::FromStr;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

pub use search::{term_hashes, ReindexProgress, SearchHit, SearchPage, SearchQuery};
pub use writer::WriterStats;

/// Which database a URL names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite file.
    Sqlite,
    /// PostgreSQL server.
    Postgres,
}

impl Backend {
    /// The backend for a database URL, or an error naming the accepted schemes.
    pub fn from_url(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::Backend(format!(
                "unsupported database URL {:?}: use sqlite://PATH or postgres://…",
                redact(url)
            )))
        }
    }
}

/// Tuning of the store.
#[derive(Clone, Debug)]
pub struct StoreOptions {
    /// Connections in the read pool.
    pub read_connections: u32,
    /// Most change sets in one group commit.
    pub max_batch: usize,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self { read_connections: 8, max_batch: 512 }
    }
}

/// Make the SQLite database and its WAL and shared-memory files readable by their owner only
/// (0600, like the key file): they hold customers' data. A new database is created so before
/// SQLite opens it; an existing one is tightened.
fn private_sqlite_files(url: &str) -> Result<(), StoreError> {
    let Some(path) = sqlite_path(url) else { return Ok(()) };
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let io = |e: std::io::Error| StoreError::Backend(format!("cannot secure database file {path}: {e}"));
        if !std::path::Path::new(&path).exists() {
            std::fs::OpenOptions::new().write(true).create(true).truncate(false).mode(0o600).open(&path).map_err(io)?;
        }
        for file in [path.clone(), format!("{path}-wal"), format!("{path}-shm"), format!("{path}-journal")] {
            if std::path::Path::new(&file).exists() {
                std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).map_err(io)?;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// The file of a `sqlite://PATH?…` URL; none for in-memory databases.
fn sqlite_path(url: &str) -> Option<String> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path.is_empty() || path == ":memory:" || query.split('&').any(|kv| kv == "mode=memory") {
        return None;
    }
    Some(path.to_string())
}

/// The store: a read pool and a handle to the group-commit writer.
#[derive(Clone)]
pub struct SqlStore {
    backend: Backend,
    read: AnyPool,
    writer: mpsc::Sender<writer::Job>,
    sealer: Arc<dyn Sealer>,
    stats: Arc<WriterStats>,
}

impl SqlStore {
    /// Open (creating a SQLite file if needed), migrate, and start the writer task.
    pub async fn open(url: &str, sealer: Arc<dyn Sealer>, options: StoreOptions) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        let url = match backend {
            Backend::Sqlite if !url.contains("mode=") => {
                format!("{url}{}mode=rwc", if url.contains('?') { '&' } else { '?' })
            }
            _ => url.to_string(),
        };
        if backend == Backend::Sqlite {
            private_sqlite_files(&url)?;
        }
        let connect = AnyConnectOptions::from_str(&url)
            .map_err(|e| StoreError::Backend(format!("bad database URL: {e}")))?
            .disable_statement_logging();

        let mut write_conn = connect.connect().await.map_err(|e| connect_error(&url, e))?;
        if backend == Backend::Sqlite {
            // WAL lets readers run beside the writer; FULL makes each commit durable on disk.
            for pragma in [
                "PRAGMA journal_mode = WAL",
                "PRAGMA synchronous = FULL",
                "PRAGMA foreign_keys = ON",
                "PRAGMA busy_timeout = 10000",
            ] {
                write_conn.execute(pragma).await.map_err(backend_error)?;
            }
        }
        migrate::run(&mut write_conn, backend).await?;
        if backend == Backend::Sqlite {
            // The WAL and shared-memory files exist now; SQLite gives them the database's mode.
            private_sqlite_files(&url)?;
        }
        addresses::seal_legacy(&mut write_conn, sealer.as_ref()).await?;
        let search_key = sealer.search_key();
        let index = search::reconcile_key(&mut write_conn, &search_key).await?.then_some(search_key);

        let read = AnyPoolOptions::new()
            .max_connections(options.read_connections.max(1))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        conn.execute("PRAGMA busy_timeout = 10000").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(connect)
            .await
            .map_err(|e| connect_error(&url, e))?;

        let stats = Arc::new(WriterStats::default());
        let (tx, rx) = mpsc::channel(options.max_batch * 8);
        tokio::spawn(writer::run(write_conn, rx, sealer.clone(), index, options.max_batch, stats.clone()));
        Ok(Self { backend, read, writer: tx, sealer, stats })
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Group-commit counters, for metrics.
    pub fn writer_stats(&self) -> Arc<WriterStats> {
        self.stats.clone()
    }

    /// Stop taking writes, let the writer commit what is queued, and close the connections.
    pub async fn close(&self) {
        let (tx, rx) = oneshot::channel();
        if self.writer.send(writer::Job::Shutdown(tx)).await.is_ok() {
            let _ = rx.await;
        }
        self.read.close().await;
    }

    async fn submit(&self, changes: ChangeSet) -> Result<(), StoreError> {
        let (tx, rx) = oneshot::channel();
        self.writer.send(writer::Job::Apply(changes, tx)).await.map_err(|_| StoreError::Closed)?;
        rx.await.map_err(|_| StoreError::Closed)?
    }
}

/// A URL with any password replaced, safe to print.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

fn connect_error(url: &str, e: sqlx::Error) -> StoreError {
    StoreError::Backend(format!("cannot open {}: {e}", redact(url)))
}

pub(crate) fn backend_error(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Duplicate(d.message().to_string()),
        sqlx::Error::PoolClosed => StoreError::Closed,
        _ => StoreError::Backend(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(Backend::from_url("sqlite://x.db").ok(), Some(Backend::Sqlite));
        assert_eq!(Backend::from_url("postgres://u@h/db").ok(), Some(Backend::Postgres));
        assert!(Backend::from_url("mysql://h/db").is_err());
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
    }
}
