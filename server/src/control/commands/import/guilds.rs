//! Guilds in an import: each guild record is checked against the `[guilds]` rules and
//! written as it was (db/guild_import.rs); a character that belonged to one is placed in it,
//! at its rank, once the character is written. A guild that does not come (refused, or not
//! sent) leaves its members guildless, each with a note: membership is not something a
//! character holds, so it never keeps a character out.

use std::collections::HashSet;

use serde::Deserialize;
use serde_json::Value;

use super::{Status, record};
use crate::control::commands::Admin;
use crate::db::{GUILD_RANKS, GuildImport, ImportedGuild, NEW_MEMBER_RANK, unix_now};
use crate::rules::guild::{valid_name, valid_tag};

/// The most guilds one request may carry.
pub const MAX_GUILDS: usize = 500;

/// A guild as the other server kept it.
#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub(super) struct ImportGuild {
    tag: String,
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    bank: u32,
    /// The names of ranks 1 to 9 (fewer are padded with empty names).
    #[serde(default)]
    ranks: Vec<String>,
    /// Unix seconds; now when the other server did not keep it.
    #[serde(default)]
    created_at: Option<i64>,
}

/// A character's place in a guild of the same import.
#[derive(Deserialize, Debug, Clone, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct ImportMembership {
    pub tag: String,
    /// 1 (leader) to 9 (new member).
    pub rank: u8,
}

/// Where a character of the import will belong.
pub(super) enum Placement {
    /// In the guild with this id, at this rank.
    In(i64, u8),
    /// A dry run: in the guild of this tag, which the same request would import.
    Would,
    /// Guildless.
    Nowhere,
}

/// The key under which a request remembers a guild it imported or would import.
fn taken_key(tag: &str) -> String {
    format!("guild {}", tag.to_ascii_uppercase())
}

impl Admin {
    /// One guild record: written (or, in a dry run, checked), with its answer.
    pub(super) async fn import_guild(
        &self,
        guild: ImportGuild,
        dry_run: bool,
        taken: &mut HashSet<String>,
    ) -> Value {
        let shown = guild.tag.clone();
        let refused = |reason: String| record("tag", &shown, Status::Refused, Some(reason), &[]);
        let (checked, notes) = match self.checked_guild(guild) {
            Ok(checked) => checked,
            Err(reason) => return refused(reason),
        };
        let tag = checked.tag.clone();
        if taken.contains(&taken_key(&tag)) {
            return refused(format!("another guild tagged {tag} is in the same batch"));
        }
        let answer = |status| record("tag", &tag, status, None, &notes);
        let db = &self.context.db;
        if dry_run {
            let here = match db.guild(&tag).await {
                Ok(here) => here,
                Err(error) => return refused(format!("database: {error}")),
            };
            let status = match here {
                Some(found)
                    if found.tag == tag && found.name.eq_ignore_ascii_case(&checked.name) =>
                {
                    Status::AlreadyImported
                }
                Some(_) => return refused(format!("a guild tagged {tag} already exists here")),
                None => match db.guild(&checked.name).await {
                    Ok(Some(_)) => {
                        return refused(format!(
                            "a guild named {} already exists here",
                            checked.name
                        ));
                    }
                    Ok(None) => Status::WouldImport,
                    Err(error) => return refused(format!("database: {error}")),
                },
            };
            taken.insert(taken_key(&tag));
            return answer(status);
        }
        let name = checked.name.clone();
        match db.import_guild(checked).await {
            Ok(GuildImport::Created(_)) => {
                taken.insert(taken_key(&tag));
                answer(Status::Imported)
            }
            Ok(GuildImport::Present(_)) => {
                taken.insert(taken_key(&tag));
                answer(Status::AlreadyImported)
            }
            Ok(GuildImport::TagTaken) => {
                refused(format!("a guild tagged {tag} already exists here"))
            }
            Ok(GuildImport::NameTaken) => {
                refused(format!("a guild named {name} already exists here"))
            }
            Err(error) => refused(format!("database: {error}")),
        }
    }

    /// The guild as it will be written and notes on what was changed, or why it cannot come.
    fn checked_guild(&self, guild: ImportGuild) -> Result<(ImportedGuild, Vec<String>), String> {
        let config = self.context.config.get().guilds.clone();
        let tag = guild.tag.trim().to_ascii_uppercase();
        if !valid_tag(&tag, &config) {
            return Err(format!(
                "{:?} is not a guild tag this server accepts ({} to {} letters; [guilds] \
                 min_tag_length, max_tag_length)",
                guild.tag, config.min_tag_length, config.max_tag_length
            ));
        }
        if !valid_name(&guild.name, &config) {
            return Err(format!(
                "{:?} is not a guild name this server accepts (letters, digits and spaces, at \
                 most {}; [guilds] max_name_length)",
                guild.name, config.max_name_length
            ));
        }
        if guild.bank > config.max_bank {
            return Err(format!(
                "its bank of {} gold is above [guilds] max_bank ({})",
                guild.bank, config.max_bank
            ));
        }
        let mut notes = Vec::new();
        let mut description = guild.description;
        let most = config.max_description_length as usize; // ok: a length limit
        if description.chars().count() > most {
            description = description.chars().take(most).collect();
            notes.push(format!(
                "its description is cut to {most} characters ([guilds] max_description_length)"
            ));
        }
        if guild.ranks.len() > GUILD_RANKS {
            notes.push(format!(
                "{} rank names given; the first {GUILD_RANKS} are kept",
                guild.ranks.len()
            ));
        }
        let most = config.max_rank_name_length as usize; // ok: a length limit
        let mut ranks: [String; GUILD_RANKS] = Default::default();
        for (slot, given) in ranks.iter_mut().zip(&guild.ranks) {
            *slot = given.chars().take(most).collect();
            if given.chars().count() > most {
                notes.push(format!(
                    "rank name {given:?} is cut to {most} characters ([guilds] max_rank_name_length)"
                ));
            }
        }
        let imported = ImportedGuild {
            tag,
            name: guild.name,
            description,
            bank: guild.bank,
            ranks,
            created_at: guild.created_at.unwrap_or_else(unix_now),
        };
        Ok((imported, notes))
    }

    /// Where a character that belonged to `membership` goes; a note when that is nowhere or
    /// its rank changed.
    pub(super) async fn placement(
        &self,
        membership: &ImportMembership,
        dry_run: bool,
        taken: &HashSet<String>,
        notes: &mut Vec<String>,
    ) -> Placement {
        let tag = membership.tag.trim().to_ascii_uppercase();
        let rank = if (1..=GUILD_RANKS).contains(&usize::from(membership.rank)) {
            membership.rank
        } else {
            notes.push(format!(
                "guild rank {} is not 1 to {GUILD_RANKS}: it is a new member ({NEW_MEMBER_RANK})",
                membership.rank
            ));
            NEW_MEMBER_RANK
        };
        let came = taken.contains(&taken_key(&tag));
        match self.context.db.guild(&tag).await {
            Ok(Some(guild)) if guild.tag == tag && came => Placement::In(guild.id, rank),
            Ok(None) if dry_run && came => Placement::Would,
            Ok(_) => {
                notes.push(format!(
                    "its guild {tag} is not imported: it comes without a guild"
                ));
                Placement::Nowhere
            }
            Err(error) => {
                notes.push(format!(
                    "its guild {tag} could not be looked up ({error}): it comes without a guild"
                ));
                Placement::Nowhere
            }
        }
    }
}
