//! The `guilds` table and the characters' `guild_id` and `guild_rank` columns: guilds, their
//! banks, ranks and descriptions, and who belongs to which.
//!
//! What a guild shares between many characters (its row, its bank, its rank names, and the
//! membership of members who are offline or on other maps) is kept here and nowhere else: the
//! maps only show a copy (the tag others see). A character's save never writes the guild
//! columns (db/saves.rs), so a map saving a member cannot undo a kick, a rank change or a
//! disband decided elsewhere. Each call below is one transaction.
//!
//! Gold that moves between a character (owned by its map) and a guild (the guild bank, the
//! creation cost) does not move here but through the save queue ([`GuildOp`], db/saves.rs,
//! `crate::save`), in the same transaction as the character's new state.

use super::conn::{Conn, Row, SqlError, params};
use super::{Db, DbError};

/// The number of ranks a guild has: 1 is the leader, 9 a new member.
pub const GUILD_RANKS: usize = 9;
/// The rank of a leader.
pub const LEADER_RANK: u8 = 1;
/// The rank a character gets when it joins or founds with others.
pub const NEW_MEMBER_RANK: u8 = 9;

/// A guild's row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Guild {
    pub id: i64,
    pub tag: String,
    pub name: String,
    pub description: String,
    pub bank: u32,
    /// The names of ranks 1 to 9.
    pub ranks: [String; GUILD_RANKS],
    /// Unix seconds.
    pub created_at: i64,
}

impl Guild {
    /// The name of `rank` (1 to 9), "" for another number.
    pub fn rank_name(&self, rank: u8) -> String {
        usize::from(rank)
            .checked_sub(1)
            .and_then(|i| self.ranks.get(i))
            .cloned()
            .unwrap_or_default()
    }
}

/// A character's place in its guild, as it is shown (its tag to others, its rank's name on
/// its paperdoll).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GuildMembership {
    pub guild_id: i64,
    pub tag: String,
    pub name: String,
    pub rank: u8,
    pub rank_name: String,
}

/// A member of a guild.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GuildMember {
    pub character_id: i64,
    pub name: String,
    pub rank: u8,
}

/// A change of a member by another member (a kick, a new rank).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MemberChange {
    /// Done; the member's character id and its membership now (`None`: it left the guild).
    Done(i64, Option<GuildMembership>),
    /// The member's rank is not below the acting member's (or the new rank is not).
    Outranked,
    /// Nobody of that name is in the guild.
    NotMember,
}

/// What became of a recruit joining.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Joined {
    Joined(GuildMembership),
    /// The guild bank cannot pay the recruitment cost.
    AccountLow,
    /// The recruit is in a guild already.
    AlreadyMember,
    /// The guild is gone.
    NoGuild,
}

/// A guild action that moves a character's gold, run by the save queue in the transaction
/// that writes the character's state without that gold (db/saves.rs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GuildOp {
    /// `amount` gold into the bank of `guild_id`, if the bank stays at most `max_bank`.
    Deposit {
        character_id: i64,
        guild_id: i64,
        amount: u32,
        max_bank: u32,
    },
    /// A new guild, if its tag and name are free and its leader is guildless.
    Create(Box<NewGuild>),
}

/// A guild to found: led by `character_id` (who paid `cost`), with `members` (guildless
/// characters) as new members.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewGuild {
    pub character_id: i64,
    pub cost: u32,
    pub tag: String,
    pub name: String,
    pub description: String,
    pub ranks: [String; GUILD_RANKS],
    pub members: Vec<i64>,
    pub now: i64,
}

impl GuildOp {
    /// The character whose gold it moves.
    pub fn character_id(&self) -> i64 {
        match self {
            GuildOp::Deposit { character_id, .. } => *character_id,
            GuildOp::Create(new) => new.character_id,
        }
    }

    /// The gold it moves.
    pub fn gold(&self) -> u32 {
        match self {
            GuildOp::Deposit { amount, .. } => *amount,
            GuildOp::Create(new) => new.cost,
        }
    }
}

/// What became of a [`GuildOp`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GuildOpOutcome {
    /// The deposit went in; the bank holds this much now.
    Deposited(u32),
    /// The guild exists; the memberships of the leader and of the members who joined.
    Created(Vec<(i64, GuildMembership)>),
    /// Refused (bank full, guild gone, tag or name taken, the character not saved): the gold
    /// is the character's again, in the database already (when its state was written).
    Refused,
}

const GUILD_COLUMNS: &str = "id, tag, name, description, bank, rank1, rank2, rank3, rank4, \
                             rank5, rank6, rank7, rank8, rank9, created_at";

fn guild_from_row(row: &Row<'_>) -> Result<Guild, SqlError> {
    let mut ranks: [String; GUILD_RANKS] = Default::default();
    for (i, rank) in ranks.iter_mut().enumerate() {
        *rank = row.get(5 + i)?;
    }
    Ok(Guild {
        id: row.get(0)?,
        tag: row.get(1)?,
        name: row.get(2)?,
        description: row.get(3)?,
        bank: row.get(4)?,
        ranks,
        created_at: row.get(14)?,
    })
}

pub(super) fn guild_by_id(conn: &mut Conn, id: i64) -> Result<Option<Guild>, SqlError> {
    conn.query_opt(
        &format!("SELECT {GUILD_COLUMNS} FROM guilds WHERE id = ?1"),
        params![id],
        guild_from_row,
    )
}

/// The membership of a character, read with its character (db/characters.rs).
pub(super) fn membership_of(
    conn: &mut Conn,
    character_id: i64,
) -> Result<Option<GuildMembership>, SqlError> {
    let found: Option<(Option<i64>, u8)> = conn.query_opt(
        "SELECT guild_id, guild_rank FROM characters WHERE id = ?1",
        params![character_id],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    let Some((Some(guild_id), rank)) = found else {
        return Ok(None);
    };
    Ok(guild_by_id(conn, guild_id)?.map(|guild| membership(&guild, rank)))
}

fn membership(guild: &Guild, rank: u8) -> GuildMembership {
    GuildMembership {
        guild_id: guild.id,
        tag: guild.tag.clone(),
        name: guild.name.clone(),
        rank,
        rank_name: guild.rank_name(rank),
    }
}

fn members(conn: &mut Conn, guild_id: i64) -> Result<Vec<GuildMember>, SqlError> {
    conn.query(
        "SELECT id, name, guild_rank FROM characters WHERE guild_id = ?1 ORDER BY guild_rank, name",
        params![guild_id],
        |row| {
            Ok(GuildMember {
                character_id: row.get(0)?,
                name: row.get(1)?,
                rank: row.get(2)?,
            })
        },
    )
}

/// The member of `guild_id` named `name` (any case).
fn member_named(
    conn: &mut Conn,
    guild_id: i64,
    name: &str,
) -> Result<Option<GuildMember>, SqlError> {
    conn.query_opt(
        "SELECT id, name, guild_rank FROM characters WHERE guild_id = ?1 AND name = ?2",
        params![guild_id, name],
        |row| {
            Ok(GuildMember {
                character_id: row.get(0)?,
                name: row.get(1)?,
                rank: row.get(2)?,
            })
        },
    )
}

impl Db {
    /// The guild whose tag or name is `identity` (any case).
    pub async fn guild(&self, identity: &str) -> Result<Option<Guild>, DbError> {
        let identity = identity.to_owned();
        self.call(move |conn| {
            Ok(conn.query_opt(
                &format!("SELECT {GUILD_COLUMNS} FROM guilds WHERE tag = ?1 OR name = ?1"),
                params![identity],
                guild_from_row,
            )?)
        })
        .await
    }

    /// The guild with this id.
    pub async fn guild_by_id(&self, id: i64) -> Result<Option<Guild>, DbError> {
        self.call(move |conn| Ok(guild_by_id(conn, id)?)).await
    }

    /// Whether a guild has this tag or this name already.
    pub async fn guild_taken(&self, tag: &str, name: &str) -> Result<bool, DbError> {
        let (tag, name) = (tag.to_owned(), name.to_owned());
        self.call(move |conn| {
            Ok(conn.query_value(
                "SELECT EXISTS (SELECT 1 FROM guilds WHERE tag = ?1 OR name = ?2)",
                params![tag, name],
            )?)
        })
        .await
    }

    /// The membership of a character as the database has it now.
    pub async fn guild_membership(
        &self,
        character_id: i64,
    ) -> Result<Option<GuildMembership>, DbError> {
        self.call(move |conn| Ok(membership_of(conn, character_id)?))
            .await
    }

    /// The membership of the character named `name` (any case).
    pub async fn guild_membership_by_name(
        &self,
        name: &str,
    ) -> Result<Option<GuildMembership>, DbError> {
        let name = name.to_owned();
        self.call(move |conn| {
            let id: Option<i64> = conn.query_opt(
                "SELECT id FROM characters WHERE name = ?1",
                params![name],
                |row| row.get(0),
            )?;
            match id {
                Some(id) => Ok(membership_of(conn, id)?),
                None => Ok(None),
            }
        })
        .await
    }

    /// The members of a guild, by rank then name.
    pub async fn guild_members(&self, guild_id: i64) -> Result<Vec<GuildMember>, DbError> {
        self.call(move |conn| Ok(members(conn, guild_id)?)).await
    }

    /// Sets a guild's description.
    pub async fn set_guild_description(
        &self,
        guild_id: i64,
        description: String,
    ) -> Result<(), DbError> {
        self.call(move |conn| {
            conn.execute(
                "UPDATE guilds SET description = ?1 WHERE id = ?2",
                params![description, guild_id],
            )?;
            Ok(())
        })
        .await
    }

    /// Renames a guild's ranks; answers every member's membership now (their rank names
    /// changed).
    pub async fn set_guild_ranks(
        &self,
        guild_id: i64,
        ranks: [String; GUILD_RANKS],
    ) -> Result<(), DbError> {
        self.call(move |conn| {
            let [r1, r2, r3, r4, r5, r6, r7, r8, r9] = &ranks;
            conn.execute(
                "UPDATE guilds SET rank1 = ?1, rank2 = ?2, rank3 = ?3, rank4 = ?4, rank5 = ?5,
                 rank6 = ?6, rank7 = ?7, rank8 = ?8, rank9 = ?9 WHERE id = ?10",
                params![r1, r2, r3, r4, r5, r6, r7, r8, r9, guild_id],
            )?;
            Ok(())
        })
        .await
    }

    /// A recruit joins `guild_id` as a new member; the guild bank pays `cost`.
    pub async fn join_guild(
        &self,
        guild_id: i64,
        character_id: i64,
        cost: u32,
    ) -> Result<Joined, DbError> {
        self.call(move |conn| {
            let mut tx = conn.transaction()?;
            let Some(guild) = guild_by_id(&mut tx, guild_id)? else {
                return Ok(Joined::NoGuild);
            };
            if membership_of(&mut tx, character_id)?.is_some() {
                return Ok(Joined::AlreadyMember);
            }
            if guild.bank < cost {
                return Ok(Joined::AccountLow);
            }
            tx.execute(
                "UPDATE guilds SET bank = bank - ?1 WHERE id = ?2",
                params![cost, guild_id],
            )?;
            tx.execute(
                "UPDATE characters SET guild_id = ?1, guild_rank = ?2 WHERE id = ?3",
                params![guild_id, NEW_MEMBER_RANK, character_id],
            )?;
            tx.commit()?;
            Ok(Joined::Joined(membership(&guild, NEW_MEMBER_RANK)))
        })
        .await
    }

    /// A character leaves its guild. A leader who is its guild's last leader cannot (the
    /// guild would have nobody to run it): false then, or when it is in no guild.
    pub async fn leave_guild(&self, character_id: i64) -> Result<bool, DbError> {
        self.call(move |conn| {
            let mut tx = conn.transaction()?;
            let Some(mine) = membership_of(&mut tx, character_id)? else {
                return Ok(false);
            };
            if mine.rank == LEADER_RANK {
                let leaders: i64 = tx.query_value(
                    "SELECT COUNT(*) FROM characters WHERE guild_id = ?1 AND guild_rank = ?2",
                    params![mine.guild_id, LEADER_RANK],
                )?;
                if leaders <= 1 {
                    return Ok(false);
                }
            }
            tx.execute(
                "UPDATE characters SET guild_id = NULL, guild_rank = 0 WHERE id = ?1",
                params![character_id],
            )?;
            tx.commit()?;
            Ok(true)
        })
        .await
    }

    /// A member of rank `by_rank` removes the member `name` from `guild_id`: only one of a
    /// lower rank (a larger number). The member may be offline.
    pub async fn kick_guild_member(
        &self,
        guild_id: i64,
        by_rank: u8,
        name: &str,
    ) -> Result<MemberChange, DbError> {
        let name = name.to_owned();
        self.call(move |conn| {
            let mut tx = conn.transaction()?;
            let Some(member) = member_named(&mut tx, guild_id, &name)? else {
                return Ok(MemberChange::NotMember);
            };
            if member.rank <= by_rank {
                return Ok(MemberChange::Outranked);
            }
            tx.execute(
                "UPDATE characters SET guild_id = NULL, guild_rank = 0 WHERE id = ?1",
                params![member.character_id],
            )?;
            tx.commit()?;
            Ok(MemberChange::Done(member.character_id, None))
        })
        .await
    }

    /// A member of rank `by_rank` gives the member `name` of `guild_id` the rank `rank`: the
    /// member must be of a lower rank than `by_rank` and so must the new rank. The member may
    /// be offline.
    pub async fn set_guild_rank(
        &self,
        guild_id: i64,
        by_rank: u8,
        name: &str,
        rank: u8,
    ) -> Result<MemberChange, DbError> {
        let name = name.to_owned();
        self.call(move |conn| {
            let mut tx = conn.transaction()?;
            let Some(guild) = guild_by_id(&mut tx, guild_id)? else {
                return Ok(MemberChange::NotMember);
            };
            let Some(member) = member_named(&mut tx, guild_id, &name)? else {
                return Ok(MemberChange::NotMember);
            };
            let in_range = (1..=GUILD_RANKS as u8).contains(&rank); // ok: 9 fits
            if member.rank <= by_rank || rank <= by_rank || !in_range {
                return Ok(MemberChange::Outranked);
            }
            tx.execute(
                "UPDATE characters SET guild_rank = ?1 WHERE id = ?2",
                params![rank, member.character_id],
            )?;
            tx.commit()?;
            Ok(MemberChange::Done(
                member.character_id,
                Some(membership(&guild, rank)),
            ))
        })
        .await
    }

    /// Disbands a guild: its row goes, and its members belong to no guild. Answers the
    /// members it had.
    pub async fn disband_guild(&self, guild_id: i64) -> Result<Vec<GuildMember>, DbError> {
        self.call(move |conn| {
            let mut tx = conn.transaction()?;
            let had = members(&mut tx, guild_id)?;
            tx.execute(
                "UPDATE characters SET guild_id = NULL, guild_rank = 0 WHERE guild_id = ?1",
                params![guild_id],
            )?;
            tx.execute("DELETE FROM guilds WHERE id = ?1", params![guild_id])?;
            tx.commit()?;
            Ok(had)
        })
        .await
    }
}

/// Runs one [`GuildOp`] inside the save queue's transaction, after the character's state
/// (without the gold) was written. On refusal the gold goes back to the character's
/// inventory row in the same transaction.
pub(super) fn run_op(tx: &mut Conn, op: &GuildOp) -> Result<GuildOpOutcome, SqlError> {
    let outcome = match op {
        GuildOp::Deposit {
            guild_id,
            amount,
            max_bank,
            ..
        } => {
            let changed = tx.execute(
                "UPDATE guilds SET bank = bank + ?1 WHERE id = ?2 AND bank + ?1 <= ?3",
                params![amount, guild_id, max_bank],
            )?;
            if changed == 1 {
                let bank: u32 =
                    tx.query_value("SELECT bank FROM guilds WHERE id = ?1", params![guild_id])?;
                GuildOpOutcome::Deposited(bank)
            } else {
                GuildOpOutcome::Refused
            }
        }
        GuildOp::Create(new) => create(tx, new)?,
    };
    if outcome == GuildOpOutcome::Refused {
        refund_gold(tx, op.character_id(), op.gold())?;
    }
    Ok(outcome)
}

/// A guild's row as it is written.
pub(super) struct GuildRow<'a> {
    pub tag: &'a str,
    pub name: &'a str,
    pub description: &'a str,
    pub bank: u32,
    pub ranks: &'a [String; GUILD_RANKS],
    pub created_at: i64,
}

/// Writes a new guild's row; answers its id.
pub(super) fn insert(tx: &mut Conn, row: &GuildRow<'_>) -> Result<i64, SqlError> {
    let [r1, r2, r3, r4, r5, r6, r7, r8, r9] = row.ranks;
    tx.query_value(
        "INSERT INTO guilds (tag, name, description, bank, rank1, rank2, rank3, rank4, rank5,
         rank6, rank7, rank8, rank9, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) RETURNING id",
        params![
            row.tag,
            row.name,
            row.description,
            row.bank,
            r1,
            r2,
            r3,
            r4,
            r5,
            r6,
            r7,
            r8,
            r9,
            row.created_at
        ],
    )
}

fn create(tx: &mut Conn, new: &NewGuild) -> Result<GuildOpOutcome, SqlError> {
    let NewGuild {
        character_id: leader,
        tag,
        name,
        description,
        ranks,
        members,
        now,
        ..
    } = new;
    let leader = *leader;
    let taken: bool = tx.query_value(
        "SELECT EXISTS (SELECT 1 FROM guilds WHERE tag = ?1 OR name = ?2)",
        params![tag, name],
    )?;
    if taken || membership_of(tx, leader)?.is_some() {
        return Ok(GuildOpOutcome::Refused);
    }
    let id = insert(
        tx,
        &GuildRow {
            tag,
            name,
            description,
            bank: 0,
            ranks,
            created_at: *now,
        },
    )?;
    let Some(guild) = guild_by_id(tx, id)? else {
        return Ok(GuildOpOutcome::Refused);
    };
    let mut joined = Vec::new();
    for (character, rank) in
        std::iter::once((leader, LEADER_RANK)).chain(members.iter().map(|m| (*m, NEW_MEMBER_RANK)))
    {
        let changed = tx.execute(
            "UPDATE characters SET guild_id = ?1, guild_rank = ?2
             WHERE id = ?3 AND guild_id IS NULL",
            params![id, rank, character],
        )?;
        if changed == 1 {
            joined.push((character, membership(&guild, rank)));
        }
    }
    Ok(GuildOpOutcome::Created(joined))
}

/// Gives `amount` gold back to a character's inventory row (added to its gold, or a new row
/// after its others), as far as the column's limit allows.
fn refund_gold(tx: &mut Conn, character_id: i64, amount: u32) -> Result<(), SqlError> {
    let gold = i64::from(crate::data::GOLD);
    let changed = tx.execute(
        "UPDATE character_inventory
         SET amount = CASE WHEN amount + ?1 > 2147483647 THEN 2147483647 ELSE amount + ?1 END
         WHERE character_id = ?2 AND item_id = ?3",
        params![amount, character_id, gold],
    )?;
    if changed == 0 && amount > 0 {
        let slot: i64 = tx.query_value(
            "SELECT COALESCE(MAX(slot), -1) + 1 FROM character_inventory WHERE character_id = ?1",
            params![character_id],
        )?;
        tx.execute(
            "INSERT INTO character_inventory (character_id, slot, item_id, amount)
             VALUES (?1, ?2, ?3, ?4)",
            params![character_id, slot, gold, amount.min(i32::MAX as u32)],
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::characters::tests::new_character;
    use crate::db::testing::*;

    fn ranks() -> [String; GUILD_RANKS] {
        std::array::from_fn(|i| format!("Rank {}", i + 1))
    }

    async fn create_guild(db: &Db, leader: i64, members: Vec<i64>) -> GuildOpOutcome {
        let op = GuildOp::Create(Box::new(NewGuild {
            character_id: leader,
            cost: 10,
            tag: "TST".into(),
            name: "Testers".into(),
            description: "We test".into(),
            ranks: ranks(),
            members,
            now: 1000,
        }));
        let leader = db.load_character(leader).await.unwrap().unwrap();
        let (_, outcomes) = db
            .save_with_guild_ops(vec![leader], vec![op])
            .await
            .unwrap();
        outcomes.into_iter().next().unwrap()
    }

    async fn a_guild_is_created_joined_ranked_kicked_and_disbanded(db: Db) {
        let owner = account(&db, "owner").await;
        let mut ids = Vec::new();
        for name in ["Lead", "Ann", "Bob", "Cid"] {
            ids.push(
                db.create_character(owner, new_character(name), 10)
                    .await
                    .unwrap(),
            );
        }
        let [lead, ann, bob, cid] = ids[..] else {
            unreachable!()
        };
        let GuildOpOutcome::Created(joined) = create_guild(&db, lead, vec![ann, bob]).await else {
            panic!("not created");
        };
        assert_eq!(joined.len(), 3);
        assert_eq!(joined[0].1.rank, LEADER_RANK);
        assert_eq!(joined[0].1.rank_name, "Rank 1");
        // The same tag again: refused, and the cost goes back to the inventory row.
        assert_eq!(
            create_guild(&db, cid, vec![]).await,
            GuildOpOutcome::Refused
        );
        assert_eq!(
            db.load_character(cid).await.unwrap().unwrap().inventory,
            [(crate::data::GOLD, 10)]
        );
        let guild = db.guild("tst").await.unwrap().unwrap();
        assert_eq!(db.guild("testers").await.unwrap(), Some(guild.clone()));
        assert!(db.guild_taken("XX", "TESTERS").await.unwrap());
        let loaded = db.load_character(ann).await.unwrap().unwrap();
        assert_eq!(loaded.guild.as_ref().map(|g| g.rank), Some(NEW_MEMBER_RANK));

        // Join: the bank pays the cost.
        assert_eq!(
            db.join_guild(guild.id, cid, 1).await.unwrap(),
            Joined::AccountLow
        );
        let deposit = GuildOp::Deposit {
            character_id: lead,
            guild_id: guild.id,
            amount: 100,
            max_bank: 150,
        };
        let me = db.load_character(lead).await.unwrap().unwrap();
        let (_, out) = db
            .save_with_guild_ops(vec![me.clone()], vec![deposit.clone()])
            .await
            .unwrap();
        assert_eq!(out, [GuildOpOutcome::Deposited(100)]);
        // Past the cap: refused, the gold back in the row.
        let (_, out) = db
            .save_with_guild_ops(vec![me], vec![deposit])
            .await
            .unwrap();
        assert_eq!(out, [GuildOpOutcome::Refused]);
        assert_eq!(
            db.load_character(lead).await.unwrap().unwrap().inventory,
            [(crate::data::GOLD, 100)]
        );
        assert!(matches!(
            db.join_guild(guild.id, cid, 1).await.unwrap(),
            Joined::Joined(_)
        ));
        assert_eq!(
            db.join_guild(guild.id, cid, 1).await.unwrap(),
            Joined::AlreadyMember
        );
        assert_eq!(db.guild_by_id(guild.id).await.unwrap().unwrap().bank, 99);

        // Ranks: only below one's own.
        assert_eq!(
            db.set_guild_rank(guild.id, 2, "ann", 2).await.unwrap(),
            MemberChange::Outranked
        );
        assert!(matches!(
            db.set_guild_rank(guild.id, 1, "ann", 2).await.unwrap(),
            MemberChange::Done(id, Some(_)) if id == ann
        ));
        assert_eq!(
            db.kick_guild_member(guild.id, 2, "Ann").await.unwrap(),
            MemberChange::Outranked
        );
        assert_eq!(
            db.kick_guild_member(guild.id, 1, "Nobody").await.unwrap(),
            MemberChange::NotMember
        );
        assert_eq!(
            db.kick_guild_member(guild.id, 2, "Bob").await.unwrap(),
            MemberChange::Done(bob, None)
        );
        // Renamed ranks show in the memberships.
        let mut renamed = ranks();
        renamed[1] = "Second".into();
        db.set_guild_ranks(guild.id, renamed).await.unwrap();
        assert_eq!(
            db.guild_membership(ann).await.unwrap().unwrap().rank_name,
            "Second"
        );
        db.set_guild_description(guild.id, "New".into())
            .await
            .unwrap();
        // The last leader cannot leave; a member can.
        assert!(!db.leave_guild(lead).await.unwrap());
        assert!(db.leave_guild(cid).await.unwrap());
        let members = db.guild_members(guild.id).await.unwrap();
        assert_eq!(
            members.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(),
            ["Lead", "Ann"]
        );
        // A save of a member does not touch its guild columns.
        let mut ann_now = db.load_character(ann).await.unwrap().unwrap();
        ann_now.guild = None;
        db.save_characters(vec![ann_now]).await.unwrap();
        assert!(db.guild_membership(ann).await.unwrap().is_some());

        assert_eq!(db.disband_guild(guild.id).await.unwrap().len(), 2);
        assert_eq!(db.guild("TST").await.unwrap(), None);
        assert_eq!(db.guild_membership(lead).await.unwrap(), None);
    }

    on_both_backends!(a_guild_is_created_joined_ranked_kicked_and_disbanded);
}
