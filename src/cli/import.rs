//! `guidepost import stackexchange DIR`: import an extracted Stack Exchange data dump, with a
//! progress bar per file and a summary, then rebuild the search index.

use std::path::Path;
use std::time::Instant;

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressStyle};

use crate::config::Config;
use crate::db::DbPool;
use crate::import::{self, Progress};

/// A progress bar per file, in bytes.
struct Bars {
    bar: Option<ProgressBar>,
}

impl Progress for Bars {
    fn file(&mut self, name: &str, size: u64) {
        let bar = ProgressBar::new(size).with_style(
            ProgressStyle::with_template(
                "{prefix:>15} {bar:40.cyan/blue} {bytes}/{total_bytes}, {bytes_per_sec}, {eta} left",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.set_prefix(name.to_owned());
        self.bar = Some(bar);
    }

    fn at(&mut self, position: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(position);
        }
    }

    fn finished(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish();
        }
    }
}

/// The site a dump folder is named after (`ai.stackexchange.com`), unless `--site` says.
fn site_of(dir: &Path, site: Option<String>) -> anyhow::Result<String> {
    if let Some(site) = site {
        return Ok(site.trim().to_lowercase());
    }
    let name = dir.canonicalize().ok().and_then(|p| p.file_name().map(|n| n.to_string_lossy().to_lowercase()));
    match name {
        Some(name) if name.contains('.') && !name.contains(char::is_whitespace) => Ok(name),
        _ => anyhow::bail!(
            "{}: name the site the dump comes from with --site, e.g. --site ai.stackexchange.com",
            dir.display()
        ),
    }
}

/// Runs the import, prints the summary, rebuilds the search index.
pub fn stackexchange(config: &Config, pool: &DbPool, dir: &Path, site: Option<String>) -> anyhow::Result<()> {
    let site = site_of(dir, site)?;
    let started = Instant::now();
    let mut conn = pool.get().context("database")?;
    let summary = import::import(&mut conn, dir, &site, &mut Bars { bar: None })
        .map_err(|e| anyhow::anyhow!("importing {}: {e}", dir.display()))?;
    let seconds = started.elapsed().as_secs_f64();
    let posts = summary.questions + summary.answers;
    println!(
        "imported from {site} in {seconds:.1} s ({:.0} posts/s): {} users, {} tags, {} questions, {} answers, {} accepted \
         answers, {} comments, {} duplicates, {} watches (askers and favorites); {} rows were already imported; skipped {} tag wikis and other posts and {} \
         rows whose parent is missing",
        posts as f64 / seconds.max(0.001),
        summary.users,
        summary.tags,
        summary.questions,
        summary.answers,
        summary.accepted,
        summary.comments,
        summary.duplicates,
        summary.watches,
        summary.already_imported,
        summary.skipped_other_posts,
        summary.skipped_orphans,
    );
    super::reindex::rebuild_and_publish(config, &mut conn)
}
