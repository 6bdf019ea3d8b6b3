//! The admin's user list: finding users, roles, suspensions, and who may see it.

use crate::common;

use diesel::prelude::*;
use guidepost::db::models::{audit_log, users};
use guidepost::db::schema::{posts, users as user_rows};
use guidepost::import::{self, Silent};
use guidepost::roles::Role;
use guidepost::services::accounts::{self, NewAccount};
use guidepost::services::actor::Actor;

use common::dumps::data_dir;
use common::members::PASSWORD;
use common::TestApp;

fn role_of(app: &TestApp, username: &str) -> String {
    app.with_db(|conn| users::find_by_username(conn, username).unwrap().unwrap().role.to_string())
}

async fn an_admin_finds_users_and_changes_roles(app: TestApp) {
    let ada = app.create_user("ada", Role::Admin);
    let bob = app.create_user("bob", Role::Member);
    app.create_user("bobby", Role::Member);
    app.create_user("carol", Role::Member);
    app.sign_in("ada", PASSWORD).await;

    let all = app.get("/admin/users").await;
    all.assert_status(200).assert_contains("carol").assert_contains("bobby");
    assert_eq!(all.header("cache-control"), Some("private, no-store"));
    let found = app.get("/admin/users?q=BOB").await;
    found.assert_status(200).assert_contains("bobby");
    assert!(!found.body.contains("carol"));

    let page = app.submit("/admin/users", &format!("/admin/users/{bob}/role"), &[("role", "staff")]).await;
    page.assert_status(303);
    assert_eq!(role_of(&app, "bob"), "staff");
    app.get("/admin/users").await.assert_contains("bob is now staff.").assert_contains("role-staff");
    let log = app.with_db(|conn| audit_log::for_target(conn, "user", bob, 10).unwrap());
    assert_eq!(log.len(), 1);
    assert_eq!(
        (log[0].action.as_str(), log[0].actor_id, log[0].detail.as_deref()),
        ("user.role", Some(ada), Some("member -> staff"))
    );

    let bad = app.submit("/admin/users", &format!("/admin/users/{bob}/role"), &[("role", "king")]).await;
    bad.assert_status(400).assert_contains("unknown role");
    let last_admin = app.submit("/admin/users", &format!("/admin/users/{ada}/role"), &[("role", "member")]).await;
    last_admin.assert_status(409).assert_contains("only administrator");
    assert_eq!(role_of(&app, "ada"), "admin");
    app.submit("/admin/users", "/admin/users/999999/role", &[("role", "staff")]).await.assert_status(404);
}

async fn only_admins_see_the_user_list(app: TestApp) {
    app.get("/admin/users").await.assert_status(303);
    app.create_user("mod", Role::Moderator);
    let target = app.create_user("bob", Role::Member);
    app.sign_in("mod", PASSWORD).await;
    app.get("/admin/users").await.assert_status(403).assert_contains("Only administrators");
    let page = app.submit("/", &format!("/admin/users/{target}/role"), &[("role", "admin")]).await;
    page.assert_status(403);
    assert_eq!(role_of(&app, "bob"), "member");
}

async fn a_suspended_member_can_read_but_not_sign_in_or_post(app: TestApp) {
    app.create_user("ada", Role::Admin);
    let troll = app.create_user("troll", Role::Member);
    let trolls_browser = app.another_visitor();
    trolls_browser.sign_in("troll", PASSWORD).await.assert_status(303);

    app.sign_in("ada", PASSWORD).await;
    app.submit("/admin/users", &format!("/admin/users/{troll}/suspend"), &[("reason", "")]).await.assert_status(422);
    app.submit("/admin/users", &format!("/admin/users/{troll}/suspend"), &[("reason", "Spam links")])
        .await
        .assert_status(303);
    app.get("/admin/users").await.assert_contains("Spam links").assert_contains("suspended");

    assert!(!trolls_browser.is_signed_in().await, "suspension ends the member's sessions");
    trolls_browser.get("/").await.assert_status(200);
    trolls_browser.sign_in("troll", PASSWORD).await.assert_status(403).assert_contains("suspended");
    let actor = app.with_db(|conn| Actor::from_user(&users::find(conn, troll).unwrap().unwrap()));
    assert!(actor.ensure_can_post(false).unwrap_err().to_string().contains("suspended"));

    app.submit("/admin/users", &format!("/admin/users/{troll}/unsuspend"), &[]).await.assert_status(303);
    trolls_browser.sign_in("troll", PASSWORD).await.assert_status(303);
    let log = app.with_db(|conn| audit_log::for_target(conn, "user", troll, 10).unwrap());
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["user.unsuspend", "user.suspend"]);
}

/// The asker of the first imported question whose author has an account: `(id, username)`.
fn an_imported_asker(app: &TestApp) -> (i64, String) {
    app.with_db(|c| {
        posts::table
            .inner_join(user_rows::table.on(user_rows::id.eq(posts::author_id)))
            .filter(posts::kind.eq("question"))
            .filter(user_rows::source_id.gt(0))
            .order(posts::id)
            .select((user_rows::id, user_rows::username))
            .first(c)
            .unwrap()
    })
}

/// Imported authors have no address and no password; an admin's invitation mails them a link to
/// choose a password, and then they sign in as the author of their imported posts.
async fn an_imported_author_is_invited_and_signs_in(app: TestApp) {
    let ada = app.create_user("ada", Role::Admin);
    let dir = data_dir().join("se-meta-conlang");
    app.with_db(|c| import::import(c, &dir, "conlang.meta.stackexchange.com", &mut Silent).unwrap());
    let (author, username) = an_imported_asker(&app);
    let stored = |app: &TestApp| app.with_db(|c| users::find(c, author).unwrap().unwrap());
    assert_eq!((stored(&app).email, stored(&app).password_hash), (None, None));
    let invite = format!("/admin/users/{author}/invite");

    let bob = app.another_visitor();
    app.create_user("bob", Role::Moderator);
    bob.sign_in("bob", PASSWORD).await.assert_status(303);
    bob.submit("/", &invite, &[("email", "author@example.com")]).await.assert_status(403);

    app.sign_in("ada", PASSWORD).await;
    let listed = app.get(&format!("/admin/users?q={username}")).await;
    listed.assert_status(200).assert_contains("No password yet").assert_contains(&invite);
    app.submit("/admin/users", &invite, &[("email", "not an address")])
        .await
        .assert_status(422)
        .assert_contains("valid email address");
    app.submit("/admin/users", &invite, &[("email", &common::members::email_of("ada"))])
        .await
        .assert_status(422)
        .assert_contains("already exists");
    assert_eq!(stored(&app).email, None, "a refused invitation changes nothing");

    app.submit("/admin/users", &invite, &[("email", "Author@Example.com ")]).await.assert_status(303);
    app.get("/admin/users").await.assert_contains("is invited: a link to choose a password went to author@example.com");
    let first = app.link_in_mail("author@example.com", "/password/set/");
    // Inviting again sends a new link and retires the first.
    app.submit("/admin/users", &invite, &[("email", "author@example.com")]).await.assert_status(303);
    let link = app.link_in_mail("author@example.com", "/password/set/");
    app.get(&first).await.assert_status(410);
    let log = app.with_db(|conn| audit_log::for_target(conn, "user", author, 10).unwrap());
    assert_eq!(
        (log[0].action.as_str(), log[0].actor_id, log[0].detail.as_deref()),
        ("user.invite", Some(ada), Some("author@example.com"))
    );

    let author_browser = app.another_visitor();
    author_browser.get(&link).await.assert_status(200).assert_contains(&username);
    let pair = [("password", "tulip-quartz-lantern"), ("password_confirm", "tulip-quartz-lantern")];
    author_browser.submit(&link, &link, &pair).await.assert_status(200).assert_contains("Password saved");
    author_browser.sign_in("author@example.com", "tulip-quartz-lantern").await.assert_status(303);
    assert!(author_browser.is_signed_in().await);
    assert!(stored(&app).email_verified_at.is_some(), "using the mailed link proves the address");
    app.submit("/admin/users", &invite, &[("email", "author@example.com")])
        .await
        .assert_status(409)
        .assert_contains("can already sign in");

    // An account made without a password keeps its proven address when invited at it again;
    // another address is unproven until its link is used.
    let new_account = NewAccount {
        username: "grace".into(),
        email: "grace@example.com".into(),
        password: None,
        role: Role::Staff,
        email_verified: true,
    };
    let grace =
        app.with_feed(|c, feed| accounts::create(c, feed, new_account, chrono::Utc::now().naive_utc()).unwrap().id);
    let proven = |app: &TestApp| app.with_db(|c| users::find(c, grace).unwrap().unwrap().email_verified_at.is_some());
    let invite_grace = format!("/admin/users/{grace}/invite");
    app.submit("/admin/users", &invite_grace, &[("email", "grace@example.com")]).await.assert_status(303);
    assert!(proven(&app));
    app.submit("/admin/users", &invite_grace, &[("email", "grace@elsewhere.example")]).await.assert_status(303);
    assert!(!proven(&app));
}

on_both_backends!(
    an_admin_finds_users_and_changes_roles,
    an_imported_author_is_invited_and_signs_in,
    only_admins_see_the_user_list,
    a_suspended_member_can_read_but_not_sign_in_or_post,
);
