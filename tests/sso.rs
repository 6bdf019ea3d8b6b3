//! Single sign-on through a real OpenID provider (oidc-provider-mock, started on 127.0.0.1 by the
//! harness): first and later sign-ins, every refusal of a forged or stale answer with nothing
//! created, linking to an existing account only with proof, roles from a group claim, SSO-only
//! mode, and unlinking. Runs when `GUIDEPOST_TEST_OIDC=1` (see tests/common/oidc.rs).
use crate::common;

use common::members::PASSWORD;
use common::oidc::{dana, identity_count, role_of, round_trip, start, user_count, with_provider};
use common::TestApp;
use diesel::prelude::*;
use guidepost::db::schema::{audit_log, sso_identities, users};
use guidepost::roles::Role;
use serde_json::json;

on_both_backends!(
    first_sign_in_creates_a_verified_member_and_the_next_finds_it,
    forged_stale_and_replayed_answers_are_refused_with_nothing_created,
    id_tokens_with_a_wrong_nonce_audience_time_or_signature_are_refused,
    a_provider_account_links_to_an_existing_account_only_with_proof,
    a_group_claim_grants_staff_and_taking_it_away_removes_it,
    sso_only_mode_hides_passwords_and_admins_keep_a_break_glass_link,
    members_see_link_and_unlink_providers_but_never_the_last_way_in,
    a_provider_that_is_down_or_a_person_who_cancels_gets_a_clear_page,
);

async fn first_sign_in_creates_a_verified_member_and_the_next_finds_it(app: TestApp) {
    let Some((provider, app)) = with_provider(app, "", &[]).await else { return };
    dana(&provider);
    let login = app.get("/login").await;
    login.assert_status(200).assert_contains("Sign in with Acme").assert_contains("href=\"/auth/sso/acme\"");

    let back = round_trip(&app, &provider, "dana-sub").await;
    back.assert_status(303);
    assert_eq!(back.header("location"), Some("/"));
    app.get("/").await.assert_contains("Signed in as Dana Scully.");
    assert!(app.is_signed_in().await);
    let (id, verified, password): (i64, Option<chrono::NaiveDateTime>, Option<String>) = app.with_db(|conn| {
        users::table
            .filter(users::username.eq("dana"))
            .select((users::id, users::email_verified_at, users::password_hash))
            .first(conn)
            .unwrap()
    });
    assert!(verified.is_some(), "the provider vouched for the address");
    assert!(password.is_none(), "no password was made up");
    assert_eq!(identity_count(&app), 1);

    app.sign_out().await.assert_status(303);
    assert!(!app.is_signed_in().await);
    let users_before = user_count(&app);
    round_trip(&app, &provider, "dana-sub").await.assert_status(303);
    assert!(app.is_signed_in().await);
    assert_eq!(user_count(&app), users_before, "the second sign-in found the same account");
    let signed_in_as: i64 = app.with_db(|conn| {
        sso_identities::table
            .filter(sso_identities::subject.eq("dana-sub"))
            .select(sso_identities::user_id)
            .first(conn)
            .unwrap()
    });
    assert_eq!(signed_in_as, id);

    // The provider rotates its signing keys: the site fetches them again on the unknown key id.
    let provider = provider.restart();
    dana(&provider);
    app.sign_out().await;
    round_trip(&app, &provider, "dana-sub").await.assert_status(303);
    assert!(app.is_signed_in().await, "a token signed with the new key was accepted");

    // An address the provider does not vouch for is kept unconfirmed, and a mail asks to confirm it.
    provider.set_user(
        "eve-sub",
        json!({ "email": "eve@example.com", "email_verified": false, "preferred_username": "eve" }),
    );
    let eve = app.another_visitor();
    round_trip(&eve, &provider, "eve-sub").await.assert_status(303);
    let eve_verified: Option<chrono::NaiveDateTime> = app.with_db(|conn| {
        users::table.filter(users::username.eq("eve")).select(users::email_verified_at).first(conn).unwrap()
    });
    assert!(eve_verified.is_none());
    assert_eq!(app.mail_to("eve@example.com").len(), 1, "a confirmation mail went out");
}

async fn forged_stale_and_replayed_answers_are_refused_with_nothing_created(app: TestApp) {
    let Some((provider, app)) = with_provider(app, "", &[]).await else { return };
    dana(&provider);
    let before = user_count(&app);

    // A tampered state.
    let callback = provider.authorize(&start(&app).await, "dana-sub");
    let tampered = callback.replace("state=", "state=x");
    let page = app.get(&tampered).await;
    page.assert_status(400).assert_contains("expired or was already used");
    assert!(!app.is_signed_in().await);
    assert_eq!((user_count(&app), identity_count(&app)), (before, 0));

    // The answer opened in another browser than the one that started (a planted sign-in link).
    let callback = provider.authorize(&start(&app).await, "dana-sub");
    let other = app.another_visitor();
    other.get(&callback).await.assert_status(400);
    assert!(!other.is_signed_in().await);
    assert_eq!((user_count(&app), identity_count(&app)), (before, 0));

    // A real answer works once; replaying it (the same code and state) is refused.
    let callback = provider.authorize(&start(&app).await, "dana-sub");
    let thief = app.copy_of_cookies();
    app.get(&callback).await.assert_status(303);
    assert!(app.is_signed_in().await);
    let users_after = user_count(&app);
    thief.get(&callback).await.assert_status(400).assert_contains("expired or was already used");
    assert!(!thief.is_signed_in().await);
    assert_eq!(user_count(&app), users_after);

    // A callback with no state or code at all.
    app.another_visitor().get("/auth/sso/acme/callback").await.assert_status(400);
    // An unknown provider.
    app.get("/auth/sso/nobody").await.assert_status(404);
}

async fn id_tokens_with_a_wrong_nonce_audience_time_or_signature_are_refused(app: TestApp) {
    let Some((provider, app)) = with_provider(app, "max_clock_skew_seconds = 30", &[]).await else { return };
    let now = chrono::Utc::now().timestamp();
    let base = json!({ "email": "mallory@example.com", "email_verified": true, "preferred_username": "mallory" });
    let with = |extra: serde_json::Value| {
        let mut claims = base.clone();
        claims.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        claims
    };
    let before = user_count(&app);
    let cases = [
        ("a wrong nonce", with(json!({ "nonce": "not-the-one-we-sent" })), "could not be trusted"),
        ("another audience", with(json!({ "aud": "some-other-site" })), "could not be trusted"),
        ("another issuer", with(json!({ "iss": "https://evil.example" })), "could not be trusted"),
        ("an expired token", with(json!({ "exp": now - 3600 })), "allowed time window"),
        ("a token from the future", with(json!({ "iat": now + 3600 })), "allowed time window"),
    ];
    for (what, claims, message) in cases {
        provider.set_user("mallory-sub", claims);
        let visitor = app.another_visitor();
        let page = round_trip(&visitor, &provider, "mallory-sub").await;
        assert_eq!(page.status.as_u16(), 400, "{what} was not refused: {}", page.body);
        page.assert_contains(message);
        assert!(!visitor.is_signed_in().await, "{what} signed someone in");
        assert_eq!((user_count(&app), identity_count(&app)), (before, 0), "{what} created an account");
    }

    provider.set_user("mallory-sub", base.clone());
    provider.corrupt_next_id_token();
    let visitor = app.another_visitor();
    round_trip(&visitor, &provider, "mallory-sub").await.assert_status(400).assert_contains("could not be trusted");
    assert_eq!((user_count(&app), identity_count(&app)), (before, 0), "a forged signature created an account");

    // Within the allowed skew, a token is fine, and the same claims then sign in.
    provider.set_user("mallory-sub", with(json!({ "exp": now - 5 })));
    round_trip(&visitor, &provider, "mallory-sub").await.assert_status(303);
    assert!(visitor.is_signed_in().await);
}

async fn a_provider_account_links_to_an_existing_account_only_with_proof(app: TestApp) {
    let Some((provider, app)) = with_provider(app, "", &[]).await else { return };
    let dana_id = app.create_user("dana", Role::Member);
    dana(&provider);
    let before = user_count(&app);

    let back = round_trip(&app, &provider, "dana-sub").await;
    back.assert_status(303);
    assert_eq!(back.header("location"), Some("/auth/sso/link"));
    assert!(!app.is_signed_in().await, "the provider's word alone signs no one in to an existing account");
    assert_eq!(identity_count(&app), 0);
    let link = app.get("/auth/sso/link").await;
    link.assert_status(200).assert_contains("dana@example.com").assert_contains("Link and sign in");

    let wrong = app.submit("/auth/sso/link", "/auth/sso/link/password", &[("password", "not-the-password-1")]).await;
    assert_eq!(wrong.status.as_u16(), 422, "{}", wrong.body);
    assert_eq!(identity_count(&app), 0);
    app.submit("/auth/sso/link", "/auth/sso/link/password", &[("password", PASSWORD)]).await.assert_status(303);
    assert!(app.is_signed_in().await);
    let linked_to: i64 = app.with_db(|conn| sso_identities::table.select(sso_identities::user_id).first(conn).unwrap());
    assert_eq!(linked_to, dana_id);
    assert_eq!(user_count(&app), before, "no second account");
    // Next time the provider signs in directly.
    app.sign_out().await;
    round_trip(&app, &provider, "dana-sub").await.assert_status(303);
    assert!(app.is_signed_in().await);

    // Or through a link mailed to the account's address.
    let bob_id = app.create_user("bob", Role::Member);
    provider.set_user(
        "bob-sub",
        json!({ "email": "bob@example.com", "email_verified": true, "preferred_username": "bobby" }),
    );
    let browser = app.another_visitor();
    round_trip(&browser, &provider, "bob-sub").await.assert_status(303);
    browser
        .submit("/auth/sso/link", "/auth/sso/link/mail", &[])
        .await
        .assert_status(200)
        .assert_contains("We have sent a link");
    let mailed = app.link_in_mail("bob@example.com", "/auth/sso/link/");
    let phone = app.another_visitor();
    phone.get(&mailed).await.assert_status(200).assert_contains("Link and sign in");
    phone.submit(&mailed, &mailed, &[]).await.assert_status(303);
    assert!(phone.is_signed_in().await);
    let bob_linked: i64 = app.with_db(|conn| {
        sso_identities::table
            .filter(sso_identities::subject.eq("bob-sub"))
            .select(sso_identities::user_id)
            .first(conn)
            .unwrap()
    });
    assert_eq!(bob_linked, bob_id);
    phone.get(&mailed).await.assert_status(410);

    // A provider that does not vouch for the address gets a new account, never carol's.
    let carol_id = app.create_user("carol", Role::Member);
    provider.set_user(
        "carol-sub",
        json!({ "email": "carol@example.com", "email_verified": false, "preferred_username": "carol" }),
    );
    let impostor = app.another_visitor();
    round_trip(&impostor, &provider, "carol-sub").await.assert_status(303);
    let (new_id, email): (i64, Option<String>) = app.with_db(|conn| {
        sso_identities::table
            .inner_join(users::table)
            .filter(sso_identities::subject.eq("carol-sub"))
            .select((users::id, users::email))
            .first(conn)
            .unwrap()
    });
    assert_ne!(new_id, carol_id);
    assert_eq!(email, None, "the taken address stays carol's alone");
}

async fn a_group_claim_grants_staff_and_taking_it_away_removes_it(app: TestApp) {
    let extra = "role_claim = \"groups\"\nstaff_values = [\"support-staff\"]\nmoderator_values = [\"forum-mods\"]";
    let Some((provider, app)) = with_provider(app, extra, &[]).await else { return };
    let claims = |groups: serde_json::Value| json!({ "email": "sam@example.com", "email_verified": true, "preferred_username": "sam", "groups": groups });
    provider.set_user("sam-sub", claims(json!(["support-staff", "everyone"])));
    round_trip(&app, &provider, "sam-sub").await.assert_status(303);
    assert_eq!(role_of(&app, "sam"), Role::Staff);
    app.get("/staff").await.assert_status(200);

    provider.set_user("sam-sub", claims(json!(["everyone"])));
    app.sign_out().await;
    round_trip(&app, &provider, "sam-sub").await.assert_status(303);
    assert_eq!(role_of(&app, "sam"), Role::Member);

    provider.set_user("sam-sub", claims(json!(["forum-mods", "support-staff"])));
    round_trip(&app, &provider, "sam-sub").await.assert_status(303);
    assert_eq!(role_of(&app, "sam"), Role::Moderator);

    let entries: Vec<(Option<i64>, Option<String>)> = app.with_db(|conn| {
        audit_log::table
            .filter(audit_log::action.eq("user.role"))
            .order(audit_log::id.asc())
            .select((audit_log::actor_id, audit_log::detail))
            .load(conn)
            .unwrap()
    });
    let details: Vec<String> = entries.iter().map(|(_, d)| d.clone().unwrap_or_default()).collect();
    assert_eq!(
        details,
        [
            "member -> staff (from Acme at sign-in)",
            "staff -> member (from Acme at sign-in)",
            "member -> moderator (from Acme at sign-in)"
        ]
    );
    assert!(entries.iter().all(|(actor, _)| actor.is_none()), "no person made these changes");

    // Admins are never demoted (or made) by a claim.
    app.with_db(|conn| {
        diesel::update(users::table.filter(users::username.eq("sam")))
            .set(users::role.eq("admin"))
            .execute(conn)
            .unwrap()
    });
    provider.set_user("sam-sub", claims(json!([])));
    round_trip(&app, &provider, "sam-sub").await.assert_status(303);
    assert_eq!(role_of(&app, "sam"), Role::Admin);
}

async fn sso_only_mode_hides_passwords_and_admins_keep_a_break_glass_link(app: TestApp) {
    let Some((provider, app)) = with_provider(app, "", &[("GUIDEPOST_PASSWORD_SIGN_IN", "false")]).await else {
        return;
    };
    app.create_user("member1", Role::Member);
    app.create_user("boss", Role::Admin);
    let login = app.get("/login").await;
    login.assert_status(200).assert_contains("Sign in with Acme");
    assert!(!login.body.contains("type=\"password\""), "no password field");
    assert!(!login.body.contains("/password/forgot"));
    // The break-glass link, issued as `guidepost user break-glass` does; its page also gives this
    // browser a CSRF token, so the refusals below are the site's rules, not a missing token.
    let link = app
        .with_db(|conn| guidepost::services::break_glass::issue(conn, "boss", chrono::Utc::now().naive_utc()).unwrap());
    assert!(app
        .with_db(|conn| guidepost::services::break_glass::issue(conn, "member1", chrono::Utc::now().naive_utc()))
        .is_err());
    let path = guidepost::domain::paths::break_glass(&link);
    let glass = app.get(&path).await;
    glass.assert_status(200).assert_contains("boss");
    let token = glass.csrf_token().unwrap();

    let refused =
        app.post_form("/login", &[("login", "member1"), ("password", PASSWORD), ("csrf_token", &token)]).await;
    assert_eq!(refused.status.as_u16(), 403);
    refused.assert_contains("break-glass");
    assert!(!app.is_signed_in().await);
    let signup = app.get("/signup").await;
    signup.assert_contains("Sign in with Acme");
    assert!(!signup.body.contains("type=\"password\""));
    let before = user_count(&app);
    app.post_form(
        "/signup",
        &[("username", "newbie"), ("email", "newbie@example.com"), ("password", PASSWORD), ("csrf_token", &token)],
    )
    .await
    .assert_status(403);
    assert_eq!(user_count(&app), before);
    app.get("/password/forgot").await.assert_status(403);

    let wrong = app.submit(&path, &path, &[("password", "wrong-password-9")]).await;
    assert_eq!(wrong.status.as_u16(), 422);
    assert!(!app.is_signed_in().await);
    let signed_in = app.submit(&path, &path, &[("password", PASSWORD)]).await;
    signed_in.assert_status(303);
    let landing = signed_in.header("location").unwrap().to_owned();
    app.get(&landing).await.assert_status(200);
    assert!(app.is_signed_in().await);
    app.another_visitor().get(&path).await.assert_status(410);

    // Members still sign in through the provider.
    dana(&provider);
    let visitor = app.another_visitor();
    round_trip(&visitor, &provider, "dana-sub").await.assert_status(303);
    assert!(visitor.is_signed_in().await);
}

async fn members_see_link_and_unlink_providers_but_never_the_last_way_in(app: TestApp) {
    let Some((provider, app)) = with_provider(app, "", &[]).await else { return };
    dana(&provider);
    round_trip(&app, &provider, "dana-sub").await.assert_status(303);
    let settings = app.get("/settings/sign-in").await;
    settings
        .assert_status(200)
        .assert_contains("Acme")
        .assert_contains("dana@example.com")
        .assert_contains("Your only way in");
    let id: i64 = app.with_db(|conn| sso_identities::table.select(sso_identities::id).first(conn).unwrap());
    let action = format!("/settings/sign-in/{id}/remove");
    app.submit("/settings/sign-in", &action, &[]).await.assert_status(409).assert_contains("only way to sign in");
    assert_eq!(identity_count(&app), 1);

    // A member made through the provider can add a password through a link mailed to them.
    app.get("/settings").await.assert_contains("Mail me a link to set a password");
    app.submit("/settings", "/settings/password/link", &[]).await.assert_status(303);
    let reset = app.link_in_mail("dana@example.com", "/password/reset/");
    app.submit(&reset, &reset, &[("password", PASSWORD), ("password_confirm", PASSWORD)]).await.assert_status(200);
    let with_password = app.another_visitor();
    with_password.sign_in("dana", PASSWORD).await.assert_status(303);
    assert!(with_password.get("/settings/sign-in").await.body.contains("Unlink"), "the password is another way in");

    // A member with a password links the provider from Settings, then may unlink it.
    let frank = app.another_visitor();
    app.create_user("frank", Role::Member);
    frank.sign_in("frank", PASSWORD).await.assert_status(303);
    provider.set_user("frank-sub", json!({ "email": "frank.work@example.com", "email_verified": true }));
    frank.get("/settings/sign-in").await.assert_contains("Link Acme");
    let back = round_trip(&frank, &provider, "frank-sub").await;
    back.assert_status(303);
    assert_eq!(back.header("location"), Some("/settings/sign-in"));
    let frank_identity: i64 = app.with_db(|conn| {
        sso_identities::table
            .filter(sso_identities::subject.eq("frank-sub"))
            .select(sso_identities::id)
            .first(conn)
            .unwrap()
    });
    // Someone else's identity is not theirs to unlink.
    frank.submit("/settings/sign-in", &action, &[]).await.assert_status(404);
    frank
        .submit("/settings/sign-in", &format!("/settings/sign-in/{frank_identity}/remove"), &[])
        .await
        .assert_status(303);
    assert_eq!(identity_count(&app), 1);
    // The same provider account cannot be linked to a second account.
    let frank_again = round_trip(&frank, &provider, "dana-sub").await;
    frank_again.assert_status(409);

    // Deleting the account unlinks its provider account: signing in again makes a new member.
    let dana_id: i64 =
        app.with_db(|conn| users::table.filter(users::username.eq("dana")).select(users::id).first(conn).unwrap());
    with_password
        .submit("/settings/delete-account", "/settings/delete-account", &[("confirm", "dana")])
        .await
        .assert_status(303);
    assert_eq!(identity_count(&app), 0);
    let again = app.another_visitor();
    round_trip(&again, &provider, "dana-sub").await.assert_status(303);
    let new_id: i64 = app.with_db(|conn| {
        sso_identities::table
            .filter(sso_identities::subject.eq("dana-sub"))
            .select(sso_identities::user_id)
            .first(conn)
            .unwrap()
    });
    assert_ne!(new_id, dana_id, "the deleted account stays deleted");
}

async fn a_provider_that_is_down_or_a_person_who_cancels_gets_a_clear_page(app: TestApp) {
    // A second provider nobody listens for.
    let down =
        "\n[[sso.providers]]\nid = \"down\"\nname = \"Downco\"\nissuer = \"http://127.0.0.1:9\"\nclient_id = \"x\"";
    let Some((provider, app)) = with_provider(app, down, &[]).await else { return };
    let page = app.get("/auth/sso/down").await;
    page.assert_status(502).assert_contains("Downco&#x27;s sign-in service is not answering right now");
    page.assert_contains("sign in with your password");

    dana(&provider);
    let callback = provider.deny(&start(&app).await);
    let page = app.get(&callback).await;
    page.assert_status(400).assert_contains("was cancelled").assert_contains("Sign in with Acme");
    assert_eq!(identity_count(&app), 0);

    // The provider goes away between the sign-in at its page and the code's exchange.
    let callback = provider.authorize(&start(&app).await, "dana-sub");
    drop(provider);
    app.get(&callback).await.assert_status(502).assert_contains("not answering right now");
    assert_eq!(identity_count(&app), 0);
}
