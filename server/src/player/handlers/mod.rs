//! One file per packet family: each handler takes the player task and its decoded packet.

mod account;
mod admin;
mod attack;
mod board;
mod character;
mod connection;
mod duty;
#[cfg(feature = "fault-injection")]
pub(super) mod fault;
mod game;
mod guild;
mod init;
mod items;
mod login;
mod marriage;
mod message;
mod party;
mod player_commands;
mod players;
mod range;
mod report;
mod warp;
mod welcome;

pub(super) use board::open_anywhere as open_board_anywhere;
pub(super) use duty::switch as duty;
pub(crate) use guild::{GuildEvent, GuildFlow, event as guild_event};
pub(super) use marriage::end_marriage;
pub(super) use warp::{PendingWarp, offer as offer_warp};
// The names the game accepts, for names that come another way (`eo-admin import`).
pub(crate) use account::account_name;
pub(crate) use character::character_name;

use eo_protocol::net::client::{ChairRequestClientPacketSitActionData, ClientPacket, SitAction};
use tracing::debug;

use super::actor::{Disconnect, Player, State};
use super::flood::ActionKind;
use crate::world::Channel;

/// Runs the handler of one packet.
pub(super) async fn dispatch(player: &mut Player, packet: ClientPacket) -> Result<(), Disconnect> {
    #[cfg(feature = "fault-injection")]
    fault::inject(&packet);
    match packet {
        ClientPacket::InitInit(packet) => init::init(player, packet).await,
        ClientPacket::ConnectionAccept(packet) => connection::accept(player, packet),
        // The sequencer already switched to the ping's start; nothing else to do.
        ClientPacket::ConnectionPing(_) => Ok(()),
        ClientPacket::AccountRequest(packet) => account::request(player, packet).await,
        ClientPacket::AccountCreate(packet) => account::create(player, packet).await,
        ClientPacket::AccountAgree(packet) => account::change_password(player, packet).await,
        ClientPacket::LoginRequest(packet) => login::request(player, packet).await,
        ClientPacket::CharacterRequest(_) => character::request(player).await,
        ClientPacket::CharacterCreate(packet) => character::create(player, packet).await,
        ClientPacket::CharacterTake(packet) => character::take(player, packet).await,
        ClientPacket::CharacterRemove(packet) => character::remove(player, packet).await,
        ClientPacket::WelcomeRequest(packet) => welcome::request(player, packet).await,
        ClientPacket::WelcomeAgree(packet) => welcome::agree(player, packet).await,
        ClientPacket::WelcomeMsg(packet) => welcome::enter(player, packet).await,
        ClientPacket::WalkPlayer(packet) => game::walk(player, packet.walk_action.direction).await,
        ClientPacket::WalkSpec(packet) => game::walk(player, packet.walk_action.direction).await,
        ClientPacket::WalkAdmin(packet) => game::walk(player, packet.walk_action.direction).await,
        ClientPacket::FacePlayer(packet) => game::face(player, packet.direction).await,
        ClientPacket::TalkReport(packet) => game::talk(player, packet.message).await,
        // Vestigial aliases of Talk_Report (no client sends them; EOSERV takes them as it).
        ClientPacket::TalkPlayer(packet) => game::talk(player, packet.message).await,
        ClientPacket::TalkUse(packet) => game::talk(player, packet.message).await,
        ClientPacket::RefreshRequest(_) => game::refresh(player).await,
        ClientPacket::AttackUse(packet) => attack::attack(player, packet.direction).await,
        ClientPacket::NpcRangeRequest(packet) => range::npcs(player, packet.npc_indexes).await,
        ClientPacket::RangeRequest(packet) => {
            range::both(player, packet.player_ids, packet.npc_indexes).await
        }
        ClientPacket::PlayerRangeRequest(packet) => {
            range::both(player, packet.player_ids, Vec::new()).await
        }
        ClientPacket::WarpTake(packet) => warp::take(player, packet).await,
        ClientPacket::PlayersRequest(_) => players::list(player),
        ClientPacket::PlayersList(_) => players::friends(player),
        ClientPacket::PlayersAccept(packet) => players::find(player, packet.name),
        ClientPacket::PaperdollRequest(packet) => players::request(player, packet.player_id).await,
        ClientPacket::WarpAccept(packet) => warp::accept(player, packet).await,
        ClientPacket::TalkMsg(packet) => game::world_chat(player, Channel::Global, packet.message),
        ClientPacket::TalkAdmin(packet) => game::world_chat(player, Channel::Admin, packet.message),
        ClientPacket::TalkAnnounce(packet) => {
            game::world_chat(player, Channel::Announce, packet.message)
        }
        ClientPacket::TalkTell(packet) => game::whisper(player, packet.name, packet.message),
        ClientPacket::GlobalOpen(_) => game::global(player, true).await,
        ClientPacket::GlobalClose(_) => game::global(player, false).await,
        ClientPacket::EmoteReport(packet) => game::emote(player, packet.emote).await,
        ClientPacket::ChairRequest(packet) => match packet.sit_action_data {
            Some(ChairRequestClientPacketSitActionData::Sit(seat)) => {
                game::chair(player, Some((seat.coords.x, seat.coords.y))).await
            }
            None if packet.sit_action == SitAction::Stand => game::chair(player, None).await,
            None => Ok(()),
        },
        ClientPacket::SitRequest(packet) => match packet.sit_action {
            SitAction::Sit => game::sit(player, true).await,
            SitAction::Stand => game::sit(player, false).await,
            SitAction::Unrecognized(_) => Ok(()),
        },
        ClientPacket::ItemDrop(packet) => items::drop(player, packet).await,
        ClientPacket::ItemGet(packet) => items::get(player, packet.item_index).await,
        ClientPacket::ItemJunk(packet) => items::junk(player, packet).await,
        ClientPacket::ItemUse(packet) => items::use_item(player, packet.item_id).await,
        ClientPacket::PaperdollAdd(packet) => items::equip(player, packet).await,
        ClientPacket::PaperdollRemove(packet) => items::unequip(player, packet).await,
        ClientPacket::StatSkillAdd(packet) => items::train(player, packet).await,
        // Features that live on the map get the packet as it is (map/services.rs).
        ClientPacket::BarberOpen(_) | ClientPacket::BarberBuy(_) => to_map(player, packet).await,
        ClientPacket::JukeboxOpen(_)
        | ClientPacket::JukeboxMsg(_)
        | ClientPacket::JukeboxUse(_) => to_map(player, packet).await,
        ClientPacket::AdminInteractTell(packet) => report::tell(player, packet.message).await,
        ClientPacket::AdminInteractReport(packet) => {
            report::report(player, packet.reportee, packet.message).await
        }
        ClientPacket::MessagePing(_) => message::ping(player).await,
        ClientPacket::QuestList(_) | ClientPacket::QuestUse(_) | ClientPacket::QuestAccept(_) => {
            to_map(player, packet).await
        }
        ClientPacket::BookRequest(_) => to_map(player, packet).await,
        // Boards are the world's, in the database (handlers/board.rs).
        ClientPacket::BoardOpen(packet) => board::open(player, packet).await,
        ClientPacket::BoardTake(packet) => board::take(player, packet).await,
        ClientPacket::BoardCreate(packet) => board::create(player, packet).await,
        ClientPacket::BoardRemove(packet) => board::remove(player, packet).await,
        ClientPacket::DoorOpen(_) => to_map(player, packet).await,
        ClientPacket::BankOpen(_)
        | ClientPacket::BankAdd(_)
        | ClientPacket::BankTake(_)
        | ClientPacket::LockerBuy(_) => to_map(player, packet).await,
        ClientPacket::LockerOpen(_) | ClientPacket::LockerAdd(_) | ClientPacket::LockerTake(_) => {
            to_map(player, packet).await
        }
        ClientPacket::ChestOpen(_) | ClientPacket::ChestAdd(_) | ClientPacket::ChestTake(_) => {
            to_map(player, packet).await
        }
        ClientPacket::CitizenOpen(_)
        | ClientPacket::CitizenReply(_)
        | ClientPacket::CitizenRemove(_)
        | ClientPacket::CitizenRequest(_)
        | ClientPacket::CitizenAccept(_) => to_map(player, packet).await,
        ClientPacket::ShopOpen(_)
        | ClientPacket::ShopBuy(_)
        | ClientPacket::ShopSell(_)
        | ClientPacket::ShopCreate(_) => to_map(player, packet).await,
        ClientPacket::StatSkillOpen(_)
        | ClientPacket::StatSkillTake(_)
        | ClientPacket::StatSkillRemove(_)
        | ClientPacket::StatSkillJunk(_) => to_map(player, packet).await,
        // Parties are the world's (handlers/party.rs); spells the map's (map/spells.rs).
        ClientPacket::PartyRequest(packet) => party::request(player, packet).await,
        ClientPacket::PartyAccept(packet) => party::accept(player, packet),
        ClientPacket::PartyRemove(packet) => party::remove(player, packet.player_id),
        ClientPacket::PartyTake(_) => party::take(player),
        ClientPacket::TalkOpen(packet) => party::chat(player, packet.message),
        ClientPacket::SpellRequest(_)
        | ClientPacket::SpellTargetSelf(_)
        | ClientPacket::SpellTargetOther(_)
        | ClientPacket::SpellTargetGroup(_) => to_map(player, packet).await,
        ClientPacket::TradeRequest(_)
        | ClientPacket::TradeAccept(_)
        | ClientPacket::TradeAdd(_)
        | ClientPacket::TradeRemove(_)
        | ClientPacket::TradeAgree(_)
        | ClientPacket::TradeClose(_) => to_map(player, packet).await,
        // The guild master's session is the map's; guilds are the database's (handlers/guild/).
        ClientPacket::GuildOpen(_) => to_map(player, packet).await,
        // The lawyer and the priest live on the map (map/marriage.rs).
        ClientPacket::MarriageOpen(_)
        | ClientPacket::MarriageRequest(_)
        | ClientPacket::PriestOpen(_)
        | ClientPacket::PriestRequest(_)
        | ClientPacket::PriestAccept(_)
        | ClientPacket::PriestUse(_) => to_map(player, packet).await,
        ClientPacket::GuildRequest(_)
        | ClientPacket::GuildAccept(_)
        | ClientPacket::GuildCreate(_)
        | ClientPacket::GuildPlayer(_)
        | ClientPacket::GuildUse(_)
        | ClientPacket::GuildRemove(_)
        | ClientPacket::GuildKick(_)
        | ClientPacket::GuildRank(_)
        | ClientPacket::GuildJunk(_)
        | ClientPacket::GuildAgree(_)
        | ClientPacket::GuildBuy(_)
        | ClientPacket::GuildTake(_)
        | ClientPacket::GuildReport(_)
        | ClientPacket::GuildTell(_) => guild::packet(player, packet).await,
        ClientPacket::TalkRequest(packet) => game::guild_chat(player, packet.message),
        other => {
            // Packets of features not built yet (the game itself) are read and ignored, as the
            // official server ignores packets it does not expect.
            debug!(addr = %player.addr, packet = other.name(), "no handler yet; ignored");
            Ok(())
        }
    }
}

/// An action flood control refused as too soon: a walker is put back where the map has it
/// (its client moved already); anything else is dropped.
pub(super) async fn refused(player: &mut Player, kind: ActionKind) -> Result<(), Disconnect> {
    debug!(addr = %player.addr, %kind, "refused as too soon");
    match kind {
        ActionKind::Walk => game::refresh(player).await,
        ActionKind::Attack | ActionKind::Face | ActionKind::Chat => Ok(()),
    }
}

/// Hands a packet of a feature that lives on the map to the character's map.
async fn to_map(player: &mut Player, packet: ClientPacket) -> Result<(), Disconnect> {
    let (State::InGame(game), Some(player_id)) = (&player.state, player.player_id) else {
        return Err(Disconnect::Closed("an in-game packet outside the game"));
    };
    game.map.packet(player_id, packet).await;
    Ok(())
}

/// The account id of a logged-in player, or the error for a packet that needs one.
fn logged_in(player: &Player, what: &'static str) -> Result<i64, Disconnect> {
    match player.state {
        State::LoggedIn { account_id } => Ok(account_id),
        _ => Err(Disconnect::Closed(what)),
    }
}

/// A random session id: EO sends them where a reply code would be, so they must be above 9.
fn session_id(player: &mut Player) -> u16 {
    use rand::Rng;
    player.rng.random_range(10..=64_008)
}
