//! `guidepost backup FILE` and `guidepost restore FILE`: the whole site in one archive, taken
//! while it serves, and put back into an empty database of either backend.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;
use std::time::Instant;

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressStyle};

use crate::archive::{self, BackupOptions};
use crate::config::Config;
use crate::db::DbPool;

/// A progress bar over rows.
fn rows_bar(what: &str) -> ProgressBar {
    ProgressBar::new(0).with_style(
        ProgressStyle::with_template(&format!(
            "{what} {{bar:40.cyan/blue}} {{pos}}/{{len}} rows, {{per_sec}}, {{eta}} left"
        ))
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    )
}

/// Writes the archive; with `include_secret_key`, the site's secret key goes in too.
pub fn backup(config: &Config, pool: &DbPool, file: &Path, include_secret_key: bool) -> anyhow::Result<()> {
    let started = Instant::now();
    let secret_key = if include_secret_key { Some(crate::secret::resolve(config)?.0) } else { None };
    let mut conn = pool.get().context("database")?;
    let bar = rows_bar("backup");
    let summary = archive::backup(
        &mut conn,
        file,
        &BackupOptions { secret_key },
        &mut |total| bar.set_length(total),
        &mut |done| bar.inc(done),
    )
    .inspect_err(|_| bar.abandon())?;
    bar.finish_and_clear();
    let rows: u64 = summary.header.tables.iter().map(|t| t.rows).sum();
    println!(
        "backed up {rows} rows of {} tables in {:.1} s into {} ({:.1} MB{})",
        summary.header.tables.len(),
        started.elapsed().as_secs_f64(),
        file.display(),
        summary.bytes as f64 / 1e6,
        if include_secret_key { ", with the secret key: keep it as safe as the key itself" } else { "" },
    );
    Ok(())
}

/// Checks the archive whole, then fills the (empty, freshly migrated) database from it and
/// rebuilds the search index.
pub fn restore(config: &Config, pool: &DbPool, file: &Path) -> anyhow::Result<()> {
    let started = Instant::now();
    let open = || -> anyhow::Result<BufReader<File>> {
        Ok(BufReader::with_capacity(1 << 20, File::open(file).with_context(|| format!("opening {}", file.display()))?))
    };
    let bar = rows_bar("checking");
    archive::verify(open()?, &mut |total| bar.set_length(total), &mut |done| bar.inc(done))
        .inspect_err(|_| bar.abandon())
        .with_context(|| format!("{} was not restored", file.display()))?;
    bar.finish_and_clear();

    super::apply_migrations(pool)?;
    let mut conn = pool.get().context("database")?;
    let bar = rows_bar("restore");
    let summary = archive::restore(&mut conn, open()?, &mut |total| bar.set_length(total), &mut |done| bar.inc(done))
        .inspect_err(|_| bar.abandon())
        .with_context(|| format!("{} was not restored; the database is unchanged", file.display()))?;
    bar.finish_and_clear();
    println!(
        "restored {} rows of {} tables (from {} on {}) in {:.1} s",
        summary.rows,
        summary.header.tables.len(),
        summary.header.source_backend,
        summary.header.created_at,
        started.elapsed().as_secs_f64()
    );
    if let Some(key) = &summary.secret_key {
        if config.secret_key.is_some() {
            println!("the archive's secret key was not stored: GUIDEPOST_SECRET_KEY is set and takes precedence");
        } else {
            let path = crate::secret::replace_stored(&config.data_dir, key)?;
            println!("stored the archive's secret key in {}", path.display());
        }
    }
    super::reindex::rebuild_and_publish(config, &mut conn)
}
