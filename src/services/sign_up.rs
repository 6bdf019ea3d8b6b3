//! Joining: a new member account, and the mail that verifies its address.

use chrono::{Duration, NaiveDateTime};
use tera::Context;

use super::accounts::{self, NewAccount};
use super::{tokens, ServiceResult};
use crate::changes::{Change, ChangeFeed, Changes};
use crate::db::models::auth_tokens::TokenPurpose;
use crate::db::models::users::{self, User};
use crate::db::DbConnection;
use crate::mail::{Letter, Outbox};
use crate::roles::Role;

/// How long an email verification link stays valid.
pub const VERIFY_LINK_LIFETIME: Duration = Duration::hours(48);

/// The sign-up form.
#[derive(Debug, Clone)]
pub struct SignUp {
    /// The wanted username.
    pub username: String,
    /// The member's address.
    pub email: String,
    /// The chosen password.
    pub password: String,
}

/// What happened; both outcomes look the same to the visitor, so sign-up cannot be used to
/// find out which addresses have accounts.
#[derive(Debug)]
pub enum SignedUp {
    /// A new account, with a verification mail queued.
    Created(Box<User>),
    /// The address already had an account; its owner was mailed instead.
    AddressTaken,
}

/// Creates a member and queues the verification mail, in one transaction.
pub fn sign_up(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    outbox: &Outbox,
    form: SignUp,
    now: NaiveDateTime,
) -> ServiceResult<SignedUp> {
    let account = accounts::check_account(NewAccount {
        username: form.username,
        email: form.email,
        password: Some(form.password),
        role: Role::Member,
        email_verified: false,
    })?;
    feed.write(conn, now, |conn, changes| {
        if let Some(owner) = users::find_by_email(conn, &account.email)? {
            let mut context = Context::new();
            context.insert("username", &owner.username);
            outbox.queue(
                conn,
                changes,
                Letter {
                    to: &account.email,
                    subject: "Someone tried to sign up with your address".to_owned(),
                    template: "address_taken",
                    context,
                },
            )?;
            return Ok(SignedUp::AddressTaken);
        }
        let user = accounts::insert_checked(conn, &account, now)?;
        changes.push(Change::AccountCreated { user: user.id });
        queue_verification(conn, changes, outbox, &user, &account.email, now)?;
        Ok(SignedUp::Created(Box::new(user)))
    })
}

/// Issues a verification token for `email` and mails the link there.
pub fn queue_verification(
    conn: &mut DbConnection,
    changes: &mut Changes,
    outbox: &Outbox,
    user: &User,
    email: &str,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    let token = tokens::issue(conn, user.id, TokenPurpose::VerifyEmail, Some(email), now, VERIFY_LINK_LIFETIME)?;
    let mut context = Context::new();
    context.insert("username", &user.username);
    context.insert("path", &format!("/verify-email/{token}"));
    context.insert("hours", &VERIFY_LINK_LIFETIME.num_hours());
    outbox.queue(
        conn,
        changes,
        Letter { to: email, subject: "Confirm your email address".to_owned(), template: "verify_email", context },
    )
}
