//! Reading a Stack Exchange data-dump file as a stream of `<row .../>` elements.
//!
//! Memory stays flat whatever the file's size: one row's attributes at a time. A file that is
//! not well-formed, or that ends before its root element closes (a truncated download), is an
//! error naming the file and the line.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};

use quick_xml::events::Event;
use quick_xml::Reader;

/// A dump file could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{file}, line {line}: {message}")]
pub struct DumpError {
    /// The file's name.
    pub file: String,
    /// The 1-based line where reading stopped.
    pub line: u64,
    /// What was wrong.
    pub message: String,
}

/// One `<row>`: its attributes, unescaped.
#[derive(Debug, Default, Clone)]
pub struct Row {
    attributes: Vec<(String, String)>,
    /// The 1-based line it started on, for messages about it.
    pub line: u64,
}

impl Row {
    /// An attribute's value.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.attributes.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
    }

    /// An attribute parsed as an integer; absent or malformed is `None`.
    pub fn int(&self, name: &str) -> Option<i64> {
        self.get(name).and_then(|v| v.trim().parse().ok())
    }
}

/// Counts the bytes and newlines the XML reader has consumed.
struct Counting<R> {
    inner: R,
    bytes: u64,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }
}

/// A dump file being read row by row.
pub struct DumpReader {
    reader: Reader<BufReader<Counting<File>>>,
    buf: Vec<u8>,
    path: PathBuf,
    name: String,
    depth: usize,
    finished: bool,
    /// The 1-based line the reader is on.
    line: u64,
    /// The attributes to keep; `None` keeps all.
    keep: Option<&'static [&'static str]>,
}

impl DumpReader {
    /// Opens `dir/name`; `Ok(None)` when the file does not exist (optional files).
    pub fn open(dir: &Path, name: &str) -> Result<Option<DumpReader>, DumpError> {
        let path = dir.join(name);
        let file = match File::open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(DumpError { file: name.to_owned(), line: 0, message: e.to_string() }),
        };
        let reader = Reader::from_reader(BufReader::with_capacity(1 << 16, Counting { inner: file, bytes: 0 }));
        Ok(Some(DumpReader {
            reader,
            buf: Vec::with_capacity(4096),
            path,
            name: name.to_owned(),
            depth: 0,
            finished: false,
            line: 1,
            keep: None,
        }))
    }

    /// Keeps only these attributes of each row. Unescaping and copying every value is most of
    /// the cost of reading a row, and the largest values (bodies, history texts, profiles) are
    /// often not needed.
    #[must_use]
    pub fn keeping(mut self, names: &'static [&'static str]) -> DumpReader {
        self.keep = Some(names);
        self
    }

    /// The file's size in bytes, for a progress bar.
    pub fn size(&self) -> u64 {
        std::fs::metadata(&self.path).map(|m| m.len()).unwrap_or(0)
    }

    /// Bytes read from the file so far.
    pub fn bytes_read(&self) -> u64 {
        self.reader.get_ref().get_ref().bytes
    }

    /// The next row, `Ok(None)` once the root element closed.
    pub fn next_row(&mut self) -> Result<Option<Row>, DumpError> {
        if self.finished {
            return Ok(None);
        }
        loop {
            self.buf.clear();
            let event = match self.reader.read_event_into(&mut self.buf) {
                Ok(event) => event,
                Err(e) => return Err(self.error_at(&format!("not well-formed XML ({e})"))),
            };
            match event {
                Event::Start(_) => self.depth += 1,
                Event::End(_) => {
                    self.depth = self.depth.saturating_sub(1);
                    if self.depth == 0 {
                        self.finished = true;
                        return Ok(None);
                    }
                }
                // Rows are one a line: the whitespace between them carries the newlines.
                Event::Text(text) => self.line += newlines(text.as_ref()),
                Event::Empty(element) if self.depth == 1 && element.name().as_ref() == b"row" => {
                    let line = self.line;
                    self.line += newlines(element.as_ref());
                    let mut attributes = Vec::with_capacity(16);
                    for attribute in element.attributes() {
                        let attribute = attribute.map_err(|e| format!("bad attribute ({e})"));
                        if let (Ok(a), Some(keep)) = (&attribute, self.keep) {
                            if !keep.iter().any(|name| name.as_bytes() == a.key.as_ref()) {
                                continue;
                            }
                        }
                        let parsed = attribute.and_then(|a| {
                            let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
                            a.normalized_value(quick_xml::XmlVersion::Explicit1_0)
                                .map(|v| (key, v.into_owned()))
                                .map_err(|e| format!("bad attribute value ({e})"))
                        });
                        match parsed {
                            Ok(pair) => attributes.push(pair),
                            Err(message) => return Err(DumpError { file: self.name.clone(), line, message }),
                        }
                    }
                    return Ok(Some(Row { attributes, line }));
                }
                Event::Eof => {
                    let message = if self.depth == 0 {
                        "the file has no root element".to_owned()
                    } else {
                        "the file ends before its root element closes (truncated?)".to_owned()
                    };
                    return Err(self.error_at(&message));
                }
                // The declaration, a byte-order mark, whitespace, comments, other elements.
                _ => {}
            }
        }
    }

    fn error_at(&self, message: &str) -> DumpError {
        DumpError { file: self.name.clone(), line: self.line, message: message.to_owned() }
    }
}

fn newlines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|b| **b == b'\n').count() as u64
}
