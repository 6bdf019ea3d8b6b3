//! The site's secret key, which signs and encrypts cookies.
//!
//! Taken from `GUIDEPOST_SECRET_KEY` when set; otherwise generated once and kept in the data
//! folder, which is fine for one node but not for several, since every node must share it.

use std::io::Write;
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rand::RngCore;

use crate::config::Config;

/// File in the data folder holding a generated key.
const KEY_FILE: &str = "secret_key";

/// Where the key came from, so start-up can say so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// `GUIDEPOST_SECRET_KEY` or the config file.
    Configured,
    /// A key generated earlier and kept in this file.
    Stored(PathBuf),
    /// A key generated just now and written to this file.
    Generated(PathBuf),
}

/// The key could not be read or stored.
#[derive(Debug, thiserror::Error)]
#[error("GUIDEPOST_SECRET_KEY: {0}")]
pub struct SecretError(String);

/// Returns the secret key bytes (at least 32) and where they came from.
pub fn resolve(config: &Config) -> Result<(Vec<u8>, KeySource), SecretError> {
    if let Some(key) = &config.secret_key {
        return Ok((key.as_bytes().to_vec(), KeySource::Configured));
    }
    let path = config.data_dir.join(KEY_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let bytes = STANDARD
                .decode(text.trim())
                .map_err(|e| SecretError(format!("{} is not a key written by Guidepost: {e}", path.display())))?;
            if bytes.len() < 32 {
                return Err(SecretError(format!("{} holds a key shorter than 32 bytes", path.display())));
            }
            Ok((bytes, KeySource::Stored(path)))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut bytes = vec![0u8; 64];
            rand::rng().fill_bytes(&mut bytes);
            write_private(&path, &STANDARD.encode(&bytes))
                .map_err(|e| SecretError(format!("cannot store a generated key in {}: {e}", path.display())))?;
            Ok((bytes, KeySource::Generated(path)))
        }
        Err(e) => Err(SecretError(format!("cannot read {}: {e}", path.display()))),
    }
}

/// Makes `key` the stored key of the data folder (a restored site's), replacing any stored one;
/// returns the file it is in. A configured `GUIDEPOST_SECRET_KEY` still takes precedence.
pub fn replace_stored(data_dir: &Path, key: &[u8]) -> Result<PathBuf, SecretError> {
    if key.len() < 32 {
        return Err(SecretError("the key to store is shorter than 32 bytes".to_owned()));
    }
    let path = data_dir.join(KEY_FILE);
    let fresh = data_dir.join(format!("{KEY_FILE}.new"));
    let _ = std::fs::remove_file(&fresh);
    write_private(&fresh, &STANDARD.encode(key))
        .and_then(|()| std::fs::rename(&fresh, &path))
        .map_err(|e| SecretError(format!("cannot store the key in {}: {e}", path.display())))?;
    Ok(path)
}

/// Writes a file only its owner can read, refusing to overwrite one another process just wrote.
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(contents.as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()
}
