//! The embed pages: what they show, that they set no cookies and are cacheable, and that only
//! they may be framed, by the origins the admin lists (any when none are), while every other
//! page stays `frame-ancestors 'none'`.

use super::{answered, signed_in, TITLE};
use crate::common::TestApp;
use guidepost::roles::Role;

/// The `frame-ancestors` directive of a response's policy.
fn frame_ancestors(page: &crate::common::Page) -> String {
    let policy = page.header("content-security-policy").expect("a Content-Security-Policy");
    let directive = policy.split(';').map(str::trim).find(|d| d.starts_with("frame-ancestors"));
    directive.expect("a frame-ancestors directive").to_owned()
}

async fn embed_cards_show_the_official_answer_without_cookies(app: TestApp) {
    let forum = answered(&app).await;
    let card = app.get(&format!("/embed/questions/{}", forum.question)).await;
    card.assert_status(200).assert_contains(TITLE).assert_contains("Official answer");
    card.assert_contains("Hold the <strong>reset</strong> button");
    card.assert_contains(&format!(r#"href="http://forum.test{}#answer-{}""#, forum.path, forum.answer));
    assert!(card.body.contains(r#"target="_blank""#), "links leave the frame");
    assert!(!card.body.contains("csrf_token"), "no form token, so no cookie");
    assert_eq!(card.header("cache-control"), Some("public, max-age=60, stale-while-revalidate=60"));
    assert!(card.header("etag").is_some());
    assert!(card.header("set-cookie").is_none(), "an anonymous visitor gets no cookie");

    let answer = app.get(&format!("/embed/answers/{}", forum.answer)).await;
    answer.assert_status(200).assert_contains("Official answer").assert_contains("sam");
    assert!(answer.header("set-cookie").is_none());

    // A signed-in member's cookies are left alone too: the frame neither reads nor renews them.
    let member = signed_in(&app, "wilma", Role::Member).await;
    for path in [format!("/embed/questions/{}", forum.question), format!("/embed/answers/{}", forum.answer)] {
        let seen = member.get(&path).await;
        seen.assert_status(200);
        assert!(seen.header("set-cookie").is_none(), "{path} set a cookie");
        assert!(!seen.body.contains("wilma"), "the frame is the same for everyone");
    }

    // A question with no answer yet offers to answer it; the theme may be fixed by the host.
    let fred = signed_in(&app, "fred2", Role::Member).await;
    let open = crate::common::forum::question_id(&fred.ask_ok("Is there a dark mode on the router app?", "apps").await);
    let dark = app.get(&format!("/embed/questions/{open}?theme=dark")).await;
    dark.assert_status(200).assert_contains("No answer yet").assert_contains(r#"<html lang="en" class="theme-dark">"#);

    // Nothing to embed: missing, deleted, or not a number.
    app.get("/embed/questions/999999").await.assert_status(404);
    app.get("/embed/answers/999999").await.assert_status(404);
    app.get(&format!("/embed/answers/{}", forum.question)).await.assert_status(404);
    app.get("/embed/questions/abc").await.assert_status(404);
    let moderator = signed_in(&app, "moderator1", Role::Moderator).await;
    moderator.submit(&forum.path, &format!("/posts/{}/delete", forum.question), &[]).await.assert_status(303);
    app.get(&format!("/embed/questions/{}", forum.question)).await.assert_status(404);
    app.get(&format!("/embed/answers/{}", forum.answer)).await.assert_status(404);
}

async fn only_embed_pages_may_be_framed_and_only_by_listed_origins(app: TestApp) {
    let forum = answered(&app).await;
    let embed = format!("/embed/questions/{}", forum.question);
    let main_pages = [forum.path.clone(), "/".to_owned(), "/embed/nothing".to_owned(), "/ask".to_owned()];

    // By default any site may frame the embed pages, which hold only public content.
    let card = app.get(&embed).await;
    assert_eq!(frame_ancestors(&card), "frame-ancestors *");
    assert!(card.header("x-frame-options").is_none(), "X-Frame-Options would forbid every frame");
    for path in &main_pages {
        let page = app.get(path).await;
        assert_eq!(frame_ancestors(&page), "frame-ancestors 'none'", "{path}");
        assert_eq!(page.header("x-frame-options"), Some("DENY"), "{path}");
    }

    // The admin lists the shop: only it may frame them now, at once and on this node's copies.
    let admin = signed_in(&app, "ada", Role::Admin).await;
    let saved = admin
        .submit(
            "/admin/settings",
            "/admin/settings",
            &[("embed_origins", "https://Shop.Example.com/ http://127.0.0.1:4000")],
        )
        .await;
    saved.assert_status(303);
    let card = app.get(&embed).await;
    assert_eq!(frame_ancestors(&card), "frame-ancestors https://shop.example.com http://127.0.0.1:4000");
    let ask_box = app.get("/embed/ask?tags=routers").await;
    assert_eq!(frame_ancestors(&ask_box), "frame-ancestors https://shop.example.com http://127.0.0.1:4000");
    for path in &main_pages {
        assert_eq!(frame_ancestors(&app.get(path).await), "frame-ancestors 'none'", "{path}");
    }

    // Something that is not an origin is refused with a message, and nothing changes.
    for bad in ["shop.example.com", "https://shop.example.com/help", "https://*.example.com", "javascript:alert(1)"] {
        let refused = admin.submit("/admin/settings", "/admin/settings", &[("embed_origins", bad)]).await;
        refused.assert_status(422).assert_contains("is not an origin");
        assert_eq!(
            frame_ancestors(&app.get(&embed).await),
            "frame-ancestors https://shop.example.com http://127.0.0.1:4000"
        );
    }

    // The admin page gives the snippet for a product page.
    let settings = admin.get("/admin/settings").await;
    settings.assert_contains("Ask box for a product page");
    settings.assert_contains("&lt;iframe src=&quot;http:&#x2F;&#x2F;forum.test&#x2F;embed&#x2F;ask?tags=&quot;");
}

async fn copies_from_the_page_cache_keep_the_embed_policy(app: TestApp) {
    let app = app
        .restart_with(&[
            ("GUIDEPOST_PAGE_CACHE_SECONDS", "30"),
            ("GUIDEPOST_EMBED_ORIGINS", "https://shop.example.com"),
        ])
        .await;
    let forum = answered(&app).await;
    let visitor = app.another_visitor();
    let embed = format!("/embed/questions/{}", forum.question);
    let first = visitor.get(&embed).await;
    let second = visitor.get(&embed).await;
    assert_eq!(first.body, second.body);
    for page in [&first, &second] {
        assert_eq!(frame_ancestors(page), "frame-ancestors https://shop.example.com");
        assert!(page.header("x-frame-options").is_none());
    }
    // A new official answer shows in the copy at once (the copy depends on its question).
    forum
        .sam
        .submit(
            &forum.path,
            &format!("/questions/{}/answers", forum.question),
            &[("body", "Or use the Reset page of the router app on your phone."), ("official", "1")],
        )
        .await
        .assert_status(303);
    visitor.get(&embed).await.assert_contains("Or use the Reset page");
}

crate::on_both_backends!(
    embed_cards_show_the_official_answer_without_cookies,
    only_embed_pages_may_be_framed_and_only_by_listed_origins,
    copies_from_the_page_cache_keep_the_embed_policy,
);
