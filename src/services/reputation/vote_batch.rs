//! A batch of queued votes brought into the ledger at once. Each read covers the whole batch in
//! one statement (the posts, their questions, the votes as they stand, the ledger rows the votes
//! earned before, serial-voting reversals, the authors' allowance for the day), the rules are
//! applied in memory, and the writes are one delete, one insert and one update per member whose
//! figures move. Applied vote by vote, a batch cost nine statements a vote, a sixth of the CPU a
//! vote took.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::NaiveDateTime;

use super::grants::{Act, Grants};
use super::{recount, serial_voting, Rules};
use crate::db::models::reputation::{self, POST_DELETED, SERIAL_VOTING};
use crate::db::models::reputation_queue::{voted_posts, VotedPost};
use crate::db::models::votes;
use crate::db::DbConnection;
use crate::domain::ReputationReason;
use crate::services::ServiceResult;

/// The ledger rows a vote creates, on its post's author and (a downvoted answer) the voter.
const VOTE_REASONS: [ReputationReason; 5] = [
    ReputationReason::QuestionUpvoted,
    ReputationReason::AnswerUpvoted,
    ReputationReason::QuestionDownvoted,
    ReputationReason::AnswerDownvoted,
    ReputationReason::DownvotedAnswer,
];

/// A member's vote on a post as it stands when the batch is applied.
#[derive(Debug, Clone, Copy)]
struct Vote {
    post: i64,
    is_answer: bool,
    voter: i64,
    author: i64,
    /// 1, -1 or 0 (withdrawn).
    value: i32,
    /// The post, or an answer's question, is deleted: what the vote earns is recorded but does
    /// not count until the post is restored.
    post_deleted: bool,
}

/// Brings the ledger in line with the votes of the pairs (post, voter): what earlier values of
/// each vote earned is taken back, and what it earns now is granted. Returns the answers among
/// the posts, whose authors' badges the votes may move.
pub(super) fn apply(
    conn: &mut DbConnection,
    rules: Rules,
    pairs: &BTreeSet<(i64, i64)>,
    now: NaiveDateTime,
) -> ServiceResult<Vec<i64>> {
    let post_ids = distinct(pairs.iter().map(|&(post, _)| post));
    let voter_ids = distinct(pairs.iter().map(|&(_, voter)| voter));
    let votes = as_they_stand(conn, pairs, &post_ids, &voter_ids)?;

    // Take back what the votes earned before (the pairs' rows only: a voter's rows on another
    // post of the batch belong to a vote that is not being applied).
    let earlier: Vec<_> = reputation::about(conn, &post_ids, Some(&voter_ids), &VOTE_REASONS)?
        .into_iter()
        .filter(
            |row| matches!((row.post_id, row.actor_id), (Some(post), Some(voter)) if pairs.contains(&(post, voter))),
        )
        .collect();
    reputation::delete(conn, &earlier.iter().map(|row| row.id).collect::<Vec<_>>())?;
    let taken: Vec<_> = earlier.iter().filter(|row| row.counting).map(|row| row.counted).collect();
    recount(conn, &taken, -1)?;

    // A pair caught voting in a run earns nothing from its upvotes for a while after (and that
    // reversal outlives a deleted post's restoring).
    let upvoters: Vec<i64> = votes.iter().filter(|v| v.value == 1).map(|v| v.voter).collect();
    let serial: HashSet<(i64, i64)> = if upvoters.is_empty() {
        HashSet::new()
    } else {
        let since = now - chrono::Duration::hours(serial_voting::WINDOW_HOURS);
        reputation::serial_pairs_since(conn, &upvoters, since)?.into_iter().collect()
    };
    let capped: Vec<i64> = votes.iter().filter(|v| v.value == 1).map(|v| v.author).collect();
    let mut grants = Grants::capped_for(conn, rules, now, &capped)?;
    for vote in &votes {
        let deleted = vote.post_deleted.then_some(POST_DELETED);
        let act = Act { post_id: vote.post, actor_id: vote.voter, now, reversal: deleted };
        match vote.value {
            1 => {
                let serial = serial.contains(&(vote.voter, vote.author)).then_some(SERIAL_VOTING);
                let act = Act { reversal: serial.or(act.reversal), ..act };
                let reason =
                    if vote.is_answer { ReputationReason::AnswerUpvoted } else { ReputationReason::QuestionUpvoted };
                grants.grant(vote.author, reason, act);
            }
            -1 => {
                let reason = if vote.is_answer {
                    ReputationReason::AnswerDownvoted
                } else {
                    ReputationReason::QuestionDownvoted
                };
                grants.grant(vote.author, reason, act);
                if vote.is_answer {
                    grants.grant(vote.voter, ReputationReason::DownvotedAnswer, act);
                }
            }
            _ => {}
        }
    }
    grants.write(conn)?;
    Ok(distinct(votes.iter().filter(|v| v.is_answer).map(|v| v.post)))
}

/// The ids, each once, in order.
fn distinct(ids: impl Iterator<Item = i64>) -> Vec<i64> {
    ids.collect::<BTreeSet<_>>().into_iter().collect()
}

/// The pairs' votes now, with what the ledger needs of each post; a pair whose post is gone is
/// left out (its ledger rows went with it).
fn as_they_stand(
    conn: &mut DbConnection,
    pairs: &BTreeSet<(i64, i64)>,
    post_ids: &[i64],
    voter_ids: &[i64],
) -> ServiceResult<Vec<Vote>> {
    let posts: HashMap<i64, VotedPost> = voted_posts(conn, post_ids)?.into_iter().map(|p| (p.id, p)).collect();
    let mut deleted: HashMap<i64, bool> = posts.values().map(|p| (p.id, p.deleted_at.is_some())).collect();
    let other_questions = distinct(posts.values().filter_map(|p| p.question_id).filter(|q| !deleted.contains_key(q)));
    if !other_questions.is_empty() {
        deleted.extend(voted_posts(conn, &other_questions)?.into_iter().map(|q| (q.id, q.deleted_at.is_some())));
    }
    let values: HashMap<(i64, i64), i32> = votes::of_users_on(conn, voter_ids, post_ids)?
        .into_iter()
        .map(|(voter, post, value)| ((post, voter), value))
        .collect();
    Ok(pairs
        .iter()
        .filter_map(|&(post_id, voter)| {
            let post = posts.get(&post_id)?;
            // A question that cannot be found is as good as deleted.
            let question_deleted = post.question_id.is_some_and(|q| deleted.get(&q).copied().unwrap_or(true));
            Some(Vote {
                post: post_id,
                is_answer: post.question_id.is_some(),
                voter,
                author: post.author_id,
                value: values.get(&(post_id, voter)).copied().unwrap_or(0),
                post_deleted: post.deleted_at.is_some() || question_deleted,
            })
        })
        .collect())
}
