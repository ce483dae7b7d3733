//! `import`: accounts and characters from another server (EOSERV, reoserv), read by `eo-admin
//! import` from that server's database and sent here in batches. Each record is checked
//! against this server (names the game accepts, names already taken, the pub files' item,
//! spell and class ids, the maps) and written through the database's ordinary calls; the
//! answer says, record by record, what was imported, what was already there from an earlier
//! import, and what was refused and why. With `dry_run` nothing is written.
//!
//! Password hashes stay in their own scheme (`crate::auth::legacy`) until the player's next
//! login replaces them.

use std::collections::HashSet;

use serde::Deserialize;
use serde_json::{Value, json};

use super::args::args;
use super::{Admin, CommandResult};
use crate::db::{DbError, NewAccount, NewCharacter};
use crate::player::character_name;

mod checks;
mod guilds;
mod quests;

use checks::{checked_account, checked_character};
use guilds::{ImportGuild, ImportMembership, MAX_GUILDS, Placement};
use quests::ImportQuest;

/// The most accounts one request may carry (a batch is also bounded by the socket's line).
pub const MAX_BATCH: usize = 100;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ImportArgs {
    /// Where the records come from ("eoserv", "reoserv"), for the log and the audit trail.
    source: String,
    #[serde(default)]
    dry_run: bool,
    /// What becomes of item, spell and class ids the pub files here do not have.
    #[serde(default)]
    unknown_ids: UnknownIds,
    /// Guilds, written before the accounts so that their members find them.
    #[serde(default)]
    guilds: Vec<ImportGuild>,
    #[serde(default)]
    accounts: Vec<ImportAccount>,
}

#[derive(Deserialize, Default, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "snake_case")]
enum UnknownIds {
    /// The character is refused (the default: nothing is lost without being asked).
    #[default]
    Refuse,
    /// The character is imported without them (each one dropped is listed).
    Drop,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ImportAccount {
    username: String,
    password: ImportPassword,
    #[serde(default)]
    real_name: String,
    #[serde(default)]
    location: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    computer: String,
    #[serde(default)]
    hdid: String,
    #[serde(default)]
    created_ip: String,
    #[serde(default)]
    characters: Vec<ImportCharacter>,
}

/// A password hash in another server's scheme (`crate::auth::legacy::SCHEMES`); the salt and
/// the username its check needs are bytes in unpadded standard base64.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ImportPassword {
    scheme: String,
    #[serde(default)]
    salt: String,
    username: String,
    hash: String,
}

/// A character in full: the columns of `characters` but the ids and times, with its paperdoll
/// (15 item ids in the protocol's order), inventory, locker and spells.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(deny_unknown_fields, default)]
struct ImportCharacter {
    name: String,
    title: String,
    home: String,
    fiance: String,
    partner: String,
    admin_level: u8,
    class: u8,
    gender: u8,
    race: u8,
    hair_style: u8,
    hair_color: u8,
    map: u16,
    x: u8,
    y: u8,
    direction: u8,
    level: u8,
    experience: u32,
    hp: u16,
    tp: u16,
    str: u16,
    intl: u16,
    wis: u16,
    agi: u16,
    con: u16,
    cha: u16,
    stat_points: u16,
    skill_points: u16,
    karma: u16,
    sitting: u8,
    hidden: bool,
    bank_level: u8,
    gold_bank: u32,
    usage: u32,
    equipment: [u16; 15],
    inventory: Vec<(u16, u32)>,
    bank: Vec<(u16, u32)>,
    spells: Vec<(u16, u16)>,
    /// Its guild (one of the request's `guilds`) and rank.
    guild: Option<ImportMembership>,
    quests: Vec<ImportQuest>,
}

/// What became of one record.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Status {
    Imported,
    /// A dry run: it would be imported.
    WouldImport,
    /// An earlier import brought it already (the same account, the same password hash).
    AlreadyImported,
    Refused,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Imported => "imported",
            Status::WouldImport => "would_import",
            Status::AlreadyImported => "already_imported",
            Status::Refused => "refused",
        }
    }
}

/// One record's answer: its name under `key` ("username" or "name"), its status, why it was
/// refused, and notes on what was changed on the way.
fn record(
    key: &str,
    name: &str,
    status: Status,
    reason: Option<String>,
    notes: &[String],
) -> Value {
    let mut answer = serde_json::Map::new();
    answer.insert(key.to_owned(), json!(name));
    answer.insert("status".into(), json!(status.as_str()));
    answer.insert("reason".into(), json!(reason));
    answer.insert("notes".into(), json!(notes));
    Value::Object(answer)
}

impl Admin {
    pub(super) async fn import(&self, args: Value) -> CommandResult {
        let ImportArgs {
            source,
            dry_run,
            unknown_ids,
            guilds,
            accounts,
        } = self::args(args)?;
        if accounts.len() > MAX_BATCH || guilds.len() > MAX_GUILDS {
            return Err(super::CommandError::bad_request(format!(
                "at most {MAX_BATCH} accounts and {MAX_GUILDS} guilds a request"
            )));
        }
        // Names this request took already (a dry run writes nothing to find them by), and
        // the guilds it brought.
        let mut taken = HashSet::new();
        let mut guild_answers = Vec::with_capacity(guilds.len());
        for guild in guilds {
            guild_answers.push(self.import_guild(guild, dry_run, &mut taken).await);
        }
        let mut answers = Vec::with_capacity(accounts.len());
        for account in accounts {
            answers.push(
                self.import_account(account, dry_run, unknown_ids, &mut taken)
                    .await,
            );
        }
        tracing::info!(
            %source,
            dry_run,
            guilds = guild_answers.len(),
            accounts = answers.len(),
            "import batch"
        );
        Ok(json!({ "dry_run": dry_run, "guilds": guild_answers, "accounts": answers }))
    }

    async fn import_account(
        &self,
        account: ImportAccount,
        dry_run: bool,
        unknown_ids: UnknownIds,
        taken: &mut HashSet<String>,
    ) -> Value {
        let shown = account.username.clone();
        let refuse_all = |reason: String, characters: &[ImportCharacter]| {
            let characters: Vec<Value> = characters
                .iter()
                .map(|c| {
                    let why = "its account is not imported".to_owned();
                    record("name", &c.name, Status::Refused, Some(why), &[])
                })
                .collect();
            let mut answer = record("username", &shown, Status::Refused, Some(reason), &[]);
            answer["characters"] = json!(characters);
            answer
        };
        let (username, stored_hash) = match checked_account(&account) {
            Ok(checked) => checked,
            Err(reason) => return refuse_all(reason, &account.characters),
        };
        if !taken.insert(format!("account {username}")) {
            let reason = format!("another account named {username} is in the same batch");
            return refuse_all(reason, &account.characters);
        }
        let db = &self.context.db;
        let existing = match db.account_by_name(&username).await {
            Ok(existing) => existing,
            Err(error) => return refuse_all(format!("database: {error}"), &account.characters),
        };
        let (status, account_id) = match existing {
            Some(found) if found.password_hash == stored_hash => {
                (Status::AlreadyImported, Some(found.id))
            }
            Some(_) => {
                let reason = format!("an account named {username} already exists here");
                return refuse_all(reason, &account.characters);
            }
            None if dry_run => (Status::WouldImport, None),
            None => {
                let new = NewAccount {
                    username: username.clone(),
                    password_hash: stored_hash,
                    real_name: account.real_name.clone(),
                    location: account.location.clone(),
                    email: account.email.clone(),
                    computer: account.computer.clone(),
                    hdid: account.hdid.clone(),
                    created_ip: account.created_ip.clone(),
                };
                match db.create_account(new).await {
                    Ok(id) => (Status::Imported, Some(id)),
                    Err(DbError::AccountExists) => {
                        let reason = format!("an account named {username} already exists here");
                        return refuse_all(reason, &account.characters);
                    }
                    Err(error) => {
                        return refuse_all(format!("database: {error}"), &account.characters);
                    }
                }
            }
        };
        // The account's characters here already (an earlier import's).
        let mut present: Vec<String> = match account_id {
            Some(id) => match db.characters_of(id).await {
                Ok(list) => list
                    .into_iter()
                    .map(|c| c.name.to_ascii_lowercase())
                    .collect(),
                Err(error) => {
                    return refuse_all(format!("database: {error}"), &account.characters);
                }
            },
            None => Vec::new(),
        };
        let mut characters = Vec::with_capacity(account.characters.len());
        for character in &account.characters {
            let answer = self
                .import_character(
                    character,
                    account_id,
                    dry_run,
                    unknown_ids,
                    taken,
                    &mut present,
                )
                .await;
            characters.push(answer);
        }
        let mut answer = record("username", &username, status, None, &[]);
        answer["characters"] = json!(characters);
        answer
    }

    /// One character of an account that is here (`account_id`), or would be (a dry run).
    async fn import_character(
        &self,
        character: &ImportCharacter,
        account_id: Option<i64>,
        dry_run: bool,
        unknown_ids: UnknownIds,
        taken: &mut HashSet<String>,
        present: &mut Vec<String>,
    ) -> Value {
        let refused =
            |reason: String| record("name", &character.name, Status::Refused, Some(reason), &[]);
        let config = self.context.config.get();
        let Some(name) = character_name(&character.name) else {
            return refused(format!(
                "{:?} is not a character name this server accepts",
                character.name
            ));
        };
        if present.contains(&name) {
            return record("name", &name, Status::AlreadyImported, None, &[]);
        }
        if !taken.insert(format!("character {name}")) {
            return refused(format!(
                "another character named {name} is in the same batch"
            ));
        }
        let db = &self.context.db;
        match db.character_name_exists(&name).await {
            Ok(false) => {}
            Ok(true) => return refused(format!("a character named {name} already exists here")),
            Err(error) => return refused(format!("database: {error}")),
        }
        let max = usize::from(config.world.max_characters);
        if present.len() >= max {
            return refused(format!(
                "the account would have more than {max} characters (world.max_characters)"
            ));
        }
        let data = self.context.data.get();
        let spawn = self
            .context
            .spawns
            .pick(&config.world, &data, &mut rand::rng());
        let (mut full, mut notes) = match checked_character(&data, character, unknown_ids, spawn) {
            Ok(checked) => checked,
            Err(reason) => return refused(reason),
        };
        full.name = name.clone();
        let placement = match &character.guild {
            Some(membership) => self.placement(membership, dry_run, taken, &mut notes).await,
            None => Placement::Nowhere,
        };
        let (Some(account_id), false) = (account_id, dry_run) else {
            present.push(name.clone());
            return record("name", &name, Status::WouldImport, None, &notes);
        };
        let new = NewCharacter {
            name: name.clone(),
            gender: full.gender,
            hair_style: full.hair_style,
            hair_color: full.hair_color,
            skin: full.skin,
            class: full.class,
            home: full.home.clone(),
            map: full.map,
            x: full.x,
            y: full.y,
            direction: full.direction,
            level: full.level,
            hp: full.hp,
            tp: full.tp,
            ..NewCharacter::default()
        };
        let id = match db.create_character(account_id, new, max).await {
            Ok(id) => id,
            Err(DbError::CharacterExists) => {
                return refused(format!("a character named {name} already exists here"));
            }
            Err(error) => return refused(format!("database: {error}")),
        };
        full.id = id;
        full.account_id = account_id;
        let admin_level = full.admin_level;
        let saved = db.save_characters(vec![full]).await;
        if !matches!(&saved, Ok(report) if report.saved == 1) {
            // Not half a character: the row made above goes again.
            let _ = db.delete_character(account_id, id).await;
            let why = match saved {
                Err(error) => format!("database: {error}"),
                Ok(_) => "its state breaks the database's rules".to_owned(),
            };
            return refused(why);
        }
        if let Placement::In(guild_id, rank) = placement
            && !matches!(db.place_in_guild(id, guild_id, rank).await, Ok(true))
        {
            notes.push("it could not be placed in its guild: it comes without one".to_owned());
        }
        if admin_level > 0
            && let Err(error) = db.set_admin_level(&name, admin_level).await
        {
            notes.push(format!(
                "its admin level {admin_level} was not set: {error}"
            ));
        }
        present.push(name.clone());
        record("name", &name, Status::Imported, None, &notes)
    }
}

/// What the audit trail keeps of an import: not the records (password hashes among them),
/// only what and how many.
pub(super) fn audit_summary(args: &Value) -> String {
    let accounts = args.get("accounts").and_then(Value::as_array);
    let characters: usize = accounts.map_or(0, |list| {
        list.iter()
            .filter_map(|a| a.get("characters").and_then(Value::as_array))
            .map(Vec::len)
            .sum()
    });
    json!({
        "source": args.get("source"),
        "dry_run": args.get("dry_run"),
        "guilds": args.get("guilds").and_then(Value::as_array).map_or(0, Vec::len),
        "accounts": accounts.map_or(0, Vec::len),
        "characters": characters,
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_audit_trail_keeps_no_hashes() {
        let args = json!({
            "source": "eoserv",
            "dry_run": false,
            "accounts": [{"username": "a", "password": {"hash": "SECRET"}, "characters": [{}, {}]}],
        });
        let summary = audit_summary(&args);
        assert!(!summary.contains("SECRET"), "{summary}");
        assert!(summary.contains("\"characters\":2"), "{summary}");
    }
}
