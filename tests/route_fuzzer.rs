//! The route fuzzer (issue 17): every route of the site, as an anonymous visitor, a member, staff,
//! a moderator and an admin, with garbage of every shape in the path, the query, the headers and
//! the body, and every method. For each request: no 5xx, no answer slower than 2 s, and a 4xx
//! leaves the database as it was.
//!
//! The route list below must name every route `src/web/mod.rs` registers; a test reads that file
//! and fails when a route is missing here. `ROUTE_FUZZ_SEED` replays a run, `ROUTE_FUZZ_CASES`
//! sets the cases per route and visitor.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test should fail loudly at the first surprise")]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::rc::Rc;
use std::time::{Duration, Instant};

use actix_web::dev::Service;
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::test::{self, TestRequest};
use diesel::prelude::*;
use guidepost::db::schema::{comments, flags, posts, search_log, tags, users};
use guidepost::db::DbConnection;
use guidepost::roles::Role;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

use common::garbage::{self, chance, Csrf, Known, Value, Value::*, METHODS};
use common::members::{email_of, PASSWORD};
use common::{Page, TestApp};

/// The acceptance rule of issue 17: no request may take longer than this.
const SLOW: Duration = Duration::from_secs(2);

/// Seed of a run unless `ROUTE_FUZZ_SEED` says otherwise.
const DEFAULT_SEED: u64 = 0x6775_6964_6570_6f73;

/// Cases per route and visitor unless `ROUTE_FUZZ_CASES` says otherwise.
const DEFAULT_CASES: usize = 10;

/// One route of `src/web/mod.rs`: its pattern, its methods and the form fields it reads.
struct Route {
    pattern: &'static str,
    methods: &'static [&'static str],
    fields: &'static [(&'static str, Value)],
}

const fn get(pattern: &'static str) -> Route {
    Route { pattern, methods: &["GET"], fields: &[] }
}

const fn post(pattern: &'static str, fields: &'static [(&'static str, Value)]) -> Route {
    Route { pattern, methods: &["POST"], fields }
}

const fn get_post(pattern: &'static str, fields: &'static [(&'static str, Value)]) -> Route {
    Route { pattern, methods: &["GET", "POST"], fields }
}

const NEW_PASSWORD: &[(&str, Value)] = &[("password", Password), ("password_confirm", Password)];
const REASON: &[(&str, Value)] = &[("reason", Text)];
const BODY: &[(&str, Value)] = &[("body", Markdown), ("preview", Checkbox), ("official", Checkbox)];

/// Every route of the site.
const ROUTES: &[Route] = &[
    get("/"),
    get("/healthz"),
    get("/readyz"),
    get("/assets/{path:.+}"),
    get("/favicon.ico"),
    get_post(
        "/signup",
        &[
            ("username", Username),
            ("email", Email),
            ("password", Password),
            ("website", Checkbox),
            ("form_started", Text),
        ],
    ),
    get_post("/login", &[("login", Username), ("password", Password), ("next", Next)]),
    post("/logout", &[]),
    post("/verify-email/resend", &[]),
    get("/verify-email/{token}"),
    get_post("/password/forgot", &[("email", Email)]),
    get_post("/password/set/{token}", NEW_PASSWORD),
    get_post("/password/reset/{token}", NEW_PASSWORD),
    get("/settings"),
    post("/settings/profile", &[("display_name", Text)]),
    post("/settings/email", &[("email", Email), ("current_password", Password)]),
    post(
        "/settings/password",
        &[("current_password", Password), ("new_password", Password), ("new_password_confirm", Password)],
    ),
    post("/settings/sign-out-everywhere", &[]),
    get("/staff"),
    post("/settings/notifications", &[("email_preference", OneOf(&["each", "daily", "never"]))]),
    get("/notifications"),
    post("/notifications/read", &[]),
    post("/questions/{id}/{action:watch|unwatch}", &[]),
    get_post("/unsubscribe/{token}", &[("List-Unsubscribe", OneOf(&["One-Click"]))]),
    get("/admin/users"),
    post("/admin/users/{id}/role", &[("role", OneOf(&["member", "staff", "moderator", "admin", "owner"]))]),
    post("/admin/users/{id}/suspend", REASON),
    post("/admin/users/{id}/unsuspend", &[]),
    post("/admin/users/{id}/invite", &[("email", Email)]),
    get("/search"),
    get("/search/click/{log}/{question}"),
    get("/questions/similar"),
    get("/ask/suggested/{id}"),
    get("/staff/gaps"),
    get("/questions"),
    get_post(
        "/ask",
        &[
            ("title", Text),
            ("body", Markdown),
            ("tags", Tags),
            ("preview", Checkbox),
            ("similar_checked", Checkbox),
            ("website", Checkbox),
            ("form_started", Text),
        ],
    ),
    get("/questions/{id}"),
    post("/questions/{id}/answers", BODY),
    post(
        "/questions/{id}/close",
        &[("reason", OneOf(&["duplicate", "off-topic", "unclear", "resolved-elsewhere"])), ("duplicate_of", Id)],
    ),
    post("/questions/{id}/reopen", &[]),
    get("/questions/{id}/{slug}"),
    get("/a/{id}"),
    post("/answers/{id}/accept", &[]),
    post("/answers/{id}/{action:endorse|withdraw-official|review}", &[]),
    post("/posts/{id}/vote", &[("value", OneOf(&["up", "down", "none"]))]),
    post("/posts/{id}/{action:lock|unlock|delete|undelete}", REASON),
    post("/posts/{id}/comments", BODY),
    get("/posts/{id}"),
    post(
        "/{kind:posts|comments}/{id}/flag",
        &[("reason", OneOf(&["spam", "rude", "off-topic", "needs-moderator"])), ("note", Text)],
    ),
    post("/comments/{id}/{action:delete|undelete}", REASON),
    get("/mod/flags"),
    post("/mod/flags/{kind}/{id}", &[("verdict", OneOf(&["agree", "disagree"]))]),
    get("/mod/review"),
    post("/mod/review/{id}", &[("decision", OneOf(&["approve", "reject"]))]),
    get("/mod/log"),
    post("/users/{id}/delete-as-spam", &[("next", Next)]),
    get_post("/posts/{id}/edit", &[("title", Text), ("tags", Tags), ("body", Markdown), ("reason", Text)]),
    get("/posts/{id}/revisions"),
    post("/preview", &[("body", Markdown)]),
    get("/staff/queue"),
    get("/tags"),
    get("/tags/{name}"),
    get("/users/{id}"),
    get("/users/{id}/{slug}"),
    get("/robots.txt"),
    get("/sitemap.xml"),
    get("/sitemaps/tags.xml"),
    get("/sitemaps/questions-{n:[1-9][0-9]*}.xml"),
    get("/feeds/questions.atom"),
    get("/feeds/official.atom"),
    get("/feeds/questions/{id}.atom"),
    get("/feeds/tags/{name}.atom"),
];

/// The (pattern, method) pairs `src/web/mod.rs` registers, read from its source: both
/// `.route("/p", web::get()...)` and `web::resource("/p").route(web::get()...)`.
fn registered_routes() -> BTreeSet<(String, String)> {
    let source = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/web/mod.rs")).unwrap();
    let start = source.find("pub fn routes").expect("src/web/mod.rs has fn routes");
    let end = source.find("pub async fn not_found").expect("src/web/mod.rs has fn not_found");
    let method_of = |text: &str| -> String {
        let rest = text.trim_start().strip_prefix("web::").unwrap_or("?");
        rest[..rest.find('(').unwrap_or(0)].to_ascii_uppercase()
    };
    let mut found = BTreeSet::new();
    let (mut rest, mut resource) = (&source[start..end], String::new());
    while let Some((at, marker)) =
        ["web::resource(\"", ".route("].iter().filter_map(|m| rest.find(m).map(|at| (at, *m))).min()
    {
        rest = &rest[at + marker.len()..];
        if marker.starts_with("web::resource") {
            resource = rest[..rest.find('"').unwrap()].to_owned();
        } else if let Some(literal) = rest.trim_start().strip_prefix('"') {
            let close = literal.find('"').unwrap();
            let method = method_of(literal[close + 1..].trim_start().trim_start_matches(','));
            found.insert((literal[..close].to_owned(), method));
        } else {
            found.insert((resource.clone(), method_of(rest)));
        }
    }
    found
}

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
        "tests/route_fuzzer.rs ROUTES must match src/web/mod.rs.\nadd: {missing:?}\nremove: {stale:?}"
    );
}

/// A response as the fuzzer keeps it.
type Reply = Page;

type Call = Rc<dyn Fn(actix_http::Request) -> Pin<Box<dyn Future<Output = Reply>>>>;

/// The app as an HTTP server would run it: a service error becomes its error response, as the
/// dispatcher would send it, instead of a panic in the harness.
async fn serve(app: &TestApp) -> Call {
    let service = Rc::new(test::init_service(guidepost::build_app(app.state.clone())).await);
    Rc::new(move |req| {
        let service = Rc::clone(&service);
        Box::pin(async move {
            match service.call(req).await {
                Ok(res) => {
                    let (status, headers) = (res.status(), res.headers().clone());
                    let body = match actix_web::body::to_bytes(res.map_into_boxed_body().into_body()).await {
                        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
                        Err(e) => format!("(the body failed half-way: {e})"),
                    };
                    Page { status, headers, body }
                }
                Err(e) => {
                    let res = e.error_response();
                    Page { status: res.status(), headers: res.headers().clone(), body: format!("(service error) {e}") }
                }
            }
        })
    })
}

/// Someone requests are sent as: their cookies and the CSRF token of their pages.
struct Visitor {
    role: &'static str,
    login: Option<&'static str>,
    cookies: BTreeMap<String, String>,
    token: String,
    peer: SocketAddr,
}

impl Visitor {
    /// Sends a request with this visitor's cookies and keeps the cookies it sets.
    async fn send(&mut self, call: &Call, req: TestRequest) -> Reply {
        let cookies: Vec<String> = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let req = req.peer_addr(self.peer).insert_header((header::COOKIE, cookies.join("; ")));
        let page = call(req.to_request()).await;
        for value in page.headers.get_all(header::SET_COOKIE) {
            let cookie = actix_web::cookie::Cookie::parse(value.to_str().unwrap().to_owned()).unwrap();
            if cookie.value().is_empty() || cookie.max_age().is_some_and(|age| age.is_zero()) {
                self.cookies.remove(cookie.name());
            } else {
                self.cookies.insert(cookie.name().to_owned(), cookie.value().to_owned());
            }
        }
        page
    }

    /// Posts a form with this visitor's CSRF token.
    async fn post(&mut self, call: &Call, path: &str, fields: &[(&str, &str)]) -> Reply {
        let mut all = fields.to_vec();
        let token = self.token.clone();
        all.push(("csrf_token", &token));
        self.send(call, TestRequest::post().uri(path).set_form(all)).await
    }

    /// Posts a form that must redirect; returns where to.
    async fn post_ok(&mut self, call: &Call, path: &str, fields: &[(&str, &str)]) -> String {
        let page = self.post(call, path, fields).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "seeding POST {path} {fields:?}:\n{}", page.body);
        page.header("location").unwrap_or_default().to_owned()
    }

    /// Asks a question; returns its id.
    async fn ask(&mut self, call: &Call, title: &str, tags: &str) -> i64 {
        let body = common::forum::DETAILS;
        let fields = [("title", title), ("body", body), ("tags", tags), ("similar_checked", "1")];
        let location = self.post_ok(call, "/ask", &fields).await;
        common::forum::question_id(&location)
    }

    /// Answers a question; returns the answer's id.
    async fn answer(&mut self, call: &Call, question: i64, body: &str, official: bool) -> i64 {
        let mut fields = vec![("body", body)];
        if official {
            fields.push(("official", "on"));
        }
        let location = self.post_ok(call, &format!("/questions/{question}/answers"), &fields).await;
        location.trim_start_matches("/a/").parse().expect("answer id")
    }
}

/// Opens the site as a new browser and, given a name, signs in as that user.
async fn arrive(call: &Call, role: &'static str, login: Option<&'static str>, n: u8) -> Visitor {
    let peer = SocketAddr::from(([10, 0, 0, n], 40_000));
    let mut visitor = Visitor { role, login, cookies: BTreeMap::new(), token: String::new(), peer };
    let page = visitor.send(call, TestRequest::get().uri("/login")).await;
    visitor.token = page.csrf_token().expect("the sign-in page has a token");
    if let Some(login) = login {
        visitor.post_ok(call, "/login", &[("login", login), ("password", PASSWORD)]).await;
        let home = visitor.send(call, TestRequest::get().uri("/")).await;
        visitor.token = home.csrf_token().expect("a signed-in page has a token");
    }
    visitor
}

/// Signs a visitor in again if a request ended their session (signing out, "sign out
/// everywhere"); their account was already put back by [`restore`].
async fn stay_signed_in(call: &Call, visitor: &mut Visitor) {
    let Some(login) = visitor.login else { return };
    let settings = visitor.send(call, TestRequest::get().uri("/settings")).await;
    if settings.status != StatusCode::OK {
        let std::net::IpAddr::V4(ip) = visitor.peer.ip() else { unreachable!("visitors have IPv4 addresses") };
        *visitor = arrive(call, visitor.role, Some(login), ip.octets()[3]).await;
    }
}

/// A small, realistic site: questions with answers, comments, votes, flags, an official and an
/// accepted answer, an edit, a closed, a locked and a deleted question, and live tokens of every
/// kind; returns what it holds and the five visitors the fuzzer sends requests as.
async fn seed(app: &TestApp, call: &Call) -> (Known, Vec<Visitor>) {
    let mut n = 0;
    let mut sign_in = |name: &'static str, role: Role| {
        n += 1;
        app.create_user(name, role);
        arrive(call, role.as_str(), Some(name), n)
    };
    let mut fred = sign_in("fred", Role::Member).await;
    let mut wilma = sign_in("wilma", Role::Member).await;
    let mut mia = sign_in("mia", Role::Member).await;
    let mut stan = sign_in("stan", Role::Staff).await;
    let mut moe = sign_in("moe", Role::Moderator).await;
    let ada = sign_in("ada", Role::Admin).await;
    app.create_user("olive", Role::Member);
    let mut anonymous = arrive(call, "anonymous", None, 99).await;

    let q1 = fred.ask(call, "Why did my red widget break in the rain?", "widgets rain").await;
    let q2 = fred.ask(call, "How do I reset the blue gadget?", "gadgets").await;
    let q3 = mia.ask(call, "Which oil suits the green sprocket?", "sprockets maintenance").await;
    let q4 = wilma.ask(call, "Cheap widgets, visit my shop today", "widgets").await;
    let q5 = fred.ask(call, "Is the red widget waterproof at all?", "widgets").await;
    let a1 = wilma.answer(call, q1, "Dry it for a day on the radiator; mine came back.", false).await;
    let a2 = mia.answer(call, q1, "Mine did that too, until I replaced the seal.", false).await;
    stan.answer(call, q1, "The widget is splash-proof only; see the manual, page 4.", true).await;
    fred.answer(call, q3, "Any light machine oil; never grease.", false).await;
    let link = "Buy a new one at https://shop.example/widgets and http://spam.example today.";
    let held = wilma.post(call, &format!("/questions/{q3}/answers"), &[("body", link)]).await;
    assert_eq!(held.status, StatusCode::SEE_OTHER, "a new member's answer with links is held: {}", held.body);
    mia.answer(call, q2, "Hold the button for ten seconds.", false).await;
    mia.answer(call, q4, "This looks like an advert for a shop, not a question.", false).await;
    fred.post_ok(call, &format!("/answers/{a1}/accept"), &[]).await;
    wilma.post_ok(call, &format!("/posts/{q1}/comments"), &[("body", "Which model is it?")]).await;
    mia.post_ok(call, &format!("/posts/{a1}/comments"), &[("body", "Worked for me as well, thanks.")]).await;
    fred.post_ok(call, &format!("/posts/{q3}/comments"), &[("body", "Also asking for the blue one.")]).await;
    mia.post_ok(call, &format!("/posts/{q1}/vote"), &[("value", "up")]).await;
    wilma.post_ok(call, &format!("/posts/{a2}/vote"), &[("value", "down")]).await;
    wilma.post_ok(call, &format!("/posts/{a2}/flag"), &[("reason", "spam")]).await;
    mia.post_ok(call, &format!("/posts/{q4}/flag"), &[("reason", "spam"), ("note", "an advert")]).await;
    mia.post_ok(call, &format!("/questions/{q1}/watch"), &[]).await;
    let edit = [("title", "Why did my red widget stop working in the rain?"), ("tags", "widgets rain")];
    let edit = [&edit[..], &[("body", common::forum::DETAILS), ("reason", "clearer title")]].concat();
    fred.post_ok(call, &format!("/posts/{q1}/edit"), &edit).await;
    let close = [("reason", "duplicate"), ("duplicate_of", &*q1.to_string())];
    moe.post_ok(call, &format!("/questions/{q5}/close"), &close).await;
    moe.post_ok(call, &format!("/posts/{q2}/lock"), &[("reason", "settled")]).await;
    moe.post_ok(call, &format!("/posts/{q4}/delete"), &[("reason", "spam")]).await;
    // The index follows the database on its own thread: search until the questions are found.
    let asked = Instant::now();
    let click = loop {
        let search = anonymous.send(call, TestRequest::get().uri("/search?q=widget")).await;
        assert_eq!(search.status, StatusCode::OK, "search: {}", search.body);
        let link = search.body.split("href=\"/search/click/").nth(1).and_then(|rest| rest.split('/').next());
        if let Some(token) = link {
            break token.to_owned();
        }
        assert!(asked.elapsed() < Duration::from_secs(20), "the search never found the seeded questions");
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    };

    let signup = [("username", "newbie"), ("email", &*email_of("newbie")), ("password", PASSWORD)];
    anonymous.post_ok(call, "/signup", &signup).await;
    anonymous.post_ok(call, "/password/forgot", &[("email", &*email_of("olive"))]).await;
    let token_in = |user: &str, prefix: &str| app.link_in_mail(&email_of(user), prefix)[prefix.len()..].to_owned();
    let ivy = app.with_db(|conn| {
        let account = guidepost::services::accounts::NewAccount {
            username: "ivy".into(),
            email: email_of("ivy"),
            password: None,
            role: Role::Member,
            email_verified: false,
        };
        guidepost::services::accounts::create(conn, account, chrono::Utc::now().naive_utc()).unwrap().id
    });
    let set_password = app.with_db(|conn| {
        guidepost::services::accounts::issue_set_password_token(conn, ivy, chrono::Utc::now().naive_utc()).unwrap()
    });
    let unsubscribe = guidepost::services::unsubscribe::UnsubscribeKey::derive(app.state.cookie_key.signing());
    let fred_id = app.with_db(|c| users::table.filter(users::username.eq("fred")).select(users::id).first(c).unwrap());

    let known = app.with_db(|conn| {
        let of_kind = |conn: &mut DbConnection, kind: &str| {
            posts::table.filter(posts::kind.eq(kind)).select(posts::id).load(conn).unwrap()
        };
        let ids_of = BTreeMap::from([
            ("questions", of_kind(conn, "question")),
            ("answers", of_kind(conn, "answer")),
            ("posts", posts::table.select(posts::id).load(conn).unwrap()),
            ("comments", comments::table.select(comments::id).load(conn).unwrap()),
            ("users", users::table.select(users::id).load(conn).unwrap()),
            ("flags", flags::table.select(flags::id).load(conn).unwrap()),
            ("search log entries", search_log::table.select(search_log::id).load(conn).unwrap()),
        ]);
        assert!(ids_of.values().all(|ids| !ids.is_empty()), "the seeded site lacks something: {ids_of:?}");
        Known {
            ids: ids_of.iter().filter(|(kind, _)| **kind != "posts").flat_map(|(_, ids)| ids.clone()).collect(),
            ids_of,
            usernames: users::table.select(users::username).load(conn).unwrap(),
            emails: users::table
                .select(users::email)
                .load::<Option<String>>(conn)
                .unwrap()
                .into_iter()
                .flatten()
                .collect(),
            tags: tags::table.select(tags::name).load(conn).unwrap(),
            slugs: posts::table
                .select(posts::slug)
                .load::<Option<String>>(conn)
                .unwrap()
                .into_iter()
                .flatten()
                .collect(),
            tokens: vec![
                token_in("newbie", "/verify-email/"),
                token_in("olive", "/password/reset/"),
                set_password,
                unsubscribe.token(fred_id),
                click,
            ],
            assets: app.state.assets.urls().keys().cloned().collect(),
            password: PASSWORD.to_owned(),
        }
    });
    (known, vec![anonymous, mia, stan, moe, ada])
}

/// Numbers a rejected request must leave as they were: rows, and the state of the rows that
/// handlers change (hidden, closed, locked, scores, bodies, accounts). Not view counts, search
/// logs or notification read marks, which reading pages changes by design.
const METRICS: &[(&str, &str, &str)] = &[
    ("posts", "COUNT(*)", "posts"),
    ("deleted posts", "COUNT(deleted_at)", "posts"),
    ("closed posts", "COUNT(closed_at)", "posts"),
    ("locked posts", "COUNT(locked_at)", "posts"),
    ("held posts", "COUNT(held_reason)", "posts"),
    ("edited posts", "COUNT(edited_at)", "posts"),
    ("accepted answers", "COUNT(accepted_answer_id)", "posts"),
    ("official answers", "COUNT(official_kind)", "posts"),
    ("post scores", "COALESCE(SUM(score), 0)", "posts"),
    ("answer counts", "COALESCE(SUM(answer_count), 0)", "posts"),
    ("comment counts", "COALESCE(SUM(comment_count), 0)", "posts"),
    ("post text", "COALESCE(SUM(LENGTH(body_markdown) + LENGTH(COALESCE(title, '')) + LENGTH(COALESCE(tags, ''))), 0)", "posts"),
    ("comments", "COUNT(*)", "comments"),
    ("deleted comments", "COUNT(deleted_at)", "comments"),
    ("votes", "COUNT(*)", "votes"),
    ("vote values", "COALESCE(SUM(value), 0)", "votes"),
    ("flags", "COUNT(*)", "flags"),
    ("handled flags", "COUNT(handled_at)", "flags"),
    ("revisions", "COUNT(*)", "revisions"),
    ("watches", "COUNT(*)", "watches"),
    ("tags", "COUNT(*)", "tags"),
    ("post tags", "COUNT(*)", "post_tags"),
    ("users", "COUNT(*)", "users"),
    ("suspended users", "COUNT(suspended_at)", "users"),
    ("session epochs", "COALESCE(SUM(session_epoch), 0)", "users"),
    ("verified users", "COUNT(email_verified_at)", "users"),
    ("passwords", "COUNT(password_hash)", "users"),
    (
        "account text",
        "COALESCE(SUM(LENGTH(role) + LENGTH(COALESCE(email, '')) + LENGTH(display_name) + LENGTH(email_preference)), 0)",
        "users",
    ),
    ("tokens", "COUNT(*)", "auth_tokens"),
    ("used tokens", "COUNT(used_at)", "auth_tokens"),
    ("mail", "COUNT(*)", "mail_outbox"),
    ("audit entries", "COUNT(*)", "audit_log"),
];

#[derive(QueryableByName)]
struct Metric {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    #[expect(dead_code, reason = "read only to order the rows")]
    k: i32,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// Every metric, in one round trip.
fn fingerprint(app: &TestApp) -> Vec<i64> {
    let sql = METRICS
        .iter()
        .enumerate()
        .map(|(k, (_, expr, table))| format!("SELECT {k} AS k, CAST({expr} AS BIGINT) AS n FROM {table}"))
        .collect::<Vec<_>>()
        .join(" UNION ALL ")
        + " ORDER BY k";
    app.with_db(|conn| {
        let rows: Vec<Metric> = match conn {
            DbConnection::Sqlite(c) => diesel::sql_query(&sql).load(c),
            DbConnection::Postgresql(c) => diesel::sql_query(&sql).load(c),
        }
        .expect("read the fingerprint");
        assert_eq!(rows.len(), METRICS.len(), "one row per metric");
        rows.into_iter().map(|m| m.n).collect()
    })
}

/// What a visitor's account must be for their cookies to keep working.
type Account = (i64, String, Option<chrono::NaiveDateTime>, i64, Option<String>, Option<String>);

fn accounts(app: &TestApp) -> Vec<Account> {
    let names = ["mia", "stan", "moe", "ada"];
    app.with_db(|conn| {
        users::table
            .filter(users::username.eq_any(names))
            .order(users::id)
            .select((
                users::id,
                users::role,
                users::suspended_at,
                users::session_epoch,
                users::password_hash,
                users::email,
            ))
            .load(conn)
            .unwrap()
    })
}

/// Puts the visitors' accounts back after a request changed them (a role, a suspension, a
/// password, "sign out everywhere"), so the rest of the run still reaches the handlers as them.
fn restore(app: &TestApp, saved: &[Account]) {
    if accounts(app) == saved {
        return;
    }
    app.with_db(|conn| {
        for (id, role, suspended_at, epoch, password_hash, email) in saved {
            diesel::update(users::table.find(id))
                .set((
                    users::role.eq(role),
                    users::suspended_at.eq(suspended_at),
                    users::session_epoch.eq(epoch),
                    users::password_hash.eq(password_hash),
                    users::email.eq(email),
                ))
                .execute(conn)
                .unwrap();
        }
    });
}

/// The posts of the seeded site that are not deleted.
fn visible_posts(app: &TestApp) -> Vec<i64> {
    app.with_db(|c| posts::table.filter(posts::deleted_at.is_null()).select(posts::id).load(c).unwrap())
}

/// Brings back the seeded posts requests deleted (one by one, or a member's all at once "as spam"),
/// so the routes fuzzed later still find a site with content.
fn bring_back(app: &TestApp, seeded: &[i64]) {
    use guidepost::services::moderation::{self, PostAction};
    app.with_db(|conn| {
        let deleted: Vec<i64> = posts::table
            .filter(posts::id.eq_any(seeded))
            .filter(posts::deleted_at.is_not_null())
            // Questions before their answers.
            .order((posts::kind.desc(), posts::id))
            .select(posts::id)
            .load(conn)
            .unwrap();
        if deleted.is_empty() {
            return;
        }
        let admin = users::table.filter(users::username.eq("ada")).select(users::id).first(conn).unwrap();
        let admin = guidepost::db::models::users::find(conn, admin).unwrap().unwrap();
        let admin = guidepost::services::actor::Actor::from_user(&admin);
        let now = chrono::Utc::now().naive_utc();
        for id in deleted {
            // An answer whose question stays deleted cannot come back; the run goes on without it.
            let _ = moderation::act(conn, &admin, id, PostAction::Undelete, None, now);
        }
    });
}

/// One request of the run, kept so it can be sent again and shown when it fails.
struct Case {
    role: &'static str,
    method: Method,
    uri: String,
    headers: Vec<(&'static str, Vec<u8>)>,
    body: Vec<u8>,
    peer: Option<SocketAddr>,
}

impl Case {
    fn request(&self) -> TestRequest {
        let mut req = TestRequest::default().method(self.method.clone()).uri(&self.uri);
        for (name, value) in &self.headers {
            req = req.append_header((*name, HeaderValue::from_bytes(value).unwrap()));
        }
        if let Some(peer) = self.peer {
            req = req.peer_addr(peer);
        }
        req.set_payload(self.body.clone())
    }

    fn describe(&self, reply: &Reply, took: Duration) -> String {
        let headers: Vec<String> =
            self.headers.iter().map(|(k, v)| format!("{k}: {}", clip(&String::from_utf8_lossy(v), 200))).collect();
        format!(
            "{}: {} {} -> {} in {} ms\n  headers: {}\n  body ({} bytes): {:?}\n  response: {:?}",
            self.role,
            self.method,
            clip(&self.uri, 300),
            reply.status,
            took.as_millis(),
            headers.join(" | "),
            self.body.len(),
            clip(&String::from_utf8_lossy(&self.body), 400),
            clip(&reply.body, 800),
        )
    }
}

fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}… ({} more bytes)", &text[..at], text.len() - at),
        None => text.to_owned(),
    }
}

/// A route's pattern with each `{name}` or `{name:regex}` filled in: a real value of that kind
/// most of the time, garbage otherwise.
fn fill(rng: &mut StdRng, pattern: &str, known: &Known) -> String {
    let (mut out, mut rest) = (String::new(), pattern);
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = open + rest[open..].find('}').unwrap();
        let (name, regex) = match rest[open + 1..close].split_once(':') {
            Some((name, regex)) => (name, Some(regex)),
            None => (&rest[open + 1..close], None),
        };
        let real = |rng: &mut StdRng, items: &[String]| garbage::encode(items.choose(rng).unwrap());
        let value = if chance(rng, 0.2) {
            garbage::junk_segment(rng)
        } else {
            match (name, regex) {
                (_, Some(words)) if words.chars().all(|c| c.is_ascii_lowercase() || c == '|' || c == '-') => {
                    words.split('|').collect::<Vec<_>>().choose(rng).unwrap().to_string()
                }
                ("n", _) => rng.random_range(1..4).to_string(),
                ("path", _) if chance(rng, 0.2) => {
                    ["css/../../Cargo.toml", "..%2f..%2fCargo.toml", "css/", "./favicon.svg"]
                        .choose(rng)
                        .unwrap()
                        .to_string()
                }
                ("path", _) => real(rng, &known.assets),
                ("token", _) | ("log", _) => real(rng, &known.tokens),
                ("name", _) => real(rng, &known.tags),
                ("slug", _) => real(rng, &known.slugs),
                ("kind", _) => ["post", "comment", "posts"].choose(rng).unwrap().to_string(),
                _ => garbage::encode(&garbage::id_of(rng, known, id_kind(&out, name))),
            }
        };
        out.push_str(&value);
        rest = &rest[close + 1..];
    }
    out + rest
}

/// What the `{name}` placeholder after `path` (filled in so far) is the id of.
fn id_kind(path: &str, name: &str) -> &'static str {
    let segments: Vec<&str> = path.split('/').collect();
    match (name, segments.get(1).copied()) {
        ("question", _) | (_, Some("questions" | "ask" | "feeds")) => "questions",
        _ if segments.iter().any(|s| s.starts_with("comment")) => "comments",
        (_, Some("a" | "answers")) => "answers",
        (_, Some("users" | "admin")) => "users",
        _ => "posts",
    }
}

/// Draws one request for `route` as `visitor`.
fn draw(rng: &mut StdRng, route: &Route, visitor: &Visitor, known: &Known) -> Case {
    let method = if chance(rng, 0.65) { route.methods.choose(rng) } else { METHODS.choose(rng) };
    let method = Method::from_bytes(method.unwrap().as_bytes()).unwrap();
    // What the CSRF check calls unsafe: these carry a body, and mostly the visitor's token.
    let writes = !matches!(method, Method::GET | Method::HEAD | Method::OPTIONS);
    let mut uri = fill(rng, route.pattern, known);
    if chance(rng, if writes { 0.2 } else { 0.5 }) {
        // Below the 64 KiB an http::Uri may hold; servers refuse far shorter request lines anyway.
        let query: String =
            garbage::junk_query(rng, known).chars().take(65_000usize.saturating_sub(uri.len())).collect();
        uri = format!("{uri}?{query}");
    }
    assert!(uri.parse::<actix_web::http::Uri>().is_ok(), "the fuzzer made an invalid URI: {uri}");
    let cookies: Vec<(String, String)> = visitor.cookies.clone().into_iter().collect();
    let mut headers = vec![(header::COOKIE.as_str(), garbage::junk_cookies(rng, &cookies).into_bytes())];
    let body = if writes || chance(rng, 0.1) {
        let csrf = Csrf::draw(rng);
        garbage::body(rng, route.fields, known, csrf, &visitor.token)
    } else {
        garbage::Body::default()
    };
    if let Some(content_type) = body.content_type {
        headers.push(("content-type", content_type));
    }
    headers.extend(body.headers.into_iter().map(|(k, v)| (k, v.into_bytes())));
    headers.extend(garbage::junk_headers(rng));
    let peer = chance(rng, 0.95).then(|| SocketAddr::from(([10, 1, rng.random(), rng.random()], 50_000)));
    Case { role: visitor.role, method, uri, headers, body: body.bytes, peer }
}

/// The run's findings and tallies.
#[derive(Default)]
struct Tally {
    sent: usize,
    statuses: BTreeMap<u16, usize>,
    by_route: BTreeMap<&'static str, BTreeMap<String, usize>>,
    failures: Vec<String>,
    failed_routes: BTreeMap<(&'static str, u16), usize>,
    slowest: (Duration, String),
}

impl Tally {
    /// Counts one answer, and keeps the first few failures in full.
    fn note(&mut self, route: &'static str, case: &Case, reply: &Reply, took: Duration, problems: &[String]) {
        self.sent += 1;
        *self.statuses.entry(reply.status.as_u16()).or_default() += 1;
        let method_status = format!("{} {}", case.method, reply.status.as_u16());
        *self.by_route.entry(route).or_default().entry(method_status).or_default() += 1;
        if took > self.slowest.0 {
            self.slowest = (took, format!("{} {} {}", case.role, case.method, clip(&case.uri, 120)));
        }
        if !problems.is_empty() {
            *self.failed_routes.entry((route, reply.status.as_u16())).or_default() += 1;
            if self.failures.len() < 40 {
                self.failures.push(format!("{}: {}", problems.join(" and "), case.describe(reply, took)));
            }
        }
    }
}

/// Sends a case; a slow one is sent once more, to tell a slow handler from a moment the shared
/// machine was busy, and the faster time counts.
async fn send_timed(call: &Call, case: &Case) -> (Reply, Duration) {
    let clock = Instant::now();
    let reply = call(case.request().to_request()).await;
    let took = clock.elapsed();
    if took <= SLOW {
        return (reply, took);
    }
    let clock = Instant::now();
    let again = call(case.request().to_request()).await;
    (again, took.min(clock.elapsed()))
}

/// The metrics that differ between two fingerprints, as "label before -> after".
fn changes(before: &[i64], after: &[i64]) -> Vec<String> {
    METRICS
        .iter()
        .zip(before.iter().zip(after))
        .filter(|(_, (a, b))| a != b)
        .map(|((label, _, _), (a, b))| format!("{label} {a} -> {b}"))
        .collect()
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
