//! An endpoint limited to some topics (tags) hears only of questions in them; an endpoint without
//! a topics filter hears of every question; test pings are not filtered; a bad filter is refused
//! and nothing is stored.

use guidepost::db::models::webhooks::endpoints;
use guidepost::roles::Role;
use guidepost::webhooks::deliver_due;

use super::{job, now, register, signed_in};
use crate::common::forum::question_id;
use crate::common::receiver::Receiver;
use crate::common::TestApp;

/// The question ids announced as `question.asked` among what a receiver got.
fn asked(receiver: &Receiver) -> Vec<i64> {
    let mut ids: Vec<i64> = receiver
        .received()
        .iter()
        .map(|r| r.json())
        .filter(|event| event["type"] == "question.asked")
        .map(|event| event["data"]["question"]["id"].as_i64().unwrap())
        .collect();
    ids.sort_unstable();
    ids
}

async fn an_endpoint_limited_to_a_topic_hears_only_of_its_questions(app: TestApp) {
    let ada = app.create_user("ada", Role::Admin);
    let admin = signed_in(&app, "ada2", Role::Admin).await;
    let fred = signed_in(&app, "fred", Role::Member).await;
    let billing_team = Receiver::start();
    let everyone = Receiver::start();

    let created = admin
        .submit(
            "/admin/webhooks",
            "/admin/webhooks",
            &[
                ("url", &billing_team.url()),
                ("event:question.asked", "on"),
                ("format", "standard"),
                ("tags", " Billing,  billing "),
            ],
        )
        .await;
    created.assert_status(303);
    let location = created.header("location").unwrap().to_owned();
    let filtered: i64 = location.trim_start_matches("/admin/webhooks/").parse().unwrap();
    let stored = app.with_db(|conn| endpoints::find(conn, filtered).unwrap().unwrap());
    assert_eq!(stored.tags, "billing", "lower-cased, each once");
    admin.get(&location).await.assert_status(200).assert_contains("<dt>Topics</dt><dd>billing</dd>");
    register(&app, ada, &everyone.url(), &["question.asked"], "standard");
    admin
        .get("/admin/webhooks")
        .await
        .assert_status(200)
        .assert_contains("<td>billing</td>")
        .assert_contains("<td>all</td>");

    let billing = question_id(&fred.ask_ok("Why was my invoice charged twice this month?", "billing invoices").await);
    let shipping = question_id(&fred.ask_ok("Why is my parcel stuck at the sorting centre?", "shipping").await);
    deliver_due(&job(&app, true), now()).unwrap();
    assert_eq!(asked(&billing_team), vec![billing], "the billing channel hears of billing only");
    assert_eq!(asked(&everyone), vec![billing, shipping], "no filter: every question");

    // A test ping is about no question: it reaches a filtered endpoint too.
    admin.submit(&location, &format!("{location}/test"), &[]).await.assert_status(303);
    deliver_due(&job(&app, true), now()).unwrap();
    assert_eq!(billing_team.received().len(), 2, "the ping arrived");
}

async fn a_bad_topics_filter_is_refused_and_nothing_is_stored(app: TestApp) {
    let admin = signed_in(&app, "ada", Role::Admin).await;
    let too_many: Vec<String> = (1..=21).map(|n| format!("topic{n}")).collect();
    let too_many = too_many.join(" ");
    for (tags, why) in [
        ("billing shipping!", "is not a topic"),
        ("billing _private", "is not a topic"),
        (too_many.as_str(), "at most 20 topics"),
    ] {
        let refused = admin
            .submit(
                "/admin/webhooks",
                "/admin/webhooks",
                &[
                    ("url", "https://hooks.example/in"),
                    ("event:question.asked", "on"),
                    ("format", "chat"),
                    ("tags", tags),
                ],
            )
            .await;
        refused.assert_status(422).assert_contains(why).assert_contains("Only questions in these topics");
    }
    assert!(app.with_db(|conn| endpoints::all(conn).unwrap().is_empty()), "a refused form stored something");
}

crate::on_both_backends!(
    an_endpoint_limited_to_a_topic_hears_only_of_its_questions,
    a_bad_topics_filter_is_refused_and_nothing_is_stored,
);
