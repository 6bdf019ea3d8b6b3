//! The mail worker as it runs in production: in the background of the app (woken by the outbox,
//! polling for other nodes' mail, stopping promptly), inside `guidepost serve`, and through
//! `guidepost mail test`, also over STARTTLS and implicit TLS (rustls, verifying the server);
//! bad mail settings end start-up with one clear line.

use crate::common;

use std::time::{Duration, Instant};

use guidepost::db::models::mail_outbox::{self, NewMail};
use guidepost::mail::worker::POLL_INTERVAL;
use guidepost::mail::{parse_sender, Letter, MailUrl, MailWorker};
use tera::Context;

use common::cli::{assert_one_clear_error, guidepost, run, text, Server};
use common::mail::{eml_files, free_port, SmtpServer, SmtpTls, TEST_CA};
use common::{TestApp, TestDb};

/// Inserts a row the way another node would: straight into the table, with no wake-up here.
fn queue_elsewhere(pool: &guidepost::db::DbPool, subject: &str) {
    let now = chrono::Utc::now().naive_utc();
    let mail = NewMail {
        to_address: "elsewhere@example.com",
        subject,
        text_body: "Queued by another node",
        html_body: "<p>Queued by another node</p>",
        created_at: now,
        next_attempt_at: now,
    };
    mail_outbox::insert(&mut pool.get().unwrap(), &mail).unwrap();
}

async fn wait_until(what: &str, limit: Duration, done: impl Fn() -> bool) -> Duration {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < limit, "{what}: not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    started.elapsed()
}

async fn the_worker_sends_when_woken_and_polls_for_other_nodes_mail(app: TestApp) {
    let transport = MailUrl::Memory.transport().unwrap();
    let mailbox = transport.memory().unwrap().clone();
    let from = parse_sender(&app.state.config.mail_from).unwrap();
    let worker = MailWorker::start(app.pool().clone(), transport, from, app.state.outbox.wake_signal());
    tokio::time::sleep(Duration::from_millis(200)).await;

    // Queued as a use case queues mail: through the change feed, which wakes the worker.
    app.with_feed(|conn, feed| {
        let letter = Letter {
            to: "fred@example.com",
            subject: "Woken".into(),
            template: "test_message",
            context: Context::new(),
        };
        feed.write(conn, chrono::Utc::now().naive_utc(), |conn, changes| app.state.outbox.queue(conn, changes, letter))
    })
    .unwrap();
    // Before the next poll (due a poll interval after the start), so only the feed's wake-up can
    // have done it; the margin is for a busy machine.
    wait_until("woken delivery", POLL_INTERVAL - Duration::from_secs(1), || mailbox.messages().len() == 1).await;

    queue_elsewhere(app.pool(), "From another node");
    wait_until("polled delivery", POLL_INTERVAL + Duration::from_secs(5), || mailbox.messages().len() == 2).await;
    assert!(mailbox.messages()[1].raw.contains("Subject: From another node"));

    let stopping = Instant::now();
    worker.stop().await;
    assert!(stopping.elapsed() < Duration::from_secs(2), "stopping took {:?}", stopping.elapsed());
    queue_elsewhere(app.pool(), "After the stop");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(mailbox.messages().len(), 2, "a stopped worker sent mail");
}

on_both_backends!(the_worker_sends_when_woken_and_polls_for_other_nodes_mail);

fn mail_test_reports_what_happened(db: TestDb) {
    let migrated = run(&mut guidepost(&db, &["migrate"]));
    assert!(migrated.status.success(), "{}", text(&migrated.stderr));

    let smtp = SmtpServer::start();
    let sent = run(guidepost(&db, &["mail", "test", "--to", "ops@example.com"]).env("GUIDEPOST_MAIL_URL", smtp.url()));
    assert!(sent.status.success(), "{}", text(&sent.stderr));
    assert!(text(&sent.stdout).contains("Sent a test message to ops@example.com"), "{}", text(&sent.stdout));
    let received = smtp.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].subject.as_deref(), Some("Test message from Guidepost"));
    assert!(received[0].part("text/plain").contains("https://forum.example/"));

    let down = format!("smtp://mailer:pw-s3cret@127.0.0.1:{}?tls=none", free_port());
    let failed = run(guidepost(&db, &["mail", "test", "--to", "ops@example.com"]).env("GUIDEPOST_MAIL_URL", down));
    let stderr = assert_one_clear_error(&failed, "could not be sent through smtp://mailer:***@127.0.0.1");
    assert!(!stderr.contains("pw-s3cret"), "the password leaked: {stderr}");

    let bad_to = run(&mut guidepost(&db, &["mail", "test", "--to", "not-an-address"]));
    assert_one_clear_error(&bad_to, "--to");
}

#[test]
fn mail_test_on_sqlite() {
    mail_test_reports_what_happened(TestDb::sqlite());
}

#[test]
fn mail_test_on_postgres() {
    match TestDb::postgres() {
        Some(db) => mail_test_reports_what_happened(db),
        None => eprintln!("skipped: GUIDEPOST_TEST_POSTGRES_URL is not set"),
    }
}

/// A CA that signed nothing: trusting only it, no server certificate verifies.
const UNRELATED_CA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/common/tls/unrelated-ca.pem");

#[test]
fn mail_goes_over_tls_only_to_a_server_whose_certificate_verifies() {
    let db = TestDb::sqlite();
    let migrated = run(&mut guidepost(&db, &["migrate"]));
    assert!(migrated.status.success(), "{}", text(&migrated.stderr));
    for tls in [SmtpTls::StartTls, SmtpTls::Implicit] {
        let smtp = SmtpServer::start_tls(tls);
        // SSL_CERT_FILE stands in for the system's store, as an operator would add a private CA.
        let send = |trusted_ca: &str| {
            run(guidepost(&db, &["mail", "test", "--to", "ops@example.com"])
                .env("GUIDEPOST_MAIL_URL", smtp.url())
                .env("SSL_CERT_FILE", trusted_ca))
        };

        let sent = send(TEST_CA);
        assert!(sent.status.success(), "{tls:?}: {}", text(&sent.stderr));
        let received = smtp.received();
        assert_eq!(received.len(), 1, "{tls:?}");
        assert_eq!(received[0].subject.as_deref(), Some("Test message from Guidepost"));

        let refused = send(UNRELATED_CA);
        let stderr = assert_one_clear_error(&refused, "could not be sent through");
        assert!(stderr.contains("certificate"), "{tls:?}: the error does not say why: {stderr}");
        assert_eq!(smtp.received().len(), 1, "{tls:?}: sent to a server whose certificate did not verify");
    }
}

#[test]
fn bad_mail_settings_end_start_up_with_one_line() {
    let db = TestDb::sqlite();
    let serve = |var: &str, value: &str| run(guidepost(&db, &["serve"]).env(var, value));
    let stderr = assert_one_clear_error(
        &serve("GUIDEPOST_MAIL_URL", "smtp://mailer:pw-s3cret@mail.example.com?tls=maybe"),
        "GUIDEPOST_MAIL_URL: tls=maybe",
    );
    assert!(!stderr.contains("pw-s3cret"), "the password leaked: {stderr}");
    assert_one_clear_error(&serve("GUIDEPOST_MAIL_URL", "ftp://mail.example.com"), "GUIDEPOST_MAIL_URL");
    assert_one_clear_error(&serve("GUIDEPOST_MAIL_FROM", "Support <help@@example.com>"), "GUIDEPOST_MAIL_FROM");
}

#[test]
fn mail_commands_have_help() {
    let db = TestDb::sqlite();
    for args in [["mail", "--help"].as_slice(), &["mail", "test", "--help"]] {
        let output = run(&mut guidepost(&db, args));
        assert!(output.status.success(), "{args:?}");
        assert!(text(&output.stdout).contains("Usage:"), "{args:?}");
    }
}

#[test]
fn serve_sends_queued_mail_in_the_background_and_stops_promptly() {
    let db = TestDb::sqlite();
    let migrated = run(&mut guidepost(&db, &["migrate"]));
    assert!(migrated.status.success(), "{}", text(&migrated.stderr));
    let pool = guidepost::db::connect(&db.url, 1).unwrap();
    queue_elsewhere(&pool, "Queued before the server started");

    let outgoing = db.dir.path().join("outgoing");
    let mut server = Server::spawn(
        guidepost(&db, &["serve"])
            .env("GUIDEPOST_BIND", format!("127.0.0.1:{}", free_port()))
            .env("GUIDEPOST_MAIL_URL", format!("file://{}", outgoing.display())),
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while eml_files(&outgoing).is_empty() {
        assert!(!server.has_exited(), "the server exited early:\n{}", server.log());
        assert!(Instant::now() < deadline, "the queued mail was not sent");
        std::thread::sleep(Duration::from_millis(50));
    }

    let (status, stderr) = server.stop("-TERM", Duration::from_secs(10));
    assert!(status.success(), "exit status {status}; log:\n{stderr}");
    for line in ["mail worker started", "mail delivery run", "mail worker stopped", "stopped"] {
        assert!(stderr.contains(line), "no {line:?} in the log:\n{stderr}");
    }
    assert!(!stderr.contains("Queued by another node"), "a message body was logged:\n{stderr}");
    assert!(!stderr.contains("elsewhere@example.com"), "a recipient address was logged:\n{stderr}");
    let row = mail_outbox::recent(&mut pool.get().unwrap(), 1).unwrap().remove(0);
    assert!(row.sent_at.is_some(), "{row:?}");
}
