//! The `jails` table: who is jailed. Kept in the database so a jail outlives the session (a
//! jailed character logs in in jail) and a restart; only `unjail` lifts it. A character freed
//! while offline is marked `released` and leaves the jail when it next enters the game.

use super::conn::params;
use super::{Db, DbError, unix_now};

/// Where a character stands with the jail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JailState {
    Free,
    Jailed,
    /// Freed while offline: it leaves the jail at its next entry.
    Released,
}

impl Db {
    /// Jails the character named `name` (case-insensitively), by `by` (the audit's `who`).
    /// Answers whether it was jailed already; `DbError::NotFound` if there is no such
    /// character.
    pub async fn jail(&self, name: String, by: String) -> Result<bool, DbError> {
        self.call_durable(move |conn| {
            let id = character_id(conn, &name)?;
            let before = state(conn, id)?;
            conn.execute(
                "INSERT INTO jails (character_id, jailed_at, jailed_by, released)
                 VALUES (?1, ?2, ?3, 0)
                 ON CONFLICT (character_id) DO UPDATE SET released = 0",
                params![id, unix_now(), by],
            )?;
            Ok(before == JailState::Jailed)
        })
        .await
    }

    /// Frees the character named `name`: at once (`online`: the caller moves it out now), or
    /// at its next entry. Answers whether it was jailed; `DbError::NotFound` if there is no
    /// such character.
    pub async fn unjail(&self, name: String, online: bool) -> Result<bool, DbError> {
        self.call_durable(move |conn| {
            let id = character_id(conn, &name)?;
            if state(conn, id)? != JailState::Jailed {
                return Ok(false);
            }
            if online {
                conn.execute("DELETE FROM jails WHERE character_id = ?1", params![id])?;
            } else {
                conn.execute(
                    "UPDATE jails SET released = 1 WHERE character_id = ?1",
                    params![id],
                )?;
            }
            Ok(true)
        })
        .await
    }

    /// Where the character stands with the jail; a `Released` mark is taken (removed) as it is
    /// read, so it moves the character out once.
    pub async fn take_jail_state(&self, character_id: i64) -> Result<JailState, DbError> {
        self.call_durable(move |conn| {
            let found = state(conn, character_id)?;
            if found == JailState::Released {
                conn.execute(
                    "DELETE FROM jails WHERE character_id = ?1",
                    params![character_id],
                )?;
            }
            Ok(found)
        })
        .await
    }
}

fn character_id(conn: &mut super::conn::Conn, name: &str) -> Result<i64, DbError> {
    let id: Option<i64> = conn.query_opt(
        "SELECT id FROM characters WHERE name = ?1",
        params![name],
        |row| row.get(0),
    )?;
    id.ok_or(DbError::NotFound)
}

fn state(conn: &mut super::conn::Conn, id: i64) -> Result<JailState, DbError> {
    let released: Option<i64> = conn.query_opt(
        "SELECT released FROM jails WHERE character_id = ?1",
        params![id],
        |row| row.get(0),
    )?;
    Ok(match released {
        None => JailState::Free,
        Some(0) => JailState::Jailed,
        Some(_) => JailState::Released,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::testing::on_both_backends;
    use crate::db::{NewAccount, NewCharacter};

    async fn a_jail_is_stored_and_lifted(db: Db) {
        let account = db
            .create_account(NewAccount {
                username: "acc".into(),
                password_hash: "x".into(),
                ..NewAccount::default()
            })
            .await
            .unwrap();
        let id = db
            .create_character(
                account,
                NewCharacter {
                    name: "Prisoner".into(),
                    ..NewCharacter::default()
                },
                3,
            )
            .await
            .unwrap();
        assert_eq!(db.take_jail_state(id).await.unwrap(), JailState::Free);
        assert!(!db.jail("prisoner".into(), "uid 1".into()).await.unwrap());
        assert!(db.jail("PRISONER".into(), "again".into()).await.unwrap());
        assert_eq!(db.take_jail_state(id).await.unwrap(), JailState::Jailed);
        assert_eq!(db.take_jail_state(id).await.unwrap(), JailState::Jailed);
        // Freed online: gone at once.
        assert!(db.unjail("Prisoner".into(), true).await.unwrap());
        assert!(!db.unjail("Prisoner".into(), true).await.unwrap());
        assert_eq!(db.take_jail_state(id).await.unwrap(), JailState::Free);
        // Freed offline: released once, at the next entry.
        db.jail("Prisoner".into(), "uid 1".into()).await.unwrap();
        assert!(db.unjail("Prisoner".into(), false).await.unwrap());
        assert!(!db.unjail("Prisoner".into(), false).await.unwrap());
        assert_eq!(db.take_jail_state(id).await.unwrap(), JailState::Released);
        assert_eq!(db.take_jail_state(id).await.unwrap(), JailState::Free);
        assert_eq!(
            db.unjail("nobody".into(), true).await,
            Err(DbError::NotFound)
        );
    }

    on_both_backends!(a_jail_is_stored_and_lifted);
}
