//! The site archive: a whole site in one compressed, backend-neutral file, written by
//! `guidepost backup` while the site serves and read back by `guidepost restore` into an empty
//! database of either backend.
//!
//! The format (version 1) is gzip-compressed JSON Lines, described in the README:
//! a header naming every table with its columns, kinds and row count; per table a line naming it
//! followed by its rows as JSON arrays; the secret key when asked for; and a trailer holding
//! the SHA-256 of every byte before it, so a damaged or truncated archive is refused whole.

mod backup;
mod format;
mod restore;

pub use backup::{backup, BackupOptions, BackupSummary};
pub use format::{ArchiveError, Header, TableEntry, FORMAT_NAME, FORMAT_VERSION};
pub use restore::{restore, verify, RestoreSummary};

/// Reports progress of a long step: called with how many more units (rows or bytes) are done.
pub type Progress<'a> = &'a mut dyn FnMut(u64);
