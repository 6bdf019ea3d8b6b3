//! The plain question document the app hands in, and its conversion to a tantivy document.
//!
//! The app re-reads a question from the database and fills a [`QuestionDoc`]; nothing here
//! decides what a question contains.

use tantivy::TantivyDocument;

use crate::schema::Fields;

/// Where a question stands in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QuestionStatus {
    /// Open for answers.
    #[default]
    Open,
    /// Closed (not as a duplicate).
    Closed,
    /// Closed as a duplicate of another question.
    Duplicate,
    /// Deleted: indexed for completeness, never returned.
    Deleted,
}

impl QuestionStatus {
    /// The raw term stored in the `status` field.
    pub fn as_str(self) -> &'static str {
        match self {
            QuestionStatus::Open => "open",
            QuestionStatus::Closed => "closed",
            QuestionStatus::Duplicate => "duplicate",
            QuestionStatus::Deleted => "deleted",
        }
    }
}

/// One question with everything search needs, as plain Rust values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QuestionDoc {
    /// The question's id in the database.
    pub id: u64,
    /// The title.
    pub title: String,
    /// The body as plain text (markdown is fine: the tokenizer skips punctuation).
    pub body: String,
    /// Text of ordinary answers.
    pub answers: Vec<String>,
    /// Text of official and accepted answers (weighted above ordinary answers).
    pub best_answers: Vec<String>,
    /// Titles of duplicates that point at this question.
    pub alt_titles: Vec<String>,
    /// Tag names.
    pub tags: Vec<String>,
    /// The author's username.
    pub author: String,
    /// Creation time in unix seconds.
    pub created: i64,
    /// Vote score.
    pub score: i64,
    /// Number of (visible) answers.
    pub answer_count: u64,
    /// Has at least one answer.
    pub answered: bool,
    /// Has an accepted answer.
    pub accepted: bool,
    /// Has an official answer.
    pub official: bool,
    /// Is closed for any reason (including as a duplicate).
    pub closed: bool,
    /// Lifecycle status.
    pub status: QuestionStatus,
}

/// Normalises a tag or username the same way at index and query time.
pub(crate) fn normalise_name(name: &str) -> String {
    name.trim().to_lowercase()
}

impl QuestionDoc {
    /// Converts the question into a tantivy document for the given fields.
    pub fn to_document(&self, f: &Fields) -> TantivyDocument {
        let mut doc = TantivyDocument::default();
        doc.add_u64(f.id, self.id);
        doc.add_text(f.title, &self.title);
        doc.add_text(f.body, &self.body);
        for text in &self.answers {
            doc.add_text(f.answers, text);
        }
        for text in &self.best_answers {
            doc.add_text(f.best_answers, text);
        }
        for text in &self.alt_titles {
            doc.add_text(f.alt_titles, text);
        }
        for tag in &self.tags {
            doc.add_text(f.tags, normalise_name(tag));
        }
        doc.add_text(f.author, normalise_name(&self.author));
        doc.add_i64(f.created, self.created);
        doc.add_i64(f.score, self.score);
        doc.add_u64(f.answer_count, self.answer_count);
        doc.add_bool(f.answered, self.answered);
        doc.add_bool(f.accepted, self.accepted);
        doc.add_bool(f.official, self.official);
        doc.add_bool(f.closed, self.closed);
        doc.add_bool(f.duplicate, self.status == QuestionStatus::Duplicate);
        doc.add_text(f.status, self.status.as_str());
        doc
    }
}

#[cfg(test)]
mod tests {
    use super::{QuestionDoc, QuestionStatus};
    use crate::schema::{build, Fields};

    #[test]
    fn converts_every_field() {
        let fields = Fields::resolve(&build()).unwrap();
        let q = QuestionDoc {
            id: 7,
            title: "Why did my red widget break?".into(),
            tags: vec!["Widgets".into(), "rain".into()],
            author: "Fred".into(),
            answers: vec!["a".into(), "b".into()],
            status: QuestionStatus::Duplicate,
            ..QuestionDoc::default()
        };
        let doc = q.to_document(&fields);
        assert_eq!(doc.get_all(fields.tags).count(), 2);
        assert_eq!(doc.get_all(fields.answers).count(), 2);
        assert_eq!(doc.get_all(fields.id).count(), 1);
        assert_eq!(doc.get_all(fields.status).count(), 1);
    }

    #[test]
    fn status_terms() {
        assert_eq!(QuestionStatus::Deleted.as_str(), "deleted");
        assert_eq!(QuestionStatus::default(), QuestionStatus::Open);
    }
}
