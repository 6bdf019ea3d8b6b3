//! Mail delivery through the real outbox and worker code: a letter queued by the forum reaches a
//! real SMTP server (in-process, on 127.0.0.1) as a proper multipart message, survives an outage,
//! is given up only after the last attempt, and is never sent twice by concurrent workers; the
//! file and memory transports keep readable messages.

use crate::common;

use std::collections::HashSet;
use std::sync::Barrier;

use chrono::{Duration, NaiveDateTime, Timelike};
use guidepost::db::models::mail_outbox::{self, NewMail, OutboxMail, MAX_ATTEMPTS};
use guidepost::mail::{deliver_due, Letter, MailUrl, Report, Transport};
use tera::Context;

use common::mail::{eml_files, free_port, parse_mail, SmtpServer};
use common::TestApp;

fn now() -> NaiveDateTime {
    chrono::Utc::now().naive_utc()
}

fn transport(url: &str) -> Transport {
    MailUrl::parse(url).unwrap().transport().unwrap()
}

/// Queues the test letter the way a service would, inside a transaction.
fn queue(app: &TestApp, to: &str, subject: &str) {
    app.with_feed(|conn, feed| {
        let letter = Letter { to, subject: subject.into(), template: "test_message", context: Context::new() };
        feed.write(conn, now(), |conn, changes| app.state.outbox.queue(conn, changes, letter))
    })
    .unwrap();
}

fn deliver(app: &TestApp, transport: &Transport, at: NaiveDateTime) -> Report {
    deliver_due(app.pool(), transport, &app.state.config.mail_from, at).unwrap()
}

fn rows(app: &TestApp) -> Vec<OutboxMail> {
    app.with_db(|conn| mail_outbox::recent(conn, 1_000)).unwrap()
}

fn only_row(app: &TestApp) -> OutboxMail {
    let mut rows = rows(app);
    assert_eq!(rows.len(), 1, "{rows:?}");
    rows.remove(0)
}

#[track_caller]
fn assert_close(actual: NaiveDateTime, expected: NaiveDateTime) {
    // PostgreSQL keeps microseconds, chrono has nanoseconds.
    assert!((actual - expected).abs() < Duration::seconds(1), "{actual} is not {expected}");
}

async fn a_queued_letter_arrives_as_a_multipart_message(app: TestApp) {
    let smtp = SmtpServer::start();
    queue(&app, "fred@example.com", "Your test message");

    let report = deliver(&app, &transport(&smtp.url()), now());
    assert_eq!((report.sent, report.retrying, report.gave_up), (1, 0, 0), "{report:?}");

    let received = smtp.received();
    assert_eq!(received.len(), 1, "{received:?}");
    let mail = &received[0];
    assert_eq!(mail.from.as_deref(), Some("Guidepost <noreply@forum.test>"));
    assert_eq!(app.state.config.mail_from, "Guidepost <noreply@forum.test>");
    assert_eq!(mail.to.as_deref(), Some("fred@example.com"));
    assert_eq!(mail.subject.as_deref(), Some("Your test message"));
    assert!(mail.date.is_some(), "no Date header");
    assert!(mail.message_id.as_deref().is_some_and(|id| id.starts_with('<') && id.ends_with("@forum.test>")));
    assert_eq!(mail.content_type, "multipart/alternative");
    let kinds: Vec<&str> = mail.parts.iter().map(|(kind, _)| kind.as_str()).collect();
    assert_eq!(kinds, ["text/plain", "text/html"], "plain text first, so HTML-capable clients pick HTML");

    let text = mail.part("text/plain");
    assert!(text.contains("This is a test message from Guidepost."), "{text}");
    assert!(text.contains("http://forum.test/"), "{text}");
    let html = mail.part("text/html").replace("&#x2F;", "/");
    assert!(html.contains("This is a test message from Guidepost."), "{html}");
    assert!(html.contains(r#"<a href="http://forum.test/">"#), "{html}");

    let row = only_row(&app);
    assert!(row.sent_at.is_some() && row.failed_at.is_none() && row.claimed_until.is_none(), "{row:?}");
    assert_eq!((row.attempts, row.last_error), (1, None));
    let counts = app.with_db(mail_outbox::counts).unwrap();
    assert_eq!((counts.pending, counts.failed), (0, 0));

    let again = deliver(&app, &transport(&smtp.url()), now() + Duration::days(1));
    assert!(again.is_empty(), "{again:?}");
    assert_eq!(smtp.received().len(), 1, "sent twice");
}

async fn an_outage_keeps_mail_queued_until_the_server_returns(app: TestApp) {
    let port = free_port();
    let url = format!("smtp://127.0.0.1:{port}?tls=none");
    queue(&app, "ada@example.com", "Answered: why did my widget break?");

    let t0 = now();
    let report = deliver(&app, &transport(&url), t0);
    assert_eq!((report.sent, report.retrying, report.gave_up), (0, 1, 0), "{report:?}");
    let row = only_row(&app);
    assert_eq!(row.attempts, 1);
    assert!(row.last_error.as_deref().is_some_and(|e| !e.is_empty()), "{row:?}");
    assert!(row.sent_at.is_none() && row.failed_at.is_none() && row.claimed_until.is_none(), "{row:?}");
    assert_close(row.next_attempt_at, t0 + Duration::minutes(1));
    assert_eq!(app.with_db(mail_outbox::counts).unwrap().pending, 1, "the message was lost");

    let too_soon = deliver(&app, &transport(&url), t0 + Duration::seconds(30));
    assert!(too_soon.is_empty(), "retried before its backoff ran out: {too_soon:?}");

    let smtp = SmtpServer::start_on(port);
    let report = deliver(&app, &transport(&url), t0 + Duration::minutes(2));
    assert_eq!((report.sent, report.retrying), (1, 0), "{report:?}");
    let later = deliver(&app, &transport(&url), t0 + Duration::days(2));
    assert!(later.is_empty(), "{later:?}");

    let received = smtp.received();
    assert_eq!(received.len(), 1, "expected exactly one copy: {received:?}");
    assert_eq!(received[0].subject.as_deref(), Some("Answered: why did my widget break?"));
    let row = only_row(&app);
    assert!(row.sent_at.is_some() && row.failed_at.is_none(), "{row:?}");
    assert_eq!(row.attempts, 2);

    // The server goes away again, and comes back on the same port: the next letter waits for it.
    drop(smtp);
    queue(&app, "ada@example.com", "Answered again");
    let t1 = t0 + Duration::days(3);
    let down = deliver(&app, &transport(&url), t1);
    assert_eq!((down.sent, down.retrying), (0, 1), "{down:?}");
    let smtp = SmtpServer::start_on(port);
    let back = deliver(&app, &transport(&url), t1 + Duration::minutes(2));
    assert_eq!((back.sent, back.retrying), (1, 0), "{back:?}");
    let subjects: Vec<_> = smtp.received().into_iter().map(|mail| mail.subject).collect();
    assert_eq!(subjects, [Some("Answered again".to_owned())]);
}

async fn a_message_is_given_up_after_the_last_attempt(app: TestApp) {
    let url = format!("smtp://mailer:s3cret-pw@127.0.0.1:{}?tls=none", free_port());
    queue(&app, "bob@example.com", "Never arrives");

    // Whole seconds, so PostgreSQL's microseconds do not blur the delays measured below.
    let mut at = now().with_nanosecond(0).unwrap() + Duration::seconds(1);
    let mut delays = Vec::new();
    for attempt in 1..=MAX_ATTEMPTS {
        let report = deliver(&app, &transport(&url), at);
        let row = only_row(&app);
        assert_eq!(row.attempts, attempt);
        if attempt < MAX_ATTEMPTS {
            assert_eq!((report.retrying, report.gave_up), (1, 0), "attempt {attempt}: {report:?}");
            assert!(row.failed_at.is_none());
            delays.push((row.next_attempt_at - at).num_minutes());
            at = row.next_attempt_at + Duration::seconds(1);
        } else {
            assert_eq!((report.retrying, report.gave_up), (0, 1), "attempt {attempt}: {report:?}");
        }
    }
    assert_eq!(delays, [1, 2, 4, 8, 16, 32, 64, 128, 256], "exponential backoff");

    let row = only_row(&app);
    assert!(row.failed_at.is_some() && row.sent_at.is_none(), "{row:?}");
    let error = row.last_error.unwrap();
    assert!(!error.is_empty());
    assert!(!error.contains("s3cret-pw"), "the SMTP password leaked into the stored error: {error}");
    let counts = app.with_db(mail_outbox::counts).unwrap();
    assert_eq!((counts.pending, counts.failed), (0, 1));

    let smtp = SmtpServer::start();
    let after = deliver(&app, &transport(&smtp.url()), at + Duration::days(30));
    assert!(after.is_empty(), "a given-up message was tried again: {after:?}");
    assert!(smtp.received().is_empty());
}

fn insert_many(app: &TestApp, count: usize) {
    let created = now() - Duration::seconds(5);
    app.with_db(|conn| {
        for n in 0..count {
            let subject = format!("Message {n}");
            let mail = NewMail {
                to_address: "many@example.com",
                subject: &subject,
                text_body: "Hello",
                html_body: "<p>Hello</p>",
                created_at: created,
                next_attempt_at: created,
            };
            mail_outbox::insert(conn, &mail).unwrap();
        }
    });
}

async fn two_claimers_never_take_the_same_row(app: TestApp) {
    const ROWS: usize = 60;
    insert_many(&app, ROWS);
    let at = now();
    let barrier = Barrier::new(2);
    let claimed: Vec<Vec<i64>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..2)
            .map(|_| {
                let (pool, barrier) = (app.pool().clone(), &barrier);
                scope.spawn(move || {
                    let mut conn = pool.get().unwrap();
                    let mut mine = Vec::new();
                    barrier.wait();
                    loop {
                        let batch = mail_outbox::claim_due(&mut conn, at, 3, Duration::minutes(15)).unwrap();
                        if batch.is_empty() {
                            return mine;
                        }
                        mine.extend(batch.iter().map(|m| m.id));
                    }
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    let first: HashSet<i64> = claimed[0].iter().copied().collect();
    let second: HashSet<i64> = claimed[1].iter().copied().collect();
    assert_eq!(first.len() + second.len(), claimed[0].len() + claimed[1].len(), "a claimer took a row twice");
    assert!(first.is_disjoint(&second), "both claimed {:?}", first.intersection(&second).collect::<Vec<_>>());
    assert_eq!(first.len() + second.len(), ROWS, "rows left unclaimed");

    // A claim keeps every other worker away until it runs out, then the row is free again.
    let again = app.with_db(|conn| mail_outbox::claim_due(conn, at, 100, Duration::minutes(15))).unwrap();
    assert!(again.is_empty());
    let expired =
        app.with_db(|conn| mail_outbox::claim_due(conn, at + Duration::minutes(16), 100, Duration::minutes(15)));
    assert_eq!(expired.unwrap().len(), ROWS);
}

async fn two_workers_send_each_message_once(app: TestApp) {
    const ROWS: usize = 40;
    insert_many(&app, ROWS);
    let at = now();
    let barrier = Barrier::new(2);
    let transports: Vec<Transport> = (0..2).map(|_| transport("memory://")).collect();
    std::thread::scope(|scope| {
        for transport in &transports {
            let (pool, barrier, from) = (app.pool().clone(), &barrier, app.state.config.mail_from.clone());
            scope.spawn(move || {
                barrier.wait();
                deliver_due(&pool, transport, &from, at).unwrap()
            });
        }
    });
    let sent: Vec<String> = transports.iter().flat_map(|t| t.memory().unwrap().messages()).map(|m| m.raw).collect();
    let ids: HashSet<&str> = sent
        .iter()
        .map(|raw| raw.lines().find(|l| l.starts_with("Message-ID: ")).expect("a Message-ID header"))
        .collect();
    assert_eq!(sent.len(), ROWS, "every message sent exactly once");
    assert_eq!(ids.len(), ROWS, "a message was sent twice");
    assert!(rows(&app).iter().all(|row| row.sent_at.is_some() && row.attempts == 1));
}

async fn the_file_transport_writes_a_readable_eml(app: TestApp) {
    let dir = app.db.dir.path().join("outgoing").join("mail");
    let transport = transport(&format!("file://{}", dir.display()));
    assert!(dir.is_dir(), "the file transport creates its folder");
    queue(&app, "cy@example.com", "Filed away");

    let report = deliver(&app, &transport, now());
    assert_eq!(report.sent, 1, "{report:?}");
    let files = eml_files(&dir);
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(files[0].extension().and_then(|e| e.to_str()), Some("eml"));
    let mail = parse_mail(&std::fs::read(&files[0]).unwrap());
    assert_eq!((mail.to.as_deref(), mail.subject.as_deref()), (Some("cy@example.com"), Some("Filed away")));
    assert_eq!(mail.content_type, "multipart/alternative");
    assert!(mail.part("text/plain").contains("http://forum.test/"));
    assert!(only_row(&app).sent_at.is_some());
}

async fn the_memory_transport_keeps_the_message(app: TestApp) {
    let transport = transport("memory://");
    queue(&app, "di@example.com", "Kept in memory");
    assert_eq!(deliver(&app, &transport, now()).sent, 1);

    let kept = transport.memory().expect("a memory transport").messages();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].to, ["di@example.com"]);
    let mail = parse_mail(kept[0].raw.as_bytes());
    assert_eq!(mail.subject.as_deref(), Some("Kept in memory"));
    assert_eq!(mail.from.as_deref(), Some("Guidepost <noreply@forum.test>"));
    assert!(mail.part("text/html").contains("test message from Guidepost"));
}

on_both_backends!(
    the_file_transport_writes_a_readable_eml,
    the_memory_transport_keeps_the_message,
    a_queued_letter_arrives_as_a_multipart_message,
    an_outage_keeps_mail_queued_until_the_server_returns,
    a_message_is_given_up_after_the_last_attempt,
    two_claimers_never_take_the_same_row,
    two_workers_send_each_message_once,
);
