//! `[admin]`: the admin level each admin action needs: the in-game `$` commands (and the same
//! commands on the control socket when given `--as` a character), admin chat and announcements
//! sent as packets.

use serde::{Deserialize, Serialize};

use super::ConfigError;

/// The highest admin level (the one place it is declared).
pub const MAX_ADMIN_LEVEL: u8 = 5;

/// `[admin]`: the admin level (the protocol's `AdminLevel`: 0 player, 1 spy, 2 light guide, 3
/// guardian, 4 game master, 5 high game master) each admin action needs. `$show` needs what `$hide` does; `announce` is both
/// `$announce` and the client's announcement packet (Talk_Announce).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AdminConfig {
    pub kick: u8,
    pub mute: u8,
    pub info: u8,
    pub warp: u8,
    pub warptome: u8,
    pub warpmeto: u8,
    pub hide: u8,
    pub ban: u8,
    pub unban: u8,
    pub announce: u8,
    pub shutdown: u8,
    pub give: u8,
    pub promote: u8,
    pub skick: u8,
    pub smute: u8,
    pub sban: u8,
    pub jail: u8,
    pub sjail: u8,
    pub unjail: u8,
    pub freeze: u8,
    pub unfreeze: u8,
    pub sitem: u8,
    pub ditem: u8,
    pub quake: u8,
    pub snpc: u8,
    pub dnpc: u8,
    pub evacuate: u8,
    pub set: u8,
    pub learn: u8,
    pub strip: u8,
    pub paperdoll: u8,
    pub inventory: u8,
    /// `$uptime` (`#uptime` is every player's).
    pub uptime: u8,
    /// `$request`: a call for help to the admins in the game (every player's by default).
    pub request: u8,
    /// Admin chat (Talk_Admin): who may send it, and who hears it.
    pub admin_chat: u8,
    /// `$remap`: reread a map's file live.
    pub remap: u8,
    /// `$repub`: reread the pub files live.
    pub repub: u8,
}

impl Default for AdminConfig {
    fn default() -> Self {
        AdminConfig {
            kick: 1,
            mute: 1,
            info: 1,
            warp: 2,
            warptome: 2,
            warpmeto: 2,
            hide: 2,
            ban: 2,
            unban: 3,
            announce: 3,
            shutdown: 4,
            give: 3,
            promote: 4,
            skick: 1,
            smute: 1,
            sban: 2,
            jail: 2,
            sjail: 2,
            unjail: 2,
            freeze: 2,
            unfreeze: 2,
            sitem: 4,
            ditem: 4,
            quake: 2,
            snpc: 4,
            dnpc: 4,
            evacuate: 4,
            set: 4,
            learn: 4,
            strip: 4,
            paperdoll: 1,
            inventory: 1,
            uptime: 0,
            request: 0,
            admin_chat: 1,
            remap: 4,
            repub: 4,
        }
    }
}

impl AdminConfig {
    /// Every command's level, by the command's name.
    pub fn commands(&self) -> [(&'static str, u8); 36] {
        [
            ("kick", self.kick),
            ("mute", self.mute),
            ("info", self.info),
            ("warp", self.warp),
            ("warptome", self.warptome),
            ("warpmeto", self.warpmeto),
            ("hide", self.hide),
            ("ban", self.ban),
            ("unban", self.unban),
            ("announce", self.announce),
            ("shutdown", self.shutdown),
            ("give", self.give),
            ("promote", self.promote),
            ("skick", self.skick),
            ("smute", self.smute),
            ("sban", self.sban),
            ("jail", self.jail),
            ("sjail", self.sjail),
            ("unjail", self.unjail),
            ("freeze", self.freeze),
            ("unfreeze", self.unfreeze),
            ("sitem", self.sitem),
            ("ditem", self.ditem),
            ("quake", self.quake),
            ("snpc", self.snpc),
            ("dnpc", self.dnpc),
            ("evacuate", self.evacuate),
            ("set", self.set),
            ("learn", self.learn),
            ("strip", self.strip),
            ("paperdoll", self.paperdoll),
            ("inventory", self.inventory),
            ("uptime", self.uptime),
            ("request", self.request),
            ("remap", self.remap),
            ("repub", self.repub),
        ]
    }

    /// The level the command `command` needs from a character (in the game, or named with
    /// `--as` on the control socket); `None` if characters may not use it at all.
    pub fn level(&self, command: &str) -> Option<u8> {
        let command = if command == "show" { "hide" } else { command };
        self.commands()
            .into_iter()
            .find(|(name, _)| *name == command)
            .map(|(_, level)| level)
    }

    /// Checks the rules the types cannot express; each error names the key.
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        let keys = self
            .commands()
            .into_iter()
            .chain([("admin_chat", self.admin_chat)]);
        for (key, level) in keys {
            if level > MAX_ADMIN_LEVEL {
                return Err(ConfigError::new(
                    format!("admin.{key}"),
                    format!("{level} is above the highest admin level ({MAX_ADMIN_LEVEL})"),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::config::tests::invalid;

    #[test]
    fn validation_rules() {
        assert_eq!(invalid(|c| c.admin.ban = 6).key, "admin.ban");
        assert_eq!(invalid(|c| c.admin.admin_chat = 6).key, "admin.admin_chat");
    }

    #[test]
    fn every_command_a_character_may_use_has_a_key() {
        // The operator's alone (no key): status, players, bans, message, save, audit, reload,
        // reload-quests.
        let operator_only = [
            "status",
            "players",
            "bans",
            "message",
            "save",
            "audit",
            "reload",
            "reload-quests",
        ];
        let admin = super::AdminConfig::default();
        for name in eo_control::Command::NAMES {
            assert_eq!(
                admin.level(name).is_none(),
                operator_only.contains(name),
                "{name}"
            );
        }
    }

    #[test]
    fn only_commands_have_a_command_level() {
        let admin = super::AdminConfig::default();
        assert_eq!(admin.level("promote"), Some(4));
        assert_eq!(admin.level("show"), admin.level("hide"));
        assert_eq!(admin.level("admin_chat"), None);
        assert_eq!(admin.level("save"), None);
    }
}
