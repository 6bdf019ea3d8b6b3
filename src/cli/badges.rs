//! `guidepost badges [--all]`: run the badge job once, now: the waiting checks (or, with `--all`,
//! every member and answer from scratch, as after an import), then every tag's community experts.

use std::time::Instant;

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressStyle};

use crate::db::models::badges as badge_rows;
use crate::db::DbPool;
use crate::services::badges;

/// Runs the job once and says what it did.
pub fn run(pool: &DbPool, all: bool) -> anyhow::Result<()> {
    let mut conn = pool.get().context("database")?;
    let started = Instant::now();
    let now = chrono::Utc::now().naive_utc();
    let (total, unit) = if all {
        (badges::member_count(&mut conn).context("counting members")?, "members")
    } else {
        (u64::try_from(badge_rows::pending_checks(&mut conn).context("counting checks")?).unwrap_or(0), "checks")
    };
    let bar = ProgressBar::new(total).with_style(
        ProgressStyle::with_template(&format!(
            "badges {{bar:40.cyan/blue}} {{pos}}/{{len}} {unit}, {{per_sec}}, {{eta}} left"
        ))
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let outcome = if all {
        badges::recheck_all(&mut conn, now, &mut |done| bar.inc(done))
    } else {
        badges::run(&mut conn, now, true, &mut |done| bar.inc(done))
    };
    let summary = match outcome {
        Ok(summary) => summary,
        Err(e) => {
            bar.abandon();
            return Err(anyhow::anyhow!("awarding badges: {e}"));
        }
    };
    bar.finish_and_clear();
    println!(
        "checked {} {unit}, awarded {} badges, stored {} community expert standings in {:.1} s",
        summary.checked,
        summary.awarded,
        summary.experts,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
