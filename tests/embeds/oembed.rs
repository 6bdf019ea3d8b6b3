//! `/oembed`: the spec's required fields for question and answer addresses, discovery from the
//! question page, the consumer's size limits, and 404/501 for what is not offered.

use super::{answered, urlencode, BASE, TITLE};
use crate::common::TestApp;

fn oembed_of(url: &str) -> String {
    format!("/oembed?url={}&format=json", urlencode(url))
}

async fn json(app: &TestApp, path: &str) -> serde_json::Value {
    let page = app.get(path).await;
    page.assert_status(200);
    assert_eq!(page.header("content-type"), Some("application/json"));
    assert_eq!(page.header("access-control-allow-origin"), Some("*"), "any site's script may read it");
    serde_json::from_str(&page.body).unwrap()
}

/// The fields oEmbed 1.0 requires of every response, and of a `rich` one.
#[track_caller]
fn assert_valid_rich(found: &serde_json::Value) {
    assert_eq!(found["version"], "1.0");
    assert_eq!(found["type"], "rich");
    assert!(found["html"].as_str().is_some_and(|h| h.starts_with("<iframe ")), "{found}");
    assert!(found["width"].as_u64().is_some_and(|w| w > 0), "{found}");
    assert!(found["height"].as_u64().is_some_and(|h| h > 0), "{found}");
    for text in ["title", "author_name", "provider_name", "provider_url"] {
        assert!(found[text].as_str().is_some_and(|t| !t.is_empty()), "{text} in {found}");
    }
    // A thumbnail comes with its size, or not at all.
    let thumbnail = ["thumbnail_url", "thumbnail_width", "thumbnail_height"].map(|k| found.get(k).is_some());
    assert!(thumbnail == [true; 3] || thumbnail == [false; 3], "{found}");
}

async fn questions_and_answers_embed_as_rich_frames(app: TestApp) {
    let forum = answered(&app).await;
    let page_url = format!("{BASE}{}", forum.path);

    // The question page names its oEmbed address for consumers that discover it.
    let page = app.get(&forum.path).await;
    let discovery = format!(
        r#"<link rel="alternate" type="application/json+oembed" title="{TITLE}" href="{BASE}/oembed?url={}&amp;format=json">"#,
        urlencode(&page_url)
    );
    page.assert_contains(&discovery);
    page.assert_contains(&format!(
        r#"<meta property="og:image" content="{BASE}/cards/questions/{}.png">"#,
        forum.question
    ));

    let question = json(&app, &oembed_of(&page_url)).await;
    assert_valid_rich(&question);
    assert_eq!(question["title"], TITLE);
    assert_eq!(question["author_name"], "fred");
    assert_eq!(question["provider_name"], "Guidepost");
    assert_eq!(question["provider_url"], format!("{BASE}/"));
    assert_eq!((question["width"].as_u64(), question["height"].as_u64()), (Some(600), Some(400)));
    let frame = question["html"].as_str().unwrap();
    assert!(frame.contains(&format!(r#"src="{BASE}/embed/questions/{}""#, forum.question)), "{frame}");
    assert!(frame.contains(r#"width="600" height="400""#) && frame.contains("title=\"How do I reset"), "{frame}");
    assert_eq!(question["thumbnail_url"], format!("{BASE}/cards/questions/{}.png", forum.question));
    assert_eq!((question["thumbnail_width"].as_u64(), question["thumbnail_height"].as_u64()), (Some(1200), Some(630)));
    // The slug-less address and `/posts/{id}` name the same question; `format` may be left out.
    for other in [format!("{BASE}/questions/{}", forum.question), format!("{BASE}/posts/{}", forum.question)] {
        let found = json(&app, &format!("/oembed?url={}", urlencode(&other))).await;
        assert_eq!(found["html"], question["html"], "{other}");
    }

    // An answer, by its permalink, by its place on the page and as a post.
    let answer_urls = [
        format!("{BASE}/a/{}", forum.answer),
        format!("{page_url}#answer-{}", forum.answer),
        format!("{BASE}/posts/{}", forum.answer),
    ];
    for url in answer_urls {
        let answer = json(&app, &oembed_of(&url)).await;
        assert_valid_rich(&answer);
        assert_eq!(answer["title"], format!("Answer to: {TITLE}"), "{url}");
        assert_eq!(answer["author_name"], "sam");
        assert!(answer["author_url"].as_str().is_some_and(|u| u.starts_with(&format!("{BASE}/users/"))));
        let frame = answer["html"].as_str().unwrap();
        assert!(frame.contains(&format!(r#"src="{BASE}/embed/answers/{}""#, forum.answer)), "{frame}");
        assert_eq!(answer["thumbnail_url"], format!("{BASE}/cards/answers/{}.png", forum.answer));
    }
}

async fn the_consumers_limits_are_honoured(app: TestApp) {
    let forum = answered(&app).await;
    let url = urlencode(&format!("{BASE}{}", forum.path));
    let small = json(&app, &format!("/oembed?url={url}&format=json&maxwidth=320&maxheight=240")).await;
    assert_valid_rich(&small);
    assert_eq!((small["width"].as_u64(), small["height"].as_u64()), (Some(320), Some(240)));
    assert!(small["html"].as_str().unwrap().contains(r#"width="320" height="240""#));
    // The card is 1200x630 and cannot be shown within these limits: no thumbnail then.
    assert!(small.get("thumbnail_url").is_none(), "{small}");
    // Limits above the default frame leave it as it is.
    let large = json(&app, &format!("/oembed?url={url}&maxwidth=5000&maxheight=5000")).await;
    assert_eq!((large["width"].as_u64(), large["height"].as_u64()), (Some(600), Some(400)));
    assert!(large.get("thumbnail_url").is_some());
}

async fn other_addresses_and_formats_are_refused_as_the_spec_says(app: TestApp) {
    let forum = answered(&app).await;
    let page_url = format!("{BASE}{}", forum.path);
    // Formats other than JSON: 501 Not Implemented, with a JSON message.
    let xml = app.get(&format!("/oembed?url={}&format=xml", urlencode(&page_url))).await;
    xml.assert_status(501).assert_contains("json");
    assert!(xml.header("content-type").is_some_and(|t| t.starts_with("application/json")));
    // Addresses that are not one of this site's questions or answers: 404.
    let not_ours = [
        format!("https://elsewhere.test{}", forum.path),
        format!("https://forum.test{}", forum.path),
        format!("{BASE}/tags/routers"),
        format!("{BASE}/questions/999999/nothing"),
        format!("{BASE}/a/999999"),
        format!("{BASE}/a/{}", forum.question),
        "not a url".to_owned(),
        "javascript:alert(1)".to_owned(),
    ];
    for url in not_ours {
        app.get(&oembed_of(&url)).await.assert_status(404);
    }
    // No address at all, or a limit that is not a number: 400.
    app.get("/oembed?format=json").await.assert_status(400).assert_contains("url");
    app.get(&format!("/oembed?url={}&maxwidth=wide", urlencode(&page_url))).await.assert_status(400);

    // A deleted answer is no longer offered.
    let moderator = super::signed_in(&app, "moderator1", guidepost::roles::Role::Moderator).await;
    moderator.submit(&forum.path, &format!("/posts/{}/delete", forum.answer), &[]).await.assert_status(303);
    app.get(&oembed_of(&format!("{BASE}/a/{}", forum.answer))).await.assert_status(404);
    drop(forum.sam);
}

crate::on_both_backends!(
    questions_and_answers_embed_as_rich_frames,
    the_consumers_limits_are_honoured,
    other_addresses_and_formats_are_refused_as_the_spec_says,
);
