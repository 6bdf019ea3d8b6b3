//! Every table of a site, read and written without knowing its columns in advance: what
//! `backup` and `restore` need to carry a whole site between databases of either backend.
//!
//! The tables, their columns, keys and references come from the database's own catalogue, so a
//! table added by a later migration is carried without changes here. Names are quoted wherever
//! they are written into a statement; they come from the catalogue, never from a user.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};

use crate::db::DbConnection;

mod rows;

pub use rows::{advance_id_sequence, clear, insert_rows, rows_after, set_reference, Value, TIMESTAMP_FORMAT};

/// The table diesel keeps its migration history in: part of the schema, not of the site.
const MIGRATION_TABLE: &str = "__diesel_schema_migrations";

/// What a column holds, in the few kinds both backends share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    /// A whole number (SQLite INTEGER, PostgreSQL smallint, integer, bigint).
    Integer,
    /// Text.
    Text,
    /// True or false (SQLite stores 0 and 1).
    Bool,
    /// A date and time without a zone (UTC by convention).
    Timestamp,
    /// A floating-point number.
    Float,
}

impl ColumnKind {
    /// The kind of a column declared with this type name, as the catalogue spells it.
    fn from_declared(declared: &str) -> Option<ColumnKind> {
        let declared = declared.to_ascii_lowercase();
        // SQLite keeps the declared name (INTEGER, BIGINT); PostgreSQL reports smallint,
        // integer or bigint. ("interval" also holds "int", hence no substring test.)
        Some(if matches!(declared.as_str(), "integer" | "int" | "bigint" | "smallint" | "int2" | "int4" | "int8") {
            ColumnKind::Integer
        } else if declared.starts_with("timestamp") || declared == "datetime" {
            ColumnKind::Timestamp
        } else if declared.starts_with("bool") {
            ColumnKind::Bool
        } else if declared.contains("char") || declared == "text" {
            ColumnKind::Text
        } else if declared.contains("double") || declared == "real" || declared == "float" {
            ColumnKind::Float
        } else {
            return None;
        })
    }
}

/// One column of a table.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Column {
    /// Its name.
    pub name: String,
    /// What it holds.
    pub kind: ColumnKind,
}

/// One table: its columns in order, its key and the tables it refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// Its name.
    pub name: String,
    /// Its columns, in the order the table declares them.
    pub columns: Vec<Column>,
    /// Positions (in `columns`) of the primary key's columns, in key order.
    pub key: Vec<usize>,
    /// For each column that refers to a row of this same table: its position.
    pub self_references: Vec<usize>,
    /// Other tables this one refers to.
    pub refers_to: Vec<String>,
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct ColumnRow {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    declared_type: String,
    #[diesel(sql_type = Integer)]
    key_position: i32,
}

#[derive(QueryableByName)]
struct Reference {
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    referenced: String,
}

#[derive(QueryableByName)]
struct RowJson {
    #[diesel(sql_type = Text)]
    row: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The `n`th (from 1) bind parameter. SQLite reads `$1` as a named parameter and finds each by
/// comparing its name with every one before it: in an INSERT of 15,000 values, that was four
/// fifths of a restore's time. Its anonymous `?` is positional, as `$n` is on PostgreSQL.
fn placeholder(conn: &DbConnection, n: usize) -> String {
    match conn {
        DbConnection::Sqlite(_) => "?".to_owned(),
        DbConnection::Postgresql(_) => format!("${n}"),
    }
}

/// Writes a name into SQL as a quoted identifier.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The site's tables, each listed after every other table it refers to (so rows can be
/// inserted in this order), ties broken by name.
pub fn site_tables(conn: &mut DbConnection) -> anyhow::Result<Vec<Table>> {
    let names: Vec<String> = match conn {
        DbConnection::Sqlite(_) => diesel::sql_query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        ),
        DbConnection::Postgresql(_) => diesel::sql_query(
            "SELECT table_name::text AS name FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name",
        ),
    }
    .load::<Name>(conn)?
    .into_iter()
    .map(|row| row.name)
    .filter(|name| name != MIGRATION_TABLE)
    .collect();
    let mut tables = Vec::with_capacity(names.len());
    for name in names {
        tables.push(describe(conn, name)?);
    }
    Ok(in_reference_order(tables))
}

/// Reads one table's columns, key and references from the catalogue.
fn describe(conn: &mut DbConnection, name: String) -> anyhow::Result<Table> {
    let columns: Vec<ColumnRow> = match conn {
        DbConnection::Sqlite(_) => diesel::sql_query(
            "SELECT name, type AS declared_type, pk AS key_position FROM pragma_table_info($1) ORDER BY cid",
        ),
        DbConnection::Postgresql(_) => diesel::sql_query(
            "SELECT c.column_name::text AS name, c.data_type::text AS declared_type, \
             COALESCE((SELECT k.ordinal_position::int FROM information_schema.table_constraints t \
               JOIN information_schema.key_column_usage k ON k.constraint_name = t.constraint_name \
                 AND k.table_schema = t.table_schema AND k.table_name = t.table_name \
               WHERE t.table_schema = c.table_schema AND t.table_name = c.table_name \
                 AND t.constraint_type = 'PRIMARY KEY' AND k.column_name = c.column_name), 0) AS key_position \
             FROM information_schema.columns c \
             WHERE c.table_schema = current_schema() AND c.table_name = $1 ORDER BY c.ordinal_position",
        ),
    }
    .bind::<Text, _>(&name)
    .load(conn)?;
    let references: Vec<Reference> = match conn {
        DbConnection::Sqlite(_) => diesel::sql_query(
            "SELECT \"from\" AS column_name, \"table\" AS referenced FROM pragma_foreign_key_list($1)",
        ),
        DbConnection::Postgresql(_) => diesel::sql_query(
            "SELECT k.column_name::text AS column_name, u.table_name::text AS referenced \
             FROM information_schema.table_constraints t \
             JOIN information_schema.key_column_usage k ON k.constraint_name = t.constraint_name \
               AND k.table_schema = t.table_schema \
             JOIN information_schema.constraint_column_usage u ON u.constraint_name = t.constraint_name \
               AND u.table_schema = t.table_schema \
             WHERE t.constraint_type = 'FOREIGN KEY' AND t.table_schema = current_schema() AND t.table_name = $1",
        ),
    }
    .bind::<Text, _>(&name)
    .load(conn)?;

    let mut keyed: Vec<(i32, usize)> = Vec::new();
    let mut described = Vec::with_capacity(columns.len());
    for (position, column) in columns.into_iter().enumerate() {
        let kind = ColumnKind::from_declared(&column.declared_type).ok_or_else(|| {
            anyhow::anyhow!("{name}.{}: columns of type {} cannot be carried", column.name, column.declared_type)
        })?;
        if column.key_position > 0 {
            keyed.push((column.key_position, position));
        }
        described.push(Column { name: column.name, kind });
    }
    keyed.sort_unstable();
    if keyed.is_empty() {
        anyhow::bail!("table {name} has no primary key, so it cannot be read in order");
    }
    let mut self_references = Vec::new();
    let mut refers_to = Vec::new();
    for reference in references {
        if reference.referenced == name {
            if let Some(position) = described.iter().position(|c| c.name == reference.column_name) {
                self_references.push(position);
            }
        } else if !refers_to.contains(&reference.referenced) {
            refers_to.push(reference.referenced);
        }
    }
    Ok(Table {
        key: keyed.into_iter().map(|(_, position)| position).collect(),
        name,
        columns: described,
        self_references,
        refers_to,
    })
}

/// Orders tables so that each comes after the tables it refers to. A cycle between tables
/// (none today) keeps the remaining tables in name order rather than looping.
fn in_reference_order(mut pending: Vec<Table>) -> Vec<Table> {
    let mut ordered: Vec<Table> = Vec::with_capacity(pending.len());
    while !pending.is_empty() {
        let ready = pending
            .iter()
            .position(|t| {
                t.refers_to
                    .iter()
                    .all(|r| ordered.iter().any(|o| &o.name == r) || !pending.iter().any(|p| &p.name == r))
            })
            .unwrap_or(0);
        ordered.push(pending.remove(ready));
    }
    ordered
}

/// How many rows a table holds.
pub fn row_count(conn: &mut DbConnection, table: &str) -> QueryResult<i64> {
    diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {}", quoted(table))).get_result::<Count>(conn).map(|c| c.n)
}

/// Starts a read-only transaction that sees one moment of the database until it ends, while
/// other connections go on writing: SQLite's WAL keeps the pages this reader started with;
/// PostgreSQL's repeatable read keeps one snapshot for every statement.
pub fn begin_snapshot(conn: &mut DbConnection) -> QueryResult<()> {
    let begin = match conn {
        DbConnection::Sqlite(_) => "BEGIN",
        DbConnection::Postgresql(_) => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
    };
    diesel::sql_query(begin).execute(conn)?;
    if matches!(conn, DbConnection::Sqlite(_)) {
        // SQLite takes its snapshot at the first read, not at BEGIN: read now, so that the
        // moment is the one `backup` started at.
        diesel::sql_query("SELECT COUNT(*) AS n FROM sqlite_master").get_result::<Count>(conn)?;
    }
    Ok(())
}

/// Ends the transaction [`begin_snapshot`] started.
pub fn end_snapshot(conn: &mut DbConnection) -> QueryResult<()> {
    diesel::sql_query("COMMIT").execute(conn).map(|_| ())
}

/// The newest migration applied to this database (the schema an archive's rows fit).
pub fn schema_version(conn: &mut DbConnection) -> QueryResult<String> {
    diesel::sql_query(format!("SELECT COALESCE(MAX(version), '') AS name FROM {MIGRATION_TABLE}"))
        .get_result::<Name>(conn)
        .map(|row| row.name)
}
