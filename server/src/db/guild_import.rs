//! Guilds brought by `import` from another server, and their members' places in them. An
//! imported guild is written as it was (its bank, rank names, description, founding time),
//! with no founder paying for it; its members are placed in it as their characters arrive.
//! Like every guild write (db/guilds.rs), these never go through a character's save.

use super::conn::params;
use super::guilds::{GUILD_RANKS, GuildRow, guild_by_id, insert};
use super::{Db, DbError};

/// A guild as another server kept it, checked by the import (server/src/control/commands/
/// import/guilds.rs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportedGuild {
    /// In capitals.
    pub tag: String,
    pub name: String,
    pub description: String,
    pub bank: u32,
    pub ranks: [String; GUILD_RANKS],
    /// Unix seconds.
    pub created_at: i64,
}

/// What became of an [`ImportedGuild`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GuildImport {
    /// Written now; its id.
    Created(i64),
    /// A guild with this tag and this name is here already (an earlier import's); its id.
    Present(i64),
    /// Another guild here has the tag.
    TagTaken,
    /// Another guild here has the name.
    NameTaken,
}

impl Db {
    /// Writes an imported guild, unless its tag or name is taken (one transaction).
    pub async fn import_guild(&self, guild: ImportedGuild) -> Result<GuildImport, DbError> {
        self.call(move |conn| {
            let mut tx = conn.transaction()?;
            let by_tag: Option<(i64, String)> = tx.query_opt(
                "SELECT id, name FROM guilds WHERE tag = ?1",
                params![guild.tag],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )?;
            if let Some((id, name)) = by_tag {
                return Ok(if name.eq_ignore_ascii_case(&guild.name) {
                    GuildImport::Present(id)
                } else {
                    GuildImport::TagTaken
                });
            }
            let name_taken: bool = tx.query_value(
                "SELECT EXISTS (SELECT 1 FROM guilds WHERE name = ?1)",
                params![guild.name],
            )?;
            if name_taken {
                return Ok(GuildImport::NameTaken);
            }
            let id = insert(
                &mut tx,
                &GuildRow {
                    tag: &guild.tag,
                    name: &guild.name,
                    description: &guild.description,
                    bank: guild.bank,
                    ranks: &guild.ranks,
                    created_at: guild.created_at,
                },
            )?;
            tx.commit()?;
            Ok(GuildImport::Created(id))
        })
        .await
    }

    /// Puts a guildless character in `guild_id` at `rank` (1 to 9). False when the guild is
    /// gone or the character is in a guild already.
    pub async fn place_in_guild(
        &self,
        character_id: i64,
        guild_id: i64,
        rank: u8,
    ) -> Result<bool, DbError> {
        self.call(move |conn| {
            let mut tx = conn.transaction()?;
            if guild_by_id(&mut tx, guild_id)?.is_none() {
                return Ok(false);
            }
            let changed = tx.execute(
                "UPDATE characters SET guild_id = ?1, guild_rank = ?2
                 WHERE id = ?3 AND guild_id IS NULL",
                params![guild_id, rank, character_id],
            )?;
            tx.commit()?;
            Ok(changed == 1)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::characters::tests::new_character;
    use crate::db::testing::*;

    fn guild(tag: &str, name: &str) -> ImportedGuild {
        ImportedGuild {
            tag: tag.into(),
            name: name.into(),
            description: "from afar".into(),
            bank: 12_345,
            ranks: std::array::from_fn(|i| format!("rank {}", i + 1)),
            created_at: 1_500_000_000,
        }
    }

    async fn a_guild_comes_once_and_clashes_are_named(db: Db) {
        let GuildImport::Created(id) = db.import_guild(guild("ABC", "Alphabet")).await.unwrap()
        else {
            panic!("not created");
        };
        let stored = db.guild_by_id(id).await.unwrap().unwrap();
        assert_eq!((stored.bank, stored.created_at), (12_345, 1_500_000_000));
        assert_eq!(stored.ranks[8], "rank 9");
        let again = |tag: &str, name: &str| db.import_guild(guild(tag, name));
        assert_eq!(
            again("ABC", "alphabet").await.unwrap(),
            GuildImport::Present(id)
        );
        assert_eq!(again("ABC", "Other").await.unwrap(), GuildImport::TagTaken);
        assert_eq!(
            again("XYZ", "ALPHABET").await.unwrap(),
            GuildImport::NameTaken
        );

        let owner = account(&db, "owner").await;
        let member = db
            .create_character(owner, new_character("Member"), 10)
            .await
            .unwrap();
        assert!(db.place_in_guild(member, id, 3).await.unwrap());
        let membership = db.guild_membership(member).await.unwrap().unwrap();
        assert_eq!(
            (membership.rank, membership.rank_name.as_str()),
            (3, "rank 3")
        );
        assert!(
            !db.place_in_guild(member, id, 1).await.unwrap(),
            "a member is not placed twice"
        );
        assert!(!db.place_in_guild(member, id + 100, 1).await.unwrap());
    }

    on_both_backends!(a_guild_comes_once_and_clashes_are_named);
}
