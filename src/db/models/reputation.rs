//! The `reputation_events` ledger and the kept totals it explains (`users.reputation`, with the
//! raw sum and the day's capped earnings beside it).

use chrono::NaiveDateTime;
use diesel::dsl::{case_when, count_star, sum};
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use crate::db::schema::{posts, reputation_events, users};
use crate::db::DbConnection;
use crate::domain::ReputationReason;

/// Why a ledger row no longer counts.
pub const POST_DELETED: &str = "post_deleted";
/// Reversed as one of a run of votes from one member to another.
pub const SERIAL_VOTING: &str = "serial_voting";

/// One row of the ledger.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = reputation_events)]
pub struct ReputationEvent {
    /// Row id.
    pub id: i64,
    /// Whose reputation moved.
    pub user_id: i64,
    /// The rule.
    pub reason: ReputationReason,
    /// What it granted (negative for a cost).
    pub amount: i32,
    /// The post it is about.
    pub post_id: Option<i64>,
    /// Whose act earned it (voter, asker, staff member, reviewer).
    pub actor_id: Option<i64>,
    /// When.
    pub created_at: NaiveDateTime,
    /// When it was reversed, if it was.
    pub reversed_at: Option<NaiveDateTime>,
    /// Why: [`POST_DELETED`] or [`SERIAL_VOTING`].
    pub reversal: Option<String>,
}

/// A row to add.
#[derive(Debug, Clone, Copy, Insertable)]
#[diesel(table_name = reputation_events)]
// `None` binds NULL (these columns default to NULL anyway), so SQLite can insert many at once.
#[diesel(treat_none_as_default_value = false)]
pub struct NewReputationEvent {
    /// Whose reputation moves.
    pub user_id: i64,
    /// The rule.
    pub reason: ReputationReason,
    /// What it grants.
    pub amount: i32,
    /// The post it is about.
    pub post_id: Option<i64>,
    /// Whose act earned it.
    pub actor_id: Option<i64>,
    /// When.
    pub created_at: NaiveDateTime,
    /// Set when the row is born reversed (a vote from a pair caught serial voting, or on a post
    /// deleted before the vote was applied).
    pub reversed_at: Option<NaiveDateTime>,
    /// Why it was born reversed.
    pub reversal: Option<&'static str>,
}

/// Rows per INSERT: eight parameters each keeps a statement well inside SQLite's limit of 32,766.
const ROWS_PER_INSERT: usize = 1_000;

/// Adds rows, a thousand to a statement.
pub fn insert_all(conn: &mut DbConnection, events: &[NewReputationEvent]) -> QueryResult<()> {
    for rows in events.chunks(ROWS_PER_INSERT) {
        crate::db::insert_many!(conn, reputation_events::table, rows)?;
    }
    Ok(())
}

/// The pairs (voter, author) among `voters`' upvotes whose run was reversed as serial voting
/// since `since`.
pub fn serial_pairs_since(
    conn: &mut DbConnection,
    voters: &[i64],
    since: NaiveDateTime,
) -> QueryResult<Vec<(i64, i64)>> {
    let pairs: Vec<(Option<i64>, i64)> = reputation_events::table
        .filter(reputation_events::actor_id.eq_any(voters))
        .filter(reputation_events::reversal.eq(SERIAL_VOTING))
        .filter(reputation_events::reversed_at.ge(since))
        .select((reputation_events::actor_id, reputation_events::user_id))
        .distinct()
        .load(conn)?;
    Ok(pairs.into_iter().filter_map(|(voter, author)| Some((voter?, author))).collect())
}

/// A ledger row that stopped counting (taken back, reversed) or started again (restored): what
/// it moves on its member's kept figures.
#[derive(Debug, Clone, Copy, Queryable)]
pub struct Counted {
    /// Whose.
    pub user_id: i64,
    /// The rule (capped or not).
    pub reason: ReputationReason,
    /// What it granted.
    pub amount: i32,
    /// When (the day whose cap it counted against).
    pub created_at: NaiveDateTime,
}

/// The columns of a [`Counted`].
type CountedColumns =
    (reputation_events::user_id, reputation_events::reason, reputation_events::amount, reputation_events::created_at);
const COUNTED: CountedColumns =
    (reputation_events::user_id, reputation_events::reason, reputation_events::amount, reputation_events::created_at);

/// A ledger row about to be removed.
#[derive(Debug, Clone, Copy, Queryable)]
pub struct Recorded {
    /// Row id.
    pub id: i64,
    /// The post it is about.
    pub post_id: Option<i64>,
    /// Whose act earned it.
    pub actor_id: Option<i64>,
    /// Whether it counts (is not reversed).
    pub counting: bool,
    /// What it moved on its member's kept figures.
    pub counted: Counted,
}

/// The rows for `reasons` on the posts `post_ids` (from the acts of `actor_ids`, when given).
pub fn about(
    conn: &mut DbConnection,
    post_ids: &[i64],
    actor_ids: Option<&[i64]>,
    reasons: &[ReputationReason],
) -> QueryResult<Vec<Recorded>> {
    let mut query = reputation_events::table
        .filter(reputation_events::post_id.eq_any(post_ids))
        .filter(reputation_events::reason.eq_any(reasons))
        .select((
            reputation_events::id,
            reputation_events::post_id,
            reputation_events::actor_id,
            reputation_events::reversed_at.is_null(),
            COUNTED,
        ))
        .into_boxed();
    if let Some(actors) = actor_ids {
        query = query.filter(reputation_events::actor_id.eq_any(actors));
    }
    query.load(conn)
}

/// Deletes rows by id.
pub fn delete(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<usize> {
    if ids.is_empty() {
        return Ok(0);
    }
    diesel::delete(reputation_events::table.filter(reputation_events::id.eq_any(ids))).execute(conn)
}

/// Removes the rows for `reasons` on the posts `post_ids`: the act was undone. Returns the
/// removed rows that were counting.
pub fn remove(conn: &mut DbConnection, post_ids: &[i64], reasons: &[ReputationReason]) -> QueryResult<Vec<Counted>> {
    let rows = about(conn, post_ids, None, reasons)?;
    delete(conn, &rows.iter().map(|r| r.id).collect::<Vec<_>>())?;
    Ok(rows.into_iter().filter(|r| r.counting).map(|r| r.counted).collect())
}

/// What each of `user_ids` earned under the capped rules in the day that starts at
/// `day_start`, from the members' kept counters (0 for a counter of another day).
pub fn capped_earned(
    conn: &mut DbConnection,
    user_ids: &[i64],
    day_start: NaiveDateTime,
) -> QueryResult<Vec<(i64, i64)>> {
    let kept: Vec<(i64, Option<NaiveDateTime>, i64)> = users::table
        .filter(users::id.eq_any(user_ids))
        .select((users::id, users::capped_day, users::capped_earned))
        .load(conn)?;
    Ok(kept.into_iter().map(|(id, day, earned)| (id, if day == Some(day_start) { earned } else { 0 })).collect())
}

/// How moving a member's total moves the day's capped counter too.
#[derive(Debug, Clone, Copy)]
pub enum Capped {
    /// Capped grants of `amount` made in the day starting at `day`: they count, starting that
    /// day's count when the kept one is of an earlier day.
    Granted {
        /// The day's start.
        day: NaiveDateTime,
        /// What they granted.
        amount: i64,
    },
    /// Capped rows of `amount` from the day starting at `day`, taken back or restored: they move
    /// the count only while the kept count is that day's.
    Moved {
        /// The day's start.
        day: NaiveDateTime,
        /// What they move it by.
        amount: i64,
    },
}

/// Moves `user_id`'s kept total by `amount` (and the capped counter as `capped` says). One
/// UPDATE of arithmetic on the row, so two moves of one member at once (PostgreSQL) both count.
pub fn move_total(conn: &mut DbConnection, user_id: i64, amount: i64, capped: Option<Capped>) -> QueryResult<()> {
    let earned = users::reputation_earned + amount;
    // `reputation` is 1 plus what was earned, never below 1.
    let total = case_when(earned.lt(0_i64), 1_i64.into_sql::<BigInt>()).otherwise(earned + 1_i64);
    let target = users::table.find(user_id);
    let moved = match capped {
        None => {
            diesel::update(target).set((users::reputation_earned.eq(earned), users::reputation.eq(total))).execute(conn)
        }
        Some(Capped::Granted { day, amount: capped }) => {
            let today = case_when(users::capped_day.eq(day), users::capped_earned + capped)
                .otherwise(capped.into_sql::<BigInt>());
            diesel::update(target)
                .set((
                    users::reputation_earned.eq(earned),
                    users::reputation.eq(total),
                    users::capped_earned.eq(today),
                    users::capped_day.eq(Some(day)),
                ))
                .execute(conn)
        }
        Some(Capped::Moved { day, amount: capped }) => {
            let that_day =
                case_when(users::capped_day.eq(day), users::capped_earned + capped).otherwise(users::capped_earned);
            diesel::update(target)
                .set((
                    users::reputation_earned.eq(earned),
                    users::reputation.eq(total),
                    users::capped_earned.eq(that_day),
                ))
                .execute(conn)
        }
    };
    moved.map(drop)
}

/// Reverses (or, with `reversal` `None`, restores) every row about the posts `post_ids` that was
/// reversed for [`POST_DELETED`] or not at all; returns the rows that stopped (or started again)
/// counting.
pub fn set_post_reversal(
    conn: &mut DbConnection,
    post_ids: &[i64],
    reversal: Option<(NaiveDateTime, &'static str)>,
) -> QueryResult<Vec<Counted>> {
    let mut query = reputation_events::table
        .filter(reputation_events::post_id.eq_any(post_ids))
        .select((reputation_events::id, COUNTED))
        .into_boxed();
    query = match reversal {
        Some(_) => query.filter(reputation_events::reversed_at.is_null()),
        None => query.filter(reputation_events::reversal.eq(POST_DELETED)),
    };
    let rows: Vec<(i64, Counted)> = query.load(conn)?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = rows.iter().map(|(id, _)| *id).collect();
    let target = reputation_events::table.filter(reputation_events::id.eq_any(ids));
    let (at, why) = match reversal {
        Some((at, why)) => (Some(at), Some(why)),
        None => (None, None),
    };
    diesel::update(target)
        .set((reputation_events::reversed_at.eq(at), reputation_events::reversal.eq(why)))
        .execute(conn)?;
    Ok(rows.into_iter().map(|(_, row)| row).collect())
}

/// Pairs (voter, author) with at least `min_votes` unreversed upvotes from voter to author
/// since `since`, with how many.
pub fn vote_runs(conn: &mut DbConnection, since: NaiveDateTime, min_votes: i64) -> QueryResult<Vec<(i64, i64, i64)>> {
    let upvotes = [ReputationReason::QuestionUpvoted, ReputationReason::AnswerUpvoted];
    let runs: Vec<(Option<i64>, i64, i64)> = reputation_events::table
        .filter(reputation_events::created_at.ge(since))
        .filter(reputation_events::reason.eq_any(upvotes))
        .filter(reputation_events::reversed_at.is_null())
        .filter(reputation_events::actor_id.is_not_null())
        .group_by((reputation_events::actor_id, reputation_events::user_id))
        .having(count_star().ge(min_votes))
        .select((reputation_events::actor_id, reputation_events::user_id, count_star()))
        .load(conn)?;
    Ok(runs.into_iter().filter_map(|(voter, author, n)| Some((voter?, author, n))).collect())
}

/// Reverses every unreversed upvote row from `voter` to `author` since `since`; returns how many.
pub fn reverse_run(
    conn: &mut DbConnection,
    voter: i64,
    author: i64,
    since: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let upvotes = [ReputationReason::QuestionUpvoted, ReputationReason::AnswerUpvoted];
    diesel::update(
        reputation_events::table
            .filter(reputation_events::actor_id.eq(voter))
            .filter(reputation_events::user_id.eq(author))
            .filter(reputation_events::created_at.ge(since))
            .filter(reputation_events::reason.eq_any(upvotes))
            .filter(reputation_events::reversed_at.is_null()),
    )
    .set((reputation_events::reversed_at.eq(now), reputation_events::reversal.eq(SERIAL_VOTING)))
    .execute(conn)
}

/// Sets `user_id`'s kept total and the capped counter of the day starting at `day_start` from
/// the ledger: after a run of serial votes was reversed, and to check the kept figures.
pub fn recompute_total(conn: &mut DbConnection, user_id: i64, day_start: NaiveDateTime) -> QueryResult<i64> {
    let counting = reputation_events::table
        .filter(reputation_events::user_id.eq(user_id))
        .filter(reputation_events::reversed_at.is_null());
    let earned: Option<i64> = counting.select(sum(reputation_events::amount)).first(conn)?;
    let capped_today: Option<i64> = counting
        .filter(reputation_events::created_at.ge(day_start))
        .filter(reputation_events::reason.eq_any(ReputationReason::CAPPED))
        .select(sum(reputation_events::amount))
        .first(conn)?;
    let earned = earned.unwrap_or(0);
    let reputation = (1 + earned).max(1);
    diesel::update(users::table.find(user_id))
        .set((
            users::reputation.eq(reputation),
            users::reputation_earned.eq(earned),
            users::capped_day.eq(Some(day_start)),
            users::capped_earned.eq(capped_today.unwrap_or(0)),
        ))
        .execute(conn)?;
    Ok(reputation)
}

/// A ledger row as the profile lists it, with its post's question and title.
#[derive(Debug, Clone)]
pub struct ExplainedEvent {
    /// The row.
    pub event: ReputationEvent,
    /// The question the post belongs to (itself for a question).
    pub question_id: Option<i64>,
}

/// The member's ledger, newest first, `limit` rows before row `before` (all when `None`).
pub fn of_user(
    conn: &mut DbConnection,
    user_id: i64,
    before: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<ExplainedEvent>> {
    let mut query = reputation_events::table
        .left_join(posts::table)
        .filter(reputation_events::user_id.eq(user_id))
        .order(reputation_events::id.desc())
        .limit(limit)
        .select((ReputationEvent::as_select(), posts::id.nullable(), posts::question_id.nullable()))
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(reputation_events::id.lt(before));
    }
    let rows: Vec<(ReputationEvent, Option<i64>, Option<i64>)> = query.load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(event, post, question)| ExplainedEvent { event, question_id: question.or(post) })
        .collect())
}
