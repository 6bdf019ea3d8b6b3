//! Where this node's index lives: `DATA_DIR/search/CURRENT` names the live index folder beside
//! it. A rebuild fills a new folder and then replaces `CURRENT` by rename, which is atomic, so a
//! running server switches from one complete index to the other and never sees a half-built one.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// The pointer file's name.
const POINTER: &str = "CURRENT";
/// Index folders start with this.
const PREFIX: &str = "index-";

/// The folder holding this node's index folders and the pointer.
#[derive(Debug, Clone)]
pub struct IndexLocation {
    root: PathBuf,
}

impl IndexLocation {
    /// The search folder inside the data folder.
    pub fn in_data_dir(data_dir: &Path) -> Self {
        Self { root: data_dir.join("search") }
    }

    /// The name of the live index folder, if one was ever published.
    pub fn current(&self) -> io::Result<Option<String>> {
        match fs::read_to_string(self.root.join(POINTER)) {
            Ok(text) => {
                let name = text.trim();
                // Only a name of ours counts: the pointer never leads outside the search folder.
                Ok(Some(name.to_owned()).filter(|n| is_index_name(n)))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The full path of an index folder.
    pub fn path_of(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }

    /// A fresh, unused index folder name (not yet created).
    pub fn new_name(&self) -> String {
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.f");
        format!("{PREFIX}{stamp}-{}", std::process::id())
    }

    /// Makes `name` the live index (atomically), then removes every other index folder.
    pub fn publish(&self, name: &str) -> io::Result<()> {
        fs::create_dir_all(&self.root)?;
        let temporary = self.root.join(format!("{POINTER}.{}.tmp", std::process::id()));
        fs::write(&temporary, name)?;
        fs::File::open(&temporary)?.sync_all()?;
        fs::rename(&temporary, self.root.join(POINTER))?;
        self.remove_all_but(name);
        Ok(())
    }

    /// Removes index folders other than `keep`; a server still reading one keeps its open files.
    pub fn remove_all_but(&self, keep: &str) {
        let Ok(entries) = fs::read_dir(&self.root) else { return };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if is_index_name(&name) && name != keep {
                if let Err(e) = fs::remove_dir_all(entry.path()) {
                    tracing::warn!(folder = %entry.path().display(), error = %e, "could not remove an old search index");
                }
            }
        }
    }
}

fn is_index_name(name: &str) -> bool {
    name.starts_with(PREFIX) && !name.contains(['/', '\\']) && name != PREFIX && !name.contains("..")
}

#[cfg(test)]
mod tests {
    use super::IndexLocation;

    #[test]
    fn publish_switches_and_cleans_up() {
        let dir = tempfile::tempdir().unwrap();
        let location = IndexLocation::in_data_dir(dir.path());
        assert_eq!(location.current().unwrap(), None);
        let first = location.new_name();
        std::fs::create_dir_all(location.path_of(&first)).unwrap();
        location.publish(&first).unwrap();
        assert_eq!(location.current().unwrap().as_deref(), Some(first.as_str()));
        let second = format!("{first}-b");
        std::fs::create_dir_all(location.path_of(&second)).unwrap();
        location.publish(&second).unwrap();
        assert_eq!(location.current().unwrap().as_deref(), Some(second.as_str()));
        assert!(!location.path_of(&first).exists());
    }

    #[test]
    fn a_pointer_outside_the_folder_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let location = IndexLocation::in_data_dir(dir.path());
        std::fs::create_dir_all(dir.path().join("search")).unwrap();
        std::fs::write(dir.path().join("search/CURRENT"), "../../etc").unwrap();
        assert_eq!(location.current().unwrap(), None);
    }
}
