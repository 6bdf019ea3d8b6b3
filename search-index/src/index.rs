//! The index on disk (or in memory): opening it, guarding its schema version, the one reader
//! and the one writer.
//!
//! One [`SearchIndex`] per process holds the only `IndexReader`; each search takes a fresh
//! searcher from it. One [`Writer`], owned by the indexer task, applies changes as
//! delete-by-id then add, and commits them together with the indexer's cursor.

use std::fs;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use tantivy::directory::MmapDirectory;
use tantivy::indexer::LogMergePolicy;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument, Term};

use crate::analyzer;
use crate::document::QuestionDoc;
use crate::error::SearchError;
use crate::key_order::ChunkMaxima;
use crate::schema::{self, Fields, SCHEMA_VERSION};

/// The file beside the index that records which [`SCHEMA_VERSION`] built it.
const VERSION_FILE: &str = "guidepost-schema-version";

/// Memory the single indexing thread may buffer before flushing a segment: tantivy's least. The
/// live writer commits every second or so with a handful of documents, far below it; a larger
/// budget only made tantivy allocate a larger term table for every new segment (12 MB at 50 MB,
/// 3 MB at 15 MB), held by a serving process for nothing. Rebuilds use [`BULK_MEMORY`].
const WRITER_MEMORY: usize = 15_000_000;

/// The live writer merges only segments smaller than this. The updates of a running site arrive
/// as small segments that merge among themselves; the big segments of a rebuild stay as they are
/// (their deleted documents are only skipped). Without the cap, the first commit after a
/// million-question rebuild started merging all of it inside the serving process: minutes of a
/// core, and a few hundred megabytes of index read into memory.
const LIVE_MERGE_MAX_DOCS: usize = 100_000;

/// The most indexing threads a bulk writer uses; more add merge work and memory, little speed.
const BULK_MAX_THREADS: usize = 4;

/// Memory all bulk indexing threads together may buffer: big segments mean fewer merges.
const BULK_MEMORY: usize = 400_000_000;

/// Bits of [`SearchIndex::generation`] left to the reader's own count of reloads; the rest
/// number the opened indexes. At four commits a second, 2^40 reloads take 8,700 years.
const RELOAD_BITS: u32 = 40;

/// Numbers each index opened in this process, so that generations of two indexes never meet.
static OPENED: AtomicU64 = AtomicU64::new(0);

/// An open search index with its process-wide reader.
#[derive(Clone)]
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    chunk_maxima: Arc<ChunkMaxima>,
    /// Which index this is among those opened by this process (see [`SearchIndex::generation`]).
    opened: u64,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex").finish_non_exhaustive()
    }
}

impl SearchIndex {
    /// Opens the index in `dir`, creating both if absent; a schema mismatch is `SchemaChanged`.
    pub fn open_or_create(dir: &Path) -> Result<SearchIndex, SearchError> {
        fs::create_dir_all(dir)?;
        let version_path = dir.join(VERSION_FILE);
        let has_index = dir.join("meta.json").exists();
        if has_index {
            let found = fs::read_to_string(&version_path).ok().and_then(|text| text.trim().parse::<u32>().ok());
            if found != Some(SCHEMA_VERSION) {
                return Err(SearchError::SchemaChanged { found, expected: SCHEMA_VERSION });
            }
            let index = Index::open(MmapDirectory::open(dir)?)?;
            return SearchIndex::wrap(index);
        }
        let index = Index::create_in_dir(dir, schema::build())?;
        fs::write(&version_path, SCHEMA_VERSION.to_string())?;
        SearchIndex::wrap(index)
    }

    /// Removes whatever is in `dir` and creates an empty index there, ready for a rebuild.
    pub fn recreate(dir: &Path) -> Result<SearchIndex, SearchError> {
        if dir.exists() {
            fs::remove_dir_all(dir)?;
        }
        SearchIndex::open_or_create(dir)
    }

    /// Creates an empty index held in memory, for tests.
    pub fn in_memory() -> Result<SearchIndex, SearchError> {
        SearchIndex::wrap(Index::create_in_ram(schema::build()))
    }

    fn wrap(index: Index) -> Result<SearchIndex, SearchError> {
        analyzer::register(&index);
        let fields = Fields::resolve(&index.schema())?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let opened = OPENED.fetch_add(1, Ordering::Relaxed);
        Ok(SearchIndex { index, reader, fields, chunk_maxima: Arc::default(), opened })
    }

    /// Takes the index's single writer; a second call fails while the first writer lives.
    pub fn writer(&self) -> Result<Writer, SearchError> {
        let inner = self.index.writer_with_num_threads(1, WRITER_MEMORY)?;
        let mut policy = LogMergePolicy::default();
        policy.set_max_docs_before_merge(LIVE_MERGE_MAX_DOCS);
        inner.set_merge_policy(Box::new(policy));
        Ok(Writer { inner, reader: self.reader.clone(), fields: self.fields })
    }

    /// Takes the single writer sized for a full rebuild: one indexing thread per core (at most
    /// [`BULK_MAX_THREADS`]) and a larger memory budget, so a rebuild is bound by the CPU rather
    /// than by flushing and merging many small segments. Use [`SearchIndex::writer`] for the
    /// steady trickle of updates, where this memory would sit idle.
    pub fn bulk_writer(&self) -> Result<Writer, SearchError> {
        let threads = bulk_threads();
        let inner = self.index.writer_with_num_threads(threads, BULK_MEMORY)?;
        Ok(Writer { inner, reader: self.reader.clone(), fields: self.fields })
    }

    /// The indexer cursor stored with the last commit, if any commit carried one.
    pub fn cursor(&self) -> Result<Option<u64>, SearchError> {
        let metas = self.index.load_metas()?;
        Ok(metas.payload.and_then(|text| text.trim().parse().ok()))
    }

    /// Number of documents visible to searches (deleted questions included).
    pub fn num_docs(&self) -> u64 {
        self.searcher().num_docs()
    }

    /// A number that changes whenever searches start to see a new commit: results computed under
    /// another number may be out of date. Unique across the indexes a process opens: each
    /// reader counts its reloads from zero, and a node that switches to a rebuilt index must
    /// not take results cached from the old one at the same count for current.
    pub fn generation(&self) -> u64 {
        let reloads = self.searcher().generation().generation_id() & ((1 << RELOAD_BITS) - 1);
        (self.opened << RELOAD_BITS) | reloads
    }

    /// Number of segments visible to searches; many small ones slow queries until merged.
    pub fn segment_count(&self) -> usize {
        self.searcher().segment_readers().len()
    }

    /// A fresh searcher over the last reloaded commit; take one per query.
    pub(crate) fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// The resolved schema fields.
    pub(crate) fn fields(&self) -> &Fields {
        &self.fields
    }

    /// What ordering by date or votes remembers of each segment.
    pub(crate) fn chunk_maxima(&self) -> &ChunkMaxima {
        &self.chunk_maxima
    }
}

/// Indexing threads for a bulk writer: the available cores, capped at [`BULK_MAX_THREADS`].
fn bulk_threads() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get).clamp(1, BULK_MAX_THREADS)
}

/// The one writer of an index, to be owned by the indexer task.
pub struct Writer {
    inner: IndexWriter<TantivyDocument>,
    reader: IndexReader,
    fields: Fields,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer").finish_non_exhaustive()
    }
}

impl Writer {
    /// Replaces the question's document (delete by id, then add); harmless to repeat.
    pub fn upsert(&mut self, question: &QuestionDoc) -> Result<(), SearchError> {
        self.delete(question.id);
        self.inner.add_document(question.to_document(&self.fields))?;
        Ok(())
    }

    /// Adds the question's document without looking for an older one: for filling an index
    /// after [`Writer::clear`], where each delete `upsert` queues would be kept until the commit
    /// and checked against every segment flushed meanwhile.
    pub fn add(&mut self, question: &QuestionDoc) -> Result<(), SearchError> {
        self.inner.add_document(question.to_document(&self.fields))?;
        Ok(())
    }

    /// Removes the question's document, if any.
    pub fn delete(&mut self, id: u64) {
        self.inner.delete_term(Term::from_field_u64(self.fields.id, id));
    }

    /// Commits pending changes together with the indexer cursor, then makes them searchable.
    pub fn commit_with_cursor(&mut self, cursor: u64) -> Result<(), SearchError> {
        let mut prepared = self.inner.prepare_commit()?;
        prepared.set_payload(&cursor.to_string());
        prepared.commit()?;
        self.reader.reload()?;
        Ok(())
    }

    /// Drops every document, e.g. before a full rebuild; takes effect at the next commit.
    pub fn clear(&mut self) -> Result<(), SearchError> {
        self.inner.delete_all_documents()?;
        Ok(())
    }

    /// Ends a bulk load: waits for background merges, so the index settles into few segments,
    /// then releases the writer. Call after the last commit of a rebuild.
    pub fn finish(self) -> Result<(), SearchError> {
        self.inner.wait_merging_threads()?;
        self.reader.reload()?;
        Ok(())
    }

    /// Discards changes made since the last commit.
    pub fn rollback(&mut self) -> Result<(), SearchError> {
        self.inner.rollback()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{bulk_threads, SearchIndex, BULK_MAX_THREADS};
    use crate::document::QuestionDoc;

    fn question(id: u64, title: &str) -> QuestionDoc {
        QuestionDoc { id, title: title.into(), ..QuestionDoc::default() }
    }

    #[test]
    fn upsert_replaces_and_delete_removes() {
        let index = SearchIndex::in_memory().unwrap();
        let mut writer = index.writer().unwrap();
        writer.upsert(&question(1, "one")).unwrap();
        writer.upsert(&question(1, "one again")).unwrap();
        writer.upsert(&question(2, "two")).unwrap();
        writer.commit_with_cursor(5).unwrap();
        assert_eq!(index.num_docs(), 2);
        writer.delete(2);
        writer.commit_with_cursor(6).unwrap();
        assert_eq!(index.num_docs(), 1);
        assert_eq!(index.cursor().unwrap(), Some(6));
    }

    #[test]
    fn add_fills_a_cleared_index() {
        let index = SearchIndex::in_memory().unwrap();
        let mut writer = index.writer().unwrap();
        writer.upsert(&question(1, "old one")).unwrap();
        writer.commit_with_cursor(1).unwrap();
        writer.clear().unwrap();
        writer.add(&question(1, "one")).unwrap();
        writer.add(&question(2, "two")).unwrap();
        writer.commit_with_cursor(2).unwrap();
        assert_eq!(index.num_docs(), 2);
    }

    #[test]
    fn generations_change_with_commits_and_never_repeat_across_indexes() {
        let old = SearchIndex::in_memory().unwrap();
        let mut writer = old.writer().unwrap();
        let before = old.generation();
        writer.upsert(&question(1, "one")).unwrap();
        writer.commit_with_cursor(1).unwrap();
        let committed = old.generation();
        assert_ne!(committed, before);
        // A rebuilt index opened later counts its reloads from zero too; its generations must
        // still differ from every one the old index showed, or cached results would carry over.
        let rebuilt = SearchIndex::in_memory().unwrap();
        assert!(![before, committed].contains(&rebuilt.generation()));
        assert_ne!(rebuilt.generation(), old.generation());
    }

    #[test]
    fn fresh_index_has_no_cursor() {
        let index = SearchIndex::in_memory().unwrap();
        assert_eq!(index.cursor().unwrap(), None);
        assert_eq!(index.num_docs(), 0);
    }

    #[test]
    fn rollback_discards_uncommitted() {
        let index = SearchIndex::in_memory().unwrap();
        let mut writer = index.writer().unwrap();
        writer.upsert(&question(1, "one")).unwrap();
        writer.rollback().unwrap();
        writer.commit_with_cursor(1).unwrap();
        assert_eq!(index.num_docs(), 0);
    }

    #[test]
    fn clear_drops_everything() {
        let index = SearchIndex::in_memory().unwrap();
        let mut writer = index.writer().unwrap();
        writer.upsert(&question(1, "one")).unwrap();
        writer.commit_with_cursor(1).unwrap();
        writer.clear().unwrap();
        writer.commit_with_cursor(2).unwrap();
        assert_eq!(index.num_docs(), 0);
    }

    #[test]
    fn bulk_writer_indexes_and_is_the_single_writer() {
        let dir = tempfile::tempdir().unwrap();
        let index = SearchIndex::open_or_create(dir.path()).unwrap();
        let mut writer = index.bulk_writer().unwrap();
        assert!(index.writer().is_err(), "the bulk writer holds the index's only writer lock");
        for id in 0..500 {
            writer.upsert(&question(id, &format!("question number {id}"))).unwrap();
        }
        writer.upsert(&question(7, "question seven, replaced")).unwrap();
        writer.commit_with_cursor(42).unwrap();
        assert_eq!(index.num_docs(), 500);
        assert_eq!(index.cursor().unwrap(), Some(42));
        writer.finish().unwrap();
        assert_eq!(index.num_docs(), 500);
        assert!(index.writer().is_ok(), "finishing the bulk writer frees the lock");
    }

    #[test]
    fn bulk_threads_are_capped() {
        let threads = bulk_threads();
        assert!((1..=BULK_MAX_THREADS).contains(&threads));
    }
}
