//! The one-time "choose your password" link that `guidepost user create` prints.

use crate::common;

use guidepost::db::models::users;
use guidepost::roles::Role;
use guidepost::services::accounts::{self, NewAccount};
use guidepost::services::passwords::{self, Verified};

use common::TestApp;

fn invite(app: &TestApp, username: &str) -> String {
    app.with_feed(|conn, feed| {
        let now = chrono::Utc::now().naive_utc();
        let account = NewAccount {
            username: username.into(),
            email: format!("{username}@example.com"),
            password: None,
            role: Role::Staff,
            email_verified: true,
        };
        let user = accounts::create(conn, feed, account, now).unwrap();
        accounts::issue_set_password_token(conn, user.id, now).unwrap()
    })
}

fn stored_hash(app: &TestApp, username: &str) -> Option<String> {
    app.with_db(|conn| users::find_by_username(conn, username).unwrap().unwrap().password_hash)
}

async fn a_new_member_chooses_a_password_once(app: TestApp) {
    let token = invite(&app, "Grace");
    let link = format!("/password/set/{token}");

    let form = app.get(&link).await;
    form.assert_status(200).assert_contains("Choose a password").assert_contains("Grace");
    assert_eq!(form.header("cache-control"), Some("no-store"));
    assert_eq!(form.header("referrer-policy"), Some("no-referrer"));

    let mismatch =
        app.submit(&link, &link, &[("password", "tulip-quartz-lantern"), ("password_confirm", "other")]).await;
    mismatch.assert_status(422).assert_contains("The two passwords differ.");
    let weak = app.submit(&link, &link, &[("password", "password123"), ("password_confirm", "password123")]).await;
    weak.assert_status(422).assert_contains("most common");
    assert_eq!(stored_hash(&app, "grace"), None, "a refused form must change nothing");

    let done = app
        .submit(&link, &link, &[("password", "tulip-quartz-lantern"), ("password_confirm", "tulip-quartz-lantern")])
        .await;
    done.assert_status(200).assert_contains("Password saved");
    let hash = stored_hash(&app, "GRACE").expect("password stored");
    assert_eq!(passwords::verify("tulip-quartz-lantern", &hash).unwrap(), Verified::Yes);

    app.get(&link).await.assert_status(410).assert_contains("already used or expired");
}

async fn a_newer_link_retires_the_older_one(app: TestApp) {
    let first = invite(&app, "linus");
    let second = app.with_db(|conn| {
        let user = users::find_by_username(conn, "linus").unwrap().unwrap();
        accounts::issue_set_password_token(conn, user.id, chrono::Utc::now().naive_utc()).unwrap()
    });
    app.get(&format!("/password/set/{first}")).await.assert_status(410);
    app.get(&format!("/password/set/{second}")).await.assert_status(200);
}

async fn forged_links_are_gone(app: TestApp) {
    app.get("/password/set/short").await.assert_status(410);
    let forged = "A".repeat(43);
    app.get(&format!("/password/set/{forged}")).await.assert_status(410).assert_contains("Ask for a new one");
}

on_both_backends!(a_new_member_chooses_a_password_once, a_newer_link_retires_the_older_one, forged_links_are_gone);
