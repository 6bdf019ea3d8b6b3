//! What the sitemaps list: every question that is not deleted, cut into files of at most 50,000
//! URLs, and the tag pages. Knows nothing of HTTP or XML; the web layer writes the files.
//!
//! **How questions are split.** File *n* holds the *n*-th block of 50,000 questions in id order.
//! Finding where block *n* starts needs the position of an id among the questions, which neither
//! database can look up in an index (B-trees keep no counts), and `OFFSET` would walk every entry
//! before it on every request. So a [`Plan`] is made instead: one pass over the covering index
//! `questions_by_id` numbers the questions and keeps every 50,000th id (the number of blocks
//! replaces a `COUNT(*)`, which would walk the same index), then one index range per block finds
//! its newest activity (each file's `<lastmod>`). At a million questions a plan took 0.34 s on
//! PostgreSQL and 0.55 s on SQLite (a `COUNT(*)` over the same index: 0.07 s and 0.13 s; see the
//! ignored `measure_a_million_questions` test), so a plan is kept for [`PLAN_MAX_AGE`] in a
//! [`PlanCache`], and made by one request at a time. Each file is then one keyset range of the
//! same index, read in batches: O(file) per request, the same for the last file as for the first
//! (50,000 URLs, 5.7 MB, in about 80 ms on either backend).
//!
//! Between two plans, new questions join the last block (up to the 50,000 cap; beyond it they wait
//! for the next plan) and deleted ones simply drop out of their block, so a file never changes its
//! range mid-crawl and never exceeds the cap.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use tokio::sync::Mutex;

use super::ServiceResult;
use crate::db::models::sitemaps;
/// One question's canonical address and last activity, as a sitemap lists it.
pub use crate::db::models::sitemaps::QuestionUrl;
use crate::db::DbConnection;

/// The most URLs one sitemap file may list (sitemaps.org).
pub const URLS_PER_FILE: u32 = 50_000;
/// Questions read from the database per batch while a file is written.
pub const BATCH_SIZE: i64 = 5_000;
/// How long a plan is reused.
pub const PLAN_MAX_AGE: Duration = Duration::from_secs(600);
/// The fixed pages the tags file lists before the tags: the home page and the tag index.
pub const FIXED_PAGES: [&str; 2] = ["/", "/tags"];

/// How the questions are split into files, as of one pass over the index.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    blocks: Vec<Block>,
}

/// Where one file's block starts, and its newest activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Block {
    first_id: i64,
    last_activity_at: NaiveDateTime,
}

/// The ids one questions file covers, and how many of them it may list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileRange {
    /// The file lists ids above this...
    pub after_id: i64,
    /// ...up to and including this one.
    pub through_id: i64,
    /// At most this many.
    pub limit: i64,
}

impl Plan {
    /// How many questions files there are (none on a site without questions).
    pub fn file_count(&self) -> usize {
        self.blocks.len()
    }

    /// The newest activity in each file, in file order.
    pub fn last_activity(&self) -> impl Iterator<Item = NaiveDateTime> + '_ {
        self.blocks.iter().map(|b| b.last_activity_at)
    }

    /// The newest activity on any question, if there is one.
    pub fn newest_activity(&self) -> Option<NaiveDateTime> {
        self.last_activity().max()
    }

    /// The ids file `n` (1-based) covers, or `None` when there is no such file.
    pub fn file(&self, n: usize) -> Option<FileRange> {
        let block = self.blocks.get(n.checked_sub(1)?)?;
        // Up to the next block's start (not this block's last id) so a question committed late
        // into the gap still appears; the last file is open-ended so new questions join it.
        let through_id = self.blocks.get(n).map_or(i64::MAX, |next| next.first_id - 1);
        Some(FileRange { after_id: block.first_id - 1, through_id, limit: i64::from(URLS_PER_FILE) })
    }
}

/// Makes a plan: one pass over the questions index, then one range of it per block.
pub fn plan(conn: &mut DbConnection) -> ServiceResult<Plan> {
    let starts = sitemaps::block_starts(conn, URLS_PER_FILE)?;
    let mut blocks = Vec::with_capacity(starts.len());
    for (i, &first_id) in starts.iter().enumerate() {
        let before_id = starts.get(i + 1).copied().unwrap_or(i64::MAX);
        // A block whose questions were all deleted since the pass is left out.
        if let Some(last_activity_at) = sitemaps::block_summary(conn, first_id, before_id)?.last_activity_at {
            blocks.push(Block { first_id, last_activity_at });
        }
    }
    Ok(Plan { blocks })
}

/// The next batch of a file: up to `limit` of its questions with ids above `after_id`.
pub fn question_batch(
    conn: &mut DbConnection,
    range: FileRange,
    after_id: i64,
    limit: i64,
) -> ServiceResult<Vec<QuestionUrl>> {
    Ok(sitemaps::question_urls(conn, after_id.max(range.after_id), range.through_id, limit)?)
}

/// The tags the tags file lists, most used first. A site with more tags than fit in one file
/// (50,000, less the fixed pages) lists only its most used: more would need a second tags file.
pub fn tag_names(conn: &mut DbConnection) -> ServiceResult<Vec<String>> {
    let room = i64::from(URLS_PER_FILE) - FIXED_PAGES.len() as i64;
    Ok(sitemaps::tags_in_use(conn, room)?)
}

/// This worker's latest plan and when it was made.
#[derive(Debug, Default)]
pub struct PlanCache {
    latest: Mutex<Option<(Instant, Arc<Plan>)>>,
}

impl PlanCache {
    /// The latest plan if it is younger than [`PLAN_MAX_AGE`], else one from `make`. Requests that
    /// arrive while a plan is being made wait for it instead of each making their own (a crawler
    /// may ask for many files at once).
    pub async fn get_or_make<E, F, Fut>(&self, make: F) -> Result<Arc<Plan>, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Plan, E>>,
    {
        let mut latest = self.latest.lock().await;
        if let Some((made, plan)) = latest.as_ref() {
            if made.elapsed() < PLAN_MAX_AGE {
                return Ok(Arc::clone(plan));
            }
        }
        let plan = Arc::new(make().await?);
        *latest = Some((Instant::now(), Arc::clone(&plan)));
        Ok(plan)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(first_id: i64, newest: i64) -> Block {
        let at = chrono::DateTime::from_timestamp(1_800_000_000 + newest, 0).unwrap_or_default().naive_utc();
        Block { first_id, last_activity_at: at }
    }

    #[test]
    fn files_cover_the_gaps_between_blocks_and_the_last_is_open_ended() {
        let plan = Plan { blocks: vec![block(3, 90), block(95, 200)] };
        assert_eq!(plan.file_count(), 2);
        assert_eq!(plan.file(0), None);
        assert_eq!(plan.file(1), Some(FileRange { after_id: 2, through_id: 94, limit: 50_000 }));
        assert_eq!(plan.file(2), Some(FileRange { after_id: 94, through_id: i64::MAX, limit: 50_000 }));
        assert_eq!(plan.file(3), None);
        assert_eq!(plan.newest_activity(), Some(block(95, 200).last_activity_at));
        assert_eq!(Plan::default().newest_activity(), None);
    }

    #[actix_web::test]
    async fn the_cache_makes_a_plan_once_while_it_is_fresh() {
        let cache = PlanCache::default();
        let made = std::cell::Cell::new(0);
        for _ in 0..3 {
            let plan = cache
                .get_or_make(|| async {
                    made.set(made.get() + 1);
                    Ok::<_, ()>(Plan { blocks: vec![block(1, 1)] })
                })
                .await;
            assert_eq!(plan.map(|p| p.file_count()), Ok(1));
        }
        assert_eq!(made.get(), 1);
        assert_eq!(cache.get_or_make(|| async { Err::<Plan, _>("down") }).await.map(|_| ()), Ok(()));
    }
}
