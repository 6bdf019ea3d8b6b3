//! Whether a post is a question or an answer.

use super::text_enum::text_enum;

text_enum! {
    /// What a row of `posts` is.
    pub enum PostKind {
        /// A question: it has a title, a slug and tags.
        Question = "question",
        /// An answer: it belongs to a question.
        Answer = "answer",
    }
}
