//! `/staff/insights` on a seeded history: a planted trend is found among steady topics and a big
//! topic's ordinary wobble, in topics, title words and searches; each CSV says what the page
//! says; official-answer times by topic; members are refused.

use chrono::{NaiveDateTime, TimeDelta, Utc};
use diesel::prelude::*;
use guidepost::db::models::{search_log, users};
use guidepost::db::schema::posts;
use guidepost::roles::Role;
use guidepost::services::actor::Actor;
use guidepost::services::questions::{self, Ask};

use crate::common;
use common::TestApp;

/// Questions a week, in the four weeks before and this week, by topic.
const HISTORY: &[(&str, [i64; 4], i64)] = &[
    // The planted trend: a small topic that quadruples.
    ("rainproofing", [3, 4, 3, 4], 15),
    // A big topic a little busier than usual: more questions than the trend, but no news.
    ("billing", [60, 60, 60, 60], 75),
    // Steady topics that wobble.
    ("noise-a", [8, 10, 7, 9], 11),
    ("noise-b", [9, 8, 10, 8], 9),
    ("noise-c", [7, 9, 8, 10], 12),
    ("noise-d", [10, 7, 9, 8], 7),
    ("noise-e", [8, 8, 9, 9], 10),
    ("noise-f", [9, 10, 8, 7], 8),
];

fn staff_actor(app: &TestApp, id: i64) -> Actor {
    app.with_db(|conn| Actor::from_user(&users::find(conn, id).unwrap().unwrap()))
}

/// Asks each topic's questions at dates spread over its weeks; returns the billing questions'
/// ids asked this week.
fn seed_questions(app: &TestApp, asker: &Actor, now: NaiveDateTime) -> Vec<i64> {
    let policy = common::open_posting_policy();
    let mut billing = Vec::new();
    let mut n = 0;
    for (tag, before, this_week) in HISTORY {
        let weeks = before.iter().enumerate().map(|(w, count)| (w as i64 + 1, *count)).chain([(0, *this_week)]);
        for (weeks_ago, count) in weeks {
            for i in 0..count {
                n += 1;
                // Every other word of the title is a stop word, so only the topic is counted.
                let ask = Ask {
                    title: format!("Why does the {tag} not {n} when you use it"),
                    body: common::forum::DETAILS.into(),
                    tags: (*tag).into(),
                };
                let at = now - TimeDelta::weeks(weeks_ago) - TimeDelta::hours(2 + i * 2);
                let id = app.with_feed(|conn, feed| {
                    questions::ask(conn, feed, asker, policy, ask.prepare(&policy).unwrap(), at).unwrap().id
                });
                if *tag == "billing" && weeks_ago == 0 {
                    billing.push(id);
                }
            }
        }
    }
    billing
}

fn seed_searches(app: &TestApp, now: NaiveDateTime) {
    let history: &[(&str, [i32; 4], i32)] =
        &[("rain cover", [1, 2, 1, 2], 12), ("password reset", [10, 10, 10, 10], 10)];
    app.with_db(|conn| {
        for (query, before, this_week) in history {
            let weeks = before.iter().enumerate().map(|(w, count)| (w as i64 + 1, *count)).chain([(0, *this_week)]);
            for (weeks_ago, count) in weeks {
                for i in 0..count {
                    let at = now - TimeDelta::weeks(weeks_ago) - TimeDelta::hours(1 + i64::from(i));
                    search_log::insert(conn, query, 0, 3, at).unwrap();
                }
            }
        }
    });
}

/// The rows of the table with `id` on the page, each as its cells' text.
fn table_rows(body: &str, id: &str) -> Vec<Vec<String>> {
    let start = body.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no table {id}"));
    let table = &body[start..start + body[start..].find("</table>").unwrap()];
    let tbody = &table[table.find("<tbody>").unwrap()..];
    tbody
        .split("<tr>")
        .skip(1)
        .map(|row| {
            row.split(['<', '>'])
                .enumerate()
                .filter(|(i, _)| i % 2 == 0)
                .map(|(_, text)| text.trim().to_owned())
                .filter(|text| !text.is_empty())
                .collect()
        })
        .collect()
}

fn csv_rows(csv: &str) -> Vec<Vec<String>> {
    csv.lines().skip(1).map(|line| line.split(',').map(str::to_owned).collect()).collect()
}

async fn a_planted_trend_is_found_and_noise_is_not(app: TestApp) {
    let now = Utc::now().naive_utc();
    let (staff, staff_id) = app.signed_in_member("stella", Role::Staff).await;
    let billing = seed_questions(&app, &staff_actor(&app, staff_id), now);
    seed_searches(&app, now);
    // Three billing questions got official answers after 2, 4 and 10 hours, and served people:
    // views, members who opened them instead of asking, searches that led to them.
    app.with_db(|conn| {
        for (i, (id, hours)) in billing.iter().zip([2, 4, 10]).enumerate() {
            let asked: NaiveDateTime = posts::table.find(id).select(posts::created_at).first(conn).unwrap();
            diesel::update(posts::table.find(id))
                .set((
                    posts::first_official_at.eq(asked + TimeDelta::hours(hours)),
                    posts::has_official.eq(true),
                    posts::view_count.eq(30 - 10 * i as i64),
                ))
                .execute(conn)
                .unwrap();
            for _ in 0..(2 - i) {
                search_log::insert_deflection(conn, *id, "billing twice", now).unwrap();
            }
            for _ in 0..(3 - i) {
                let search = search_log::insert(conn, "billing", 1, 2, now).unwrap();
                search_log::click(conn, search, *id).unwrap();
            }
        }
    });

    let page = staff.get("/staff/insights").await;
    page.assert_status(200);
    let topics = table_rows(&page.body, "rising-topics");
    let names: Vec<&str> = topics.iter().map(|row| row[0].as_str()).collect();
    assert_eq!(names, ["rainproofing"], "only the planted trend rises: {topics:?}");
    assert_eq!(topics[0][1..4], ["15", "3.5", "×4.3"]);
    let words: Vec<String> = table_rows(&page.body, "rising-words").into_iter().map(|row| row[0].clone()).collect();
    assert_eq!(words, ["rainproofing"], "title words rise with their topic, and only they");
    let searches: Vec<String> =
        table_rows(&page.body, "rising-searches").into_iter().map(|row| row[0].clone()).collect();
    assert_eq!(searches, ["rain cover"]);
    let official = table_rows(&page.body, "official-answer-times");
    assert_eq!(official, [vec!["billing", "3", "4", "8.8"]], "percentiles as the dashboard computes them");
    page.assert_contains("<svg").assert_contains("Rising topics");
    let served = table_rows(&page.body, "most-served-answers");
    let figures: Vec<&[String]> = served.iter().map(|row| &row[1..]).collect();
    assert_eq!(
        figures,
        [["official", "30", "2", "3", "5"], ["official", "20", "1", "2", "3"], ["official", "10", "0", "1", "1"]],
        "views, deflections, search clicks and questions saved: {served:?}"
    );

    // Each CSV is the page's table.
    for (table, id) in [
        ("rising-topics", "rising-topics"),
        ("rising-words", "rising-words"),
        ("rising-searches", "rising-searches"),
        ("most-served-answers", "most-served-answers"),
        ("official-answer-times", "official-answer-times"),
    ] {
        let csv = staff.get(&format!("/staff/insights/{table}.csv")).await;
        csv.assert_status(200);
        assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
        assert!(csv.header("content-disposition").unwrap().contains(&format!("{table}.csv")));
        let shown: Vec<Vec<String>> = table_rows(&page.body, id)
            .into_iter()
            .map(|row| {
                row.into_iter().map(|cell| cell.trim_start_matches('×').trim_end_matches(" σ").to_owned()).collect()
            })
            .collect();
        assert_eq!(csv_rows(&csv.body), shown, "{table}.csv matches the page");
    }
}

async fn members_are_refused_and_unknown_tables_are_not_found(app: TestApp) {
    let (member, _) = app.signed_in_member("mia", Role::Member).await;
    member.get("/staff/insights").await.assert_status(403);
    member.get("/staff/insights/rising-topics.csv").await.assert_status(403);
    app.get("/staff/insights").await.assert_status(303);
    let (staff, _) = app.signed_in_member("stella", Role::Staff).await;
    staff.get("/staff/insights/members.csv").await.assert_status(404);
    // An empty site has nothing rising, and says so.
    staff.get("/staff/insights").await.assert_status(200).assert_contains("No topic rose beyond chance this week.");
}

on_both_backends!(a_planted_trend_is_found_and_noise_is_not, members_are_refused_and_unknown_tables_are_not_found);
