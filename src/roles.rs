//! Roles a user can hold, and what each may do.

use std::fmt;
use std::str::FromStr;

/// A user's role; every role can do what the ones before it can, except where noted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// A customer: asks, answers, comments, votes.
    Member,
    /// Company staff: posts and endorses official answers, works the staff queue.
    Staff,
    /// Keeps the forum clean: edits, closes, locks, deletes, handles flags.
    Moderator,
    /// Runs the site: everything, including roles and suspensions.
    Admin,
}

impl Role {
    /// Every role, lowest first.
    pub const ALL: [Role; 4] = [Role::Member, Role::Staff, Role::Moderator, Role::Admin];

    /// The value stored in the database and used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Member => "member",
            Self::Staff => "staff",
            Self::Moderator => "moderator",
            Self::Admin => "admin",
        }
    }

    /// The badge shown beside a name, or `None` for members, who need none.
    pub fn badge(self) -> Option<&'static str> {
        match self {
            Self::Member => None,
            Self::Staff => Some("Staff"),
            Self::Moderator => Some("Moderator"),
            Self::Admin => Some("Admin"),
        }
    }

    /// Staff, moderators and admins speak for the company.
    pub fn is_staff(self) -> bool {
        self >= Self::Staff
    }

    /// Moderators and admins moderate.
    pub fn is_moderator(self) -> bool {
        self >= Self::Moderator
    }

    /// Only admins administer users and roles.
    pub fn is_admin(self) -> bool {
        self == Self::Admin
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text was not a role name.
#[derive(Debug, thiserror::Error)]
#[error("unknown role `{0}`; expected member, staff, moderator or admin")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}
