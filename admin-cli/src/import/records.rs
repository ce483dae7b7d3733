//! What a reader makes of the other server's database: the guilds, accounts and characters in
//! the shape the server's `import` command takes (see docs/admin-protocol.md), the rows it
//! could not read, and what the import does not bring.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD as B64;
use serde::Serialize;

/// One account with its characters.
#[derive(Serialize, Clone, Debug, Default)]
pub struct Account {
    pub username: String,
    pub password: Password,
    pub real_name: String,
    pub location: String,
    pub email: String,
    pub computer: String,
    pub hdid: String,
    pub created_ip: String,
    pub characters: Vec<Character>,
}

/// A password hash in the other server's scheme, with what its check needs besides the
/// password: the salt and the username, as bytes in unpadded base64.
#[derive(Serialize, Clone, Debug, Default)]
pub struct Password {
    pub scheme: &'static str,
    pub salt: String,
    pub username: String,
    pub hash: String,
}

impl Password {
    pub fn new(scheme: &'static str, salt: &[u8], username: &str, hash: String) -> Self {
        Self {
            scheme,
            salt: B64.encode(salt),
            username: B64.encode(username.as_bytes()),
            hash,
        }
    }
}

/// One character in full.
#[derive(Serialize, Clone, Debug, Default)]
pub struct Character {
    pub name: String,
    pub title: String,
    pub home: String,
    pub fiance: String,
    pub partner: String,
    /// The protocol's admin level: 0 player, 1 spy, 2 light guide ... 5 high game master.
    pub admin_level: u8,
    pub class: u8,
    pub gender: u8,
    /// The skin.
    pub race: u8,
    pub hair_style: u8,
    pub hair_color: u8,
    pub map: u16,
    pub x: u8,
    pub y: u8,
    pub direction: u8,
    pub level: u8,
    pub experience: u32,
    pub hp: u16,
    pub tp: u16,
    pub str: u16,
    pub intl: u16,
    pub wis: u16,
    pub agi: u16,
    pub con: u16,
    pub cha: u16,
    pub stat_points: u16,
    pub skill_points: u16,
    pub karma: u16,
    pub sitting: u8,
    pub hidden: bool,
    /// Locker upgrades bought.
    pub bank_level: u8,
    pub gold_bank: u32,
    /// Minutes played.
    pub usage: u32,
    /// Item ids in the protocol's paperdoll order (boots, accessory, gloves, belt, armor,
    /// necklace, hat, shield, weapon, ring ×2, armlet ×2, bracer ×2).
    pub equipment: [u16; 15],
    pub inventory: Vec<(u16, u32)>,
    /// The locker.
    pub bank: Vec<(u16, u32)>,
    pub spells: Vec<(u16, u16)>,
    /// Its guild (by tag) and rank there, 1 (leader) to 9.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guild: Option<Membership>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub quests: Vec<Quest>,
}

/// A character's place in a guild.
#[derive(Serialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct Membership {
    pub tag: String,
    pub rank: u8,
}

/// A guild.
#[derive(Serialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct Guild {
    pub tag: String,
    pub name: String,
    pub description: String,
    pub bank: u32,
    /// The names of ranks 1 to 9.
    pub ranks: Vec<String>,
    /// Unix seconds, when the other server kept it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<i64>,
}

/// One quest's progress. The server turns a state given by position into its name with its
/// own copy of the quest file.
#[derive(Serialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct Quest {
    pub quest_id: u16,
    /// By name (EOSERV).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// By position among the file's states (reoserv).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state_index: Option<u32>,
    /// The other server marked it finished.
    pub finished: bool,
    /// Kills and uses counted, keyed as the server's quest engine keys them (`npc/ID`,
    /// `item/ID`, `spell/ID`, `players`).
    pub counters: Vec<(String, u32)>,
    pub roll: u32,
    /// Days since 1970 (UTC) of the daily count.
    pub daily_day: u32,
    pub daily_count: u32,
    pub completions: u32,
}

/// A row that could not be read (it is not sent).
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct BadRow {
    /// "account NAME", "character NAME" or "guild TAG".
    pub what: String,
    pub reason: String,
}

/// Something the other server keeps that the import does not bring (its bans), and how much.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct NotYet {
    pub what: String,
    pub count: u64,
}

/// Everything read.
#[derive(Default, Debug)]
pub struct Read {
    pub accounts: Vec<Account>,
    pub guilds: Vec<Guild>,
    pub bad_rows: Vec<BadRow>,
    pub not_yet: Vec<NotYet>,
}

impl Read {
    pub fn bad(&mut self, what: String, reason: impl Into<String>) {
        self.bad_rows.push(BadRow {
            what,
            reason: reason.into(),
        });
    }

    /// Accounts, and characters, whose names differ only in case (this server compares names
    /// without case): all but the first are set aside as bad rows (an account with its
    /// characters).
    pub fn set_aside_case_twins(&mut self) {
        let mut seen = std::collections::HashSet::new();
        let mut seen_characters = std::collections::HashSet::new();
        let accounts = std::mem::take(&mut self.accounts);
        for mut account in accounts {
            if seen.insert(account.username.to_ascii_lowercase()) {
                let characters = std::mem::take(&mut account.characters);
                for character in characters {
                    if seen_characters.insert(character.name.to_ascii_lowercase()) {
                        account.characters.push(character);
                    } else {
                        let reason = format!(
                            "another character of the source is named {} but for case",
                            character.name
                        );
                        self.bad(format!("character {}", character.name), reason);
                    }
                }
                self.accounts.push(account);
                continue;
            }
            let reason = format!(
                "another account of the source is named {} but for case",
                account.username
            );
            for character in &account.characters {
                self.bad(
                    format!("character {}", character.name),
                    "its account is not imported",
                );
            }
            self.bad(format!("account {}", account.username), reason);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_alike_but_for_case_are_set_aside() {
        let character = |name: &str| Character {
            name: name.into(),
            ..Character::default()
        };
        let mut read = Read::default();
        read.accounts.push(Account {
            username: "Ann".into(),
            characters: vec![character("Faye")],
            ..Account::default()
        });
        read.accounts.push(Account {
            username: "ann".into(),
            characters: vec![character("Gwen")],
            ..Account::default()
        });
        read.accounts.push(Account {
            username: "bob".into(),
            characters: vec![character("faye"), character("Hal")],
            ..Account::default()
        });
        read.set_aside_case_twins();
        let kept: Vec<(&str, usize)> = read
            .accounts
            .iter()
            .map(|a| (a.username.as_str(), a.characters.len()))
            .collect();
        assert_eq!(kept, [("Ann", 1), ("bob", 1)]);
        let bad: Vec<&str> = read.bad_rows.iter().map(|b| b.what.as_str()).collect();
        assert_eq!(bad, ["character Gwen", "account ann", "character faye"]);
    }
}
