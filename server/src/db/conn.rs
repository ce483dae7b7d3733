//! One interface over the two backends, so each table group's code is written once.
//!
//! [`Conn`] is the connection the database thread owns: SQLite (`rusqlite`, the embedded
//! default) or PostgreSQL (`postgres`, see `postgres.rs`). Statements are written once, in the
//! SQL both dialects accept, with numbered parameters `?1`, `?2`, ... (SQLite's own form; the
//! PostgreSQL side rewrites them to `$1`, `$2`, ... once per statement and keeps it prepared).
//! Parameters are [`Param`]s, rows are read through [`Row`] into the protocol's integer types,
//! and errors are [`SqlError`]s that say whether a constraint was broken, whichever backend
//! raised them. Where the dialects differ (connection settings, the schema version, durability,
//! sequences), [`Conn`] matches on its variant; [`Conn::dialect`] lets a caller do the same.
//!
//! SQLite keeps its direct path: its statements are cached by `rusqlite` as before and
//! parameters are bound without copying, so the embedded default pays nothing for the other
//! backend.

use std::fmt;

use super::DbError;
use super::postgres::PgConn;

/// Which SQL dialect a connection speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

/// The connection the database thread owns.
pub(crate) enum Conn {
    Sqlite(rusqlite::Connection),
    /// Boxed: it is several times SQLite's size, and there is one per thread.
    Postgres(Box<PgConn>),
}

/// A value bound to a statement parameter. Every integer column is a 64-bit integer on both
/// backends, so every integer type binds as one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Value<'a> {
    Null,
    Int(i64),
    Text(&'a str),
}

/// A column value read whole (the database copy moves rows as these).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Cell {
    Null,
    Int(i64),
    Text(String),
}

/// Something that binds as a statement parameter.
pub(crate) trait Param {
    fn value(&self) -> Value<'_>;
}

macro_rules! int_params {
    ($($t:ty),*) => {$(
        impl Param for $t {
            fn value(&self) -> Value<'_> {
                Value::Int(i64::from(*self))
            }
        }
    )*};
}
int_params!(i64, i32, u8, u16, u32, bool);

impl Param for str {
    fn value(&self) -> Value<'_> {
        Value::Text(self)
    }
}

impl Param for String {
    fn value(&self) -> Value<'_> {
        Value::Text(self)
    }
}

impl<T: Param + ?Sized> Param for &T {
    fn value(&self) -> Value<'_> {
        (**self).value()
    }
}

impl<T: Param> Param for Option<T> {
    fn value(&self) -> Value<'_> {
        self.as_ref().map_or(Value::Null, Param::value)
    }
}

impl Param for Cell {
    fn value(&self) -> Value<'_> {
        match self {
            Cell::Null => Value::Null,
            Cell::Int(v) => Value::Int(*v),
            Cell::Text(s) => Value::Text(s),
        }
    }
}

/// The parameters of a statement, in order: `params![a, b]` binds `?1` to `a` and `?2` to `b`.
macro_rules! params {
    ($($value:expr),* $(,)?) => {
        &[$(&$value as &dyn $crate::db::conn::Param),*] as &[&dyn $crate::db::conn::Param]
    };
}
pub(crate) use params;

impl rusqlite::ToSql for Value<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, Value as Owned, ValueRef};
        Ok(match *self {
            Value::Null => ToSqlOutput::Owned(Owned::Null),
            Value::Int(v) => ToSqlOutput::Owned(Owned::Integer(v)),
            Value::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
        })
    }
}

/// A database error, from either backend.
#[derive(Debug)]
pub(crate) enum SqlError {
    Sqlite(rusqlite::Error),
    Postgres(postgres::Error),
    /// A value the server cannot read (a column of another type, an integer out of range).
    Value(String),
}

impl fmt::Display for SqlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SqlError::Sqlite(e) => write!(f, "sqlite: {e}"),
            SqlError::Postgres(e) => write!(f, "postgres: {}", super::postgres::describe(e)),
            SqlError::Value(e) => write!(f, "{e}"),
        }
    }
}

impl From<rusqlite::Error> for SqlError {
    fn from(error: rusqlite::Error) -> Self {
        SqlError::Sqlite(error)
    }
}

impl From<postgres::Error> for SqlError {
    fn from(error: postgres::Error) -> Self {
        SqlError::Postgres(error)
    }
}

impl From<SqlError> for DbError {
    fn from(error: SqlError) -> Self {
        DbError::Database(error.to_string())
    }
}

impl SqlError {
    /// A UNIQUE (or PRIMARY KEY) constraint violation.
    pub(crate) fn is_unique_violation(&self) -> bool {
        match self {
            SqlError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => {
                e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                    || e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
            }
            SqlError::Postgres(e) => e.code() == Some(&postgres::error::SqlState::UNIQUE_VIOLATION),
            _ => false,
        }
    }

    /// A FOREIGN KEY constraint violation.
    pub(crate) fn is_foreign_key_violation(&self) -> bool {
        match self {
            SqlError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => {
                e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY
            }
            SqlError::Postgres(e) => {
                e.code() == Some(&postgres::error::SqlState::FOREIGN_KEY_VIOLATION)
            }
            _ => false,
        }
    }

    /// A constraint violation of any kind (CHECK, UNIQUE, NOT NULL, FOREIGN KEY, ...).
    pub(crate) fn is_constraint_violation(&self) -> bool {
        match self {
            SqlError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => {
                e.code == rusqlite::ErrorCode::ConstraintViolation
            }
            // Class 23: integrity constraint violation.
            SqlError::Postgres(e) => e.code().is_some_and(|c| c.code().starts_with("23")),
            _ => false,
        }
    }
}

/// A column, by name or by position (from 0).
pub(crate) trait ColumnIndex: Copy + fmt::Display + rusqlite::RowIndex {
    /// Its position among a PostgreSQL row's columns.
    fn position(self, columns: &[postgres::Column]) -> Option<usize>;
}

impl ColumnIndex for usize {
    fn position(self, columns: &[postgres::Column]) -> Option<usize> {
        (self < columns.len()).then_some(self)
    }
}

impl ColumnIndex for &str {
    fn position(self, columns: &[postgres::Column]) -> Option<usize> {
        columns.iter().position(|c| c.name() == self)
    }
}

/// A row of a result, from either backend.
pub(crate) enum Row<'a> {
    Sqlite(&'a rusqlite::Row<'a>),
    Postgres(&'a postgres::Row),
}

impl Row<'_> {
    /// The column as `T` (an integer type, `bool`, `String`, or an `Option` of one).
    pub(crate) fn get<T: FromCell, I: ColumnIndex>(&self, column: I) -> Result<T, SqlError> {
        T::from_cell(self.cell(column)?)
            .map_err(|why| SqlError::Value(format!("column {column}: {why}")))
    }

    /// The column as it is stored.
    pub(crate) fn cell<I: ColumnIndex>(&self, column: I) -> Result<Cell, SqlError> {
        match self {
            Row::Sqlite(row) => {
                use rusqlite::types::ValueRef;
                Ok(match row.get_ref(column)? {
                    ValueRef::Null => Cell::Null,
                    ValueRef::Integer(v) => Cell::Int(v),
                    ValueRef::Text(bytes) => Cell::Text(
                        std::str::from_utf8(bytes)
                            .map_err(|_| {
                                SqlError::Value(format!("column {column}: text is not UTF-8"))
                            })?
                            .to_owned(),
                    ),
                    other => {
                        return Err(SqlError::Value(format!(
                            "column {column}: a {:?} value, where an integer or text was expected",
                            other.data_type()
                        )));
                    }
                })
            }
            Row::Postgres(row) => {
                let index = column
                    .position(row.columns())
                    .ok_or_else(|| SqlError::Value(format!("no column {column}")))?;
                super::postgres::cell(row, index)
            }
        }
    }

    /// The names of the row's columns, in order.
    pub(crate) fn column_names(&self) -> Vec<String> {
        match self {
            Row::Sqlite(row) => row
                .as_ref()
                .column_names()
                .into_iter()
                .map(str::to_owned)
                .collect(),
            Row::Postgres(row) => row.columns().iter().map(|c| c.name().to_owned()).collect(),
        }
    }
}

/// A type a column converts to.
pub(crate) trait FromCell: Sized {
    fn from_cell(cell: Cell) -> Result<Self, String>;
}

macro_rules! int_cells {
    ($($t:ty),*) => {$(
        impl FromCell for $t {
            fn from_cell(cell: Cell) -> Result<Self, String> {
                match cell {
                    Cell::Int(v) => <$t>::try_from(v)
                        .map_err(|_| format!("{v} does not fit a {}", stringify!($t))),
                    other => Err(format!("expected an integer, found {other:?}")),
                }
            }
        }
    )*};
}
int_cells!(i64, u8, u16, u32);

impl FromCell for bool {
    fn from_cell(cell: Cell) -> Result<Self, String> {
        match cell {
            Cell::Int(v) => Ok(v != 0),
            other => Err(format!("expected a boolean, found {other:?}")),
        }
    }
}

impl FromCell for String {
    fn from_cell(cell: Cell) -> Result<Self, String> {
        match cell {
            Cell::Text(s) => Ok(s),
            other => Err(format!("expected text, found {other:?}")),
        }
    }
}

impl<T: FromCell> FromCell for Option<T> {
    fn from_cell(cell: Cell) -> Result<Self, String> {
        match cell {
            Cell::Null => Ok(None),
            other => T::from_cell(other).map(Some),
        }
    }
}

impl FromCell for Cell {
    fn from_cell(cell: Cell) -> Result<Self, String> {
        Ok(cell)
    }
}

fn sqlite_params<'p>(
    params: &'p [&'p dyn Param],
) -> rusqlite::ParamsFromIter<impl Iterator<Item = Value<'p>>> {
    rusqlite::params_from_iter(params.iter().map(|p| p.value()))
}

impl Conn {
    pub(crate) fn dialect(&self) -> Dialect {
        match self {
            Conn::Sqlite(_) => Dialect::Sqlite,
            Conn::Postgres(_) => Dialect::Postgres,
        }
    }

    /// Runs a statement; returns how many rows it changed.
    pub(crate) fn execute(&mut self, sql: &str, params: &[&dyn Param]) -> Result<usize, SqlError> {
        match self {
            Conn::Sqlite(conn) => Ok(conn.prepare_cached(sql)?.execute(sqlite_params(params))?),
            Conn::Postgres(pg) => pg.execute(sql, params),
        }
    }

    /// Runs one statement once for each list of parameters, preparing it once.
    pub(crate) fn execute_each<'v, const N: usize>(
        &mut self,
        sql: &str,
        rows: impl IntoIterator<Item = [Value<'v>; N]>,
    ) -> Result<(), SqlError> {
        match self {
            Conn::Sqlite(conn) => {
                let mut statement = conn.prepare_cached(sql)?;
                for row in rows {
                    statement.execute(rusqlite::params_from_iter(row))?;
                }
            }
            Conn::Postgres(pg) => {
                for row in rows {
                    pg.execute_values(sql, &row)?;
                }
            }
        }
        Ok(())
    }

    /// The rows of a query, each read by `read`.
    pub(crate) fn query<T>(
        &mut self,
        sql: &str,
        params: &[&dyn Param],
        mut read: impl FnMut(&Row<'_>) -> Result<T, SqlError>,
    ) -> Result<Vec<T>, SqlError> {
        match self {
            Conn::Sqlite(conn) => {
                let mut statement = conn.prepare_cached(sql)?;
                let mut rows = statement.query(sqlite_params(params))?;
                let mut out = Vec::new();
                while let Some(row) = rows.next()? {
                    out.push(read(&Row::Sqlite(row))?);
                }
                Ok(out)
            }
            Conn::Postgres(pg) => pg
                .query(sql, params)?
                .iter()
                .map(|row| read(&Row::Postgres(row)))
                .collect(),
        }
    }

    /// The first row of a query, read by `read`; `None` if there is none.
    pub(crate) fn query_opt<T>(
        &mut self,
        sql: &str,
        params: &[&dyn Param],
        read: impl FnOnce(&Row<'_>) -> Result<T, SqlError>,
    ) -> Result<Option<T>, SqlError> {
        match self {
            Conn::Sqlite(conn) => {
                let mut statement = conn.prepare_cached(sql)?;
                let mut rows = statement.query(sqlite_params(params))?;
                match rows.next()? {
                    Some(row) => read(&Row::Sqlite(row)).map(Some),
                    None => Ok(None),
                }
            }
            Conn::Postgres(pg) => match pg.query(sql, params)?.first() {
                Some(row) => read(&Row::Postgres(row)).map(Some),
                None => Ok(None),
            },
        }
    }

    /// The first row of a query, which must return one (an aggregate, `RETURNING`, ...).
    pub(crate) fn query_row<T>(
        &mut self,
        sql: &str,
        params: &[&dyn Param],
        read: impl FnOnce(&Row<'_>) -> Result<T, SqlError>,
    ) -> Result<T, SqlError> {
        self.query_opt(sql, params, read)?
            .ok_or_else(|| SqlError::Value(format!("no row returned by {sql}")))
    }

    /// The single value of a one-row, one-column query.
    pub(crate) fn query_value<T: FromCell>(
        &mut self,
        sql: &str,
        params: &[&dyn Param],
    ) -> Result<T, SqlError> {
        self.query_row(sql, params, |row| row.get(0))
    }

    /// Runs statements without parameters, separated by semicolons.
    pub(crate) fn execute_batch(&mut self, sql: &str) -> Result<(), SqlError> {
        match self {
            Conn::Sqlite(conn) => Ok(conn.execute_batch(sql)?),
            Conn::Postgres(pg) => pg.batch(sql, true),
        }
    }

    /// Starts a write transaction, rolled back unless committed. On SQLite it takes the write
    /// lock at once (`BEGIN IMMEDIATE`), so a transaction that reads before it writes cannot
    /// fail half-way on a lock another connection (a backup tool) holds.
    pub(crate) fn transaction(&mut self) -> Result<Tx<'_>, SqlError> {
        match self {
            Conn::Sqlite(conn) => conn.execute_batch("BEGIN IMMEDIATE")?,
            Conn::Postgres(pg) => pg.batch("BEGIN", false)?,
        }
        Ok(Tx { conn: self })
    }

    /// Starts a read-only transaction that sees one snapshot of the database throughout.
    pub(crate) fn read_transaction(&mut self) -> Result<Tx<'_>, SqlError> {
        match self {
            // In WAL mode the snapshot is taken at the first read and holds no lock writers
            // wait for.
            Conn::Sqlite(conn) => conn.execute_batch("BEGIN DEFERRED")?,
            Conn::Postgres(pg) => {
                pg.batch("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", false)?
            }
        }
        Ok(Tx { conn: self })
    }

    /// Whether a transaction may be open: a job that leaves one open has it rolled back
    /// before the next job runs.
    pub(crate) fn in_transaction(&self) -> bool {
        match self {
            Conn::Sqlite(conn) => !conn.is_autocommit(),
            Conn::Postgres(pg) => pg.maybe_in_transaction(),
        }
    }

    /// Rolls back the open transaction, if any.
    pub(crate) fn rollback(&mut self) -> Result<(), SqlError> {
        match self {
            Conn::Sqlite(conn) => Ok(conn.execute_batch("ROLLBACK")?),
            Conn::Postgres(pg) => pg.batch("ROLLBACK", false),
        }
    }

    /// Makes the commits of the jobs that follow synced to disk (or not): see
    /// `Db::call_durable`.
    pub(crate) fn set_durable(&mut self, durable: bool) -> Result<(), SqlError> {
        match self {
            Conn::Sqlite(conn) => {
                let level = if durable { "FULL" } else { "NORMAL" };
                Ok(conn.pragma_update(None, "synchronous", level)?)
            }
            Conn::Postgres(pg) => pg.set_durable(durable),
        }
    }
}

/// A transaction: rolled back when dropped, unless committed. It derefs to the connection.
pub(crate) struct Tx<'c> {
    conn: &'c mut Conn,
}

impl Tx<'_> {
    pub(crate) fn commit(self) -> Result<(), SqlError> {
        let mut this = std::mem::ManuallyDrop::new(self);
        match &mut *this.conn {
            Conn::Sqlite(conn) => Ok(conn.execute_batch("COMMIT")?),
            Conn::Postgres(pg) => pg.batch("COMMIT", false),
        }
    }

    /// Marks a point to roll back to ([`Tx::rollback_to`]) without losing the rest.
    pub(crate) fn savepoint(&mut self, name: &str) -> Result<(), SqlError> {
        self.internal_batch(&format!("SAVEPOINT {name}"))
    }

    /// Undoes what was done since the savepoint; the transaction goes on.
    pub(crate) fn rollback_to(&mut self, name: &str) -> Result<(), SqlError> {
        self.internal_batch(&format!("ROLLBACK TO SAVEPOINT {name}"))
    }

    /// Forgets the savepoint, keeping what was done since.
    pub(crate) fn release(&mut self, name: &str) -> Result<(), SqlError> {
        self.internal_batch(&format!("RELEASE SAVEPOINT {name}"))
    }

    fn internal_batch(&mut self, sql: &str) -> Result<(), SqlError> {
        match &mut *self.conn {
            Conn::Sqlite(conn) => Ok(conn.execute_batch(sql)?),
            Conn::Postgres(pg) => pg.batch(sql, false),
        }
    }
}

impl std::ops::Deref for Tx<'_> {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        self.conn
    }
}

impl std::ops::DerefMut for Tx<'_> {
    fn deref_mut(&mut self) -> &mut Conn {
        self.conn
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        if let Err(error) = self.conn.rollback() {
            tracing::warn!(%error, "rolling back a transaction failed");
        }
    }
}
