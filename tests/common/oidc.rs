//! A real OpenID provider for the single sign-on tests: `tests/oidc/provider.py`, which serves the
//! `oidc-provider-mock` package from PyPI on 127.0.0.1. The tests that need it run when
//! `GUIDEPOST_TEST_OIDC=1`; with that set, a provider that cannot start fails the test.
//! `GUIDEPOST_TEST_OIDC_PYTHON` names the Python that has the package (`.ci/run` makes one at
//! `target/oidc-venv`, the default).

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use guidepost::db::schema::{sso_identities, users};
use guidepost::roles::Role;
use serde_json::{json, Value};

use super::{Page, TestApp};

/// The provider, stopped when dropped.
pub struct OidcProvider {
    child: Child,
    // Closing it stops the provider, even if this process dies without dropping it.
    _stdin: Option<ChildStdin>,
    /// The issuer URL, `http://127.0.0.1:{port}`.
    pub issuer: String,
    agent: ureq::Agent,
}

/// Whether the single sign-on tests should run.
pub fn enabled() -> bool {
    std::env::var("GUIDEPOST_TEST_OIDC").is_ok_and(|v| !v.is_empty() && v != "0")
}

impl OidcProvider {
    /// Starts a provider, or `None` when `GUIDEPOST_TEST_OIDC` is not set.
    pub fn start() -> Option<Self> {
        enabled().then(Self::start_on_free_port)
    }

    fn start_on_free_port() -> Self {
        let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
        Self::start_on(port)
    }

    /// The provider stopped and started again on the same address, with new signing keys (and
    /// no users: set them again), as after a key rotation.
    pub fn restart(mut self) -> Self {
        let port: u16 = self.issuer.rsplit(':').next().and_then(|p| p.parse().ok()).expect("the port");
        let _ = self.child.kill();
        let _ = self.child.wait();
        Self::start_on(port)
    }

    fn start_on(port: u16) -> Self {
        let python = std::env::var("GUIDEPOST_TEST_OIDC_PYTHON")
            .map(PathBuf::from)
            .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/oidc-venv/bin/python"));
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/oidc/provider.py");
        let mut child = Command::new(&python)
            .args(["-W", "ignore"])
            .arg(&script)
            .args(["--port", &port.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("GUIDEPOST_TEST_OIDC is set, but {} could not start the provider: {e}", python.display())
            });
        let stdout = child.stdout.take().expect("the provider's output");
        let mut line = String::new();
        let started = Instant::now();
        let ready = BufReader::new(stdout).read_line(&mut line).is_ok() && line.trim() == "ready";
        assert!(ready, "GUIDEPOST_TEST_OIDC is set, but the OpenID provider did not start (is oidc-provider-mock installed for {}?)", python.display());
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(Duration::from_secs(10)))
            .build()
            .into();
        let provider = Self { _stdin: child.stdin.take(), child, issuer: format!("http://127.0.0.1:{port}"), agent };
        // "ready" is printed once the socket listens; check it answers all the same.
        while provider.agent.get(format!("{}/.well-known/openid-configuration", provider.issuer)).call().is_err() {
            assert!(started.elapsed() < Duration::from_secs(20), "the OpenID provider does not answer");
            std::thread::sleep(Duration::from_millis(100));
        }
        provider
    }

    /// The `[[sso.providers]]` table for this provider as "Acme", plus `extra` lines.
    pub fn config(&self, extra: &str) -> String {
        format!(
            "[[sso.providers]]\nid = \"acme\"\nname = \"Acme\"\nissuer = \"{}\"\nclient_id = \"guidepost-test\"\nclient_secret = \"test-secret\"\n{extra}\n",
            self.issuer
        )
    }

    /// Sets a person's claims at the provider (`sub` aside); they show in the next ID token.
    pub fn set_user(&self, sub: &str, claims: Value) {
        let response = self
            .agent
            .put(format!("{}/users/{sub}", self.issuer))
            .header("content-type", "application/json")
            .send(claims.to_string())
            .expect("set the user's claims");
        assert_eq!(response.status().as_u16(), 204, "the provider refused the claims");
    }

    /// The next token response carries an ID token whose signature does not match its claims.
    pub fn corrupt_next_id_token(&self) {
        let response =
            self.agent.post(format!("{}/_test/corrupt-next-id-token", self.issuer)).send_empty().expect("arm");
        assert_eq!(response.status().as_u16(), 204);
    }

    /// Signs `sub` in at the provider's authorization page (`authorize_url` is where the site sent
    /// the browser) and returns where the provider sends the browser back (the site's callback
    /// with `code` and `state`), as a path on the site.
    pub fn authorize(&self, authorize_url: &str, sub: &str) -> String {
        self.answer(authorize_url, &[("sub", sub)])
    }

    /// Says no at the provider's authorization page; returns the callback path it sends back.
    pub fn deny(&self, authorize_url: &str) -> String {
        self.answer(authorize_url, &[("action", "deny")])
    }

    fn answer(&self, authorize_url: &str, form: &[(&str, &str)]) -> String {
        let form_page = self.agent.get(authorize_url).call().expect("the authorization page");
        assert_eq!(form_page.status().as_u16(), 200, "the provider refused the authorization request");
        let response = self.agent.post(authorize_url).send_form(form.iter().copied()).expect("authorize");
        let location = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("the provider did not redirect back ({})", response.status()))
            .to_owned();
        location.strip_prefix("http://forum.test").unwrap_or(&location).to_owned()
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// The steps the single sign-on tests share: a site configured with the provider as "Acme",
// the round trip through the provider, and counts read from the database.

/// The provider and the site configured to use it, or `None` (the test is skipped) when
/// `GUIDEPOST_TEST_OIDC` is not set.
pub async fn with_provider(app: TestApp, extra: &str, settings: &[(&str, &str)]) -> Option<(OidcProvider, TestApp)> {
    let Some(provider) = OidcProvider::start() else {
        eprintln!("skipped: GUIDEPOST_TEST_OIDC is not set");
        return None;
    };
    let app = app.restart_with_file(&provider.config(extra), settings).await;
    Some((provider, app))
}

/// Clicks "Sign in with Acme" and returns the provider's authorization URL it redirects to.
pub async fn start(app: &TestApp) -> String {
    let page = app.get("/auth/sso/acme").await;
    page.assert_status(303);
    let location = page.header("location").expect("a redirect to the provider").to_owned();
    assert!(location.contains("code_challenge="), "PKCE is used: {location}");
    assert!(location.contains("nonce="), "a nonce is sent: {location}");
    assert!(location.contains("state="), "a state is sent: {location}");
    location
}

/// The whole round trip for `sub`: start, sign in at the provider, come back.
pub async fn round_trip(app: &TestApp, provider: &OidcProvider, sub: &str) -> Page {
    let authorize = start(app).await;
    let callback = provider.authorize(&authorize, sub);
    app.get(&callback).await
}

pub fn dana(provider: &OidcProvider) {
    provider.set_user(
        "dana-sub",
        json!({ "email": "dana@example.com", "email_verified": true, "preferred_username": "dana", "name": "Dana Scully" }),
    );
}

pub fn user_count(app: &TestApp) -> i64 {
    app.with_db(|conn| users::table.count().get_result(conn).unwrap())
}

pub fn identity_count(app: &TestApp) -> i64 {
    app.with_db(|conn| sso_identities::table.count().get_result(conn).unwrap())
}

pub fn role_of(app: &TestApp, username: &str) -> Role {
    app.with_db(|conn| {
        let role: String = users::table.filter(users::username.eq(username)).select(users::role).first(conn).unwrap();
        role.parse().unwrap()
    })
}
