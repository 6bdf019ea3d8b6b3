//! `guidepost badges [--all]`: run the badge job once, now: first the votes whose reputation waits
//! (applying them leaves the badge checks of the answers voted on), then the waiting checks (or,
//! with `--all`, every member and answer from scratch, as after an import), then every tag's
//! community experts.

use std::time::Instant;

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressStyle};

use crate::config::Config;
use crate::db::models::{badges as badge_rows, reputation_queue};
use crate::db::{DbConnection, DbPool};
use crate::services::badges;
use crate::services::reputation::{self, Rules};
use crate::site_settings::LiveSettings;

/// A progress bar of `total` `unit` for `what`.
fn bar(what: &str, total: u64, unit: &str) -> ProgressBar {
    ProgressBar::new(total).with_style(
        ProgressStyle::with_template(&format!(
            "{what} {{bar:40.cyan/blue}} {{pos}}/{{len}} {unit}, {{per_sec}}, {{eta}} left"
        ))
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    )
}

/// Applies the votes whose reputation waits, under the site's daily cap.
fn apply_votes(config: &Config, conn: &mut DbConnection, now: chrono::NaiveDateTime) -> anyhow::Result<()> {
    let settings = LiveSettings::new(config);
    settings.reload(conn).context("reading the site settings")?;
    let rules = Rules { daily_cap: settings.current().moderation.reputation_daily_cap };
    let waiting = u64::try_from(reputation_queue::pending(conn).context("counting votes")?).unwrap_or(0);
    let progress = bar("reputation", waiting, "votes");
    let applied = reputation::queue::apply_pending(conn, rules, now, &mut |done| progress.inc(done));
    progress.finish_and_clear();
    let applied = applied.map_err(|e| anyhow::anyhow!("applying votes' reputation: {e}"))?;
    if applied > 0 {
        println!("applied the reputation of {applied} votes");
    }
    Ok(())
}

/// Runs the job once and says what it did.
pub fn run(config: &Config, pool: &DbPool, all: bool) -> anyhow::Result<()> {
    let mut conn = pool.get().context("database")?;
    let started = Instant::now();
    let now = chrono::Utc::now().naive_utc();
    apply_votes(config, &mut conn, now)?;
    let (total, unit) = if all {
        (badges::member_count(&mut conn).context("counting members")?, "members")
    } else {
        (u64::try_from(badge_rows::pending_checks(&mut conn).context("counting checks")?).unwrap_or(0), "checks")
    };
    let progress = bar("badges", total, unit);
    let outcome = if all {
        badges::recheck_all(&mut conn, now, &mut |done| progress.inc(done))
    } else {
        badges::run(&mut conn, now, true, &mut |done| progress.inc(done))
    };
    let summary = match outcome {
        Ok(summary) => summary,
        Err(e) => {
            progress.abandon();
            return Err(anyhow::anyhow!("awarding badges: {e}"));
        }
    };
    progress.finish_and_clear();
    println!(
        "checked {} {unit}, awarded {} badges, stored {} community expert standings in {:.1} s",
        summary.checked,
        summary.awarded,
        summary.experts,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
