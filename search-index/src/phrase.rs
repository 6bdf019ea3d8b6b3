//! Checking quoted phrases one document at a time, for collection.
//!
//! tantivy's phrase scorer, asked whether one document holds the phrase, moves on to the next
//! document that does, checking word positions all the way; for a phrase of common words that
//! is most of the index. Here each check costs only that document's positions, so the collector
//! can check just the documents that could make the page. It owns no ranking and no parsing.

use tantivy::postings::{Postings, SegmentPostings};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, SegmentReader, Term};

use crate::error::SearchError;

/// Phrases of two or more analysed words, each to be found in order in any one of `fields`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Phrases {
    /// The text fields a phrase may appear in.
    pub fields: Vec<Field>,
    /// Each phrase's analysed words.
    pub phrases: Vec<Vec<String>>,
}

impl Phrases {
    /// Opens the words' postings in one segment.
    pub fn in_segment(&self, reader: &SegmentReader) -> Result<PhraseCheck, SearchError> {
        let mut phrases = Vec::with_capacity(self.phrases.len());
        for words in &self.phrases {
            let mut places = Vec::new();
            'fields: for &field in &self.fields {
                let index = reader.inverted_index(field)?;
                let mut postings = Vec::with_capacity(words.len());
                for word in words {
                    let term = Term::from_field_text(field, word);
                    match index.read_postings(&term, IndexRecordOption::WithFreqsAndPositions)? {
                        Some(p) => postings.push(p),
                        // A word missing from the field: the phrase can't be there.
                        None => continue 'fields,
                    }
                }
                places.push(postings);
            }
            phrases.push(places);
        }
        Ok(PhraseCheck { phrases, starts: Vec::new(), positions: Vec::new() })
    }
}

/// Every phrase's postings in one segment; documents must be checked in increasing order.
pub(crate) struct PhraseCheck {
    /// For each phrase, for each field holding all its words, the words' postings.
    phrases: Vec<Vec<Vec<SegmentPostings>>>,
    starts: Vec<u32>,
    positions: Vec<u32>,
}

impl PhraseCheck {
    /// True when `doc` holds every phrase; `doc` must not be below the last one checked.
    pub fn matches(&mut self, doc: DocId) -> bool {
        let PhraseCheck { phrases, starts, positions } = self;
        phrases.iter_mut().all(|places| places.iter_mut().any(|postings| in_order(postings, doc, starts, positions)))
    }
}

/// True when the words of `postings` appear one after another somewhere in `doc`.
fn in_order(postings: &mut [SegmentPostings], doc: DocId, starts: &mut Vec<u32>, positions: &mut Vec<u32>) -> bool {
    for word in postings.iter_mut() {
        if word.doc() < doc {
            word.seek(doc);
        }
        if word.doc() != doc {
            return false;
        }
    }
    let Some((first, rest)) = postings.split_first_mut() else {
        return false;
    };
    first.positions(starts);
    for (offset, word) in (1u32..).zip(rest.iter_mut()) {
        word.positions(positions);
        starts.retain(|start| positions.binary_search(&(start + offset)).is_ok());
        if starts.is_empty() {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::Phrases;
    use crate::{QuestionDoc, SearchIndex};

    #[test]
    fn finds_words_in_order_in_one_field() {
        let index = SearchIndex::in_memory().unwrap();
        let mut writer = index.writer().unwrap();
        let texts = [("red widget in rain", ""), ("widget red", "red rain"), ("rain", "a red widget broke"), ("", "")];
        for (id, (title, body)) in (0u64..).zip(texts) {
            writer
                .upsert(&QuestionDoc { id, title: title.into(), body: body.into(), ..QuestionDoc::default() })
                .unwrap();
        }
        writer.commit_with_cursor(1).unwrap();
        let f = index.fields();
        let phrases = Phrases { fields: vec![f.title, f.body], phrases: vec![vec!["red".into(), "widget".into()]] };
        let searcher = index.searcher();
        let reader = searcher.segment_reader(0);
        let mut check = phrases.in_segment(reader).unwrap();
        let found: Vec<u32> = (0..4).filter(|&doc| check.matches(doc)).collect();
        assert_eq!(found, vec![0, 2]);
        let absent = Phrases { fields: vec![f.title], phrases: vec![vec!["red".into(), "zebra".into()]] };
        assert!(!absent.in_segment(reader).unwrap().matches(0));
    }
}
