//! The `guidepost` binary as an operator uses it: migrate, user management, clear errors, and a
//! server that starts, answers and stops cleanly on SIGTERM.

use crate::common;

use std::io::Write;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::cli::{assert_one_clear_error, guidepost, http_get, http_request, run, text, Server};
use common::mail::free_port;
use common::TestDb;

fn migrate_twice_and_manage_users(db: TestDb) {
    let first = run(guidepost(&db, &["migrate"]).env("RUST_LOG", "info"));
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert!(text(&first.stderr).contains("applied migrations"), "{}", text(&first.stderr));
    let second = run(&mut guidepost(&db, &["migrate"]));
    assert!(second.status.success());
    assert!(text(&second.stderr).contains("up to date"), "{}", text(&second.stderr));

    let created = run(&mut guidepost(
        &db,
        &["user", "create", "--username", "Ada", "--email", "Ada@Example.com", "--role", "admin"],
    ));
    assert!(created.status.success(), "{}", text(&created.stderr));
    let stdout = text(&created.stdout);
    assert!(stdout.contains("Created admin `Ada` <ada@example.com>"), "{stdout}");
    assert!(stdout.contains("https://forum.example/password/set/"), "{stdout}");

    let mut with_password =
        guidepost(&db, &["user", "create", "--username", "bob", "--email", "bob@example.com", "--password-stdin"]);
    let mut child = with_password.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(b"tulip-quartz-lantern\n").unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(!text(&output.stdout).contains("/password/set/"), "no link when a password was given");

    let duplicate = run(&mut guidepost(&db, &["user", "create", "--username", "ADA", "--email", "other@example.com"]));
    assert_one_clear_error(&duplicate, "username is taken");

    let promoted = run(&mut guidepost(&db, &["user", "set-role", "bob", "staff"]));
    assert!(promoted.status.success(), "{:?}: {}{}", promoted.status, text(&promoted.stdout), text(&promoted.stderr));
    assert_eq!(text(&promoted.stdout).trim(), "bob is now staff.");

    let bad_role = run(&mut guidepost(&db, &["user", "set-role", "bob", "king"]));
    assert!(!bad_role.status.success());
    assert!(text(&bad_role.stderr).contains("unknown role"), "{}", text(&bad_role.stderr));

    // Ada has no password yet, so she can be invited under another address; bob cannot.
    let invited = run(&mut guidepost(&db, &["user", "invite", "ada", "--email", "Ada@Elsewhere.example"]));
    assert!(invited.status.success(), "{}", text(&invited.stderr));
    let stdout = text(&invited.stdout);
    assert!(stdout.contains("Ada now has the address <ada@elsewhere.example>."), "{stdout}");
    assert!(stdout.contains("https://forum.example/password/set/"), "{stdout}");
    let can_sign_in = run(&mut guidepost(&db, &["user", "invite", "bob", "--email", "bob@elsewhere.example"]));
    assert_one_clear_error(&can_sign_in, "can already sign in");
    let bad_address = run(&mut guidepost(&db, &["user", "invite", "ada", "--email", "not an address"]));
    assert_one_clear_error(&bad_address, "valid email address");
    let nobody = run(&mut guidepost(&db, &["user", "invite", "zed", "--email", "zed@example.com"]));
    assert_one_clear_error(&nobody, "no user is called zed");
}

#[test]
fn cli_on_sqlite() {
    migrate_twice_and_manage_users(TestDb::sqlite());
}

#[test]
fn cli_on_postgres() {
    match TestDb::postgres() {
        Some(db) => migrate_twice_and_manage_users(db),
        None => eprintln!("skipped: GUIDEPOST_TEST_POSTGRES_URL is not set"),
    }
}

#[test]
fn the_first_admin_needs_no_migrate_on_a_fresh_install() {
    let db = TestDb::sqlite();
    let created = run(&mut guidepost(
        &db,
        &["user", "create", "--username", "root", "--email", "root@example.com", "--role", "admin"],
    ));
    assert!(created.status.success(), "{}", text(&created.stderr));
    assert!(text(&created.stdout).contains("Created admin `root`"), "{}", text(&created.stdout));
}

#[test]
fn unsupported_or_unreachable_databases_fail_with_one_line() {
    let db = TestDb::sqlite();
    let mysql = run(guidepost(&db, &["migrate"]).env("GUIDEPOST_DATABASE_URL", "mysql://x"));
    assert_one_clear_error(&mysql, "GUIDEPOST_DATABASE_URL");
    assert!(text(&mysql.stderr).contains("unsupported database `mysql`"));

    let started = Instant::now();
    let closed_port = free_port();
    let unreachable = run(guidepost(&db, &["serve"])
        .env("GUIDEPOST_DATABASE_URL", format!("postgres://postgres:secret-pw@127.0.0.1:{closed_port}/test")));
    assert_one_clear_error(&unreachable, "GUIDEPOST_DATABASE_URL");
    assert!(!text(&unreachable.stderr).contains("secret-pw"), "the password leaked into the error");
    assert!(started.elapsed() < Duration::from_secs(15), "took {:?}", started.elapsed());

    let bad_bind = run(guidepost(&db, &["serve"]).env("GUIDEPOST_BIND", "not-an-address"));
    assert_one_clear_error(&bad_bind, "GUIDEPOST_BIND");
}

#[test]
fn every_command_has_help() {
    let db = TestDb::sqlite();
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["migrate", "--help"],
        vec!["user", "--help"],
        vec!["user", "create", "--help"],
        vec!["user", "set-role", "--help"],
        vec!["user", "invite", "--help"],
    ] {
        let full = args.clone();
        let output = run(&mut guidepost(&db, &full));
        assert!(output.status.success(), "{args:?}");
        assert!(text(&output.stdout).contains("Usage:"), "{args:?}");
    }
}

#[test]
fn serve_answers_then_stops_on_sigterm() {
    let db = TestDb::sqlite();
    let port = free_port();
    let server = Server::start_on(&mut guidepost(&db, &["serve"]), port);
    let health = http_get(port, "/healthz").expect("health check");
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    let home = http_get(port, "/").expect("home page");
    assert!(home.starts_with("HTTP/1.1 200") && home.contains("Welcome to Guidepost"), "{home}");
    let missing = http_get(port, "/no-such-page").expect("404 page");
    assert!(missing.starts_with("HTTP/1.1 404") && missing.contains("<main"), "{missing}");
    // HEAD answers like GET, headers only.
    let head = http_request(port, "HEAD", "/").expect("HEAD /");
    assert!(head.starts_with("HTTP/1.1 200") && head.contains("content-type: text/html"), "{head}");
    assert!(!head.contains("Welcome to Guidepost"), "a HEAD response carried a body: {head}");

    let (status, stderr) = server.stop("-TERM", Duration::from_secs(20));
    assert!(status.success(), "exit status {status}; log:\n{stderr}");
    assert!(stderr.contains("Guidepost is ready") && stderr.contains("stopped"), "{stderr}");
    assert!(stderr.contains("multi-node deployments must set"), "{stderr}");
}
