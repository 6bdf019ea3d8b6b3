//! Response targets: the promise each question is given (business hours, topic targets), the
//! sweep's alerts (once, to the right people, across two nodes), the current breaches on the
//! dashboard, the figures per week and per topic for a hand-computed fixture, the queue's
//! time-left order, and the settings' validation.

use crate::common;
mod dashboard;
mod queue;

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use guidepost::db::models::posts::Post;
use guidepost::db::models::response_deadlines::{self, ResponseDeadline};
use guidepost::db::models::{tags, topics, users};
use guidepost::db::schema::{notifications, posts, response_deadlines as deadlines_table};
use guidepost::roles::Role;
use guidepost::services::actor::Actor;
use guidepost::services::questions::{self, Ask};
use guidepost::services::response_targets::report::{self, Tally};
use guidepost::services::response_targets::sweep::{self, Swept};
use guidepost::services::staff_queue::{self, QueueOrder};

use common::members::PASSWORD;
use common::TestApp;

const SETTINGS: &str = "/admin/settings";

async fn signed_in(app: &TestApp, username: &str, role: Role) -> TestApp {
    let visitor = app.another_visitor();
    app.create_user(username, role);
    visitor.sign_in(username, PASSWORD).await.assert_status(303);
    visitor
}

fn actor(app: &TestApp, username: &str) -> Actor {
    app.with_db(|conn| Actor::from_user(&users::find_by_username(conn, username).unwrap().unwrap()))
}

fn user_id(app: &TestApp, username: &str) -> i64 {
    actor(app, username).id
}

/// Asks a question through the real use case at `now` (the change feed fixes its promise).
fn ask(app: &TestApp, who: &Actor, title: &str, tag_names: &str, now: NaiveDateTime) -> Post {
    let policy = common::open_posting_policy();
    let form = Ask {
        title: title.to_owned(),
        body: "A body that is long enough to pass the length rule.".into(),
        tags: tag_names.into(),
    };
    app.with_feed(|conn, feed| questions::ask(conn, feed, who, policy, form.prepare(&policy).unwrap(), now).unwrap())
}

fn deadline(app: &TestApp, question: i64) -> Option<ResponseDeadline> {
    app.with_db(|conn| response_deadlines::of_questions(conn, &[question]).unwrap().pop())
}

fn tag_id(app: &TestApp, name: &str) -> i64 {
    app.with_db(|conn| tags::find_by_name(conn, name).unwrap().unwrap().id)
}

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, min, 0).unwrap()
}

/// The notifications of an event a user holds.
fn told(app: &TestApp, username: &str, event: &str) -> i64 {
    let id = user_id(app, username);
    app.with_db(|conn| {
        notifications::table
            .filter(notifications::user_id.eq(id))
            .filter(notifications::event.eq(event))
            .count()
            .get_result(conn)
            .unwrap()
    })
}

/// Now, in whole seconds (PostgreSQL keeps microseconds, SQLite more).
fn now() -> NaiveDateTime {
    use chrono::Timelike;
    chrono::Utc::now().naive_utc().with_nanosecond(0).unwrap()
}

async fn business_hours_and_topic_targets_set_the_promise(app: TestApp) {
    let admin = signed_in(&app, "ada", Role::Admin).await;
    app.create_user("mia", Role::Member);
    let mia = actor(&app, "mia");

    // A bad schedule is refused with a reason, and nothing is stored.
    let refused = admin
        .submit(SETTINGS, SETTINGS, &[("business_hours", "weekdays 09:00-17:00"), ("response_target_hours", "4")])
        .await;
    refused.assert_status(422).assert_contains("is not a day or a span of days like Mon-Fri");
    assert_eq!(app.state.settings().response_target_hours, 24, "nothing changed");
    assert!(app.state.settings().business_hours.is_always());
    admin.submit(SETTINGS, SETTINGS, &[("response_target_hours", "99999")]).await.assert_status(422);

    admin
        .submit(SETTINGS, SETTINGS, &[("business_hours", "mon-fri 09:00-17:00"), ("response_target_hours", "4")])
        .await
        .assert_status(303);
    admin.get(SETTINGS).await.assert_status(200).assert_contains("value=\"Mon-Fri 09:00-17:00 +00:00\"");

    // Friday 4 December 2026, 19:00: a 4-hour target is due Monday 13:00, near at 3 hours (12:00).
    let friday_evening = at(2026, 12, 4, 19, 0);
    let q = ask(&app, &mia, "Why does my red widget stop in the rain?", "widgets", friday_evening);
    let promise = deadline(&app, q.id).unwrap();
    assert_eq!(promise.target_hours, 4);
    assert_eq!(promise.due_at, at(2026, 12, 7, 13, 0));
    assert_eq!(promise.nearing_at, at(2026, 12, 7, 12, 0));

    // A topic's own, stricter target wins; a looser one does not.
    let ada = user_id(&app, "ada");
    let widgets = tag_id(&app, "widgets");
    app.with_db(|conn| topics::set_target(conn, widgets, Some(2), ada, friday_evening).unwrap());
    let strict = ask(&app, &mia, "How do I oil the hinge of a blue widget?", "widgets gadgets", friday_evening);
    assert_eq!(deadline(&app, strict.id).unwrap().due_at, at(2026, 12, 7, 11, 0));
    let gadgets = tag_id(&app, "gadgets");
    app.with_db(|conn| topics::set_target(conn, gadgets, Some(40), ada, friday_evening).unwrap());
    let loose = ask(&app, &mia, "Which battery fits the green gadget best?", "gadgets", friday_evening);
    assert_eq!(deadline(&app, loose.id).unwrap().target_hours, 40, "the topic's target replaces the site's");

    // A later change of target does not move a promise already made.
    admin.submit(SETTINGS, SETTINGS, &[("response_target_hours", "0")]).await.assert_status(303);
    assert_eq!(deadline(&app, q.id).unwrap().due_at, at(2026, 12, 7, 13, 0));
    // No site-wide target: a question in a topic without its own gets no promise.
    let none = ask(&app, &mia, "Where can I buy spare parts for widgets?", "spares", friday_evening);
    assert_eq!(deadline(&app, none.id), None);
}

async fn a_breach_alerts_leads_and_admins_once_and_leaves_with_an_official_answer(app: TestApp) {
    let ada = signed_in(&app, "ada", Role::Admin).await;
    let sam = signed_in(&app, "sam", Role::Staff).await;
    app.create_user("lee", Role::Staff);
    app.create_user("mia", Role::Member);
    app.create_user("max", Role::Member);
    let asked = now() - TimeDelta::hours(30);
    let q = ask(&app, &actor(&app, "mia"), "Why does my red widget stop in the rain?", "widgets", asked);
    let (sam_id, max_id) = (user_id(&app, "sam"), user_id(&app, "max"));
    let widgets = tag_id(&app, "widgets");
    app.with_db(|conn| {
        topics::add_lead(conn, widgets, sam_id, sam_id, asked).unwrap();
        // A member who leads is not staff: never alerted.
        topics::add_lead(conn, widgets, max_id, sam_id, asked).unwrap();
    });
    let promise = deadline(&app, q.id).unwrap();
    assert_eq!(promise.due_at, asked + TimeDelta::hours(24));
    assert_eq!(promise.nearing_at, asked + TimeDelta::hours(18));

    let sweep_at = |at: NaiveDateTime| sweep::sweep(app.pool(), &app.state.outbox, at).unwrap();
    assert_eq!(sweep_at(asked + TimeDelta::hours(17)), Swept::default(), "not near yet");
    assert_eq!(sweep_at(asked + TimeDelta::hours(19)), Swept { nearing: 1, breached: 0 });
    assert_eq!(sweep_at(asked + TimeDelta::hours(20)), Swept::default(), "nearing goes out once");
    assert_eq!((told(&app, "sam", "target_nearing"), told(&app, "ada", "target_nearing")), (1, 0));

    // Past due: alerted once.
    assert_eq!(sweep_at(now()), Swept { nearing: 0, breached: 1 });
    assert_eq!(sweep_at(now()), Swept::default(), "a breach goes out once");
    for (who, count) in [("sam", 1), ("ada", 1), ("lee", 0), ("mia", 0), ("max", 0)] {
        assert_eq!(told(&app, who, "target_breached"), count, "{who}");
    }
    assert_eq!(told(&app, "max", "target_nearing") + told(&app, "lee", "target_nearing"), 0);

    let board = ada.get("/staff").await;
    board.assert_status(200).assert_contains("<h2 id=\"breaches-heading\">Current breaches</h2>");
    assert!(board.body.contains("Why does my red widget stop in the rain?"), "the breach is listed");
    assert!(!board.body.contains("No question is past its target."));
    board.assert_contains("<td>6 hours</td>").assert_contains("<td>No one</td>");
    // The same question is the window's one missed promise, in the table under the chart.
    board
        .assert_contains(
            "<tfoot><tr><th scope=\"row\">Total</th><td>0</td><td>1</td><td>0</td><td>0%</td></tr></tfoot>",
        )
        .assert_contains(
            "<tr class=\"target-topic\"><th scope=\"row\">widgets</th><td>0</td><td>1</td><td>0</td><td>0%</td></tr>",
        )
        .assert_contains("<title id=\"target-week-chart-title\">");
    let queue = sam.get("/staff/queue").await;
    queue.assert_status(200).assert_contains("overdue by 6 hours");
    sam.get("/staff/my-work")
        .await
        .assert_status(200)
        .assert_contains("Nearing or past target")
        .assert_contains("overdue by 6 hours");

    // An official answer ends the breach.
    let path = guidepost::domain::paths::question(guidepost::domain::QuestionId(q.id), q.slug.as_deref());
    let body = "Dry the contacts and reseat the battery; the seal keeps rain out after that.";
    sam.submit(&path, &format!("/questions/{}/answers", q.id), &[("body", body), ("official", "1")])
        .await
        .assert_status(303);
    let board = ada.get("/staff").await;
    board.assert_contains("No question is past its target.");
    assert!(!board.body.contains("id=\"breaches-table\""));
}

async fn two_nodes_send_each_alert_once(app: TestApp) {
    app.create_user("ada", Role::Admin);
    app.create_user("sam", Role::Staff);
    app.create_user("mia", Role::Member);
    let other = app.another_node(&[]).await;
    let asked = now() - TimeDelta::hours(30);
    let mia = actor(&app, "mia");
    let questions: Vec<Post> = (0..6)
        .map(|i| ask(&app, &mia, &format!("Why does widget number {i} stop in the rain?"), "widgets", asked))
        .collect();
    let sam = user_id(&app, "sam");
    let widgets = tag_id(&app, "widgets");
    app.with_db(|conn| topics::add_lead(conn, widgets, sam, sam, asked).unwrap());

    let sweep_at = now();
    let nodes = [(app.pool(), &app.state.outbox), (other.pool(), &other.state.outbox)];
    let swept: Vec<Swept> = std::thread::scope(|scope| {
        let running: Vec<_> = nodes
            .iter()
            .map(|(pool, outbox)| scope.spawn(move || sweep::sweep(pool, outbox, sweep_at).unwrap()))
            .collect();
        running.into_iter().map(|r| r.join().unwrap()).collect()
    });
    // Both moments passed: each node may take any share, but together each alert once.
    let total = swept
        .iter()
        .fold(Swept::default(), |a, b| Swept { nearing: a.nearing + b.nearing, breached: a.breached + b.breached });
    assert_eq!(total, Swept { nearing: 6, breached: 6 }, "{swept:?}");
    for node in [&app, &other] {
        assert_eq!(sweep::sweep(node.pool(), &node.state.outbox, sweep_at).unwrap(), Swept::default());
    }
    assert_eq!(told(&app, "sam", "target_nearing"), 6);
    assert_eq!(told(&app, "sam", "target_breached"), 6);
    assert_eq!(told(&app, "ada", "target_breached"), 6);
    assert_eq!(told(&app, "ada", "target_nearing"), 0);
    assert_eq!(questions.len(), 6);
}

/// One question of the dashboard fixture.
struct Fixture {
    title: &'static str,
    tags: &'static str,
    asked: NaiveDateTime,
    official: Option<NaiveDateTime>,
    /// `None`: the question has no promise.
    due: Option<NaiveDateTime>,
}

async fn a_held_question_is_promised_when_approved(app: TestApp) {
    let newbie = signed_in(&app, "newbie", Role::Member).await;
    let mona = signed_in(&app, "mona", Role::Moderator).await;
    let body = "My widget manual at https://manuals.example/w1 says nothing about rain damage.";
    let asked = newbie
        .submit(
            "/ask",
            "/ask",
            &[("title", "Is rain damage covered by the widget warranty?"), ("body", body), ("tags", "warranty")],
        )
        .await;
    asked.assert_status(303);
    let qid = common::forum::question_id(asked.header("location").unwrap());
    assert_eq!(deadline(&app, qid), None, "a held question is promised nothing yet");

    let before = now();
    mona.submit("/mod/review", &format!("/mod/review/{qid}"), &[("decision", "approve")]).await.assert_status(303);
    let promise = deadline(&app, qid).expect("approved: promised");
    assert_eq!(promise.target_hours, 24);
    assert!(promise.due_at >= before + TimeDelta::hours(24), "the clock starts at the approval");
}

on_both_backends!(
    a_held_question_is_promised_when_approved,
    business_hours_and_topic_targets_set_the_promise,
    a_breach_alerts_leads_and_admins_once_and_leaves_with_an_official_answer,
    two_nodes_send_each_alert_once,
);
