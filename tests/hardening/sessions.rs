//! Signing in and out: sign-out voids every copy of the session cookie, CSRF has no bypass,
//! return paths stay on the site however they are spelt, the sign-in limit counts failures per
//! account, and the confirmation page stays out of caches.

use actix_web::test::TestRequest;
use guidepost::roles::Role;

use crate::common::members::{email_of, PASSWORD};
use crate::common::TestApp;
use crate::hardening::{count_posts, signed_in};

async fn signing_out_voids_copies_of_the_session_cookie(app: TestApp) {
    let (fred, _) = signed_in(&app, "fred", Role::Member).await;
    let stolen = fred.copy_of_cookies();
    assert!(stolen.is_signed_in().await);
    fred.sign_out().await.assert_status(303);
    assert!(!fred.is_signed_in().await);
    assert!(!stolen.is_signed_in().await, "a cookie copied before signing out still works");
    // Signing out in one browser leaves the member's other browsers signed in.
    let (wilma, _) = signed_in(&app, "wilma", Role::Member).await;
    let phone = app.another_visitor();
    phone.sign_in("wilma", PASSWORD).await.assert_status(303);
    wilma.sign_out().await.assert_status(303);
    assert!(phone.is_signed_in().await);
}

async fn an_authorization_header_does_not_skip_csrf(app: TestApp) {
    let (fred, _) = signed_in(&app, "fred", Role::Member).await;
    let before = count_posts(&app);
    let form = [("title", "Why did my red widget break in the rain?"), ("body", crate::common::forum::DETAILS)];
    let page = fred
        .send(TestRequest::post().uri("/ask").insert_header(("Authorization", "Bearer made-up")).set_form([
            form[0],
            form[1],
            ("tags", "widgets"),
        ]))
        .await;
    page.assert_status(403);
    assert_eq!(count_posts(&app), before, "the session cookie alone posted a question");
}

async fn return_paths_stay_on_the_site_however_spelt(app: TestApp) {
    app.create_user("fred", Role::Member);
    for next in ["/%09/evil.example", "/%0a/evil.example", "/%5c/evil.example", "/.//evil.example"] {
        let visitor = app.another_visitor();
        let form = visitor.get(&format!("/login?next={next}")).await;
        form.assert_status(200);
        let token = form.csrf_token().unwrap();
        let decoded = percent_encoding::percent_decode_str(next).decode_utf8_lossy().into_owned();
        let page = visitor
            .post_form(
                "/login",
                &[("login", "fred"), ("password", PASSWORD), ("next", &decoded), ("csrf_token", &token)],
            )
            .await;
        page.assert_status(303);
        assert_eq!(page.header("location"), Some("/"), "next={next}");
        // Signed in, the sign-in page sends the visitor straight on: to the same safe place.
        let again = visitor.get(&format!("/login?next={next}")).await;
        assert_eq!(again.header("location"), Some("/"), "next={next}");
    }
}

/// One sign-in attempt from `address`.
async fn attempt(visitor: &TestApp, login: &str, password: &str, address: &str) -> u16 {
    let token = visitor.get("/login").await.csrf_token().unwrap();
    let form = [("login", login), ("password", password), ("csrf_token", token.as_str())];
    let request = TestRequest::post().uri("/login").peer_addr(address.parse().unwrap()).set_form(form);
    visitor.send(request).await.status.as_u16()
}

async fn sign_in_limits_count_failures_per_account(app: TestApp) {
    app.create_user("fred", Role::Member);
    let email = email_of("fred");
    // Signing in often uses up nothing.
    for _ in 0..8 {
        let visitor = app.another_visitor();
        assert_eq!(attempt(&visitor, "fred", PASSWORD, "203.0.113.1:5000").await, 303);
    }
    // Five wrong guesses from one address, however the account is named, use up its allowance.
    let guesser = app.another_visitor();
    for login in ["fred", "FRED", &email, "Fred", &email.to_uppercase()] {
        assert_eq!(attempt(&guesser, login, "wrong-guess-1234", "203.0.113.66:5000").await, 422);
    }
    assert_eq!(attempt(&guesser, &email, PASSWORD, "203.0.113.66:5000").await, 429);
    assert_eq!(attempt(&guesser, "fred", PASSWORD, "203.0.113.66:5000").await, 429);
    // Fred, elsewhere, is not locked out by someone else's guessing.
    assert_eq!(attempt(&app.another_visitor(), "fred", PASSWORD, "203.0.113.1:5000").await, 303);
    // A name with no account behaves the same, so a refusal does not tell which names exist.
    for _ in 0..5 {
        assert_eq!(attempt(&guesser, "nobody-here", "wrong-guess-1234", "203.0.113.66:5000").await, 422);
    }
    assert_eq!(attempt(&guesser, "nobody-here", "wrong-guess-1234", "203.0.113.66:5000").await, 429);
}

async fn the_confirmation_page_stays_out_of_caches(app: TestApp) {
    app.sign_up("fred").await.assert_status(303);
    let link = app.link_in_mail(&email_of("fred"), "/verify-email/");
    let page = app.another_visitor().get(&link).await;
    page.assert_status(200).assert_contains(&email_of("fred"));
    assert_eq!(page.header("cache-control"), Some("private, no-store"));
    assert!(page.header("etag").is_none());
}

crate::on_both_backends!(
    signing_out_voids_copies_of_the_session_cookie,
    an_authorization_header_does_not_skip_csrf,
    return_paths_stay_on_the_site_however_spelt,
    sign_in_limits_count_failures_per_account,
    the_confirmation_page_stays_out_of_caches,
);
