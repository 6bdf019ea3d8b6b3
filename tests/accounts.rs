//! Joining, signing in and out, confirming the address, resetting the password, settings.

use crate::common;

use guidepost::db::models::users;
use guidepost::services::actor::Actor;

use common::members::{email_of, PASSWORD};
use common::TestApp;

async fn a_visitor_joins_confirms_and_signs_in(app: TestApp) {
    let joined = app.sign_up("Fred").await;
    joined.assert_status(303);
    assert_eq!(joined.header("location"), Some("/login"));
    app.get("/login").await.assert_contains("We have sent an email");

    let mail = app.mail_to("fred@example.com");
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].0, "Confirm your email address");
    let link = app.link_in_mail("fred@example.com", "/verify-email/");

    // Before confirming, Fred may sign in and read, but not post.
    app.sign_in("fred", PASSWORD).await.assert_status(303);
    let home = app.get("/").await;
    home.assert_contains("Please confirm your email address").assert_contains("Signed in as Fred.");
    let fred = app.with_db(|conn| Actor::from_user(&users::find_by_username(conn, "fred").unwrap().unwrap()));
    assert!(fred.ensure_can_post(true).is_err());
    assert!(fred.ensure_can_post(false).is_ok(), "the rule can be turned off");

    app.get(&link).await.assert_status(200).assert_contains("Address confirmed");
    assert!(!app.get("/").await.body.contains("Please confirm your email address"));
    let fred = app.with_db(|conn| Actor::from_user(&users::find_by_username(conn, "FRED").unwrap().unwrap()));
    assert!(fred.ensure_can_post(true).is_ok());
    app.get(&link).await.assert_status(410);

    app.sign_out().await.assert_status(303);
    assert!(!app.is_signed_in().await);
    app.sign_in("fred@example.com", PASSWORD).await.assert_status(303);
    assert!(app.is_signed_in().await);
}

async fn sign_up_rules_are_explained_and_keep_the_input(app: TestApp) {
    let page = app
        .submit("/signup", "/signup", &[("username", "x"), ("email", "fred@example.com"), ("password", PASSWORD)])
        .await;
    page.assert_status(422).assert_contains("Use 3 to 30 characters.").assert_contains("value=\"fred@example.com\"");
    let page = app
        .submit("/signup", "/signup", &[("username", "fred"), ("email", "not-an-address"), ("password", PASSWORD)])
        .await;
    page.assert_status(422).assert_contains("Enter a valid email address");
    let page = app
        .submit(
            "/signup",
            "/signup",
            &[("username", "fred"), ("email", "fred@example.com"), ("password", "password123")],
        )
        .await;
    page.assert_status(422).assert_contains("most common");
    assert!(app.with_db(|conn| users::find_by_username(conn, "fred").unwrap()).is_none(), "nothing was created");

    app.sign_up("Fred").await.assert_status(303);
    let taken = app
        .submit("/signup", "/signup", &[("username", "FRED"), ("email", "other@example.com"), ("password", PASSWORD)])
        .await;
    taken.assert_status(422).assert_contains("This username is taken.");
}

async fn an_address_with_an_account_is_not_revealed(app: TestApp) {
    app.create_user("ada", guidepost::roles::Role::Member);
    let page = app
        .submit("/signup", "/signup", &[("username", "ada2"), ("email", "ADA@example.com"), ("password", PASSWORD)])
        .await;
    page.assert_status(303);
    assert_eq!(page.header("location"), Some("/login"));
    assert!(app.with_db(|conn| users::find_by_username(conn, "ada2").unwrap()).is_none());
    let mail = app.mail_to("ada@example.com");
    assert_eq!(mail.last().unwrap().0, "Someone tried to sign up with your address");

    // Sign-in failures read the same for a wrong password and for no account at all.
    let wrong_password = app.sign_in("ada", "wrong-password-here").await;
    let no_account = app.sign_in("nobody", "wrong-password-here").await;
    wrong_password.assert_status(422).assert_contains("do not match an account");
    no_account.assert_status(422).assert_contains("do not match an account");
    assert!(!app.is_signed_in().await);
}

async fn a_forgotten_password_is_reset_and_old_sessions_end(app: TestApp) {
    app.create_user("grace", guidepost::roles::Role::Member);
    let laptop = app.another_visitor();
    laptop.sign_in("grace", PASSWORD).await.assert_status(303);
    assert!(laptop.is_signed_in().await);

    let asked = app.submit("/password/forgot", "/password/forgot", &[("email", "grace@example.com")]).await;
    asked.assert_status(303);
    let unknown = app.submit("/password/forgot", "/password/forgot", &[("email", "nobody@example.com")]).await;
    unknown.assert_status(303);
    assert_eq!(asked.header("location"), unknown.header("location"));
    assert!(app.mail_to("nobody@example.com").is_empty());

    let link = app.link_in_mail("grace@example.com", "/password/reset/");
    app.get(&link).await.assert_status(200).assert_contains("Choose a new password");
    app.submit(&link, &link, &[("password", "new-tulip-lantern"), ("password_confirm", "new-tulip-lantern")])
        .await
        .assert_status(200)
        .assert_contains("Password saved");

    assert!(!laptop.is_signed_in().await, "the old session must end");
    app.sign_in("grace", PASSWORD).await.assert_status(422);
    app.sign_in("grace", "new-tulip-lantern").await.assert_status(303);
    app.get(&link).await.assert_status(410);
}

async fn settings_change_name_password_and_sessions(app: TestApp) {
    app.create_user("linus", guidepost::roles::Role::Member);
    app.sign_in("linus", PASSWORD).await;
    let phone = app.another_visitor();
    phone.sign_in("linus", PASSWORD).await;

    app.get("/settings").await.assert_status(200).assert_contains("Signed in as <strong>linus</strong>");
    app.submit("/settings", "/settings/profile", &[("display_name", "Linus T.")]).await.assert_status(303);
    app.get("/settings").await.assert_contains("Your display name is saved.").assert_contains("value=\"Linus T.\"");
    app.submit("/settings", "/settings/profile", &[("display_name", "x")]).await.assert_status(422);

    let wrong = app
        .submit(
            "/settings",
            "/settings/password",
            &[
                ("current_password", "nope-nope-nope"),
                ("new_password", "fresh-orchid-7"),
                ("new_password_confirm", "fresh-orchid-7"),
            ],
        )
        .await;
    wrong.assert_status(422).assert_contains("Your current password is not right.");
    app.submit(
        "/settings",
        "/settings/password",
        &[
            ("current_password", PASSWORD),
            ("new_password", "fresh-orchid-7"),
            ("new_password_confirm", "fresh-orchid-7"),
        ],
    )
    .await
    .assert_status(303);
    assert!(app.is_signed_in().await, "the session that changed the password stays");
    assert!(!phone.is_signed_in().await, "every other session ends");

    phone.sign_in("linus", "fresh-orchid-7").await.assert_status(303);
    app.submit("/settings", "/settings/sign-out-everywhere", &[]).await.assert_status(303);
    assert!(app.is_signed_in().await);
    assert!(!phone.is_signed_in().await);

    app.submit(
        "/settings",
        "/settings/email",
        &[("email", "linus@kernel.example"), ("current_password", "fresh-orchid-7")],
    )
    .await
    .assert_status(303);
    assert_eq!(
        app.with_db(|conn| users::find_by_username(conn, "linus").unwrap().unwrap().email).as_deref(),
        Some("linus@example.com")
    );
    let link = app.link_in_mail("linus@kernel.example", "/verify-email/");
    app.get(&link).await.assert_status(200);
    assert_eq!(
        app.with_db(|conn| users::find_by_username(conn, "linus").unwrap().unwrap().email).as_deref(),
        Some("linus@kernel.example")
    );
}

async fn pages_for_members_send_visitors_to_sign_in(app: TestApp) {
    let page = app.get("/settings").await;
    page.assert_status(303);
    assert_eq!(page.header("location"), Some("/login?next=%2Fsettings"));
    app.create_user("ada", guidepost::roles::Role::Member);
    let signed_in = app
        .submit("/login?next=/settings", "/login", &[("login", "ada"), ("password", PASSWORD), ("next", "/settings")])
        .await;
    assert_eq!(signed_in.header("location"), Some("/settings"));
    let app = app.another_visitor();
    let outside =
        app.submit("/login", "/login", &[("login", "ada"), ("password", PASSWORD), ("next", "//evil.example")]).await;
    assert_eq!(outside.header("location"), Some("/"));
}

async fn forms_without_the_csrf_token_change_nothing(app: TestApp) {
    let page =
        app.post_form("/signup", &[("username", "mallory"), ("email", "m@example.com"), ("password", PASSWORD)]).await;
    page.assert_status(403);
    assert!(app.with_db(|conn| users::find_by_username(conn, "mallory").unwrap()).is_none());

    app.create_user("ada", guidepost::roles::Role::Member);
    app.sign_in("ada", PASSWORD).await;
    let forged = app.post_form("/settings/profile", &[("display_name", "Hacked")]).await;
    forged.assert_status(403);
    assert_eq!(app.with_db(|conn| users::find_by_username(conn, "ada").unwrap().unwrap().display_name), "ada");
}

async fn repeated_sign_in_failures_are_rate_limited(app: TestApp) {
    app.create_user("ada", guidepost::roles::Role::Member);
    for _ in 0..5 {
        app.sign_in("ada", "wrong-password-here").await.assert_status(422);
    }
    let limited = app.sign_in("ada", PASSWORD).await;
    limited.assert_status(429).assert_contains("doing that too often");
    let wait: u64 = limited.header("retry-after").expect("Retry-After").parse().unwrap();
    assert!(wait >= 1);
    assert!(!app.is_signed_in().await);
    // Another account from the same place is still welcome.
    app.create_user("bob", guidepost::roles::Role::Member);
    app.sign_in("bob", PASSWORD).await.assert_status(303);

    for _ in 0..3 {
        app.submit("/password/forgot", "/password/forgot", &[("email", "ada@example.com")]).await.assert_status(303);
    }
    app.submit("/password/forgot", "/password/forgot", &[("email", "ada@example.com")]).await.assert_status(429);
    assert_eq!(app.mail_to(&email_of("ada")).len(), 3);
}

on_both_backends!(
    a_visitor_joins_confirms_and_signs_in,
    sign_up_rules_are_explained_and_keep_the_input,
    an_address_with_an_account_is_not_revealed,
    a_forgotten_password_is_reset_and_old_sessions_end,
    settings_change_name_password_and_sessions,
    pages_for_members_send_visitors_to_sign_in,
    forms_without_the_csrf_token_change_nothing,
    repeated_sign_in_failures_are_rate_limited,
);
