//! Opening connections and pooling them.
//!
//! The backend is chosen from the URL scheme by us, never by trying each backend in turn, and the
//! first connection is made eagerly with a short timeout, so an unreachable server ends start-up
//! with one clear error instead of a long hang.

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{self, ManageConnection};
use diesel::{Connection, ConnectionError, PgConnection, SqliteConnection};
use url::Url;

use super::DbConnection;
use crate::config::DatabaseUrl;

/// A pool of database connections, cheap to clone.
pub type DbPool = r2d2::Pool<Manager>;
/// One connection borrowed from the pool.
pub type PooledConn = r2d2::PooledConnection<Manager>;

/// How long a request waits for a free connection before it fails with 503.
const CHECKOUT_TIMEOUT: Duration = Duration::from_secs(10);
/// Seconds libpq waits for a PostgreSQL server that does not answer.
const PG_CONNECT_TIMEOUT_SECS: u32 = 5;
/// Milliseconds a SQLite writer waits for another writer's lock.
pub(crate) const SQLITE_BUSY_TIMEOUT_MS: u32 = 5_000;

/// Each SQLite connection's own page cache, as `PRAGMA cache_size` writes it (negative: KiB).
/// Every pooled connection keeps a private copy of the pages it read, so the pool holds the
/// same hot pages many times over; the kernel's file cache behind them is shared. 1 MiB keeps
/// the indexes' upper levels a query walks (128 pages of 8 KiB) where SQLite's default, 2 MB,
/// took 32 MB of the server's memory at 16 connections.
pub(crate) const SQLITE_CACHE_KIB_NEGATED: i32 = -1_024;

/// Who copies SQLite's write-ahead log back into the database file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checkpoints {
    /// The connection whose commit takes the log past 1,000 pages, inside that commit (SQLite's
    /// default: right for the CLI, imports and tests).
    Automatic,
    /// A thread of the server's own ([`super::checkpointer::Checkpointer`]): a checkpoint inside
    /// a commit would hold this process's write turn while it copies megabytes, and keep every
    /// other writer waiting (a fifth of the votes a node could take).
    Background,
}

/// Opens connections of the one backend its URL names.
#[derive(Debug, Clone)]
pub struct Manager {
    url: DatabaseUrl,
    checkpoints: Checkpoints,
}

impl Manager {
    /// A manager for the given database, with SQLite's automatic checkpoints.
    pub fn new(url: DatabaseUrl) -> Self {
        Self::with_checkpoints(url, Checkpoints::Automatic)
    }

    /// A manager for the given database, with checkpoints as `checkpoints` says.
    pub fn with_checkpoints(url: DatabaseUrl, checkpoints: Checkpoints) -> Self {
        let url = match url {
            DatabaseUrl::Postgres(raw) => DatabaseUrl::Postgres(with_connect_timeout(&raw)),
            sqlite => sqlite,
        };
        Self { url, checkpoints }
    }

    /// Opens one new connection, set up for our use.
    pub fn open(&self) -> Result<DbConnection, ConnectionError> {
        match &self.url {
            DatabaseUrl::Postgres(raw) => Ok(DbConnection::Postgresql(PgConnection::establish(raw)?)),
            DatabaseUrl::Sqlite(path) => {
                let path = path.to_str().ok_or_else(|| {
                    ConnectionError::InvalidConnectionUrl("the SQLite path is not valid UTF-8".to_owned())
                })?;
                let mut conn = SqliteConnection::establish(path)?;
                // WAL lets readers run beside the writer; NORMAL sync is durable enough under WAL
                // (a power cut may lose the last commits, never corrupt the file).
                // The page size only counts when the file is created (it must come before
                // WAL): a post row with its Markdown and HTML is about 1.7 KB, so 4 KiB pages
                // hold two and waste a quarter; 8 KiB pages hold four, a site is about a sixth
                // smaller and a bulk load (seed, import) writes and scans that much less.
                conn.batch_execute(&format!(
                    "PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS};
                     PRAGMA page_size = 8192;
                     PRAGMA journal_mode = WAL;
                     PRAGMA synchronous = NORMAL;
                     PRAGMA foreign_keys = ON;
                     PRAGMA cache_size = {SQLITE_CACHE_KIB_NEGATED};"
                ))
                .map_err(ConnectionError::CouldntSetupConfiguration)?;
                if self.checkpoints == Checkpoints::Background {
                    conn.batch_execute("PRAGMA wal_autocheckpoint = 0;")
                        .map_err(ConnectionError::CouldntSetupConfiguration)?;
                }
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }
}

impl ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        self.open().map_err(r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1").map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, _conn: &mut DbConnection) -> bool {
        false
    }
}

/// Adds libpq's `connect_timeout` unless the URL already sets one.
fn with_connect_timeout(raw: &str) -> String {
    match Url::parse(raw) {
        Ok(mut url) if !url.query_pairs().any(|(k, _)| k == "connect_timeout") => {
            url.query_pairs_mut().append_pair("connect_timeout", &PG_CONNECT_TIMEOUT_SECS.to_string());
            url.into()
        }
        _ => raw.to_owned(),
    }
}

/// Why the database could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The SQLite file's folder could not be created.
    #[error("cannot create the folder for {path}: {source}")]
    Folder {
        /// The folder we tried to create.
        path: String,
        /// What the file system said.
        source: std::io::Error,
    },
    /// The first connection failed.
    #[error("cannot connect to {url}: {message}")]
    Connect {
        /// The database URL, password hidden.
        url: String,
        /// The driver's message, trimmed to one line.
        message: String,
    },
    /// The pool could not be built.
    #[error("cannot build the connection pool: {0}")]
    Pool(#[from] r2d2::PoolError),
}

/// Opens the database: creates a SQLite file's folder, makes one connection to prove the server is
/// reachable (failing fast), then builds the pool.
pub fn connect(url: &DatabaseUrl, size: u32) -> Result<DbPool, ConnectError> {
    connect_with(url, size, Checkpoints::Automatic)
}

/// [`connect`], with SQLite's checkpoints as `checkpoints` says.
pub fn connect_with(url: &DatabaseUrl, size: u32, checkpoints: Checkpoints) -> Result<DbPool, ConnectError> {
    if let DatabaseUrl::Sqlite(path) = url {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|source| ConnectError::Folder { path: path.display().to_string(), source })?;
        }
    }
    let manager = Manager::with_checkpoints(url.clone(), checkpoints);
    let first = manager.open().map_err(|e| ConnectError::Connect {
        url: url.to_string(),
        message: e.to_string().split_whitespace().collect::<Vec<_>>().join(" "),
    })?;
    drop(first);
    let pool = r2d2::Pool::builder()
        .max_size(size)
        // No idle minimum: r2d2 would open replacement connections on its worker threads in the
        // background, and one still inside libpq's TLS handshake when the process exits races
        // OpenSSL's exit-time cleanup and crashes. Connections are opened on demand instead.
        .min_idle(Some(0))
        .connection_timeout(CHECKOUT_TIMEOUT)
        .test_on_check_out(false)
        .build(manager)?;
    Ok(pool)
}
