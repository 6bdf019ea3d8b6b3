//! Importing a Stack Exchange data dump: users, questions, answers, comments, tags, accepted
//! answers, duplicate links and favorites (as watches), each post keeping its attribution.
//!
//! Files are read as streams and written in batches, each batch one transaction: a malformed or
//! truncated file stops the import with the file and line, and leaves the database as it was
//! before that batch. Rows keep their source ids, so importing the same dump again changes nothing
//! and an interrupted import can simply be run again.

mod batches;
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
/// part of an import, and it needs no database. Each thread takes the next item as it finishes
/// one, so a few long bodies do not leave a core idle while another works through them.
pub(crate) fn in_parallel<T: Sync, R: Send>(items: &[T], convert: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from).clamp(1, 8).min(items.len());
    if threads <= 1 {
        return items.iter().map(convert).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let (next, convert) = (&next, &convert);
    let done: Vec<Vec<(usize, R)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(move || {
                    let mut done = Vec::new();
                    loop {
                        let index = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(item) = items.get(index) else { break done };
                        done.push((index, convert(item)));
                    }
                })
            })
            .collect();
        // A conversion thread only panics on a bug; surface it rather than lose rows.
        handles.into_iter().map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    });
    let mut slots: Vec<Option<R>> = std::iter::repeat_with(|| None).take(items.len()).collect();
    for (index, result) in done.into_iter().flatten() {
        slots[index] = Some(result);
    }
    // Every index below the length was taken by exactly one thread.
    slots.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn in_parallel_keeps_the_order() {
        let items: Vec<u64> = (0..1_000).collect();
        assert_eq!(super::in_parallel(&items, |n| n * 2), items.iter().map(|n| n * 2).collect::<Vec<_>>());
        assert!(super::in_parallel(&[] as &[u64], |n| *n).is_empty());
    }
}
