//! Writing through the API. Each handler asks the caller for the scope the action needs
//! (`write` for what any member does, `staff` for staff and moderator work), then calls the same
//! service function as the HTML form with that member: the same rules, rate limits, anti-spam,
//! audit log and change events. The form-only guards (honeypot, form timing, "similar questions
//! first") belong to the browser form and are not applied here.

pub mod answers;
pub mod asking;
pub mod posts;
pub mod staff;

use serde::Serialize;
use utoipa::ToSchema;

/// What a write created or changed: its id, where the site shows it and where the API reads it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Written {
    /// The id of the question, answer or post.
    pub id: i64,
    /// Its page on the site.
    pub path: String,
    /// Its question as the API reads it.
    pub api_url: String,
    /// Held for a moderator's review before others see it (new members' links, say).
    pub held_for_review: bool,
}
