//! The archive's lines: header, table marker, rows, secret key and trailer, and the reader that
//! checks them while it hands them out.

use std::io::{BufRead, BufReader, Read};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::db::models::site_tables::{Column, Value};

/// What the header's `format` field says.
pub const FORMAT_NAME: &str = "guidepost-archive";
/// The version of the format this build writes; it reads this one and none newer.
pub const FORMAT_VERSION: u32 = 1;

/// The first line: what the archive holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// Always [`FORMAT_NAME`].
    pub format: String,
    /// The format version.
    pub version: u32,
    /// When the backup's snapshot was taken (UTC, ISO 8601).
    pub created_at: String,
    /// The Guidepost version that wrote it.
    pub guidepost_version: String,
    /// The backend it was taken from (`sqlite` or `postgres`).
    pub source_backend: String,
    /// The newest migration of the source database: the schema the rows fit.
    pub schema_version: String,
    /// Whether the site's secret key is in the archive.
    pub secret_key_included: bool,
    /// The tables, in the order their rows follow (each after the tables it refers to).
    pub tables: Vec<TableEntry>,
}

/// One table as the header lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableEntry {
    /// The table's name.
    pub name: String,
    /// Its columns in the order each row lists their values.
    pub columns: Vec<Column>,
    /// How many rows follow.
    pub rows: u64,
}

/// The line before a table's rows.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct TableMarker {
    /// The table the rows belong to.
    pub table: String,
    /// How many rows follow.
    pub rows: u64,
}

/// The line holding the secret key, when included.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct SecretLine {
    /// The key, base64.
    pub secret_key: String,
}

/// The last line.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Trailer {
    /// Always [`FORMAT_NAME`]: a truncated archive has no such line.
    pub end: String,
    /// Rows in all tables.
    pub rows: u64,
    /// SHA-256 (hex) of every byte before this line, uncompressed.
    pub sha256: String,
}

/// Why an archive was refused.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// It could not be read (missing, unreadable, not gzip, or cut short).
    #[error("the archive cannot be read ({0}); it may be damaged or truncated")]
    Unreadable(#[from] std::io::Error),
    /// Its contents are not what the format says.
    #[error("the archive is damaged: {0}")]
    Damaged(String),
    /// A format version or schema this build does not know.
    #[error("{0}")]
    Unsupported(String),
}

fn damaged(what: impl Into<String>) -> ArchiveError {
    ArchiveError::Damaged(what.into())
}

/// One piece of the archive after the header.
#[derive(Debug)]
pub(super) enum Item {
    /// The rows of this table (its index in the header) follow.
    Table(usize),
    /// One row of the current table.
    Row(Vec<Value>),
    /// The secret key.
    SecretKey(Vec<u8>),
}

/// Reads an archive line by line, checking its structure and, at the end, its checksum. Every
/// item is handed out only after the line it came from was hashed, and the reader says the
/// archive is whole only once the trailer matched.
pub(super) struct ArchiveReader<R: Read> {
    lines: BufReader<flate2::read::GzDecoder<R>>,
    hash: Sha256,
    line: String,
    /// The archive's header.
    pub header: Header,
    table: Option<usize>,
    left_in_table: u64,
    rows_read: u64,
    secret_seen: bool,
    finished: bool,
}

impl<R: Read> ArchiveReader<R> {
    /// Starts reading: decompresses and checks the header.
    pub fn new(source: R) -> Result<Self, ArchiveError> {
        let mut lines = BufReader::with_capacity(1 << 16, flate2::read::GzDecoder::new(source));
        let mut hash = Sha256::new();
        let mut line = String::new();
        if lines.read_line(&mut line)? == 0 {
            return Err(damaged("it is empty"));
        }
        hash.update(line.as_bytes());
        let value: serde_json::Value =
            serde_json::from_str(&line).map_err(|_| damaged("the first line is not a Guidepost archive header"))?;
        if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT_NAME) {
            return Err(damaged("this is not a Guidepost archive"));
        }
        let version = value.get("version").and_then(|v| v.as_u64()).unwrap_or(0);
        if version != u64::from(FORMAT_VERSION) {
            return Err(ArchiveError::Unsupported(format!(
                "the archive is in format version {version}; this Guidepost reads version {FORMAT_VERSION}"
            )));
        }
        let header: Header = serde_json::from_value(value).map_err(|e| damaged(format!("its header: {e}")))?;
        Ok(Self {
            lines,
            hash,
            line,
            header,
            table: None,
            left_in_table: 0,
            rows_read: 0,
            secret_seen: false,
            finished: false,
        })
    }

    /// The next item, or `None` after the trailer was read and matched.
    pub fn next_item(&mut self) -> Result<Option<Item>, ArchiveError> {
        if self.finished {
            return Ok(None);
        }
        self.line.clear();
        if self.lines.read_line(&mut self.line)? == 0 {
            return Err(damaged("it ends early (no trailer): the file is truncated"));
        }
        if self.left_in_table > 0 {
            self.hash.update(self.line.as_bytes());
            self.left_in_table -= 1;
            self.rows_read += 1;
            return self.row().map(Some);
        }
        if self.line.starts_with("{\"table\"") {
            self.hash.update(self.line.as_bytes());
            return self.table_marker().map(Some);
        }
        if self.line.starts_with("{\"secret_key\"") {
            self.hash.update(self.line.as_bytes());
            let secret: SecretLine = serde_json::from_str(&self.line).map_err(|_| damaged("its secret key line"))?;
            use base64::Engine as _;
            let key = base64::engine::general_purpose::STANDARD
                .decode(secret.secret_key)
                .map_err(|_| damaged("its secret key is not base64"))?;
            if !self.header.secret_key_included || self.secret_seen {
                return Err(damaged("a secret key the header does not announce"));
            }
            self.secret_seen = true;
            return Ok(Some(Item::SecretKey(key)));
        }
        self.trailer()?;
        Ok(None)
    }

    fn table_marker(&mut self) -> Result<Item, ArchiveError> {
        let marker: TableMarker = serde_json::from_str(&self.line).map_err(|_| damaged("a table line"))?;
        let next = self.table.map_or(0, |t| t + 1);
        let expected =
            self.header.tables.get(next).ok_or_else(|| damaged(format!("an unannounced table {}", marker.table)))?;
        if expected.name != marker.table || expected.rows != marker.rows {
            return Err(damaged(format!("table {} where the header announces {}", marker.table, expected.name)));
        }
        self.table = Some(next);
        self.left_in_table = marker.rows;
        Ok(Item::Table(next))
    }

    fn row(&mut self) -> Result<Item, ArchiveError> {
        let Some(table) = self.table.and_then(|t| self.header.tables.get(t)) else {
            return Err(damaged("rows before any table"));
        };
        let raw: Vec<serde_json::Value> = serde_json::from_str(&self.line)
            .map_err(|_| damaged(format!("a row of {} is not a JSON array", table.name)))?;
        if raw.len() != table.columns.len() {
            return Err(damaged(format!(
                "a row of {} has {} values for {} columns",
                table.name,
                raw.len(),
                table.columns.len()
            )));
        }
        let mut values = Vec::with_capacity(raw.len());
        for (value, column) in raw.into_iter().zip(&table.columns) {
            values.push(
                Value::from_json(value, column.kind)
                    .map_err(|e| damaged(format!("{}.{}: {e}", table.name, column.name)))?,
            );
        }
        Ok(Item::Row(values))
    }

    fn trailer(&mut self) -> Result<(), ArchiveError> {
        let trailer: Trailer = serde_json::from_str(&self.line)
            .map_err(|_| damaged("a line that is neither a row, a table nor the trailer"))?;
        let announced = self.header.tables.len();
        let reached = self.table.map_or(0, |t| t + 1);
        if trailer.end != FORMAT_NAME || reached != announced {
            return Err(damaged(format!("it ends after {reached} of {announced} tables")));
        }
        if self.header.secret_key_included && !self.secret_seen {
            return Err(damaged("the secret key the header announces is missing"));
        }
        let digest = hex(&std::mem::take(&mut self.hash).finalize());
        if trailer.sha256 != digest || trailer.rows != self.rows_read {
            return Err(damaged("its checksum does not match its contents"));
        }
        let mut rest = String::new();
        if self.lines.read_line(&mut rest)? != 0 {
            return Err(damaged("there is more after its trailer"));
        }
        self.finished = true;
        Ok(())
    }
}

/// Lower-case hexadecimal of bytes.
pub(super) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}
