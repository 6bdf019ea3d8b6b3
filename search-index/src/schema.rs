//! The index schema: one tantivy document per question, and the version that guards it.
//!
//! Bump [`SCHEMA_VERSION`] whenever a field or analyzer changes; the app then rebuilds the index.

use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, INDEXED, STORED, STRING,
};

use crate::analyzer::ENGLISH;
use crate::error::SearchError;

/// The version of the schema and analyzers; a mismatch on disk means "rebuild".
pub const SCHEMA_VERSION: u32 = 1;

/// Field names, shared by the schema builder and the fast-field readers.
pub mod names {
    /// The question id.
    pub const ID: &str = "id";
    /// The question title.
    pub const TITLE: &str = "title";
    /// The question body.
    pub const BODY: &str = "body";
    /// Ordinary answers' text.
    pub const ANSWERS: &str = "answers";
    /// Official and accepted answers' text.
    pub const BEST_ANSWERS: &str = "best_answers";
    /// Titles of duplicates that point at this question.
    pub const ALT_TITLES: &str = "alt_titles";
    /// Tag names, raw and lower-cased.
    pub const TAGS: &str = "tags";
    /// The author's username, raw and lower-cased.
    pub const AUTHOR: &str = "author";
    /// Creation time, unix seconds.
    pub const CREATED: &str = "created";
    /// Vote score.
    pub const SCORE: &str = "score";
    /// Number of answers.
    pub const ANSWER_COUNT: &str = "answer_count";
    /// Has at least one answer.
    pub const ANSWERED: &str = "answered";
    /// Has an accepted answer.
    pub const ACCEPTED: &str = "accepted";
    /// Has an official answer.
    pub const OFFICIAL: &str = "official";
    /// Is closed (for any reason).
    pub const CLOSED: &str = "closed";
    /// Is a duplicate of another question (derived from the status).
    pub const DUPLICATE: &str = "duplicate";
    /// open | closed | duplicate | deleted.
    pub const STATUS: &str = "status";
}

/// The fields of the schema, resolved once per index.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// See [`names::ID`].
    pub id: Field,
    /// See [`names::TITLE`].
    pub title: Field,
    /// See [`names::BODY`].
    pub body: Field,
    /// See [`names::ANSWERS`].
    pub answers: Field,
    /// See [`names::BEST_ANSWERS`].
    pub best_answers: Field,
    /// See [`names::ALT_TITLES`].
    pub alt_titles: Field,
    /// See [`names::TAGS`].
    pub tags: Field,
    /// See [`names::AUTHOR`].
    pub author: Field,
    /// See [`names::CREATED`].
    pub created: Field,
    /// See [`names::SCORE`].
    pub score: Field,
    /// See [`names::ANSWER_COUNT`].
    pub answer_count: Field,
    /// See [`names::ANSWERED`].
    pub answered: Field,
    /// See [`names::ACCEPTED`].
    pub accepted: Field,
    /// See [`names::OFFICIAL`].
    pub official: Field,
    /// See [`names::CLOSED`].
    pub closed: Field,
    /// See [`names::DUPLICATE`].
    pub duplicate: Field,
    /// See [`names::STATUS`].
    pub status: Field,
}

impl Fields {
    /// Looks every field up by name in `schema`.
    pub fn resolve(schema: &Schema) -> Result<Fields, SearchError> {
        let f = |name: &str| schema.get_field(name);
        Ok(Fields {
            id: f(names::ID)?,
            title: f(names::TITLE)?,
            body: f(names::BODY)?,
            answers: f(names::ANSWERS)?,
            best_answers: f(names::BEST_ANSWERS)?,
            alt_titles: f(names::ALT_TITLES)?,
            tags: f(names::TAGS)?,
            author: f(names::AUTHOR)?,
            created: f(names::CREATED)?,
            score: f(names::SCORE)?,
            answer_count: f(names::ANSWER_COUNT)?,
            answered: f(names::ANSWERED)?,
            accepted: f(names::ACCEPTED)?,
            official: f(names::OFFICIAL)?,
            closed: f(names::CLOSED)?,
            duplicate: f(names::DUPLICATE)?,
            status: f(names::STATUS)?,
        })
    }
}

/// English-analyzed text with positions (for phrases); `stored` keeps it for snippets.
fn english_text(stored: bool) -> TextOptions {
    let indexing =
        TextFieldIndexing::default().set_tokenizer(ENGLISH).set_index_option(IndexRecordOption::WithFreqsAndPositions);
    let options = TextOptions::default().set_indexing_options(indexing);
    if stored {
        options.set_stored()
    } else {
        options
    }
}

/// Builds the schema of one question document.
pub fn build() -> Schema {
    let mut b = Schema::builder();
    b.add_u64_field(names::ID, INDEXED | STORED | FAST);
    b.add_text_field(names::TITLE, english_text(true));
    b.add_text_field(names::BODY, english_text(false));
    b.add_text_field(names::ANSWERS, english_text(false));
    b.add_text_field(names::BEST_ANSWERS, english_text(false));
    b.add_text_field(names::ALT_TITLES, english_text(false));
    b.add_text_field(names::TAGS, STRING);
    b.add_text_field(names::AUTHOR, STRING);
    b.add_i64_field(names::CREATED, INDEXED | FAST);
    b.add_i64_field(names::SCORE, FAST);
    b.add_u64_field(names::ANSWER_COUNT, FAST);
    b.add_bool_field(names::ANSWERED, INDEXED | FAST);
    b.add_bool_field(names::ACCEPTED, INDEXED | FAST);
    b.add_bool_field(names::OFFICIAL, INDEXED | FAST);
    b.add_bool_field(names::CLOSED, INDEXED | FAST);
    b.add_bool_field(names::DUPLICATE, INDEXED | FAST);
    b.add_text_field(names::STATUS, STRING);
    b.build()
}

#[cfg(test)]
mod tests {
    use super::{build, Fields};

    #[test]
    fn every_field_resolves() {
        let schema = build();
        assert!(Fields::resolve(&schema).is_ok());
        assert_eq!(schema.fields().count(), 17);
    }
}
