//! The `gap_waiters` and `gap_answers` tables: who asked to be told when a FAQ gap is answered,
//! and the answer staff linked to each gap.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{gap_answers, gap_waiters, users};
use crate::db::DbConnection;

/// Someone waiting: a member (by account) or a visitor (by the address they left).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Waiter {
    /// A signed-in member; mailed at the account's address when the answer comes.
    Member(i64),
    /// A visitor's address, normalised.
    Address(String),
}

/// Adds a waiter for `query`; returns whether it is new (the same person asking again is not).
pub fn insert(conn: &mut DbConnection, query: &str, waiter: &Waiter, now: NaiveDateTime) -> QueryResult<bool> {
    let (user_id, email) = match waiter {
        Waiter::Member(id) => (Some(*id), None),
        Waiter::Address(address) => (None, Some(address.as_str())),
    };
    let row = (
        gap_waiters::query.eq(query),
        gap_waiters::user_id.eq(user_id),
        gap_waiters::email.eq(email),
        gap_waiters::created_at.eq(now),
    );
    // MultiConnection has no ON CONFLICT; each backend spells "insert unless present" its own way.
    let added = match conn {
        DbConnection::Postgresql(pg) => {
            diesel::insert_into(gap_waiters::table).values(row).on_conflict_do_nothing().execute(pg)?
        }
        DbConnection::Sqlite(lite) => diesel::insert_or_ignore_into(gap_waiters::table).values(row).execute(lite)?,
    };
    Ok(added == 1)
}

/// Whether a member is already waiting for `query`.
pub fn member_waits(conn: &mut DbConnection, query: &str, user_id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        gap_waiters::table.filter(gap_waiters::query.eq(query)).filter(gap_waiters::user_id.eq(user_id)),
    ))
    .get_result(conn)
}

/// The addresses to tell about `query`: visitors' as they left them, members' as their accounts
/// have them now (suspended members are left out).
pub fn addresses_for(conn: &mut DbConnection, query: &str) -> QueryResult<Vec<String>> {
    let mut addresses: Vec<String> = gap_waiters::table
        .filter(gap_waiters::query.eq(query))
        .filter(gap_waiters::email.is_not_null())
        .select(gap_waiters::email.assume_not_null())
        .load(conn)?;
    let members: Vec<String> = gap_waiters::table
        .inner_join(users::table)
        .filter(gap_waiters::query.eq(query))
        .filter(users::suspended_at.is_null())
        .filter(users::email.is_not_null())
        .select(users::email.assume_not_null())
        .load(conn)?;
    addresses.extend(members);
    addresses.sort_unstable();
    // A visitor who later signed up with the same address is told once.
    addresses.dedup();
    Ok(addresses)
}

/// Deletes every waiter of `query`; returns how many there were.
pub fn delete_for(conn: &mut DbConnection, query: &str) -> QueryResult<usize> {
    diesel::delete(gap_waiters::table.filter(gap_waiters::query.eq(query))).execute(conn)
}

/// Deletes waiters who have waited since before `before`; returns how many.
pub fn delete_older_than(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(gap_waiters::table.filter(gap_waiters::created_at.lt(before))).execute(conn)
}

/// How many are waiting, by query, for the `limit` queries most waited for.
pub fn waiting_counts(conn: &mut DbConnection, limit: i64) -> QueryResult<Vec<(String, i64)>> {
    use diesel::dsl::count_star;
    gap_waiters::table
        .group_by(gap_waiters::query)
        .select((gap_waiters::query, count_star()))
        .order((count_star().desc(), gap_waiters::query))
        .limit(limit)
        .load(conn)
}

/// How many are waiting for each of `queries` (queries nobody waits for are absent).
pub fn waiting_for(conn: &mut DbConnection, queries: &[String]) -> QueryResult<HashMap<String, i64>> {
    use diesel::dsl::count_star;
    let rows: Vec<(String, i64)> = gap_waiters::table
        .filter(gap_waiters::query.eq_any(queries))
        .group_by(gap_waiters::query)
        .select((gap_waiters::query, count_star()))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// Records the answer linked to `query`; returns false when the gap already has one.
pub fn link_answer(
    conn: &mut DbConnection,
    query: &str,
    question_id: i64,
    linked_by: i64,
    mailed: i32,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let row = (
        gap_answers::query.eq(query),
        gap_answers::question_id.eq(question_id),
        gap_answers::linked_by.eq(linked_by),
        gap_answers::mailed.eq(mailed),
        gap_answers::linked_at.eq(now),
    );
    let added = match conn {
        DbConnection::Postgresql(pg) => {
            diesel::insert_into(gap_answers::table).values(row).on_conflict_do_nothing().execute(pg)?
        }
        DbConnection::Sqlite(lite) => diesel::insert_or_ignore_into(gap_answers::table).values(row).execute(lite)?,
    };
    Ok(added == 1)
}

/// Forgets the answer linked to `query` (its question is gone, and another may be linked).
pub fn unlink_answer(conn: &mut DbConnection, query: &str) -> QueryResult<usize> {
    diesel::delete(gap_answers::table.find(query)).execute(conn)
}

/// The question linked to `query`, if staff linked one.
pub fn answer_of(conn: &mut DbConnection, query: &str) -> QueryResult<Option<i64>> {
    gap_answers::table.find(query).select(gap_answers::question_id).first(conn).optional()
}

/// Which of `queries` have a linked answer.
pub fn answered_among(conn: &mut DbConnection, queries: &[String]) -> QueryResult<Vec<String>> {
    gap_answers::table.filter(gap_answers::query.eq_any(queries)).select(gap_answers::query).load(conn)
}

/// A gap staff answered: the query, the question linked and how many were told.
#[derive(Debug, Clone, Queryable, serde::Serialize)]
pub struct AnsweredGap {
    /// The normalised query.
    pub query: String,
    /// The question linked to it.
    pub question_id: i64,
    /// People mailed when it was linked.
    pub mailed: i32,
    /// When.
    pub linked_at: NaiveDateTime,
}

/// The gaps answered most recently, newest first.
pub fn recently_answered(conn: &mut DbConnection, limit: i64) -> QueryResult<Vec<AnsweredGap>> {
    gap_answers::table
        .select((gap_answers::query, gap_answers::question_id, gap_answers::mailed, gap_answers::linked_at))
        .order(gap_answers::linked_at.desc())
        .limit(limit)
        .load(conn)
}
