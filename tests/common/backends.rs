//! Fresh, throw-away databases for tests.

use std::sync::atomic::{AtomicU32, Ordering};

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use guidepost::config::DatabaseUrl;
use tempfile::TempDir;

/// The variable naming a PostgreSQL server tests may create databases on.
pub const POSTGRES_ENV: &str = "GUIDEPOST_TEST_POSTGRES_URL";

/// A database that exists for one test and is removed afterwards.
pub struct TestDb {
    /// The URL the app should use.
    pub url: DatabaseUrl,
    /// Holds the SQLite file (and serves as the app's data folder).
    pub dir: TempDir,
    /// For PostgreSQL: the server URL and the database to drop at the end.
    postgres: Option<(String, String)>,
}

impl TestDb {
    /// A temporary SQLite file.
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = DatabaseUrl::Sqlite(dir.path().join("guidepost.db"));
        Self { url, dir, postgres: None }
    }

    /// A fresh PostgreSQL database, or `None` when no server is configured. A configured but
    /// unreachable server fails the test: CI must never pass by skipping PostgreSQL silently.
    pub fn postgres() -> Option<Self> {
        let server = std::env::var(POSTGRES_ENV).ok().filter(|v| !v.trim().is_empty())?;
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let name =
            format!("gp_test_{}_{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed), rand_suffix());
        let mut admin = PgConnection::establish(&server)
            .unwrap_or_else(|e| panic!("{POSTGRES_ENV} is set but PostgreSQL is unreachable: {e}"));
        admin.batch_execute(&format!("CREATE DATABASE {name}")).expect("create test database");
        let mut url = url::Url::parse(&server).expect("valid PostgreSQL URL");
        url.set_path(&format!("/{name}"));
        let dir = tempfile::tempdir().expect("temp dir");
        Some(Self { url: DatabaseUrl::Postgres(url.to_string()), dir, postgres: Some((server, name)) })
    }

    /// The URL as the CLI takes it.
    pub fn url_string(&self) -> String {
        match &self.url {
            DatabaseUrl::Sqlite(path) => format!("sqlite://{}", path.display()),
            DatabaseUrl::Postgres(url) => url.clone(),
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((server, name)) = &self.postgres {
            if let Ok(mut admin) = PgConnection::establish(server) {
                let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

fn rand_suffix() -> u32 {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0)
}
