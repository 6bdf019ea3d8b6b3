//! The Stack Exchange import: one pass per file, in the order their references need.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use chrono::{NaiveDateTime, Utc};

use super::batches::{each_batch, each_batch_converted, ConvertedPass};
use super::convert;
use super::dump::{DumpError, DumpReader, Row};
use super::posts::{self, PostCounts, PostsPass};
use super::Progress;
use crate::db::bulk_load::BulkLoad;
use crate::db::models::{imports, tags, watches};
use crate::db::DbConnection;
use crate::markdown::{self, SafeHtml};

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
    /// Members watching questions: each asker their own, as when asking here, and each
    /// question a member starred (Votes type 5, the only votes that name their voter).
    pub watches: u64,
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
    let load = BulkLoad::begin(conn)?;
    let outcome = import_all(conn, dir, site, progress);
    // Also after a failure: the settings go back and the indexes set aside are built.
    let ended = load.end(conn);
    let summary = outcome?;
    ended?;
    Ok(summary)
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
    each_batch(dir, "Users.xml", &["Id", "DisplayName", "CreationDate", "Reputation"], progress, |rows| {
        crate::db::write_transaction(conn, |conn| users(conn, &source, rows, &mut summary))
    })?;
    // Tag ids by name, learnt as the import goes: a few thousand at most on any site.
    let mut tag_ids = HashMap::new();
    each_batch(dir, "Tags.xml", &["TagName"], progress, |rows| {
        crate::db::write_transaction(conn, |conn| tag_names(conn, &source, &rows, &mut tag_ids, &mut summary))
    })?;
    let mut posts = PostsPass { source: &source, counts: PostCounts::default(), tag_ids };
    each_batch_converted(conn, dir, "Posts.xml", posts::ATTRIBUTES, progress, &mut posts)?;
    let mut counts = posts.counts;
    each_batch(dir, "Posts.xml", &["Id", "PostTypeId", "AcceptedAnswerId"], progress, |rows| {
        crate::db::write_transaction(conn, |conn| posts::accept(conn, &source, &rows, &mut counts))
    })?;
    let mut comments = CommentsPass { source: &source, summary: &mut summary };
    each_batch_converted(conn, dir, "Comments.xml", CommentsPass::ATTRIBUTES, progress, &mut comments)?;
    each_batch(dir, "PostLinks.xml", &["PostId", "RelatedPostId", "LinkTypeId", "CreationDate"], progress, |rows| {
        crate::db::write_transaction(conn, |conn| duplicates(conn, &source, &rows, &mut summary))
    })?;
    each_batch(dir, "Votes.xml", &["PostId", "VoteTypeId", "UserId", "CreationDate"], progress, |rows| {
        crate::db::write_transaction(conn, |conn| favorites(conn, &source, &rows, &mut summary))
    })?;
    each_batch(dir, "PostHistory.xml", &["PostHistoryTypeId", "PostId", "Comment"], progress, |rows| {
        crate::db::write_transaction(conn, |conn| close_reasons(conn, &source, &rows))
    })?;
    summary.watches += crate::db::write_transaction(conn, |conn| imports::askers_watch(conn, site))? as u64;
    crate::db::write_transaction(conn, |conn| imports::recount(conn, site))?;
    counts.add_to(&mut summary);
    Ok(summary)
}

/// The rows of a batch that an earlier run did not import, with their source ids (rows without
/// one are dropped), and how many it did import.
pub(super) fn not_yet_imported(rows: Vec<Row>, existing: &HashMap<i64, i64>) -> (Vec<(i64, Row)>, u64) {
    let mut before = 0;
    let fresh = rows
        .into_iter()
        .filter_map(|row| row.int("Id").map(|id| (id, row)))
        .filter(|(id, _)| {
            let imported = existing.contains_key(id);
            before += u64::from(imported);
            !imported
        })
        .collect();
    (fresh, before)
}

fn users(
    conn: &mut DbConnection,
    source: &Source<'_>,
    rows: Vec<Row>,
    summary: &mut Summary,
) -> Result<(), ImportError> {
    let ids: Vec<i64> = rows.iter().filter_map(|r| r.int("Id")).collect();
    let existing = imports::users_by_source(conn, source.site, &ids)?;
    let (rows, before) = not_yet_imported(rows, &existing);
    summary.already_imported += before;
    let mut fresh = Vec::with_capacity(rows.len());
    for (id, row) in rows {
        let name = row.get("DisplayName").map(str::trim).filter(|n| !n.is_empty()).unwrap_or("former member");
        let display_name: String = name.chars().take(60).collect();
        let username = convert::username(&display_name, &source.label, id);
        let created_at = row.get("CreationDate").and_then(convert::date).unwrap_or(source.now);
        let reputation = row.int("Reputation").unwrap_or(1);
        fresh.push(imports::ImportedUser { username, display_name, source_id: id, created_at, reputation });
    }
    imports::insert_users(conn, source.site, &fresh)?;
    summary.users += fresh.len() as u64;
    Ok(())
}

/// Tags.xml: every listed tag exists afterwards, and its id is noted for the posts pass.
fn tag_names(
    conn: &mut DbConnection,
    source: &Source<'_>,
    rows: &[Row],
    tag_ids: &mut HashMap<String, i64>,
    summary: &mut Summary,
) -> Result<(), ImportError> {
    for row in rows {
        let Some(name) = row.get("TagName").map(|n| n.trim().to_lowercase()).filter(|n| !n.is_empty()) else {
            continue;
        };
        let id = match tags::find_by_name(conn, &name)? {
            Some(tag) => tag.id,
            None => {
                summary.tags += 1;
                tags::find_or_create(conn, &name, source.now)?
            }
        };
        tag_ids.insert(name, id);
    }
    Ok(())
}

/// The local authors of the given source user ids, and the site's placeholder author for rows
/// whose author is not among them.
pub(super) fn authors(
    conn: &mut DbConnection,
    source: &Source<'_>,
    source_ids: &[i64],
) -> Result<(HashMap<i64, i64>, i64), ImportError> {
    let found = imports::users_by_source(conn, source.site, source_ids)?;
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
        reputation: 1,
    };
    imports::insert_users(conn, source.site, std::slice::from_ref(&user))?;
    let created = imports::users_by_source(conn, source.site, &[0])?;
    created.get(&0).copied().ok_or(ImportError::Database(diesel::result::Error::NotFound))
}

/// The Comments.xml pass: comments on imported posts, rendered like any comment.
struct CommentsPass<'p> {
    source: &'p Source<'p>,
    summary: &'p mut Summary,
}

impl CommentsPass<'_> {
    const ATTRIBUTES: &'static [&'static str] = &["Id", "PostId", "UserId", "Text", "CreationDate"];
}

impl ConvertedPass for CommentsPass<'_> {
    /// `(source id, local post, row)`.
    type Chosen = (i64, i64, Row);
    type Converted = SafeHtml;

    /// Comments an earlier run did not import, on posts that were imported.
    fn choose(&mut self, conn: &mut DbConnection, rows: Vec<Row>) -> Result<Vec<(i64, i64, Row)>, ImportError> {
        let ids: Vec<i64> = rows.iter().filter_map(|r| r.int("Id")).collect();
        let existing = imports::comments_by_source(conn, self.source.site, &ids)?;
        let post_ids: Vec<i64> = rows.iter().filter_map(|r| r.int("PostId")).collect();
        let local_posts = imports::posts_by_source(conn, self.source.site, &post_ids)?;
        let (fresh, before) = not_yet_imported(rows, &existing);
        self.summary.already_imported += before;
        let mut chosen = Vec::with_capacity(fresh.len());
        for (id, row) in fresh {
            match row.int("PostId").and_then(|p| local_posts.get(&p)) {
                Some(&post_id) => chosen.push((id, post_id, row)),
                None => self.summary.skipped_orphans += 1,
            }
        }
        Ok(chosen)
    }

    fn convert((_, _, row): &(i64, i64, Row)) -> SafeHtml {
        markdown::render_inline(row.get("Text").unwrap_or_default())
    }

    fn store(
        &mut self,
        conn: &mut DbConnection,
        chosen: Vec<(i64, i64, Row)>,
        rendered: Vec<SafeHtml>,
    ) -> Result<(), ImportError> {
        let source = self.source;
        crate::db::write_transaction(conn, |conn| {
            let author_ids: Vec<i64> = chosen.iter().filter_map(|(_, _, row)| row.int("UserId")).collect();
            let (users, placeholder) = authors(conn, source, &author_ids)?;
            let fresh: Vec<imports::ImportedComment> = chosen
                .into_iter()
                .zip(rendered)
                .map(|((id, post_id, row), html)| imports::ImportedComment {
                    source_id: id,
                    post_id,
                    author_id: row.int("UserId").and_then(|u| users.get(&u).copied()).unwrap_or(placeholder),
                    html: html.into_string(),
                    markdown: row.get("Text").unwrap_or_default().to_owned(),
                    created_at: row.get("CreationDate").and_then(convert::date).unwrap_or(source.now),
                })
                .collect();
            imports::insert_comments(conn, source.site, &fresh)?;
            self.summary.comments += fresh.len() as u64;
            Ok(())
        })
    }
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

/// Votes type 5: a member starred a question, which Guidepost keeps as the member watching it.
/// The dump's other votes are anonymous; their sum is each post's `Score`, imported with it.
fn favorites(
    conn: &mut DbConnection,
    source: &Source<'_>,
    rows: &[Row],
    summary: &mut Summary,
) -> Result<(), ImportError> {
    let stars: Vec<&Row> = rows.iter().filter(|r| r.int("VoteTypeId") == Some(5)).collect();
    let question_ids: Vec<i64> = stars.iter().filter_map(|r| r.int("PostId")).collect();
    let questions = imports::questions_by_source(conn, source.site, &question_ids)?;
    let user_ids: Vec<i64> = stars.iter().filter_map(|r| r.int("UserId")).collect();
    let users = imports::users_by_source(conn, source.site, &user_ids)?;
    let mut watching = Vec::with_capacity(stars.len());
    for star in stars {
        let user = star.int("UserId").and_then(|u| users.get(&u));
        let question = star.int("PostId").and_then(|p| questions.get(&p));
        let (Some(&user), Some(&question)) = (user, question) else {
            summary.skipped_orphans += 1;
            continue;
        };
        let at = star.get("CreationDate").and_then(convert::date).unwrap_or(source.now);
        watching.push((user, question, at));
    }
    summary.watches += watches::insert_many(conn, &watching)? as u64;
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
