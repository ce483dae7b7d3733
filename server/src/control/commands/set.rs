//! `set`: a field of a character (level, experience, a stat, stat or skill points, karma,
//! class, race, gender, hair, title, home, fiance, partner, guild rank), `learn`: a spell, and
//! `strip`: what it wears. On a character below the giver's admin level.
//!
//! The value is checked once (`map::check_set`: the game's limits, the ECF's classes, the
//! world's inns) for a character in the game or not:
//! - in the game, the map that holds it changes it and tells the clients (map/set.rs);
//! - not in the game, its row is written directly: the command holds its account in the world
//!   meanwhile (`WorldHandle::hold_account`), so nobody can log in to it, read it, play it or
//!   save it between the read and the write, and an account is only free once its last
//!   logout's saves are on disk. A character whose account is logged in (at the character
//!   list, or playing another character) is refused, as its player could enter the game with it
//!   at any moment;
//! - a guild rank is the guild's (db/guilds.rs), written by the guild's own call, online or not;
//!   a member in the game is shown its new rank at once.

use eo_control::{LearnArgs, NameArgs, SetArgs, SetField};
use eo_protocol::net::server::GuildAcceptServerPacket;
use serde_json::{Value, json};

use super::args::name_arg;
use super::{Admin, Caller, CommandError, CommandResult, ErrorCode};
use crate::db::MemberChange;
use crate::map::{AdminAction, GameState, SetTo};
use crate::net::packet;

impl Admin {
    pub(super) async fn set(&self, caller: &Caller<'_>, args: SetArgs) -> CommandResult {
        let name = name_arg(&args.name)?;
        let field = args.field;
        self.may_act_on(caller, "set", &name).await?;
        let mut value = crate::map::check_set(field, &args.text(), &self.context.data.get())
            .map_err(CommandError::bad_request)?;
        if let (SetField::Fiance | SetField::Partner, SetTo::Text(other)) = (field, &value)
            && !other.is_empty()
        {
            // Stored as the character's name is spelled.
            let (_, _, spelled) = self
                .context
                .db
                .character_named(other)
                .await
                .map_err(CommandError::db)?
                .ok_or_else(|| {
                    CommandError::not_found(format!("there is no character named {other}"))
                })?;
            value = SetTo::Text(spelled);
        }
        if field == SetField::Guildrank {
            return self.set_guild_rank(&name, value.number()).await;
        }
        if let Some(result) = self.set_online(&name, field, &value).await? {
            return Ok(result);
        }
        let hold = self.hold_offline(&name).await?;
        match hold {
            Offline::Held(character, hold) => {
                let result = self.set_offline(*character, field, &value).await;
                drop(hold);
                result
            }
            // It entered the game between the two looks.
            Offline::InGame => self
                .set_online(&name, field, &value)
                .await?
                .ok_or_else(|| CommandError::not_found(format!("{name} is not in the game"))),
        }
    }

    /// `set` on a character in the game, through its map; `None` if it is not in the game.
    async fn set_online(
        &self,
        name: &str,
        field: SetField,
        value: &SetTo,
    ) -> Result<Option<Value>, CommandError> {
        let Some(player) = self.context.world.player(name.to_owned()).await else {
            return Ok(None);
        };
        let map = self.context.maps.get(&player.map).ok_or_else(|| {
            CommandError::new(ErrorCode::Failed, format!("{} has no map", player.name))
        })?;
        let done = map
            .admin(AdminAction::Set {
                player_id: player.player_id,
                field,
                value: value.clone(),
            })
            .await
            .ok_or_else(|| CommandError::new(ErrorCode::Failed, "the map did not answer"))?
            .map_err(CommandError::bad_request)?;
        if matches!(field, SetField::Title | SetField::Class) {
            // The online list shows both: the map answered them.
            let class = u8::try_from(done.count).unwrap_or(0);
            self.context
                .world
                .changed_listing(player.player_id, done.text.clone(), class)
                .await;
        }
        let now = if field.is_text() {
            json!(done.text)
        } else {
            json!(done.count)
        };
        Ok(Some(
            json!({ "name": player.name, "field": field.name(), "value": now, "online": true }),
        ))
    }

    /// The character named `name`, loaded once its account is held; or word that it is in the
    /// game after all.
    async fn hold_offline(&self, name: &str) -> Result<Offline, CommandError> {
        let (id, account_id, stored) = self
            .context
            .db
            .character_named(name)
            .await
            .map_err(CommandError::db)?
            .ok_or_else(|| {
                CommandError::not_found(format!("there is no character named {name}"))
            })?;
        let Some(hold) = self.context.world.hold_account(account_id).await else {
            if self.context.world.player(stored.clone()).await.is_some() {
                return Ok(Offline::InGame);
            }
            return Err(CommandError::new(
                ErrorCode::Failed,
                format!(
                    "{stored} is not in the game, but its account is logged in (at the character \
                     list, or playing another character): try again once it is in the game or \
                     logged out"
                ),
            ));
        };
        let character = self
            .context
            .db
            .load_character(id)
            .await
            .map_err(CommandError::db)?
            .ok_or_else(|| {
                CommandError::not_found(format!("there is no character named {name}"))
            })?;
        Ok(Offline::Held(Box::new(character), hold))
    }

    /// `set` on a character nobody plays (its account held): its row, changed as the map
    /// would change it, written in one UPDATE.
    async fn set_offline(
        &self,
        before: crate::db::Character,
        field: SetField,
        value: &SetTo,
    ) -> CommandResult {
        let data = &self.context.data.get();
        let mut state = GameState::of(&before);
        let now = crate::map::apply_set(&mut state, field, value, data);
        let mut after = before.clone();
        state.apply_to(&mut after);
        let name = after.name.clone();
        self.context
            .db
            .write_changed_columns(before, after)
            .await
            .map_err(CommandError::db)?;
        let now = match now {
            SetTo::Number(n) => json!(n),
            SetTo::Text(text) => json!(text),
        };
        Ok(json!({ "name": name, "field": field.name(), "value": now, "online": false }))
    }

    /// `set guildrank`: the member's rank in its guild, online or not (the guild's own call);
    /// a member in the game sees it at once (Guild_Accept, as from a leader's change).
    async fn set_guild_rank(&self, name: &str, rank: u32) -> CommandResult {
        let db = &self.context.db;
        let rank =
            u8::try_from(rank).map_err(|_| CommandError::bad_request("guildrank is 1 to 9"))?;
        let membership = db
            .guild_membership_by_name(name)
            .await
            .map_err(CommandError::db)?
            .ok_or_else(|| CommandError::bad_request(format!("{name} is in no guild")))?;
        // As the guild's founder (rank 0, above every rank) would.
        let change = db
            .set_guild_rank(membership.guild_id, 0, name, rank)
            .await
            .map_err(CommandError::db)?;
        let MemberChange::Done(_, guild) = change else {
            return Err(CommandError::new(
                ErrorCode::Failed,
                format!("{name} left its guild meanwhile"),
            ));
        };
        let player = self.context.world.player(name.to_owned()).await;
        if let Some(player) = &player {
            let body = packet::encode(&GuildAcceptServerPacket { rank }).ok();
            player.handle.guild_changed(guild, body);
        }
        let online = player.is_some();
        let shown = player.map_or_else(|| name.to_owned(), |p| p.name);
        Ok(json!({
            "name": shown,
            "field": SetField::Guildrank.name(),
            "value": rank,
            "online": online,
            "guild": membership.tag,
        }))
    }

    /// `learn`: on a character below the giver's level (or the giver itself).
    pub(super) async fn learn(
        &self,
        caller: &Caller<'_>,
        LearnArgs { name, spell, level }: LearnArgs,
    ) -> CommandResult {
        self.may_act_on(caller, "learn", name.trim()).await?;
        let player = self.online(&name).await?;
        let map = self.context.maps.get(&player.map).ok_or_else(|| {
            CommandError::new(ErrorCode::Failed, format!("{} has no map", player.name))
        })?;
        let done = map
            .admin(AdminAction::Learn {
                player_id: player.player_id,
                spell,
                level,
            })
            .await
            .ok_or_else(|| CommandError::new(ErrorCode::Failed, "the map did not answer"))?
            .map_err(CommandError::bad_request)?;
        Ok(json!({ "name": player.name, "spell": spell, "level": done.count }))
    }

    /// `strip`: on a character below the giver's level (or the giver itself).
    pub(super) async fn strip(
        &self,
        caller: &Caller<'_>,
        NameArgs { name }: NameArgs,
    ) -> CommandResult {
        self.may_act_on(caller, "strip", name.trim()).await?;
        let player = self.online(&name).await?;
        let map = self.context.maps.get(&player.map).ok_or_else(|| {
            CommandError::new(ErrorCode::Failed, format!("{} has no map", player.name))
        })?;
        let done = map
            .admin(AdminAction::Strip {
                player_id: player.player_id,
            })
            .await
            .ok_or_else(|| CommandError::new(ErrorCode::Failed, "the map did not answer"))?
            .map_err(|why| CommandError::new(ErrorCode::Failed, why))?;
        let still = done.equipment.iter().filter(|item| **item != 0).count();
        Ok(json!({ "name": player.name, "removed": done.count, "still_worn": still }))
    }
}

/// Where `set` found a character that was not in the game at first.
enum Offline {
    /// Loaded, its account held until the write is done.
    Held(Box<crate::db::Character>, crate::world::AccountHold),
    InGame,
}
