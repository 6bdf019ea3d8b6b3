//! `TestApp`: the real application over a test database, driven like a browser would: it keeps
//! cookies, reads CSRF tokens from the forms it is shown, and posts them back.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::cookie::Cookie;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::header::{self, HeaderMap};
use actix_web::http::StatusCode;
use actix_web::test::{self, TestRequest};
use actix_web::web;
use guidepost::config::{Config, Env, Overrides};
use guidepost::db::{self, DbConnection, DbPool};
use guidepost::{build_app, AppState};

use super::TestDb;

type Call = Rc<dyn Fn(actix_http::Request) -> Pin<Box<dyn Future<Output = ServiceResponse<BoxBody>>>>>;

/// The app under test, with one visitor's cookie jar.
pub struct TestApp {
    call: Call,
    cookies: RefCell<BTreeMap<String, String>>,
    /// The shared state, for reaching the database directly.
    pub state: web::Data<AppState>,
    /// The database; removed when the last visitor of this app is dropped.
    pub db: Rc<TestDb>,
    /// A second node's own data folder (search index), kept while it runs.
    node_dir: Option<Rc<tempfile::TempDir>>,
}

/// A response, read in full.
#[derive(Debug)]
pub struct Page {
    /// The status code.
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// The body as text.
    pub body: String,
}

/// The settings of the reputation each privilege needs.
pub const PRIVILEGE_THRESHOLDS: [&str; 5] = [
    "GUIDEPOST_REPUTATION_TO_FLAG",
    "GUIDEPOST_REPUTATION_TO_COMMENT",
    "GUIDEPOST_REPUTATION_TO_VOTE_DOWN",
    "GUIDEPOST_REPUTATION_TO_REVIEW",
    "GUIDEPOST_REPUTATION_TO_EDIT",
];

/// The configuration every test app uses, over the given database.
pub fn test_config(db: &TestDb) -> Config {
    test_config_with(db, &[])
}

/// The test configuration with some `GUIDEPOST_*` settings changed.
pub fn test_config_with(db: &TestDb, settings: &[(&str, &str)]) -> Config {
    test_config_from(db, None, settings)
}

/// The test configuration read from a `guidepost.toml` as well (for what only the file can
/// say, such as single sign-on providers), with some `GUIDEPOST_*` settings changed.
pub fn test_config_from(db: &TestDb, file: Option<&std::path::Path>, settings: &[(&str, &str)]) -> Config {
    let mut env = Env::new();
    env.insert("GUIDEPOST_BASE_URL".into(), "http://forum.test".into());
    env.insert("GUIDEPOST_DB_POOL_SIZE".into(), "12".into());
    // Tests post forms the moment they fetch them; the robot trap has its own tests.
    env.insert("GUIDEPOST_MIN_FORM_SECONDS".into(), "0".into());
    // Tests change the database behind the app's back and read the page at once; the page cache
    // has its own tests (tests/page_cache.rs).
    env.insert("GUIDEPOST_PAGE_CACHE_SECONDS".into(), "0".into());
    // Every test request comes from one address; the costly-request budget has its own tests
    // (tests/hardening).
    env.insert("GUIDEPOST_HEAVY_REQUESTS_PER_MINUTE".into(), "0".into());
    // A new member may do everything, as before reputation existed, except vote to close (which
    // only moderators and staff did); the privileges have their own tests (tests/privileges.rs),
    // which set the thresholds they test.
    for privilege in PRIVILEGE_THRESHOLDS {
        env.insert(privilege.into(), "0".into());
    }
    for (key, value) in settings {
        env.insert((*key).into(), (*value).into());
    }
    let overrides = Overrides {
        database_url: Some(db.url_string()),
        data_dir: Some(db.dir.path().to_path_buf()),
        ..Overrides::default()
    };
    Config::load(file, &env, overrides).expect("test config")
}

impl TestApp {
    /// Migrates the database and builds the app over it.
    pub async fn start(db: TestDb) -> Self {
        Self::build(Rc::new(db), &[]).await
    }

    /// The same site restarted with some `GUIDEPOST_*` settings changed (the database is kept;
    /// cookies are not).
    pub async fn restart_with(self, settings: &[(&str, &str)]) -> Self {
        let db = Rc::clone(&self.db);
        drop(self);
        Self::build(db, settings).await
    }

    /// The same site restarted with `toml` as its configuration file and some `GUIDEPOST_*`
    /// settings changed (the database is kept; cookies are not).
    pub async fn restart_with_file(self, toml: &str, settings: &[(&str, &str)]) -> Self {
        let db = Rc::clone(&self.db);
        drop(self);
        let path = db.dir.path().join("guidepost.toml");
        std::fs::write(&path, toml).expect("write the configuration file");
        let config = test_config_from(&db, Some(&path), settings);
        Self::with_config(db, config).await
    }

    /// Another node of the same site: its own state (caches, search index folder, settings
    /// follower) over the same database, as a second server behind a load balancer would be.
    pub async fn another_node(&self, settings: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().expect("a data folder for the second node");
        let mut config = test_config_with(&self.db, settings);
        config.data_dir = dir.path().to_path_buf();
        let mut node = Self::with_config(Rc::clone(&self.db), config).await;
        node.node_dir = Some(Rc::new(dir));
        node
    }

    async fn build(db: Rc<TestDb>, settings: &[(&str, &str)]) -> Self {
        let config = test_config_with(&db, settings);
        Self::with_config(db, config).await
    }

    async fn with_config(db: Rc<TestDb>, config: Config) -> Self {
        let pool = db::connect(&config.database_url, config.db_pool_size).expect("connect to the test database");
        {
            let mut conn = pool.get().expect("connection");
            db::migrations::run_pending(&mut conn).expect("migrations");
        }
        let state = web::Data::new(AppState::new(config, pool, &[7u8; 64]).expect("app state"));
        let service = Rc::new(test::init_service(build_app(state.clone())).await);
        let call: Call = Rc::new(move |req| {
            let service = Rc::clone(&service);
            Box::pin(async move {
                match service.call(req).await {
                    Ok(res) => res.map_into_boxed_body(),
                    Err(e) => panic!("the app returned an error instead of a response: {e}"),
                }
            })
        });
        Self { call, cookies: RefCell::new(BTreeMap::new()), state, db, node_dir: None }
    }

    /// Another visitor of the same site, with an empty cookie jar (another browser or device).
    pub fn another_visitor(&self) -> TestApp {
        TestApp {
            call: Rc::clone(&self.call),
            cookies: RefCell::new(BTreeMap::new()),
            state: self.state.clone(),
            db: Rc::clone(&self.db),
            node_dir: self.node_dir.clone(),
        }
    }

    /// Another browser holding a copy of this visitor's cookies (as a thief who copied them would).
    pub fn copy_of_cookies(&self) -> TestApp {
        TestApp {
            call: Rc::clone(&self.call),
            cookies: RefCell::new(self.cookies.borrow().clone()),
            state: self.state.clone(),
            db: Rc::clone(&self.db),
            node_dir: self.node_dir.clone(),
        }
    }

    /// The mail queued for an address, oldest first, as (subject, text part).
    pub fn mail_to(&self, address: &str) -> Vec<(String, String)> {
        use diesel::prelude::*;
        use guidepost::db::schema::mail_outbox::dsl;
        self.with_db(|conn| {
            dsl::mail_outbox
                .filter(dsl::to_address.eq(address))
                .order(dsl::id.asc())
                .select((dsl::subject, dsl::text_body))
                .load(conn)
                .expect("read the outbox")
        })
    }

    /// The site-relative path of the first link in the newest mail to `address` that starts with
    /// `prefix` (e.g. `/verify-email/`).
    pub fn link_in_mail(&self, address: &str, prefix: &str) -> String {
        let mail = self.mail_to(address);
        let (_, text) = mail.last().unwrap_or_else(|| panic!("no mail to {address}"));
        let marker = format!("http://forum.test{prefix}");
        let at = text.find(&marker).unwrap_or_else(|| panic!("no {prefix} link in:\n{text}"));
        text[at + "http://forum.test".len()..].split_whitespace().next().unwrap_or_default().to_owned()
    }

    /// The pool, for tests that check the database directly.
    pub fn pool(&self) -> &DbPool {
        &self.state.pool
    }

    /// Runs `work` on a database connection.
    pub fn with_db<T>(&self, work: impl FnOnce(&mut DbConnection) -> T) -> T {
        let mut conn = self.pool().get().expect("connection");
        work(&mut conn)
    }

    /// Applies the votes whose reputation waits, dated `now`: the reputation job's work, which a
    /// running node does a moment after each vote and tests do in step.
    pub fn apply_votes_at(&self, now: chrono::NaiveDateTime) -> u64 {
        let cap = self.state.site_settings.current().moderation.reputation_daily_cap;
        let rules = guidepost::services::reputation::Rules { daily_cap: cap };
        self.with_db(|c| guidepost::services::reputation::queue::apply_pending(c, rules, now, &mut |_| {}))
            .expect("applying votes' reputation")
    }

    /// Applies the votes whose reputation waits, now.
    pub fn apply_votes(&self) -> u64 {
        self.apply_votes_at(chrono::Utc::now().naive_utc())
    }

    /// Runs a write use case directly, through this site's change feed (as a handler would).
    pub fn with_feed<T>(&self, work: impl FnOnce(&mut DbConnection, &guidepost::changes::ChangeFeed) -> T) -> T {
        let mut conn = self.pool().get().expect("connection");
        work(&mut conn, &self.state.feed)
    }

    /// Sends a request with this visitor's cookies and remembers the cookies it sets.
    pub async fn send(&self, req: TestRequest) -> Page {
        let (page, bytes) = self.send_for_bytes(req).await;
        Page { body: String::from_utf8_lossy(&bytes).into_owned(), ..page }
    }

    /// [`TestApp::send`] for a body that is not text (an image): the page, its body left empty,
    /// and the body's bytes.
    pub async fn send_for_bytes(&self, req: TestRequest) -> (Page, Vec<u8>) {
        let cookie_header =
            self.cookies.borrow().iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
        let req = if cookie_header.is_empty() { req } else { req.insert_header((header::COOKIE, cookie_header)) };
        let res = (self.call)(req.to_request()).await;
        for value in res.headers().get_all(header::SET_COOKIE) {
            if let Ok(cookie) = Cookie::parse(value.to_str().unwrap_or_default().to_owned()) {
                let expired = cookie.max_age().is_some_and(|age| age.is_zero() || age.is_negative());
                if expired || cookie.value().is_empty() {
                    self.cookies.borrow_mut().remove(cookie.name());
                } else {
                    self.cookies.borrow_mut().insert(cookie.name().to_owned(), cookie.value().to_owned());
                }
            }
        }
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = match res.into_body().try_into_bytes() {
            Ok(bytes) => bytes,
            Err(body) => actix_web::body::to_bytes(body).await.unwrap_or_default(),
        };
        (Page { status, headers, body: String::new() }, bytes.to_vec())
    }

    /// GET a path.
    pub async fn get(&self, path: &str) -> Page {
        self.send(TestRequest::get().uri(path)).await
    }

    /// GET a path from another network address, as another client would (`"10.0.0.7:5000"`):
    /// rate limits and the search log tell clients apart by it.
    pub async fn get_from(&self, path: &str, address: &str) -> Page {
        self.send(TestRequest::get().uri(path).peer_addr(address.parse().expect("a socket address"))).await
    }

    /// POST a form exactly as given (no CSRF token added).
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        self.send(TestRequest::post().uri(path).set_form(fields)).await
    }

    /// Opens `page_path`, fills in the form that posts to `action` with `fields` plus the CSRF
    /// token the page carried, and submits it.
    pub async fn submit(&self, page_path: &str, action: &str, fields: &[(&str, &str)]) -> Page {
        let page = self.get(page_path).await;
        assert_eq!(page.status, StatusCode::OK, "form page {page_path} did not load: {}", page.body);
        let token = page.csrf_token().unwrap_or_else(|| panic!("no csrf_token on {page_path}"));
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("csrf_token", &token));
        self.post_form(action, &all).await
    }

    /// Whether the jar holds a cookie.
    pub fn has_cookie(&self, name: &str) -> bool {
        self.cookies.borrow().contains_key(name)
    }
}

impl Page {
    /// A response header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The value of the first hidden `csrf_token` field.
    pub fn csrf_token(&self) -> Option<String> {
        self.hidden_value("csrf_token")
    }

    /// The value of the first hidden field called `name`.
    pub fn hidden_value(&self, name: &str) -> Option<String> {
        let marker = format!("name=\"{name}\" value=\"");
        let at = self.body.find(&marker)?;
        let rest = &self.body[at + marker.len()..];
        Some(rest[..rest.find('"')?].to_owned())
    }

    /// Fails with the body shown when the status is not `expected`.
    #[track_caller]
    pub fn assert_status(&self, expected: u16) -> &Self {
        assert_eq!(self.status.as_u16(), expected, "unexpected status; body:\n{}", self.body);
        self
    }

    /// Fails unless the body contains `text`.
    #[track_caller]
    pub fn assert_contains(&self, text: &str) -> &Self {
        assert!(self.body.contains(text), "expected {text:?} in:\n{}", self.body);
        self
    }
}
