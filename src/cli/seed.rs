//! `guidepost seed`: generate a deterministic synthetic site, with a progress bar, then build
//! the search index.

use std::time::Instant;

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressStyle};

use crate::config::Config;
use crate::db::DbPool;
use crate::seed::{self, SeedOptions};

/// Seeds the site and rebuilds the search index.
pub fn run(config: &Config, pool: &DbPool, options: SeedOptions) -> anyhow::Result<()> {
    let mut conn = pool.get().context("database")?;
    let bar = ProgressBar::new(options.questions).with_style(
        ProgressStyle::with_template("seeding {bar:40.cyan/blue} {pos}/{len} questions, {per_sec}, {eta} left")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let started = Instant::now();
    let summary = seed::seed(&mut conn, options, &mut |done| bar.inc(done)).context("seeding")?;
    bar.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "seeded {} questions, {} answers, {} comments, {} members and staff, {} tags in {seconds:.1} s ({:.0} questions/s)",
        summary.questions,
        summary.answers,
        summary.comments,
        summary.users,
        summary.tags,
        summary.questions as f64 / seconds.max(0.001)
    );
    super::reindex::rebuild_and_publish(config, &mut conn)
}
