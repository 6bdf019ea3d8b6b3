//! The search index survives its server being killed, and `guidepost reindex` swaps in a fresh
//! index under a running server. Drives the real binary; questions are written through the
//! services straight into the database, as another node would.

use crate::common;

use std::time::{Duration, Instant};

use guidepost::changes::consumers::search::SearchQueue;
use guidepost::changes::ChangeFeed;
use guidepost::db::{self, DbPool};
use guidepost::roles::Role;
use guidepost::services::accounts::{self, NewAccount};
use guidepost::services::actor::Actor;
use guidepost::services::questions::{self, Ask};

use common::cli::{guidepost, http_get, run, text, Server};
use common::mail::free_port;
use common::TestDb;

/// A word every generated question shares, so one search counts them all.
const SHARED_WORD: &str = "zephyrine";

/// The result count the search page reports for `word`.
fn count_found(port: u16, word: &str) -> usize {
    let page = http_get(port, &format!("/search?q={word}")).expect("search page");
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    let marker = "role=\"status\">";
    let at = page.find(marker).expect("a result count");
    page[at + marker.len()..].split_whitespace().next().unwrap().parse().unwrap()
}

fn wait_for_count(port: u16, word: &str, expected: usize) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let found = count_found(port, word);
        if found == expected {
            return;
        }
        assert!(Instant::now() < deadline, "search for {word} found {found}, expected {expected}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// How another process (the CLI, say) writes: through the search queue alone, no site to wake.
fn feed() -> ChangeFeed {
    ChangeFeed::new(vec![std::sync::Arc::new(SearchQueue)])
}

fn member(pool: &DbPool) -> Actor {
    let mut conn = pool.get().unwrap();
    let account = NewAccount {
        username: "writer".into(),
        email: "writer@example.com".into(),
        password: None,
        role: Role::Member,
        email_verified: true,
    };
    Actor::from_user(&accounts::create(&mut conn, &feed(), account, chrono::Utc::now().naive_utc()).unwrap())
}

fn ask_many(pool: &DbPool, actor: &Actor, from: usize, to: usize) {
    let mut conn = pool.get().unwrap();
    let feed = feed();
    let policy = common::open_posting_policy();
    for n in from..to {
        let ask = Ask {
            title: format!("Generated question number {n} about the {SHARED_WORD} valve"),
            body: format!("Body of question {n}: the {SHARED_WORD} valve leaks after service number {n}."),
            tags: "valves".into(),
        };
        questions::ask(&mut conn, &feed, actor, policy, ask.prepare(&policy).unwrap(), chrono::Utc::now().naive_utc())
            .unwrap();
    }
}

fn index_folders(db: &TestDb) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(db.dir.path().join("search"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("index-"))
        .collect();
    names.sort();
    names
}

fn killed_mid_batch_then_reindexed(db: TestDb) {
    let migrated = run(&mut guidepost(&db, &["migrate"]));
    assert!(migrated.status.success(), "{}", text(&migrated.stderr));
    let pool = db::connect(&db.url, 4).unwrap();
    let actor = member(&pool);
    let port = free_port();

    let server = Server::start_on(&mut guidepost(&db, &["serve"]), port);
    ask_many(&pool, &actor, 0, 400);
    // Killed without warning while it is most likely still applying those changes.
    let (_, first_log) = server.stop("-KILL", Duration::from_secs(10));
    assert!(first_log.contains("building the search index"), "the first start builds an index:\n{first_log}");
    ask_many(&pool, &actor, 400, 450);

    // Restarted, it catches up from the cursor stored in its last commit: nothing lost, no rebuild.
    let server = Server::start_on(&mut guidepost(&db, &["serve"]), port);
    wait_for_count(port, SHARED_WORD, 450);
    let before = index_folders(&db);
    assert_eq!(before.len(), 1, "{before:?}");

    // `guidepost reindex` builds a new folder beside the live one and switches the server to it.
    let reindexed = run(&mut guidepost(&db, &["reindex"]));
    assert!(reindexed.status.success(), "{}", text(&reindexed.stderr));
    assert!(text(&reindexed.stdout).contains("indexed 450 questions"), "{}", text(&reindexed.stdout));
    // The server moves over within a second; every search meanwhile and after finds them all
    // (none is answered from results cached for the old index).
    let watched = Instant::now();
    while watched.elapsed() < Duration::from_millis(1500) {
        assert_eq!(count_found(port, SHARED_WORD), 450, "searches keep working across the switch");
        // Often enough to see each of the switch's steps, which take a few hundred milliseconds.
        std::thread::sleep(Duration::from_millis(20));
    }
    ask_many(&pool, &actor, 450, 451);
    wait_for_count(port, SHARED_WORD, 451);
    let after = index_folders(&db);
    assert_eq!(after.len(), 1, "the old index folder is removed: {after:?}");
    assert_ne!(after, before);

    let (status, log) = server.stop("-TERM", Duration::from_secs(20));
    assert!(status.success(), "exit status {status}; log:\n{log}");
    assert!(!log.contains("building the search index"), "a restart catches up, it does not rebuild:\n{log}");
    assert!(log.contains("switched to the newly built search index"), "{log}");
}

#[test]
fn search_recovery_on_sqlite() {
    killed_mid_batch_then_reindexed(TestDb::sqlite());
}

#[test]
fn search_recovery_on_postgres() {
    match TestDb::postgres() {
        Some(db) => killed_mid_batch_then_reindexed(db),
        None => eprintln!("skipped: GUIDEPOST_TEST_POSTGRES_URL is not set"),
    }
}
