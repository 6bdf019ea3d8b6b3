//! The staff dashboard: who may see it, and the figures it reports for a hand-computed set of
//! questions (counts, shares, medians and 90th percentiles, the trend and the backlog by age).

use crate::common;

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use guidepost::db::models::users;
use guidepost::db::schema::posts;
use guidepost::roles::Role;
use guidepost::services::actor::Actor;
use guidepost::services::dashboard::{self, BacklogBucket, Dashboard};
use guidepost::services::questions::{self, Ask};

use common::members::PASSWORD;
use common::TestApp;

async fn signed_in(app: &TestApp, username: &str, role: Role) -> TestApp {
    let visitor = app.another_visitor();
    app.create_user(username, role);
    visitor.sign_in(username, PASSWORD).await.assert_status(303);
    visitor
}

fn actor(app: &TestApp, username: &str) -> Actor {
    app.with_db(|conn| {
        let user = users::find_by_username(conn, username).unwrap().unwrap();
        Actor::from_user(&user)
    })
}

/// One question of the fixture, as offsets from "now".
struct Fixture {
    asked_ago: TimeDelta,
    answers: i32,
    first_answer_after: Option<TimeDelta>,
    first_official_after: Option<TimeDelta>,
    has_official: bool,
    deleted: bool,
}

fn q(asked_ago: TimeDelta, answers: i32) -> Fixture {
    Fixture {
        asked_ago,
        answers,
        first_answer_after: None,
        first_official_after: None,
        has_official: false,
        deleted: false,
    }
}

fn days(n: i64) -> TimeDelta {
    TimeDelta::days(n)
}

fn hours(n: i64) -> TimeDelta {
    TimeDelta::hours(n)
}

/// The fixture; the comments give each question's part in the expected figures.
fn fixture() -> Vec<Fixture> {
    vec![
        // 7-day window: answered after 1 h, officially after 3 h 20 min.
        Fixture {
            first_answer_after: Some(hours(1)),
            first_official_after: Some(hours(3) + TimeDelta::minutes(20)),
            has_official: true,
            ..q(days(5), 2)
        },
        // 7-day window: answered after 30 min by the community only.
        Fixture { first_answer_after: Some(TimeDelta::minutes(30)), ..q(days(3), 1) },
        // 7-day window: the first answer, after 2 d 4 h, was official.
        Fixture {
            first_answer_after: Some(days(2) + hours(4)),
            first_official_after: Some(days(2) + hours(4)),
            has_official: true,
            ..q(days(2), 1)
        },
        // 7-day window, open: backlog "1–7 days", "Under 1 day" twice.
        q(days(4), 0),
        q(hours(1), 0),
        q(hours(6), 0),
        // Deleted: counted nowhere.
        Fixture { deleted: true, ..q(days(1), 0) },
        // 30-day window only: answered after 5 min, officially after 6 h.
        Fixture {
            first_answer_after: Some(TimeDelta::minutes(5)),
            first_official_after: Some(hours(6)),
            has_official: true,
            ..q(days(10), 1)
        },
        // 30-day window, open: backlog "7–30 days".
        q(days(20), 0),
        // 90-day window only, open: backlog "30–90 days".
        q(days(45), 0),
        // Outside every window, open: backlog "Over 90 days".
        q(days(120), 0),
    ]
}

/// Asks every fixture question through the service as `staff`, then moves its timestamps and
/// counters to the fixture's values relative to `now`.
fn ask_fixture(app: &TestApp, staff: &Actor, now: NaiveDateTime) {
    let policy = common::open_posting_policy();
    for (i, f) in fixture().into_iter().enumerate() {
        let form = Ask {
            title: format!("Fixture question number {i} about widgets"),
            body: "A body that is long enough to pass the length rule.".into(),
            tags: "widgets".into(),
        };
        let created = now - f.asked_ago;
        app.with_feed(|conn, feed| {
            let post = questions::ask(conn, feed, staff, policy, form.prepare(&policy).unwrap(), now).unwrap();
            diesel::update(posts::table.find(post.id))
                .set((
                    posts::created_at.eq(created),
                    posts::last_activity_at.eq(created),
                    posts::answer_count.eq(f.answers),
                    posts::first_answer_at.eq(f.first_answer_after.map(|d| created + d)),
                    posts::first_official_at.eq(f.first_official_after.map(|d| created + d)),
                    posts::has_official.eq(f.has_official),
                    posts::view_count.eq(i64::try_from(i).unwrap() * 10),
                    posts::deleted_at.eq(f.deleted.then_some(now)),
                ))
                .execute(conn)
                .unwrap();
        });
    }
}

fn backlog(counts: [i64; 5]) -> Vec<BacklogBucket> {
    ["Under 1 day", "1–7 days", "7–30 days", "30–90 days", "Over 90 days"]
        .into_iter()
        .zip(counts)
        .map(|(label, count)| BacklogBucket { label, count })
        .collect()
}

fn secs(s: i64) -> Option<TimeDelta> {
    Some(TimeDelta::seconds(s))
}

async fn only_staff_see_the_dashboard(app: TestApp) {
    let moved = app.get("/staff").await;
    moved.assert_status(303);
    assert_eq!(moved.header("location"), Some("/login?next=%2Fstaff"));

    let member = signed_in(&app, "mia", Role::Member).await;
    member.get("/staff").await.assert_status(403);
    member.get("/staff?days=7").await.assert_status(403);
    assert!(!member.get("/").await.body.contains("href=\"/staff\""), "members get no Staff link");

    for (name, role) in [("sam", Role::Staff), ("moe", Role::Moderator), ("ada", Role::Admin)] {
        let visitor = signed_in(&app, name, role).await;
        let page = visitor.get("/staff").await;
        page.assert_status(200)
            .assert_contains("<meta name=\"robots\" content=\"noindex\">")
            .assert_contains("<a href=\"/staff\" aria-current=\"page\">Staff</a>")
            .assert_contains("href=\"/staff/queue\"")
            .assert_contains("<a href=\"/staff?days=30\" aria-current=\"page\">Last 30 days</a>")
            .assert_contains("id=\"figure-asked\">0<")
            .assert_contains("id=\"figure-answered\">—<")
            .assert_contains("id=\"figure-first-answer\">median —<");
        assert_eq!(page.header("cache-control"), Some("private, no-store"));
        assert!(visitor.get("/").await.body.contains("<a href=\"/staff\">Staff</a>"));
    }

    let staff = signed_in(&app, "sue", Role::Staff).await;
    for bad in ["5", "abc", "-30", "365"] {
        staff.get(&format!("/staff?days={bad}")).await.assert_status(400).assert_contains("7, 30 or 90");
    }
}

async fn the_service_reports_hand_computed_figures(app: TestApp) {
    app.create_user("sam", Role::Staff);
    app.create_user("mia", Role::Member);
    let staff = actor(&app, "sam");
    let now = NaiveDate::from_ymd_opt(2026, 3, 15).unwrap().and_hms_opt(12, 0, 0).unwrap();
    ask_fixture(&app, &staff, now);
    let overview = |who: &Actor, days: Option<&str>| app.with_db(|conn| dashboard::overview(conn, who, days, now));

    let member = actor(&app, "mia");
    assert!(matches!(overview(&member, Some("7")), Err(guidepost::services::ServiceError::Forbidden(_))));

    let week: Dashboard = overview(&staff, Some("7")).unwrap();
    assert_eq!(week.first_day, NaiveDate::from_ymd_opt(2026, 3, 9).unwrap());
    assert_eq!(week.last_day, NaiveDate::from_ymd_opt(2026, 3, 15).unwrap());
    assert_eq!((week.asked, week.answered, week.official), (6, 3, 2));
    assert_eq!((week.answered_share(), week.official_share()), (Some(0.5), Some(2.0 / 6.0)));
    // First answers after 30 min, 1 h, 2 d 4 h: median 1 h; p90 at rank 1.8 = 1 h + 0.8 × 51 h.
    assert_eq!(week.first_answer.count, 3);
    assert_eq!((week.first_answer.median, week.first_answer.p90), (secs(3_600), secs(150_480)));
    // First official answers after 3 h 20 min and 2 d 4 h: the median halves the gap (27 h 40 min),
    // the p90 is nine tenths of the way (47 h 8 min).
    assert_eq!(week.first_official.count, 2);
    assert_eq!((week.first_official.median, week.first_official.p90), (secs(99_600), secs(169_680)));
    assert_eq!(week.trend.iter().map(|b| b.asked).collect::<Vec<_>>(), [0, 1, 1, 1, 1, 0, 2]);
    assert_eq!(week.trend.iter().map(|b| b.official).collect::<Vec<_>>(), [0, 1, 0, 0, 1, 0, 0]);
    assert!(week.trend.iter().all(|b| b.days == 1));
    assert_eq!(week.backlog, backlog([2, 1, 1, 1, 1]));

    let month = overview(&staff, None).unwrap();
    assert_eq!(month.window.days(), 30);
    assert_eq!((month.asked, month.answered, month.official), (8, 4, 3));
    // 5 min, 30 min, 1 h, 2 d 4 h: median between 30 min and 1 h; p90 at rank 2.7.
    assert_eq!((month.first_answer.median, month.first_answer.p90), (secs(2_700), secs(132_120)));
    // 3 h 20 min, 6 h, 2 d 4 h: median 6 h; p90 at rank 1.8 = 6 h + 0.8 × 46 h.
    assert_eq!((month.first_official.median, month.first_official.p90), (secs(21_600), secs(154_080)));
    assert_eq!(month.trend.len(), 30);
    assert_eq!(month.trend.iter().map(|b| b.asked).sum::<i64>(), 8);
    assert_eq!(month.backlog, week.backlog, "the backlog does not depend on the window");

    let quarter = overview(&staff, Some("90")).unwrap();
    assert_eq!(quarter.first_day, NaiveDate::from_ymd_opt(2025, 12, 16).unwrap());
    assert_eq!((quarter.asked, quarter.answered, quarter.official), (9, 4, 3));
    assert_eq!(quarter.first_answer, month.first_answer);
    assert_eq!(quarter.trend.len(), 13);
    let weeks: Vec<(i64, i64)> = quarter.trend.iter().map(|b| (b.asked, b.official)).collect();
    let mut expected = vec![(0, 0); 13];
    (expected[6], expected[9], expected[11], expected[12]) = ((1, 0), (1, 0), (1, 1), (6, 2));
    assert_eq!(weeks, expected);
    assert_eq!(quarter.trend[12].days, 6, "the last week ends today");

    assert!(overview(&staff, Some("14")).is_err());
}

async fn the_page_shows_the_figures_as_charts_and_tables(app: TestApp) {
    let staff = signed_in(&app, "sam", Role::Staff).await;
    ask_fixture(&app, &actor(&app, "sam"), chrono::Utc::now().naive_utc());

    let page = staff.get("/staff?days=7").await;
    page.assert_status(200)
        .assert_contains("<a href=\"/staff?days=7\" aria-current=\"page\">Last 7 days</a>")
        .assert_contains("<a href=\"/staff?days=30\">Last 30 days</a>")
        .assert_contains("id=\"figure-asked\">6<")
        .assert_contains("id=\"figure-answered\">50%<")
        .assert_contains("id=\"figure-official\">33%<")
        .assert_contains("id=\"figure-first-answer\">median 1 h<")
        .assert_contains("id=\"figure-first-answer-p90\">90% within 1 d 17 h<")
        .assert_contains("id=\"figure-first-official\">median 1 d 3 h<")
        .assert_contains("id=\"figure-first-official-p90\">90% within 1 d 23 h<")
        // The trend table's total and the backlog table carry the same numbers as the charts.
        .assert_contains("<tfoot><tr><th scope=\"row\">Total</th><td>6</td><td>2</td></tr></tfoot>")
        .assert_contains("<tr><th scope=\"row\">Under 1 day</th><td>2</td></tr>")
        .assert_contains("<tr><th scope=\"row\">1–7 days</th><td>1</td></tr>")
        .assert_contains("<tr><th scope=\"row\">Over 90 days</th><td>1</td></tr>")
        .assert_contains("<title id=\"backlog-chart-title\">Unanswered questions by age</title>")
        .assert_contains("Under 1 day: 2; 1–7 days: 1; 7–30 days: 1; 30–90 days: 1; Over 90 days: 1.");
    // The trend and the backlog, then the response targets per week and per topic.
    assert_eq!(page.body.matches("<svg class=\"chart\"").count(), 4);
    assert_eq!(page.body.matches("role=\"img\"").count(), 4);
    assert!(!page.body.contains("style=\""), "the CSP forbids inline styles");
    assert_eq!(page.body.matches("<tr><th scope=\"row\">20").count(), 7, "one table row per day");
    // Each bar of the backlog chart is labelled with its number, as in the table.
    assert!(page.body.contains("<title>Under 1 day: 2</title>"));
    assert!(page.body.contains("<g><title>"));

    staff
        .get("/staff?days=30")
        .await
        .assert_status(200)
        .assert_contains("id=\"figure-asked\">8<")
        .assert_contains("id=\"figure-answered\">50%<")
        .assert_contains("id=\"figure-official\">38%<")
        .assert_contains("id=\"figure-first-answer\">median 45 min<")
        .assert_contains("id=\"figure-first-answer-p90\">90% within 1 d 12 h<")
        .assert_contains("id=\"figure-first-official\">median 6 h<")
        .assert_contains("<tfoot><tr><th scope=\"row\">Total</th><td>8</td><td>3</td></tr></tfoot>");

    let quarter = staff.get("/staff?days=90").await;
    quarter.assert_status(200).assert_contains("id=\"figure-asked\">9<").assert_contains("id=\"figure-answered\">44%<");
    assert_eq!(quarter.body.matches("<tr><th scope=\"row\">20").count(), 13, "one table row per week");
}

on_both_backends!(
    only_staff_see_the_dashboard,
    the_service_reports_hand_computed_figures,
    the_page_shows_the_figures_as_charts_and_tables,
);
