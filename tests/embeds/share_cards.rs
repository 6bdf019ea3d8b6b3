//! Share cards (`/cards/questions/{id}.png`, `/cards/answers/{id}.png`): PNGs of the right size
//! that decode, revalidate by ETag, and change when the answer they show changes.

use actix_web::test::TestRequest;
use resvg::tiny_skia::Pixmap;

use super::answered;
use crate::common::TestApp;

async fn png(app: &TestApp, path: &str) -> (Vec<u8>, String) {
    let page = app.send_for_bytes(TestRequest::get().uri(path)).await;
    assert_eq!(page.0.status.as_u16(), 200, "{path}");
    assert_eq!(page.0.header("content-type"), Some("image/png"));
    assert!(page.0.header("set-cookie").is_none());
    let card = Pixmap::decode_png(&page.1).unwrap_or_else(|e| panic!("{path} is no PNG: {e}"));
    assert_eq!((card.width(), card.height()), (1200, 630), "{path}");
    (page.1, page.0.header("etag").expect("an ETag").to_owned())
}

async fn cards_decode_revalidate_and_follow_the_answer(app: TestApp) {
    let forum = answered(&app).await;
    let question_card = format!("/cards/questions/{}.png", forum.question);
    let answer_card = format!("/cards/answers/{}.png", forum.answer);
    let (first, etag) = png(&app, &question_card).await;
    let (again, same_etag) = png(&app, &question_card).await;
    assert_eq!((first.clone(), etag.clone()), (again, same_etag), "drawn once, then served as drawn");
    let (answer_png, _) = png(&app, &answer_card).await;
    assert_ne!(answer_png, first, "the answer's card names its author, not the number of answers");

    // A PNG is compressed already: it goes as it is to a client that accepts gzip.
    let plain =
        app.send_for_bytes(TestRequest::get().uri(&question_card).insert_header(("Accept-Encoding", "gzip"))).await;
    assert!(plain.0.header("content-encoding").is_none_or(|e| e == "identity"), "{:?}", plain.0.headers);
    assert_eq!(plain.1, first);

    // A client holding the card is told it has not changed.
    let unchanged =
        app.send(TestRequest::get().uri(&question_card).insert_header(("If-None-Match", etag.as_str()))).await;
    assert_eq!(unchanged.status.as_u16(), 304);

    // Staff edit the official answer: the card is drawn again, with a new ETag.
    let edit = format!("/posts/{}/edit", forum.answer);
    forum
        .sam
        .submit(
            &edit,
            &edit,
            &[("body", "Hold the reset button for thirty seconds, then wait for the light."), ("reason", "longer")],
        )
        .await
        .assert_status(303);
    let (changed, new_etag) = png(&app, &question_card).await;
    assert_ne!(changed, first);
    assert_ne!(new_etag, etag);
    let stale = app.send(TestRequest::get().uri(&question_card).insert_header(("If-None-Match", etag.as_str()))).await;
    assert_eq!(stale.status.as_u16(), 200);

    // Nothing to draw: 404.
    app.get("/cards/questions/999999.png").await.assert_status(404);
    app.get(&format!("/cards/answers/{}.png", forum.question)).await.assert_status(404);
    app.get("/cards/questions/abc.png").await.assert_status(404);
}

async fn unanswered_questions_get_a_card_too(app: TestApp) {
    let fred = super::signed_in(&app, "fred", guidepost::roles::Role::Member).await;
    let path = fred.ask_ok("Why does the router blink orange at night?", "routers").await;
    let id = crate::common::forum::question_id(&path);
    let (unanswered, _) = png(&app, &format!("/cards/questions/{id}.png")).await;
    assert!(!unanswered.is_empty());
}

async fn drawing_a_card_costs_from_the_budget_and_a_drawn_one_does_not(app: TestApp) {
    let app = app.restart_with(&[("GUIDEPOST_HEAVY_REQUESTS_PER_MINUTE", "2")]).await;
    let fred = super::signed_in(&app, "fred", guidepost::roles::Role::Member).await;
    let mut cards = Vec::new();
    for title in [
        "Why does the router blink orange at night?",
        "Can the router run on batteries for a day?",
        "Where is the serial number on the router?",
    ] {
        let id = crate::common::forum::question_id(&fred.ask_ok(title, "routers").await);
        cards.push(format!("/cards/questions/{id}.png"));
    }
    let visitor = app.another_visitor();
    png(&visitor, &cards[0]).await;
    png(&visitor, &cards[1]).await;
    let refused = visitor.get(&cards[2]).await;
    refused.assert_status(429);
    assert!(refused.header("retry-after").is_some());
    // Cards already drawn cost nothing.
    png(&visitor, &cards[0]).await;
    png(&visitor, &cards[1]).await;
}

crate::on_both_backends!(
    cards_decode_revalidate_and_follow_the_answer,
    unanswered_questions_get_a_card_too,
    drawing_a_card_costs_from_the_budget_and_a_drawn_one_does_not,
);
