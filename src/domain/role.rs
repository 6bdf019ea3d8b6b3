//! Roles a user can hold, and what each may do.

use std::str::FromStr;

use super::text_enum::text_enum;

text_enum! {
    /// A user's role; every role can do what the ones before it can, except where noted.
    #[derive(PartialOrd, Ord)]
    pub enum Role {
        /// A customer: asks, answers, comments, votes.
        Member = "member",
        /// Company staff: posts and endorses official answers, works the staff queue.
        Staff = "staff",
        /// Keeps the forum clean: edits, closes, locks, deletes, handles flags.
        Moderator = "moderator",
        /// Runs the site: everything, including roles and suspensions.
        Admin = "admin",
    }
}

impl Role {
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

/// The text was not a role name.
#[derive(Debug, thiserror::Error)]
#[error("unknown role `{0}`; expected member, staff, moderator or admin")]
pub struct UnknownRole(pub String);

/// Reads what a person typed (a form, the command line): case and surrounding spaces do not matter.
impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .iter()
            .copied()
            .find(|r| r.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}
