//! Importing a Stack Exchange data dump: users, questions, answers, comments, tags, accepted
//! answers and duplicate links, each post keeping its attribution.
//!
//! Files are read as streams and written in batches, each batch one transaction: a malformed or
//! truncated file stops the import with the file and line, and leaves the database as it was
//! before that batch. Rows keep their source ids, so importing the same dump again changes nothing
//! and an interrupted import can simply be run again.

pub mod convert;
pub mod dump;
mod posts;
pub mod stackexchange;

pub use stackexchange::{import, ImportError, Summary};

/// Told how far the import got, for a progress bar per file.
pub trait Progress {
    /// A file starts; `size` is its length in bytes.
    fn file(&mut self, name: &str, size: u64);
    /// The file has been read up to byte `position`.
    fn at(&mut self, position: u64);
    /// The file is done.
    fn finished(&mut self);
}

/// A progress report that shows nothing (tests, scripts).
#[derive(Debug, Default)]
pub struct Silent;

impl Progress for Silent {
    fn file(&mut self, _: &str, _: u64) {}
    fn at(&mut self, _: u64) {}
    fn finished(&mut self) {}
}

/// `convert` applied to every item, on every core: rendering and sanitising text is the costly
/// part of an import, and it needs no database.
pub(crate) fn in_parallel<T: Sync, R: Send>(items: &[T], convert: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from).clamp(1, 8);
    let chunk = items.len().div_ceil(threads).max(1);
    let convert = &convert;
    std::thread::scope(|scope| {
        let handles: Vec<_> =
            items.chunks(chunk).map(|part| scope.spawn(move || part.iter().map(convert).collect::<Vec<_>>())).collect();
        // A conversion thread only panics on a bug; surface it rather than lose rows.
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    })
}
