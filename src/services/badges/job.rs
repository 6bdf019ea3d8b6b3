//! The badge job: takes the checks the change feed left, reads the facts of the answers they
//! name, recomputes their authors' scores in those answers' tags, then awards what is newly
//! earned and deletes the checks in one short transaction per batch. A second run, a restarted
//! node or another node at the same moment awards nothing twice: the awards' unique key decides.
//!
//! Reading is most of a batch's time (a member with thousands of answers has every one of them
//! read to total their tags), so on SQLite, where one writer at a time holds the database, it
//! is done before the write turn is taken: members' writes wait for the job's writes alone. That
//! is safe because every change leaves a check of its own, with a higher id: a change committed
//! after the reading is done by a later batch. The write goes ahead only if every check read is
//! still there; if another process's job did some meanwhile, it saw at least as much, and this
//! batch is read again. On PostgreSQL, where writers lock rows, not the database, one
//! transaction claims the checks (locked, so nodes share a backlog) and does them.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDateTime;

use super::rules;
use crate::db::models::badge_facts::{self, AnswerFacts, Answers, TagScore};
use crate::db::models::badges::{self, Award};
use crate::db::{write_transaction, DbConnection};
use crate::domain::BadgeClass;
use crate::services::ServiceResult;

/// Checks taken per batch. Checks of one answer, or of one author's answers, are read together
/// within a batch, so a bigger batch reads a busy author's answers once for many votes; only
/// its writes hold SQLite's write turn.
pub const BATCH: i64 = 1_000;

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

/// The writes a batch calls for, worked out by reading alone.
#[derive(Debug, Default)]
struct Plan {
    /// The checks it does.
    checks: Vec<i64>,
    /// Members re-checked from scratch: every stored score of theirs is replaced.
    rechecked: Vec<i64>,
    /// Their scores.
    rechecked_scores: Vec<TagScore>,
    /// The (member, tag) pairs the checked answers touch; a pair absent from `pair_scores` has
    /// no visible answer left.
    pairs: Vec<(i64, i64)>,
    /// Those pairs' scores.
    pair_scores: Vec<TagScore>,
    /// Awards the facts call for (some perhaps held already: the awards' key decides).
    wanted: Vec<Award>,
    /// Tags whose scores it recomputes.
    tags: BTreeSet<i64>,
}

/// Works through every waiting check, a batch at a time; `progress` hears how many checks each
/// batch did.
pub fn run_pending(conn: &mut DbConnection, now: NaiveDateTime, progress: &mut dyn FnMut(u64)) -> ServiceResult<Pass> {
    let mut pass = Pass::default();
    loop {
        let batch = one_batch(conn, now)?;
        if batch.checks == 0 {
            return Ok(pass);
        }
        progress(batch.checks as u64);
        pass.checks += batch.checks;
        pass.awarded += batch.awarded;
        pass.tags.extend(batch.tags);
    }
}

/// Does up to [`BATCH`] checks (none: nothing was waiting).
fn one_batch(conn: &mut DbConnection, now: NaiveDateTime) -> ServiceResult<Pass> {
    if matches!(conn, DbConnection::Postgresql(_)) {
        return write_transaction(conn, |conn| {
            let plan = plan_next_batch(conn)?;
            apply(conn, &plan, now)
        });
    }
    loop {
        let plan = plan_next_batch(conn)?;
        if plan.checks.is_empty() {
            return Ok(Pass::default());
        }
        let done = write_transaction(conn, |conn| {
            let waiting = badges::count_checks(conn, &plan.checks)?;
            if usize::try_from(waiting).ok() != Some(plan.checks.len()) {
                return Ok(None);
            }
            apply(conn, &plan, now).map(Some)
        })?;
        if let Some(pass) = done {
            return Ok(pass);
        }
    }
}

/// Takes up to [`BATCH`] checks and reads what they call for.
fn plan_next_batch(conn: &mut DbConnection) -> ServiceResult<Plan> {
    let checks = badges::claim_checks(conn, BATCH)?;
    let mut plan = Plan { checks: checks.iter().map(|c| c.id).collect(), ..Plan::default() };
    let posts: Vec<i64> = checks.iter().filter_map(|c| c.post_id).collect::<BTreeSet<_>>().into_iter().collect();
    let members: Vec<i64> = checks
        .iter()
        .filter(|c| c.post_id.is_none())
        .filter_map(|c| c.user_id)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if !posts.is_empty() {
        let answers = badge_facts::answers_among(conn, &posts)?;
        plan_answers(conn, &answers, &mut plan)?;
    }
    if !members.is_empty() {
        plan_members(conn, &members, &mut plan)?;
    }
    Ok(plan)
}

/// Adds to `plan` the re-check of answers `answers` (whatever their state: a deleted answer
/// still moves its author's tag scores) and of their authors' scores in those answers' tags.
fn plan_answers(conn: &mut DbConnection, answers: &[i64], plan: &mut Plan) -> ServiceResult<()> {
    if answers.is_empty() {
        return Ok(());
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
    plan.wanted.extend(earned(&facts, &scores));
    plan.tags.extend(tags);
    plan.pairs = pairs;
    plan.pair_scores = scores;
    Ok(())
}

/// Adds to `plan` the re-check of members `members` from scratch: every answer of theirs and
/// every tag they answered in (a full re-check, or a check that names a member without a post).
fn plan_members(conn: &mut DbConnection, members: &[i64], plan: &mut Plan) -> ServiceResult<()> {
    let facts = badge_facts::answer_facts(conn, Answers::ByAuthors(members))?;
    let scores = badge_facts::compute_tag_scores(conn, members, None)?;
    let held: BTreeSet<Award> = badges::held_by(conn, members)?.into_iter().collect();
    plan.wanted.extend(earned(&facts, &scores).into_iter().filter(|a| !held.contains(a)));
    plan.tags.extend(scores.iter().map(|s| s.tag_id));
    plan.rechecked = members.to_vec();
    plan.rechecked_scores = scores;
    Ok(())
}

/// Makes `plan`'s writes and deletes its checks, in the caller's transaction.
fn apply(conn: &mut DbConnection, plan: &Plan, now: NaiveDateTime) -> ServiceResult<Pass> {
    if !plan.rechecked.is_empty() {
        badge_facts::replace_tag_scores(conn, &plan.rechecked, &plan.rechecked_scores)?;
    }
    badge_facts::store_tag_scores(conn, &plan.pairs, &plan.pair_scores)?;
    let awarded = award(conn, &plan.wanted, now)?;
    if !plan.checks.is_empty() {
        badges::delete_checks(conn, &plan.checks)?;
    }
    Ok(Pass { checks: plan.checks.len(), awarded, tags: plan.tags.clone() })
}

/// Re-checks members `members` from scratch (see [`plan_members`]), reading and writing in one
/// transaction: a full re-check leaves no check of its own behind, so scores read before a
/// change that the job then applied would overwrite the job's newer ones for good.
pub fn recheck_members(conn: &mut DbConnection, members: &[i64], now: NaiveDateTime) -> ServiceResult<Pass> {
    write_transaction(conn, |conn| {
        let mut plan = Plan::default();
        plan_members(conn, members, &mut plan)?;
        apply(conn, &plan, now)
    })
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
