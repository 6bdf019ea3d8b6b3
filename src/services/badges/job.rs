//! The badge job: claims the checks the change feed left, reads the facts of the answers they
//! name, recomputes their authors' scores in those answers' tags, awards what is newly earned
//! and deletes the checks, all in one transaction per batch. A second run, a restarted node or
//! another node at the same moment awards nothing twice: the awards' unique key decides.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDateTime;

use super::rules;
use crate::db::models::badge_facts::{self, AnswerFacts, Answers, TagScore};
use crate::db::models::badges::{self, Award};
use crate::db::{write_transaction, DbConnection};
use crate::domain::BadgeClass;
use crate::services::ServiceResult;

/// Checks claimed per transaction: short enough that SQLite's other writers barely wait.
pub const BATCH: i64 = 200;

/// What one pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pass {
    /// Checks done.
    pub checks: usize,
    /// Badges awarded.
    pub awarded: usize,
    /// Tags whose answer scores were recomputed (their experts are recomputed next).
    pub tags: BTreeSet<i64>,
}

/// Works through every waiting check, a batch per transaction; `progress` hears how many
/// checks each batch did.
pub fn run_pending(conn: &mut DbConnection, now: NaiveDateTime, progress: &mut dyn FnMut(u64)) -> ServiceResult<Pass> {
    let mut pass = Pass::default();
    loop {
        let batch = write_transaction(conn, |conn| one_batch(conn, now))?;
        if batch.checks == 0 {
            return Ok(pass);
        }
        progress(batch.checks as u64);
        pass.checks += batch.checks;
        pass.awarded += batch.awarded;
        pass.tags.extend(batch.tags);
    }
}

/// Claims up to [`BATCH`] checks and does them, in the caller's transaction.
fn one_batch(conn: &mut DbConnection, now: NaiveDateTime) -> ServiceResult<Pass> {
    let checks = badges::claim_checks(conn, BATCH)?;
    if checks.is_empty() {
        return Ok(Pass::default());
    }
    let posts: Vec<i64> = checks.iter().filter_map(|c| c.post_id).collect::<BTreeSet<_>>().into_iter().collect();
    let members: Vec<i64> = checks
        .iter()
        .filter(|c| c.post_id.is_none())
        .filter_map(|c| c.user_id)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut pass = Pass { checks: checks.len(), ..Pass::default() };
    if !posts.is_empty() {
        let answers = badge_facts::answers_among(conn, &posts)?;
        let done = check_answers(conn, &answers, now)?;
        pass.awarded += done.awarded;
        pass.tags.extend(done.tags);
    }
    if !members.is_empty() {
        let done = recheck_members(conn, &members, now)?;
        pass.awarded += done.awarded;
        pass.tags.extend(done.tags);
    }
    let ids: Vec<i64> = checks.iter().map(|c| c.id).collect();
    badges::delete_checks(conn, &ids)?;
    Ok(pass)
}

/// Re-checks answers `answers` (whatever their state: a deleted answer still moves its
/// author's tag scores) and their authors' scores in those answers' tags.
pub fn check_answers(conn: &mut DbConnection, answers: &[i64], now: NaiveDateTime) -> ServiceResult<Pass> {
    if answers.is_empty() {
        return Ok(Pass::default());
    }
    let facts = badge_facts::answer_facts(conn, Answers::Ids(answers))?;
    let pairs = badge_facts::tags_of_answers(conn, answers)?;
    let users: Vec<i64> = pairs.iter().map(|p| p.0).collect::<BTreeSet<_>>().into_iter().collect();
    let tags: Vec<i64> = pairs.iter().map(|p| p.1).collect::<BTreeSet<_>>().into_iter().collect();
    let scores = if users.is_empty() {
        Vec::new()
    } else {
        let all = badge_facts::compute_tag_scores(conn, &users, Some(&tags))?;
        // Only the pairs these answers touch: another pair of the cross product is unchanged.
        all.into_iter().filter(|s| pairs.contains(&(s.user_id, s.tag_id))).collect()
    };
    badge_facts::store_tag_scores(conn, &pairs, &scores)?;
    let wanted = earned(&facts, &scores);
    let awarded = award(conn, &wanted, now)?;
    Ok(Pass { checks: 0, awarded, tags: tags.into_iter().collect() })
}

/// Re-checks members `members` from scratch: every answer of theirs and every tag they answered
/// in (a full re-check, or a check that names a member without a post).
pub fn recheck_members(conn: &mut DbConnection, members: &[i64], now: NaiveDateTime) -> ServiceResult<Pass> {
    let facts = badge_facts::answer_facts(conn, Answers::ByAuthors(members))?;
    let scores = badge_facts::compute_tag_scores(conn, members, None)?;
    badge_facts::replace_tag_scores(conn, members, &scores)?;
    let held: BTreeSet<Award> = badges::held_by(conn, members)?.into_iter().collect();
    let wanted: Vec<Award> = earned(&facts, &scores).into_iter().filter(|a| !held.contains(a)).collect();
    let awarded = award(conn, &wanted, now)?;
    Ok(Pass { checks: 0, awarded, tags: scores.iter().map(|s| s.tag_id).collect() })
}

/// Every award the facts call for, each once.
fn earned(facts: &[AnswerFacts], scores: &[TagScore]) -> Vec<Award> {
    let all: BTreeSet<Award> =
        facts.iter().flat_map(rules::for_answer).chain(scores.iter().flat_map(rules::for_tag)).collect();
    all.into_iter().collect()
}

/// Makes the awards not made yet and raises the counts beside them (each member's badge counts,
/// each badge's total) by exactly what was inserted; returns how many were new.
fn award(conn: &mut DbConnection, wanted: &[Award], now: NaiveDateTime) -> ServiceResult<usize> {
    if wanted.is_empty() {
        return Ok(0);
    }
    let inserted = badges::insert_new(conn, wanted, now)?;
    let mut members: BTreeMap<i64, [i32; 3]> = BTreeMap::new();
    let mut totals: BTreeMap<&'static str, (crate::domain::Badge, i64)> = BTreeMap::new();
    for award in &inserted {
        let counts = members.entry(award.user_id).or_default();
        match award.badge.class() {
            BadgeClass::Gold => counts[0] += 1,
            BadgeClass::Silver => counts[1] += 1,
            BadgeClass::Bronze => counts[2] += 1,
        }
        totals.entry(award.badge.as_str()).or_insert((award.badge, 0)).1 += 1;
    }
    for (user, [gold, silver, bronze]) in members {
        badges::add_to_member(conn, user, gold, silver, bronze)?;
    }
    for (badge, count) in totals.into_values() {
        badges::add_to_total(conn, badge, count)?;
    }
    Ok(inserted.len())
}
