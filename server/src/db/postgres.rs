//! The PostgreSQL backend (`[database] url = "postgres://..."`): a synchronous
//! `postgres::Client` owned by the database thread, as SQLite's connection is.
//!
//! What differs from SQLite lives here: the URL, connecting (and connecting again after the
//! server restarted or dropped the connection), prepared statements kept per SQL text with
//! `?N` rewritten to `$N`, binding and reading values, durability, and the schema's
//! bookkeeping (`schema_version`, and the `eo_nocase` collation that makes names unique
//! regardless of case as SQLite's `COLLATE NOCASE` does).
//!
//! Connections are made without TLS: reach the server over a Unix socket
//! (`postgres://user@%2Frun%2Fpostgresql/db`) or a private network.

use std::collections::HashMap;
use std::error::Error as _;
use std::str::FromStr;
use std::time::Duration;

use bytes::BytesMut;
use postgres::config::{Host, SslMode};
use postgres::types::{IsNull, ToSql, Type};
use postgres::{Client, NoTls, Statement};

use super::DbError;
use super::conn::{Cell, Param, SqlError, Value};

/// How long connecting may take when the URL does not say (`connect_timeout`).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Prepared statements kept per connection; past this the cache starts over. The server
/// uses a few dozen statements; only statements built at run time (tests, the copy) add more.
const MAX_STATEMENTS: usize = 256;

/// Serializes schema changes between servers starting at once on one database
/// (`pg_advisory_xact_lock`); the number is "EOSCHEMA" in ASCII, to stay clear of other users.
const SCHEMA_LOCK: i64 = 0x454f_5343_4845_4d41;

/// Parses and checks a `[database] url`, with an error an operator can act on.
pub fn parse_url(url: &str) -> Result<postgres::Config, String> {
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return Err(
            "expected a URL starting with postgres:// or postgresql:// (for SQLite, set database.path instead)"
                .into(),
        );
    }
    let config = postgres::Config::from_str(url).map_err(|e| {
        format!(
            "not a valid PostgreSQL URL ({}); expected postgres://USER:PASSWORD@HOST:PORT/DATABASE",
            describe(&e)
        )
    })?;
    if config.get_hosts().is_empty() && config.get_hostaddrs().is_empty() {
        return Err(
            "the URL names no host: postgres://USER@HOST/DATABASE, or a Unix socket's folder percent-encoded as the host (postgres://USER@%2Frun%2Fpostgresql/DATABASE)"
                .into(),
        );
    }
    if matches!(config.get_ssl_mode(), SslMode::Require) {
        return Err(
            "sslmode=require: this server connects without TLS; reach PostgreSQL over a Unix socket or a private network (sslmode=disable or prefer)"
                .into(),
        );
    }
    Ok(config)
}

/// The URL without its password: user, hosts, ports and database, for logs and status.
pub fn describe_url(url: &str) -> String {
    let Ok(config) = parse_url(url) else {
        return "postgres://(invalid URL)".into();
    };
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, host)| {
            let port = config
                .get_ports()
                .get(i)
                .or(config.get_ports().first())
                .map(|p| format!(":{p}"))
                .unwrap_or_default();
            match host {
                Host::Tcp(name) => format!("{name}{port}"),
                Host::Unix(path) => format!("{}{port}", path.display()),
            }
        })
        .collect();
    let user = config
        .get_user()
        .map(|u| format!("{u}@"))
        .unwrap_or_default();
    format!(
        "postgres://{user}{}/{}",
        hosts.join(","),
        config.get_dbname().unwrap_or("")
    )
}

/// A PostgreSQL error in words: the server's message and SQLSTATE code for an error the
/// server reported, else the client's error and its cause.
pub(crate) fn describe(error: &postgres::Error) -> String {
    if let Some(db) = error.as_db_error() {
        let mut text = format!("{}: {} ({})", db.severity(), db.message(), db.code().code());
        if let Some(detail) = db.detail() {
            text.push_str(&format!("; {detail}"));
        }
        return text;
    }
    match error.source() {
        Some(cause) => format!("{error}: {cause}"),
        None => error.to_string(),
    }
}

/// The connection and what the backend keeps beside it.
pub(crate) struct PgConn {
    config: postgres::Config,
    client: Client,
    /// Prepared statements by the SQL text the callers gave (with `?N`).
    statements: HashMap<String, Statement>,
    /// The session commits without waiting for the disk (`synchronous_commit = off`, set by
    /// the operator), so durable jobs switch it on for themselves.
    commit_is_async: bool,
    maybe_in_transaction: bool,
}

impl PgConn {
    /// Connects to the server `url` names.
    pub(crate) fn connect(url: &str) -> Result<PgConn, DbError> {
        let mut config =
            parse_url(url).map_err(|e| DbError::Invalid(format!("database.url: {e}")))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("eo-server");
        }
        config.notice_callback(|notice| {
            tracing::debug!(message = notice.message(), "postgres notice");
        });
        let client = config.connect(NoTls).map_err(|e| {
            DbError::Database(format!("cannot connect to PostgreSQL: {}", describe(&e)))
        })?;
        let mut conn = PgConn {
            config,
            client,
            statements: HashMap::new(),
            commit_is_async: false,
            maybe_in_transaction: false,
        };
        let sync: String = conn.query_simple("SHOW synchronous_commit")?;
        conn.commit_is_async = sync == "off";
        Ok(conn)
    }

    /// Connects again if the connection is gone (the server restarted, or ended the session);
    /// called before each job, so one failed job is all a restart of PostgreSQL costs.
    pub(crate) fn reconnect_if_closed(&mut self) {
        if !self.client.is_closed() {
            return;
        }
        match self.config.connect(NoTls) {
            Ok(client) => {
                self.client = client;
                self.statements.clear();
                self.maybe_in_transaction = false;
                tracing::info!("reconnected to PostgreSQL");
            }
            Err(error) => {
                tracing::error!(error = %describe(&error), "cannot reconnect to PostgreSQL");
            }
        }
    }

    fn query_simple(&mut self, sql: &str) -> Result<String, DbError> {
        let row = self.client.query_one(sql, &[]).map_err(SqlError::from)?;
        Ok(row.try_get::<_, String>(0).map_err(SqlError::from)?)
    }

    fn statement(&mut self, sql: &str) -> Result<Statement, SqlError> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        if self.statements.len() >= MAX_STATEMENTS {
            self.statements.clear();
        }
        let statement = self.client.prepare(&numbered_placeholders(sql))?;
        self.statements.insert(sql.to_owned(), statement.clone());
        Ok(statement)
    }

    pub(crate) fn execute(&mut self, sql: &str, params: &[&dyn Param]) -> Result<usize, SqlError> {
        let values: Vec<Value<'_>> = params.iter().map(|p| p.value()).collect();
        self.execute_values(sql, &values)
    }

    pub(crate) fn execute_values(
        &mut self,
        sql: &str,
        values: &[Value<'_>],
    ) -> Result<usize, SqlError> {
        let statement = self.statement(sql)?;
        let changed = self.client.execute(&statement, &bind(values))?;
        Ok(usize::try_from(changed).unwrap_or(usize::MAX))
    }

    pub(crate) fn query(
        &mut self,
        sql: &str,
        params: &[&dyn Param],
    ) -> Result<Vec<postgres::Row>, SqlError> {
        let statement = self.statement(sql)?;
        let values: Vec<Value<'_>> = params.iter().map(|p| p.value()).collect();
        Ok(self.client.query(&statement, &bind(&values))?)
    }

    /// Runs statements without parameters. `raw` batches (any SQL a caller gave) may open a
    /// transaction; the others are this crate's `BEGIN`, `COMMIT`, `ROLLBACK` and savepoints.
    pub(crate) fn batch(&mut self, sql: &str, raw: bool) -> Result<(), SqlError> {
        let result = self.client.batch_execute(sql);
        if raw || sql.starts_with("BEGIN") {
            self.maybe_in_transaction = true;
        } else if sql == "COMMIT" || sql == "ROLLBACK" {
            // A failed COMMIT ends the transaction too (PostgreSQL rolls it back).
            self.maybe_in_transaction = false;
        }
        Ok(result?)
    }

    /// Whether a transaction may be open (the client does not report it, so this is what
    /// this side sent: a raw batch counts as one).
    pub(crate) fn maybe_in_transaction(&self) -> bool {
        self.maybe_in_transaction
    }

    /// `synchronous_commit` is PostgreSQL's to set (on by default: every commit is on disk
    /// before it is answered, as SQLite's FULL). When the operator turned it off, durable jobs
    /// turn it on for themselves.
    pub(crate) fn set_durable(&mut self, durable: bool) -> Result<(), SqlError> {
        if !self.commit_is_async {
            return Ok(());
        }
        let sql = if durable {
            "SET synchronous_commit TO on"
        } else {
            "RESET synchronous_commit"
        };
        self.batch(sql, false)
    }
}

fn bind<'v>(values: &'v [Value<'v>]) -> Vec<&'v (dyn ToSql + Sync)> {
    values.iter().map(|v| v as &(dyn ToSql + Sync)).collect()
}

/// `?N` parameters (SQLite's form, which every statement here uses) as `$N` (PostgreSQL's).
/// Text in single quotes is left alone.
pub(crate) fn numbered_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quoted = false;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            quoted = !quoted;
        }
        if c == '?' && !quoted && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('$');
        } else {
            out.push(c);
        }
    }
    out
}

impl ToSql for Value<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match *self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(v) if *ty == Type::INT8 => v.to_sql(ty, out),
            Value::Int(v) if *ty == Type::INT4 => i32::try_from(v)?.to_sql(ty, out),
            Value::Int(v) if *ty == Type::INT2 => i16::try_from(v)?.to_sql(ty, out),
            Value::Int(v) if *ty == Type::BOOL => (v != 0).to_sql(ty, out),
            Value::Int(v) => {
                Err(format!("the integer {v} cannot be bound to a {ty} parameter").into())
            }
            Value::Text(s) => s.to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        // Checked per value in `to_sql`, which names the type that did not fit.
        true
    }

    fn to_sql_checked(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        self.to_sql(ty, out)
    }
}

/// Column `index` of `row` (checked by the caller) as a [`Cell`].
pub(crate) fn cell(row: &postgres::Row, index: usize) -> Result<Cell, SqlError> {
    let column = &row.columns()[index]; // ok: the caller found `index` among the columns
    let ty = column.type_();
    let cell = if *ty == Type::INT8 {
        row.try_get::<_, Option<i64>>(index)?.map(Cell::Int)
    } else if *ty == Type::INT4 {
        row.try_get::<_, Option<i32>>(index)?
            .map(|v| Cell::Int(v.into()))
    } else if *ty == Type::INT2 {
        row.try_get::<_, Option<i16>>(index)?
            .map(|v| Cell::Int(v.into()))
    } else if *ty == Type::BOOL {
        row.try_get::<_, Option<bool>>(index)?
            .map(|v| Cell::Int(v.into()))
    } else if [Type::TEXT, Type::VARCHAR, Type::BPCHAR, Type::NAME].contains(ty) {
        row.try_get::<_, Option<String>>(index)?.map(Cell::Text)
    } else {
        return Err(SqlError::Value(format!(
            "column {}: PostgreSQL type {ty}, where an integer or text was expected",
            column.name()
        )));
    };
    Ok(cell.unwrap_or(Cell::Null))
}

/// Makes what the migrations build on: the schema version's table and the collation of
/// names. In the caller's transaction, under the schema lock.
pub(crate) fn prepare_schema(conn: &mut super::conn::Conn) -> Result<(), SqlError> {
    conn.execute_batch(&format!(
        "SELECT pg_advisory_xact_lock({SCHEMA_LOCK});
         CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL);
         INSERT INTO schema_version (version)
             SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM schema_version);
         -- Names compare without regard to case (and keep their accents), as SQLite's
         -- COLLATE NOCASE does for ASCII: ICU's root locale at secondary strength.
         CREATE COLLATION IF NOT EXISTS eo_nocase
             (provider = icu, locale = 'und-u-ks-level2', deterministic = false);"
    ))
}

/// Takes the schema lock for the rest of the caller's transaction.
pub(crate) fn lock_schema(conn: &mut super::conn::Conn) -> Result<(), SqlError> {
    conn.execute_batch(&format!("SELECT pg_advisory_xact_lock({SCHEMA_LOCK})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_the_postgres_way() {
        assert_eq!(
            numbered_placeholders("SELECT a FROM t WHERE b = ?1 AND c IN (?2, ?10) AND d = '?3'"),
            "SELECT a FROM t WHERE b = $1 AND c IN ($2, $10) AND d = '?3'"
        );
        assert_eq!(
            numbered_placeholders("SELECT '?' || ?1"),
            "SELECT '?' || $1"
        );
    }

    #[test]
    fn urls_are_checked_with_an_error_that_says_what_to_write() {
        assert!(parse_url("postgres://eo:secret@db.example/eo").is_ok());
        assert!(parse_url("postgresql://eo@%2Frun%2Fpostgresql/eo").is_ok());
        for (url, says) in [
            ("mysql://eo@host/eo", "postgres://"),
            ("eo.db", "database.path"),
            (
                "postgres://eo@host:notaport/eo",
                "not a valid PostgreSQL URL",
            ),
            ("postgres:///eo", "names no host"),
            ("postgres://eo@host/eo?sslmode=require", "without TLS"),
        ] {
            let error = parse_url(url).unwrap_err();
            assert!(error.contains(says), "{url}: {error}");
        }
    }

    #[test]
    fn a_described_url_keeps_no_password() {
        assert_eq!(
            describe_url("postgres://eo:secret@db.example:5433/game"),
            "postgres://eo@db.example:5433/game"
        );
        assert_eq!(
            describe_url("postgres://eo:secret@%2Frun%2Fpostgresql/game?password=other"),
            "postgres://eo@/run/postgresql:5432/game"
        );
        assert!(!describe_url("postgres://eo:secret@host/x?").contains("secret"));
    }
}
