//! Tells the other nodes which public pages a commit changed, so their page caches drop those
//! copies at once instead of at the end of the copies' lifetime. On PostgreSQL a write
//! transaction sends one `NOTIFY` naming the pages (the server delivers it only if the
//! transaction commits, and adds no row to any table); every node listens
//! (`web::page_cache::elsewhere`). SQLite serves one node, whose own commits reach its cache
//! directly, so nothing is sent there.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use chrono::NaiveDateTime;
use diesel::sql_types::Text;
use diesel::RunQueryDsl;

use crate::changes::{Change, Consumer, PublicPages};
use crate::db::DbConnection;
use crate::services::ServiceResult;

/// The PostgreSQL channel the notices travel on.
pub const CHANNEL: &str = "guidepost_pages";

/// PostgreSQL refuses payloads of 8,000 bytes or more; a commit naming more questions than fit
/// (a bulk change) says "every page" instead.
const MAX_PAYLOAD: usize = 7_900;

/// What a commit changed, as another node's cache needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageNotice {
    /// Lists only.
    Lists,
    /// These questions' pages, and the lists.
    Questions(BTreeSet<i64>),
    /// Every page.
    All,
}

impl PageNotice {
    /// What `changes` reach together; `None` when no public page shows them.
    pub fn of(changes: &[Change]) -> Option<Self> {
        let mut lists = false;
        let mut questions = BTreeSet::new();
        for change in changes {
            match change.public_pages() {
                PublicPages::Unchanged => {}
                PublicPages::Lists => lists = true,
                PublicPages::Questions(first, second) => questions.extend(std::iter::once(first).chain(second)),
                PublicPages::All => return Some(Self::All),
            }
        }
        if !questions.is_empty() {
            Some(Self::Questions(questions))
        } else {
            lists.then_some(Self::Lists)
        }
    }

    /// The notice as the pages it reaches, in the terms the page cache hears a local commit in.
    pub fn pages(&self) -> Vec<PublicPages> {
        match self {
            Self::Lists => vec![PublicPages::Lists],
            Self::Questions(ids) => ids.iter().map(|&id| PublicPages::Questions(id, None)).collect(),
            Self::All => vec![PublicPages::All],
        }
    }

    /// The payload: the sending process's `origin`, then `all`, `lists` or `q` and the ids.
    pub fn encode(&self, origin: u64) -> String {
        let mut payload = format!("{origin:x} ");
        match self {
            Self::Lists => payload.push_str("lists"),
            Self::All => payload.push_str("all"),
            Self::Questions(ids) => {
                payload.push('q');
                for id in ids {
                    let _ = write!(payload, " {id}");
                    if payload.len() > MAX_PAYLOAD {
                        return format!("{origin:x} all");
                    }
                }
            }
        }
        payload
    }

    /// Reads a payload back as (origin, notice); `None` for anything else.
    pub fn decode(payload: &str) -> Option<(u64, Self)> {
        let mut words = payload.split(' ');
        let origin = u64::from_str_radix(words.next()?, 16).ok()?;
        let notice = match words.next()? {
            "all" => Self::All,
            "lists" => Self::Lists,
            "q" => Self::Questions(words.map(str::parse).collect::<Result<_, _>>().ok()?),
            _ => return None,
        };
        Some((origin, notice))
    }
}

/// Sends each commit's [`PageNotice`] on PostgreSQL.
#[derive(Debug, Clone, Copy)]
pub struct AnnouncePages {
    origin: u64,
}

impl AnnouncePages {
    /// Notices signed with `origin`, so the process that sent them can skip its own.
    pub fn new(origin: u64) -> Self {
        Self { origin }
    }
}

impl Consumer for AnnouncePages {
    fn record(&self, conn: &mut DbConnection, changes: &[Change], _now: NaiveDateTime) -> ServiceResult<()> {
        let DbConnection::Postgresql(pg) = conn else { return Ok(()) };
        let Some(notice) = PageNotice::of(changes) else { return Ok(()) };
        diesel::sql_query("SELECT pg_notify($1, $2)")
            .bind::<Text, _>(CHANNEL)
            .bind::<Text, _>(notice.encode(self.origin))
            .execute(pg)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_reads_back_as_it_was_sent() {
        let notices = [PageNotice::All, PageNotice::Lists, PageNotice::Questions(BTreeSet::from([3, 41, 7]))];
        for notice in notices {
            assert_eq!(PageNotice::decode(&notice.encode(0xfeed)), Some((0xfeed, notice)));
        }
        assert_eq!(PageNotice::decode("zz q 1"), None);
        assert_eq!(PageNotice::decode("1 q 1 x"), None);
        assert_eq!(PageNotice::decode("1 other"), None);
    }

    #[test]
    fn a_notice_too_long_for_postgresql_says_every_page() {
        let many = PageNotice::Questions((1_000_000..1_002_000).collect());
        let payload = many.encode(1);
        assert!(payload.len() < 8_000);
        assert_eq!(PageNotice::decode(&payload), Some((1, PageNotice::All)));
    }
}
