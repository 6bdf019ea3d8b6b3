//! A SIGKILL between the commit of a question and its delivery loses nothing: the real
//! `guidepost serve` commits a question while the receiver is down, is killed, and once it is
//! started again (and the receiver is up) the delivery arrives, signed.

use std::time::Duration;

use guidepost::changes::ChangeFeed;
use guidepost::db::models::webhooks::deliveries;
use guidepost::roles::Role;
use guidepost::services::accounts::{self, NewAccount};
use guidepost::services::actor::Actor;
use guidepost::services::webhooks::{self as service, EndpointForm};

use super::assert_signed;
use crate::common::cli::{guidepost, run, text, HttpVisitor, Server};
use crate::common::mail::free_port;
use crate::common::members::PASSWORD;
use crate::common::receiver::Receiver;
use crate::common::TestDb;

/// Creates a confirmed account straight in the database, as `guidepost user create` would.
fn create_user(conn: &mut guidepost::db::DbConnection, username: &str, role: Role) -> Actor {
    let feed = ChangeFeed::new(Vec::new());
    let account = NewAccount {
        username: username.into(),
        email: format!("{username}@example.com"),
        password: Some(PASSWORD.into()),
        role,
        email_verified: true,
    };
    let user = accounts::create(conn, &feed, account, chrono::Utc::now().naive_utc()).unwrap();
    Actor::from_user(&guidepost::db::models::users::find(conn, user.id).unwrap().unwrap())
}

fn serve(db: &TestDb) -> std::process::Command {
    let mut serve = guidepost(db, &["serve"]);
    serve.env("GUIDEPOST_WEBHOOK_ALLOW_PRIVATE", "true").env("GUIDEPOST_MIN_FORM_SECONDS", "0");
    serve
}

fn a_kill_between_commit_and_delivery_loses_nothing(db: TestDb) {
    let migrated = run(&mut guidepost(&db, &["migrate"]));
    assert!(migrated.status.success(), "{}", text(&migrated.stderr));
    let receiver_port = free_port();
    let pool = guidepost::db::connect(&db.url, 2).unwrap();
    let endpoint = {
        let mut conn = pool.get().unwrap();
        let admin = create_user(&mut conn, "ada", Role::Admin);
        create_user(&mut conn, "fred", Role::Member);
        let form = EndpointForm {
            url: format!("http://127.0.0.1:{receiver_port}/hooks"),
            events: vec!["question.asked".to_owned()],
            format: "standard".to_owned(),
            tags: String::new(),
        };
        service::register(&mut conn, &admin, &form, chrono::Utc::now().naive_utc()).unwrap()
    };

    let port = free_port();
    let server = Server::start_on(&mut serve(&db), port);
    let mut fred = HttpVisitor::new(port);
    let form = fred.get("/login").unwrap();
    let token = form.hidden_value("csrf_token").unwrap();
    let signed_in =
        fred.post_form("/login", &[("login", "fred"), ("password", PASSWORD), ("csrf_token", &token)]).unwrap();
    assert_eq!(signed_in.status, 303, "{}", signed_in.body);
    let form = fred.get("/ask").unwrap();
    let token = form.hidden_value("csrf_token").unwrap();
    let stamp = form.hidden_value("form_started").unwrap_or_default();
    let asked = fred
        .post_form(
            "/ask",
            &[
                ("title", "Why did my red widget break in the rain?"),
                ("body", crate::common::forum::DETAILS),
                ("tags", "widgets"),
                ("website", ""),
                ("form_started", &stamp),
                ("csrf_token", &token),
            ],
        )
        .unwrap();
    assert_eq!(asked.status, 303, "{}", asked.body);

    // Committed, not delivered (the receiver is down): then the process dies.
    let log = deliveries::log_of(&mut pool.get().unwrap(), endpoint, 10).unwrap();
    assert_eq!(log.len(), 1);
    assert!(log[0].delivered_at.is_none());
    let (status, server_log) = server.stop("-KILL", Duration::from_secs(10));
    assert_eq!(std::os::unix::process::ExitStatusExt::signal(&status), Some(9), "{server_log}");

    let receiver = Receiver::start_on(receiver_port);
    let server = Server::start_on(&mut serve(&db), port);
    // At once if no attempt was made before the kill; when its retry falls due (30 s) if one
    // failed; when the dead node's claim runs out (60 s) if the kill cut an attempt short.
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    while receiver.received().is_empty() {
        if std::time::Instant::now() > deadline {
            let rows = deliveries::log_of(&mut pool.get().unwrap(), endpoint, 10).unwrap();
            panic!("not delivered after the restart: {rows:?}; log:\n{}", server.log());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let received = receiver.received();
    assert_eq!(received[0].json()["type"], "question.asked");
    assert_eq!(received[0].header("webhook-id"), log[0].message_id);
    let secret =
        guidepost::db::models::webhooks::endpoints::find(&mut pool.get().unwrap(), endpoint).unwrap().unwrap().secret;
    assert_signed(&received[0], &secret);
    let (status, server_log) = server.stop("-TERM", Duration::from_secs(20));
    assert!(status.success(), "{server_log}");
    assert!(!server_log.contains("panicked"), "{server_log}");
    assert_eq!(receiver.received().len(), 1, "delivered twice");
}

#[test]
fn a_kill_between_commit_and_delivery_loses_nothing_on_sqlite() {
    a_kill_between_commit_and_delivery_loses_nothing(TestDb::sqlite());
}

#[test]
fn a_kill_between_commit_and_delivery_loses_nothing_on_postgres() {
    match TestDb::postgres() {
        Some(db) => a_kill_between_commit_and_delivery_loses_nothing(db),
        None => eprintln!("skipped: GUIDEPOST_TEST_POSTGRES_URL is not set"),
    }
}
