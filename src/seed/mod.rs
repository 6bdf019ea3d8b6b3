//! `guidepost seed`: a deterministic synthetic site for demos and benchmarks — members and staff,
//! questions with Zipf-distributed tags, answers (some accepted, some official), comments, scores
//! and dates spread over three years. The same options always give the same site.
//!
//! Speed comes from writing many rows per statement with ids chosen up front (no round trip per
//! row), and from rendering a pool of Markdown blocks once and composing bodies from it.

mod chunk;
pub mod text;
mod write;

use chrono::{NaiveDateTime, SubsecRound, TimeDelta, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::db::bulk_load::BulkLoad;
use crate::db::DbConnection;
use crate::markdown::{self, MarkdownOptions};

pub use write::SeedError;

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct SeedOptions {
    /// Questions to create.
    pub questions: u64,
    /// Answers per question, on average.
    pub answers_per_question: u32,
    /// The random seed: the same seed gives the same site.
    pub seed: u64,
}

/// What was generated.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SeedSummary {
    /// Members and staff created.
    pub users: u64,
    /// Questions created.
    pub questions: u64,
    /// Answers created.
    pub answers: u64,
    /// Comments created.
    pub comments: u64,
    /// Tags used.
    pub tags: u64,
}

/// Questions generated and written per transaction.
const CHUNK: u64 = 2_000;
/// Distinct Markdown blocks bodies are composed of.
const BLOCK_POOL: usize = 4_096;
/// Distinct comments.
const COMMENT_POOL: usize = 1_024;
/// Distinct tags.
const TAGS: usize = 500;
/// One member per this many questions (at least 50).
const QUESTIONS_PER_MEMBER: u64 = 10;
/// Staff accounts (they give the official answers).
const STAFF: u64 = 5;
/// The years the questions are spread over, in seconds.
const SPAN_SECONDS: i64 = 3 * 365 * 86_400;

/// A pre-rendered block of body text.
pub(crate) struct Block {
    markdown: String,
    html: String,
}

/// Generates and writes the site; `progress` hears how many questions are done.
pub fn seed(
    conn: &mut DbConnection,
    options: SeedOptions,
    progress: &mut dyn FnMut(u64),
) -> Result<SeedSummary, SeedError> {
    let mut rng = StdRng::seed_from_u64(options.seed);
    let blocks: Vec<Block> = (0..BLOCK_POOL)
        .map(|_| {
            let markdown = text::block(&mut rng);
            let html = markdown::render_post(&markdown, &MarkdownOptions { allow_images: false }).into_string();
            Block { markdown, html }
        })
        .collect();
    // Whole seconds: shorter stored timestamps, and nothing on a page is finer.
    let now = Utc::now().naive_utc().trunc_subsecs(0);
    let start = now - TimeDelta::seconds(SPAN_SECONDS);
    let comments: Vec<Block> = (0..COMMENT_POOL)
        .map(|_| {
            let markdown = text::comment(&mut rng);
            let html = markdown::render_inline(&markdown).into_string();
            Block { markdown, html }
        })
        .collect();
    let members = (options.questions / QUESTIONS_PER_MEMBER).max(50) + STAFF;
    let mut ids = write::Ids::start(conn)?;
    let users = write::users(conn, &mut rng, &mut ids, members, STAFF, start)?;
    let tag_ids = write::tags(conn, &text::tag_names(TAGS), now)?;
    let mut summary = SeedSummary { users: members, tags: tag_ids.len() as u64, ..SeedSummary::default() };
    let plan = Plan { options, users: &users, tags: &tag_ids, blocks: &blocks, comments: &comments, start, now };
    tracing::debug!("members, tags and text blocks ready");
    let mut load = BulkLoad::begin(conn)?;
    // One thread generates the next chunk while this one writes the last: two cores, both busy.
    let (sender, chunks) = std::sync::mpsc::sync_channel::<(u64, chunk::Chunk)>(2);
    // Written chunks go back to be freed there too: hundreds of thousands of strings a chunk.
    let (spent, to_free) = std::sync::mpsc::channel::<chunk::Chunk>();
    let written: Result<(), SeedError> = std::thread::scope(|scope| {
        let plan = &plan;
        scope.spawn(move || {
            let mut done = 0;
            while done < options.questions {
                to_free.try_iter().for_each(drop);
                let count = CHUNK.min(options.questions - done);
                let chunk = chunk::Chunk::generate(&mut rng, &mut ids, plan, done, count);
                done += count;
                // The writer hung up after an error; stop generating.
                if sender.send((count, chunk)).is_err() {
                    break;
                }
            }
        });
        for (count, chunk) in chunks {
            summary.answers += chunk.answer_count();
            summary.comments += chunk.comment_count();
            write::chunk(conn, &chunk)?;
            // Once generation is over, the last chunks are freed here.
            let _ = spent.send(chunk);
            summary.questions += count;
            progress(count);
        }
        Ok::<_, SeedError>(())
    });
    tracing::debug!(questions = summary.questions, "rows written");
    // Tags are counted through an index the load set aside.
    let finished = written.and_then(|()| Ok(load.build_indexes(conn)?)).and_then(|()| write::finish(conn));
    // Also after a failure: a site must never be left without its indexes.
    let ended = load.end(conn);
    finished?;
    ended?;
    Ok(summary)
}

/// What every chunk draws from.
pub(crate) struct Plan<'a> {
    pub options: SeedOptions,
    /// `(id, is_staff)` of every seeded account.
    pub users: &'a [(i64, bool)],
    pub tags: &'a [(i64, String)],
    pub blocks: &'a [Block],
    pub comments: &'a [Block],
    /// When the first question was asked.
    pub start: NaiveDateTime,
    pub now: NaiveDateTime,
}

impl Plan<'_> {
    /// A body of one to four blocks: its Markdown and its rendering.
    pub(crate) fn body(&self, rng: &mut StdRng) -> (String, String) {
        let count = rng.random_range(1..=4);
        let mut markdown = String::new();
        let mut html = String::new();
        for i in 0..count {
            let block = &self.blocks[rng.random_range(0..self.blocks.len())];
            if i > 0 {
                markdown.push_str("\n\n");
                html.push('\n');
            }
            markdown.push_str(&block.markdown);
            html.push_str(&block.html);
        }
        (markdown, html)
    }

    /// A comment: its Markdown and its rendering.
    pub(crate) fn comment(&self, rng: &mut StdRng) -> (String, String) {
        let comment = &self.comments[rng.random_range(0..self.comments.len())];
        (comment.markdown.clone(), comment.html.clone())
    }

    /// When the `n`th seeded question (from 0) was asked. The questions are spread evenly over
    /// the years before now, in the order of their ids, as on a real site; so the lists' indexes
    /// by date receive their keys in order and are cheap to keep up to date while seeding.
    pub(crate) fn asked(&self, rng: &mut StdRng, n: u64) -> NaiveDateTime {
        let step = (SPAN_SECONDS - 3_600) as f64 / self.options.questions.max(1) as f64;
        let offset = (n as f64 + rng.random::<f64>()) * step;
        self.start + TimeDelta::seconds(offset as i64)
    }

    /// A moment 1 to `at_most` minutes after `after`, but never later than now.
    pub(crate) fn later(&self, rng: &mut StdRng, after: NaiveDateTime, at_most: i64) -> NaiveDateTime {
        let room = (self.now - after).num_minutes().min(at_most);
        if room < 1 {
            return after;
        }
        after + TimeDelta::minutes(rng.random_range(1..=room))
    }

    /// A member (not staff), skewed so some ask and answer far more than others.
    pub(crate) fn member(&self, rng: &mut StdRng) -> i64 {
        let members = &self.users[STAFF as usize..];
        members[text::zipf(rng, members.len())].0
    }

    /// A staff account.
    pub(crate) fn staff(&self, rng: &mut StdRng) -> i64 {
        self.users[rng.random_range(0..STAFF as usize)].0
    }
}
