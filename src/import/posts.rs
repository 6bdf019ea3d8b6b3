//! Posts.xml: questions and answers with their attribution, then accepted answers.
//!
//! Converting HTML to Markdown and rendering it back is the costly part of an import, so each
//! batch is converted on every core before its transaction starts.

use std::collections::HashMap;

use diesel::prelude::*;

use super::convert;
use super::dump::Row;
use super::stackexchange::{authors, ImportError, Source, Summary};
use crate::db::models::imports::{self, ImportedPost, PostSourceOwned};
use crate::db::models::revisions::{self, NewRevision};
use crate::db::models::tags;
use crate::db::DbConnection;
use crate::markdown::{self, MarkdownOptions};
use crate::services::questions::slugify;

/// The Posts.xml attributes the first pass reads.
pub(super) const ATTRIBUTES: &[&str] = &[
    "Id",
    "PostTypeId",
    "ParentId",
    "OwnerUserId",
    "OwnerDisplayName",
    "CreationDate",
    "Title",
    "Tags",
    "Body",
    "Score",
    "ViewCount",
    "LastEditDate",
    "LastActivityDate",
    "ClosedDate",
    "ContentLicense",
];

/// Counts of the Posts.xml passes.
#[derive(Debug, Default)]
pub(super) struct PostCounts {
    questions: u64,
    answers: u64,
    accepted: u64,
    already_imported: u64,
    other: u64,
    orphans: u64,
}

impl PostCounts {
    pub(super) fn add_to(&self, summary: &mut Summary) {
        summary.questions += self.questions;
        summary.answers += self.answers;
        summary.accepted += self.accepted;
        summary.already_imported += self.already_imported;
        summary.skipped_other_posts += self.other;
        summary.skipped_orphans += self.orphans;
    }
}

/// A body converted for storage: the Markdown source and its sanitised rendering.
struct Body {
    markdown: String,
    html: String,
}

fn convert_bodies(rows: &[&Row]) -> Vec<Body> {
    super::in_parallel(rows, |row| {
        let markdown = convert::body_to_markdown(row.get("Body").unwrap_or_default());
        // Imported images keep showing when they are https, like images in new posts.
        let html = markdown::render_post(&markdown, &MarkdownOptions { allow_images: true }).into_string();
        Body { markdown, html }
    })
}

/// Writes one batch of Posts.xml rows: questions first, so answers in the same batch find them.
pub(super) fn write(
    conn: &mut DbConnection,
    source: &Source<'_>,
    rows: &[Row],
    counts: &mut PostCounts,
    tag_ids: &mut HashMap<String, i64>,
) -> Result<(), ImportError> {
    let kind_of = |r: &Row| r.int("PostTypeId");
    let questions: Vec<&Row> = rows.iter().filter(|r| kind_of(r) == Some(1)).collect();
    let answers: Vec<&Row> = rows.iter().filter(|r| kind_of(r) == Some(2)).collect();
    counts.other += (rows.len() - questions.len() - answers.len()) as u64;
    let ordered: Vec<&Row> = questions.iter().chain(answers.iter()).copied().collect();
    let ids: Vec<i64> = ordered.iter().filter_map(|r| r.int("Id")).collect();
    // Skip converting what a previous run already imported.
    let existing = imports::posts_by_source(conn, source.site, &ids)?;
    let fresh: Vec<&Row> =
        ordered.into_iter().filter(|r| r.int("Id").is_some_and(|id| !existing.contains_key(&id))).collect();
    counts.already_imported += existing.len() as u64;
    let bodies = convert_bodies(&fresh);
    crate::db::write_transaction(conn, |conn| {
        let (users, placeholder) = authors(conn, source, rows, "OwnerUserId")?;
        let mut author_ids: Vec<i64> = users.values().copied().chain([placeholder]).collect();
        author_ids.sort_unstable();
        author_ids.dedup();
        let names: HashMap<i64, String> = crate::db::schema::users::table
            .filter(crate::db::schema::users::id.eq_any(&author_ids))
            .select((crate::db::schema::users::id, crate::db::schema::users::display_name))
            .load::<(i64, String)>(conn)?
            .into_iter()
            .collect();
        // Parents written by earlier batches, then (below) those written by this one.
        let parent_ids: Vec<i64> = fresh.iter().filter_map(|r| r.int("ParentId")).collect();
        let mut parents = imports::posts_by_source(conn, source.site, &parent_ids)?;
        // Tag counts are added once per batch, not once per question; attributions, taggings and
        // first revisions go many rows a statement once the batch's posts have their ids.
        let mut tag_counts: HashMap<i64, i32> = HashMap::new();
        let mut sources = Vec::with_capacity(fresh.len());
        let mut taggings = Vec::new();
        let mut first_revisions = Vec::with_capacity(fresh.len());
        for (row, body) in fresh.iter().zip(&bodies) {
            let Some(id) = row.int("Id") else { continue };
            let is_question = kind_of(row) == Some(1);
            let question_id = if is_question {
                None
            } else {
                match row.int("ParentId").and_then(|parent| parents.get(&parent)) {
                    Some(&local) => Some(local),
                    None => {
                        counts.orphans += 1;
                        continue;
                    }
                }
            };
            let author = row.int("OwnerUserId").and_then(|u| users.get(&u).copied()).unwrap_or(placeholder);
            let created = row.get("CreationDate").and_then(convert::date).unwrap_or(source.now);
            let title = row.get("Title").map(str::trim).unwrap_or_default();
            let slug = slugify(title);
            let tag_names = convert::tags(row.get("Tags").unwrap_or_default());
            let tag_text = tag_names.join(" ");
            let closed_at = row.get("ClosedDate").and_then(convert::date);
            let post = ImportedPost {
                kind: if is_question { "question" } else { "answer" },
                question_id,
                author_id: author,
                title: is_question.then_some(title),
                slug: is_question.then_some(slug.as_str()),
                tags: is_question.then_some(tag_text.as_str()),
                body_markdown: &body.markdown,
                body_html: &body.html,
                score: row.int("Score").and_then(|s| i32::try_from(s).ok()).unwrap_or(0),
                view_count: row.int("ViewCount").unwrap_or(0),
                created_at: created,
                edited_at: row.get("LastEditDate").and_then(convert::date),
                last_activity_at: row.get("LastActivityDate").and_then(convert::date).unwrap_or(created),
                closed_at,
                close_reason: closed_at.map(|_| "off-topic"),
            };
            let author_name = row
                .get("OwnerDisplayName")
                .map(str::to_owned)
                .or_else(|| names.get(&author).cloned())
                .unwrap_or_else(|| "former member".to_owned());
            let url = format!("https://{}/{}/{id}", source.site, if is_question { "q" } else { "a" });
            let attribution = PostSourceOwned {
                site: source.site.to_owned(),
                source_id: id,
                url,
                author_name,
                license: convert::license(row.get("ContentLicense")),
            };
            let local = imports::insert_post(conn, &post)?;
            sources.push((local, attribution));
            if is_question {
                parents.insert(id, local);
                for name in &tag_names {
                    let tag_id = match tag_ids.get(name) {
                        Some(&known) => known,
                        None => {
                            let created_tag = tags::find_or_create(conn, name, created)?;
                            tag_ids.insert(name.clone(), created_tag);
                            created_tag
                        }
                    };
                    taggings.push((local, tag_id));
                    *tag_counts.entry(tag_id).or_default() += 1;
                }
                counts.questions += 1;
            } else {
                counts.answers += 1;
            }
            let revised = post.edited_at.unwrap_or(created);
            first_revisions.push((
                local,
                author,
                is_question.then_some(title),
                is_question.then_some(tag_text),
                revised,
            ));
        }
        imports::insert_sources(conn, &sources)?;
        imports::tag_questions(conn, &taggings)?;
        let first_revisions: Vec<NewRevision<'_>> = first_revisions
            .iter()
            .map(|(post_id, editor_id, title, tags, created_at)| NewRevision {
                post_id: *post_id,
                editor_id: *editor_id,
                title: *title,
                tags: tags.as_deref(),
                // Shares the post's text (see `models::revisions`).
                body_markdown: None,
                reason: Some("imported"),
                created_at: *created_at,
            })
            .collect();
        revisions::insert_many(conn, &first_revisions)?;
        for (tag_id, added) in tag_counts {
            imports::count_tag(conn, tag_id, added)?;
        }
        Ok::<_, ImportError>(())
    })
}

/// The second pass: `AcceptedAnswerId` of questions, now that every answer exists.
pub(super) fn accept(
    conn: &mut DbConnection,
    source: &Source<'_>,
    rows: &[Row],
    counts: &mut PostCounts,
) -> Result<(), ImportError> {
    let pairs: Vec<(i64, i64)> = rows
        .iter()
        .filter(|r| r.int("PostTypeId") == Some(1))
        .filter_map(|r| Some((r.int("Id")?, r.int("AcceptedAnswerId")?)))
        .collect();
    let ids: Vec<i64> = pairs.iter().flat_map(|(q, a)| [*q, *a]).collect();
    let local = imports::posts_by_source(conn, source.site, &ids)?;
    for (question, answer) in pairs {
        match (local.get(&question), local.get(&answer)) {
            (Some(&q), Some(&a)) => {
                if imports::set_accepted(conn, q, a)? {
                    counts.accepted += 1;
                }
            }
            _ => counts.orphans += 1,
        }
    }
    Ok(())
}
