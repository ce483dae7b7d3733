//! Packets the clients send on a timer or on entering, answered by the player task alone:
//! Message_Ping (eoweb every two seconds, the official client's `#ping`) and Quest_List (eoweb
//! on entering the game, both clients from the quest book).

use eo_protocol::net::QuestPage;
use eo_protocol::net::server::{
    MessagePongServerPacket, QuestListServerPacket, QuestListServerPacketPageData,
    QuestListServerPacketPageDataHistory, QuestListServerPacketPageDataProgress,
};

use crate::player::actor::{Disconnect, Player, State};

/// Message_Ping: Message_Pong at once; the client shows the round trip.
pub(super) async fn ping(player: &mut Player) -> Result<(), Disconnect> {
    player.send(&MessagePongServerPacket).await
}

/// Quest_List: the quests in progress or done, one page or the other. There are no quests yet,
/// so both are empty; the reply still comes, so the client's quest book opens and says so.
pub(super) async fn quest_list(player: &mut Player, page: QuestPage) -> Result<(), Disconnect> {
    if !matches!(player.state, State::InGame(_)) {
        return Err(Disconnect::Closed("Quest_List outside the game"));
    }
    let page_data = match page {
        QuestPage::Progress => {
            QuestListServerPacketPageData::Progress(QuestListServerPacketPageDataProgress {
                quest_progress_entries: Vec::new(),
            })
        }
        QuestPage::History => {
            QuestListServerPacketPageData::History(QuestListServerPacketPageDataHistory {
                completed_quests: Vec::new(),
            })
        }
        QuestPage::Unrecognized(_) => return Ok(()),
    };
    player
        .send(&QuestListServerPacket {
            page,
            quests_count: 0,
            page_data: Some(page_data),
        })
        .await
}
