//! Every table of a site, read and written without knowing its columns in advance: what
//! `backup` and `restore` need to carry a whole site between databases of either backend.
//!
//! The tables, their columns, keys and references come from the database's own catalogue, so a
//! table added by a later migration is carried without changes here. Names are quoted wherever
//! they are written into a statement; they come from the catalogue, never from a user.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::query_builder::BoxedSqlQuery;
use diesel::sql_types::{BigInt, Bool, Double, Integer, Nullable, Text, Timestamp};

use crate::db::{DbConnection, MultiBackend};

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

/// One value of a row, as carried between backends.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// No value.
    Null,
    /// A whole number.
    Integer(i64),
    /// Text.
    Text(String),
    /// True or false.
    Bool(bool),
    /// A date and time.
    Timestamp(NaiveDateTime),
    /// A floating-point number.
    Float(f64),
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

/// Up to `limit` rows of `table` after the row whose key is `after` (from the start when
/// `None`), in key order, as values of each column's kind.
pub fn rows_after(
    conn: &mut DbConnection,
    table: &Table,
    after: Option<&[Value]>,
    limit: usize,
) -> anyhow::Result<Vec<Vec<Value>>> {
    let columns: Vec<String> = table.columns.iter().map(|c| quoted(&c.name)).collect();
    let key: Vec<String> = table.key.iter().map(|&i| quoted(&table.columns[i].name)).collect();
    let as_json = match conn {
        DbConnection::Sqlite(_) => format!("json_array({})", columns.join(", ")),
        // json_build_array takes at most 100 arguments; tables here have a few dozen columns.
        DbConnection::Postgresql(_) => format!("json_build_array({})::text", columns.join(", ")),
    };
    let mut sql = format!("SELECT {as_json} AS row FROM {}", quoted(&table.name));
    if after.is_some() {
        let places: Vec<String> = (1..=key.len()).map(|n| placeholder(conn, n)).collect();
        sql.push_str(&format!(" WHERE ({}) > ({})", key.join(", "), places.join(", ")));
    }
    sql.push_str(&format!(" ORDER BY {} LIMIT {limit}", key.join(", ")));
    let mut query = diesel::sql_query(sql).into_boxed::<MultiBackend>();
    if let Some(after) = after {
        for value in after {
            query = bind_value(query, value, ColumnKind::Text)?;
        }
    }
    let rows: Vec<RowJson> = query.load(conn)?;
    rows.iter().map(|row| row_values(table, &row.row)).collect()
}

/// Reads one row as the database wrote it in JSON into values of its columns' kinds.
fn row_values(table: &Table, json: &str) -> anyhow::Result<Vec<Value>> {
    let raw: Vec<serde_json::Value> = serde_json::from_str(json)?;
    if raw.len() != table.columns.len() {
        anyhow::bail!("{}: a row of {} values for {} columns", table.name, raw.len(), table.columns.len());
    }
    raw.into_iter()
        .zip(&table.columns)
        .map(|(value, column)| {
            Value::from_json(value, column.kind).map_err(|e| anyhow::anyhow!("{}.{}: {e}", table.name, column.name))
        })
        .collect()
}

impl Value {
    /// A JSON value read as a column of `kind` (how either backend or an archive writes it).
    pub fn from_json(value: serde_json::Value, kind: ColumnKind) -> Result<Value, String> {
        use serde_json::Value as Json;
        Ok(match (kind, value) {
            (_, Json::Null) => Value::Null,
            (ColumnKind::Integer, Json::Number(n)) => Value::Integer(n.as_i64().ok_or("not a whole number")?),
            (ColumnKind::Bool, Json::Bool(b)) => Value::Bool(b),
            // SQLite keeps booleans as 0 and 1.
            (ColumnKind::Bool, Json::Number(n)) => Value::Bool(n.as_i64().ok_or("not a boolean")? != 0),
            (ColumnKind::Float, Json::Number(n)) => Value::Float(n.as_f64().ok_or("not a number")?),
            (ColumnKind::Text, Json::String(s)) => Value::Text(s),
            (ColumnKind::Timestamp, Json::String(s)) => Value::Timestamp(parse_timestamp(&s)?),
            (kind, other) => return Err(format!("{other} is not a {kind:?} value")),
        })
    }

    /// The value as an archive writes it.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as Json;
        match self {
            Value::Null => Json::Null,
            Value::Integer(n) => Json::from(*n),
            Value::Text(s) => Json::from(s.as_str()),
            Value::Bool(b) => Json::from(*b),
            Value::Timestamp(t) => Json::from(t.format(TIMESTAMP_FORMAT).to_string()),
            Value::Float(f) => Json::from(*f),
        }
    }
}

/// How an archive writes a timestamp: ISO 8601 without a zone, with as many fractional digits
/// as the value has (PostgreSQL keeps microseconds, SQLite what it was given).
pub const TIMESTAMP_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.f";

/// Reads a timestamp as PostgreSQL's JSON (`T` between date and time) or SQLite's text (a
/// space) writes it.
fn parse_timestamp(text: &str) -> Result<NaiveDateTime, String> {
    NaiveDateTime::parse_from_str(text, TIMESTAMP_FORMAT)
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f"))
        .map_err(|_| format!("{text:?} is not a timestamp"))
}

/// Binds one value; a key value binds by its own kind, a NULL by the column's.
fn bind_value<'a>(
    query: BoxedSqlQuery<'a, MultiBackend, diesel::query_builder::SqlQuery>,
    value: &Value,
    kind: ColumnKind,
) -> anyhow::Result<BoxedSqlQuery<'a, MultiBackend, diesel::query_builder::SqlQuery>> {
    Ok(match value {
        Value::Integer(n) => query.bind::<BigInt, _>(*n),
        Value::Text(s) => query.bind::<Text, _>(s.clone()),
        Value::Bool(b) => query.bind::<Bool, _>(*b),
        Value::Timestamp(t) => query.bind::<Timestamp, _>(*t),
        Value::Float(f) => query.bind::<Double, _>(*f),
        Value::Null => match kind {
            ColumnKind::Integer => query.bind::<Nullable<BigInt>, _>(None::<i64>),
            ColumnKind::Text => query.bind::<Nullable<Text>, _>(None::<String>),
            ColumnKind::Bool => query.bind::<Nullable<Bool>, _>(None::<bool>),
            ColumnKind::Timestamp => query.bind::<Nullable<Timestamp>, _>(None::<NaiveDateTime>),
            ColumnKind::Float => query.bind::<Nullable<Double>, _>(None::<f64>),
        },
    })
}

/// The most values one statement binds: under SQLite's limit (32,766) and PostgreSQL's (65,535).
const MAX_BINDS: usize = 30_000;
/// The most rows one INSERT carries.
const MAX_ROWS_PER_INSERT: usize = 500;

/// Inserts rows given as values of `columns` (a subset of the table's, by name) into `table`.
pub fn insert_rows(
    conn: &mut DbConnection,
    table: &str,
    columns: &[Column],
    rows: &[Vec<Value>],
) -> anyhow::Result<()> {
    if columns.is_empty() || rows.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = columns.iter().map(|c| quoted(&c.name)).collect();
    let per_statement = (MAX_BINDS / columns.len()).clamp(1, MAX_ROWS_PER_INSERT);
    for part in rows.chunks(per_statement) {
        let mut sql = format!("INSERT INTO {} ({}) VALUES ", quoted(table), names.join(", "));
        let mut place = 0;
        for (n, _) in part.iter().enumerate() {
            if n > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for c in 0..columns.len() {
                if c > 0 {
                    sql.push_str(", ");
                }
                place += 1;
                sql.push_str(&placeholder(conn, place));
            }
            sql.push(')');
        }
        let mut query = diesel::sql_query(sql).into_boxed::<MultiBackend>();
        for row in part {
            for (value, column) in row.iter().zip(columns) {
                query = bind_value(query, value, column.kind)?;
            }
        }
        query.execute(conn)?;
    }
    Ok(())
}

/// Sets `column` of the row whose single-column key `key_column` is `key` to `value`: the
/// references `restore` holds back until the row referred to exists.
pub fn set_reference(
    conn: &mut DbConnection,
    table: &str,
    key_column: &str,
    key: &Value,
    column: &str,
    value: &Value,
) -> anyhow::Result<()> {
    let sql = format!("UPDATE {} SET {} = $1 WHERE {} = $2", quoted(table), quoted(column), quoted(key_column));
    let query = diesel::sql_query(sql).into_boxed::<MultiBackend>();
    let query = bind_value(query, value, ColumnKind::Integer)?;
    bind_value(query, key, ColumnKind::Integer)?.execute(conn)?;
    Ok(())
}

/// Deletes every row of `table` (a fresh site's seeded rows, before a restore replaces them).
pub fn clear(conn: &mut DbConnection, table: &str) -> QueryResult<()> {
    diesel::sql_query(format!("DELETE FROM {}", quoted(table))).execute(conn).map(|_| ())
}

/// After rows were inserted with their own ids: moves PostgreSQL's id sequence of `table` past
/// the highest id, so the next row the site adds gets a new one. (SQLite's rowids follow by
/// themselves.)
pub fn advance_id_sequence(conn: &mut DbConnection, table: &str, key_column: &str) -> QueryResult<()> {
    if matches!(conn, DbConnection::Sqlite(_)) {
        return Ok(());
    }
    // setval of NULL (a key without a sequence) is NULL and changes nothing.
    let sql = format!(
        "SELECT COALESCE(setval(pg_get_serial_sequence($1, $2), (SELECT COALESCE(MAX({column}), 0) + 1 FROM {table}), false), 0) AS n",
        column = quoted(key_column),
        table = quoted(table),
    );
    diesel::sql_query(sql).bind::<Text, _>(table).bind::<Text, _>(key_column).get_result::<Count>(conn).map(|_| ())
}

/// The newest migration applied to this database (the schema an archive's rows fit).
pub fn schema_version(conn: &mut DbConnection) -> QueryResult<String> {
    diesel::sql_query(format!("SELECT COALESCE(MAX(version), '') AS name FROM {MIGRATION_TABLE}"))
        .get_result::<Name>(conn)
        .map(|row| row.name)
}
