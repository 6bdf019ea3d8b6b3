//! "These may already answer you": existing questions resembling a title, for the ask page and
//! for the related questions on every question page; and recording a suggestion that was opened
//! instead of asking (a deflection).

use std::collections::HashMap;

use chrono::NaiveDateTime;
use guidepost_search::{coverage, similar, SearchIndex};

use super::{ServiceError, ServiceResult};
use crate::db::models::{posts, search_log};
use crate::db::{write_transaction, DbConnection};
use crate::domain::{paths, PostKind, QuestionId};

/// Suggestions shown while asking.
pub const ASK_LIMIT: usize = 5;
/// Related questions on a question page.
pub const RELATED_LIMIT: usize = 5;

/// Titles whose suggestions a node remembers.
const REMEMBERED_TITLES: std::num::NonZeroUsize = match std::num::NonZeroUsize::new(2_000) {
    Some(n) => n,
    None => std::num::NonZeroUsize::MIN,
};

/// This node's recent suggestions for the ask form, by title, while the index is unchanged: the
/// form asks again as the member types, and many people word the same problem the same way.
pub type TitleCache = super::recent::Recent<String, Vec<Suggestion>>;

/// An empty title cache; entries last a minute, as the JSON answer may be kept by browsers.
pub fn new_title_cache() -> TitleCache {
    super::recent::Recent::new(REMEMBERED_TITLES, std::time::Duration::from_secs(60))
}

/// [`suggestions`] for the ask form (up to [`ASK_LIMIT`]), from `cache` while the index is
/// unchanged since they were found.
pub fn ask_suggestions(
    conn: &mut DbConnection,
    index: &SearchIndex,
    cache: &TitleCache,
    title: &str,
) -> ServiceResult<std::sync::Arc<Vec<Suggestion>>> {
    // Keyed by what is looked up: a long title must not make a long key in the node's memory.
    let title: String = title.chars().take(MAX_TITLE_CHARS).collect();
    cache.get_or_compute(title.clone(), index.generation(), || suggestions(conn, index, &title, None, ASK_LIMIT))
}
/// Titles shorter than this (in characters) are not looked up: too little to go on.
pub const MIN_TITLE_CHARS: usize = 8;
/// Longer titles are cut before the look-up.
const MAX_TITLE_CHARS: usize = 300;
/// A suggestion is strong when it covers this share of the typed title's meaningful words ...
const STRONG_COVERAGE: f32 = 0.6;
/// ... and the typed title covers this share of the suggestion's, so a one-word overlap with a
/// long title does not count.
const STRONG_REVERSE_COVERAGE: f32 = 0.4;

/// An existing question resembling a title.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Suggestion {
    /// Question id.
    pub id: i64,
    /// Its title.
    pub title: String,
    /// Its canonical path.
    pub path: String,
    /// Answers it has.
    pub answer_count: i32,
    /// The asker accepted one.
    pub accepted: bool,
    /// Staff answered officially.
    pub official: bool,
    /// Close enough that the ask form shows it before posting.
    pub strong: bool,
}

/// Up to `limit` open questions resembling `title`, best first, leaving out `exclude`, each
/// judged strong or not (for the ask page, which shows strong ones before posting).
pub fn suggestions(
    conn: &mut DbConnection,
    index: &SearchIndex,
    title: &str,
    exclude: Option<i64>,
    limit: usize,
) -> ServiceResult<Vec<Suggestion>> {
    look_up(conn, index, title, exclude, limit, Strength::Judge)
}

/// Up to `limit` questions resembling a question's title, for the list beside its page. None is
/// judged strong: the page does not use it, and judging re-analyses every title found.
pub fn related(
    conn: &mut DbConnection,
    index: &SearchIndex,
    title: &str,
    question_id: i64,
    limit: usize,
) -> ServiceResult<Vec<Suggestion>> {
    look_up(conn, index, title, Some(question_id), limit, Strength::Skip)
}

/// Whether a look-up judges each suggestion's strength.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Strength {
    Judge,
    Skip,
}

fn look_up(
    conn: &mut DbConnection,
    index: &SearchIndex,
    title: &str,
    exclude: Option<i64>,
    limit: usize,
    strength: Strength,
) -> ServiceResult<Vec<Suggestion>> {
    let title: String = title.chars().take(MAX_TITLE_CHARS).collect();
    if title.trim().chars().count() < MIN_TITLE_CHARS {
        return Ok(Vec::new());
    }
    let hits = similar(index, &title, exclude.and_then(|id| u64::try_from(id).ok()), limit)
        .map_err(|e| ServiceError::Internal(format!("similar questions: {e}")))?;
    let ids: Vec<i64> = hits.iter().filter_map(|hit| i64::try_from(hit.id).ok()).collect();
    // Only the columns a suggestion shows: whole rows would read every body too.
    let mut rows: HashMap<i64, posts::Listed> = posts::listed(conn, &ids)?
        .into_iter()
        .filter(|p| p.kind == PostKind::Question && p.deleted_at.is_none())
        .map(|p| (p.id, p))
        .collect();
    Ok(ids
        .iter()
        .filter_map(|id| rows.remove(id))
        .map(|p| {
            let found = p.title.unwrap_or_default();
            Suggestion {
                strong: strength == Strength::Judge
                    && coverage(&title, &found) >= STRONG_COVERAGE
                    && coverage(&found, &title) >= STRONG_REVERSE_COVERAGE,
                path: paths::question(QuestionId(p.id), p.slug.as_deref()),
                id: p.id,
                title: found,
                answer_count: p.answer_count,
                accepted: p.accepted_answer_id.is_some(),
                official: p.has_official,
            }
        })
        .collect())
}

/// Records that a member about to ask opened a suggestion (not who: like searches, deflections
/// are counted, not attributed); returns the question's path.
pub fn deflect(
    conn: &mut DbConnection,
    QuestionId(question_id): QuestionId,
    draft_title: &str,
    now: NaiveDateTime,
) -> ServiceResult<String> {
    let question = posts::find(conn, question_id)?
        .filter(|p| p.is_question() && p.deleted_at.is_none())
        .ok_or(ServiceError::NotFound("Question"))?;
    let draft: String = draft_title.trim().chars().take(MAX_TITLE_CHARS).collect();
    write_transaction(conn, |conn| search_log::insert_deflection(conn, question.id, &draft, now))?;
    Ok(paths::question(QuestionId(question.id), question.slug.as_deref()))
}
