//! Reputation: what others think of a member's posts, as a ledger of events. The change feed's
//! reputation consumer calls these in the writer's transaction, so an acceptance, an endorsement
//! or a deletion and what it earned commit or roll back together; votes, by far the most frequent
//! act, wait in a queue that [`queue`] applies many at a time. Each function first removes what
//! the act earned before and then grants what it earns now, so running one twice changes
//! nothing. Granting, taking back, reversing and restoring each move the member's kept total by
//! the rows' amounts, so no act sums the member's ledger.

pub mod profile;
pub mod queue;
pub mod serial_voting;

use chrono::NaiveDateTime;

use super::ServiceResult;
use crate::db::models::posts;
use crate::db::models::reputation::{self, Capped, Counted, NewReputationEvent, SERIAL_VOTING};
use crate::db::DbConnection;
use crate::domain::ReputationReason;

/// The ledger rows a vote creates, on its post's author and (a downvoted answer) the voter.
const VOTE_REASONS: [ReputationReason; 5] = [
    ReputationReason::QuestionUpvoted,
    ReputationReason::AnswerUpvoted,
    ReputationReason::QuestionDownvoted,
    ReputationReason::AnswerDownvoted,
    ReputationReason::DownvotedAnswer,
];

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
/// left today.
fn recount(conn: &mut DbConnection, rows: &[Counted], sign: i64) -> ServiceResult<()> {
    for row in rows {
        let capped = row.reason.capped().then(|| Capped::Moved(day_start(row.created_at)));
        reputation::move_total(conn, row.user_id, sign * i64::from(row.amount), capped)?;
    }
    Ok(())
}

/// A member's vote on a post as it stands when the reputation job applies it.
#[derive(Debug, Clone, Copy)]
pub struct Vote {
    /// The post voted on.
    pub post: i64,
    /// Whether the post is an answer.
    pub is_answer: bool,
    /// Who voted.
    pub voter: i64,
    /// Who wrote the post.
    pub author: i64,
    /// The vote now: 1, -1 or 0 (taken back).
    pub value: i32,
    /// Whether the post, or an answer's question, is deleted: what the vote earns is recorded
    /// but does not count until the post is restored.
    pub post_deleted: bool,
}

/// Brings the ledger in line with a member's vote on a post: what an earlier value of it earned
/// is taken back, and what it earns now is granted.
pub fn vote_settled(conn: &mut DbConnection, rules: Rules, vote: Vote, now: NaiveDateTime) -> ServiceResult<()> {
    let taken = reputation::remove(conn, &[vote.post], Some(vote.voter), &VOTE_REASONS)?;
    recount(conn, &taken, -1)?;
    let reversal = vote.post_deleted.then_some(reputation::POST_DELETED);
    let act = Act { post_id: vote.post, actor_id: vote.voter, now, reversal };
    match vote.value {
        1 => {
            // A pair caught voting in a run earns nothing from its votes for a while after (and
            // that reversal outlives a deleted post's restoring).
            let since = now - chrono::Duration::hours(serial_voting::WINDOW_HOURS);
            let serial = reputation::pair_reversed_since(conn, vote.voter, vote.author, since)?;
            let act = if serial { Act { reversal: Some(SERIAL_VOTING), ..act } } else { act };
            let reason =
                if vote.is_answer { ReputationReason::AnswerUpvoted } else { ReputationReason::QuestionUpvoted };
            grant(conn, rules, vote.author, reason, act)?;
        }
        -1 => {
            let reason =
                if vote.is_answer { ReputationReason::AnswerDownvoted } else { ReputationReason::QuestionDownvoted };
            grant(conn, rules, vote.author, reason, act)?;
            if vote.is_answer {
                grant(conn, rules, vote.voter, ReputationReason::DownvotedAnswer, act)?;
            }
        }
        _ => {}
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
    let taken = reputation::remove(conn, &answers, None, &reasons)?;
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
            grant(conn, rules, answer.author_id, ReputationReason::AnswerAccepted, act)?;
            grant(conn, rules, question.author_id, ReputationReason::AcceptedAnswer, act)?;
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
    let taken = reputation::remove(conn, &[answer_id], None, &reasons)?;
    recount(conn, &taken, -1)?;
    if let Some(answer) = posts::find(conn, answer_id)? {
        let endorsed = answer.official_kind == Some(crate::domain::OfficialKind::Endorsed);
        if let (true, Some(by)) = (endorsed, answer.official_by.filter(|&by| by != answer.author_id)) {
            let act = Act { post_id: answer_id, actor_id: by, now, reversal: None };
            grant(conn, rules, answer.author_id, ReputationReason::AnswerEndorsed, act)?;
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
    grant(conn, rules, author, ReputationReason::EditApproved, act)
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

/// Who did what to which post, and when.
#[derive(Debug, Clone, Copy)]
struct Act {
    post_id: i64,
    actor_id: i64,
    now: NaiveDateTime,
    /// Recorded but not counted, and why: a vote from a pair caught voting in a run
    /// ([`SERIAL_VOTING`]), or on a post deleted before the vote was applied.
    reversal: Option<&'static str>,
}

/// Adds one ledger row for `user`, capped by the day's allowance where the rule is capped, and
/// moves the member's total by what it granted.
fn grant(conn: &mut DbConnection, rules: Rules, user: i64, reason: ReputationReason, act: Act) -> ServiceResult<()> {
    let mut amount = reason.points();
    // A row born reversed counts for nothing, so it takes nothing from the day's allowance.
    let capped_day = (reason.capped() && act.reversal.is_none()).then(|| day_start(act.now));
    if let (Some(day), true) = (capped_day, rules.daily_cap > 0) {
        let earned = reputation::capped_earned(conn, user, day)?;
        let left = (i64::from(rules.daily_cap) - earned).max(0);
        amount = amount.min(i32::try_from(left).unwrap_or(i32::MAX));
    }
    reputation::insert(
        conn,
        &NewReputationEvent {
            user_id: user,
            reason,
            amount,
            post_id: Some(act.post_id),
            actor_id: Some(act.actor_id),
            created_at: act.now,
            reversed_at: act.reversal.map(|_| act.now),
            reversal: act.reversal,
        },
    )?;
    if act.reversal.is_none() {
        reputation::move_total(conn, user, i64::from(amount), capped_day.map(Capped::Granted))?;
    }
    Ok(())
}
