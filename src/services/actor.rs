//! `Actor`: the signed-in user on whose behalf a use case runs, and the permission checks.

use crate::db::models::users::User;
use crate::domain::MailPreference;
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

    /// Only admins may do this.
    pub fn ensure_admin(&self) -> ServiceResult<()> {
        if self.role.is_admin() && !self.suspended {
            Ok(())
        } else {
            Err(ServiceError::Forbidden("Only administrators may do this.".to_owned()))
        }
    }
}
