//! Polling listening posts, politely: each feed at its own interval, with a conditional GET (the
//! last answer's ETag and Last-Modified sent back, a 304 read as "nothing new"), a size cap, the
//! outbound client's address rules, and a wait that doubles with each failure in a row. Every node
//! runs the loop; a feed is claimed before it is fetched, so one node polls it.

use std::time::Duration;

use chrono::{NaiveDateTime, TimeDelta};
use guidepost_search::KeywordRule;

use super::items::{self, ReadFeed};
use crate::db::models::listening::{self, Feed, NewItem, Polled};
use crate::db::{write_transaction, DbConnection, DbPool};
use crate::periodic::PeriodicTask;
use crate::services::ServiceResult;
use crate::webhooks::{FeedAnswer, OutboundClient, Validators};

/// How often each node looks for feeds that are due.
const TICK: Duration = Duration::from_secs(60);
/// How long a claim holds a feed: far longer than a fetch may take (10 s at most).
const CLAIM_MINUTES: i64 = 5;
/// The longest wait after failures.
const MAX_BACKOFF_MINUTES: i64 = 24 * 60;
/// Feeds one node polls in one tick; the rest wait for the next.
const FEEDS_PER_TICK: usize = 20;
/// Days a handled item is kept.
pub const HANDLED_DAYS: i64 = 180;

/// What one poll came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PollOutcome {
    /// 304: unchanged since the last full answer.
    NotModified,
    /// Read: items in the feed, items matching a rule, and of those, items not kept before.
    Read {
        /// Items in the feed.
        items: usize,
        /// Items matching a rule.
        matched: usize,
        /// Matching items new to the queue.
        new: usize,
    },
    /// Fetching or reading failed; the next try waits longer.
    Failed(String),
}

impl PollOutcome {
    /// The outcome in words, as the feed list shows it.
    pub fn describe(&self) -> String {
        match self {
            PollOutcome::NotModified => "unchanged (304)".to_owned(),
            PollOutcome::Read { items, matched, new } => {
                format!("{items} items read, {matched} matching, {new} new")
            }
            PollOutcome::Failed(reason) => format!("failed: {reason}"),
        }
    }
}

/// The feed's rules, one per line; lines that no longer parse are skipped (each was checked
/// when added).
pub fn rules_of(feed: &Feed) -> Vec<KeywordRule> {
    feed.rules.lines().filter_map(|line| KeywordRule::parse(line).ok()).collect()
}

/// A feed fetched and read, not yet kept.
#[derive(Debug)]
pub enum Fetched {
    /// 304.
    Unchanged,
    /// Read, with the validators to send next time.
    Read {
        /// The feed.
        feed: ReadFeed,
        /// Its `ETag`.
        etag: Option<String>,
        /// Its `Last-Modified`.
        last_modified: Option<String>,
    },
    /// Fetching or reading failed, in words.
    Failed(String),
}

/// Fetches and reads `feed`: the network and the parsing, outside any transaction and without a
/// database connection.
pub fn fetch(client: &OutboundClient, feed: &Feed) -> Fetched {
    let validators = Validators { etag: feed.etag.clone(), last_modified: feed.last_modified.clone() };
    match client.get_feed(&feed.url, &validators) {
        Ok(FeedAnswer::NotModified) => Fetched::Unchanged,
        Ok(FeedAnswer::Fetched { body, etag, last_modified }) => match items::read(&body) {
            Ok(read) => Fetched::Read { feed: read, etag, last_modified },
            Err(reason) => Fetched::Failed(reason),
        },
        Err(e) => Fetched::Failed(e.to_string()),
    }
}

/// [`fetch`]es `feed` now and [`record`]s what came of it.
pub fn poll_feed(
    conn: &mut DbConnection,
    client: &OutboundClient,
    feed: &Feed,
    now: NaiveDateTime,
) -> ServiceResult<PollOutcome> {
    let fetched = fetch(client, feed);
    record(conn, feed, fetched, now)
}

/// Keeps the new matching items of what was fetched and records the outcome and when the feed is
/// due again, in one transaction.
pub fn record(
    conn: &mut DbConnection,
    feed: &Feed,
    fetched: Fetched,
    now: NaiveDateTime,
) -> ServiceResult<PollOutcome> {
    let rules = rules_of(feed);
    write_transaction(conn, |conn| {
        let kept = (feed.etag.clone(), feed.last_modified.clone());
        let (outcome, (etag, last_modified)) = match fetched {
            Fetched::Unchanged => (PollOutcome::NotModified, kept),
            Fetched::Read { feed: read, etag, last_modified } => {
                name_after_title(conn, feed, &read)?;
                (keep_matches(conn, feed.id, &rules, &read, now)?, (etag, last_modified))
            }
            Fetched::Failed(reason) => (PollOutcome::Failed(reason), kept),
        };
        let failed = matches!(outcome, PollOutcome::Failed(_));
        let failures = if failed { feed.failures.saturating_add(1) } else { 0 };
        let described = outcome.describe();
        listening::record_poll(
            conn,
            feed.id,
            &Polled {
                etag: etag.as_deref(),
                last_modified: last_modified.as_deref(),
                next_poll_at: now + wait_after(feed.interval_minutes, failures),
                polled_at: Some(now),
                last_outcome: Some(&described),
                failures,
            },
        )?;
        if failed {
            tracing::info!(feed = feed.id, failures, outcome = %described, "a listening post's poll failed");
        }
        Ok(outcome)
    })
}

/// A feed staff left unnamed (named after its host) takes the title the feed gives itself.
fn name_after_title(conn: &mut DbConnection, feed: &Feed, read: &ReadFeed) -> ServiceResult<()> {
    let host = url::Url::parse(&feed.url).ok().and_then(|url| url.host_str().map(str::to_owned));
    if let (Some(title), Some(host)) = (&read.title, host) {
        if feed.name == host && *title != feed.name {
            listening::rename_feed(conn, feed.id, &items::cut(title, 100))?;
        }
    }
    Ok(())
}

/// Keeps the items of `read` that match any rule; counts what it saw.
fn keep_matches(
    conn: &mut DbConnection,
    feed_id: i64,
    rules: &[KeywordRule],
    read: &ReadFeed,
    now: NaiveDateTime,
) -> ServiceResult<PollOutcome> {
    let (mut matched, mut new) = (0, 0);
    for item in &read.items {
        let terms = guidepost_search::analyzer::analyze(&item.text);
        if !rules.iter().any(|rule| rule.matches_terms(&terms)) {
            continue;
        }
        matched += 1;
        let kept = NewItem {
            key: &item.key,
            link: item.link.as_deref(),
            title: &item.title,
            excerpt: &item.excerpt,
            author: item.author.as_deref(),
            published_at: item.published_at,
        };
        if listening::insert_item(conn, feed_id, &kept, now)? {
            new += 1;
        }
    }
    Ok(PollOutcome::Read { items: read.items.len(), matched, new })
}

/// The wait before the next poll: the feed's interval, doubled for each failure in a row, at
/// most a day (a feed polled more rarely than daily keeps its own interval).
pub fn wait_after(interval_minutes: i32, failures: i32) -> TimeDelta {
    let interval = i64::from(interval_minutes.max(1));
    let doubled = interval.saturating_mul(1_i64 << failures.clamp(0, 16));
    TimeDelta::minutes(if failures == 0 { interval } else { doubled.min(MAX_BACKOFF_MINUTES.max(interval)) })
}

/// Polls the feeds due at `now` (at most [`FEEDS_PER_TICK`]), each claimed first; returns how
/// many this node polled.
pub fn poll_due(conn: &mut DbConnection, client: &OutboundClient, now: NaiveDateTime) -> ServiceResult<usize> {
    let mut polled = 0;
    for _ in 0..FEEDS_PER_TICK {
        let Some(feed) = listening::next_due(conn, now)? else { break };
        let hold = now + TimeDelta::minutes(CLAIM_MINUTES);
        let claimed = write_transaction(conn, |conn| listening::claim(conn, feed.id, feed.next_poll_at, hold))?;
        if claimed {
            poll_feed(conn, client, &feed, now)?;
            polled += 1;
        }
    }
    let before = now - TimeDelta::days(HANDLED_DAYS);
    write_transaction(conn, |conn| listening::delete_handled_before(conn, before))?;
    Ok(polled)
}

/// Starts each node's polling loop.
pub fn start(pool: DbPool, client: OutboundClient) -> PeriodicTask {
    PeriodicTask::start("listening posts", TICK, move || {
        let mut conn = pool.get().map_err(|e| e.to_string())?;
        let polled = poll_due(&mut conn, &client, chrono::Utc::now().naive_utc()).map_err(|e| e.to_string())?;
        if polled > 0 {
            tracing::debug!(polled, "listening posts polled");
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::wait_after;

    #[test]
    fn failures_double_the_wait_up_to_a_day() {
        assert_eq!(wait_after(30, 0).num_minutes(), 30);
        assert_eq!(wait_after(30, 1).num_minutes(), 60);
        assert_eq!(wait_after(30, 3).num_minutes(), 240);
        assert_eq!(wait_after(30, 40).num_minutes(), 24 * 60);
        assert_eq!(wait_after(2 * 24 * 60, 2).num_minutes(), 2 * 24 * 60);
    }
}
