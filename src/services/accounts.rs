//! Accounts: creating users, roles, and choosing a password through a single-use link.

use chrono::{Duration, NaiveDateTime};

use super::{passwords, tokens, ServiceError, ServiceResult};
use crate::changes::{AccountChange, Change, ChangeFeed, Changes};
use crate::db::models::auth_tokens;
/// What a mailed or printed link is for; handlers name it through this service.
pub use crate::db::models::auth_tokens::TokenPurpose;
use crate::db::models::users::{self, NewUser, User};
use crate::db::DbConnection;
use crate::roles::Role;

/// How long a "choose your password" link printed by `guidepost user create` stays valid.
pub const SET_PASSWORD_LINK_LIFETIME: Duration = Duration::hours(72);

/// What is needed to create an account.
#[derive(Debug, Clone)]
pub struct NewAccount {
    /// 3-30 letters, digits, `_`, `-` or `.`.
    pub username: String,
    /// Any valid address; stored trimmed and lower-cased.
    pub email: String,
    /// When `None`, the account cannot sign in until a password is chosen through a link.
    pub password: Option<String>,
    /// The role to start with.
    pub role: Role,
    /// Accounts made by an operator are trusted; sign-ups must verify their address.
    pub email_verified: bool,
}

/// Checks a username against the rules.
pub fn check_username(username: &str) -> ServiceResult<()> {
    let length = username.chars().count();
    if !(3..=30).contains(&length) {
        return Err(ServiceError::invalid("username", "Use 3 to 30 characters."));
    }
    if !username.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')) {
        return Err(ServiceError::invalid("username", "Use only letters, digits, '_', '-' and '.'."));
    }
    if username.to_ascii_lowercase().starts_with(super::account_deletion::DELETED_USERNAME_PREFIX) {
        return Err(ServiceError::invalid(
            "username",
            "Names starting with 'deleted-member-' are kept for deleted accounts.",
        ));
    }
    Ok(())
}

/// Trims and lower-cases an email address after checking it is one. The check is the one the
/// mail worker makes of a recipient (lettre's mailbox parser): an address it would refuse to send
/// to could never be confirmed (`"<b>"@example.com` is a valid address, but not a mailbox).
pub fn normalize_email(email: &str) -> ServiceResult<String> {
    let email = email.trim().to_lowercase();
    let deliverable = email
        .parse::<lettre::message::Mailbox>()
        .is_ok_and(|mailbox| mailbox.name.is_none() && mailbox.email.to_string() == email);
    if email.len() > 254 || !deliverable || !email.contains('.') {
        return Err(ServiceError::invalid("email", "Enter a valid email address, like name@example.com."));
    }
    Ok(email)
}

/// An account whose input passed every rule that needs no database.
pub(crate) struct CheckedAccount {
    pub(crate) username: String,
    pub(crate) email: String,
    pub(crate) password_hash: Option<String>,
    pub(crate) role: Role,
    pub(crate) email_verified: bool,
}

/// Checks the username, email and password rules, and hashes the password (slow: outside any
/// transaction).
pub(crate) fn check_account(account: NewAccount) -> ServiceResult<CheckedAccount> {
    let username = account.username.trim().to_owned();
    check_username(&username)?;
    let email = normalize_email(&account.email)?;
    let password_hash = match &account.password {
        Some(password) => {
            passwords::check_rules("password", password, &username)?;
            Some(passwords::hash(password)?)
        }
        None => None,
    };
    Ok(CheckedAccount { username, email, password_hash, role: account.role, email_verified: account.email_verified })
}

/// Creates an account after checking every rule; one transaction.
pub fn create(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    account: NewAccount,
    now: NaiveDateTime,
) -> ServiceResult<User> {
    let account = check_account(account)?;
    feed.write(conn, now, |conn, changes| {
        ensure_email_free(conn, &account.email)?;
        let user = insert_checked(conn, &account, now)?;
        changes.push(Change::AccountCreated { user: user.id });
        Ok(user)
    })
}

/// Refuses an address another account has (the admin or operator giving it may be told so).
fn ensure_email_free(conn: &mut DbConnection, email: &str) -> ServiceResult<()> {
    if users::email_taken(conn, email)? {
        return Err(ServiceError::invalid("email", "An account with this email address already exists."));
    }
    Ok(())
}

/// Inserts a checked account, refusing a taken username; call inside a transaction.
pub(crate) fn insert_checked(
    conn: &mut DbConnection,
    account: &CheckedAccount,
    now: NaiveDateTime,
) -> ServiceResult<User> {
    let CheckedAccount { username, email, password_hash, role, email_verified } = account;
    let username_key = username.to_lowercase();
    {
        if users::username_taken(conn, &username_key)? {
            return Err(ServiceError::invalid("username", "This username is taken."));
        }
        let id = users::insert(
            conn,
            &NewUser {
                username,
                username_key: &username_key,
                display_name: username,
                email: Some(email),
                password_hash: password_hash.as_deref(),
                role: *role,
                email_verified_at: email_verified.then_some(now),
                created_at: now,
            },
        )?;
        users::find(conn, id)?.ok_or(ServiceError::NotFound("User"))
    }
}

/// Gives a user (found by username) another role.
pub fn set_role(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    username: &str,
    role: Role,
    now: NaiveDateTime,
) -> ServiceResult<User> {
    feed.write(conn, now, |conn, changes| {
        let user = users::find_by_username(conn, username)?.ok_or(ServiceError::NotFound("User"))?;
        if user.deleted_at.is_some() {
            return Err(ServiceError::Gone("This account was deleted.".into()));
        }
        users::set_role(conn, user.id, role)?;
        changes.push(Change::AccountChanged { user: user.id, what: AccountChange::Role });
        users::find(conn, user.id)?.ok_or(ServiceError::NotFound("User"))
    })
}

/// Issues a fresh "choose your password" token, retiring older ones of the same user.
/// Token bookkeeping only: no one else reacts to it, so it needs no change feed.
pub fn issue_set_password_token(conn: &mut DbConnection, user_id: i64, now: NaiveDateTime) -> ServiceResult<String> {
    crate::db::write_transaction(conn, |conn| {
        auth_tokens::retire_all(conn, user_id, TokenPurpose::SetPassword, now)?;
        tokens::issue(conn, user_id, TokenPurpose::SetPassword, None, now, SET_PASSWORD_LINK_LIFETIME)
    })
}

/// Invites an account that cannot sign in yet (an imported author, or an account created
/// without a password): it gets this address, and a one-time link to choose a password, whose
/// token is returned. Inviting again gives a new link and retires the old one.
pub fn invite(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    user_id: i64,
    email: &str,
    now: NaiveDateTime,
) -> ServiceResult<(User, String)> {
    feed.write(conn, now, |conn, changes| invite_within(conn, changes, user_id, email, now))
}

/// [`invite`], inside a transaction the caller holds (and states the changes of).
pub(crate) fn invite_within(
    conn: &mut DbConnection,
    changes: &mut Changes,
    user_id: i64,
    email: &str,
    now: NaiveDateTime,
) -> ServiceResult<(User, String)> {
    let email = normalize_email(email)?;
    let mut user = users::find(conn, user_id)?.ok_or(ServiceError::NotFound("User"))?;
    if user.password_hash.is_some() {
        return Err(ServiceError::Conflict(format!(
            "{} can already sign in; “Forgot your password?” on the sign-in page mails them a new one.",
            user.username
        )));
    }
    if user.suspended_at.is_some() {
        return Err(ServiceError::Conflict(format!("{} is suspended; lift the suspension first.", user.username)));
    }
    // A deleted account has no password either, but must never be brought back.
    if user.deleted_at.is_some() {
        return Err(ServiceError::Gone("This account was deleted.".into()));
    }
    // The same address again keeps whatever proof it had; a new one is unproven until used.
    if user.email.as_deref() != Some(email.as_str()) {
        ensure_email_free(conn, &email)?;
        users::set_unproven_email(conn, user.id, &email)?;
        user.email = Some(email);
        user.email_verified_at = None;
        changes.push(Change::AccountChanged { user: user.id, what: AccountChange::Email });
    }
    let token = issue_set_password_token(conn, user.id, now)?;
    Ok((user, token))
}

/// The user a still-valid password token (set or reset) belongs to, for showing the form.
pub fn user_for_password_token(
    conn: &mut DbConnection,
    purpose: TokenPurpose,
    token: &str,
    now: NaiveDateTime,
) -> ServiceResult<User> {
    let stored = tokens::find_valid(conn, token, purpose, now)?;
    users::find(conn, stored.user_id)?.ok_or(ServiceError::NotFound("User"))
}

/// Sets a password through a set-password or reset token: the token is used up, every session
/// of the user ends, and the address counts as proven (the link was mailed or handed to them).
pub fn set_password_with_token(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    purpose: TokenPurpose,
    token: &str,
    password: &str,
    now: NaiveDateTime,
) -> ServiceResult<User> {
    let user = user_for_password_token(conn, purpose, token, now)?;
    passwords::check_rules("password", password, &user.username)?;
    let hash = passwords::hash(password)?;
    feed.write(conn, now, |conn, changes| {
        let stored = tokens::find_valid(conn, token, purpose, now)?;
        // A concurrent use of the same link must not win twice.
        if !auth_tokens::mark_used(conn, stored.id, now)? {
            return Err(ServiceError::Gone("This link was already used. Ask for a new one.".to_owned()));
        }
        users::set_password(conn, user.id, &hash)?;
        changes.push(Change::AccountChanged { user: user.id, what: AccountChange::Password });
        if user.email_verified_at.is_none() {
            if let Some(email) = &user.email {
                users::set_verified_email(conn, user.id, email, now)?;
            }
        }
        users::find(conn, user.id)?.ok_or(ServiceError::NotFound("User"))
    })
}

#[cfg(test)]
mod tests {
    use super::normalize_email;

    #[test]
    fn only_addresses_mail_can_be_sent_to_are_accepted() {
        assert_eq!(normalize_email("  Fred@Example.COM ").unwrap(), "fred@example.com");
        // Valid by RFC 5321, but the mail transport refuses them, so they could never be confirmed.
        let named = "Fred <fred@example.com>";
        for unsendable in
            ["\"<img src=x onerror=alert(1)>\"@example.com", "\"a b\"@example.com", "fred@localhost", named]
        {
            assert!(normalize_email(unsendable).is_err(), "{unsendable} was accepted");
        }
        // Markup-like but deliverable: the browser tests show it to admins and expect it verbatim.
        let markup = "o'neil&amp&ltb&gt=/{x}|`~@example.com";
        assert_eq!(normalize_email(markup).unwrap(), markup);
    }
}
