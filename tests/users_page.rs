//! The users page: members by reputation, filtered by name or tag, read a page at a time by
//! keyset cursors; bad cursors and unknown tags are refused plainly.

use crate::common;

use diesel::prelude::*;
use guidepost::db::models::users::{self, NewUser};
use guidepost::db::models::{tags, users_list};
use guidepost::db::schema::{posts, users as users_table};
use guidepost::roles::Role;

use common::forum::question_id;
use common::members::PASSWORD;
use common::TestApp;

/// Adds a member straight to the database (no password: quick) with this reputation.
fn member(app: &TestApp, username: &str, reputation: i64) -> i64 {
    app.with_db(|conn| {
        let id = users::insert(
            conn,
            &NewUser {
                username,
                username_key: &username.to_lowercase(),
                display_name: username,
                email: None,
                password_hash: None,
                role: Role::Member,
                email_verified_at: None,
                created_at: chrono::Utc::now().naive_utc(),
            },
        )
        .unwrap();
        diesel::update(users_table::table.find(id)).set(users_table::reputation.eq(reputation)).execute(conn).unwrap();
        id
    })
}

/// The member ids the page lists, in order.
fn listed(body: &str) -> Vec<i64> {
    body.split("class=\"member-name\" href=\"/users/")
        .skip(1)
        .map(|rest| rest.split('/').next().unwrap().parse().unwrap())
        .collect()
}

/// The page's Next link, if any.
fn next_link(body: &str) -> Option<String> {
    let rest = body.split("rel=\"next\" href=\"").nth(1)?;
    Some(rest.split('"').next().unwrap().replace("&amp;", "&"))
}

async fn members_are_listed_by_reputation(app: TestApp) {
    let ann = member(&app, "ann", 50);
    let bob = member(&app, "bob", 500);
    let cal = member(&app, "cal", 50);
    let dee = member(&app, "dee", 1);
    let gone = member(&app, "gone", 900);
    let sue = member(&app, "sue", 800);
    app.with_db(|c| {
        let now = chrono::Utc::now().naive_utc();
        diesel::update(users_table::table.find(gone)).set(users_table::deleted_at.eq(now)).execute(c).unwrap();
        users::set_suspension(c, sue, Some((now, "spam"))).unwrap();
        diesel::update(users_table::table.find(bob))
            .set((users_table::gold_badges.eq(2), users_table::silver_badges.eq(3), users_table::bronze_badges.eq(4)))
            .execute(c)
            .unwrap();
    });
    let page = app.get("/users").await;
    page.assert_status(200).assert_contains("<h1>Users</h1>").assert_contains("2 gold").assert_contains("4 bronze");
    // Ties on reputation: the newer member first, as the index runs.
    assert_eq!(listed(&page.body), [bob, cal, ann, dee], "deleted and suspended accounts are left out");
    assert!(page.body.contains("@bob") && page.body.contains("<dd>500</dd>"), "{}", page.body);
    assert!(next_link(&page.body).is_none());
    app.get("/").await.assert_contains("<a href=\"/users\">Users</a>");
}

async fn the_name_filter_matches_part_of_a_username_or_display_name(app: TestApp) {
    let ann = member(&app, "ann", 10);
    let joanne = member(&app, "jsmith", 20);
    let bob = member(&app, "bob_b", 30);
    member(&app, "carl", 40);
    app.with_db(|c| users::set_display_name(c, joanne, "Joanne Smith").unwrap());
    assert_eq!(listed(&app.get("/users?name=ANN").await.body), [joanne, ann]);
    assert_eq!(listed(&app.get("/users?name=%20smi%20").await.body), [joanne]);
    // LIKE's wildcards match only themselves.
    assert_eq!(listed(&app.get("/users?name=_").await.body), [bob]);
    assert!(listed(&app.get("/users?name=%25").await.body).is_empty());
    app.get("/users?name=zzz").await.assert_status(200).assert_contains("No members match “zzz”");
    let long = "x".repeat(61);
    app.get(&format!("/users?name={long}")).await.assert_status(422).assert_contains("at most 60 characters");
}

async fn the_tag_filter_orders_members_by_their_answers_score_in_it(app: TestApp) {
    let asker = app.another_visitor();
    app.create_user("fred", Role::Member);
    asker.sign_in("fred", PASSWORD).await.assert_status(303);
    let widgets = asker.ask_ok("Why did my red widget break in the rain?", "widgets").await;
    let widgets2 = asker.ask_ok("How do I reset the widget clock after a power cut?", "widgets").await;
    let gears = asker.ask_ok("Which grease suits the gears of an old widget?", "gears").await;
    let mut ids = Vec::new();
    for (name, scores) in [("ann", [3, 4]), ("bob", [9, -1]), ("cal", [7, 0]), ("dee", [2, 5])] {
        let visitor = app.another_visitor();
        ids.push(app.create_user(name, Role::Member));
        visitor.sign_in(name, PASSWORD).await.assert_status(303);
        for (path, score) in [(&widgets, scores[0]), (&widgets2, scores[1])] {
            let answer = visitor.answer(path, "Dry it in a warm room for a day, then check the seals.").await;
            app.with_db(|c| diesel::update(posts::table.find(answer)).set(posts::score.eq(score)).execute(c).unwrap());
        }
    }
    let eve = app.another_visitor();
    let eve_id = app.create_user("eve", Role::Member);
    eve.sign_in("eve", PASSWORD).await.assert_status(303);
    eve.answer(&gears, "Use a light lithium grease, sparingly, and wipe off the rest.").await;
    let [ann, bob, cal, dee] = ids[..] else { unreachable!() };
    // The tag totals are the badge job's (it runs every half minute on a node).
    let now = chrono::Utc::now().naive_utc();
    app.with_db(|c| guidepost::services::badges::run(c, now, false, &mut |_| {}).unwrap());

    let page = app.get("/users?tag=Widgets").await;
    page.assert_status(200).assert_contains("Top answerers in").assert_contains("(2 answers)");
    // Totals: bob 8, cal 7, ann 7, dee 7: ties go to the newer member.
    assert_eq!(listed(&page.body), [bob, dee, cal, ann]);
    assert_eq!(listed(&app.get("/users?tag=gears").await.body), [eve_id]);
    assert_eq!(listed(&app.get("/users?tag=widgets&name=a").await.body), [cal, ann]);

    // Page by page along the same order, with no overlap and no gap.
    let tag = app.with_db(|c| tags::find_by_name(c, "widgets").unwrap().unwrap());
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = app.with_db(|c| users_list::by_tag_score(c, tag.id, None, after, 2).unwrap());
        let Some(last) = page.last() else { break };
        after = Some((last.key, last.id));
        seen.extend(page.iter().map(|m| m.id));
    }
    assert_eq!(seen, [bob, dee, cal, ann]);
    let _ = question_id(&widgets);

    let unknown = app.get("/users?tag=teleporters").await;
    unknown.assert_status(404).assert_contains("Tag not found");
}

async fn pages_follow_the_index_without_overlap_or_gap(app: TestApp) {
    let mut expected: Vec<(i64, i64)> =
        (0..80).map(|n| (n % 7 * 10 + 1, member(&app, &format!("member{n:02}"), n % 7 * 10 + 1))).collect();
    expected.sort_by(|a, b| b.cmp(a));
    let expected: Vec<i64> = expected.into_iter().map(|(_, id)| id).collect();

    let mut seen = Vec::new();
    let mut path = Some("/users".to_owned());
    let mut pages = 0;
    while let Some(next) = path {
        let page = app.get(&next).await;
        page.assert_status(200);
        let ids = listed(&page.body);
        assert!(ids.len() <= 36);
        seen.extend(ids);
        pages += 1;
        path = next_link(&page.body);
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, expected, "every member once, in order");

    // The name filter pages too, and keeps itself in the links.
    let first = app.get("/users?name=member1").await;
    assert!(next_link(&first.body).is_none(), "member1x: ten members, one page");
    assert_eq!(listed(&first.body).len(), 10);
}

async fn bad_cursors_are_refused(app: TestApp) {
    member(&app, "ann", 10);
    for bad in ["abc", "5", "1,x", "1,2,3", "x,1", "10,0", "10,-4"] {
        let page = app.get(&format!("/users?after={bad}")).await;
        page.assert_status(400).assert_contains("start again from the first page");
    }
    // A well-formed cursor past the end is simply an empty page.
    app.get("/users?after=0,1").await.assert_status(200).assert_contains("No more members");
}

on_both_backends!(
    members_are_listed_by_reputation,
    the_name_filter_matches_part_of_a_username_or_display_name,
    the_tag_filter_orders_members_by_their_answers_score_in_it,
    pages_follow_the_index_without_overlap_or_gap,
    bad_cursors_are_refused,
);
