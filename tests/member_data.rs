//! Members' own data: downloading everything the site holds about you, and deleting your account
//! (or an admin doing either on a member's request), on both backends.

use crate::common;

use std::time::{Duration, Instant};

use diesel::prelude::*;
use guidepost::db::schema::{
    audit_log, auth_tokens, mail_outbox, notifications, search_changes, sessions, users, watches,
};
use guidepost::roles::Role;
use serde_json::Value;

use common::forum::question_id;
use common::members::{email_of, PASSWORD};
use common::{Page, TestApp};

const TITLE: &str = "Why does my garden hose freeze solid overnight?";

/// A member who signed up, confirmed the address and signed in, in a browser of their own.
async fn joined(app: &TestApp, username: &str) -> TestApp {
    let member = app.another_visitor();
    member.join(username).await;
    member
}

/// A member with a role made on the server, signed in in a browser of their own.
async fn signed_in(app: &TestApp, username: &str, role: Role) -> TestApp {
    app.create_user(username, role);
    let member = app.another_visitor();
    member.sign_in(username, PASSWORD).await.assert_status(303);
    member
}

fn user_id(app: &TestApp, username: &str) -> i64 {
    app.with_db(|conn| users::table.filter(users::username_key.eq(username)).select(users::id).first(conn).unwrap())
}

/// Presses "Download my data" in Settings and reads the file.
async fn download_own(member: &TestApp) -> (Page, Value) {
    let page = member.submit("/settings", "/settings/export", &[]).await;
    page.assert_status(200);
    let json = serde_json::from_str(&page.body).expect("the export is JSON");
    (page, json)
}

/// The audit entries about a user, as (actor, action, detail).
fn audit_about(app: &TestApp, id: i64) -> Vec<(Option<i64>, String, Option<String>)> {
    app.with_db(|conn| {
        audit_log::table
            .filter(audit_log::target_kind.eq("user"))
            .filter(audit_log::target_id.eq(id))
            .order(audit_log::id)
            .select((audit_log::actor_id, audit_log::action, audit_log::detail))
            .load(conn)
            .unwrap()
    })
}

/// Rows kept for a member alone: sessions, tokens, watches, notifications, and mail to `address`.
fn personal_rows(app: &TestApp, id: i64, address: &str) -> [i64; 5] {
    app.with_db(|conn| {
        [
            sessions::table.filter(sessions::user_id.eq(id)).count().get_result(conn).unwrap(),
            auth_tokens::table.filter(auth_tokens::user_id.eq(id)).count().get_result(conn).unwrap(),
            watches::table.filter(watches::user_id.eq(id)).count().get_result(conn).unwrap(),
            notifications::table.filter(notifications::user_id.eq(id)).count().get_result(conn).unwrap(),
            mail_outbox::table.filter(mail_outbox::to_address.eq(address)).count().get_result(conn).unwrap(),
        ]
    })
}

/// Searches until the result list does (or does not) show `title`; fails after 5 s.
async fn search_shows(app: &TestApp, query: &str, title: &str, wanted: bool) {
    let started = Instant::now();
    let path = format!("/search?q={}", url::form_urlencoded::byte_serialize(query.as_bytes()).collect::<String>());
    loop {
        let page = app.get(&path).await;
        page.assert_status(200);
        let shown = page.body.replace("<b>", "").replace("</b>", "").contains(title);
        if shown == wanted {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "search {query:?}: wanted {title:?} shown={wanted}:\n{}",
            page.body
        );
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn a_member_downloads_their_data_and_nothing_of_anyone_elses(app: TestApp) {
    let fred = joined(&app, "fred").await;
    let wilma = joined(&app, "wilma").await;
    let path = fred.ask_ok(TITLE, "garden winter").await;
    let answer = wilma.answer(&path, "Wilma's secret: drain the hose and store it in the shed.").await;
    fred.vote(&path, answer, "up").await.assert_status(303);
    let comment = fred
        .submit(&path, &format!("/posts/{answer}/comments"), &[("body", "Thanks, draining it worked for me.")])
        .await;
    comment.assert_status(303);
    fred.submit(&path, &format!("/posts/{answer}/flag"), &[("reason", "needs-moderator"), ("note", "Fred's note")])
        .await
        .assert_status(303);
    let fred_id = user_id(&app, "fred");

    let (page, data) = download_own(&fred).await;
    assert_eq!(page.header("cache-control"), Some("no-store"));
    assert!(page.header("content-type").unwrap().starts_with("application/json"));
    let disposition = page.header("content-disposition").unwrap();
    assert!(disposition.starts_with("attachment") && disposition.contains("guidepost-data-fred-"), "{disposition}");

    // Version 1's shape, as the README documents it.
    let mut keys: Vec<&str> = data.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    let documented = [
        "answers",
        "api_tokens",
        "audit",
        "auth_tokens",
        "comments",
        "exported_at",
        "flags",
        "format",
        "linked_accounts",
        "mail",
        "notifications",
        "profile",
        "questions",
        "revisions",
        "sessions",
        "site",
        "suggested_edits",
        "version",
        "votes",
        "watches",
    ];
    assert_eq!(keys, documented);
    assert_eq!(data["format"], "guidepost-member-export");
    assert_eq!(data["version"], 1);
    assert_eq!(data["site"], "http://forum.test");
    let profile = &data["profile"];
    assert_eq!(profile["id"], fred_id);
    assert_eq!(profile["username"], "fred");
    assert_eq!(profile["email"], email_of("fred"));
    assert_eq!(profile["role"], "member");
    assert_eq!(profile["preferences"]["notification_mail"], "each");
    assert!(profile["email_verified_at"].as_str().unwrap().ends_with('Z'));
    let question = &data["questions"][0];
    assert_eq!(question["id"], question_id(&path));
    assert_eq!(question["title"], TITLE);
    assert_eq!(question["url"], format!("http://forum.test{path}"));
    assert_eq!(question["tags"], serde_json::json!(["garden", "winter"]));
    assert_eq!(data["answers"], serde_json::json!([]));
    assert_eq!(data["comments"][0]["body_markdown"], "Thanks, draining it worked for me.");
    assert_eq!(
        data["votes"],
        serde_json::json!([{ "post_id": answer, "url": format!("http://forum.test/posts/{answer}"), "value": 1, "created_at": data["votes"][0]["created_at"] }])
    );
    assert_eq!(data["revisions"][0]["post_id"], question_id(&path), "the first version of the question");
    assert_eq!(data["watches"][0]["question_id"], question_id(&path), "askers watch their questions");
    assert_eq!(data["notifications"][0]["event"], "answer");
    assert_eq!(data["flags"][0]["note"], "Fred's note");
    assert!(!data["sessions"].as_array().unwrap().is_empty());
    assert_eq!(data["auth_tokens"][0]["purpose"], "verify_email");
    assert_eq!(data["mail"][0]["subject"], "Confirm your email address");
    let audit = data["audit"].as_array().unwrap();
    assert!(audit.iter().any(|e| e["action"] == "user.export" && e["actor"] == "you"), "{audit:?}");

    // Nothing of Wilma's, and no secret of Fred's.
    for absent in ["wilma", "Wilma", "drain the hose", "$argon2", "password_hash", "token_hash", "text_body"] {
        assert!(!page.body.contains(absent), "the export holds {absent:?}:\n{}", page.body);
    }
    let session_digest: String = app
        .with_db(|conn| sessions::table.filter(sessions::user_id.eq(fred_id)).select(sessions::token_hash).first(conn))
        .unwrap();
    assert!(!page.body.contains(&session_digest));
    let exports = audit_about(&app, fred_id)
        .into_iter()
        .filter(|(actor, action, _)| *actor == Some(fred_id) && action == "user.export");
    assert_eq!(exports.count(), 1, "the export is audited");

    // Wilma's export has her answer, not Fred's question.
    let (_, theirs) = download_own(&wilma).await;
    assert_eq!(theirs["profile"]["username"], "wilma");
    assert_eq!(theirs["answers"][0]["id"], answer);
    assert_eq!(theirs["questions"], serde_json::json!([]));

    // Signed out, there is nothing to download.
    let stranger = app.another_visitor();
    let refused = stranger.submit("/login", "/settings/export", &[]).await;
    refused.assert_status(303);
    assert!(refused.header("location").unwrap().starts_with("/login"));
}

async fn deleting_an_account_keeps_posts_under_deleted_member(app: TestApp) {
    let fred = joined(&app, "fred").await;
    let wilma = joined(&app, "wilma").await;
    let path = fred.ask_ok(TITLE, "garden").await;
    wilma.answer(&path, "Drain it before the frost and keep it in the shed.").await;
    let fred_id = user_id(&app, "fred");
    let address = email_of("fred");
    search_shows(&app, "user:fred", TITLE, true).await;
    let thief = fred.copy_of_cookies();
    assert_eq!(personal_rows(&app, fred_id, &address).map(|n| n > 0), [true; 5]);

    // The page explains what happens; a wrong confirmation changes nothing.
    fred.get("/settings/delete-account").await.assert_status(200).assert_contains("Deleted member");
    let wrong = fred.submit("/settings/delete-account", "/settings/delete-account", &[("confirm", "wilma")]).await;
    wrong.assert_status(422).assert_contains("Nothing was deleted");
    assert!(fred.is_signed_in().await);
    assert!(audit_about(&app, fred_id).iter().all(|(_, action, _)| action != "user.delete"));
    assert_eq!(
        app.with_db(|conn| users::table.find(fred_id).select(users::username).first::<String>(conn)).unwrap(),
        "fred"
    );

    let queued = |app: &TestApp| -> i64 {
        app.with_db(|conn| {
            search_changes::table.filter(search_changes::question_id.eq(question_id(&path))).count().get_result(conn)
        })
        .unwrap()
    };
    let queued_before = queued(&app);
    let done = fred.submit("/settings/delete-account", "/settings/delete-account", &[("confirm", "Fred")]).await;
    done.assert_status(303);
    assert_eq!(done.header("location"), Some("/"));
    fred.get("/").await.assert_contains("Your account is deleted");

    // Signed out everywhere; the old password and address open nothing.
    assert!(!fred.is_signed_in().await);
    assert!(!thief.is_signed_in().await, "a copy of the old cookie still signs in");
    let again = app.another_visitor();
    assert_ne!(again.sign_in("fred", PASSWORD).await.status.as_u16(), 303);
    assert_ne!(again.sign_in(&address, PASSWORD).await.status.as_u16(), 303);
    let deleted_name = format!("deleted-member-{fred_id}");
    assert_ne!(again.sign_in(&deleted_name, PASSWORD).await.status.as_u16(), 303);
    assert!(!again.is_signed_in().await);
    assert_eq!(personal_rows(&app, fred_id, &address), [0; 5], "sessions, tokens, watches, notifications, mail");
    again.submit("/password/forgot", "/password/forgot", &[("email", &address)]).await.assert_status(303);
    assert!(app.mail_to(&address).is_empty(), "a reset link went to the deleted member's address");

    // The row is anonymised in place.
    let row: (String, String, Option<String>, Option<String>, bool) = app.with_db(|conn| {
        users::table
            .find(fred_id)
            .select((
                users::username,
                users::display_name,
                users::email,
                users::password_hash,
                users::deleted_at.is_not_null(),
            ))
            .first(conn)
            .unwrap()
    });
    assert_eq!(row, (deleted_name.clone(), "Deleted member".to_owned(), None, None, true));
    let audit = audit_about(&app, fred_id);
    assert!(audit.contains(&(Some(fred_id), "user.delete".to_owned(), Some("by the member".to_owned()))), "{audit:?}");

    // The question stays, under "Deleted member" with no profile link; the profile is gone.
    let visitor = app.another_visitor();
    let page = visitor.get(&path).await;
    page.assert_status(200).assert_contains(TITLE).assert_contains("Deleted member");
    assert!(!page.body.contains(&format!("/users/{fred_id}/")), "a link to the deleted profile");
    visitor.get(&format!("/users/{fred_id}/fred")).await.assert_status(410);
    visitor.get("/questions").await.assert_contains("Deleted member");

    // Search still finds the question, but not by the old username: the deletion queued it to be
    // indexed again (the indexer also re-reads recent changes, so the search alone cannot tell).
    assert_eq!(queued(&app), queued_before + 1, "the deletion did not queue the question for the index");
    search_shows(&app, "user:fred", TITLE, false).await;
    search_shows(&app, "garden hose freeze", TITLE, true).await;

    // The name and address are free again, but the deleted accounts' names are not.
    let newcomer = joined(&app, "fred").await;
    assert!(newcomer.is_signed_in().await);
    assert_ne!(user_id(&app, "fred"), fred_id);
    let taken = app.another_visitor();
    let refused = taken
        .submit(
            "/signup",
            "/signup",
            &[("username", "deleted-member-9"), ("email", "x@example.com"), ("password", PASSWORD)],
        )
        .await;
    refused.assert_status(422).assert_contains("kept for deleted accounts");
}

async fn an_admin_deletes_a_member_on_request_and_moderators_cannot(app: TestApp) {
    let ada = signed_in(&app, "ada", Role::Admin).await;
    let mo = signed_in(&app, "moe", Role::Moderator).await;
    let fred = joined(&app, "fred").await;
    let path = fred.ask_ok(TITLE, "garden").await;
    let fred_id = user_id(&app, "fred");
    let delete = format!("/admin/users/{fred_id}/delete");
    let export = format!("/admin/users/{fred_id}/export");

    // A moderator may do neither.
    mo.get(&delete).await.assert_status(403);
    mo.submit("/settings", &delete, &[("confirm", "fred")]).await.assert_status(403);
    mo.submit("/settings", &export, &[]).await.assert_status(403);
    assert!(fred.is_signed_in().await);
    assert!(audit_about(&app, fred_id).is_empty());

    // The admin downloads Fred's data for him; the log names the admin.
    let page = ada.submit("/admin/users", &export, &[]).await;
    page.assert_status(200);
    assert_eq!(page.header("cache-control"), Some("no-store"));
    let data: Value = serde_json::from_str(&page.body).unwrap();
    assert_eq!(data["profile"]["username"], "fred");
    assert_eq!(data["questions"][0]["title"], TITLE);
    let ada_id = user_id(&app, "ada");
    assert_eq!(audit_about(&app, fred_id), vec![(Some(ada_id), "user.export".to_owned(), None)]);

    // A wrong name deletes nothing; the right one deletes the account.
    ada.get(&delete).await.assert_status(200).assert_contains("fred@example.com");
    ada.submit(&delete, &delete, &[("confirm", "ada"), ("note", "")]).await.assert_status(422);
    assert!(fred.is_signed_in().await);
    let done = ada.submit(&delete, &delete, &[("confirm", "fred"), ("note", "mail of 3 December")]).await;
    done.assert_status(303);
    assert_eq!(done.header("location"), Some("/admin/users"));
    ada.get("/admin/users").await.assert_contains(&format!("deleted-member-{fred_id}"));
    let audit = audit_about(&app, fred_id);
    assert_eq!(
        audit.last().unwrap(),
        &(Some(ada_id), "user.delete".to_owned(), Some("on request: mail of 3 December".to_owned()))
    );
    assert!(!fred.is_signed_in().await);
    app.another_visitor().get(&path).await.assert_status(200).assert_contains("Deleted member");

    // Nothing is left to delete, export, invite or promote.
    ada.get(&delete).await.assert_status(410);
    ada.submit("/admin/users", &export, &[]).await.assert_status(410);
    ada.submit("/admin/users", &format!("/admin/users/{fred_id}/invite"), &[("email", "fred@example.com")])
        .await
        .assert_status(410);
    ada.submit("/admin/users", &format!("/admin/users/{fred_id}/role"), &[("role", "admin")]).await.assert_status(410);
}

async fn the_last_admin_cannot_delete_their_account(app: TestApp) {
    let ada = signed_in(&app, "ada", Role::Admin).await;
    let ada_id = user_id(&app, "ada");
    let refused = ada.submit("/settings/delete-account", "/settings/delete-account", &[("confirm", "ada")]).await;
    refused.assert_status(409);
    assert!(ada.is_signed_in().await);
    assert!(audit_about(&app, ada_id).is_empty());

    // With another admin, ada may go.
    app.create_user("bea", Role::Admin);
    ada.submit("/settings/delete-account", "/settings/delete-account", &[("confirm", "ada")]).await.assert_status(303);
    assert!(!ada.is_signed_in().await);
}

on_both_backends!(
    a_member_downloads_their_data_and_nothing_of_anyone_elses,
    deleting_an_account_keeps_posts_under_deleted_member,
    an_admin_deletes_a_member_on_request_and_moderators_cannot,
    the_last_admin_cannot_delete_their_account,
);
