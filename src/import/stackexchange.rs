//! The Stack Exchange import: one pass per file, in the order their references need.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use chrono::{NaiveDateTime, Utc};
use diesel::RunQueryDsl;

use super::convert;
use super::dump::{DumpError, DumpReader, Row};
use super::posts::{self, PostCounts};
use super::Progress;
use crate::db::models::{imports, tags};
use crate::db::DbConnection;
use crate::markdown;

/// Rows written per transaction.
pub const BATCH: usize = 500;

/// Why an import stopped.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// A file could not be read or parsed.
    #[error("{0}")]
    Dump(#[from] DumpError),
    /// The folder lacks the one file an import cannot do without.
    #[error("{0}: no Posts.xml here; is this an extracted Stack Exchange data dump?")]
    NoPosts(String),
    /// The database refused a batch (which was rolled back).
    #[error("database: {0}")]
    Database(#[from] diesel::result::Error),
}

/// What an import did, file by file.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    /// Authors created.
    pub users: u64,
    /// Tags listed in Tags.xml and created.
    pub tags: u64,
    /// Questions created.
    pub questions: u64,
    /// Answers created.
    pub answers: u64,
    /// Accepted answers marked.
    pub accepted: u64,
    /// Comments created.
    pub comments: u64,
    /// Questions closed as duplicates (PostLinks type 3).
    pub duplicates: u64,
    /// Rows already imported before (a re-run), left alone.
    pub already_imported: u64,
    /// Tag wikis, excerpts, moderator nominations and other non-question posts, skipped.
    pub skipped_other_posts: u64,
    /// Rows pointing to a missing parent (answers, comments, links), skipped.
    pub skipped_orphans: u64,
}

/// Everything a pass needs to know about the source.
pub(super) struct Source<'a> {
    pub site: &'a str,
    pub label: String,
    pub now: NaiveDateTime,
}

/// Imports the dump in `dir`, attributing it to `site` (e.g. `ai.stackexchange.com`).
pub fn import(
    conn: &mut DbConnection,
    dir: &Path,
    site: &str,
    progress: &mut dyn Progress,
) -> Result<Summary, ImportError> {
    // Each batch's commit would otherwise wait for the disk at every WAL checkpoint. A crash
    // mid-import may lose the last batches, never corrupt the file, and an import interrupted
    // for any reason is finished by running it again; a failed batch still rolls back.
    let relaxed = matches!(conn, DbConnection::Sqlite(_));
    if relaxed {
        diesel::sql_query("PRAGMA synchronous = OFF").execute(conn)?;
    }
    let outcome = import_all(conn, dir, site, progress);
    if relaxed {
        diesel::sql_query("PRAGMA synchronous = NORMAL").execute(conn)?;
    }
    outcome
}

fn import_all(
    conn: &mut DbConnection,
    dir: &Path,
    site: &str,
    progress: &mut dyn Progress,
) -> Result<Summary, ImportError> {
    let source = Source { site, label: convert::site_label(site), now: Utc::now().naive_utc() };
    let mut summary = Summary::default();
    if DumpReader::open(dir, "Posts.xml")?.is_none() {
        return Err(ImportError::NoPosts(dir.display().to_string()));
    }
    each_batch(dir, "Users.xml", &["Id", "DisplayName", "CreationDate"], progress, |rows| {
        crate::db::write_transaction(conn, |conn| users(conn, &source, rows, &mut summary))
    })?;
    each_batch(dir, "Tags.xml", &["TagName"], progress, |rows| {
        crate::db::write_transaction(conn, |conn| tag_names(conn, &source, rows, &mut summary))
    })?;
    let mut counts = PostCounts::default();
    // Tag ids by name, learnt as the import goes: a few thousand at most on any site.
    let mut tag_ids = HashMap::new();
    each_batch(dir, "Posts.xml", posts::ATTRIBUTES, progress, |rows| {
        posts::write(conn, &source, rows, &mut counts, &mut tag_ids)
    })?;
    each_batch(dir, "Posts.xml", &["Id", "PostTypeId", "AcceptedAnswerId"], progress, |rows| {
        crate::db::write_transaction(conn, |conn| posts::accept(conn, &source, rows, &mut counts))
    })?;
    each_batch(dir, "Comments.xml", &["Id", "PostId", "UserId", "Text", "CreationDate"], progress, |rows| {
        crate::db::write_transaction(conn, |conn| comments(conn, &source, rows, &mut summary))
    })?;
    each_batch(dir, "PostLinks.xml", &["PostId", "RelatedPostId", "LinkTypeId", "CreationDate"], progress, |rows| {
        crate::db::write_transaction(conn, |conn| duplicates(conn, &source, rows, &mut summary))
    })?;
    each_batch(dir, "PostHistory.xml", &["PostHistoryTypeId", "PostId", "Comment"], progress, |rows| {
        crate::db::write_transaction(conn, |conn| close_reasons(conn, &source, rows))
    })?;
    crate::db::write_transaction(conn, |conn| imports::recount(conn, site))?;
    crate::db::analyze_after_bulk_load(conn)?;
    counts.add_to(&mut summary);
    Ok(summary)
}

/// Reads `name` (if present) in batches of [`BATCH`] rows, each row with only the attributes
/// `keep` names, handing each batch to `write`.
fn each_batch<F>(
    dir: &Path,
    name: &str,
    keep: &'static [&'static str],
    progress: &mut dyn Progress,
    mut write: F,
) -> Result<(), ImportError>
where
    F: FnMut(&[Row]) -> Result<(), ImportError>,
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
            write(&batch)?;
            batch.clear();
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

/// The rows (with their source ids) that an earlier run did not import; the others are counted.
fn not_yet_imported<'r>(rows: &'r [Row], existing: &HashMap<i64, i64>, summary: &mut Summary) -> Vec<(i64, &'r Row)> {
    let fresh: Vec<(i64, &Row)> = rows
        .iter()
        .filter_map(|row| row.int("Id").map(|id| (id, row)))
        .filter(|(id, _)| !existing.contains_key(id))
        .collect();
    summary.already_imported += (rows.iter().filter(|r| r.int("Id").is_some()).count() - fresh.len()) as u64;
    fresh
}

fn users(conn: &mut DbConnection, source: &Source<'_>, rows: &[Row], summary: &mut Summary) -> Result<(), ImportError> {
    let ids: Vec<i64> = rows.iter().filter_map(|r| r.int("Id")).collect();
    let existing = imports::users_by_source(conn, source.site, &ids)?;
    let mut fresh = Vec::with_capacity(rows.len());
    for (id, row) in not_yet_imported(rows, &existing, summary) {
        let name = row.get("DisplayName").map(str::trim).filter(|n| !n.is_empty()).unwrap_or("former member");
        let display_name: String = name.chars().take(60).collect();
        let username = convert::username(&display_name, &source.label, id);
        let created_at = row.get("CreationDate").and_then(convert::date).unwrap_or(source.now);
        fresh.push(imports::ImportedUser { username, display_name, source_id: id, created_at });
    }
    imports::insert_users(conn, source.site, &fresh)?;
    summary.users += fresh.len() as u64;
    Ok(())
}

fn tag_names(
    conn: &mut DbConnection,
    source: &Source<'_>,
    rows: &[Row],
    summary: &mut Summary,
) -> Result<(), ImportError> {
    for row in rows {
        let Some(name) = row.get("TagName").map(|n| n.trim().to_lowercase()).filter(|n| !n.is_empty()) else {
            continue;
        };
        if tags::find_by_name(conn, &name)?.is_none() {
            tags::find_or_create(conn, &name, source.now)?;
            summary.tags += 1;
        }
    }
    Ok(())
}

/// The local author of a row (by `UserId` or `OwnerUserId`), or the site's placeholder author.
pub(super) fn authors(
    conn: &mut DbConnection,
    source: &Source<'_>,
    rows: &[Row],
    attribute: &str,
) -> Result<(HashMap<i64, i64>, i64), ImportError> {
    let ids: Vec<i64> = rows.iter().filter_map(|r| r.int(attribute)).collect();
    let found = imports::users_by_source(conn, source.site, &ids)?;
    Ok((found, placeholder_author(conn, source)?))
}

/// The author of rows whose author left the source site (no user row): one per site.
fn placeholder_author(conn: &mut DbConnection, source: &Source<'_>) -> Result<i64, ImportError> {
    // Source id 0 is never a real account on Stack Exchange (-1 is the Community bot).
    if let Some(id) = imports::users_by_source(conn, source.site, &[0])?.get(&0) {
        return Ok(*id);
    }
    let user = imports::ImportedUser {
        username: convert::username("former member", &source.label, 0),
        display_name: "former member".to_owned(),
        source_id: 0,
        created_at: source.now,
    };
    imports::insert_users(conn, source.site, std::slice::from_ref(&user))?;
    let created = imports::users_by_source(conn, source.site, &[0])?;
    created.get(&0).copied().ok_or(ImportError::Database(diesel::result::Error::NotFound))
}

fn comments(
    conn: &mut DbConnection,
    source: &Source<'_>,
    rows: &[Row],
    summary: &mut Summary,
) -> Result<(), ImportError> {
    let ids: Vec<i64> = rows.iter().filter_map(|r| r.int("Id")).collect();
    let existing = imports::comments_by_source(conn, source.site, &ids)?;
    let post_ids: Vec<i64> = rows.iter().filter_map(|r| r.int("PostId")).collect();
    let local_posts = imports::posts_by_source(conn, source.site, &post_ids)?;
    let (users, placeholder) = authors(conn, source, rows, "UserId")?;
    let mut kept = Vec::with_capacity(rows.len());
    for (id, row) in not_yet_imported(rows, &existing, summary) {
        match row.int("PostId").and_then(|p| local_posts.get(&p)) {
            Some(&post_id) => kept.push((id, post_id, row)),
            None => summary.skipped_orphans += 1,
        }
    }
    let rendered =
        super::in_parallel(&kept, |(_, _, row)| markdown::render_inline(row.get("Text").unwrap_or_default()));
    let mut fresh = Vec::with_capacity(kept.len());
    for ((id, post_id, row), html) in kept.into_iter().zip(rendered) {
        fresh.push(imports::ImportedComment {
            source_id: id,
            post_id,
            author_id: row.int("UserId").and_then(|u| users.get(&u).copied()).unwrap_or(placeholder),
            html: html.into_string(),
            markdown: row.get("Text").unwrap_or_default().to_owned(),
            created_at: row.get("CreationDate").and_then(convert::date).unwrap_or(source.now),
        });
    }
    imports::insert_comments(conn, source.site, &fresh)?;
    summary.comments += fresh.len() as u64;
    Ok(())
}

/// PostLinks type 3: the post is a duplicate of the related post.
fn duplicates(
    conn: &mut DbConnection,
    source: &Source<'_>,
    rows: &[Row],
    summary: &mut Summary,
) -> Result<(), ImportError> {
    let links: Vec<&Row> = rows.iter().filter(|r| r.int("LinkTypeId") == Some(3)).collect();
    let ids: Vec<i64> = links.iter().flat_map(|r| [r.int("PostId"), r.int("RelatedPostId")]).flatten().collect();
    let local = imports::posts_by_source(conn, source.site, &ids)?;
    let mut seen = HashSet::new();
    for link in links {
        let pair =
            (link.int("PostId").and_then(|p| local.get(&p)), link.int("RelatedPostId").and_then(|p| local.get(&p)));
        let (Some(&duplicate), Some(&canonical)) = pair else {
            summary.skipped_orphans += 1;
            continue;
        };
        if duplicate == canonical || !seen.insert(duplicate) {
            continue;
        }
        let at = link.get("CreationDate").and_then(convert::date).unwrap_or(source.now);
        if imports::close_as_duplicate(conn, duplicate, canonical, at)? {
            summary.duplicates += 1;
        }
    }
    Ok(())
}

/// PostHistory type 10 (closed): the close reason of questions still closed.
fn close_reasons(conn: &mut DbConnection, source: &Source<'_>, rows: &[Row]) -> Result<(), ImportError> {
    let closings: Vec<&Row> = rows.iter().filter(|r| r.int("PostHistoryTypeId") == Some(10)).collect();
    let ids: Vec<i64> = closings.iter().filter_map(|r| r.int("PostId")).collect();
    let local = imports::posts_by_source(conn, source.site, &ids)?;
    for row in closings {
        if let Some(&question) = row.int("PostId").and_then(|p| local.get(&p)) {
            imports::set_close_reason(conn, question, convert::close_reason(row.int("Comment")))?;
        }
    }
    Ok(())
}
