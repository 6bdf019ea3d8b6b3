//! Writing an archive from one consistent moment of a live site.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use flate2::write::GzEncoder;
use sha2::{Digest, Sha256};

use super::format::{hex, Header, SecretLine, TableEntry, TableMarker, Trailer, FORMAT_NAME, FORMAT_VERSION};
use super::Progress;
use crate::db::models::site_tables::{self, Table, Value};
use crate::db::DbConnection;

/// Rows read from the database per query.
const ROWS_PER_READ: usize = 2_000;

/// What to put in the archive besides the tables.
#[derive(Debug, Default)]
pub struct BackupOptions {
    /// The site's secret key, when the operator asked for it to be included.
    pub secret_key: Option<Vec<u8>>,
}

/// What a backup wrote.
#[derive(Debug)]
pub struct BackupSummary {
    /// The archive's header (tables and row counts).
    pub header: Header,
    /// The archive's size in bytes.
    pub bytes: u64,
}

/// Writes the whole site as it is at one moment into `path`, while other connections go on
/// writing. The archive is written beside `path` under a temporary name and renamed into place
/// only once complete, so a backup that fails (or a full disk) never leaves a file that looks
/// like an archive. `total` is called once with the number of rows, then `progress` as they go.
pub fn backup(
    conn: &mut DbConnection,
    path: &Path,
    options: &BackupOptions,
    total: &mut dyn FnMut(u64),
    progress: Progress<'_>,
) -> anyhow::Result<BackupSummary> {
    let partial = partial_path(path);
    let outcome = write_archive(conn, &partial, options, total, progress);
    let header = match outcome {
        Ok(header) => header,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    std::fs::rename(&partial, path).with_context(|| format!("moving the archive into place at {}", path.display()))?;
    let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    Ok(BackupSummary { header, bytes })
}

/// `FILE.partial` beside `FILE`.
fn partial_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".partial");
    path.with_file_name(name)
}

fn write_archive(
    conn: &mut DbConnection,
    partial: &Path,
    options: &BackupOptions,
    total: &mut dyn FnMut(u64),
    progress: Progress<'_>,
) -> anyhow::Result<Header> {
    let file = File::create(partial).with_context(|| format!("creating {}", partial.display()))?;
    let mut out = Hashed::new(GzEncoder::new(BufWriter::with_capacity(1 << 20, file), flate2::Compression::new(6)));
    site_tables::begin_snapshot(conn).context("starting a consistent read of the database")?;
    let written = write_tables(conn, &mut out, options, total, progress);
    // The snapshot is read-only: ending it cannot lose anything, whatever happened above.
    let _ = site_tables::end_snapshot(conn);
    let (header, rows) = written?;
    let trailer = Trailer { end: FORMAT_NAME.to_owned(), rows, sha256: hex(&out.hash.clone().finalize()) };
    out.line(&trailer)?;
    let file = out.inner.finish().context("compressing the archive")?;
    let file = file.into_inner().map_err(|e| anyhow::anyhow!("writing the archive: {}", e.error()))?;
    file.sync_all().context("writing the archive to disk")?;
    Ok(header)
}

/// Writes the header, every table's rows and the key; returns the header and the rows written.
fn write_tables<W: Write>(
    conn: &mut DbConnection,
    out: &mut Hashed<W>,
    options: &BackupOptions,
    total: &mut dyn FnMut(u64),
    progress: Progress<'_>,
) -> anyhow::Result<(Header, u64)> {
    let tables = site_tables::site_tables(conn).context("listing the tables")?;
    let mut entries = Vec::with_capacity(tables.len());
    for table in &tables {
        let rows = site_tables::row_count(conn, &table.name).with_context(|| format!("counting {}", table.name))?;
        entries.push(TableEntry {
            name: table.name.clone(),
            columns: table.columns.clone(),
            rows: u64::try_from(rows)?,
        });
    }
    total(entries.iter().map(|e| e.rows).sum());
    let header = Header {
        format: FORMAT_NAME.to_owned(),
        version: FORMAT_VERSION,
        created_at: chrono::Utc::now().naive_utc().format(site_tables::TIMESTAMP_FORMAT).to_string(),
        guidepost_version: env!("CARGO_PKG_VERSION").to_owned(),
        source_backend: conn.backend_name().to_owned(),
        schema_version: site_tables::schema_version(conn).context("reading the schema version")?,
        secret_key_included: options.secret_key.is_some(),
        tables: entries,
    };
    out.line(&header)?;
    let mut written = 0;
    for (table, entry) in tables.iter().zip(&header.tables) {
        out.line(&TableMarker { table: table.name.clone(), rows: entry.rows })?;
        let rows = write_rows(conn, table, entry.rows, out, progress)?;
        written += rows;
    }
    if let Some(key) = &options.secret_key {
        use base64::Engine as _;
        out.line(&SecretLine { secret_key: base64::engine::general_purpose::STANDARD.encode(key) })?;
    }
    Ok((header, written))
}

/// Writes one table's rows in key order, a page at a time.
fn write_rows<W: Write>(
    conn: &mut DbConnection,
    table: &Table,
    expected: u64,
    out: &mut Hashed<W>,
    progress: Progress<'_>,
) -> anyhow::Result<u64> {
    let mut written = 0;
    let mut after: Option<Vec<Value>> = None;
    loop {
        let rows = site_tables::rows_after(conn, table, after.as_deref(), ROWS_PER_READ)
            .with_context(|| format!("reading {}", table.name))?;
        for row in &rows {
            let json: Vec<serde_json::Value> = row.iter().map(Value::to_json).collect();
            out.line(&json)?;
        }
        written += rows.len() as u64;
        progress(rows.len() as u64);
        match rows.last() {
            Some(last) if rows.len() == ROWS_PER_READ => {
                after = Some(table.key.iter().map(|&i| last[i].clone()).collect())
            }
            _ => break,
        }
    }
    // Inside one snapshot the count and the rows agree; if not, the archive would be refused
    // on restore, so stop here instead.
    if written != expected {
        anyhow::bail!("{}: counted {expected} rows but read {written}", table.name);
    }
    Ok(written)
}

/// A writer that hashes every line it writes.
struct Hashed<W: Write> {
    inner: W,
    hash: Sha256,
    buffer: Vec<u8>,
}

impl<W: Write> Hashed<W> {
    fn new(inner: W) -> Self {
        Self { inner, hash: Sha256::new(), buffer: Vec::with_capacity(4096) }
    }

    /// Writes one value as a JSON line and adds it to the hash. The trailer goes through here
    /// too, after its own hash was taken from the lines before it, so hashing it changes nothing.
    fn line(&mut self, value: &impl serde::Serialize) -> anyhow::Result<()> {
        self.buffer.clear();
        serde_json::to_writer(&mut self.buffer, value)?;
        self.buffer.push(b'\n');
        self.hash.update(&self.buffer);
        self.inner.write_all(&self.buffer).context("writing the archive")?;
        Ok(())
    }
}
