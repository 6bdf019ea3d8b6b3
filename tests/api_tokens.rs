//! Personal API tokens: made in Settings and shown once, stored hashed, sent as
//! `Authorization: Bearer`, refused once revoked or expired, limited per token, listed and
//! revoked by admins, every action audited, and bad forms refused with nothing stored.

use crate::common;

use actix_web::test::TestRequest;
use diesel::prelude::*;
use guidepost::db::schema::{api_tokens, audit_log};
use guidepost::roles::Role;

use common::members::PASSWORD;
use common::{Page, TestApp};

const TOKENS: &str = "/settings/api-tokens";

/// Makes a token through the Settings form and returns its secret, read off the page.
async fn make_token(app: &TestApp, name: &str, scopes: &[&str], expiry: &str) -> String {
    let mut fields = vec![("name", name), ("expires_in_days", expiry)];
    fields.extend(scopes.iter().map(|s| ("scope", *s)));
    let page = app.submit(TOKENS, TOKENS, &fields).await;
    page.assert_status(200).assert_contains("shown only this once");
    assert_eq!(page.header("cache-control"), Some("private, no-store"), "the secret must not be cached");
    let marker = "id=\"new-token-secret\" class=\"token-secret\" type=\"text\" readonly value=\"";
    let at = page.body.find(marker).expect("the page shows the new token") + marker.len();
    page.body[at..at + page.body[at..].find('"').unwrap()].to_owned()
}

/// GET with a bearer token (and whatever cookies the visitor has).
async fn get_with(app: &TestApp, path: &str, token: &str) -> Page {
    app.send(TestRequest::get().uri(path).insert_header(("authorization", format!("Bearer {token}")))).await
}

fn json(page: &Page) -> serde_json::Value {
    serde_json::from_str(&page.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", page.body))
}

/// The audit log's token entries: (actor, action, detail).
fn token_audit(app: &TestApp) -> Vec<(Option<i64>, String, Option<String>)> {
    app.with_db(|conn| {
        audit_log::table
            .filter(audit_log::target_kind.eq("api_token"))
            .order(audit_log::id)
            .select((audit_log::actor_id, audit_log::action, audit_log::detail))
            .load(conn)
            .unwrap()
    })
}

fn token_count(app: &TestApp) -> i64 {
    app.with_db(|conn| api_tokens::table.count().get_result(conn).unwrap())
}

async fn a_member_makes_a_token_sees_it_once_and_a_program_uses_it(app: TestApp) {
    let fred = app.create_user("fred", Role::Member);
    app.sign_in("fred", PASSWORD).await.assert_status(303);
    app.get("/settings").await.assert_contains("href=\"/settings/api-tokens\"");
    let secret = make_token(&app, "help desk sync", &["read", "write"], "30").await;
    assert!(secret.starts_with("gpt_") && secret.len() == 47, "{secret}");

    // Only the digest is stored; the list shows the prefix, never the secret again.
    let (hash, prefix, scopes, expires): (String, String, String, Option<chrono::NaiveDateTime>) =
        app.with_db(|conn| {
            api_tokens::table
                .select((api_tokens::token_hash, api_tokens::prefix, api_tokens::scopes, api_tokens::expires_at))
                .first(conn)
                .unwrap()
        });
    assert!(!hash.contains(&secret[4..]) && hash.len() == 64);
    assert!(secret.starts_with(&prefix) && prefix.len() == 10);
    assert_eq!(scopes, "read write");
    let days = (expires.unwrap() - chrono::Utc::now().naive_utc()).num_days();
    assert!((29..=30).contains(&days), "expires in 30 days, not {days}");
    let list = app.get(TOKENS).await;
    list.assert_status(200).assert_contains("help desk sync").assert_contains(&format!("<code>{prefix}…</code>"));
    assert!(!list.body.contains(&secret), "the secret is shown only once");
    assert_eq!(
        token_audit(&app),
        vec![(Some(fred), "api_token.create".into(), Some("help desk sync (read write)".into()))]
    );

    // A program, with no cookies, is the member within the token's scopes.
    let program = app.another_visitor();
    let me = get_with(&program, "/api/v1/me", &secret).await;
    me.assert_status(200);
    assert_eq!(me.header("cache-control"), Some("private, no-store"));
    let me = json(&me);
    assert_eq!((me["id"].as_i64(), me["username"].as_str()), (Some(fred), Some("fred")));
    assert_eq!(me["scopes"], serde_json::json!(["read", "write"]));
    assert!(me["token_id"].is_i64());
    app.get(TOKENS).await.assert_contains("<time datetime=");
    let used: Option<chrono::NaiveDateTime> =
        app.with_db(|conn| api_tokens::table.select(api_tokens::last_used_at).first(conn).unwrap());
    assert!(used.is_some(), "the token's last use is noted");

    // The browser session works on the API too, with every scope its role allows.
    let by_cookie = json(app.get("/api/v1/me").await.assert_status(200));
    assert_eq!((by_cookie["username"].as_str(), by_cookie["token_id"].is_null()), (Some("fred"), true));
}

async fn the_api_refuses_missing_wrong_revoked_and_expired_tokens(app: TestApp) {
    app.create_user("fred", Role::Member);
    app.sign_in("fred", PASSWORD).await.assert_status(303);
    let secret = make_token(&app, "script", &["read"], "never").await;
    let program = app.another_visitor();

    let anonymous = program.get("/api/v1/me").await;
    anonymous.assert_status(401);
    assert_eq!(anonymous.header("www-authenticate"), Some(r#"Bearer realm="api""#));
    for wrong in ["gpt_nottherightlength", &format!("{}x", &secret[..secret.len() - 1]), "", "Basic Zm9vOmJhcg=="] {
        let page = get_with(&program, "/api/v1/me", wrong).await;
        page.assert_status(401);
        assert_eq!(page.header("www-authenticate"), Some(r#"Bearer realm="api", error="invalid_token""#), "{wrong}");
    }
    let basic =
        program.send(TestRequest::get().uri("/api/v1/me").insert_header(("authorization", "Basic Zm9vOmJhcg=="))).await;
    basic.assert_status(401);
    get_with(&program, "/api/v1/me", &secret).await.assert_status(200);

    // Expired: the clock has passed its end.
    app.with_db(|conn| {
        diesel::update(api_tokens::table)
            .set(api_tokens::expires_at.eq(chrono::Utc::now().naive_utc() - chrono::Duration::minutes(1)))
            .execute(conn)
            .unwrap()
    });
    get_with(&program, "/api/v1/me", &secret).await.assert_status(401);
    app.get(TOKENS).await.assert_contains("expired");

    // Revoked by its member: refused at once.
    let second = make_token(&app, "second script", &["read"], "90").await;
    get_with(&program, "/api/v1/me", &second).await.assert_status(200);
    let id: i64 = app.with_db(|conn| {
        api_tokens::table.filter(api_tokens::name.eq("second script")).select(api_tokens::id).first(conn).unwrap()
    });
    app.submit(TOKENS, &format!("{TOKENS}/{id}/revoke"), &[]).await.assert_status(303);
    get_with(&program, "/api/v1/me", &second).await.assert_status(401);
    assert_eq!(token_audit(&app).last().unwrap().1, "api_token.revoke");
}

async fn a_token_request_ignores_the_cookie_and_skips_csrf_but_a_cookie_alone_does_not(app: TestApp) {
    app.create_user("fred", Role::Member);
    app.create_user("gina", Role::Member);
    let gina = app.another_visitor();
    gina.sign_in("gina", PASSWORD).await.assert_status(303);
    let gina_token = make_token(&gina, "gina phone", &["read"], "30").await;
    app.sign_in("fred", PASSWORD).await.assert_status(303);

    // Fred's browser, carrying Gina's token: the token decides, the cookie is ignored.
    let me = json(get_with(&app, "/api/v1/me", &gina_token).await.assert_status(200));
    assert_eq!(me["username"], "gina");

    // A cookie-authenticated POST under /api still needs the CSRF token; one with a bearer
    // header does not get that far on a cookie (and a bad token is refused as a token).
    let forged = app.send(TestRequest::post().uri("/api/v1/me")).await;
    forged.assert_status(403);
    let with_token =
        app.send(TestRequest::post().uri("/api/v1/me").insert_header(("authorization", "Bearer gpt_wrong"))).await;
    assert_ne!(with_token.status.as_u16(), 403, "a bearer request is not refused for CSRF: {}", with_token.body);
    // Outside /api an Authorization header exempts nothing.
    let outside = app
        .send(
            TestRequest::post()
                .uri("/settings/sign-out-everywhere")
                .insert_header(("authorization", format!("Bearer {gina_token}"))),
        )
        .await;
    outside.assert_status(403);
}

async fn bad_token_forms_are_refused_and_store_nothing(app: TestApp) {
    app.create_user("fred", Role::Member);
    app.sign_in("fred", PASSWORD).await.assert_status(303);
    let cases: [(&[(&str, &str)], &str); 5] = [
        (&[("name", "  "), ("scope", "read"), ("expires_in_days", "30")], "Name the token"),
        (&[("name", "x"), ("expires_in_days", "30")], "Choose at least one scope."),
        (&[("name", "x"), ("scope", "admin"), ("expires_in_days", "30")], "There is no scope called"),
        (&[("name", "x"), ("scope", "staff"), ("expires_in_days", "30")], "Only staff can make a token"),
        (&[("name", "x"), ("scope", "read"), ("expires_in_days", "99999")], "Choose an expiry between"),
    ];
    for (fields, message) in cases {
        app.submit(TOKENS, TOKENS, fields).await.assert_status(422).assert_contains(message);
    }
    let long_name = "n".repeat(61);
    app.submit(TOKENS, TOKENS, &[("name", &long_name), ("scope", "read"), ("expires_in_days", "soon")])
        .await
        .assert_status(422);
    app.post_form(TOKENS, &[("name", "no csrf"), ("scope", "read")]).await.assert_status(403);
    assert_eq!(token_count(&app), 0);
    assert!(token_audit(&app).is_empty());
    // Anonymous visitors are sent to sign in.
    app.another_visitor().get(TOKENS).await.assert_status(303);
}

async fn admins_list_and_revoke_any_token_and_members_cannot(app: TestApp) {
    app.create_user("fred", Role::Member);
    let ada = app.create_user("ada", Role::Admin);
    let fred = app.another_visitor();
    fred.sign_in("fred", PASSWORD).await.assert_status(303);
    let secret = make_token(&fred, "fred sync", &["read", "write"], "never").await;
    let id: i64 = app.with_db(|conn| api_tokens::table.select(api_tokens::id).first(conn).unwrap());

    // A member cannot see the list nor revoke another member's token, even knowing its id.
    fred.get("/admin/api-tokens").await.assert_status(403);
    let staff = app.another_visitor();
    app.create_user("sam", Role::Staff);
    staff.sign_in("sam", PASSWORD).await.assert_status(303);
    staff.submit("/settings", &format!("{TOKENS}/{id}/revoke"), &[]).await.assert_status(404);
    staff.submit("/settings", &format!("/admin/api-tokens/{id}/revoke"), &[]).await.assert_status(403);
    get_with(&app.another_visitor(), "/api/v1/me", &secret).await.assert_status(200);

    app.sign_in("ada", PASSWORD).await.assert_status(303);
    let list = app.get("/admin/api-tokens").await;
    list.assert_status(200).assert_contains("fred sync").assert_contains("<td>fred</td>");
    assert!(!list.body.contains(&secret));
    app.submit("/admin/api-tokens", &format!("/admin/api-tokens/{id}/revoke"), &[]).await.assert_status(303);
    get_with(&app.another_visitor(), "/api/v1/me", &secret).await.assert_status(401);
    let revoked_by: Option<i64> =
        app.with_db(|conn| api_tokens::table.select(api_tokens::revoked_by).first(conn).unwrap());
    assert_eq!(revoked_by, Some(ada));
    assert_eq!(token_audit(&app).last().unwrap(), &(Some(ada), "api_token.revoke".into(), Some("fred sync".into())));
    app.get("/mod/log?target=api_token").await.assert_status(200).assert_contains("API token");
}

async fn each_token_has_its_own_allowance_of_requests(app: TestApp) {
    let app = app.restart_with(&[("GUIDEPOST_API_REQUESTS_PER_MINUTE", "2")]).await;
    app.create_user("fred", Role::Member);
    app.sign_in("fred", PASSWORD).await.assert_status(303);
    let first = make_token(&app, "first", &["read"], "30").await;
    let second = make_token(&app, "second", &["read"], "30").await;
    let program = app.another_visitor();
    get_with(&program, "/api/v1/me", &first).await.assert_status(200);
    get_with(&program, "/api/v1/me", &first).await.assert_status(200);
    let over = get_with(&program, "/api/v1/me", &first).await;
    over.assert_status(429);
    let wait: u64 = over.header("retry-after").expect("Retry-After").parse().unwrap();
    assert!((1..=60).contains(&wait));
    get_with(&program, "/api/v1/me", &second).await.assert_status(200);
}

async fn deleting_the_account_ends_its_tokens(app: TestApp) {
    app.create_user("fred", Role::Member);
    app.sign_in("fred", PASSWORD).await.assert_status(303);
    let secret = make_token(&app, "sync", &["read"], "30").await;
    app.submit("/settings/delete-account", "/settings/delete-account", &[("confirm", "fred")]).await;
    let left: i64 = app.with_db(|conn| api_tokens::table.count().get_result(conn).unwrap());
    assert_eq!(left, 0);
    get_with(&app.another_visitor(), "/api/v1/me", &secret).await.assert_status(401);
}

async fn an_operator_makes_a_token_from_the_command_line(app: TestApp) {
    use common::cli::{assert_one_clear_error, guidepost, run, text};
    app.create_user("fred", Role::Member);
    let made = run(&mut guidepost(&app.db, &["user", "token", "FRED", "--name", "ci sync", "--scope", "read,write"]));
    assert!(made.status.success(), "{}", text(&made.stderr));
    let secret = text(&made.stdout).trim().to_owned();
    assert!(secret.starts_with("gpt_") && !secret.contains('\n'), "only the token on stdout: {secret}");
    assert!(text(&made.stderr).contains("shown only this once"));
    let me = json(get_with(&app, "/api/v1/me", &secret).await.assert_status(200));
    assert_eq!((me["username"].as_str(), me["scopes"].clone()), (Some("fred"), serde_json::json!(["read", "write"])));

    let staff_scope = run(&mut guidepost(&app.db, &["user", "token", "fred", "--name", "x", "--scope", "staff"]));
    assert_one_clear_error(&staff_scope, "Only staff");
    let nobody = run(&mut guidepost(&app.db, &["user", "token", "nobody", "--name", "x"]));
    assert_one_clear_error(&nobody, "no user is called nobody");
    assert_eq!(token_count(&app), 1);
}

on_both_backends!(
    an_operator_makes_a_token_from_the_command_line,
    a_member_makes_a_token_sees_it_once_and_a_program_uses_it,
    the_api_refuses_missing_wrong_revoked_and_expired_tokens,
    a_token_request_ignores_the_cookie_and_skips_csrf_but_a_cookie_alone_does_not,
    bad_token_forms_are_refused_and_store_nothing,
    admins_list_and_revoke_any_token_and_members_cannot,
    each_token_has_its_own_allowance_of_requests,
    deleting_the_account_ends_its_tokens,
);
