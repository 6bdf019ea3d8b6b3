//! Every migration runs up, down and up again on both backends, and a second run is a no-op.

use crate::common;

use diesel::connection::SimpleConnection;
use guidepost::db::{self, migrations};

use common::TestDb;

fn round_trip(db: TestDb) {
    let pool = db::connect(&db.url, 2).expect("connect");
    let mut conn = pool.get().expect("connection");
    let applied = migrations::run_pending(&mut conn).expect("first run");
    assert!(!applied.is_empty(), "no migrations were embedded");
    assert!(migrations::run_pending(&mut conn).expect("second run").is_empty(), "second run was not a no-op");
    assert!(migrations::pending(&mut conn).expect("pending").is_empty());

    let reverted = migrations::revert_all(&mut conn).expect("down");
    assert_eq!(reverted.len(), applied.len(), "every migration must revert");
    assert!(conn.batch_execute("SELECT id FROM users").is_err(), "down left the users table behind");
    assert_eq!(migrations::pending(&mut conn).expect("pending").len(), applied.len());

    let again = migrations::run_pending(&mut conn).expect("up again");
    assert_eq!(again, applied);
    conn.batch_execute("SELECT id, username_key, session_epoch FROM users").expect("users table is back");
}

/// The migration that keeps reputation totals on the member's row fills them from a ledger that
/// already has rows: the raw sum of the rows that count, and today's capped earnings.
fn reputation_counters_are_filled_from_the_ledger(db: TestDb) {
    use diesel::sql_types::{BigInt, Nullable, Timestamp};
    use diesel::RunQueryDsl;

    const COUNTERS: &str = "20261207000001";
    let pool = db::connect(&db.url, 2).expect("connect");
    let mut conn = pool.get().expect("connection");
    migrations::run_pending(&mut conn).expect("migrations");
    while migrations::revert_last(&mut conn).expect("revert") != COUNTERS {}
    let now = chrono::Utc::now().naive_utc();
    let yesterday = now - chrono::Duration::days(1);
    let today = now.date().and_time(chrono::NaiveTime::MIN);
    diesel::sql_query(
        "INSERT INTO users (id, username, username_key, display_name, created_at) VALUES
         (1, 'wilma', 'wilma', 'Wilma', $1), (2, 'fred', 'fred', 'Fred', $1), (3, 'barney', 'barney', 'Barney', $1)",
    )
    .bind::<Timestamp, _>(now)
    .execute(&mut *conn)
    .expect("members");
    // Wilma: two upvotes today, one yesterday, one reversed today, an acceptance today.
    // Barney: one downvote received, below the floor of 1.
    diesel::sql_query(
        "INSERT INTO reputation_events (user_id, reason, amount, actor_id, created_at, reversed_at, reversal) VALUES
         (1, 'answer_upvoted', 10, 2, $1, NULL, NULL),
         (1, 'question_upvoted', 5, 2, $1, NULL, NULL),
         (1, 'answer_upvoted', 10, 2, $2, NULL, NULL),
         (1, 'answer_upvoted', 10, 3, $1, $1, 'serial_voting'),
         (1, 'answer_accepted', 15, 2, $1, NULL, NULL),
         (3, 'answer_downvoted', -2, 2, $1, NULL, NULL)",
    )
    .bind::<Timestamp, _>(now)
    .bind::<Timestamp, _>(yesterday)
    .execute(&mut *conn)
    .expect("ledger");
    migrations::run_pending(&mut conn).expect("the counters migration");

    #[derive(diesel::QueryableByName, Debug, PartialEq)]
    struct Kept {
        #[diesel(sql_type = BigInt)]
        reputation_earned: i64,
        #[diesel(sql_type = Nullable<Timestamp>)]
        capped_day: Option<chrono::NaiveDateTime>,
        #[diesel(sql_type = BigInt)]
        capped_earned: i64,
    }
    let kept: Vec<Kept> =
        diesel::sql_query("SELECT reputation_earned, capped_day, capped_earned FROM users ORDER BY id")
            .load(&mut *conn)
            .expect("kept figures");
    let expected = [(40, 15), (0, 0), (-2, 0)];
    for (kept, (earned, capped)) in kept.iter().zip(expected) {
        assert_eq!((kept.reputation_earned, kept.capped_earned), (earned, capped), "{kept:?}");
        assert_eq!(kept.capped_day, Some(today), "the counters count today");
    }
}

#[test]
fn reputation_counters_are_filled_from_the_ledger_on_sqlite() {
    reputation_counters_are_filled_from_the_ledger(TestDb::sqlite());
}

#[test]
fn reputation_counters_are_filled_from_the_ledger_on_postgres() {
    match TestDb::postgres() {
        Some(db) => reputation_counters_are_filled_from_the_ledger(db),
        None => eprintln!("skipped: GUIDEPOST_TEST_POSTGRES_URL is not set"),
    }
}

#[test]
fn migrations_round_trip_on_sqlite() {
    round_trip(TestDb::sqlite());
}

#[test]
fn migrations_round_trip_on_postgres() {
    match TestDb::postgres() {
        Some(db) => round_trip(db),
        None => eprintln!("skipped: GUIDEPOST_TEST_POSTGRES_URL is not set"),
    }
}

#[test]
fn sqlite_connections_use_wal_foreign_keys_and_8k_pages() {
    use diesel::sql_types::{BigInt, Text};
    use diesel::RunQueryDsl;

    #[derive(diesel::QueryableByName)]
    struct Mode {
        #[diesel(sql_type = Text)]
        journal_mode: String,
    }
    #[derive(diesel::QueryableByName)]
    struct Flag {
        #[diesel(sql_type = BigInt)]
        foreign_keys: i64,
    }
    #[derive(diesel::QueryableByName)]
    struct PageSize {
        #[diesel(sql_type = BigInt)]
        page_size: i64,
    }
    let db = TestDb::sqlite();
    let pool = db::connect(&db.url, 2).unwrap();
    let mut conn = pool.get().unwrap();
    let mode: Mode = diesel::sql_query("PRAGMA journal_mode").get_result(&mut *conn).unwrap();
    assert_eq!(mode.journal_mode, "wal");
    let flag: Flag = diesel::sql_query("PRAGMA foreign_keys").get_result(&mut *conn).unwrap();
    assert_eq!(flag.foreign_keys, 1);
    let pages: PageSize = diesel::sql_query("PRAGMA page_size").get_result(&mut *conn).unwrap();
    assert_eq!(pages.page_size, 8192, "a new database gets 8 KiB pages");
}

/// diesel knows a migration by the digits before its name: two folders with the same digits are
/// one migration to it, and the second is silently never applied (it happened: two branches
/// each added `2026-12-03-190001_…`). Each backend also needs the same folders.
#[test]
fn every_migration_has_its_own_version_on_both_backends() {
    let folders = |backend: &str| -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(format!("{}/migrations/{backend}", env!("CARGO_MANIFEST_DIR")))
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let sqlite = folders("sqlite");
    assert_eq!(sqlite, folders("postgres"), "the backends have the same migrations");
    let mut versions: Vec<String> =
        sqlite.iter().map(|name| name.split('_').next().unwrap().replace('-', "")).collect();
    let count = versions.len();
    versions.dedup();
    assert_eq!(versions.len(), count, "two migrations share a version: {sqlite:?}");
}
