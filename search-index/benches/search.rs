//! Indexing and query speed on synthetic forums of realistic shape.
//!
//! For each size in `GUIDEPOST_BENCH_SIZES` (comma-separated, default `100000,1000000`) it makes
//! that many questions from a fixed seed, bulk-indexes them into a temporary on-disk index, then
//! runs a fixed mix of queries on one thread and prints a Markdown table on stdout; stderr gets
//! the latency of each kind of query and the slowest queries (`GUIDEPOST_BENCH_SLOWEST`, default
//! 5). `GUIDEPOST_BENCH_DIR` keeps each size's index there and reuses it on later runs, to iterate
//! on query speed alone. No harness, no dependencies: `cargo bench -p guidepost-search --bench
//! search`.

use std::collections::BTreeMap;
use std::error::Error;
use std::path::Path;
use std::time::{Duration, Instant};

use guidepost_search::{search, ParsedQuery, QuestionDoc, SearchIndex, Sort};

/// Sizes run when `GUIDEPOST_BENCH_SIZES` is not set.
const DEFAULT_SIZES: &str = "100000,1000000";
/// Queries in the timed mix.
const QUERIES: usize = 2_000;
/// Queries run first, untimed, so the page cache and allocator are warm.
const WARM_UP: usize = 200;
/// How many of the slowest queries to show unless `GUIDEPOST_BENCH_SLOWEST` says.
const SHOW_SLOWEST: usize = 5;
/// Results per page, as the web layer asks.
const PAGE: usize = 20;
#[path = "search/corpus.rs"]
mod corpus;

use corpus::{queries, question, Lexicon, Rng};

/// Total size of the files in `dir`, in megabytes.
fn size_mb(dir: &Path) -> Result<f64, Box<dyn Error>> {
    let mut bytes = 0;
    for entry in std::fs::read_dir(dir)? {
        bytes += entry?.metadata()?.len();
    }
    Ok(bytes as f64 / 1_000_000.0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let at = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len());
    sorted[at - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1_000.0
}

/// One row of the table.
fn run(size: usize, show_slowest: usize) -> Result<String, Box<dyn Error>> {
    let mut rng = Rng(0x6775_6964_6570_6f73);
    let lexicon = Lexicon::new(&mut rng);
    eprintln!("{size} questions: generating...");
    let docs: Vec<QuestionDoc> = (0..size).map(|n| question(&lexicon, &mut rng, n, size)).collect();
    let sample_titles: Vec<String> = docs.iter().step_by((size / 1_000).max(1)).map(|d| d.title.clone()).collect();

    // `GUIDEPOST_BENCH_DIR` keeps each size's index there and reuses it on the next run, for
    // iterating on query speed; otherwise the index lives in a temporary directory.
    let temporary = tempfile::tempdir()?;
    let dir = match std::env::var_os("GUIDEPOST_BENCH_DIR") {
        Some(kept) => Path::new(&kept).join(size.to_string()),
        None => temporary.path().to_path_buf(),
    };
    let reused = SearchIndex::open_or_create(&dir).ok().filter(|index| index.num_docs() == size as u64);
    let (index, index_qps) = match reused {
        Some(index) => {
            eprintln!("{size} questions: reusing the index in {}", dir.display());
            (index, None)
        }
        None => {
            let index = SearchIndex::recreate(&dir)?;
            eprintln!("{size} questions: indexing...");
            let started = Instant::now();
            let mut writer = index.bulk_writer()?;
            for doc in &docs {
                writer.upsert(doc)?;
            }
            writer.commit_with_cursor(size as u64)?;
            let indexing = started.elapsed();
            let segments = index.segment_count();
            // Let background merges end, so that queries neither compete with them for the
            // cores nor run over more segments than a settled index has.
            let started = Instant::now();
            writer.finish()?;
            eprintln!(
                "{size} questions: indexed and committed in {:.1} s ({segments} segments); merges settled in \
                 {:.1} s more ({} segments)",
                indexing.as_secs_f64(),
                started.elapsed().as_secs_f64(),
                index.segment_count()
            );
            (index, Some(size as f64 / indexing.as_secs_f64()))
        }
    };
    drop(docs);
    let megabytes = size_mb(&dir)?;

    let mix = queries(&lexicon, &mut rng, &sample_titles, WARM_UP + QUERIES);
    let parsed: Vec<ParsedQuery> = mix.iter().map(|probe| ParsedQuery::parse(&probe.text)).collect();
    for (query, probe) in parsed.iter().zip(&mix).take(WARM_UP) {
        search(&index, query, probe.sort, 0, PAGE)?;
    }
    let mut latencies = Vec::with_capacity(QUERIES);
    let mut by_kind: BTreeMap<String, Vec<Duration>> = BTreeMap::new();
    let mut fuzzy = 0;
    let mut slow: Vec<(Duration, String)> = Vec::new();
    let started = Instant::now();
    for (query, probe) in parsed.iter().zip(&mix).skip(WARM_UP) {
        let one = Instant::now();
        let results = search(&index, query, probe.sort, 0, PAGE)?;
        let took = one.elapsed();
        latencies.push(took);
        let order = if probe.sort == Sort::Relevance { "relevance" } else { "newest/votes" };
        by_kind.entry(format!("{} by {order}", probe.kind)).or_default().push(took);
        fuzzy += usize::from(results.fuzzy);
        slow.push((took, format!("{:?} ({:?}, {} hits)", probe.text, probe.sort, results.total)));
    }
    let querying = started.elapsed();
    latencies.sort_unstable();
    eprintln!("{size} questions: {fuzzy} of {QUERIES} queries went fuzzy; the slowest:");
    slow.sort_by_key(|(took, _)| std::cmp::Reverse(*took));
    for (took, query) in slow.iter().take(show_slowest) {
        eprintln!("    {:>7.2} ms  {query}", ms(*took));
    }
    for (kind, mut times) in by_kind {
        times.sort_unstable();
        eprintln!(
            "    {kind:<30} {:>5} queries  p50 {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms",
            times.len(),
            ms(percentile(&times, 0.50)),
            ms(percentile(&times, 0.99)),
            ms(percentile(&times, 1.0))
        );
    }
    Ok(format!(
        "| {size} | {} | {megabytes:.0} | {:.2} | {:.2} | {:.0} |",
        index_qps.map_or_else(|| "(reused)".to_string(), |qps| format!("{qps:.0}")),
        ms(percentile(&latencies, 0.50)),
        ms(percentile(&latencies, 0.99)),
        QUERIES as f64 / querying.as_secs_f64(),
    ))
}

fn main() -> Result<(), Box<dyn Error>> {
    // `cargo bench` passes `--bench`; this harness takes no arguments, so ignore them.
    let sizes = std::env::var("GUIDEPOST_BENCH_SIZES").unwrap_or_else(|_| DEFAULT_SIZES.to_string());
    let sizes: Vec<usize> = sizes.split(',').map(|s| s.trim().replace('_', "").parse()).collect::<Result<_, _>>()?;
    let show_slowest =
        std::env::var("GUIDEPOST_BENCH_SLOWEST").ok().and_then(|n| n.parse().ok()).unwrap_or(SHOW_SLOWEST);
    let mut rows = Vec::new();
    for size in sizes {
        rows.push(run(size, show_slowest)?);
    }
    println!("| questions | index q/s | index size MB | p50 ms | p99 ms | queries/s |");
    println!("|---:|---:|---:|---:|---:|---:|");
    for row in rows {
        println!("{row}");
    }
    Ok(())
}
