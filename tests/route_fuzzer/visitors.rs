//! Who the fuzzer sends requests as: the app served as an HTTP server would run it, the visitors
//! (anonymous, member, staff, moderator, admin) with their cookies and CSRF tokens, and the small
//! site they are seeded with. It does not check answers; that is the run's work in `main.rs`.

use std::collections::BTreeMap;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::rc::Rc;
use std::time::{Duration, Instant};

use actix_web::dev::Service;
use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::test::{self, TestRequest};
use diesel::prelude::*;
use guidepost::db::schema::{comments, flags, posts, search_log, tags, users};
use guidepost::db::DbConnection;
use guidepost::roles::Role;

use crate::common;
use crate::common::members::{email_of, PASSWORD};
use crate::common::{Page, TestApp};
use crate::route_fuzzer::garbage::Known;

/// A response as the fuzzer keeps it.
pub(crate) type Reply = Page;

pub(crate) type Call = Rc<dyn Fn(actix_http::Request) -> Pin<Box<dyn Future<Output = Reply>>>>;

/// The app as an HTTP server would run it: a service error becomes its error response, as the
/// dispatcher would send it, instead of a panic in the harness.
pub(crate) async fn serve(app: &TestApp) -> Call {
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
pub(crate) struct Visitor {
    pub(crate) role: &'static str,
    login: Option<&'static str>,
    pub(crate) cookies: BTreeMap<String, String>,
    pub(crate) token: String,
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
/// everywhere"); their account was already put back by [`restore`](crate::route_fuzzer::database::restore).
pub(crate) async fn stay_signed_in(call: &Call, visitor: &mut Visitor) {
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
pub(crate) async fn seed(app: &TestApp, call: &Call) -> (Known, Vec<Visitor>) {
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
    let ivy = app.with_feed(|conn, feed| {
        let account = guidepost::services::accounts::NewAccount {
            username: "ivy".into(),
            email: email_of("ivy"),
            password: None,
            role: Role::Member,
            email_verified: false,
        };
        guidepost::services::accounts::create(conn, feed, account, chrono::Utc::now().naive_utc()).unwrap().id
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
