//! The search index survives its server being killed, and `guidepost reindex` swaps in a fresh
//! index under a running server. Drives the real binary; questions are written through the
//! services straight into the database, as another node would.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test should fail loudly at the first surprise")]

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use guidepost::db::{self, DbPool};
use guidepost::roles::Role;
use guidepost::services::accounts::{self, NewAccount};
use guidepost::services::actor::Actor;
use guidepost::services::policy::PostingPolicy;
use guidepost::services::questions::{self, Ask};

use common::cli::{guidepost, run, text};
use common::mail::free_port;
use common::TestDb;

/// A word every generated question shares, so one search counts them all.
const SHARED_WORD: &str = "zephyrine";

fn start_server(db: &TestDb, port: u16) -> Child {
    let child = guidepost(db, &["serve"])
        .env("GUIDEPOST_BIND", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start server");
    let deadline = Instant::now() + Duration::from_secs(30);
    while http_get(port, "/healthz").is_none() {
        assert!(Instant::now() < deadline, "server did not come up");
        std::thread::sleep(Duration::from_millis(50));
    }
    child
}

fn stop(mut child: Child, signal: &str) -> String {
    let sent = Command::new("kill").args([signal, &child.id().to_string()]).status().expect("kill");
    assert!(sent.success());
    child.wait().expect("server exit");
    let mut log = String::new();
    child.stderr.take().unwrap().read_to_string(&mut log).unwrap();
    log
}

fn http_get(port: u16, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    Some(response)
}

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

fn member(pool: &DbPool) -> Actor {
    let mut conn = pool.get().unwrap();
    let account = NewAccount {
        username: "writer".into(),
        email: "writer@example.com".into(),
        password: None,
        role: Role::Member,
        email_verified: true,
    };
    Actor::from_user(&accounts::create(&mut conn, account, chrono::Utc::now().naive_utc()).unwrap())
}

fn ask_many(pool: &DbPool, actor: &Actor, from: usize, to: usize) {
    let mut conn = pool.get().unwrap();
    let policy =
        PostingPolicy { require_verified_email: false, allow_images: false, moderation: common::NO_POSTING_LIMITS };
    for n in from..to {
        let ask = Ask {
            title: format!("Generated question number {n} about the {SHARED_WORD} valve"),
            body: format!("Body of question {n}: the {SHARED_WORD} valve leaks after service number {n}."),
            tags: "valves".into(),
        };
        questions::ask(&mut conn, actor, policy, ask, chrono::Utc::now().naive_utc()).unwrap();
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

    let server = start_server(&db, port);
    ask_many(&pool, &actor, 0, 400);
    // Killed without warning while it is most likely still applying those changes.
    let first_log = stop(server, "-KILL");
    assert!(first_log.contains("building the search index"), "the first start builds an index:\n{first_log}");
    ask_many(&pool, &actor, 400, 450);

    // Restarted, it catches up from the cursor stored in its last commit: nothing lost, no rebuild.
    let server = start_server(&db, port);
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
        // Paced, so the test's closed connections do not use up the ports on a busy machine.
        std::thread::sleep(Duration::from_millis(20));
    }
    ask_many(&pool, &actor, 450, 451);
    wait_for_count(port, SHARED_WORD, 451);
    let after = index_folders(&db);
    assert_eq!(after.len(), 1, "the old index folder is removed: {after:?}");
    assert_ne!(after, before);

    let log = stop(server, "-TERM");
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
