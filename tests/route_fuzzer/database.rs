//! What the fuzzer reads and puts back in the database: the fingerprint a refused request must
//! leave unchanged, the visitors' accounts and the seeded posts that accepted requests changed.
//! It never sends a request.

use diesel::prelude::*;
use guidepost::db::schema::{posts, users};
use guidepost::db::DbConnection;

use crate::common::TestApp;

/// Numbers a rejected request must leave as they were: rows, and the state of the rows that
/// handlers change (hidden, closed, locked, scores, bodies, accounts). Not view counts, search
/// logs or notification read marks, which reading pages changes by design.
const METRICS: &[(&str, &str, &str)] = &[
    ("posts", "COUNT(*)", "posts"),
    ("deleted posts", "COUNT(deleted_at)", "posts"),
    ("closed posts", "COUNT(closed_at)", "posts"),
    ("locked posts", "COUNT(locked_at)", "posts"),
    ("held posts", "COUNT(held_reason)", "posts"),
    ("edited posts", "COUNT(edited_at)", "posts"),
    ("accepted answers", "COUNT(accepted_answer_id)", "posts"),
    ("official answers", "COUNT(official_kind)", "posts"),
    ("post scores", "COALESCE(SUM(score), 0)", "posts"),
    ("answer counts", "COALESCE(SUM(answer_count), 0)", "posts"),
    ("comment counts", "COALESCE(SUM(comment_count), 0)", "posts"),
    ("post text", "COALESCE(SUM(LENGTH(body_markdown) + LENGTH(COALESCE(title, '')) + LENGTH(COALESCE(tags, ''))), 0)", "posts"),
    ("comments", "COUNT(*)", "comments"),
    ("deleted comments", "COUNT(deleted_at)", "comments"),
    ("votes", "COUNT(*)", "votes"),
    ("vote values", "COALESCE(SUM(value), 0)", "votes"),
    ("flags", "COUNT(*)", "flags"),
    ("handled flags", "COUNT(handled_at)", "flags"),
    ("revisions", "COUNT(*)", "revisions"),
    ("watches", "COUNT(*)", "watches"),
    ("tags", "COUNT(*)", "tags"),
    ("post tags", "COUNT(*)", "post_tags"),
    ("users", "COUNT(*)", "users"),
    ("suspended users", "COUNT(suspended_at)", "users"),
    ("session epochs", "COALESCE(SUM(session_epoch), 0)", "users"),
    ("verified users", "COUNT(email_verified_at)", "users"),
    ("passwords", "COUNT(password_hash)", "users"),
    (
        "account text",
        "COALESCE(SUM(LENGTH(role) + LENGTH(COALESCE(email, '')) + LENGTH(display_name) + LENGTH(email_preference)), 0)",
        "users",
    ),
    ("tokens", "COUNT(*)", "auth_tokens"),
    ("used tokens", "COUNT(used_at)", "auth_tokens"),
    ("mail", "COUNT(*)", "mail_outbox"),
    ("audit entries", "COUNT(*)", "audit_log"),
];

#[derive(QueryableByName)]
struct Metric {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    #[expect(dead_code, reason = "read only to order the rows")]
    k: i32,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// Every metric, in one round trip.
pub(crate) fn fingerprint(app: &TestApp) -> Vec<i64> {
    let sql = METRICS
        .iter()
        .enumerate()
        .map(|(k, (_, expr, table))| format!("SELECT {k} AS k, CAST({expr} AS BIGINT) AS n FROM {table}"))
        .collect::<Vec<_>>()
        .join(" UNION ALL ")
        + " ORDER BY k";
    app.with_db(|conn| {
        let rows: Vec<Metric> = match conn {
            DbConnection::Sqlite(c) => diesel::sql_query(&sql).load(c),
            DbConnection::Postgresql(c) => diesel::sql_query(&sql).load(c),
        }
        .expect("read the fingerprint");
        assert_eq!(rows.len(), METRICS.len(), "one row per metric");
        rows.into_iter().map(|m| m.n).collect()
    })
}

/// What a visitor's account must be for their cookies to keep working.
pub(crate) type Account = (i64, String, Option<chrono::NaiveDateTime>, i64, Option<String>, Option<String>);

pub(crate) fn accounts(app: &TestApp) -> Vec<Account> {
    let names = ["mia", "stan", "moe", "ada"];
    app.with_db(|conn| {
        users::table
            .filter(users::username.eq_any(names))
            .order(users::id)
            .select((
                users::id,
                users::role,
                users::suspended_at,
                users::session_epoch,
                users::password_hash,
                users::email,
            ))
            .load(conn)
            .unwrap()
    })
}

/// Puts the visitors' accounts back after a request changed them (a role, a suspension, a
/// password, "sign out everywhere"), so the rest of the run still reaches the handlers as them.
pub(crate) fn restore(app: &TestApp, saved: &[Account]) {
    if accounts(app) == saved {
        return;
    }
    app.with_db(|conn| {
        for (id, role, suspended_at, epoch, password_hash, email) in saved {
            diesel::update(users::table.find(id))
                .set((
                    users::role.eq(role),
                    users::suspended_at.eq(suspended_at),
                    users::session_epoch.eq(epoch),
                    users::password_hash.eq(password_hash),
                    users::email.eq(email),
                ))
                .execute(conn)
                .unwrap();
        }
    });
}

/// The posts of the seeded site that are not deleted.
pub(crate) fn visible_posts(app: &TestApp) -> Vec<i64> {
    app.with_db(|c| posts::table.filter(posts::deleted_at.is_null()).select(posts::id).load(c).unwrap())
}

/// Brings back the seeded posts requests deleted (one by one, or a member's all at once "as spam"),
/// so the routes fuzzed later still find a site with content.
pub(crate) fn bring_back(app: &TestApp, seeded: &[i64]) {
    use guidepost::services::moderation::{self, PostAction};
    app.with_feed(|conn, feed| {
        let deleted: Vec<i64> = posts::table
            .filter(posts::id.eq_any(seeded))
            .filter(posts::deleted_at.is_not_null())
            // Questions before their answers.
            .order((posts::kind.desc(), posts::id))
            .select(posts::id)
            .load(conn)
            .unwrap();
        if deleted.is_empty() {
            return;
        }
        let admin = users::table.filter(users::username.eq("ada")).select(users::id).first(conn).unwrap();
        let admin = guidepost::db::models::users::find(conn, admin).unwrap().unwrap();
        let admin = guidepost::services::actor::Actor::from_user(&admin);
        let now = chrono::Utc::now().naive_utc();
        for id in deleted {
            // An answer whose question stays deleted cannot come back; the run goes on without it.
            let _ = moderation::act(conn, feed, &admin, id, PostAction::Undelete, None, now);
        }
    });
}

/// The metrics that differ between two fingerprints, as "label before -> after".
pub(crate) fn changes(before: &[i64], after: &[i64]) -> Vec<String> {
    METRICS
        .iter()
        .zip(before.iter().zip(after))
        .filter(|(_, (a, b))| a != b)
        .map(|((label, _, _), (a, b))| format!("{label} {a} -> {b}"))
        .collect()
}
