//! The `mutes` table: until when a character's chat is dropped. Kept in the database so a mute
//! outlives the session (logging out and in again does not lift it) and a restart.

use super::conn::params;
use super::{Db, DbError, unix_now};

impl Db {
    /// Mutes the character named `name` (case-insensitively) until `until` (Unix seconds), or
    /// lifts its mute with `None`. `DbError::NotFound` if there is no such character.
    pub async fn set_mute(&self, name: String, until: Option<i64>) -> Result<(), DbError> {
        self.call_durable(move |conn| {
            let id: Option<i64> = conn.query_opt(
                "SELECT id FROM characters WHERE name = ?1",
                params![name],
                |row| row.get(0),
            )?;
            let Some(id) = id else {
                return Err(DbError::NotFound);
            };
            match until {
                Some(until) => conn.execute(
                    "INSERT INTO mutes (character_id, until) VALUES (?1, ?2)
                     ON CONFLICT (character_id) DO UPDATE SET until = excluded.until",
                    params![id, until],
                )?,
                None => conn.execute("DELETE FROM mutes WHERE character_id = ?1", params![id])?,
            };
            Ok(())
        })
        .await
    }

    /// Until when the character is muted (Unix seconds), if a mute is in force; an expired one
    /// is removed.
    pub async fn mute_until(&self, character_id: i64) -> Result<Option<i64>, DbError> {
        self.call(move |conn| {
            let until: Option<i64> = conn.query_opt(
                "SELECT until FROM mutes WHERE character_id = ?1",
                params![character_id],
                |row| row.get(0),
            )?;
            match until {
                Some(until) if until > unix_now() => Ok(Some(until)),
                Some(_) => {
                    conn.execute(
                        "DELETE FROM mutes WHERE character_id = ?1",
                        params![character_id],
                    )?;
                    Ok(None)
                }
                None => Ok(None),
            }
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::testing::on_both_backends;
    use crate::db::{NewAccount, NewCharacter};

    async fn a_mute_is_stored_read_and_lifted(db: Db) {
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
                    name: "Alice".into(),
                    ..NewCharacter::default()
                },
                3,
            )
            .await
            .unwrap();
        assert_eq!(db.mute_until(id).await.unwrap(), None);
        let until = unix_now() + 600;
        db.set_mute("alice".into(), Some(until)).await.unwrap();
        assert_eq!(db.mute_until(id).await.unwrap(), Some(until));
        db.set_mute("ALICE".into(), None).await.unwrap();
        assert_eq!(db.mute_until(id).await.unwrap(), None);
        // An expired mute is not in force (and is removed).
        db.set_mute("alice".into(), Some(unix_now() - 1))
            .await
            .unwrap();
        assert_eq!(db.mute_until(id).await.unwrap(), None);
        assert_eq!(
            db.set_mute("nobody".into(), Some(until)).await,
            Err(DbError::NotFound)
        );
    }

    on_both_backends!(a_mute_is_stored_read_and_lifted);
}
