//! Members acting through the site: signing up, confirming, signing in and out.

use guidepost::roles::Role;
use guidepost::services::accounts::{self, NewAccount};

use super::{Page, TestApp};

/// A password that passes the rules.
pub const PASSWORD: &str = "tulip-quartz-lantern";

/// The address a test member gets.
pub fn email_of(username: &str) -> String {
    format!("{}@example.com", username.to_lowercase())
}

impl TestApp {
    /// Fills in the sign-up form.
    pub async fn sign_up(&self, username: &str) -> Page {
        let email = email_of(username);
        self.submit("/signup", "/signup", &[("username", username), ("email", &email), ("password", PASSWORD)]).await
    }

    /// Fills in the sign-in form.
    pub async fn sign_in(&self, login: &str, password: &str) -> Page {
        self.submit("/login", "/login", &[("login", login), ("password", password)]).await
    }

    /// Signs up, follows the mailed confirmation link and signs in.
    pub async fn join(&self, username: &str) {
        self.sign_up(username).await.assert_status(303);
        let link = self.link_in_mail(&email_of(username), "/verify-email/");
        self.get(&link).await.assert_status(200);
        self.sign_in(username, PASSWORD).await.assert_status(303);
    }

    /// Presses "Sign out" in the header.
    pub async fn sign_out(&self) -> Page {
        self.submit("/", "/logout", &[]).await
    }

    /// Whether this visitor is signed in (the settings page answers instead of redirecting).
    pub async fn is_signed_in(&self) -> bool {
        self.get("/settings").await.status.as_u16() == 200
    }

    /// Creates an account with a role and signs it in, in a visitor of its own; returns the
    /// visitor and the account's id.
    pub async fn signed_in_member(&self, username: &str, role: Role) -> (TestApp, i64) {
        let visitor = self.another_visitor();
        let id = self.create_user(username, role);
        visitor.sign_in(username, PASSWORD).await.assert_status(303);
        (visitor, id)
    }

    /// Creates a confirmed account with a role directly (as `guidepost user create` would).
    pub fn create_user(&self, username: &str, role: Role) -> i64 {
        self.with_feed(|conn, feed| {
            let account = NewAccount {
                username: username.into(),
                email: email_of(username),
                password: Some(PASSWORD.into()),
                role,
                email_verified: true,
            };
            accounts::create(conn, feed, account, chrono::Utc::now().naive_utc()).expect("create user").id
        })
    }
}
