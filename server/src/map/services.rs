//! What NPC services (shops, the bank, skill masters, inns, the barber; later guilds, the
//! lawyer and the priest) share, and the way packets of map features reach the map.
//!
//! A service opens with the client's `X_Open { npc_index }`: the NPC must be alive, of the
//! service's ENF type and within the see distance of the character. The map then gives a fresh
//! session id, which the client echoes in the service's later packets; each later packet is
//! checked against the open service ([`MapActor::open_service`]): the same service and session,
//! the NPC still alive and still within reach. A packet that fails the check changes nothing.
//! One service is open at a time; opening another replaces it, and leaving the map closes it.
//!
//! Packets of features that live on the map (doors, chests, lockers, NPC services, boards, the
//! jukebox) are not decoded twice or copied into messages of their own: the player task hands
//! the decoded packet to its map ([`super::MapHandle::packet`]), and [`MapActor::packet`] sends
//! each family to the file of its feature (`map/shop.rs`, `map/bank.rs`, ...). A feature adds
//! one arm there. While a character trades, most of them are refused (map/trade/).

use eo_protocol::net::client::ClientPacket;
use eo_protocol::pubs::NpcType;

use super::SEE_DISTANCE;
use super::actor::MapActor;
use super::pathfinding::distance;

/// The services an NPC offers, by its ENF type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Service {
    Barber,
    Bank,
    Guild,
    Lawyer,
    Priest,
    Inn,
    Shop,
    SkillMaster,
}

impl Service {
    /// The ENF type of the NPCs that offer it.
    fn npc_type(self) -> NpcType {
        match self {
            Service::Barber => NpcType::Barber,
            Service::Bank => NpcType::Bank,
            Service::Guild => NpcType::Guild,
            Service::Lawyer => NpcType::Lawyer,
            Service::Priest => NpcType::Priest,
            Service::Inn => NpcType::Inn,
            Service::Shop => NpcType::Shop,
            Service::SkillMaster => NpcType::Trainer,
        }
    }
}

/// A service a character has open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Interaction {
    pub service: Service,
    pub npc_index: u8,
    /// The session id the client echoes.
    pub session: u16,
}

/// An open service, as a later packet finds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Opened {
    pub npc_index: u8,
    /// The NPC's ENF record id.
    pub npc_id: u16,
    /// The NPC's ENF `behavior_id`: the key of its shop, skill master or inn record.
    pub behavior_id: u16,
    pub session: u16,
}

/// Session ids are sent where some packets put a reply code, so they start above those.
const SESSIONS: std::ops::RangeInclusive<u16> = 10..=64_000;

impl MapActor {
    /// Opens `service` at the NPC `npc_index` for the character (see the module
    /// documentation): `None` if the NPC is not there, not of that type, or out of reach.
    pub(super) fn start_service(
        &mut self,
        player_id: u16,
        npc_index: u8,
        service: Service,
    ) -> Option<Opened> {
        let found = self.reachable_npc(player_id, npc_index, service)?;
        let session = rand::random_range(SESSIONS);
        self.characters.get_mut(&player_id)?.interaction = Some(Interaction {
            service,
            npc_index,
            session,
        });
        Some(Opened { session, ..found })
    }

    /// Closes the service the character has open (one it asked for and may not use).
    pub(super) fn end_service(&mut self, player_id: u16) {
        if let Some(me) = self.characters.get_mut(&player_id) {
            me.interaction = None;
        }
    }

    /// The service the character has open, if it is `service` with `session` (any session
    /// when `None`: some packets carry none) and its NPC is still alive and within reach.
    pub(super) fn open_service(
        &self,
        player_id: u16,
        service: Service,
        session: Option<u32>,
    ) -> Option<Opened> {
        let open = self.characters.get(&player_id)?.interaction?;
        if open.service != service || session.is_some_and(|s| s != u32::from(open.session)) {
            return None;
        }
        let found = self.reachable_npc(player_id, open.npc_index, service)?;
        Some(Opened {
            session: open.session,
            ..found
        })
    }

    /// The NPC `npc_index` if it is alive, offers `service` and is within reach of the
    /// character (the session is left 0).
    fn reachable_npc(&self, player_id: u16, npc_index: u8, service: Service) -> Option<Opened> {
        let me = self.characters.get(&player_id)?;
        let npc = self.npcs.alive(npc_index)?;
        if npc.kind != service.npc_type() || distance(npc.at, me.tile()) > SEE_DISTANCE {
            return None;
        }
        let record = self.npcs.record(npc.id)?;
        Some(Opened {
            npc_index,
            npc_id: npc.id,
            behavior_id: record.behavior_id,
            session: 0,
        })
    }

    /// A packet of a feature that lives on the map, from the character of `player_id`: each
    /// family goes to its feature's file.
    pub(super) fn packet(&mut self, player_id: u16, packet: ClientPacket) {
        if self.refused_while_trading(player_id, &packet) {
            return;
        }
        match packet {
            ClientPacket::BarberOpen(_) | ClientPacket::BarberBuy(_) => {
                self.barber(player_id, packet);
            }
            ClientPacket::JukeboxOpen(_)
            | ClientPacket::JukeboxMsg(_)
            | ClientPacket::JukeboxUse(_) => self.jukebox(player_id, packet),
            ClientPacket::BookRequest(request) => self.book(player_id, request.player_id),
            ClientPacket::DoorOpen(_) => self.door(player_id, packet),
            ClientPacket::BankOpen(_)
            | ClientPacket::BankAdd(_)
            | ClientPacket::BankTake(_)
            | ClientPacket::LockerBuy(_) => self.bank(player_id, packet),
            ClientPacket::LockerOpen(_)
            | ClientPacket::LockerAdd(_)
            | ClientPacket::LockerTake(_) => {
                self.locker(player_id, packet);
            }
            ClientPacket::ChestOpen(_) | ClientPacket::ChestAdd(_) | ClientPacket::ChestTake(_) => {
                self.chest(player_id, packet);
            }
            ClientPacket::CitizenOpen(_)
            | ClientPacket::CitizenReply(_)
            | ClientPacket::CitizenRemove(_)
            | ClientPacket::CitizenRequest(_)
            | ClientPacket::CitizenAccept(_) => self.inn(player_id, packet),
            ClientPacket::ShopOpen(_)
            | ClientPacket::ShopBuy(_)
            | ClientPacket::ShopSell(_)
            | ClientPacket::ShopCreate(_) => self.shop(player_id, packet),
            ClientPacket::StatSkillOpen(_)
            | ClientPacket::StatSkillTake(_)
            | ClientPacket::StatSkillRemove(_)
            | ClientPacket::StatSkillJunk(_) => self.skill_master(player_id, packet),
            ClientPacket::GuildOpen(open) => self.guild_open(player_id, open.npc_index),
            ClientPacket::MarriageOpen(_)
            | ClientPacket::MarriageRequest(_)
            | ClientPacket::PriestOpen(_)
            | ClientPacket::PriestRequest(_)
            | ClientPacket::PriestAccept(_)
            | ClientPacket::PriestUse(_) => self.marriage(player_id, packet),
            ClientPacket::SpellRequest(_)
            | ClientPacket::SpellTargetSelf(_)
            | ClientPacket::SpellTargetOther(_)
            | ClientPacket::SpellTargetGroup(_) => self.spell(player_id, packet),
            ClientPacket::TradeRequest(_)
            | ClientPacket::TradeAccept(_)
            | ClientPacket::TradeAdd(_)
            | ClientPacket::TradeRemove(_)
            | ClientPacket::TradeAgree(_)
            | ClientPacket::TradeClose(_) => self.trade(player_id, packet),
            other => tracing::debug!(
                map = self.id,
                player_id,
                packet = other.name(),
                "a map packet no feature takes; ignored"
            ),
        }
    }
}
