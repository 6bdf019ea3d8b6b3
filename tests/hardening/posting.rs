//! Posting stays cheap and bounded: tag lists, previews and the costly read endpoints; and the
//! new-member link rule holds for edits as it does for new posts.

use actix_web::test::TestRequest;
use guidepost::roles::Role;

use crate::common::forum::{question_id, DETAILS};
use crate::common::TestApp;
use crate::hardening::{count_posts, signed_in};

async fn oversized_tag_lists_are_refused_unread(app: TestApp) {
    let (fred, _) = signed_in(&app, "fred", Role::Member).await;
    // Close to the 512 KiB a form may be: tens of thousands of distinct tags.
    let many: String = (0..60_000).map(|n| format!("t{n} ")).collect();
    let before = count_posts(&app);
    let title = "Why did my red widget break in the rain?";
    let page = fred.submit("/ask", "/ask", &[("title", title), ("body", DETAILS), ("tags", &many)]).await;
    page.assert_status(422).assert_contains("Give 1 to 5 tags.");
    // The old rule counted them all first ("you gave 60000"), comparing each with every other.
    assert!(!page.body.contains("you gave"), "the whole list was read");
    assert_eq!(count_posts(&app), before);

    let path = fred.ask_ok(title, "widgets").await;
    let id = question_id(&path);
    let fields = [("title", title), ("body", DETAILS), ("tags", many.as_str()), ("reason", "")];
    let page = fred.submit(&format!("/posts/{id}/edit"), &format!("/posts/{id}/edit"), &fields).await;
    page.assert_status(422).assert_contains("Give 1 to 5 tags.");
}

async fn previews_are_for_members_within_a_post_length(app: TestApp) {
    let visitor = app.another_visitor();
    let token = visitor.get("/login").await.csrf_token().unwrap();
    let page = visitor.post_form("/preview", &[("body", "*hello*"), ("csrf_token", &token)]).await;
    assert_eq!(page.status.as_u16(), 303, "an anonymous preview was rendered: {}", page.body);
    assert!(page.header("location").unwrap_or_default().starts_with("/login"));

    let (fred, _) = signed_in(&app, "fred", Role::Member).await;
    let token = fred.get("/ask").await.csrf_token().unwrap();
    let page = fred.post_form("/preview", &[("body", "*hello*"), ("csrf_token", &token)]).await;
    page.assert_status(200).assert_contains("<em>hello</em>");
    let long = "x".repeat(30_001);
    fred.post_form("/preview", &[("body", &long), ("csrf_token", &token)]).await.assert_status(422);
}

async fn costly_requests_have_a_budget_per_client(app: TestApp) {
    let app = app.restart_with(&[("GUIDEPOST_HEAVY_REQUESTS_PER_MINUTE", "4")]).await;
    let from = |n: u8| format!("198.51.100.{n}:40000");
    for path in ["/search?q=widget", "/questions/similar?title=red+widget+rain", "/sitemap.xml", "/search?q=rain"] {
        let page = app.get_from(path, &from(1)).await;
        assert!(page.status.is_success(), "{path}: {}", page.status);
    }
    let refused = app.get_from("/search?q=widget", &from(1)).await;
    refused.assert_status(429);
    assert!(refused.header("retry-after").is_some_and(|s| s.parse::<u64>().is_ok_and(|s| s >= 1)));
    app.get_from("/sitemap.xml", &from(1)).await.assert_status(429);
    // Another client has its own budget; pages that are not costly are not counted.
    app.get_from("/search?q=widget", &from(2)).await.assert_status(200);
    app.get_from("/questions", &from(1)).await.assert_status(200);
    // An IPv6 client is its /64: rotating addresses inside it does not buy more.
    for n in 1..=4 {
        app.get_from("/search?q=widget", &format!("[2001:db8:1:2::{n}]:40000")).await.assert_status(200);
    }
    app.get_from("/search?q=widget", "[2001:db8:1:2::99]:40000").await.assert_status(429);
    // A member's budget follows the account, not the address.
    let (fred, _) = signed_in(&app, "fred", Role::Member).await;
    for n in 10..14 {
        let page = fred.send(TestRequest::get().uri("/search?q=widget").peer_addr(from(n).parse().unwrap())).await;
        page.assert_status(200);
    }
    fred.send(TestRequest::get().uri("/search?q=widget").peer_addr(from(20).parse().unwrap())).await.assert_status(429);
}

async fn new_members_edits_meet_the_link_rule(app: TestApp) {
    let (fred, _) = signed_in(&app, "fred", Role::Member).await;
    let title = "Why did my red widget break in the rain?";
    let path = fred.ask_ok(title, "widgets").await;
    let id = question_id(&path);
    let edit = |body: String| {
        let fred = &fred;
        async move {
            let fields = [("title", title), ("body", body.as_str()), ("tags", "widgets"), ("reason", "more detail")];
            fred.submit(&format!("/posts/{id}/edit"), &format!("/posts/{id}/edit"), &fields).await
        }
    };
    let spam = format!("{DETAILS} https://a.example https://b.example https://c.example");
    edit(spam).await.assert_status(422).assert_contains("New members can include up to 2 links");
    app.get(&path).await.assert_status(200);
    edit(format!("{DETAILS} See https://widgets.example/manual")).await.assert_status(303);
    let held: Option<String> = app.with_db(|c| {
        use diesel::prelude::*;
        use guidepost::db::schema::posts::dsl;
        dsl::posts.find(id).select(dsl::held_reason).first(c).unwrap()
    });
    assert_eq!(held.as_deref(), Some("links"), "a new member's edit with a link went up unreviewed");
    assert_ne!(app.get(&path).await.status.as_u16(), 200, "visitors still see the held question");
}

async fn link_urls_keep_no_control_characters_on_the_page(app: TestApp) {
    let (fred, _) = signed_in(&app, "fred", Role::Member).await;
    let (wilma, _) = signed_in(&app, "wilma", Role::Staff).await;
    let path = fred.ask_ok("Why did my red widget break in the rain?", "widgets").await;
    let body = "Try <a href=java&#1&#2&#3&#4&#5&#6&#7&#8&#11&#12script:javascript:alert(1)>this fix</a> first.";
    wilma.answer(&path, body).await;
    let page = app.get(&path).await;
    page.assert_status(200).assert_contains("this fix");
    for (at, _) in page.body.match_indices("href=\"") {
        let url: String = page.body[at + 6..].chars().take_while(|c| *c != '"').collect();
        assert!(!url.chars().any(char::is_control), "a link kept control characters: {url:?}");
    }
}

crate::on_both_backends!(
    oversized_tag_lists_are_refused_unread,
    previews_are_for_members_within_a_post_length,
    costly_requests_have_a_budget_per_client,
    new_members_edits_meet_the_link_rule,
    link_urls_keep_no_control_characters_on_the_page,
);
