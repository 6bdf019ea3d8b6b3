//! The Stack Exchange dump reader on arbitrary bytes: never panics, always ends, and stops with
//! a clean error (the file's name, a line that exists) or with the root element closed.
//!
//! The reader opens files by name, so each input is written to a scratch file under
//! `fuzz/target/` first. The same bytes are read twice, keeping all attributes and keeping only
//! `Id` and `Body`, as the import does; both readings must agree wherever the full one got.

#![no_main]

use std::path::PathBuf;
use std::sync::LazyLock;

use guidepost::import::dump::{DumpError, DumpReader, Row};
use libfuzzer_sys::fuzz_target;

const FILE: &str = "Posts.xml";
const KEPT: &[&str] = &["Id", "Body"];

/// A folder of this process's own, so that parallel jobs do not share the file.
static SCRATCH: LazyLock<PathBuf> = LazyLock::new(|| {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("dump-reader-scratch")
        .join(std::process::id().to_string());
    std::fs::create_dir_all(&dir).expect("create the scratch folder");
    dir
});

fuzz_target!(|data: &[u8]| {
    std::fs::write(SCRATCH.join(FILE), data).expect("write the scratch file");
    let lines = 1 + data.iter().filter(|b| **b == b'\n').count() as u64;
    // Every row is at least `<row/>`, so a reader that yields more is looping.
    let most_rows = data.len() / 6 + 1;

    let (all, all_end) = read(None, lines, most_rows);
    let (kept, kept_end) = read(Some(KEPT), lines, most_rows);

    for (a, k) in all.iter().zip(&kept) {
        assert_eq!(a.line, k.line);
        for name in KEPT {
            assert_eq!(a.get(name), k.get(name), "{name} differs between readings");
        }
        assert_eq!(k.get("PostTypeId"), None, "an attribute not asked for was kept");
    }
    match (&all_end, &kept_end) {
        // Skipping values can only avoid errors in them, never add one.
        (Ok(()), _) => {
            assert!(kept_end.is_ok(), "keeping fewer attributes failed: {kept_end:?}");
            assert_eq!(all.len(), kept.len());
        }
        (Err(_), Ok(())) => assert!(kept.len() >= all.len()),
        (Err(_), Err(_)) => assert!(kept.len() >= all.len()),
    }
});

/// Reads rows to the end or the first error, checking each.
fn read(keep: Option<&'static [&'static str]>, lines: u64, most_rows: usize) -> (Vec<Row>, Result<(), DumpError>) {
    let reader = DumpReader::open(&SCRATCH, FILE).expect("open the scratch file").expect("it exists");
    let mut reader = match keep {
        Some(names) => reader.keeping(names),
        None => reader,
    };
    let mut rows: Vec<Row> = Vec::new();
    loop {
        match reader.next_row() {
            Ok(Some(row)) => {
                assert!((1..=lines).contains(&row.line), "row on line {} of {lines}", row.line);
                assert!(rows.last().is_none_or(|last| last.line <= row.line), "rows out of line order");
                assert!(rows.len() < most_rows, "more rows than the input can hold");
                // Parsing an integer must not panic either, whatever the value.
                let _ = row.int("Id");
                rows.push(row);
            }
            Ok(None) => {
                assert!(matches!(reader.next_row(), Ok(None)), "a finished reader read on");
                return (rows, Ok(()));
            }
            Err(e) => {
                assert_eq!(e.file, FILE);
                assert!((1..=lines).contains(&e.line), "error on line {} of {lines}: {e}", e.line);
                assert!(!e.message.is_empty());
                assert!(e.to_string().starts_with(&format!("{FILE}, line ")), "{e}");
                return (rows, Err(e));
            }
        }
    }
}
