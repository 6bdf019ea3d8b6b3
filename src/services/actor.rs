//! `Actor`: the signed-in user on whose behalf a use case runs, and the permission checks.

use crate::db::models::users::User;
use crate::domain::{MailPreference, Privilege, Privileges};
use crate::roles::Role;

use super::{ServiceError, ServiceResult};

/// A signed-in user, as services see them.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Actor {
    /// The user's id.
    pub id: i64,
    /// The username.
    pub username: String,
    /// The name shown on posts.
    pub display_name: String,
    /// The user's role.
    pub role: Role,
    /// The badge shown next to the name, if any.
    pub badge: Option<&'static str>,
    /// The user's address.
    pub email: Option<String>,
    /// Whether the address is proven.
    pub email_verified: bool,
    /// Whether the user is suspended.
    pub suspended: bool,
    /// The session epoch the user's sessions must carry.
    pub session_epoch: i64,
    /// Notification mail: `each`, `daily` or `never`.
    pub email_preference: MailPreference,
    /// The account has a password (one made through single sign-on may have none).
    pub has_password: bool,
    /// The member's reputation.
    pub reputation: i64,
}

impl Actor {
    /// The actor for a stored user (an unknown role reads as member, the least privileged).
    pub fn from_user(user: &User) -> Self {
        let role = user.role;
        Self {
            id: user.id,
            username: user.username.clone(),
            display_name: user.display_name.clone(),
            role,
            badge: role.badge(),
            email: user.email.clone(),
            email_verified: user.email_verified_at.is_some(),
            suspended: user.suspended_at.is_some(),
            session_epoch: user.session_epoch,
            email_preference: user.email_preference,
            has_password: user.password_hash.is_some(),
            reputation: user.reputation,
        }
    }

    /// May this user post (ask, answer, comment, vote, edit)?
    pub fn ensure_can_post(&self, require_verified_email: bool) -> ServiceResult<()> {
        if self.suspended {
            return Err(ServiceError::Forbidden("Your account is suspended, so you cannot post.".to_owned()));
        }
        if require_verified_email && !self.email_verified && !self.role.is_staff() {
            return Err(ServiceError::Forbidden(
                "Please verify your email address before posting; we sent you a link.".to_owned(),
            ));
        }
        Ok(())
    }

    /// Only staff, moderators and admins, who speak for the company, may do this; `what` finishes
    /// the refusal "Only staff can ...".
    pub fn ensure_staff(&self, what: &str) -> ServiceResult<()> {
        if self.role.is_staff() && !self.suspended {
            Ok(())
        } else {
            Err(ServiceError::Forbidden(format!("Only staff can {what}.")))
        }
    }

    /// Whether the member has earned `privilege` (staff, moderators and admins always have it).
    pub fn has_privilege(&self, privilege: Privilege, privileges: &Privileges) -> bool {
        self.role.is_staff() || self.reputation >= i64::from(privileges.threshold(privilege))
    }

    /// Refuses, saying the threshold and how far the member is from it, unless they have earned
    /// `privilege`.
    pub fn ensure_privilege(&self, privilege: Privilege, privileges: &Privileges) -> ServiceResult<()> {
        if self.has_privilege(privilege, privileges) {
            return Ok(());
        }
        let needed = privileges.threshold(privilege);
        Err(ServiceError::Forbidden(format!(
            "{} needs {} reputation; you have {}. See /help/privileges.",
            privilege.action(),
            thousands(i64::from(needed)),
            thousands(self.reputation)
        )))
    }

    /// Only admins may do this.
    pub fn ensure_admin(&self) -> ServiceResult<()> {
        if self.role.is_admin() && !self.suspended {
            Ok(())
        } else {
            Err(ServiceError::Forbidden("Only administrators may do this.".to_owned()))
        }
    }
}

/// `1234567` as `1,234,567`, as the refusals and pages write numbers.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
