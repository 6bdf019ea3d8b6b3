//! This node's search: the live index, the indexer that keeps it in step with the database, and
//! the rebuild that recreates it.
//!
//! The database is the truth. Every write that changes what a question's search document holds
//! adds a `search_changes` row in its own transaction; the [`indexer::Indexer`] tails that table
//! and stores its cursor inside each tantivy commit, so the index and its cursor never disagree.

pub mod documents;
pub mod indexer;
pub mod location;
pub mod rebuild;
pub mod signal;

use std::path::Path;
use std::sync::{Arc, PoisonError, RwLock};

use guidepost_search::{SearchError, SearchIndex};

use self::location::IndexLocation;

/// A handle on this node's live index; cheap to clone, shared by requests and the indexer.
#[derive(Clone, Debug)]
pub struct Search {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    location: IndexLocation,
    live: RwLock<Live>,
}

#[derive(Debug)]
struct Live {
    name: String,
    index: SearchIndex,
}

/// The index folder could not be opened or created.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// A file-system error on the search folder.
    #[error("search index folder {path}: {source}")]
    Io {
        /// The folder.
        path: String,
        /// What went wrong.
        source: std::io::Error,
    },
    /// tantivy refused the folder.
    #[error("search index: {0}")]
    Index(#[from] SearchError),
}

impl Search {
    /// Opens the live index under the data folder; an absent index, or one built with another
    /// schema, is replaced by a new empty one that the indexer then fills from the database.
    pub fn open(data_dir: &Path) -> Result<Search, OpenError> {
        let location = IndexLocation::in_data_dir(data_dir);
        let io = |source| OpenError::Io { path: data_dir.join("search").display().to_string(), source };
        let live = match location.current().map_err(io)? {
            Some(name) => match SearchIndex::open_or_create(&location.path_of(&name)) {
                Ok(index) => Live { name, index },
                Err(e) => {
                    tracing::warn!(error = %e, "the search index cannot be used as it is; rebuilding it from the database");
                    Self::create_empty(&location)?
                }
            },
            None => Self::create_empty(&location)?,
        };
        Ok(Search { shared: Arc::new(Shared { location, live: RwLock::new(live) }) })
    }

    fn create_empty(location: &IndexLocation) -> Result<Live, OpenError> {
        let name = location.new_name();
        let path = location.path_of(&name);
        let index = SearchIndex::open_or_create(&path)?;
        location.publish(&name).map_err(|source| OpenError::Io { path: path.display().to_string(), source })?;
        Ok(Live { name, index })
    }

    /// The live index; take it once per request (searches then use a fresh searcher from it).
    pub fn index(&self) -> SearchIndex {
        self.shared.live.read().unwrap_or_else(PoisonError::into_inner).index.clone()
    }

    /// Where the index folders live.
    pub fn location(&self) -> &IndexLocation {
        &self.shared.location
    }

    /// The live index's folder name.
    pub(crate) fn live_name(&self) -> String {
        self.shared.live.read().unwrap_or_else(PoisonError::into_inner).name.clone()
    }

    /// Switches requests to another index folder (after `guidepost reindex` published it).
    pub(crate) fn switch_to(&self, name: String, index: SearchIndex) {
        let mut live = self.shared.live.write().unwrap_or_else(PoisonError::into_inner);
        *live = Live { name, index };
    }
}
