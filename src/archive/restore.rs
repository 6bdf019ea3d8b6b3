//! Reading an archive back: checking it whole, then filling an empty database in one
//! transaction, so a damaged archive or a failing database leaves the target as it was.

use std::io::Read;

use anyhow::Context as _;

use super::format::{ArchiveError, ArchiveReader, Header, Item};
use super::Progress;
use crate::db::bulk_load::BulkLoad;
use crate::db::models::site_tables::{self, Column, Table, Value};
use crate::db::{write_transaction, DbConnection};

/// Rows inserted per batch.
const ROWS_PER_BATCH: usize = 2_000;

/// What a restore put into the database.
#[derive(Debug)]
pub struct RestoreSummary {
    /// The archive's header (tables and row counts).
    pub header: Header,
    /// Rows inserted, all tables together.
    pub rows: u64,
    /// The site's secret key, when the archive holds it.
    pub secret_key: Option<Vec<u8>>,
}

/// Reads the whole archive and checks it (structure, every value, the checksum) without
/// touching any database; `total` is called once with the rows announced, `progress` with the
/// rows read.
pub fn verify(source: impl Read, total: &mut dyn FnMut(u64), progress: Progress<'_>) -> Result<Header, ArchiveError> {
    let mut reader = ArchiveReader::new(source)?;
    total(reader.header.tables.iter().map(|t| t.rows).sum());
    let mut since_report = 0;
    while let Some(item) = reader.next_item()? {
        if let Item::Row(_) = item {
            since_report += 1;
            if since_report == ROWS_PER_BATCH as u64 {
                progress(since_report);
                since_report = 0;
            }
        }
    }
    progress(since_report);
    Ok(reader.header)
}

/// Fills `conn`, a migrated database holding no members and no posts, with the archive's
/// rows. Everything happens in one transaction that commits only after the archive's trailer
/// matched, so a damaged or truncated archive, or a row the database refuses, writes nothing.
/// The search index is not touched: the caller rebuilds it.
pub fn restore(
    conn: &mut DbConnection,
    source: impl Read,
    total: &mut dyn FnMut(u64),
    progress: Progress<'_>,
) -> anyhow::Result<RestoreSummary> {
    let mut reader = ArchiveReader::new(source)?;
    total(reader.header.tables.iter().map(|t| t.rows).sum());
    let schema = site_tables::schema_version(conn).context("reading the database's schema version")?;
    if reader.header.schema_version > schema {
        return Err(ArchiveError::Unsupported(format!(
            "the archive's schema ({}) is newer than this Guidepost's ({schema}); restore it with the version that wrote it ({}) or newer",
            reader.header.schema_version, reader.header.guidepost_version
        ))
        .into());
    }
    for content in ["users", "posts"] {
        if site_tables::row_count(conn, content).with_context(|| format!("counting {content}"))? > 0 {
            anyhow::bail!(
                "the database already holds {content}; restore fills an empty database (create a new one, or a new SQLite file)"
            );
        }
    }
    let tables = site_tables::site_tables(conn).context("listing the database's tables")?;
    let plans = reader
        .header
        .tables
        .iter()
        .map(|entry| TablePlan::new(&tables, &entry.name, &entry.columns))
        .collect::<anyhow::Result<Vec<_>>>()?;

    let load = BulkLoad::begin(conn).context("preparing the database for loading")?;
    let loaded = write_transaction(conn, |conn| -> anyhow::Result<(u64, Option<Vec<u8>>)> {
        // Rows that migrations seed (counters, cursors) are replaced by the archive's; emptied
        // in reverse reference order, so no row is left pointing at a deleted one.
        for table in tables.iter().rev() {
            site_tables::clear(conn, &table.name).with_context(|| format!("emptying {}", table.name))?;
        }
        load_rows(conn, &mut reader, &plans, progress)
    });
    let ended = load.end(conn).context("rebuilding the indexes after loading");
    let (rows, secret_key) = loaded?;
    ended?;
    for plan in &plans {
        if let Some(key) = &plan.single_key {
            site_tables::advance_id_sequence(conn, &plan.table, key)
                .with_context(|| format!("moving the id sequence of {} past its rows", plan.table))?;
        }
    }
    Ok(RestoreSummary { header: reader.header, rows, secret_key })
}

/// Inserts the archive's rows table by table; returns the rows inserted and the secret key.
fn load_rows<R: Read>(
    conn: &mut DbConnection,
    reader: &mut ArchiveReader<R>,
    plans: &[TablePlan],
    progress: Progress<'_>,
) -> anyhow::Result<(u64, Option<Vec<u8>>)> {
    let mut current: Option<&TablePlan> = None;
    let mut batch: Vec<Vec<Value>> = Vec::with_capacity(ROWS_PER_BATCH);
    let mut held_back: Vec<HeldReference> = Vec::new();
    let mut rows = 0;
    let mut secret_key = None;
    loop {
        let item = reader.next_item()?;
        if !matches!(item, Some(Item::Row(_))) {
            if let Some(plan) = current.take() {
                let inserted = plan.insert(conn, &mut batch, &mut held_back)?;
                rows += inserted;
                progress(inserted);
                plan.set_held_back(conn, &mut held_back)?;
            }
        }
        match item {
            None => break,
            Some(Item::Table(index)) => current = plans.get(index),
            Some(Item::Row(row)) => {
                batch.push(row);
                if batch.len() == ROWS_PER_BATCH {
                    if let Some(plan) = current {
                        let inserted = plan.insert(conn, &mut batch, &mut held_back)?;
                        rows += inserted;
                        progress(inserted);
                    }
                }
            }
            Some(Item::SecretKey(key)) => secret_key = Some(key),
        }
    }
    Ok((rows, secret_key))
}

/// A reference to a row of the same table that comes later, set once that row exists.
struct HeldReference {
    key: Value,
    column: usize,
    value: Value,
}

/// How one archived table goes into the database's table of the same name.
struct TablePlan {
    table: String,
    /// The archive's columns, each of which the database's table has (with the same kind); the
    /// database's other columns take their defaults.
    columns: Vec<Column>,
    /// The name of a single-column integer key (for sequences and held-back references).
    single_key: Option<String>,
    /// Position in the archive's rows of the single key.
    key_position: Option<usize>,
    /// Positions (in the archive's rows) of columns referring to this same table.
    self_references: Vec<usize>,
}

impl TablePlan {
    fn new(tables: &[Table], name: &str, archived: &[Column]) -> anyhow::Result<TablePlan> {
        let table = tables.iter().find(|t| t.name == name).ok_or_else(|| {
            anyhow::anyhow!(
                "the archive holds a table {name} this database does not have; is it from another application?"
            )
        })?;
        for column in archived {
            let Some(target) = table.columns.iter().find(|c| c.name == column.name) else {
                anyhow::bail!("the archive's table {name} has a column {} this database does not have", column.name);
            };
            if target.kind != column.kind {
                anyhow::bail!(
                    "{name}.{}: the archive holds {:?} values, the database {:?}",
                    column.name,
                    column.kind,
                    target.kind
                );
            }
        }
        let columns = archived.to_vec();
        let single_key = match table.key.as_slice() {
            [key] if table.columns[*key].kind == site_tables::ColumnKind::Integer => {
                Some(table.columns[*key].name.clone())
            }
            _ => None,
        };
        let key_position = single_key.as_ref().and_then(|k| archived.iter().position(|c| &c.name == k));
        let self_references = table
            .self_references
            .iter()
            .filter_map(|&i| archived.iter().position(|c| c.name == table.columns[i].name))
            .collect();
        Ok(TablePlan { table: name.to_owned(), columns, single_key, key_position, self_references })
    }

    /// Inserts a batch (emptying it). A reference to a row of this table that is not yet in
    /// (a question marked a duplicate of a newer one) is inserted empty and held back; rows are
    /// inserted in key order, so that is one whose key is not below the row's own.
    fn insert(
        &self,
        conn: &mut DbConnection,
        batch: &mut Vec<Vec<Value>>,
        held_back: &mut Vec<HeldReference>,
    ) -> anyhow::Result<u64> {
        if batch.is_empty() {
            return Ok(0);
        }
        if let Some(key_position) = self.key_position {
            for row in batch.iter_mut() {
                let own = row[key_position].clone();
                for &column in &self.self_references {
                    if let (Value::Integer(refers), Value::Integer(own_id)) = (&row[column], &own) {
                        if refers >= own_id {
                            let value = std::mem::replace(&mut row[column], Value::Null);
                            held_back.push(HeldReference { key: own.clone(), column, value });
                        }
                    }
                }
            }
        }
        site_tables::insert_rows(conn, &self.table, &self.columns, batch)
            .with_context(|| format!("inserting into {}", self.table))?;
        let inserted = batch.len() as u64;
        batch.clear();
        Ok(inserted)
    }

    /// Sets the references held back, now that every row of the table is in.
    fn set_held_back(&self, conn: &mut DbConnection, held_back: &mut Vec<HeldReference>) -> anyhow::Result<()> {
        let Some(key) = &self.single_key else { return Ok(()) };
        for held in held_back.drain(..) {
            let column = &self.columns[held.column].name;
            site_tables::set_reference(conn, &self.table, key, &held.key, column, &held.value)
                .with_context(|| format!("setting {}.{column}", self.table))?;
        }
        Ok(())
    }
}
