//! The route fuzzer (issue 17): every route of the site, as an anonymous visitor, a member, staff,
//! a moderator and an admin, with garbage of every shape in the path, the query, the headers and
//! the body, and every method. For each request: no 5xx, no answer slower than 2 s, and a 4xx
//! leaves the database as it was.
//!
//! The route list (`routes.rs`) must name every route `src/web/mod.rs` registers; a test reads that
//! file and fails when a route is missing there. `ROUTE_FUZZ_SEED` replays a run, `ROUTE_FUZZ_CASES`
//! sets the cases per route and visitor.

use crate::common;

mod cases;
mod database;
mod garbage;
mod routes;
mod visitors;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use diesel::prelude::*;
use guidepost::db::schema::comments;
use guidepost::roles::Role;
use rand::rngs::StdRng;
use rand::SeedableRng;

use cases::{draw, send_timed, Tally};
use common::members::PASSWORD;
use common::TestApp;
use database::{accounts, bring_back, changes, fingerprint, restore, visible_posts};
use routes::{registered_routes, ROUTES};
use visitors::{seed, serve, stay_signed_in};

/// The acceptance rule of issue 17: no request may take longer than this.
const SLOW: Duration = Duration::from_secs(2);

/// Seed of a run unless `ROUTE_FUZZ_SEED` says otherwise.
const DEFAULT_SEED: u64 = 0x6775_6964_6570_6f73;

/// Cases per route and visitor unless `ROUTE_FUZZ_CASES` says otherwise.
const DEFAULT_CASES: usize = 10;

#[test]
fn the_fuzzer_knows_every_route() {
    let registered = registered_routes();
    assert!(registered.len() > 60, "reading src/web/mod.rs found only {registered:?}");
    let listed: BTreeSet<(String, String)> =
        ROUTES.iter().flat_map(|r| r.methods.iter().map(|m| (r.pattern.to_owned(), (*m).to_owned()))).collect();
    let missing: Vec<_> = registered.difference(&listed).collect();
    let stale: Vec<_> = listed.difference(&registered).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "tests/route_fuzzer/routes.rs ROUTES must match src/web/mod.rs.\nadd: {missing:?}\nremove: {stale:?}"
    );
}

fn env_number(name: &str) -> Option<u64> {
    let raw = std::env::var(name).ok()?;
    Some(raw.trim().parse().unwrap_or_else(|_| panic!("{name}={raw:?} is not a number")))
}

async fn every_route_survives_garbage(app: TestApp) {
    // Limits would answer 429 before the handlers are reached; they have their own tests.
    let settings = [
        ("GUIDEPOST_HEAVY_REQUESTS_PER_MINUTE", "0"),
        ("GUIDEPOST_QUESTIONS_PER_HOUR", "0"),
        ("GUIDEPOST_ANSWERS_PER_HOUR", "0"),
        ("GUIDEPOST_COMMENTS_PER_HOUR", "0"),
        ("GUIDEPOST_VOTES_PER_HOUR", "0"),
    ];
    let app = app.restart_with(&settings).await;
    let call = serve(&app).await;
    let (known, mut visitors) = seed(&app, &call).await;
    let saved = accounts(&app);
    let seeded = visible_posts(&app);
    let seed = env_number("ROUTE_FUZZ_SEED").unwrap_or(DEFAULT_SEED);
    let cases = env_number("ROUTE_FUZZ_CASES").map_or(DEFAULT_CASES, |n| n as usize);
    eprintln!("route fuzzer: seed {seed} (ROUTE_FUZZ_SEED), {cases} cases per route and visitor (ROUTE_FUZZ_CASES)");
    let mut rng = StdRng::seed_from_u64(seed);
    let started = Instant::now();
    let mut tally = Tally::default();
    // The fingerprint after the last refusal, while nothing else has written since.
    let mut before: Option<Vec<i64>> = None;
    for route in ROUTES {
        for visitor in &mut visitors {
            stay_signed_in(&call, visitor).await;
            for _ in 0..cases {
                let case = draw(&mut rng, route, visitor, &known);
                let unchanged = before.take().unwrap_or_else(|| fingerprint(&app));
                let (reply, took) = send_timed(&call, &case).await;
                let mut problems = Vec::new();
                if reply.status.is_server_error() {
                    problems.push("a server error".to_owned());
                }
                if took > SLOW {
                    problems.push(format!("slower than {} s, twice", SLOW.as_secs()));
                }
                if reply.status.is_client_error() {
                    let after = fingerprint(&app);
                    let changed = changes(&unchanged, &after);
                    if !changed.is_empty() {
                        problems.push(format!("a refusal that changed the database ({})", changed.join(", ")));
                    }
                    before = Some(after);
                } else {
                    restore(&app, &saved);
                }
                tally.note(route.pattern, &case, &reply, took, &problems);
            }
        }
        bring_back(&app, &seeded);
        before = None;
    }
    if std::env::var_os("ROUTE_FUZZ_VERBOSE").is_some() {
        for (route, answers) in &tally.by_route {
            eprintln!("  {route}: {answers:?}");
        }
    }
    eprintln!(
        "route fuzzer: {} requests ({} routes x {} visitors x {cases}) in {:.1} s; statuses {:?}; slowest {} ms: {}",
        tally.sent,
        ROUTES.len(),
        visitors.len(),
        started.elapsed().as_secs_f64(),
        tally.statuses,
        tally.slowest.0.as_millis(),
        tally.slowest.1,
    );
    assert!(
        tally.failures.is_empty(),
        "{} routes failed (route, status -> requests): {:?}\nreplay with ROUTE_FUZZ_SEED={seed} ROUTE_FUZZ_CASES={cases}\n\n{}",
        tally.failed_routes.len(),
        tally.failed_routes,
        tally.failures.join("\n\n"),
    );
}

/// Found by this fuzzer: a NUL character in a path, a query or a form reached PostgreSQL, which
/// refuses text holding one, and ended in a 500 (SQLite stored it). Both refuse it now, with a
/// 400, before anything is written.
async fn a_nul_character_is_refused_before_the_database(app: TestApp) {
    let member = app.another_visitor();
    app.create_user("nina", Role::Member);
    member.sign_in("nina", PASSWORD).await.assert_status(303);
    let path = member.ask_ok("Why does my blue widget hum at night?", "widgets").await;
    let comments_before = app.with_db(|c| comments::table.count().get_result::<i64>(c).unwrap());
    let comment = [("body", "A comment long enough to post,\0 with a NUL in it.")];
    let id = common::forum::question_id(&path);
    member.submit(&path, &format!("/posts/{id}/comments"), &comment).await.assert_status(400);
    member.get("/tags/wid%00gets").await.assert_status(400);
    member.get("/feeds/tags/widgets%00.atom").await.assert_status(400);
    member.get("/questions?sort=%00").await.assert_status(400);
    let stranger = app.another_visitor();
    stranger.submit("/login", "/login", &[("login", "nina\0"), ("password", PASSWORD)]).await.assert_status(400);
    assert_eq!(app.with_db(|c| comments::table.count().get_result::<i64>(c).unwrap()), comments_before);
    member.get("/tags/widgets").await.assert_status(200);
}

on_both_backends!(every_route_survives_garbage, a_nul_character_is_refused_before_the_database);
