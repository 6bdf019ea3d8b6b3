//! Guidepost full-text search: the tantivy schema, the English analyzer, the index writer and
//! reader, the query language and the search itself.
//!
//! This crate owns everything tantivy; it knows nothing of the database or the web layer. The
//! app feeds it plain [`QuestionDoc`]s and asks it plain [`ParsedQuery`]s.

pub mod analyzer;
mod collect;
pub mod document;
pub mod error;
pub mod index;
mod key_order;
mod phrase;
mod priors;
pub mod query;
pub mod rule;
pub mod schema;
pub mod search;
pub mod similar;
pub mod snippet;
mod stemmer;

pub use document::{QuestionDoc, QuestionStatus};
pub use error::SearchError;
pub use index::{SearchIndex, Writer};
pub use query::{Flag, ParsedQuery};
pub use rule::{KeywordRule, RuleError};
pub use schema::SCHEMA_VERSION;
pub use search::{search, Hit, SearchResults, Sort};
pub use similar::{coverage, similar};
pub use snippet::Highlighter;
