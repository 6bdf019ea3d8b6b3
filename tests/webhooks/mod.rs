//! Signed webhooks (issue 20), against a real HTTP receiver on 127.0.0.1: admins register
//! endpoints; questions, answers and flags are delivered signed per Standard Webhooks (checked
//! here with `hmac` independently of the app); held posts wait for approval; a receiver that was
//! down gets its deliveries when it comes back; two nodes deliver each event once; a run of
//! failures switches the endpoint off and tells the admins; "send again" sends again; private
//! addresses are refused unless allowed; the chat format is Slack's; overdue questions are
//! announced once; an endpoint limited to topics hears only of their questions (`topics.rs`); and
//! a SIGKILL between commit and delivery loses nothing (`crash.rs`).

use crate::common;

mod crash;
mod topics;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use chrono::{Duration, NaiveDateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use guidepost::db::models::users;
use guidepost::db::models::webhooks::{deliveries, endpoints};
use guidepost::roles::Role;
use guidepost::services::actor::Actor;
use guidepost::services::webhooks::{self as service, EndpointForm};
use guidepost::webhooks::overdue::{self, ResponseTarget};
use guidepost::webhooks::{deliver_due, Job, OutboundClient, Report};

use common::forum::question_id;
use common::mail::free_port;
use common::members::{email_of, PASSWORD};
use common::receiver::{Received, Receiver};
use common::TestApp;

/// A member signed in on their own visitor.
async fn signed_in(app: &TestApp, username: &str, role: Role) -> TestApp {
    let visitor = app.another_visitor();
    app.create_user(username, role);
    visitor.sign_in(username, PASSWORD).await.assert_status(303);
    visitor
}

/// The worker's job over this app's database; `allow_private` as the operator set it.
fn job(app: &TestApp, allow_private: bool) -> Job {
    Job {
        pool: app.pool().clone(),
        client: OutboundClient::new(allow_private),
        outbox: app.state.outbox.clone(),
        site_name: "Guidepost".to_owned(),
        target: ResponseTarget::hours(24),
    }
}

fn now() -> NaiveDateTime {
    Utc::now().naive_utc()
}

/// Registers an endpoint as admin `admin` (a user id) would; returns its id.
fn register(app: &TestApp, admin: i64, url: &str, events: &[&str], format: &str) -> i64 {
    app.with_db(|conn| {
        let actor = Actor::from_user(&users::find(conn, admin).unwrap().unwrap());
        let form = EndpointForm {
            url: url.to_owned(),
            events: events.iter().map(|e| (*e).to_owned()).collect(),
            format: format.to_owned(),
            tags: String::new(),
        };
        service::register(conn, &actor, &form, now()).unwrap()
    })
}

fn secret_of(app: &TestApp, endpoint: i64) -> String {
    app.with_db(|conn| endpoints::find(conn, endpoint).unwrap().unwrap().secret)
}

/// Checks a delivery's signature as a receiver would, with its own HMAC.
#[track_caller]
fn assert_signed(received: &Received, secret: &str) {
    let id = received.header("webhook-id");
    let timestamp = received.header("webhook-timestamp");
    assert!(id.starts_with("msg_"), "webhook-id {id}");
    assert!(timestamp.parse::<i64>().is_ok(), "webhook-timestamp {timestamp}");
    let key = STANDARD.decode(secret.strip_prefix("whsec_").unwrap()).unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{timestamp}.{}", received.body).as_bytes());
    let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    let sent: Vec<&str> = received.header("webhook-signature").split(' ').collect();
    assert!(sent.contains(&expected.as_str()), "signature {sent:?} is not {expected}");
}

async fn admins_register_endpoints_and_no_one_else_may(app: TestApp) {
    let admin = signed_in(&app, "ada", Role::Admin).await;
    let member = signed_in(&app, "fred", Role::Member).await;
    let staff = signed_in(&app, "sam", Role::Staff).await;
    let receiver = Receiver::start();

    let created = admin
        .submit(
            "/admin/webhooks",
            "/admin/webhooks",
            &[
                ("url", &receiver.url()),
                ("event:question.asked", "on"),
                ("event:flag.raised", "on"),
                ("format", "standard"),
            ],
        )
        .await;
    created.assert_status(303);
    let location = created.header("location").unwrap().to_owned();
    let page = admin.get(&location).await;
    page.assert_status(200).assert_contains("whsec_").assert_contains("question.asked, flag.raised");
    assert_eq!(page.header("cache-control"), Some("private, no-store"));
    admin.get("/admin/webhooks").await.assert_status(200).assert_contains(&format!("127.0.0.1:{}", receiver.port()));
    let audited = app.with_db(|conn| guidepost::db::models::audit_log::for_target(conn, "webhook", 1, 10).unwrap());
    assert_eq!(audited.first().map(|e| e.action.as_str()), Some("webhook.create"));

    for outsider in [&member, &staff] {
        outsider.get("/admin/webhooks").await.assert_status(403);
        outsider.get(&location).await.assert_status(403);
        let token = outsider.get("/").await.csrf_token().unwrap();
        let fields = [
            ("url", "https://hooks.example/x"),
            ("event:question.asked", "on"),
            ("format", "standard"),
            ("csrf_token", &token),
        ];
        outsider.post_form("/admin/webhooks", &fields).await.assert_status(403);
        outsider.post_form(&format!("{location}/delete"), &[("csrf_token", &token)]).await.assert_status(403);
    }

    for (url, why) in [
        ("ftp://hooks.example/in", "must start with http"),
        ("https://user:pw@hooks.example/in", "user name or password"),
        ("not a url", "not a URL"),
    ] {
        let refused = admin
            .submit(
                "/admin/webhooks",
                "/admin/webhooks",
                &[("url", url), ("event:question.asked", "on"), ("format", "standard")],
            )
            .await;
        refused.assert_status(422).assert_contains(why);
    }
    let no_events = admin
        .submit("/admin/webhooks", "/admin/webhooks", &[("url", "https://hooks.example/in"), ("format", "chat")])
        .await;
    no_events.assert_status(422).assert_contains("at least one event");
    assert_eq!(app.with_db(|conn| endpoints::all(conn).unwrap().len()), 1, "a refused form stored something");

    // Switched off, on, a new secret, deleted: each from the endpoint's page.
    let secret = secret_of(&app, 1);
    admin.submit(&location, &format!("{location}/disable"), &[]).await.assert_status(303);
    assert!(app.with_db(|conn| endpoints::find(conn, 1).unwrap().unwrap().disabled_at.is_some()));
    admin.submit(&location, &format!("{location}/enable"), &[]).await.assert_status(303);
    admin.submit(&location, &format!("{location}/rotate-secret"), &[]).await.assert_status(303);
    assert_ne!(secret_of(&app, 1), secret);
    admin.submit(&location, &format!("{location}/delete"), &[]).await.assert_status(303);
    admin.get(&location).await.assert_status(404);
}

async fn a_question_is_delivered_signed(app: TestApp) {
    let admin = app.create_user("ada", Role::Admin);
    let fred = signed_in(&app, "fred", Role::Member).await;
    let receiver = Receiver::start();
    let endpoint =
        register(&app, admin, &receiver.url(), &["question.asked", "answer.posted", "answer.accepted"], "standard");
    let path = fred.ask_ok("Why did my red widget break in the rain?", "widgets").await;
    let qid = question_id(&path);
    // Votes and edits are no events; nothing else was queued.
    let report = deliver_due(&job(&app, true), now()).unwrap();
    assert_eq!(report, Report { delivered: 1, ..Report::default() });
    let received = receiver.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].path, "/hooks");
    assert_eq!(received[0].header("content-type"), "application/json");
    assert_signed(&received[0], &secret_of(&app, endpoint));
    let event = received[0].json();
    assert_eq!(event["type"], "question.asked");
    assert!(event["timestamp"].as_str().unwrap().ends_with('Z'));
    assert_eq!(event["data"]["question"]["id"], qid);
    assert_eq!(event["data"]["question"]["title"], "Why did my red widget break in the rain?");
    assert_eq!(event["data"]["question"]["url"], format!("http://forum.test{path}"));
    assert!(!received[0].body.contains(common::forum::DETAILS), "the body of the post was sent");

    // The log shows it delivered, with the receiver's status.
    let log = app.with_db(|conn| deliveries::log_of(conn, endpoint, 10).unwrap());
    assert_eq!((log[0].attempts, log[0].last_status, log[0].delivered_at.is_some()), (1, Some(200), true));
    assert!(deliver_due(&job(&app, true), now()).unwrap().is_empty(), "delivered twice");
}

async fn held_posts_are_announced_only_when_approved(app: TestApp) {
    let admin = app.create_user("ada", Role::Admin);
    let newbie = signed_in(&app, "newbie", Role::Member).await;
    let mona = signed_in(&app, "mona", Role::Moderator).await;
    let receiver = Receiver::start();
    register(&app, admin, &receiver.url(), &["question.asked"], "standard");
    let body = "My widget manual at https://manuals.example/w1 says nothing about rain damage.";
    let asked = newbie
        .submit(
            "/ask",
            "/ask",
            &[("title", "Is rain damage covered by the widget warranty?"), ("body", body), ("tags", "warranty")],
        )
        .await;
    asked.assert_status(303);
    let held_path = asked.header("location").unwrap().to_owned();
    let qid = question_id(&held_path);
    deliver_due(&job(&app, true), now()).unwrap();
    assert!(receiver.received().is_empty(), "a held question was announced");

    mona.submit("/mod/review", &format!("/mod/review/{qid}"), &[("decision", "approve")]).await.assert_status(303);
    deliver_due(&job(&app, true), now()).unwrap();
    let received = receiver.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].json()["data"]["question"]["id"], qid);

    // Hidden and restored later, it is not announced again.
    mona.submit(&held_path, &format!("/posts/{qid}/delete"), &[]).await.assert_status(303);
    mona.submit(&held_path, &format!("/posts/{qid}/undelete"), &[]).await.assert_status(303);
    deliver_due(&job(&app, true), now()).unwrap();
    assert_eq!(receiver.received().len(), 1, "a restored question was announced again");
}

async fn a_receiver_that_was_down_gets_the_delivery_when_it_is_back(app: TestApp) {
    let admin = app.create_user("ada", Role::Admin);
    let fred = signed_in(&app, "fred", Role::Member).await;
    let port = free_port();
    let endpoint = register(&app, admin, &format!("http://127.0.0.1:{port}/hooks"), &["question.asked"], "standard");
    fred.ask_ok("Why did my red widget break in the rain?", "widgets").await;
    let start = now();
    let report = deliver_due(&job(&app, true), start).unwrap();
    assert_eq!(report, Report { retrying: 1, ..Report::default() });
    let log = app.with_db(|conn| deliveries::log_of(conn, endpoint, 10).unwrap());
    let first_id = log[0].message_id.clone();
    assert!(log[0].last_error.is_some() && log[0].delivered_at.is_none(), "{:?}", log[0]);

    let receiver = Receiver::start_on(port);
    // Not before its retry is due (30 s after the failure) ...
    assert!(deliver_due(&job(&app, true), start + Duration::seconds(10)).unwrap().is_empty());
    // ... then it goes, with the same webhook-id.
    let report = deliver_due(&job(&app, true), start + Duration::seconds(31)).unwrap();
    assert_eq!(report.delivered, 1);
    let received = receiver.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].header("webhook-id"), first_id);
    assert_signed(&received[0], &secret_of(&app, endpoint));
    let log = app.with_db(|conn| deliveries::log_of(conn, endpoint, 10).unwrap());
    assert_eq!((log[0].attempts, log[0].last_status), (2, Some(200)));
}

async fn two_nodes_deliver_each_event_once(app: TestApp) {
    let admin = app.create_user("ada", Role::Admin);
    let fred = signed_in(&app, "fred", Role::Member).await;
    let other = app.another_node(&[]).await;
    let receiver = Receiver::start();
    register(&app, admin, &receiver.url(), &["question.asked", "answer.posted"], "standard");
    let mut expected = 0;
    for title in [
        "Why does my red widget rattle when it spins?",
        "How do I reset the thermostat schedule on a boiler?",
        "Which printer cartridges fit the office laser printer?",
    ] {
        let path = fred.ask_ok(title, "widgets").await;
        fred.answer(&path, "Tighten the housing screws and the rattle stops after a minute.").await;
        expected += 2;
    }
    let (first, second) = (job(&app, true), job(&other, true));
    let at = now();
    let runs: Vec<_> = [first, second, job(&app, true)]
        .into_iter()
        .map(|job| std::thread::spawn(move || deliver_due(&job, at).unwrap()))
        .collect();
    let delivered: usize = runs.into_iter().map(|run| run.join().unwrap().delivered).sum();
    assert_eq!(delivered, expected);
    let received = receiver.received();
    assert_eq!(received.len(), expected);
    let mut ids: Vec<&str> = received.iter().map(|r| r.header("webhook-id")).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), expected, "an event was delivered twice");
}

async fn failures_switch_the_endpoint_off_and_tell_the_admins(app: TestApp) {
    let admin_id = app.create_user("ada", Role::Admin);
    let admin = app.another_visitor();
    admin.sign_in("ada", PASSWORD).await.assert_status(303);
    let fred = signed_in(&app, "fred", Role::Member).await;
    let receiver = Receiver::start();
    receiver.answer_with(500);
    let endpoint = register(&app, admin_id, &receiver.url(), &["question.asked"], "standard");
    fred.ask_ok("Why did my red widget break in the rain?", "widgets").await;
    let mut at = now();
    for _ in 0..10 {
        deliver_due(&job(&app, true), at).unwrap();
        at += Duration::hours(7);
    }
    assert_eq!(receiver.received().len(), 10);
    let stored = app.with_db(|conn| endpoints::find(conn, endpoint).unwrap().unwrap());
    assert!(stored.disabled_at.is_some(), "still on after ten failures");
    assert!(stored.disabled_reason.unwrap().contains("500"));
    let mail = app.mail_to(&email_of("ada"));
    assert_eq!(mail.last().map(|(subject, _)| subject.as_str()), Some("A webhook endpoint was switched off"));
    assert!(mail.last().unwrap().1.contains(&receiver.url()));
    // Off: nothing more is sent, however long it waits.
    assert!(deliver_due(&job(&app, true), at + Duration::days(1)).unwrap().is_empty());
    let page = admin.get(&format!("/admin/webhooks/{endpoint}")).await;
    page.assert_status(200).assert_contains("10 failed attempts in a row").assert_contains("500");

    // Fixed and switched on, the waiting delivery goes; "send again" sends it once more.
    receiver.answer_with(204);
    admin
        .submit(&format!("/admin/webhooks/{endpoint}"), &format!("/admin/webhooks/{endpoint}/enable"), &[])
        .await
        .assert_status(303);
    assert_eq!(deliver_due(&job(&app, true), at + Duration::days(1)).unwrap().delivered, 1);
    let delivery = app.with_db(|conn| deliveries::log_of(conn, endpoint, 10).unwrap())[0].id;
    let page = format!("/admin/webhooks/{endpoint}");
    admin.submit(&page, &format!("{page}/deliveries/{delivery}/send-again"), &[]).await.assert_status(303);
    assert_eq!(deliver_due(&job(&app, true), now()).unwrap().delivered, 1);
    let received = receiver.received();
    assert_eq!(received.len(), 12);
    assert_eq!(received[10].header("webhook-id"), received[11].header("webhook-id"));
    // A ping from the page reaches it too.
    admin.submit(&page, &format!("{page}/test"), &[]).await.assert_status(303);
    deliver_due(&job(&app, true), now()).unwrap();
    assert_eq!(receiver.received()[12].json()["type"], "ping");
}

async fn private_addresses_are_refused_unless_allowed(app: TestApp) {
    let admin = app.create_user("ada", Role::Admin);
    let fred = signed_in(&app, "fred", Role::Member).await;
    let receiver = Receiver::start();
    let endpoint = register(&app, admin, &receiver.url(), &["question.asked"], "standard");
    fred.ask_ok("Why did my red widget break in the rain?", "widgets").await;
    let report = deliver_due(&job(&app, false), now()).unwrap();
    assert_eq!(report.retrying, 1);
    assert!(receiver.received().is_empty(), "posted to a loopback address");
    let log = app.with_db(|conn| deliveries::log_of(conn, endpoint, 10).unwrap());
    let error = log[0].last_error.clone().unwrap();
    assert!(error.contains("not a public address"), "{error}");
}

async fn the_chat_format_is_a_slack_message(app: TestApp) {
    let admin = app.create_user("ada", Role::Admin);
    let fred = signed_in(&app, "fred", Role::Member).await;
    let receiver = Receiver::start();
    let endpoint = register(&app, admin, &receiver.url(), &["question.asked"], "chat");
    let path = fred.ask_ok("Why did my red widget break in the rain?", "widgets").await;
    deliver_due(&job(&app, true), now()).unwrap();
    let received = receiver.received();
    assert_eq!(received.len(), 1);
    assert_signed(&received[0], &secret_of(&app, endpoint));
    let body = received[0].json();
    let link = format!("<http://forum.test{path}|Why did my red widget break in the rain?>");
    assert_eq!(body["text"], format!("New question: {link}"));
    assert_eq!(body["blocks"][0]["type"], "section");
    assert_eq!(body["blocks"][0]["text"]["type"], "mrkdwn");
    assert!(body["blocks"][0]["text"]["text"].as_str().unwrap().contains(&link));
}

async fn overdue_questions_are_announced_once(app: TestApp) {
    let admin = app.create_user("ada", Role::Admin);
    let fred = signed_in(&app, "fred", Role::Member).await;
    let other = app.another_node(&[]).await;
    let receiver = Receiver::start();
    register(&app, admin, &receiver.url(), &["question.overdue"], "standard");
    let waiting = fred.ask_ok("Why did my red widget break in the rain?", "widgets").await;
    let answered = fred.ask_ok("How do I reset the thermostat schedule on a boiler?", "heating").await;
    fred.answer(&answered, "The hum comes from the transformer; it is harmless and normal.").await;
    let target = ResponseTarget::hours(24);
    let base = app.state.config.base_url_str().to_owned();
    assert_eq!(overdue::sweep(app.pool(), &base, target, now()).unwrap(), 0, "not overdue yet");
    let later = now() + Duration::hours(25);
    assert_eq!(overdue::sweep(app.pool(), &base, target, later).unwrap(), 1);
    assert_eq!(overdue::sweep(other.pool(), &base, target, later).unwrap(), 0, "announced twice");
    assert_eq!(overdue::sweep(app.pool(), &base, target, later + Duration::hours(1)).unwrap(), 0);
    deliver_due(&job(&app, true), later).unwrap();
    let received = receiver.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].json()["type"], "question.overdue");
    assert_eq!(received[0].json()["data"]["question"]["id"], question_id(&waiting));
}

on_both_backends!(
    admins_register_endpoints_and_no_one_else_may,
    a_question_is_delivered_signed,
    held_posts_are_announced_only_when_approved,
    a_receiver_that_was_down_gets_the_delivery_when_it_is_back,
    two_nodes_deliver_each_event_once,
    failures_switch_the_endpoint_off_and_tell_the_admins,
    private_addresses_are_refused_unless_allowed,
    the_chat_format_is_a_slack_message,
    overdue_questions_are_announced_once,
);
