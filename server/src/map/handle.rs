//! The map's handle: async methods that hide the messages. Replies are awaited with a timeout
//! by the caller (a player task); the map never awaits a player, so no cycle can form.

use std::sync::Arc;
use std::time::Duration;

use eo_protocol::Direction;
use eo_protocol::map::MapWarp;
use eo_protocol::net::server::NearbyInfo;
use tokio::sync::{mpsc, oneshot};

use super::actor::{ItemAction, MapActor, MapMessage};
use crate::data::MapData;
use crate::db::Character;
use crate::player::PlayerHandle;
use crate::save::SaveQueue;

/// How many messages may wait for one map.
const MAP_QUEUE_LEN: usize = 4096;
/// How long a player waits for its map's answer before giving up on it.
pub const REPLY_TIMEOUT: Duration = Duration::from_secs(5);
/// How long the world waits for room in a map's queue to hand it a party view.
const VIEW_SEND_TIMEOUT: Duration = Duration::from_millis(250);

/// What became of a walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WalkOutcome {
    /// The character moved; the others in range were told.
    Moved { x: u8, y: u8 },
    /// A wall, the map's edge, another character, or an unknown player: it did not move.
    Blocked,
    /// It stepped onto a warp tile at (x, y) (and moved there).
    Warp(MapWarp, u8, u8),
}

/// Why a map could not do what a player task asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MapError {
    /// The map did not answer in time. The message is queued all the same and will be
    /// handled: a character sent with `enter` is on the map then.
    #[error("the map did not answer in time")]
    TimedOut,
    /// The map has stopped, or failed while handling the message (its actor logged why).
    #[error("the map failed to answer")]
    Failed,
    /// The character is not on this map.
    #[error("the character is not on this map")]
    NotHere,
}

/// What a map uses of the rest of the server: the save path and the metrics.
#[derive(Clone, Debug)]
pub struct MapServices {
    pub saves: SaveQueue,
    pub metrics: Arc<crate::metrics::Metrics>,
}

/// A cheap, cloneable handle to one map actor.
#[derive(Clone, Debug)]
pub struct MapHandle {
    pub id: u16,
    tx: mpsc::Sender<MapMessage>,
}

/// Two handles are equal when they reach the same map.
impl PartialEq for MapHandle {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}
impl Eq for MapHandle {}

impl MapHandle {
    /// Starts the actor of one map; it saves the characters on it and counts through
    /// `services`.
    pub fn spawn(
        data: Arc<crate::data::GameData>,
        id: u16,
        config: Arc<crate::config::Config>,
        services: MapServices,
    ) -> Option<Self> {
        let _map: &MapData = data.maps.get(&id)?;
        let (tx, rx) = mpsc::channel(MAP_QUEUE_LEN);
        tokio::spawn(MapActor::new(data, id, rx, config, services).run());
        Some(Self { id, tx })
    }

    async fn ask<T>(&self, make: impl FnOnce(oneshot::Sender<T>) -> MapMessage) -> Option<T> {
        self.ask_within(Some(REPLY_TIMEOUT), make).await.ok()
    }

    /// Sends a message and waits for its answer, `within` a time if given. The message is
    /// always sent whole (waiting for room in the queue): a timeout only stops the waiting for
    /// the answer, so [`MapError::TimedOut`] means the map will still handle it.
    async fn ask_within<T>(
        &self,
        within: Option<Duration>,
        make: impl FnOnce(oneshot::Sender<T>) -> MapMessage,
    ) -> Result<T, MapError> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(make(reply))
            .await
            .map_err(|_| MapError::Failed)?;
        match within {
            Some(within) => match tokio::time::timeout(within, rx).await {
                Ok(answer) => answer.map_err(|_| MapError::Failed),
                Err(_) => Err(MapError::TimedOut),
            },
            None => rx.await.map_err(|_| MapError::Failed),
        }
    }

    /// Puts a character on the map (others in range see it appear) and returns what it sees.
    /// From then on the map owns the character and saves it. On [`MapError::TimedOut`] the
    /// character is on the map all the same (or soon will be); on [`MapError::Failed`] it
    /// may or may not be: the caller's last save of it stands.
    pub async fn enter(
        &self,
        player_id: u16,
        character: Character,
        player: PlayerHandle,
    ) -> Result<NearbyInfo, MapError> {
        self.ask_within(Some(REPLY_TIMEOUT), |reply| MapMessage::Enter {
            player_id,
            character: Box::new(character),
            player,
            reply,
        })
        .await
    }

    /// Takes a character off the map (others in range see it leave), queueing its save with
    /// every character whose holdings changed, and returns it as it is now. With `within`,
    /// the wait is bounded: on [`MapError::TimedOut`] the character stays on the map (a map
    /// that finds its asker gone keeps it), so the caller still has it there. Without, the
    /// call waits for as long as the map takes (a map never waits on a player, so it answers).
    pub async fn leave(
        &self,
        player_id: u16,
        within: Option<Duration>,
    ) -> Result<Character, MapError> {
        self.ask_within(within, |reply| MapMessage::Leave { player_id, reply })
            .await?
            .ok_or(MapError::NotHere)
    }

    /// Sends the character's paperdoll, as it is now, to `to` (fire-and-forget).
    pub async fn paperdoll(&self, player_id: u16, to: PlayerHandle) {
        let _ = self.tx.send(MapMessage::Paperdoll { player_id, to }).await;
    }

    /// An operator changed the character's admin level (fire-and-forget).
    pub async fn set_admin_level(&self, player_id: u16, level: u8) {
        let _ = self
            .tx
            .send(MapMessage::SetAdminLevel { player_id, level })
            .await;
    }

    /// A packet of a feature that lives on the map (map/services.rs), fire-and-forget: the
    /// map answers the client.
    pub async fn packet(&self, player_id: u16, packet: eo_protocol::net::client::ClientPacket) {
        let _ = self
            .tx
            .send(MapMessage::Packet {
                player_id,
                packet: Box::new(packet),
            })
            .await;
    }

    /// The character's client is on the map now (after Welcome_Reply or Warp_Agree): its
    /// quests may speak to it (fire-and-forget).
    pub async fn arrived(&self, player_id: u16, login: bool) {
        let _ = self.tx.send(MapMessage::Arrived { player_id, login }).await;
    }

    /// Queues the save of everyone on the map now; how many (`None` if the map failed).
    pub async fn save_all(&self) -> Option<usize> {
        self.ask(|reply| MapMessage::SaveAll { reply }).await
    }

    /// One step in `direction`.
    pub async fn walk(&self, player_id: u16, direction: Direction) -> WalkOutcome {
        self.ask(|reply| MapMessage::Walk {
            player_id,
            direction,
            reply,
        })
        .await
        .unwrap_or(WalkOutcome::Blocked)
    }

    /// Turns to face `direction` (fire-and-forget).
    pub async fn face(&self, player_id: u16, direction: Direction) {
        let _ = self
            .tx
            .send(MapMessage::Face {
                player_id,
                direction,
            })
            .await;
    }

    /// Says `message` to the players in range (fire-and-forget).
    pub async fn talk(&self, player_id: u16, message: String) {
        let _ = self.tx.send(MapMessage::Talk { player_id, message }).await;
    }

    /// What the player sees now (Refresh_Request).
    pub async fn nearby(&self, player_id: u16) -> Option<NearbyInfo> {
        self.ask(|reply| MapMessage::Nearby { player_id, reply })
            .await
    }

    /// Shows an emote over the player's head (fire-and-forget).
    pub async fn emote(&self, player_id: u16, emote: eo_protocol::Emote) {
        let _ = self.tx.send(MapMessage::Emote { player_id, emote }).await;
    }

    /// Sits down on the floor or stands up (fire-and-forget).
    pub async fn sit(&self, player_id: u16, sit: bool) {
        let _ = self.tx.send(MapMessage::Sit { player_id, sit }).await;
    }

    /// Sits on the chair at `seat` (next to the character), or stands up from a chair with
    /// `None`. Returns where the character is afterwards if it changed.
    pub async fn chair(
        &self,
        player_id: u16,
        seat: Option<(u8, u8)>,
    ) -> Option<(u8, u8, Direction)> {
        self.ask(|reply| MapMessage::Chair {
            player_id,
            seat,
            reply,
        })
        .await
        .flatten()
    }

    /// Hides the character from the others (they see it leave) or shows it again (they see it
    /// appear); whether that changed anything (`None` if the map did not answer).
    pub async fn set_hidden(&self, player_id: u16, hidden: bool) -> Option<bool> {
        self.ask(|reply| MapMessage::SetHidden {
            player_id,
            hidden,
            reply,
        })
        .await
    }

    /// NpcRange_Request: the map sends the player the NPCs of `indexes` it can see
    /// (Npc_Agree; fire-and-forget).
    pub async fn npc_range(&self, player_id: u16, indexes: Vec<u8>) {
        let _ = self
            .tx
            .send(MapMessage::NpcRange { player_id, indexes })
            .await;
    }

    /// Attack_Use: the character strikes in `direction` (fire-and-forget; the map tells
    /// whoever it concerns).
    pub async fn attack(&self, player_id: u16, direction: Direction) {
        let _ = self
            .tx
            .send(MapMessage::Attack {
                player_id,
                direction,
            })
            .await;
    }

    /// Range_Request: the map sends the player the characters and NPCs it asks about that it
    /// can see (Range_Reply; fire-and-forget).
    pub async fn range(&self, player_id: u16, player_ids: Vec<u16>, npc_indexes: Vec<u8>) {
        let _ = self
            .tx
            .send(MapMessage::Range {
                player_id,
                player_ids,
                npc_indexes,
            })
            .await;
    }

    /// An operator's gift: puts `amount` of item `item_id` at the character's feet, for it
    /// alone for `items.drop_protect_npc_secs`. Where it lies, or `None` (no such character or
    /// item, or the map did not answer).
    pub async fn give(&self, player_id: u16, item_id: u16, amount: u32) -> Option<(u8, u8)> {
        self.ask(|reply| MapMessage::Give {
            player_id,
            item_id,
            amount,
            reply,
        })
        .await
        .flatten()
    }

    /// Hands the map the game data in force from now on, for `change` (map/reload.rs); what it
    /// did. [`MapError::TimedOut`]: the map takes it all the same when it gets to it.
    pub async fn new_data(
        &self,
        data: Arc<crate::data::GameData>,
        change: super::DataChange,
    ) -> Result<super::DataSwapped, MapError> {
        self.ask_within(Some(REPLY_TIMEOUT), |reply| MapMessage::NewData {
            data,
            change,
            reply,
        })
        .await
    }

    /// An operator's action on this map (map/admin.rs): what it did, or why not (`None` if
    /// the map did not answer).
    pub async fn admin(
        &self,
        action: super::admin::AdminAction,
    ) -> Option<Result<super::admin::AdminDone, String>> {
        self.ask(|reply| MapMessage::Admin { action, reply }).await
    }

    /// As [`Self::admin`], without waiting for the answer.
    pub async fn admin_nowait(&self, action: super::admin::AdminAction) {
        let (reply, _) = tokio::sync::oneshot::channel();
        let _ = self.tx.send(MapMessage::Admin { action, reply }).await;
    }

    async fn item(&self, player_id: u16, action: ItemAction) {
        let _ = self.tx.send(MapMessage::Item { player_id, action }).await;
    }

    /// Item_Drop: drops `item` at the (encoded) coordinates the client sent (fire-and-forget;
    /// the map answers the client).
    pub async fn drop_item(&self, player_id: u16, item: eo_protocol::net::ThreeItem, at: (u8, u8)) {
        self.item(player_id, ItemAction::Drop { item, at }).await;
    }

    /// Item_Get: picks up the pile with index `uid`.
    pub async fn get_item(&self, player_id: u16, uid: u16) {
        self.item(player_id, ItemAction::Get { uid }).await;
    }

    /// Item_Junk.
    pub async fn junk_item(&self, player_id: u16, item: eo_protocol::net::Item) {
        self.item(player_id, ItemAction::Junk { item }).await;
    }

    /// Item_Use.
    pub async fn use_item(&self, player_id: u16, item_id: u16) {
        self.item(player_id, ItemAction::Use { item_id }).await;
    }

    /// Paperdoll_Add.
    pub async fn equip(&self, player_id: u16, item_id: u16, sub_loc: u8) {
        self.item(player_id, ItemAction::Equip { item_id, sub_loc })
            .await;
    }

    /// Paperdoll_Remove.
    pub async fn unequip(&self, player_id: u16, item_id: u16, sub_loc: u8) {
        self.item(player_id, ItemAction::Unequip { item_id, sub_loc })
            .await;
    }

    /// StatSkill_Add for a stat.
    pub async fn spend_stat_point(&self, player_id: u16, stat: eo_protocol::net::client::StatId) {
        self.item(player_id, ItemAction::SpendStat { stat }).await;
    }

    /// StatSkill_Add for a skill.
    pub async fn spend_skill_point(&self, player_id: u16, spell_id: u16) {
        self.item(player_id, ItemAction::SpendSkill { spell_id })
            .await;
    }

    /// The world's view of a party (fire-and-forget; map/party.rs). Waits for room in the
    /// queue, so a caller's views arrive in the order sent, but at most [`VIEW_SEND_TIMEOUT`]:
    /// a stalled map must not hold up the world (and every login and chat with it). A view
    /// given up is logged; the map's view stays stale until the party next changes.
    pub async fn party_view(&self, view: super::party::PartyView) {
        use tokio::sync::mpsc::error::SendTimeoutError;
        match self
            .tx
            .send_timeout(MapMessage::PartyView(view), VIEW_SEND_TIMEOUT)
            .await
        {
            Ok(()) | Err(SendTimeoutError::Closed(_)) => {}
            Err(SendTimeoutError::Timeout(_)) => {
                tracing::warn!(
                    map = self.id,
                    "the map's queue stayed full: a party view was not delivered"
                );
            }
        }
    }

    /// Party_Request: whether `target` is on this map, visible, alive and within the see
    /// distance of `player_id`; if so, both HP percentages. `None` also if the map did not
    /// answer.
    pub async fn reachable(&self, player_id: u16, target: u16) -> Option<(u8, u8)> {
        self.ask(|reply| MapMessage::Reachable {
            player_id,
            target,
            reply,
        })
        .await
        .flatten()
    }

    /// Where the character stands (`None` if it is not here or the map did not answer).
    pub async fn position(&self, player_id: u16) -> Option<(u16, u16)> {
        self.ask(|reply| MapMessage::Position { player_id, reply })
            .await
            .flatten()
    }

    /// Where every character on the map stands: (player id, x, y).
    pub async fn positions(&self) -> Vec<(u16, u16, u16)> {
        self.ask(|reply| MapMessage::Positions { reply })
            .await
            .unwrap_or_default()
    }

    /// A guild request (map/guild.rs) that answers; `None` if the map did not.
    pub async fn guild<T>(
        &self,
        make: impl FnOnce(oneshot::Sender<T>) -> super::GuildRequest,
    ) -> Option<T> {
        self.ask(|reply| MapMessage::Guild(make(reply))).await
    }

    /// The character's partner `by` divorced it (fire-and-forget).
    pub async fn divorced(&self, player_id: u16, by: String) {
        let _ = self.tx.send(MapMessage::Divorced { player_id, by }).await;
    }

    /// A guild request without an answer (fire-and-forget).
    pub async fn tell_guild(&self, request: super::GuildRequest) {
        let _ = self.tx.send(MapMessage::Guild(request)).await;
    }
}
