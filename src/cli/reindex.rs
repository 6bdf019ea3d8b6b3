//! `guidepost reindex`: rebuild this node's search index from the database into a new folder,
//! then switch to it atomically. A running server keeps answering searches from the old index
//! until the switch, then moves over within a second and catches up from the new cursor.

use std::time::Instant;

use anyhow::Context as _;
use guidepost_search::SearchIndex;
use indicatif::{ProgressBar, ProgressStyle};

use crate::config::Config;
use crate::db::models::search_documents;
use crate::db::DbConnection;
use crate::db::DbPool;
use crate::search::location::IndexLocation;
use crate::search::rebuild;

/// Rebuilds the index and publishes it.
pub fn run(config: &Config, pool: &DbPool) -> anyhow::Result<()> {
    let mut conn = pool.get().context("database")?;
    rebuild_and_publish(config, &mut conn)
}

/// Builds a fresh index of every question in a new folder, with a progress bar, and makes it
/// the live one; used by `reindex`, `import` and `seed`.
pub fn rebuild_and_publish(config: &Config, conn: &mut DbConnection) -> anyhow::Result<()> {
    let started = Instant::now();
    let location = IndexLocation::in_data_dir(&config.data_dir);
    let name = location.new_name();
    let path = location.path_of(&name);
    let index = SearchIndex::open_or_create(&path).with_context(|| format!("creating {}", path.display()))?;
    let mut writer = index.bulk_writer().context("opening the new index for writing")?;
    let total = search_documents::question_count(conn).context("counting questions")?;
    let bar = ProgressBar::new(u64::try_from(total).unwrap_or(0)).with_style(
        ProgressStyle::with_template("search index {bar:40.cyan/blue} {pos}/{len} questions, {per_sec}, {eta} left")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let now = chrono::Utc::now().naive_utc();
    let outcome = rebuild::fill(conn, &mut writer, now, &|| false, &mut |done| bar.inc(done));
    let (cursor, questions) = match outcome {
        Ok(Some(done)) => done,
        Ok(None) => anyhow::bail!("the rebuild was interrupted"),
        Err(e) => {
            bar.abandon();
            // Leave nothing half-built behind; the live index is untouched.
            drop(writer);
            let _ = std::fs::remove_dir_all(&path);
            return Err(anyhow::anyhow!("rebuilding the search index: {e}"));
        }
    };
    drop(writer);
    bar.finish_and_clear();
    location.publish(&name).with_context(|| format!("switching to {}", path.display()))?;
    println!(
        "indexed {questions} questions in {:.1} s into {}; cursor {cursor}; a running server switches to it within a second",
        started.elapsed().as_secs_f64(),
        path.display()
    );
    Ok(())
}
