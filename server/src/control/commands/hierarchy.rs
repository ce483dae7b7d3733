//! Who may do what: a character's commands (in the game, or on the control socket `as` a
//! character) need the command's `[admin]` level, and a command that acts on another character
//! needs an admin level strictly above that character's. The operator on the socket (without
//! `as`) and signals are not limited.
//!
//! Levels are read from the database, where `promote` stores a level before anyone else hears of
//! it: a demotion is in force for the next command, whatever the world or the player task still
//! hold.

use super::{Admin, CommandError, Source};

/// A command's giver, resolved once per command.
pub(super) struct Caller<'a> {
    pub(super) source: &'a Source,
    /// The character whose admin level limits the command; `None` for the operator.
    pub(super) acting: Option<Acting>,
}

/// A character giving a command, with its admin level when the command came.
pub(super) struct Acting {
    /// As stored (the database's spelling).
    pub(super) name: String,
    pub(super) level: u8,
    /// Whether the command was typed in the game (the answers then speak to the player).
    in_game: bool,
}

impl Acting {
    /// The command as the giver typed it: `$kick` in the game, `kick` on the socket.
    fn shown(&self, command: &str) -> String {
        if self.in_game {
            format!("${command}")
        } else {
            command.to_owned()
        }
    }

    /// Who the refusal is about: "You" in the game, the character's name on the socket.
    fn subject(&self) -> &str {
        if self.in_game { "You" } else { &self.name }
    }

    /// "yours", or "NAME's".
    fn possessive(&self) -> String {
        if self.in_game {
            "yours".to_owned()
        } else {
            format!("{}'s", self.name)
        }
    }
}

impl Caller<'_> {
    /// The audit trail's `who`: the source's, with the character's stored name for `as`.
    pub(super) fn who(&self) -> String {
        match (self.source, &self.acting) {
            (Source::Control { uid, .. }, Some(acting)) => format!("uid {uid} as {}", acting.name),
            _ => self.source.who(),
        }
    }

    /// The character acting (the giver in the game, or the one named with `as`), if any.
    pub(super) fn character(&self) -> Option<&str> {
        self.acting.as_ref().map(|acting| acting.name.as_str())
    }
}

impl Admin {
    /// Resolves who gives a command: a character's admin level comes from the database (an
    /// unknown `as` name is `not_found`).
    pub(super) async fn caller<'a>(&self, source: &'a Source) -> Result<Caller<'a>, CommandError> {
        let (name, in_game) = match source {
            Source::Game { character } => (character, true),
            Source::Control {
                as_character: Some(name),
                ..
            } => (name, false),
            Source::Control {
                as_character: None, ..
            }
            | Source::Signal => {
                return Ok(Caller {
                    source,
                    acting: None,
                });
            }
        };
        let found = self
            .context
            .db
            .admin_level_of(name.trim())
            .await
            .map_err(CommandError::db)?;
        let Some((name, level)) = found else {
            return Err(if in_game {
                CommandError::forbidden("Your character is not known.")
            } else {
                CommandError::not_found(format!("no character named {name} to act as"))
            });
        };
        Ok(Caller {
            source,
            acting: Some(Acting {
                name,
                level,
                in_game,
            }),
        })
    }

    /// Whether the caller may use `command` at all: a character needs the command's `[admin]`
    /// level; a command with none is the operator's alone.
    pub(super) fn permitted(&self, caller: &Caller<'_>, command: &str) -> Result<(), CommandError> {
        let Some(acting) = &caller.acting else {
            return Ok(());
        };
        let needed = self.context.config.get().admin.level(command);
        match needed {
            Some(needed) if acting.level >= needed => Ok(()),
            // The in-game answer a player has always had.
            _ if acting.in_game => Err(CommandError::forbidden(format!(
                "You may not use ${command}."
            ))),
            Some(needed) => Err(CommandError::forbidden(format!(
                "{} may not use {command}: it needs admin level {needed}, {} has {}",
                acting.name, acting.name, acting.level
            ))),
            None => Err(CommandError::forbidden(format!(
                "{command} is for the server's operator only, not for a character"
            ))),
        }
    }

    /// As [`Self::permitted`]; `duty` needs its level on some character of the giver's
    /// account rather than on the giver (control/commands/duty.rs).
    pub(super) async fn permitted_now(
        &self,
        caller: &Caller<'_>,
        command: &str,
    ) -> Result<(), CommandError> {
        if command == "duty"
            && let Some(acting) = &caller.acting
            && let Some(needed) = self.context.config.get().admin.level(command)
        {
            let db = &self.context.db;
            if let Some((_, account_id, _)) = db
                .character_named(&acting.name)
                .await
                .map_err(CommandError::db)?
                && db
                    .account_admin_level(account_id)
                    .await
                    .map_err(CommandError::db)?
                    >= needed
            {
                return Ok(());
            }
        }
        self.permitted(caller, command)
    }

    /// Refuses `command` on the character named `target` unless the caller's admin level is
    /// strictly above the target's (or the caller is the operator, or the target itself). A
    /// target that does not exist is left for the command to report.
    pub(super) async fn may_act_on(
        &self,
        caller: &Caller<'_>,
        command: &str,
        target: &str,
    ) -> Result<(), CommandError> {
        let Some(acting) = &caller.acting else {
            return Ok(());
        };
        let found = self
            .context
            .db
            .admin_level_of(target)
            .await
            .map_err(CommandError::db)?;
        match found {
            Some((name, level)) if !name.eq_ignore_ascii_case(&acting.name) => {
                below(acting, command, &name, level)
            }
            _ => Ok(()),
        }
    }

    /// Refuses `command` on the account `account_id` (named `target`) unless the caller's
    /// admin level is strictly above that of every character of the account: banning an
    /// admin's other character bans the admin too.
    pub(super) async fn may_act_on_account(
        &self,
        caller: &Caller<'_>,
        command: &str,
        target: &str,
        account_id: i64,
    ) -> Result<(), CommandError> {
        let Some(acting) = &caller.acting else {
            return Ok(());
        };
        if target.trim().eq_ignore_ascii_case(&acting.name) {
            return Ok(());
        }
        let level = self
            .context
            .db
            .account_admin_level(account_id)
            .await
            .map_err(CommandError::db)?;
        below(acting, command, target.trim(), level)
    }

    /// Refuses setting admin level `level`: a character may only give levels below its own.
    pub(super) fn may_give_level(caller: &Caller<'_>, level: u8) -> Result<(), CommandError> {
        match &caller.acting {
            Some(acting) if level >= acting.level => Err(CommandError::forbidden(format!(
                "{} may not give admin level {level}: it is not below {} ({}).",
                acting.subject(),
                acting.possessive(),
                acting.level
            ))),
            _ => Ok(()),
        }
    }
}

/// Ok if `level` (the target's) is below the acting character's.
fn below(acting: &Acting, command: &str, target: &str, level: u8) -> Result<(), CommandError> {
    if acting.level > level {
        return Ok(());
    }
    let (subject, possessive) = (acting.subject(), acting.possessive());
    Err(CommandError::forbidden(format!(
        "{subject} may not use {} on {target}: their admin level is not below {possessive}.",
        acting.shown(command)
    )))
}
