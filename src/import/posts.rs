//! Posts.xml: questions and answers with their attribution, then accepted answers.
//!
//! Converting HTML to Markdown and rendering it back is the costly part of an import, so each
//! batch is converted on every core while the one before it is written (see `batches`).

use std::collections::HashMap;

use diesel::prelude::*;

use super::batches::ConvertedPass;
use super::convert;
use super::dump::Row;
use super::stackexchange::{authors, not_yet_imported, ImportError, Source, Summary};
use crate::db::models::imports::{self, ImportedPost, PostSourceOwned};
use crate::db::models::revisions::{self, NewRevision};
use crate::db::models::tags;
use crate::db::DbConnection;
use crate::domain::{CloseReason, PostKind};
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
pub(super) struct Body {
    markdown: String,
    html: String,
}

/// The first Posts.xml pass: questions and answers with their attribution, tags and first
/// revisions.
pub(super) struct PostsPass<'p> {
    pub source: &'p Source<'p>,
    pub counts: PostCounts,
    /// Tag ids by name, from Tags.xml and learnt as the import goes.
    pub tag_ids: HashMap<String, i64>,
}

impl ConvertedPass for PostsPass<'_> {
    type Chosen = Row;
    type Converted = Body;

    /// Questions first, so answers in the same batch find them; without what an earlier run
    /// imported (its bodies are not converted again).
    fn choose(&mut self, conn: &mut DbConnection, rows: Vec<Row>) -> Result<Vec<Row>, ImportError> {
        let total = rows.len();
        let (questions, rest): (Vec<Row>, Vec<Row>) = rows.into_iter().partition(|r| r.int("PostTypeId") == Some(1));
        let answers: Vec<Row> = rest.into_iter().filter(|r| r.int("PostTypeId") == Some(2)).collect();
        self.counts.other += (total - questions.len() - answers.len()) as u64;
        let ordered: Vec<Row> = questions.into_iter().chain(answers).collect();
        let ids: Vec<i64> = ordered.iter().filter_map(|r| r.int("Id")).collect();
        let existing = imports::posts_by_source(conn, self.source.site, &ids)?;
        let (fresh, before) = not_yet_imported(ordered, &existing);
        self.counts.already_imported += before;
        Ok(fresh.into_iter().map(|(_, row)| row).collect())
    }

    fn convert(row: &Row) -> Body {
        let markdown = convert::body_to_markdown(row.get("Body").unwrap_or_default());
        // Imported images keep showing when they are https, like images in new posts.
        let html = markdown::render_post(&markdown, &MarkdownOptions { allow_images: true }).into_string();
        Body { markdown, html }
    }

    fn store(&mut self, conn: &mut DbConnection, fresh: Vec<Row>, bodies: Vec<Body>) -> Result<(), ImportError> {
        crate::db::write_transaction(conn, |conn| self.store_batch(conn, &fresh, bodies))
    }
}

impl PostsPass<'_> {
    fn store_batch(&mut self, conn: &mut DbConnection, fresh: &[Row], bodies: Vec<Body>) -> Result<(), ImportError> {
        let source = self.source;
        let author_ids: Vec<i64> = fresh.iter().filter_map(|r| r.int("OwnerUserId")).collect();
        let (users, placeholder) = authors(conn, source, &author_ids)?;
        let mut author_ids: Vec<i64> = users.values().copied().chain([placeholder]).collect();
        author_ids.sort_unstable();
        author_ids.dedup();
        let names: HashMap<i64, String> = crate::db::schema::users::table
            .filter(crate::db::schema::users::id.eq_any(&author_ids))
            .select((crate::db::schema::users::id, crate::db::schema::users::display_name))
            .load::<(i64, String)>(conn)?
            .into_iter()
            .collect();
        // Parents written by earlier batches, then (below) those of this one.
        let parent_ids: Vec<i64> = fresh.iter().filter_map(|r| r.int("ParentId")).collect();
        let mut parents = imports::posts_by_source(conn, source.site, &parent_ids)?;
        // Ids chosen here, so the batch's posts go many a statement like the rows that refer to
        // them; tag counts are added once per batch, not once per question.
        let mut local_ids = imports::reserve_post_ids(conn, fresh.len())?.into_iter();
        let mut tag_counts: HashMap<i64, i32> = HashMap::new();
        let mut posts = Vec::with_capacity(fresh.len());
        let mut sources = Vec::with_capacity(fresh.len());
        let mut taggings = Vec::new();
        for (row, body) in fresh.iter().zip(bodies) {
            let Some(id) = row.int("Id") else { continue };
            let is_question = row.int("PostTypeId") == Some(1);
            let question_id = if is_question {
                None
            } else {
                match row.int("ParentId").and_then(|parent| parents.get(&parent)) {
                    Some(&local) => Some(local),
                    None => {
                        self.counts.orphans += 1;
                        continue;
                    }
                }
            };
            // As many ids as rows were reserved.
            let Some(local) = local_ids.next() else { break };
            let author = row.int("OwnerUserId").and_then(|u| users.get(&u).copied()).unwrap_or(placeholder);
            let created = row.get("CreationDate").and_then(convert::date).unwrap_or(source.now);
            let title = row.get("Title").map(str::trim).unwrap_or_default();
            let tag_names = convert::tags(row.get("Tags").unwrap_or_default());
            let closed_at = row.get("ClosedDate").and_then(convert::date);
            let author_name = row
                .get("OwnerDisplayName")
                .map(str::to_owned)
                .or_else(|| names.get(&author).cloned())
                .unwrap_or_else(|| "former member".to_owned());
            sources.push((
                local,
                PostSourceOwned {
                    site: source.site.to_owned(),
                    source_id: id,
                    url: format!("https://{}/{}/{id}", source.site, if is_question { "q" } else { "a" }),
                    author_name,
                    license: convert::license(row.get("ContentLicense")),
                },
            ));
            if is_question {
                parents.insert(id, local);
                for name in &tag_names {
                    let tag_id = match self.tag_ids.get(name) {
                        Some(&known) => known,
                        None => {
                            let created_tag = tags::find_or_create(conn, name, created)?;
                            self.tag_ids.insert(name.clone(), created_tag);
                            created_tag
                        }
                    };
                    taggings.push((local, tag_id));
                    *tag_counts.entry(tag_id).or_default() += 1;
                }
                self.counts.questions += 1;
            } else {
                self.counts.answers += 1;
            }
            posts.push(ImportedPost {
                id: local,
                kind: if is_question { PostKind::Question } else { PostKind::Answer },
                question_id,
                author_id: author,
                title: is_question.then(|| title.to_owned()),
                slug: is_question.then(|| slugify(title)),
                tags: is_question.then(|| tag_names.join(" ")),
                body_markdown: body.markdown,
                body_html: body.html,
                score: row.int("Score").and_then(|s| i32::try_from(s).ok()).unwrap_or(0),
                view_count: row.int("ViewCount").unwrap_or(0),
                created_at: created,
                edited_at: row.get("LastEditDate").and_then(convert::date),
                last_activity_at: row.get("LastActivityDate").and_then(convert::date).unwrap_or(created),
                closed_at,
                close_reason: closed_at.map(|_| CloseReason::OffTopic),
            });
        }
        imports::insert_posts(conn, &posts)?;
        imports::insert_sources(conn, &sources)?;
        imports::tag_questions(conn, &taggings)?;
        let first_revisions: Vec<NewRevision<'_>> = posts
            .iter()
            .map(|post| NewRevision {
                post_id: post.id,
                editor_id: post.author_id,
                title: post.title.as_deref(),
                tags: post.tags.as_deref(),
                // Shares the post's text (see `models::revisions`).
                body_markdown: None,
                reason: Some("imported"),
                created_at: post.edited_at.unwrap_or(post.created_at),
            })
            .collect();
        revisions::insert_many(conn, &first_revisions)?;
        for (tag_id, added) in tag_counts {
            imports::count_tag(conn, tag_id, added)?;
        }
        Ok(())
    }
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
