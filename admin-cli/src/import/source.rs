//! The other server's database, read-only: a SQLite file, or a MySQL/MariaDB server named by
//! a `mysql://` (or `mariadb://`) URL. Both give whole tables as rows of [`Cell`]s by column
//! name, which is all the readers of EOSERV's and reoserv's tables need.

use std::collections::HashMap;
use std::path::Path;

use rusqlite::OpenFlags;
use rusqlite::types::ValueRef;

/// One value of a row, as much as the readers tell apart.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Null,
    Int(i64),
    Text(String),
    /// Anything else (a float, a date): read as neither a number nor a text.
    Other,
}

/// Rows of one query, their cells found by column name.
pub struct Table {
    columns: HashMap<String, usize>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    pub fn has_column(&self, column: &str) -> bool {
        self.columns.contains_key(column)
    }

    /// The rows, each with its table's column names.
    pub fn iter(&self) -> impl Iterator<Item = Row<'_>> {
        self.rows.iter().map(|cells| Row {
            columns: &self.columns,
            cells,
        })
    }
}

/// One row: its cells by column name, read with the column's name in every error.
#[derive(Clone, Copy)]
pub struct Row<'a> {
    columns: &'a HashMap<String, usize>,
    cells: &'a [Cell],
}

impl Row<'_> {
    /// Whether the row's table has `column`.
    pub fn has(&self, column: &str) -> bool {
        self.columns.contains_key(column)
    }

    fn cell(&self, column: &str) -> Result<&Cell, String> {
        self.columns
            .get(column)
            .and_then(|&i| self.cells.get(i))
            .ok_or_else(|| format!("the table has no column {column}"))
    }

    /// An integer column (a number stored as text is read too); `None` for NULL.
    pub fn int(&self, column: &str) -> Result<Option<i64>, String> {
        match self.cell(column)? {
            Cell::Null => Ok(None),
            Cell::Int(value) => Ok(Some(*value)),
            Cell::Text(text) => text
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| format!("{column}: {text:?} is not a number")),
            Cell::Other => Err(format!("{column}: not a number")),
        }
    }

    /// An integer column that must fit `T` (NULL is 0).
    pub fn num<T: TryFrom<i64>>(&self, column: &str) -> Result<T, String> {
        let value = self.int(column)?.unwrap_or(0);
        T::try_from(value).map_err(|_| format!("{column}: {value} is out of range"))
    }

    /// A text column; NULL is empty, a number is written out.
    pub fn text(&self, column: &str) -> Result<String, String> {
        match self.cell(column)? {
            Cell::Null => Ok(String::new()),
            Cell::Int(value) => Ok(value.to_string()),
            Cell::Text(text) => Ok(text.clone()),
            Cell::Other => Err(format!("{column}: not a text")),
        }
    }
}

/// An open database of the other server.
pub enum Source {
    Sqlite(rusqlite::Connection),
    Mysql(Box<mysql::Conn>),
}

impl Source {
    /// Opens `source`: a `mysql://` or `mariadb://` URL, else the path of a SQLite file (opened
    /// read-only; it must exist).
    pub fn open(source: &str) -> Result<Source, String> {
        if let Some(rest) = source
            .strip_prefix("mysql://")
            .or_else(|| source.strip_prefix("mariadb://"))
        {
            let url = format!("mysql://{rest}");
            let opts = mysql::Opts::from_url(&url).map_err(|e| format!("bad MySQL URL: {e}"))?;
            let conn = mysql::Conn::new(opts)
                .map_err(|e| format!("cannot connect to the MySQL/MariaDB server: {e}"))?;
            return Ok(Source::Mysql(Box::new(conn)));
        }
        let path = Path::new(source);
        if !path.is_file() {
            return Err(format!(
                "{source} is neither a SQLite file nor a mysql:// URL"
            ));
        }
        let conn = rusqlite::Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| format!("cannot open {source}: {e}"))?;
        Ok(Source::Sqlite(conn))
    }

    /// "SQLite" or "MySQL/MariaDB", for the report.
    pub fn kind(&self) -> &'static str {
        match self {
            Source::Sqlite(_) => "SQLite",
            Source::Mysql(_) => "MySQL/MariaDB",
        }
    }

    /// Whether the database has a table named `name`.
    pub fn has_table(&mut self, name: &str) -> Result<bool, String> {
        match self {
            Source::Sqlite(conn) => conn
                .query_row(
                    "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
                    [name],
                    |row| row.get::<_, i64>(0),
                )
                .map(|n| n > 0)
                .map_err(|e| e.to_string()),
            Source::Mysql(conn) => {
                use mysql::prelude::Queryable as _;
                let count: Option<i64> = conn
                    .exec_first(
                        "SELECT COUNT(*) FROM information_schema.tables \
                         WHERE table_schema = DATABASE() AND table_name = ?",
                        (name,),
                    )
                    .map_err(|e| e.to_string())?;
                Ok(count.unwrap_or(0) > 0)
            }
        }
    }

    /// Every row of `sql` (one SELECT, no parameters).
    pub fn table(&mut self, sql: &str) -> Result<Table, String> {
        let failed = |e: &dyn std::fmt::Display| format!("{sql}: {e}");
        let (names, rows) = match self {
            Source::Sqlite(conn) => {
                let mut stmt = conn.prepare(sql).map_err(|e| failed(&e))?;
                let names: Vec<String> =
                    stmt.column_names().iter().map(|n| n.to_string()).collect();
                let width = names.len();
                let mut rows = Vec::new();
                let mut cursor = stmt.query([]).map_err(|e| failed(&e))?;
                while let Some(row) = cursor.next().map_err(|e| failed(&e))? {
                    let mut cells = Vec::with_capacity(width);
                    for i in 0..width {
                        cells.push(match row.get_ref(i).map_err(|e| failed(&e))? {
                            ValueRef::Null => Cell::Null,
                            ValueRef::Integer(value) => Cell::Int(value),
                            ValueRef::Text(bytes) | ValueRef::Blob(bytes) => {
                                Cell::Text(String::from_utf8_lossy(bytes).into_owned())
                            }
                            ValueRef::Real(_) => Cell::Other,
                        });
                    }
                    rows.push(cells);
                }
                (names, rows)
            }
            Source::Mysql(conn) => {
                use mysql::prelude::Queryable as _;
                // The binary protocol (a prepared statement) gives numbers as numbers.
                let result = conn.exec_iter(sql, ()).map_err(|e| failed(&e))?;
                let names: Vec<String> = result
                    .columns()
                    .as_ref()
                    .iter()
                    .map(|c| c.name_str().into_owned())
                    .collect();
                let mut rows = Vec::new();
                for row in result {
                    let row = row.map_err(|e| failed(&e))?;
                    rows.push(row.unwrap().into_iter().map(mysql_cell).collect());
                }
                (names, rows)
            }
        };
        let columns = names
            .into_iter()
            .enumerate()
            .map(|(i, name)| (name.to_ascii_lowercase(), i))
            .collect();
        Ok(Table { columns, rows })
    }

    /// How many rows `table` has (0 if there is no such table).
    pub fn count(&mut self, table: &str) -> Result<u64, String> {
        if !self.has_table(table)? {
            return Ok(0);
        }
        let counted = self.table(&format!("SELECT COUNT(*) AS n FROM `{table}`"))?;
        let n = counted.iter().next().map(|row| row.num::<u64>("n"));
        n.unwrap_or(Ok(0))
    }
}

fn mysql_cell(value: mysql::Value) -> Cell {
    match value {
        mysql::Value::NULL => Cell::Null,
        mysql::Value::Int(value) => Cell::Int(value),
        mysql::Value::UInt(value) => i64::try_from(value).map_or(Cell::Other, Cell::Int),
        mysql::Value::Bytes(bytes) => Cell::Text(String::from_utf8_lossy(&bytes).into_owned()),
        // DATETIME, as SQLite keeps it.
        mysql::Value::Date(year, month, day, hour, minute, second, _) => Cell::Text(format!(
            "{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02}"
        )),
        _ => Cell::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_read_by_column_name_with_clear_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE t (Name TEXT, level INTEGER, hdid TEXT, gone TEXT);
             INSERT INTO t VALUES ('ann', 300, '12345', NULL);",
        )
        .unwrap();
        drop(conn);
        let mut source = Source::open(path.to_str().unwrap()).unwrap();
        assert!(source.has_table("t").unwrap());
        assert!(!source.has_table("nope").unwrap());
        assert_eq!(source.count("t").unwrap(), 1);
        assert_eq!(source.count("nope").unwrap(), 0);
        let table = source.table("SELECT * FROM t").unwrap();
        let row = table.iter().next().unwrap();
        assert_eq!(row.text("name").unwrap(), "ann");
        assert_eq!(row.num::<u16>("level").unwrap(), 300);
        assert_eq!(
            row.num::<u8>("level").unwrap_err(),
            "level: 300 is out of range"
        );
        assert_eq!(row.int("hdid").unwrap(), Some(12345));
        assert_eq!(row.text("gone").unwrap(), "");
        assert!(
            row.int("missing")
                .unwrap_err()
                .contains("no column missing")
        );
    }

    #[test]
    fn a_missing_file_is_not_created() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("absent.db");
        assert!(Source::open(path.to_str().unwrap()).is_err());
        assert!(!path.exists());
    }
}
