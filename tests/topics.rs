//! Topic ownership: staff lead topics and hear of each question asked in them at once (in the
//! app and by mail, woken by the change feed), members watch topics with a mail choice, and staff
//! take, reassign and give back questions, released by an official answer.

use crate::common;

use std::time::{Duration, Instant};

use diesel::prelude::*;
use guidepost::db::models::{assignments, audit_log};
use guidepost::db::schema::notifications;
use guidepost::mail::{parse_sender, MailUrl, MailWorker};
use guidepost::roles::Role;
use guidepost::services::notifications::send_daily_digests;

use common::forum::question_id;
use common::members::{email_of, PASSWORD};
use common::TestApp;

const ANSWER: &str = "Open Billing, choose the invoice and press Download; PDFs are kept for seven years.";

async fn signed_in(app: &TestApp, username: &str, role: Role) -> (TestApp, i64) {
    let visitor = app.another_visitor();
    let id = app.create_user(username, role);
    visitor.sign_in(username, PASSWORD).await.assert_status(303);
    (visitor, id)
}

/// The notification events a user has, oldest first.
fn events_of(app: &TestApp, user_id: i64) -> Vec<String> {
    app.with_db(|conn| {
        notifications::table
            .filter(notifications::user_id.eq(user_id))
            .order(notifications::id)
            .select(notifications::event)
            .load::<String>(conn)
            .unwrap()
    })
}

async fn wait_until(what: &str, limit: Duration, done: impl Fn() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < limit, "{what}: not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn a_question_in_a_led_topic_reaches_its_leads_at_once_and_nobody_else(app: TestApp) {
    let transport = MailUrl::Memory.transport().unwrap();
    let mailbox = transport.memory().unwrap().clone();
    let from = parse_sender(&app.state.config.mail_from).unwrap();
    let worker = MailWorker::start(app.pool().clone(), transport, from, app.state.outbox.wake_signal());

    let (sam, sam_id) = signed_in(&app, "sam", Role::Staff).await;
    let (_tess, tess_id) = signed_in(&app, "tess", Role::Staff).await;
    let (wendy, wendy_id) = signed_in(&app, "wendy", Role::Member).await;
    let (carl, carl_id) = signed_in(&app, "carl", Role::Member).await;
    // Sam sets the topic up before any question uses it.
    sam.submit("/staff/my-work", "/staff/my-work/topics", &[("tag", "Billing")]).await.assert_status(303);
    sam.get("/tags/billing").await.assert_status(200).assert_contains("Stop leading");
    wendy.submit("/tags/billing", "/tags/billing/watch", &[("mail", "each")]).await.assert_status(303);
    wendy.get("/tags/billing").await.assert_contains("You watch this topic");

    let asked = Instant::now();
    let path = carl.ask_ok("How do I download an old invoice as a PDF?", "billing account").await;
    let question = question_id(&path);
    // Within 2 s: the mail worker polls every 5 s, so only the change feed's wake-up is this fast.
    wait_until("the leads' mail", Duration::from_secs(2), || {
        let sent = mailbox.messages();
        sent.iter().any(|m| m.raw.contains(&email_of("sam"))) && sent.iter().any(|m| m.raw.contains(&email_of("wendy")))
    })
    .await;
    assert!(asked.elapsed() < Duration::from_secs(2));
    assert_eq!(events_of(&app, sam_id), ["topic_question"]);
    assert_eq!(events_of(&app, wendy_id), ["topic_question"]);
    assert!(events_of(&app, tess_id).is_empty(), "staff who do not lead billing are not told");
    assert!(events_of(&app, carl_id).is_empty(), "the asker is not told of their own question");
    let mail = app.mail_to(&email_of("sam"));
    assert_eq!(mail.len(), 1, "{mail:?}");
    assert_eq!(mail[0].0, "New question: How do I download an old invoice as a PDF?");
    assert!(mail[0].1.contains(&format!("http://forum.test/questions/{question}")), "{}", mail[0].1);
    assert!(app.mail_to(&email_of("tess")).is_empty());

    // The question shows who is on its topic, to everyone.
    app.another_visitor().get(&path).await.assert_contains("On this topic:").assert_contains("sam");
    sam.get("/notifications").await.assert_contains("asked, in a topic you follow,");

    // A question in another topic reaches neither.
    carl.ask_ok("Where is my parcel with the blue widget?", "shipping").await;
    assert_eq!(events_of(&app, sam_id).len(), 1);
    assert_eq!(events_of(&app, wendy_id).len(), 1);
    worker.stop().await;
}

async fn members_watch_topics_with_a_mail_choice(app: TestApp) {
    let (wendy, wendy_id) = signed_in(&app, "wendy", Role::Member).await;
    let (nina, nina_id) = signed_in(&app, "nina", Role::Member).await;
    let (carl, _) = signed_in(&app, "carl", Role::Member).await;
    carl.ask_ok("Which widget fits the old bracket?", "widgets").await;
    // The form offers the daily digest first; a choice the site does not know is refused.
    wendy.get("/tags/widgets").await.assert_contains(r#"<option value="daily" selected>"#);
    wendy.submit("/tags/widgets", "/tags/widgets/watch", &[("mail", "daily")]).await.assert_status(303);
    nina.submit("/tags/widgets", "/tags/widgets/watch", &[("mail", "never")]).await.assert_status(303);
    nina.submit("/tags/widgets", "/tags/widgets/watch", &[("mail", "hourly")]).await.assert_status(422);
    nina.submit("/tags/widgets", "/tags/nothing-here/watch", &[("mail", "daily")]).await.assert_status(404);

    carl.ask_ok("Can the red widget run on batteries?", "widgets").await;
    assert_eq!(events_of(&app, wendy_id), ["topic_question"]);
    assert_eq!(events_of(&app, nina_id), ["topic_question"]);
    assert!(app.mail_to(&email_of("wendy")).is_empty(), "daily: nothing at once");
    let now = chrono::Utc::now().naive_utc();
    let sent = app.with_db(|conn| send_daily_digests(conn, &app.state.outbox, now).unwrap());
    assert_eq!(sent, 1, "wendy's digest; nina chose no mail");
    let digest = app.mail_to(&email_of("wendy"));
    assert_eq!(digest.len(), 1);
    assert!(digest[0].1.contains("Can the red widget run on batteries?"), "{}", digest[0].1);
    assert!(app.mail_to(&email_of("nina")).is_empty());

    wendy.submit("/tags/widgets", "/tags/widgets/watch", &[("mail", "stop")]).await.assert_status(303);
    carl.ask_ok("Do widgets come in green?", "widgets").await;
    assert_eq!(events_of(&app, wendy_id).len(), 1, "no longer watching");
}

async fn leads_are_named_by_admins_or_taken_up_by_staff(app: TestApp) {
    let (admin, _) = signed_in(&app, "ada", Role::Admin).await;
    let (sam, sam_id) = signed_in(&app, "sam", Role::Staff).await;
    let (member, _) = signed_in(&app, "mia", Role::Member).await;
    member.ask_ok("Is there a student discount?", "pricing").await;

    member.get("/tags/pricing").await.assert_status(200);
    member.submit("/tags/pricing", "/tags/pricing/leads", &[]).await.assert_status(403);
    sam.submit("/tags/pricing", "/tags/pricing/leads", &[("username", "ada")]).await.assert_status(403);
    admin.submit("/tags/pricing", "/tags/pricing/leads", &[("username", "mia")]).await.assert_status(422);
    admin.submit("/tags/pricing", "/tags/pricing/leads", &[("username", "sam")]).await.assert_status(303);
    app.another_visitor()
        .get("/tags/pricing")
        .await
        .assert_contains("Who looks after pricing")
        .assert_contains(">sam<");
    let log = app.with_db(|conn| audit_log::for_target(conn, "tag", 1, 10).unwrap());
    assert!(log.iter().any(|entry| entry.action == "topic.lead_added"), "{log:?}");

    // An admin sets the topic's own target; nonsense is refused and changes nothing.
    admin.submit("/tags/pricing", "/tags/pricing/target", &[("hours", "-3")]).await.assert_status(422);
    admin.submit("/tags/pricing", "/tags/pricing/target", &[("hours", "8")]).await.assert_status(303);
    sam.submit("/tags/pricing", "/tags/pricing/target", &[("hours", "2")]).await.assert_status(403);
    app.another_visitor().get("/tags/pricing").await.assert_contains("within 8 hours");

    // Staff stop leading themselves; only admins remove others.
    let (tom, tom_id) = signed_in(&app, "tom", Role::Staff).await;
    tom.submit("/tags/pricing", "/tags/pricing/leads", &[]).await.assert_status(303);
    // A lead who is no longer staff is neither listed nor told; made staff again, he leads again.
    admin
        .submit("/admin/users", &format!("/admin/users/{tom_id}/role"), &[("role", "member")])
        .await
        .assert_status(303);
    assert!(!app.another_visitor().get("/tags/pricing").await.body.contains(">tom<"));
    member.ask_ok("Do prices include tax?", "pricing").await;
    assert!(events_of(&app, tom_id).is_empty(), "a former lead is not told");
    admin.submit("/admin/users", &format!("/admin/users/{tom_id}/role"), &[("role", "staff")]).await.assert_status(303);
    app.another_visitor().get("/tags/pricing").await.assert_contains(">tom<");
    sam.submit("/tags/pricing", &format!("/tags/pricing/leads/{tom_id}/remove"), &[]).await.assert_status(403);
    tom.submit("/tags/pricing", &format!("/tags/pricing/leads/{tom_id}/remove"), &[]).await.assert_status(303);
    admin.submit("/tags/pricing", &format!("/tags/pricing/leads/{sam_id}/remove"), &[]).await.assert_status(303);
    app.another_visitor().get("/tags/pricing").await.assert_contains("No one on staff leads this topic yet.");
    // A name that is not a tag is refused.
    sam.submit("/staff/my-work", "/staff/my-work/topics", &[("tag", "two words")]).await.assert_status(422);
}

async fn staff_take_reassign_and_give_back_and_an_official_answer_releases(app: TestApp) {
    let (sam, sam_id) = signed_in(&app, "sam", Role::Staff).await;
    let (tess, tess_id) = signed_in(&app, "tess", Role::Staff).await;
    let (carl, _) = signed_in(&app, "carl", Role::Member).await;
    let path = carl.ask_ok("Why was I charged twice this month?", "billing").await;
    let question = question_id(&path);
    let assignment = format!("/questions/{question}/assignment");
    let on =
        |app: &TestApp| app.with_db(|conn| assignments::of_question(conn, question).unwrap().map(|a| a.assignee_id));

    // Members cannot, and do not even see who is on it.
    carl.submit(&path, &assignment, &[("action", "take")]).await.assert_status(403);
    assert_eq!(on(&app), None);

    sam.submit(&path, &assignment, &[("action", "take")]).await.assert_status(303);
    assert_eq!(on(&app), Some(sam_id));
    sam.get(&path).await.assert_contains("You are on this question");
    tess.get(&path).await.assert_contains("sam is on this question");
    carl.get(&path).await.assert_status(200);
    assert!(!carl.get(&path).await.body.contains("on this question"));
    sam.get("/staff/queue").await.assert_contains("sam is on it");
    sam.get("/staff/my-work").await.assert_contains("Why was I charged twice this month?");
    assert!(events_of(&app, sam_id).is_empty(), "taking a question yourself is not news");

    // Reassigning: to a member is refused and changes nothing; to staff tells them.
    sam.submit(&path, &assignment, &[("action", "assign"), ("username", "carl")]).await.assert_status(422);
    sam.submit(&path, &assignment, &[("action", "fly")]).await.assert_status(400);
    assert_eq!(on(&app), Some(sam_id));
    sam.submit(&path, &assignment, &[("action", "assign"), ("username", "@tess")]).await.assert_status(303);
    assert_eq!(on(&app), Some(tess_id));
    assert_eq!(events_of(&app, tess_id), ["assigned"]);
    assert_eq!(app.mail_to(&email_of("tess"))[0].0, "Assigned to you: Why was I charged twice this month?");
    tess.get("/staff/my-work").await.assert_contains("Why was I charged twice this month?");

    // Giving it back, then taking it again.
    tess.submit(&path, &assignment, &[("action", "release")]).await.assert_status(303);
    assert_eq!(on(&app), None);
    tess.submit(&path, &assignment, &[("action", "release")]).await.assert_status(409);
    tess.submit(&path, &assignment, &[("action", "take")]).await.assert_status(303);

    // An official answer releases it; nobody can take it afterwards.
    let page =
        tess.submit(&path, &format!("/questions/{question}/answers"), &[("body", ANSWER), ("official", "on")]).await;
    page.assert_status(303);
    assert_eq!(on(&app), None, "the official answer released the question");
    tess.get(&path).await.assert_contains("Official");
    sam.submit(&path, &assignment, &[("action", "take")]).await.assert_status(409);
    let log = app.with_db(|conn| audit_log::for_target(conn, "question", question, 20).unwrap());
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    for expected in ["question.assigned", "question.released"] {
        assert!(actions.contains(&expected), "{actions:?}");
    }
    assert_eq!(actions.iter().filter(|a| **a == "question.assigned").count(), 3, "{actions:?}");
    assert_eq!(actions.iter().filter(|a| **a == "question.released").count(), 2, "{actions:?}");
}

async fn two_nodes_alert_each_lead_once(app: TestApp) {
    let other = app.another_node(&[]).await;
    let (sam, sam_id) = signed_in(&app, "sam", Role::Staff).await;
    sam.submit("/staff/my-work", "/staff/my-work/topics", &[("tag", "billing")]).await.assert_status(303);
    // The asker uses the second node; both nodes run a mail worker on the shared outbox.
    let mailboxes: Vec<_> = [&app, &other]
        .iter()
        .map(|node| {
            let transport = MailUrl::Memory.transport().unwrap();
            let mailbox = transport.memory().unwrap().clone();
            let from = parse_sender(&node.state.config.mail_from).unwrap();
            (MailWorker::start(node.pool().clone(), transport, from, node.state.outbox.wake_signal()), mailbox)
        })
        .collect();
    let carl = other.another_visitor();
    other.create_user("carl", Role::Member);
    carl.sign_in("carl", PASSWORD).await.assert_status(303);
    carl.ask_ok("Can I pay by bank transfer?", "billing").await;
    wait_until("sam's mail", Duration::from_secs(7), || {
        mailboxes.iter().map(|(_, m)| m.messages().len()).sum::<usize>() == 1
    })
    .await;
    // Give a second sender every chance to show up.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(mailboxes.iter().map(|(_, m)| m.messages().len()).sum::<usize>(), 1);
    assert_eq!(events_of(&app, sam_id), ["topic_question"]);
    for (worker, _) in mailboxes {
        worker.stop().await;
    }
}

on_both_backends!(
    a_question_in_a_led_topic_reaches_its_leads_at_once_and_nobody_else,
    members_watch_topics_with_a_mail_choice,
    leads_are_named_by_admins_or_taken_up_by_staff,
    staff_take_reassign_and_give_back_and_an_official_answer_releases,
    two_nodes_alert_each_lead_once,
);
