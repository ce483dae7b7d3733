//! The `audit` table: every administration action, who gave it and how it went; and the
//! look-ups administration needs (who owns a character, an account's name).

use super::conn::{Row, SqlError, params};
use super::{AuditEntry, Db, DbError, NewAudit, unix_now};

/// The most rows `list_audit` returns.
pub const MAX_AUDIT_LIST: usize = 10_000;

impl Db {
    /// Records an administration action now; returns its id.
    pub async fn add_audit(&self, entry: NewAudit) -> Result<i64, DbError> {
        self.call(move |conn| {
            Ok(conn.query_value(
                "INSERT INTO audit (at, source, who, command, arguments, ok, error)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 RETURNING id",
                params![
                    unix_now(),
                    entry.source,
                    entry.who,
                    entry.command,
                    entry.arguments,
                    entry.error.is_none(),
                    entry.error,
                ],
            )?)
        })
        .await
    }

    /// The latest `limit` actions (at most [`MAX_AUDIT_LIST`]), oldest first.
    pub async fn list_audit(&self, limit: usize) -> Result<Vec<AuditEntry>, DbError> {
        let limit = i64::try_from(limit.min(MAX_AUDIT_LIST)).unwrap_or(0);
        self.call(move |conn| {
            Ok(conn.query(
                "SELECT * FROM (
                     SELECT id, at, source, who, command, arguments, error FROM audit
                     ORDER BY id DESC LIMIT ?1
                 ) AS latest ORDER BY id",
                params![limit],
                audit_from_row,
            )?)
        })
        .await
    }

    /// The account owning the character named `name` (any case): its id and username.
    pub async fn account_of_character(&self, name: &str) -> Result<Option<(i64, String)>, DbError> {
        let name = name.to_owned();
        self.call(move |conn| {
            Ok(conn.query_opt(
                "SELECT accounts.id, accounts.username FROM characters
                 JOIN accounts ON accounts.id = characters.account_id
                 WHERE characters.name = ?1",
                params![name],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )?)
        })
        .await
    }

    /// The username of the account `account_id`, if it exists.
    pub async fn account_username(&self, account_id: i64) -> Result<Option<String>, DbError> {
        self.call(move |conn| {
            Ok(conn.query_opt(
                "SELECT username FROM accounts WHERE id = ?1",
                params![account_id],
                |row| row.get(0),
            )?)
        })
        .await
    }
}

fn audit_from_row(row: &Row<'_>) -> Result<AuditEntry, SqlError> {
    Ok(AuditEntry {
        id: row.get("id")?,
        at: row.get("at")?,
        source: row.get("source")?,
        who: row.get("who")?,
        command: row.get("command")?,
        arguments: row.get("arguments")?,
        error: row.get("error")?,
    })
}

#[cfg(test)]
mod tests {
    use crate::db::testing::*;
    use crate::db::*;

    fn entry(command: &str, error: Option<&str>) -> NewAudit {
        NewAudit {
            source: "control".into(),
            who: "uid 1000".into(),
            command: command.into(),
            arguments: r#"{"name":"alice"}"#.into(),
            error: error.map(str::to_owned),
        }
    }

    async fn audit_rows_are_listed_latest_last_and_limited(db: Db) {
        assert_eq!(db.list_audit(10).await, Ok(Vec::new()));
        db.add_audit(entry("kick", None)).await.unwrap();
        db.add_audit(entry("ban", Some("not_found: nobody")))
            .await
            .unwrap();
        db.add_audit(entry("save", None)).await.unwrap();
        let all = db.list_audit(10).await.unwrap();
        let commands: Vec<&str> = all.iter().map(|e| e.command.as_str()).collect();
        assert_eq!(commands, ["kick", "ban", "save"]);
        assert_eq!(all[1].error.as_deref(), Some("not_found: nobody"));
        assert_eq!(all[0].error, None);
        assert_eq!(all[0].who, "uid 1000");
        assert_eq!(all[0].arguments, r#"{"name":"alice"}"#);
        assert!(all[0].at > 1_600_000_000);
        let last: Vec<String> = db
            .list_audit(2)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.command)
            .collect();
        assert_eq!(last, ["ban", "save"]);
        assert_eq!(db.list_audit(0).await, Ok(Vec::new()));
    }

    async fn the_owner_of_a_character_is_found_by_name(db: Db) {
        let alice = account(&db, "alice").await;
        assert_eq!(db.account_of_character("nobody").await, Ok(None));
        assert_eq!(db.account_username(alice).await, Ok(Some("alice".into())));
        assert_eq!(db.account_username(alice + 100).await, Ok(None));
        db.create_character(
            alice,
            NewCharacter {
                name: "heroine".into(),
                ..Default::default()
            },
            3,
        )
        .await
        .unwrap();
        assert_eq!(
            db.account_of_character("HEROINE").await,
            Ok(Some((alice, "alice".into())))
        );
    }

    on_both_backends!(
        audit_rows_are_listed_latest_last_and_limited,
        the_owner_of_a_character_is_found_by_name,
    );
}
