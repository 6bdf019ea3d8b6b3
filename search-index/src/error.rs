//! The search crate's error type: what can go wrong opening, writing or searching the index.

use thiserror::Error;

/// Everything that can fail in this crate.
#[derive(Debug, Error)]
pub enum SearchError {
    /// The index on disk was built with another schema version; rebuild it from the database.
    #[error("search index schema changed (found {found:?}, expected {expected}); rebuild the index")]
    SchemaChanged {
        /// The version recorded on disk, if any.
        found: Option<u32>,
        /// The version this build of the crate writes.
        expected: u32,
    },
    /// The index directory could not be opened.
    #[error("cannot open the search index directory: {0}")]
    OpenDirectory(#[from] tantivy::directory::error::OpenDirectoryError),
    /// Reading or writing a file beside the index failed.
    #[error("search index I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// tantivy itself reported an error.
    #[error("search index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
}
