//! A server's SQLite connections leave checkpoints to the server's checkpointer thread: no commit
//! copies the write-ahead log back (it would hold the write turn meanwhile), and a checkpoint
//! copies every frame. PostgreSQL keeps its own log and has nothing to checkpoint.

use crate::common;

use diesel::connection::SimpleConnection;
use std::time::Instant;

use guidepost::db::checkpointer::{checkpoint_now, Checkpointer, EVERY};
use guidepost::db::{connect_with, write_transaction, Checkpoints, DbConnection};

use common::TestApp;

/// Log frames: well past SQLite's automatic checkpoint at 1,000.
const ROWS: usize = 1_500;

/// Writes `ROWS` commits of one 8,000-byte row each through a pool opened with `checkpoints`,
/// then checkpoints; returns what the checkpoint found and copied.
fn log_after_writes(app: &TestApp, checkpoints: Checkpoints, table: &str) -> Option<(i32, i32)> {
    let pool = connect_with(&app.db.url, 2, checkpoints).unwrap();
    let mut conn = pool.get().unwrap();
    let conn: &mut DbConnection = &mut conn;
    if matches!(conn, DbConnection::Sqlite(_)) {
        conn.batch_execute(&format!("CREATE TABLE {table} (filler BLOB)")).unwrap();
        for _ in 0..ROWS {
            conn.batch_execute(&format!("INSERT INTO {table} VALUES (randomblob(8000))")).unwrap();
        }
    }
    checkpoint_now(conn).unwrap().map(|c| {
        assert_eq!(c.busy, 0);
        (c.log, c.checkpointed)
    })
}

async fn the_servers_commits_leave_the_log_to_the_checkpointer(app: TestApp) {
    match log_after_writes(&app, Checkpoints::Background, "filler_background") {
        Some((log, checkpointed)) => {
            assert!(log as usize >= ROWS, "no commit checkpointed: {log} frames waited");
            assert_eq!(checkpointed, log, "the checkpoint copied every frame");
        }
        None => assert!(!matches!(app.db.url, guidepost::config::DatabaseUrl::Sqlite(_))),
    }
    // The CLI's and the tests' connections keep SQLite's automatic checkpoints.
    if let Some((log, _)) = log_after_writes(&app, Checkpoints::Automatic, "filler_automatic") {
        assert!(log < 1_100, "commits checkpointed along the way: {log} frames left");
    }
}

/// A writer that never stops (one commit after another) for many checkpointer rounds: the log
/// must start again from its beginning now and then, not grow for as long as the writes go on.
async fn the_log_starts_again_under_writes_that_never_stop(app: TestApp) {
    let pool = connect_with(&app.db.url, 2, Checkpoints::Background).unwrap();
    let mut conn = pool.get().unwrap();
    let conn: &mut DbConnection = &mut conn;
    if !matches!(conn, DbConnection::Sqlite(_)) {
        assert_eq!(checkpoint_now(conn).unwrap(), None, "PostgreSQL has no log of ours to copy");
        return;
    }
    conn.batch_execute("CREATE TABLE filler_nonstop (filler BLOB)").unwrap();
    let _checkpointer = Checkpointer::start(pool.clone()).unwrap();
    let started = Instant::now();
    let mut commits = 0_i32;
    while started.elapsed() < EVERY * 8 || commits < 1_000 {
        write_transaction(conn, |c| c.batch_execute("INSERT INTO filler_nonstop VALUES (randomblob(3000))")).unwrap();
        commits += 1;
    }
    let log = checkpoint_now(conn).unwrap().unwrap().log;
    assert!(log < commits / 2, "{commits} commits, and {log} frames in the log: it never started again");
}

on_both_backends!(
    the_servers_commits_leave_the_log_to_the_checkpointer,
    the_log_starts_again_under_writes_that_never_stop
);
