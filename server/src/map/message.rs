//! What a map actor is asked to do: the messages its handle (map/handle.rs) sends, and the
//! name each is logged by when handling it panics (map/actor.rs).

use std::sync::Arc;

use eo_protocol::Direction;
use eo_protocol::net::client::StatId;
use eo_protocol::net::server::NearbyInfo;
use eo_protocol::net::{Item, ThreeItem};
use tokio::sync::oneshot;

use super::handle::WalkOutcome;

use crate::data::GameData;
use crate::db::Character;
use crate::player::PlayerHandle;

pub(super) enum MapMessage {
    /// The character comes onto the map: from now on the map owns it (map/persistence.rs).
    Enter {
        player_id: u16,
        character: Box<Character>,
        player: PlayerHandle,
        reply: oneshot::Sender<NearbyInfo>,
    },
    /// The character leaves the map, saved on its way out; `None` if it is not here.
    Leave {
        player_id: u16,
        reply: oneshot::Sender<Option<Character>>,
    },
    /// Paperdoll_Request: the character's paperdoll, sent to `to`.
    Paperdoll {
        player_id: u16,
        to: PlayerHandle,
    },
    /// An operator changed the character's admin level (its paperdoll shows it).
    SetAdminLevel {
        player_id: u16,
        level: u8,
    },
    /// The character's client is on the map now (the game entered, or a warp agreed): quests
    /// may speak to it (map/quests/).
    Arrived {
        player_id: u16,
        login: bool,
    },
    /// Queue the save of everyone on the map now; answers how many that is.
    SaveAll {
        reply: oneshot::Sender<usize>,
    },
    /// A packet of a feature that lives on the map (map/services.rs).
    Packet {
        player_id: u16,
        packet: Box<eo_protocol::net::client::ClientPacket>,
    },
    Walk {
        player_id: u16,
        direction: Direction,
        reply: oneshot::Sender<WalkOutcome>,
    },
    Face {
        player_id: u16,
        direction: Direction,
    },
    Talk {
        player_id: u16,
        message: String,
    },
    Nearby {
        player_id: u16,
        reply: oneshot::Sender<NearbyInfo>,
    },
    Emote {
        player_id: u16,
        emote: eo_protocol::Emote,
    },
    Sit {
        player_id: u16,
        sit: bool,
    },
    Chair {
        player_id: u16,
        seat: Option<(u8, u8)>,
        reply: oneshot::Sender<Option<(u8, u8, Direction)>>,
    },
    Positions {
        reply: oneshot::Sender<Vec<(u16, u16, u16)>>,
    },
    /// Where one character stands, if it is here.
    Position {
        player_id: u16,
        reply: oneshot::Sender<Option<(u16, u16)>>,
    },
    SetHidden {
        player_id: u16,
        hidden: bool,
        reply: oneshot::Sender<bool>,
    },
    NpcRange {
        player_id: u16,
        indexes: Vec<u8>,
    },
    /// Attack_Use (map/combat.rs).
    Attack {
        player_id: u16,
        direction: Direction,
    },
    Range {
        player_id: u16,
        player_ids: Vec<u16>,
        npc_indexes: Vec<u8>,
    },
    /// The item packets (map/items.rs, map/ground.rs, map/equipment.rs).
    Item {
        player_id: u16,
        action: ItemAction,
    },
    /// What a player task asks for a guild action (map/guild.rs).
    Guild(super::guild::GuildRequest),
    /// The character's partner divorced it (map/marriage.rs).
    Divorced {
        player_id: u16,
        by: String,
    },
    /// The world's view of a party changed, or a member warped here (map/party.rs).
    PartyView(super::party::PartyView),
    /// Party_Request: whether `target` is in reach of `player_id`, with both HP percentages.
    Reachable {
        player_id: u16,
        target: u16,
        reply: oneshot::Sender<Option<(u8, u8)>>,
    },
    /// An operator's gift: a pile at the character's feet, for it alone for a while.
    Give {
        player_id: u16,
        item_id: u16,
        amount: u32,
        reply: oneshot::Sender<Option<(u8, u8)>>,
    },
    /// An operator's action (map/admin.rs).
    Admin {
        action: super::admin::AdminAction,
        reply: oneshot::Sender<Result<super::admin::AdminDone, String>>,
    },
    /// The game data in force from now on (`remap`, `repub`: map/reload.rs).
    NewData {
        data: Arc<GameData>,
        change: super::reload::DataChange,
        reply: oneshot::Sender<super::reload::DataSwapped>,
    },
}

impl MapMessage {
    /// The message's name, for the line a panic while handling it logs.
    pub(super) fn kind(&self) -> &'static str {
        match self {
            MapMessage::Enter { .. } => "enter",
            MapMessage::Leave { .. } => "leave",
            MapMessage::Paperdoll { .. } => "paperdoll",
            MapMessage::SetAdminLevel { .. } => "set admin level",
            MapMessage::Arrived { .. } => "arrived",
            MapMessage::SaveAll { .. } => "save all",
            MapMessage::Packet { packet, .. } => packet.name(),
            MapMessage::Walk { .. } => "walk",
            MapMessage::Face { .. } => "face",
            MapMessage::Talk { .. } => "talk",
            MapMessage::Nearby { .. } => "nearby",
            MapMessage::Emote { .. } => "emote",
            MapMessage::Sit { .. } => "sit",
            MapMessage::Chair { .. } => "chair",
            MapMessage::Positions { .. } => "positions",
            MapMessage::Position { .. } => "position",
            MapMessage::SetHidden { .. } => "set hidden",
            MapMessage::NpcRange { .. } => "npc range",
            MapMessage::Attack { .. } => "attack",
            MapMessage::Range { .. } => "range",
            MapMessage::Item { action, .. } => action.kind(),
            MapMessage::Give { .. } => "give",
            MapMessage::Admin { .. } => "admin",
            MapMessage::NewData { .. } => "new data",
            MapMessage::Guild(_) => "guild",
            MapMessage::Divorced { .. } => "divorced",
            MapMessage::PartyView(_) => "party view",
            MapMessage::Reachable { .. } => "reachable",
        }
    }
}

/// What a player does with items, stats and equipment (decided in map/items.rs, map/ground.rs
/// and map/equipment.rs).
#[derive(Debug, Clone)]
pub(super) enum ItemAction {
    Drop { item: ThreeItem, at: (u8, u8) },
    Get { uid: u16 },
    Junk { item: Item },
    Use { item_id: u16 },
    Equip { item_id: u16, sub_loc: u8 },
    Unequip { item_id: u16, sub_loc: u8 },
    SpendStat { stat: StatId },
    SpendSkill { spell_id: u16 },
}

impl ItemAction {
    pub(super) fn kind(&self) -> &'static str {
        match self {
            ItemAction::Drop { .. } => "item drop",
            ItemAction::Get { .. } => "item get",
            ItemAction::Junk { .. } => "item junk",
            ItemAction::Use { .. } => "item use",
            ItemAction::Equip { .. } => "equip",
            ItemAction::Unequip { .. } => "unequip",
            ItemAction::SpendStat { .. } => "spend stat point",
            ItemAction::SpendSkill { .. } => "spend skill point",
        }
    }
}
