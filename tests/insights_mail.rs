//! The weekly insights mail: admins keep the list on /staff/insights, each week is sent once
//! (twice asked, on any node), every message has a one-click unsubscribe link that takes its
//! address off the list; bad input and non-admins change nothing.

use chrono::{TimeDelta, Utc};
use diesel::prelude::*;
use guidepost::db::schema::{insights_recipients, mail_outbox};
use guidepost::roles::Role;
use guidepost::services::insights::mail::{send_weekly, week_start};

use crate::common;
use common::TestApp;

const PAGE: &str = "/staff/insights";
const ADD: &str = "/staff/insights/recipients";

fn listed(app: &TestApp) -> Vec<String> {
    app.with_db(|conn| {
        insights_recipients::table.select(insights_recipients::email).order(insights_recipients::id).load(conn).unwrap()
    })
}

fn send(app: &TestApp, now: chrono::NaiveDateTime) -> usize {
    let key = guidepost::web::insights_mail::key(&app.state);
    app.with_db(|conn| send_weekly(conn, &app.state.outbox, &key, now).unwrap())
}

async fn the_list_gets_the_week_once_and_leaves_with_one_click(app: TestApp) {
    let (admin, _) = app.signed_in_member("ada", Role::Admin).await;
    admin.submit(PAGE, ADD, &[("email", " Product@Example.com ")]).await.assert_status(303);
    admin.submit(PAGE, ADD, &[("email", "design@example.com")]).await.assert_status(303);
    admin.submit(PAGE, ADD, &[("email", "product@example.com")]).await.assert_status(303);
    admin.get(PAGE).await.assert_contains("That address is already on the list.");
    admin.submit(PAGE, ADD, &[("email", "not an address")]).await.assert_status(422);
    assert_eq!(listed(&app), ["product@example.com", "design@example.com"]);

    // Staff see the list but may not change it; members do not see it.
    let (staff, _) = app.signed_in_member("stella", Role::Staff).await;
    staff.get(PAGE).await.assert_contains("design@example.com").assert_contains("Admins keep this list.");
    staff.submit(PAGE, ADD, &[("email", "spy@example.com")]).await.assert_status(403);
    let (member, _) = app.signed_in_member("mia", Role::Member).await;
    member.submit("/settings", ADD, &[("email", "spy@example.com")]).await.assert_status(403);
    assert_eq!(listed(&app).len(), 2);

    // The week goes out once, however often every node looks.
    let now = Utc::now().naive_utc();
    assert_eq!(send(&app, now), 2);
    assert_eq!(send(&app, now + TimeDelta::minutes(5)), 0);
    let mail = app.mail_to("product@example.com");
    assert_eq!(mail.len(), 1);
    assert!(mail[0].0.starts_with("This week's insights"), "{}", mail[0].0);
    assert!(mail[0].1.contains("Rising topics") && mail[0].1.contains("http://forum.test/staff/insights"));
    let headers: Option<String> = app.with_db(|conn| {
        mail_outbox::table
            .filter(mail_outbox::to_address.eq("product@example.com"))
            .select(mail_outbox::headers)
            .first(conn)
            .unwrap()
    });
    let headers = headers.unwrap();
    assert!(headers.contains("List-Unsubscribe-Post") && headers.contains("/insights/unsubscribe/"), "{headers}");

    // One click (as a mail provider sends it, without a session or form token) takes it off.
    let link = app.link_in_mail("product@example.com", "/insights/unsubscribe/");
    let stranger = app.another_visitor();
    stranger.get(&link).await.assert_status(200).assert_contains("product@example.com");
    let done = stranger.post_form(&link, &[("List-Unsubscribe", "One-Click")]).await;
    done.assert_status(200);
    assert_eq!(done.body, "Unsubscribed.\n");
    stranger.get(&link).await.assert_status(200).assert_contains("This address is off the insights list");
    assert_eq!(listed(&app), ["design@example.com"]);

    // A forged link finds nothing and changes nothing.
    let forged = format!("{}x", link.trim_end_matches('/'));
    stranger.get(&forged).await.assert_status(404);
    stranger.post_form(&forged, &[("List-Unsubscribe", "One-Click")]).await.assert_status(404);
    assert_eq!(listed(&app).len(), 1);

    // Next week, only who is still listed hears.
    let next_week = week_start(now) + TimeDelta::weeks(1) + TimeDelta::hours(1);
    assert_eq!(send(&app, next_week), 1);
    assert_eq!(app.mail_to("product@example.com").len(), 1);
    assert_eq!(app.mail_to("design@example.com").len(), 2);

    // An admin removes an address too.
    let id: i64 = app.with_db(|conn| insights_recipients::table.select(insights_recipients::id).first(conn).unwrap());
    admin.submit(PAGE, &format!("/staff/insights/recipients/{id}/remove"), &[]).await.assert_status(303);
    assert!(listed(&app).is_empty());
}

async fn an_empty_list_claims_no_week(app: TestApp) {
    let now = Utc::now().naive_utc();
    assert_eq!(send(&app, now), 0);
    let (admin, _) = app.signed_in_member("ada", Role::Admin).await;
    admin.submit(PAGE, ADD, &[("email", "late@example.com")]).await.assert_status(303);
    // Added after the week's first look, and still told that week.
    assert_eq!(send(&app, now + TimeDelta::hours(1)), 1);
}

on_both_backends!(the_list_gets_the_week_once_and_leaves_with_one_click, an_empty_list_claims_no_week);
