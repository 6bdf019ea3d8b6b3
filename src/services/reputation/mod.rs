//! Reputation: what others think of a member's posts, as a ledger of events. The change feed's
//! reputation consumer calls these in the writer's transaction, so an acceptance, an endorsement
//! or a deletion and what it earned commit or roll back together; votes, by far the most frequent
//! act, wait in a queue that [`queue`] applies many at a time. Each function first removes what
//! the act earned before and then grants what it earns now, so running one twice changes
//! nothing. Granting, taking back, reversing and restoring each move the member's kept total by
//! the rows' amounts, so no act sums the member's ledger.

mod grants;
pub mod profile;
pub mod queue;
pub mod serial_voting;
mod vote_batch;

use chrono::NaiveDateTime;

use super::ServiceResult;
use crate::db::models::posts;
use crate::db::models::reputation::{self, Capped, Counted};
use crate::db::DbConnection;
use crate::domain::ReputationReason;
use grants::{Act, Grants};

/// The rules that vary per site.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    /// What a member may earn from votes per UTC day; 0 means no cap.
    pub daily_cap: u32,
}

/// The start of `now`'s UTC day: what the daily cap counts from.
fn day_start(now: NaiveDateTime) -> NaiveDateTime {
    now.date().and_time(chrono::NaiveTime::MIN)
}

/// Moves the kept totals by rows that stopped counting (`sign` -1: taken back, reversed) or
/// started again (+1: restored), before anything is granted: a grant's cap then sees what is
/// left today. One update per member and day, however many rows.
fn recount(conn: &mut DbConnection, rows: &[Counted], sign: i64) -> ServiceResult<()> {
    let mut moves = std::collections::BTreeMap::<(i64, Option<NaiveDateTime>), i64>::new();
    for row in rows {
        let day = row.reason.capped().then(|| day_start(row.created_at));
        *moves.entry((row.user_id, day)).or_default() += sign * i64::from(row.amount);
    }
    for ((user, day), amount) in moves {
        let capped = day.map(|day| Capped::Moved { day, amount });
        reputation::move_total(conn, user, amount, capped)?;
    }
    Ok(())
}

/// Brings the ledger in line with which answer of `question_id` is accepted, if any (accepting
/// another answer moves what the first earned).
pub fn acceptance_changed(
    conn: &mut DbConnection,
    rules: Rules,
    question_id: i64,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    let reasons = [ReputationReason::AnswerAccepted, ReputationReason::AcceptedAnswer];
    let answers = posts::answer_ids(conn, question_id)?;
    let taken = reputation::remove(conn, &answers, &reasons)?;
    recount(conn, &taken, -1)?;
    let Some(question) = posts::find(conn, question_id)? else { return Ok(()) };
    let answer = match question.accepted_answer_id {
        Some(answer_id) => posts::find(conn, answer_id)?,
        None => None,
    };
    if let Some(answer) = answer {
        let answer_id = answer.id;
        // Accepting one's own answer earns nothing.
        if question.author_id != answer.author_id {
            let act = Act { post_id: answer_id, actor_id: question.author_id, now, reversal: None };
            let mut grants = Grants::uncapped(rules, now);
            grants.grant(answer.author_id, ReputationReason::AnswerAccepted, act);
            grants.grant(question.author_id, ReputationReason::AcceptedAnswer, act);
            grants.write(conn)?;
        }
    }
    Ok(())
}

/// Brings the ledger in line with whether staff endorse `answer_id` as official.
pub fn endorsement_changed(
    conn: &mut DbConnection,
    rules: Rules,
    answer_id: i64,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    let reasons = [ReputationReason::AnswerEndorsed];
    let taken = reputation::remove(conn, &[answer_id], &reasons)?;
    recount(conn, &taken, -1)?;
    if let Some(answer) = posts::find(conn, answer_id)? {
        let endorsed = answer.official_kind == Some(crate::domain::OfficialKind::Endorsed);
        if let (true, Some(by)) = (endorsed, answer.official_by.filter(|&by| by != answer.author_id)) {
            let act = Act { post_id: answer_id, actor_id: by, now, reversal: None };
            let mut grants = Grants::uncapped(rules, now);
            grants.grant(answer.author_id, ReputationReason::AnswerEndorsed, act);
            grants.write(conn)?;
        }
    }
    Ok(())
}

/// A reviewer approved `author`'s suggested edit of `post_id`.
pub fn edit_approved(
    conn: &mut DbConnection,
    rules: Rules,
    post_id: i64,
    author: i64,
    reviewer: i64,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    let act = Act { post_id, actor_id: reviewer, now, reversal: None };
    let mut grants = Grants::uncapped(rules, now);
    grants.grant(author, ReputationReason::EditApproved, act);
    grants.write(conn)
}

/// A post was deleted (`deleted`) or restored: what it earned, and for a question what its
/// answers earned, stops (or starts again) counting.
pub fn post_deleted(conn: &mut DbConnection, post_id: i64, deleted: bool, now: NaiveDateTime) -> ServiceResult<()> {
    let mut post_ids = vec![post_id];
    post_ids.extend(posts::answer_ids(conn, post_id)?);
    let reversal = deleted.then_some((now, reputation::POST_DELETED));
    let moved = reputation::set_post_reversal(conn, &post_ids, reversal)?;
    recount(conn, &moved, if deleted { -1 } else { 1 })
}
