//! The admin's run-time site settings (`/admin/settings`): each setting changed shows at once,
//! only admins may change them, every change is audited, pinned settings stay the operator's,
//! bad values change nothing, and a change made on one node shows on another within 5 seconds.

use crate::common;

use std::time::{Duration, Instant};

use diesel::prelude::*;
use guidepost::db::schema::{audit_log, site_settings, site_settings_generation};
use guidepost::roles::Role;

use common::members::PASSWORD;
use common::TestApp;

const SETTINGS: &str = "/admin/settings";

/// An admin, signed in.
async fn admin(app: &TestApp) -> i64 {
    let id = app.create_user("ada", Role::Admin);
    app.sign_in("ada", PASSWORD).await.assert_status(303);
    id
}

/// The stored settings, name and value, by name.
fn stored(app: &TestApp) -> Vec<(String, String)> {
    app.with_db(|conn| {
        site_settings::table
            .order(site_settings::name.asc())
            .select((site_settings::name, site_settings::value))
            .load(conn)
            .unwrap()
    })
}

/// The audit log's settings entries, oldest first: (actor, action, detail).
fn settings_audit(app: &TestApp) -> Vec<(Option<i64>, String, Option<String>)> {
    app.with_db(|conn| {
        audit_log::table
            .filter(audit_log::action.like("settings.%"))
            .order(audit_log::id.asc())
            .select((audit_log::actor_id, audit_log::action, audit_log::detail))
            .load(conn)
            .unwrap()
    })
}

async fn an_admin_changes_each_setting_and_visitors_see_it(app: TestApp) {
    let ada = admin(&app).await;
    let page = app.get(SETTINGS).await;
    page.assert_status(200).assert_contains("Site settings").assert_contains("name=\"accent_colour\"");
    assert!(!page.body.contains("Fixed by the operator"));

    let saved = app
        .submit(
            SETTINGS,
            SETTINGS,
            &[
                ("site_name", "Widget Help"),
                ("tagline", "Answers about widgets, from people who use them"),
                ("logo_url", "https://cdn.example.com/widget-logo.png"),
                ("accent_colour", "#8A2BE2"),
                ("welcome_text", "**Hello**, widget fans.\r\n\r\nSearch before you ask."),
                ("about_text", "# Our rules\r\n\r\nBe *nice* to each other."),
            ],
        )
        .await;
    saved.assert_status(303);
    app.get(SETTINGS).await.assert_contains("Saved: Site name, Tagline").assert_contains("Changed here");

    let visitor = app.another_visitor();
    let home = visitor.get("/").await;
    home.assert_status(200)
        .assert_contains("<title>Widget Help — questions and answers</title>")
        .assert_contains("Answers about widgets, from people who use them")
        .assert_contains("<img class=\"logo\" src=\"https://cdn.example.com/widget-logo.png\"")
        .assert_contains("<strong>Hello</strong>, widget fans.")
        .assert_contains("href=\"/theme.css?accent=8a2be2\"")
        .assert_contains("href=\"/about\"");
    assert!(!home.body.contains("Ask a question once, in public"), "the built-in welcome is replaced");
    let theme = visitor.get("/theme.css?accent=8a2be2").await;
    theme.assert_status(200).assert_contains("--accent: #8a2be2;");
    assert_eq!(theme.header("content-type"), Some("text/css; charset=utf-8"));
    visitor.get("/theme.css?accent=red").await.assert_status(400);
    let about = visitor.get("/about").await;
    about
        .assert_status(200)
        .assert_contains("About Widget Help")
        .assert_contains("<h2>Our rules</h2>")
        .assert_contains("<em>nice</em>");

    // Mail written from now on names the site as the admin does.
    visitor.sign_up("newcomer").await.assert_status(303);
    let mail = app.mail_to(&common::members::email_of("newcomer"));
    assert!(mail.last().unwrap().1.contains("your account on Widget Help"), "{mail:?}");

    let expected = [
        ("about_text", "# Our rules\n\nBe *nice* to each other."),
        ("accent_colour", "#8a2be2"),
        ("logo_url", "https://cdn.example.com/widget-logo.png"),
        ("site_name", "Widget Help"),
        ("tagline", "Answers about widgets, from people who use them"),
        ("welcome_text", "**Hello**, widget fans.\n\nSearch before you ask."),
    ];
    let expected: Vec<(String, String)> = expected.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect();
    assert_eq!(stored(&app), expected);

    // Who changed what, from what to what: one entry per setting.
    let log = settings_audit(&app);
    assert_eq!(log.len(), 6, "{log:?}");
    assert!(log.iter().all(|(actor, action, _)| *actor == Some(ada) && action == "settings.change"));
    let details: Vec<&str> = log.iter().filter_map(|(_, _, d)| d.as_deref()).collect();
    assert!(details.contains(&"site_name: \"Guidepost\" -> \"Widget Help\""), "{details:?}");
    assert!(details.contains(&"accent_colour: \"#1f6feb\" -> \"#8a2be2\""), "{details:?}");
    let mod_log = app.get("/mod/log?action=settings.&target=setting").await;
    mod_log.assert_status(200).assert_contains("settings.change").assert_contains(">site settings</a>");
    assert!(!mod_log.body.contains("setting 0"), "the settings have no id to show");

    // The same form sent back unchanged writes nothing.
    let again = app.submit(SETTINGS, SETTINGS, &[("site_name", "Widget Help"), ("accent_colour", "#8a2be2")]).await;
    again.assert_status(303);
    app.get(SETTINGS).await.assert_contains("Nothing changed.");
    assert_eq!(settings_audit(&app).len(), 6);
    let unchanged_generation: i64 = app.with_db(|conn| {
        site_settings_generation::table.select(site_settings_generation::generation).first(conn).unwrap()
    });
    assert_eq!(unchanged_generation, 1, "one save, one step");

    // Without its counter row (a restore of an archive older than the table), a change still
    // moves the generation, so other nodes still notice.
    app.with_db(|conn| diesel::delete(site_settings_generation::table).execute(conn).unwrap());
    app.submit(SETTINGS, SETTINGS, &[("tagline", "Widgets, answered")]).await.assert_status(303);
    let generation: i64 = app.with_db(|conn| {
        site_settings_generation::table.select(site_settings_generation::generation).first(conn).unwrap()
    });
    assert_eq!(generation, 1);
    visitor.get("/").await.assert_contains("Widgets, answered");
    assert_eq!(settings_audit(&app).len(), 7);

    // Handing a setting back to the operator's value removes the admin's, audited.
    app.submit(SETTINGS, "/admin/settings/site_name/reset", &[]).await.assert_status(303);
    visitor.get("/").await.assert_contains("<title>Guidepost — questions and answers</title>");
    assert!(!stored(&app).iter().any(|(name, _)| name == "site_name"));
    let last = settings_audit(&app).pop().unwrap();
    assert_eq!(last.1, "settings.reset");
    assert_eq!(last.2.as_deref(), Some("site_name: \"Widget Help\" -> \"Guidepost\" (the operator's value)"));
    app.submit(SETTINGS, "/admin/settings/no_such_setting/reset", &[]).await.assert_status(404);

    // A value equal to the operator's is no change of the admin's own: nothing is stored for it.
    app.submit(SETTINGS, SETTINGS, &[("accent_colour", "#1F6FEB")]).await.assert_status(303);
    assert!(!stored(&app).iter().any(|(name, _)| name == "accent_colour"));
    assert!(!visitor.get("/").await.body.contains("/theme.css"), "the stylesheet's own accent needs no extra sheet");
}

async fn only_admins_reach_the_settings(app: TestApp) {
    app.get(SETTINGS).await.assert_status(303);
    for (name, role) in [("mia", Role::Member), ("sam", Role::Staff), ("moira", Role::Moderator)] {
        let someone = app.another_visitor();
        app.create_user(name, role);
        someone.sign_in(name, PASSWORD).await.assert_status(303);
        someone.get(SETTINGS).await.assert_status(403);
        someone.submit("/", SETTINGS, &[("site_name", "Taken over")]).await.assert_status(403);
        someone.submit("/", "/admin/settings/site_name/reset", &[]).await.assert_status(403);
        assert!(!someone.get("/").await.body.contains("href=\"/admin/settings\""), "{name} sees no link to it");
    }
    assert!(stored(&app).is_empty());
    assert!(settings_audit(&app).is_empty());
    app.get("/").await.assert_contains("<title>Guidepost — questions and answers</title>");
    admin(&app).await;
    app.get("/").await.assert_contains("href=\"/admin/settings\"");
}

async fn pinned_settings_stay_the_operators(app: TestApp) {
    let app = app
        .restart_with(&[
            ("GUIDEPOST_SITE_NAME", "Operator's Forum"),
            ("GUIDEPOST_PINNED_SETTINGS", "site_name, accent_colour"),
        ])
        .await;
    admin(&app).await;
    let page = app.get(SETTINGS).await;
    page.assert_status(200).assert_contains("Fixed by the operator");
    let site_name_field = page.body.split("id=\"setting-site_name\"").nth(1).unwrap();
    let tag_end = site_name_field.find('>').unwrap();
    assert!(site_name_field[..tag_end].contains("disabled"), "the pinned field is read-only");
    assert!(
        site_name_field[..tag_end].contains("Operator&#x27;s Forum")
            || site_name_field[..tag_end].contains("Operator's Forum")
    );

    app.submit(SETTINGS, SETTINGS, &[("site_name", "Someone Else's")]).await.assert_status(403);
    let refused = app.submit(SETTINGS, SETTINGS, &[("tagline", "Fine"), ("accent_colour", "#8a2be2")]).await;
    refused.assert_status(403).assert_contains("fixed by the operator");
    app.submit(SETTINGS, "/admin/settings/accent_colour/reset", &[]).await.assert_status(403);
    assert!(stored(&app).is_empty(), "a refused form stores none of its values");
    assert!(settings_audit(&app).is_empty());

    // Sending a pinned value back unchanged (a script posting the whole form) is no change.
    app.submit(SETTINGS, SETTINGS, &[("site_name", "Operator's Forum"), ("tagline", "Fine")]).await.assert_status(303);
    assert_eq!(stored(&app), vec![("tagline".to_owned(), "Fine".to_owned())]);

    // A stored value for a pinned setting (from before it was pinned) is ignored.
    app.with_db(|conn| {
        diesel::insert_into(site_settings::table)
            .values((
                site_settings::name.eq("site_name"),
                site_settings::value.eq("From The Database"),
                site_settings::updated_at.eq(chrono::Utc::now().naive_utc()),
            ))
            .execute(conn)
            .unwrap()
    });
    app.submit(SETTINGS, SETTINGS, &[("tagline", "Still fine")]).await.assert_status(303);
    let home = app.another_visitor().get("/").await;
    home.assert_contains("Still fine").assert_contains("Operator");
    assert!(!home.body.contains("From The Database"));
}

/// The fields a form sends.
type Fields<'a> = &'a [(&'a str, &'a str)];

async fn bad_values_are_refused_and_change_nothing(app: TestApp) {
    admin(&app).await;
    let long_markdown = "x".repeat(20_001);
    let cases: [(Fields, &str, &str); 9] = [
        (&[("accent_colour", "#ffff00")], "accent_colour", "contrast"),
        (&[("site_name", "Fine Name"), ("accent_colour", "#ffd700")], "accent_colour", "Choose a darker colour"),
        (&[("accent_colour", "blue")], "accent_colour", "is not a colour"),
        (&[("logo_url", "javascript:alert(1)")], "logo_url", "https://"),
        (&[("logo_url", "http://example.com/logo.png")], "logo_url", "https://"),
        (&[("site_name", "   ")], "site_name", "cannot be empty"),
        (&[("questions_per_hour", "many")], "questions_per_hour", "whole number"),
        (&[("welcome_text", long_markdown.as_str())], "welcome_text", "at most 20000 characters"),
        (&[("require_verified_email", "perhaps")], "require_verified_email", "on or off"),
    ];
    for (fields, field, message) in cases {
        let page = app.submit(SETTINGS, SETTINGS, fields).await;
        page.assert_status(422).assert_contains(message);
        assert!(page.body.contains(&format!("id=\"{field}-error\"")), "the message sits by {field}");
        assert!(stored(&app).is_empty(), "{fields:?} stored something");
    }
    // What was typed is shown again, to be corrected.
    app.submit(SETTINGS, SETTINGS, &[("site_name", "Kept As Typed"), ("accent_colour", "#ffff00")])
        .await
        .assert_status(422)
        .assert_contains("value=\"Kept As Typed\"");
    app.submit(SETTINGS, SETTINGS, &[("favourite_colour", "#000000")]).await.assert_status(422);
    app.post_form(SETTINGS, &[("site_name", "No Token")]).await.assert_status(403);
    assert!(stored(&app).is_empty());
    assert!(settings_audit(&app).is_empty());
    app.get("/").await.assert_contains("<title>Guidepost — questions and answers</title>");
}

async fn a_change_on_one_node_shows_on_another_within_5_seconds(app: TestApp) {
    // The second node keeps anonymous pages for a minute: a settings change must still show.
    let other_node = app.another_node(&[("GUIDEPOST_PAGE_CACHE_SECONDS", "60")]).await;
    let reader = other_node.another_visitor();
    reader.get("/").await.assert_status(200).assert_contains("<title>Guidepost — questions and answers</title>");
    admin(&app).await;

    app.submit(SETTINGS, SETTINGS, &[("site_name", "Seen Everywhere"), ("questions_per_hour", "4")])
        .await
        .assert_status(303);
    let changed_at = Instant::now();
    let deadline = changed_at + Duration::from_secs(5);
    loop {
        if reader.get("/").await.body.contains("<title>Seen Everywhere — questions and answers</title>") {
            break;
        }
        assert!(Instant::now() < deadline, "the other node still shows the old name after 5 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!("the other node showed the change after {} ms", changed_at.elapsed().as_millis());
    assert_eq!(other_node.state.settings().moderation.questions_per_hour, 4, "posting rules follow too");
}

async fn the_verified_address_rule_follows_the_setting(app: TestApp) {
    let fred = app.another_visitor();
    fred.sign_up("fred").await.assert_status(303);
    fred.sign_in("fred", PASSWORD).await.assert_status(303);
    fred.ask("Why does my widget squeak after rain?", "widgets").await.assert_status(403);

    admin(&app).await;
    app.submit(SETTINGS, SETTINGS, &[("require_verified_email", "false")]).await.assert_status(303);
    fred.ask("Why does my widget squeak after rain?", "widgets").await.assert_status(303);

    app.submit(SETTINGS, SETTINGS, &[("require_verified_email", "true")]).await.assert_status(303);
    fred.ask("Why does my widget rattle in the cold?", "widgets").await.assert_status(403);
}

async fn the_images_rule_follows_the_setting(app: TestApp) {
    let fred = app.another_visitor();
    fred.join("fred").await;
    let body = "Here is the wiring: ![the wiring](https://example.com/wiring.png) — what is wrong?";
    let ask = |title: &'static str| {
        let fred = &fred;
        async move {
            let page = fred.submit("/ask", "/ask", &[("title", title), ("body", body), ("tags", "wiring")]).await;
            page.assert_status(303);
            fred.get(page.header("location").unwrap()).await
        }
    };
    ask("Which wire goes to the red terminal?").await.assert_contains("<img src=\"https://example.com/wiring.png\"");

    admin(&app).await;
    app.submit(SETTINGS, SETTINGS, &[("allow_images", "false")]).await.assert_status(303);
    let without = ask("Which wire goes to the blue terminal?").await;
    assert!(!without.body.contains("<img src=\"https://example.com/wiring.png\""), "images are left out now");
}

async fn moderation_limits_follow_the_setting(app: TestApp) {
    let fred = app.another_visitor();
    fred.join("fred").await;
    admin(&app).await;
    app.submit(SETTINGS, SETTINGS, &[("questions_per_hour", "1")]).await.assert_status(303);
    fred.ask("Why does my widget squeak after rain?", "widgets").await.assert_status(303);
    fred.ask("Why does my widget rattle in the cold?", "widgets").await.assert_status(429);
    app.submit(SETTINGS, SETTINGS, &[("questions_per_hour", "0")]).await.assert_status(303);
    fred.ask("Why does my widget rattle in the cold?", "widgets").await.assert_status(303);
}

on_both_backends!(
    an_admin_changes_each_setting_and_visitors_see_it,
    only_admins_reach_the_settings,
    pinned_settings_stay_the_operators,
    bad_values_are_refused_and_change_nothing,
    a_change_on_one_node_shows_on_another_within_5_seconds,
    the_verified_address_rule_follows_the_setting,
    the_images_rule_follows_the_setting,
    moderation_limits_follow_the_setting,
);
