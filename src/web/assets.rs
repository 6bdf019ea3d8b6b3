//! Static files under `/assets/`: CSS, a little JavaScript, icons.
//!
//! They are read once at start, from `GUIDEPOST_ASSETS_DIR` when that folder exists, otherwise
//! from the copies built into the binary. Each gets a content fingerprint: pages link to
//! `/assets/NAME?v=FINGERPRINT`, which is cached for a year, and plain names revalidate by ETag.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use actix_web::http::header::{self, HeaderValue};
use actix_web::web::{self, Bytes};
use actix_web::{HttpRequest, HttpResponse};
use rust_embed::RustEmbed;
use sha2::{Digest, Sha256};

use crate::error::AppError;
use crate::state::AppState;

/// The files under `assets/`, built into the binary.
#[derive(RustEmbed)]
#[folder = "assets/"]
struct AssetFiles;

/// One static file, ready to serve.
struct Asset {
    body: Bytes,
    content_type: String,
    fingerprint: String,
}

/// Every static file, by path relative to the assets folder.
pub struct AssetStore {
    files: HashMap<String, Asset>,
}

impl AssetStore {
    /// Reads the assets from `dir` when it exists, else from the embedded copies.
    pub fn load(dir: &Path) -> std::io::Result<Self> {
        let mut files = HashMap::new();
        if dir.is_dir() {
            let mut pending = vec![dir.to_path_buf()];
            while let Some(folder) = pending.pop() {
                for entry in std::fs::read_dir(&folder)? {
                    let path = entry?.path();
                    if path.is_dir() {
                        pending.push(path);
                    } else if let Ok(relative) = path.strip_prefix(dir) {
                        let name = relative.to_string_lossy().replace('\\', "/");
                        files.insert(name.clone(), Asset::new(&name, std::fs::read(&path)?));
                    }
                }
            }
        } else {
            for name in AssetFiles::iter() {
                if let Some(file) = AssetFiles::get(&name) {
                    files.insert(name.to_string(), Asset::new(&name, file.data.into_owned()));
                }
            }
        }
        Ok(Self { files })
    }

    /// Path -> fingerprinted URL, for templates.
    pub fn urls(&self) -> Arc<HashMap<String, String>> {
        Arc::new(
            self.files
                .iter()
                .map(|(name, asset)| (name.clone(), format!("/assets/{name}?v={}", asset.fingerprint)))
                .collect(),
        )
    }
}

impl Asset {
    fn new(name: &str, body: Vec<u8>) -> Self {
        // 64 bits of the SHA-256 are plenty to tell one release's file from the next.
        let mut fingerprint = format!("{:x}", Sha256::digest(&body));
        fingerprint.truncate(16);
        let content_type = mime_guess::from_path(name).first_or_octet_stream().to_string();
        let content_type = if content_type.starts_with("text/") || content_type == "application/javascript" {
            format!("{content_type}; charset=utf-8")
        } else {
            content_type
        };
        Self { body: Bytes::from(body), content_type, fingerprint }
    }
}

/// The `v` query parameter of fingerprinted asset URLs.
#[derive(serde::Deserialize)]
pub struct Version {
    v: Option<String>,
}

/// GET /assets/{path} — one static file.
pub async fn serve(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    version: web::Query<Version>,
) -> Result<HttpResponse, AppError> {
    let asset = state.assets.files.get(path.as_str()).ok_or(AppError::NotFound)?;
    let etag = format!("\"{}\"", asset.fingerprint);
    // A URL carrying the current fingerprint never changes, so caches may keep it for good;
    // anything else must be revalidated, because the file may change with the next release.
    let cache_control = if version.v.as_deref() == Some(asset.fingerprint.as_str()) {
        "public, max-age=31536000, immutable"
    } else {
        "public, no-cache"
    };
    let matches = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag || tag.trim() == "*"));
    let mut response = if matches { HttpResponse::NotModified() } else { HttpResponse::Ok() };
    response.insert_header((header::ETAG, etag)).insert_header((header::CACHE_CONTROL, cache_control));
    if matches {
        return Ok(response.finish());
    }
    let content_type = HeaderValue::from_str(&asset.content_type).map_err(AppError::internal)?;
    Ok(response.insert_header((header::CONTENT_TYPE, content_type)).body(asset.body.clone()))
}

/// GET /favicon.ico — browsers ask for it unprompted; point them at the SVG icon.
pub async fn favicon() -> HttpResponse {
    crate::web::forms::moved_permanently("/assets/favicon.svg")
}
