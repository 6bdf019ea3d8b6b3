//! A table's rows as values of the few kinds both backends share: read a page at a time in key
//! order, and written back in multi-row INSERTs.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::query_builder::BoxedSqlQuery;
use diesel::sql_types::{BigInt, Bool, Double, Nullable, Text, Timestamp};

use super::{placeholder, quoted, Column, ColumnKind, Count, RowJson, Table};
use crate::db::{DbConnection, MultiBackend};

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
