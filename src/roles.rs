//! Roles a user can hold; the type itself lives in [`crate::domain`], with the forum's other states.

pub use crate::domain::{Role, UnknownRole};
