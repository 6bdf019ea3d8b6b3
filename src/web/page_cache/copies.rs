//! The copies themselves, and when each goes stale: a question's page when a change committed on
//! this node names that question (or names something every page shows, such as a member's name),
//! every other page (lists, profiles, help) within [`LIST_STALENESS`] of any change.
//!
//! Freshness is decided by epochs: the cache counts the commits it hears of, a rendering notes
//! the count before the handler reads anything, and a copy is stale once a change that concerns
//! it was heard after that note. A rendering racing a commit is thus judged stale, never fresh.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use actix_web::http::header::HeaderValue;

use super::gzip::Gzipped;
use crate::changes::{Change, Consumer, PublicPages};

/// The most page bytes kept, compressed; past it, stale copies go, and then all of them.
const MAX_BYTES: usize = 32 * 1024 * 1024;

/// How long a list (home, tag pages, the users page...) may still be served after a change on
/// this node: lists change with nearly every write, and rendering them once a second at most
/// keeps a busy site's writes from re-rendering them for every visitor.
pub const LIST_STALENESS: Duration = Duration::from_secs(1);

/// What a page shows, as far as its copy's freshness goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shows {
    /// One question (its page, or its JSON): fresh until a change names it.
    Question(i64),
    /// Anything else: may lag a change by [`LIST_STALENESS`].
    List,
}

/// One page as an anonymous visitor gets it.
pub struct PageCopy {
    /// When its rendering started (so before anything it shows was read).
    pub rendered_at: Instant,
    /// The cache's epoch when its rendering started.
    pub epoch: u64,
    /// What it shows.
    pub shows: Shows,
    /// Its validator.
    pub etag: HeaderValue,
    /// Its type.
    pub content_type: HeaderValue,
    /// What else than the address it depends on.
    pub vary: HeaderValue,
    /// Its bytes, compressed.
    pub page: Gzipped,
    /// The question whose view a visit counts, if any.
    pub counts_view_of: Option<i64>,
    /// The route the page came from, for the request metrics of visits served from the copy.
    pub route: Option<std::sync::Arc<str>>,
}

/// What a visit served from a copy needs of it.
pub struct Hit {
    /// Its validator.
    pub etag: HeaderValue,
    /// Its type.
    pub content_type: HeaderValue,
    /// What else than the address it depends on.
    pub vary: HeaderValue,
    /// Its bytes, compressed.
    pub page: Gzipped,
    /// The question whose view a visit counts, if any.
    pub counts_view_of: Option<i64>,
    /// The route the page came from.
    pub route: Option<std::sync::Arc<str>>,
}

/// The epochs of the last changes heard, by what they concern.
#[derive(Default)]
struct Changed {
    /// Commits heard so far.
    epoch: u64,
    /// The last change any list may show.
    lists: u64,
    /// The last change every page may show.
    all: u64,
    /// The last change of each question, and when; forgotten once every copy that could predate
    /// it has expired anyway.
    questions: HashMap<i64, (u64, Instant)>,
    /// When `questions` was last rid of entries no copy needs.
    pruned_at: Option<Instant>,
}

/// The copies and their total size, with what changed since.
#[derive(Default)]
struct Shelf {
    map: HashMap<String, PageCopy>,
    bytes: usize,
    changed: Changed,
}

/// This node's copies of anonymous pages.
pub struct Copies {
    lifetime: Duration,
    shelf: RwLock<Shelf>,
}

impl Copies {
    /// Copies kept for `lifetime`; zero keeps none.
    pub fn new(lifetime: Duration) -> Self {
        Self { lifetime, shelf: RwLock::default() }
    }

    /// How long a copy may live at most.
    pub fn lifetime(&self) -> Duration {
        self.lifetime
    }

    /// The epoch a rendering notes before it reads anything.
    pub fn epoch(&self) -> u64 {
        self.shelf.read().map_or(0, |shelf| shelf.changed.epoch)
    }

    /// A copy of `key` that may still be served.
    pub fn lookup(&self, key: &str) -> Option<Hit> {
        let shelf = self.shelf.read().ok()?;
        let copy = shelf.map.get(key).filter(|copy| self.fresh(&shelf.changed, copy))?;
        Some(Hit {
            etag: copy.etag.clone(),
            content_type: copy.content_type.clone(),
            vary: copy.vary.clone(),
            page: copy.page.clone(),
            counts_view_of: copy.counts_view_of,
            route: copy.route.clone(),
        })
    }

    /// Keeps a copy, unless something it shows changed while it was rendered.
    pub fn store(&self, key: String, copy: PageCopy) {
        let Ok(mut shelf) = self.shelf.write() else {
            return;
        };
        if !self.fresh(&shelf.changed, &copy) {
            return;
        }
        if shelf.bytes + copy.page.bytes.len() > MAX_BYTES {
            let Shelf { map, changed, .. } = &mut *shelf;
            map.retain(|_, kept| self.fresh(changed, kept));
            shelf.bytes = shelf.map.values().map(|kept| kept.page.bytes.len()).sum();
            if shelf.bytes + copy.page.bytes.len() > MAX_BYTES {
                shelf.map.clear();
                shelf.bytes = 0;
            }
        }
        shelf.bytes += copy.page.bytes.len();
        if let Some(old) = shelf.map.insert(key, copy) {
            shelf.bytes -= old.page.bytes.len();
        }
    }

    fn fresh(&self, changed: &Changed, copy: &PageCopy) -> bool {
        let age = copy.rendered_at.elapsed();
        if age >= self.lifetime {
            return false;
        }
        match copy.shows {
            Shows::Question(id) => {
                copy.epoch >= changed.all && changed.questions.get(&id).is_none_or(|&(epoch, _)| copy.epoch >= epoch)
            }
            Shows::List => copy.epoch >= changed.lists || age < LIST_STALENESS,
        }
    }

    /// Notes one commit's changes. The copies they make stale are not looked for here (that
    /// would cost every write a walk over every copy): a lookup finds them stale, a newer
    /// rendering replaces them, and [`Copies::store`] sweeps them out when space runs short.
    fn heard(&self, changes: &[Change]) {
        self.heard_pages(changes.iter().map(Change::public_pages));
    }

    /// Notes one commit's changes by the pages they reach: a commit here, or one another node
    /// announced (see [`super::elsewhere`]).
    pub(super) fn heard_pages(&self, pages: impl IntoIterator<Item = PublicPages>) {
        let Ok(mut shelf) = self.shelf.write() else {
            return;
        };
        let changed = &mut shelf.changed;
        changed.epoch += 1;
        let epoch = changed.epoch;
        let now = Instant::now();
        for reach in pages {
            match reach {
                PublicPages::Unchanged => {}
                PublicPages::Lists => changed.lists = epoch,
                PublicPages::Questions(first, second) => {
                    changed.lists = epoch;
                    for id in std::iter::once(first).chain(second) {
                        changed.questions.insert(id, (epoch, now));
                    }
                }
                PublicPages::All => {
                    changed.lists = epoch;
                    changed.all = epoch;
                }
            }
        }
        // A copy rendered before a change started before the change was heard, so it has
        // expired once the change is older than a copy's lifetime: the entry can go then.
        // Looked at once a lifetime, not on every write.
        if changed.pruned_at.is_none_or(|at| at.elapsed() >= self.lifetime) {
            let lifetime = self.lifetime;
            changed.questions.retain(|_, (_, at)| at.elapsed() < lifetime);
            changed.pruned_at = Some(now);
        }
    }
}

/// The change feed tells the copies what changed, after each commit on this node.
pub struct Invalidator(pub std::sync::Arc<Copies>);

impl Consumer for Invalidator {
    fn committed(&self, changes: &[Change]) {
        self.0.heard(changes);
    }
}
