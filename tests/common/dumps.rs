//! The real Stack Exchange dumps the tests read: the import tests here, and the ranking tests of
//! `search-index`, which include this file.

use std::path::{Path, PathBuf};

/// Where the dumps are: `$GUIDEPOST_DUMPS_DIR`, else `shared/data` beside the repository or
/// beside any folder above it, else the machine's `/work/shared/data`.
pub fn data_dir() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let candidates: Vec<PathBuf> = std::env::var_os("GUIDEPOST_DUMPS_DIR")
        .map(PathBuf::from)
        .into_iter()
        .chain(manifest.ancestors().map(|a| a.join("shared/data")))
        .chain([PathBuf::from("/work/shared/data")])
        .collect();
    candidates.iter().find(|dir| dir.join("se-ai-2016/Posts.xml").is_file()).cloned().unwrap_or_else(|| {
        panic!("the Stack Exchange dumps are missing; looked in {candidates:?} (set GUIDEPOST_DUMPS_DIR)")
    })
}
