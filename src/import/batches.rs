//! Reading a dump file in batches, each written in its own transaction; for the passes with
//! costly text work, converting the next batch on helper threads while this one is written.

use std::path::Path;

use super::dump::{DumpReader, Row};
use super::stackexchange::ImportError;
use super::Progress;
use crate::db::DbConnection;

/// Rows written per transaction.
pub const BATCH: usize = 500;

/// Reads `name` (if present) in batches of [`BATCH`] rows, each row with only the attributes
/// `keep` names, handing each batch to `write`.
pub(super) fn each_batch<F>(
    dir: &Path,
    name: &str,
    keep: &'static [&'static str],
    progress: &mut dyn Progress,
    mut write: F,
) -> Result<(), ImportError>
where
    F: FnMut(Vec<Row>) -> Result<(), ImportError>,
{
    let Some(reader) = DumpReader::open(dir, name)? else { return Ok(()) };
    let mut reader = reader.keeping(keep);
    let started = std::time::Instant::now();
    let mut rows = 0_u64;
    progress.file(name, reader.size());
    let mut batch = Vec::with_capacity(BATCH);
    loop {
        let row = reader.next_row()?;
        let done = row.is_none();
        batch.extend(row);
        if batch.len() >= BATCH || (done && !batch.is_empty()) {
            rows += batch.len() as u64;
            write(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)))?;
            progress.at(reader.bytes_read());
        }
        if done {
            break;
        }
    }
    progress.finished();
    tracing::debug!(file = name, rows, seconds = started.elapsed().as_secs_f64(), "imported a dump file");
    Ok(())
}

/// How a pass with costly text work handles a batch: [`each_batch_converted`].
pub(super) trait ConvertedPass {
    /// A row chosen for import.
    type Chosen: Send + Sync;
    /// What converting one gives.
    type Converted: Send;

    /// The rows of a batch to import (reading the database, on the importing thread).
    fn choose(&mut self, conn: &mut DbConnection, rows: Vec<Row>) -> Result<Vec<Self::Chosen>, ImportError>;

    /// The text work for one row, on a helper thread: no database.
    fn convert(chosen: &Self::Chosen) -> Self::Converted;

    /// Writes a batch, its rows beside their conversions, in one transaction.
    fn store(
        &mut self,
        conn: &mut DbConnection,
        chosen: Vec<Self::Chosen>,
        converted: Vec<Self::Converted>,
    ) -> Result<(), ImportError>;
}

/// [`each_batch`] for a pass whose rows need costly text work (Markdown, sanitising): each batch
/// is chosen, then converted on every core while the batch before it is stored, so the cores
/// are not idle while the database writes, nor the database while they convert.
pub(super) fn each_batch_converted<P: ConvertedPass>(
    conn: &mut DbConnection,
    dir: &Path,
    name: &str,
    keep: &'static [&'static str],
    progress: &mut dyn Progress,
    pass: &mut P,
) -> Result<(), ImportError> {
    std::thread::scope(|scope| {
        let mut converting = None;
        let read = each_batch(dir, name, keep, progress, |rows| {
            let chosen = pass.choose(conn, rows)?;
            let next = scope.spawn(move || {
                let converted = super::in_parallel(&chosen, P::convert);
                (chosen, converted)
            });
            store_converted(conn, pass, converting.replace(next))
        });
        match read {
            Ok(()) => store_converted(conn, pass, converting.take()),
            // The file broke off after the batch being converted: it is whole, so it is stored
            // as it would have been without the pipeline, and the import stops after it.
            Err(error @ ImportError::Dump(_)) => {
                store_converted(conn, pass, converting.take())?;
                Err(error)
            }
            // The database refused a batch: nothing after it is written.
            Err(error) => Err(error),
        }
    })
}

/// A batch converted on helper threads, with its conversions.
type Converting<'scope, P> =
    std::thread::ScopedJoinHandle<'scope, (Vec<<P as ConvertedPass>::Chosen>, Vec<<P as ConvertedPass>::Converted>)>;

/// Stores a batch once its conversion is done (if there is one).
fn store_converted<P: ConvertedPass>(
    conn: &mut DbConnection,
    pass: &mut P,
    converting: Option<Converting<'_, P>>,
) -> Result<(), ImportError> {
    let Some(handle) = converting else { return Ok(()) };
    // A conversion thread only panics on a bug; surface it rather than lose rows.
    let (chosen, converted) = handle.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
    pass.store(conn, chosen, converted)
}
