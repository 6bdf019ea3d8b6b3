//! The connection type over both backends.
#![allow(missing_docs, reason = "diesel's MultiConnection derive generates undocumented public items")]

/// A connection to whichever backend the database URL named.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    /// PostgreSQL, for several nodes and large sites.
    Postgresql(diesel::PgConnection),
    /// Embedded SQLite, the default.
    Sqlite(diesel::SqliteConnection),
}

impl DbConnection {
    /// The backend's short name, as used in logs and health output.
    pub fn backend_name(&self) -> &'static str {
        match self {
            Self::Postgresql(_) => "postgres",
            Self::Sqlite(_) => "sqlite",
        }
    }
}
