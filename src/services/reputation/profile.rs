//! What a member's reputation is made of, as their profile explains it ("+10 answer upvoted",
//! with the post), and how far they are from each privilege.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use serde::Serialize;

use crate::db::models::{posts, reputation};
use crate::db::DbConnection;
use crate::domain::{paths, AnswerId, Privilege, Privileges, QuestionId};
use crate::services::ServiceResult;

/// Ledger rows a profile page shows at a time.
pub const PAGE: i64 = 30;

/// One ledger row as the profile shows it.
#[derive(Debug, Clone, Serialize)]
pub struct LedgerLine {
    /// Row id (the cursor of the next page).
    pub id: i64,
    /// The points, e.g. 10 or -2.
    pub amount: i32,
    /// What earned them, e.g. "answer upvoted".
    pub label: &'static str,
    /// The post's title (its question's, for an answer), when it is still visible.
    pub title: Option<String>,
    /// A link to the post, when it is still visible.
    pub path: Option<String>,
    /// When.
    pub created_at: NaiveDateTime,
    /// Why it no longer counts: "post deleted" or "serial voting reversed".
    pub reversed: Option<&'static str>,
}

/// A page of the member's ledger, newest first, before row `before`; and the cursor of the next.
pub fn history(
    conn: &mut DbConnection,
    user_id: i64,
    before: Option<i64>,
) -> ServiceResult<(Vec<LedgerLine>, Option<i64>)> {
    let rows = reputation::of_user(conn, user_id, before, PAGE + 1)?;
    let more = rows.len() as i64 > PAGE;
    let rows = &rows[..rows.len().min(PAGE as usize)];
    let question_ids: Vec<i64> = rows.iter().filter_map(|r| r.question_id).collect();
    let titles: HashMap<i64, (String, Option<String>)> = posts::visible_titles(conn, &question_ids)?
        .into_iter()
        .map(|(id, title, slug)| (id, (title.unwrap_or_default(), slug)))
        .collect();
    let lines: Vec<LedgerLine> = rows
        .iter()
        .map(|row| {
            let event = &row.event;
            let shown = row.question_id.and_then(|q| titles.get(&q).map(|t| (q, t)));
            let path = shown.zip(event.post_id).map(|((question, (_, slug)), post)| {
                if post == question {
                    paths::question(QuestionId(question), slug.as_deref())
                } else {
                    paths::answer_on_page(QuestionId(question), slug.as_deref(), AnswerId(post))
                }
            });
            LedgerLine {
                id: event.id,
                amount: event.amount,
                label: event.reason.label(),
                title: shown.map(|(_, (title, _))| title.clone()),
                path,
                created_at: event.created_at,
                reversed: match event.reversal.as_deref() {
                    Some(reputation::POST_DELETED) => Some("post deleted"),
                    Some(reputation::SERIAL_VOTING) => Some("reversed: serial voting"),
                    _ => None,
                },
            }
        })
        .collect();
    let next = more.then(|| lines.last().map(|l| l.id)).flatten();
    Ok((lines, next))
}

/// One privilege as the privileges page shows it to a member.
#[derive(Debug, Clone, Serialize)]
pub struct PrivilegeLine {
    /// Its word, e.g. `vote_down`.
    pub privilege: Privilege,
    /// What it lets a member do.
    pub action: &'static str,
    /// A sentence about it.
    pub explanation: &'static str,
    /// The reputation it needs.
    pub threshold: u32,
    /// Whether the viewer has it.
    pub earned: bool,
    /// How much more reputation the viewer needs (0 when earned or not signed in).
    pub to_go: i64,
    /// How far along the viewer is, 0 to 100.
    pub percent: i64,
}

/// Every privilege, cheapest first, with how far `viewer` (reputation, and whether staff) is.
pub fn privileges(privileges: &Privileges, viewer: Option<(i64, bool)>) -> Vec<PrivilegeLine> {
    let mut lines: Vec<PrivilegeLine> = Privilege::ALL
        .iter()
        .map(|&privilege| {
            let threshold = privileges.threshold(privilege);
            let (earned, to_go, percent) = match viewer {
                Some((_, true)) => (true, 0, 100),
                Some((reputation, false)) => {
                    let needed = i64::from(threshold);
                    let earned = reputation >= needed;
                    let percent = if needed == 0 { 100 } else { (reputation * 100 / needed).clamp(0, 100) };
                    (earned, (needed - reputation).max(0), percent)
                }
                None => (false, 0, 0),
            };
            PrivilegeLine {
                privilege,
                action: privilege.action(),
                explanation: privilege.explanation(),
                threshold,
                earned,
                to_go,
                percent,
            }
        })
        .collect();
    lines.sort_by_key(|line| line.threshold);
    lines
}
