//! Writes seed inputs for `live_connection` (its layout is described in that target) into
//! `corpus/live_connection/` (or the directory given): a few sessions a real client would have
//! at each stage, and garbage. Files are named seed-*; entries the fuzzer finds are kept.

use eo_protocol::net::client::*;
use eo_protocol::net::{PacketAction, PacketFamily};
use eo_protocol::serialize::Packet;
use eo_protocol::{Coords, Direction, EoWriter};

/// An input being built.
struct Input(Vec<u8>);

impl Input {
    fn at(stage: u8) -> Self {
        Input(vec![stage])
    }

    /// A packet of the spec, with its sequence.
    fn packet<P: Packet>(mut self, packet: &P) -> Self {
        let index = ALL_CLIENT_PACKETS
            .iter()
            .position(|(f, a, _)| (*f, *a) == (P::FAMILY, P::ACTION))
            .expect("a packet of the spec");
        let mut writer = EoWriter::new();
        packet.serialize(&mut writer).expect("a valid packet");
        let payload = writer.as_slice();
        assert!(payload.len() <= 255, "payloads are at most 255 bytes here");
        self.0.push(0);
        self.0.push(index as u8);
        self.0.push(payload.len() as u8);
        self.0.extend_from_slice(payload);
        self
    }

    /// Any family and action, without a sequence.
    fn raw_id(mut self, family: u8, action: u8, payload: &[u8]) -> Self {
        self.0
            .extend_from_slice(&[0b110, family, action, payload.len() as u8]);
        self.0.extend_from_slice(payload);
        self
    }

    /// Bytes outside the framing.
    fn garbage(mut self, bytes: &[u8]) -> Self {
        self.0.extend_from_slice(&[3, bytes.len() as u8]);
        self.0.extend_from_slice(bytes);
        self
    }
}

fn walk(direction: Direction, timestamp: u32, x: u8, y: u8) -> WalkPlayerClientPacket {
    WalkPlayerClientPacket {
        walk_action: WalkAction {
            direction,
            timestamp,
            coords: Coords { x, y },
        },
    }
}

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "corpus/live_connection".into());
    std::fs::create_dir_all(&dir).unwrap();
    let seeds: Vec<(&str, Input)> = vec![
        ("garbage", {
            let mut i = Input::at(0);
            i.0.extend_from_slice(&[0x00, 0x05, 0xFF, 0x01, 0x13, 0x37, 0x00]);
            i
        }),
        (
            "login-screen",
            Input::at(1)
                .packet(&AccountRequestClientPacket {
                    username: "newname".into(),
                })
                .packet(&LoginRequestClientPacket {
                    username: "fuzza".into(),
                    password: "wrong1".into(),
                })
                // Not the accounts' real password: a seed that changed it would lock the
                // harness out of that account.
                .packet(&AccountAgreeClientPacket {
                    username: "fuzzb".into(),
                    old_password: "wrong11".into(),
                    new_password: "secret2".into(),
                }),
        ),
        (
            "character-screen",
            Input::at(2)
                .packet(&CharacterRequestClientPacket)
                .packet(&CharacterTakeClientPacket { character_id: 1 })
                .packet(&CharacterRemoveClientPacket {
                    session_id: 100,
                    character_id: 1,
                })
                .packet(&WelcomeRequestClientPacket { character_id: 1 })
                .packet(&WelcomeAgreeClientPacket {
                    file_type: FileType::Emf,
                    session_id: 100,
                    file_type_data: Some(WelcomeAgreeClientPacketFileTypeData::Emf(
                        WelcomeAgreeClientPacketFileTypeDataEmf { file_id: 1 },
                    )),
                }),
        ),
        (
            "walking",
            Input::at(3)
                .packet(&walk(Direction::Down, 100, 16, 10))
                .packet(&walk(Direction::Down, 150, 16, 11))
                .packet(&walk(Direction::Down, 151, 16, 12))
                .packet(&walk(Direction::Right, 200, 17, 12))
                .packet(&FacePlayerClientPacket {
                    direction: Direction::Up,
                })
                .packet(&RefreshRequestClientPacket),
        ),
        (
            "talking",
            Input::at(3)
                .packet(&TalkReportClientPacket {
                    message: "hello".into(),
                })
                .packet(&TalkMsgClientPacket {
                    message: "global".into(),
                })
                .packet(&TalkTellClientPacket {
                    name: "fuzzb".into(),
                    message: "psst".into(),
                })
                .packet(&TalkReportClientPacket {
                    message: "$info fuzzb".into(),
                })
                .packet(&GlobalOpenClientPacket)
                .packet(&GlobalCloseClientPacket),
        ),
        (
            "looking-around",
            Input::at(3)
                .packet(&PlayersRequestClientPacket)
                .packet(&PlayersAcceptClientPacket {
                    name: "fuzzc".into(),
                })
                .packet(&PaperdollRequestClientPacket { player_id: 2 })
                .packet(&EmoteReportClientPacket {
                    emote: eo_protocol::Emote::Happy,
                })
                .packet(&SitRequestClientPacket {
                    sit_action: SitAction::Sit,
                    sit_action_data: Some(SitRequestClientPacketSitActionData::Sit(
                        SitRequestClientPacketSitActionDataSit {
                            cursor_coords: Coords { x: 16, y: 9 },
                        },
                    )),
                })
                .packet(&SitRequestClientPacket {
                    sit_action: SitAction::Stand,
                    sit_action_data: None,
                }),
        ),
        (
            "warping",
            Input::at(3)
                .packet(&WarpAcceptClientPacket {
                    map_id: 2,
                    session_id: 10,
                })
                .packet(&WarpTakeClientPacket {
                    map_id: 2,
                    session_id: 10,
                }),
        ),
        (
            "odd-ids",
            Input::at(3)
                .raw_id(
                    PacketFamily::Walk.to_u32() as u8,
                    PacketAction::Player.to_u32() as u8,
                    &[1, 2],
                )
                .raw_id(250, 250, &[])
                .garbage(&[0xFE, 0x01, 0x02]),
        ),
    ];
    for (name, input) in seeds {
        std::fs::write(format!("{dir}/seed-{name}"), input.0).unwrap();
    }
}
