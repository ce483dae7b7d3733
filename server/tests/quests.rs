//! EO+ quests over real TCP: the bundled world's three quests played to their ends with their
//! branches (a kill quest, a fetch-and-deliver quest, a daily quest), progress surviving a relog
//! and an edit of the quest file, a broken quest file named while the others run,
//! `reload-quests`, and quest 0 at login.

mod common;

use common::world::{TestWorld, serve_world};
use common::{
    Control, TestClient, TestServer, create_character, edit_character, enter_character, expect,
    map_barrier, npc_index, saved_character,
};
use eo_protocol::Direction;
use eo_protocol::net::client::ByteCoords;
use eo_protocol::net::client::{
    AttackUseClientPacket, BookRequestClientPacket, DialogReply, ItemDropClientPacket,
    ItemGetClientPacket, QuestAcceptClientPacket, QuestAcceptClientPacketReplyTypeData,
    QuestAcceptClientPacketReplyTypeDataLink, QuestAcceptClientPacketReplyTypeDataOk,
    QuestListClientPacket, QuestUseClientPacket,
};
use eo_protocol::net::server::{
    DialogEntryEntryTypeData, DialogEntryType, QuestDialogServerPacket,
    QuestListServerPacketPageData, QuestProgressEntry, QuestRequirementIcon, ServerPacket,
    WelcomeReplyServerPacketWelcomeCodeDataEnterGame as Entered,
};
use eo_protocol::net::{QuestPage, ThreeItem};
use eo_server::config::Config;
use serde_json::json;
use std::time::Duration;

// The bundled world's quest NPCs (fixtures/world-src/npcs.toml) and the items its quests use
// (its kill quest hunts Meadow Hoppers, NPC 4).
const WARDEN_BRISK: u16 = 13;
const OLD_MAPLE: u16 = 14;
const COURIER_PELL: u16 = 15;
const TONIC: u16 = 10;
const LETTER: u16 = 24;

/// A small yard: Warden Brisk at (2, 1), a Meadow Hopper standing at (3, 3) that comes back at
/// once when killed, players at (2, 3).
const YARD: &str = r#"
name = "Quest Yard"
width = 8
height = 6
fill_tile = 1
relog = { x = 2, y = 3 }
layout = '''
########
#......#
#......#
#......#
#......#
########
'''

[[npc]]
x = 2
y = 1
npc = 13 # WARDEN_BRISK
spawn_type = 7
spawn_time = 0

[[npc]]
x = 3
y = 3
npc = 4
spawn_type = 7
spawn_time = 1
"#;

/// Every blow hits for ten times its roll: a Meadow Hopper (12 HP) falls to two.
const SURE_HITS: &str =
    "[combat]\nhit_rate = \"1\"\ncritical_rate = \"0\"\ndamage = \"damage * 10\"\n";

fn yard_world(extra: &[(&str, &str)]) -> TestWorld {
    let builder = common::world::world()
        .map(YARD)
        .data_file("formulas.toml", SURE_HITS);
    extra
        .iter()
        .fold(builder, |b, (name, text)| b.data_file(name, text))
        .build()
}

/// A server on `data_dir` whose new characters start on `map` at (x, y).
async fn start(
    data_dir: std::path::PathBuf,
    (map, x, y): (u16, u8, u8),
    adjust: impl FnOnce(&mut Config),
) -> TestServer {
    serve_world(data_dir, (map, x, y), move |config| {
        config.npcs.tick_ms = 20;
        config.npcs.spawn_radius = 0;
        config.npcs.respawn_rate = 0.001;
        adjust(config);
    })
    .await
}

/// Logs `name` in (creating it the first time), its saved character edited first.
async fn login(
    server: &TestServer,
    name: &str,
    edit: impl FnOnce(&mut eo_server::db::Character),
) -> (TestClient, i32, Entered) {
    let mut client = TestClient::connected(server.addr).await;
    let id = create_character(&mut client, name).await;
    edit_character(server, id, edit).await;
    let entered = enter_character(&mut client, id).await;
    (client, id, entered.enter)
}

/// Quest_Use at the NPC: the dialog it shows.
async fn talk(client: &mut TestClient, npc_index: u8, quest_id: u16) -> QuestDialogServerPacket {
    client
        .send(&QuestUseClientPacket {
            npc_index: u16::from(npc_index),
            quest_id,
        })
        .await;
    expect(client, |p| match p {
        ServerPacket::QuestDialog(d) => Some(d),
        _ => None,
    })
    .await
}

/// Answers the dialog: Ok, or the link.
async fn answer(client: &mut TestClient, dialog: &QuestDialogServerPacket, link: Option<u8>) {
    let (reply_type, data) = match link {
        None => (
            DialogReply::Ok,
            QuestAcceptClientPacketReplyTypeData::Ok(QuestAcceptClientPacketReplyTypeDataOk),
        ),
        Some(action) => (
            DialogReply::Link,
            QuestAcceptClientPacketReplyTypeData::Link(QuestAcceptClientPacketReplyTypeDataLink {
                action,
            }),
        ),
    };
    client
        .send(&QuestAcceptClientPacket {
            session_id: dialog.session_id,
            dialog_id: dialog.dialog_id,
            quest_id: dialog.quest_id,
            behavior_id: dialog.behavior_id,
            reply_type,
            reply_type_data: Some(data),
        })
        .await;
}

/// The dialog's lines: texts as they are, links as `[id] text`.
fn lines(dialog: &QuestDialogServerPacket) -> Vec<String> {
    dialog
        .dialog_entries
        .iter()
        .map(|e| match (&e.entry_type, &e.entry_type_data) {
            (DialogEntryType::Link, Some(DialogEntryEntryTypeData::Link(l))) => {
                format!("[{}] {}", l.link_id, e.line)
            }
            _ => e.line.clone(),
        })
        .collect()
}

async fn hint(client: &mut TestClient) -> String {
    expect(client, |p| match p {
        ServerPacket::MessageOpen(m) => Some(m.message),
        _ => None,
    })
    .await
}

async fn progress(client: &mut TestClient) -> Vec<QuestProgressEntry> {
    client
        .send(&QuestListClientPacket {
            page: QuestPage::Progress,
        })
        .await;
    expect(client, |p| match p {
        ServerPacket::QuestList(list) => match list.page_data {
            Some(QuestListServerPacketPageData::Progress(p)) => {
                assert_eq!(
                    usize::from(list.quests_count),
                    p.quest_progress_entries.len()
                );
                Some(p.quest_progress_entries)
            }
            _ => None,
        },
        _ => None,
    })
    .await
}

async fn history(client: &mut TestClient) -> Vec<String> {
    client
        .send(&QuestListClientPacket {
            page: QuestPage::History,
        })
        .await;
    expect(client, |p| match p {
        ServerPacket::QuestList(list) => match list.page_data {
            Some(QuestListServerPacketPageData::History(h)) => Some(h.completed_quests),
            _ => None,
        },
        _ => None,
    })
    .await
}

/// `(name, step, icon, progress, target)` of each quest in progress.
fn book(entries: &[QuestProgressEntry]) -> Vec<(String, String, QuestRequirementIcon, u16, u16)> {
    entries
        .iter()
        .map(|e| {
            (
                e.name.clone(),
                e.description.clone(),
                e.icon,
                e.progress,
                e.target,
            )
        })
        .collect()
}

/// Strikes the hopper to the right until it dies (it comes back at once).
async fn kill_hopper(client: &mut TestClient) {
    loop {
        let timestamp = client.next_walk_stamp();
        client
            .send(&AttackUseClientPacket {
                direction: Direction::Right,
                timestamp,
            })
            .await;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(1);
        loop {
            match tokio::time::timeout_at(deadline, client.recv()).await {
                Ok(ServerPacket::NpcSpec(_) | ServerPacket::NpcAccept(_)) => return,
                Ok(ServerPacket::NpcReply(_)) | Err(_) => break,
                Ok(_) => {}
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn reload_quests(server: &TestServer) -> serde_json::Value {
    let mut control = Control::connect(&server.socket).await;
    control.ok("reload-quests", json!({})).await
}

#[tokio::test]
async fn the_kill_quest_is_refused_then_played_to_its_end() {
    let world = yard_world(&[]);
    let server = start(world.data_dir.clone(), (world.first_new_map, 2, 3), |_| {}).await;
    let (mut hero, id, entered) = login(&server, "hunter", |_| {}).await;
    let warden = npc_index(&mut hero, &entered, WARDEN_BRISK).await;

    // Talking starts quest 1 (the warden's vendor id) and shows its first dialog.
    let dialog = talk(&mut hero, warden, 0).await;
    assert_eq!((dialog.quest_id, dialog.behavior_id), (1, 1));
    assert_eq!(dialog.quest_entries.len(), 1);
    assert_eq!(dialog.quest_entries[0].quest_name, "Hopper Trouble");
    assert_eq!(
        lines(&dialog),
        [
            "Those meadow hoppers are eating the whole crop, and I cannot leave my post.",
            "Could you thin them out for me? Three should do.",
            "[1] I will deal with them.",
            "[2] Not today.",
        ]
    );
    // The refusal: a hint, and the quest is forgotten.
    answer(&mut hero, &dialog, Some(2)).await;
    assert!(hint(&mut hero).await.starts_with("Warden Brisk sighs"));
    assert!(progress(&mut hero).await.is_empty());

    // A link the dialog does not have, or a wrong session, changes nothing.
    let dialog = talk(&mut hero, warden, 0).await;
    answer(&mut hero, &dialog, Some(9)).await;
    let wrong = QuestDialogServerPacket {
        session_id: dialog.session_id.wrapping_add(1),
        ..dialog.clone()
    };
    answer(&mut hero, &wrong, Some(1)).await;
    let seen = map_barrier(&mut hero).await;
    assert!(
        !seen
            .iter()
            .any(|p| matches!(p, ServerPacket::MessageOpen(_))),
        "{seen:?}"
    );
    assert_eq!(
        book(&progress(&mut hero).await),
        [(
            "Hopper Trouble".into(),
            "Talk to Warden Brisk".into(),
            QuestRequirementIcon::Talk,
            0,
            0
        )]
    );

    // Accepted: the hunt, with its hint and its dialog.
    answer(&mut hero, &dialog, Some(1)).await;
    assert!(hint(&mut hero).await.starts_with("Kill 3 Meadow Hoppers"));
    let next = expect(&mut hero, |p| match p {
        ServerPacket::QuestDialog(d) => Some(d),
        _ => None,
    })
    .await;
    assert_eq!(
        lines(&next),
        ["Three hoppers, no fewer. The field is south of the square."]
    );
    for killed in 1..=2 {
        kill_hopper(&mut hero).await;
        assert_eq!(
            book(&progress(&mut hero).await),
            [(
                "Hopper Trouble".into(),
                "Kill 3 Meadow Hoppers".into(),
                QuestRequirementIcon::Kill,
                killed,
                3
            )]
        );
    }
    // Talking to the warden mid-hunt moves nothing on.
    let dialog = talk(&mut hero, warden, 0).await;
    answer(&mut hero, &dialog, None).await;
    assert_eq!(progress(&mut hero).await[0].progress, 2);

    kill_hopper(&mut hero).await;
    assert!(hint(&mut hero).await.starts_with("The field is quieter"));
    let dialog = talk(&mut hero, warden, 0).await;
    assert_eq!(
        lines(&dialog),
        ["Three of them? The crop thanks you, and so do I."]
    );
    answer(&mut hero, &dialog, None).await;
    // The reward: experience (3 hoppers at 5, and 40), gold, karma, a sound and a quake.
    let recovered = expect(&mut hero, |p| match p {
        ServerPacket::RecoverReply(r) => Some(r),
        _ => None,
    })
    .await;
    assert_eq!(recovered.experience, 55);
    let gold = expect(&mut hero, |p| match p {
        ServerPacket::ItemGet(g) => Some(g.taken_item),
        _ => None,
    })
    .await;
    assert_eq!((gold.id, gold.amount), (1, 100));
    let karma = expect(&mut hero, |p| match p {
        ServerPacket::RecoverReply(r) => Some(r.karma),
        _ => None,
    })
    .await;
    assert_eq!(karma, 10);
    let sound = expect(&mut hero, |p| match p {
        ServerPacket::MusicPlayer(m) => Some(m.sound_id),
        _ => None,
    })
    .await;
    assert_eq!(sound, 12);
    expect(&mut hero, |p| {
        matches!(p, ServerPacket::EffectUse(_)).then_some(())
    })
    .await;
    assert!(progress(&mut hero).await.is_empty());
    assert_eq!(history(&mut hero).await, ["Hopper Trouble"]);

    // The book lists it; the warden has nothing more to say.
    let me = hero.player_id;
    hero.send(&BookRequestClientPacket { player_id: me }).await;
    let names = expect(&mut hero, |p| match p {
        ServerPacket::BookReply(b) => Some(b.quest_names),
        _ => None,
    })
    .await;
    assert_eq!(names, ["Hopper Trouble"]);
    hero.send(&QuestUseClientPacket {
        npc_index: u16::from(warden),
        quest_id: 0,
    })
    .await;
    let seen = map_barrier(&mut hero).await;
    assert!(
        !seen
            .iter()
            .any(|p| matches!(p, ServerPacket::QuestDialog(_))),
        "{seen:?}"
    );

    drop(hero);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let saved = saved_character(&server, id).await;
    let quest = saved.quests.iter().find(|q| q.quest_id == 1).unwrap();
    assert_eq!((quest.state.as_str(), quest.completions), ("end", 1));
    assert_eq!(saved.experience, 55);
    assert_eq!(saved.karma, 10);
    assert!(saved.inventory.contains(&(1, 100)));
    server.stop().await;
}

#[tokio::test]
async fn the_fetch_quest_branches_fetches_and_delivers() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/world");
    let server = start(fixtures, (1, 18, 10), |_| {}).await;
    let (mut hero, id, entered) = login(&server, "runner", |c| {
        c.inventory = vec![(TONIC, 2)];
        c.gender = 0;
    })
    .await;
    let maple = npc_index(&mut hero, &entered, OLD_MAPLE).await;
    let pell = npc_index(&mut hero, &entered, COURIER_PELL).await;

    // Asking why, then saying no: the quest is forgotten.
    let dialog = talk(&mut hero, maple, 0).await;
    assert_eq!(dialog.quest_id, 2);
    assert_eq!(lines(&dialog).len(), 4);
    answer(&mut hero, &dialog, Some(2)).await;
    let why = expect(&mut hero, |p| match p {
        ServerPacket::QuestDialog(d) => Some(d),
        _ => None,
    })
    .await;
    assert_eq!(
        lines(&why)[2..],
        ["[1] All right, I will fetch them.", "[3] Still no."]
    );
    answer(&mut hero, &why, Some(3)).await;
    assert!(hint(&mut hero).await.starts_with("Old Maple shrugs"));
    assert!(progress(&mut hero).await.is_empty());

    // Yes: the tonics are already in the bag, so the quest goes straight on to bringing them.
    let dialog = talk(&mut hero, maple, 0).await;
    answer(&mut hero, &dialog, Some(1)).await;
    assert!(hint(&mut hero).await.starts_with("Buy 2 Mossberry Tonics"));
    let bring = expect(&mut hero, |p| match p {
        ServerPacket::QuestDialog(d) => Some(d),
        _ => None,
    })
    .await;
    assert_eq!(lines(&bring), ["You found them! Let me see."]);
    assert_eq!(
        progress(&mut hero).await[0].description,
        "Give the tonics to Old Maple"
    );

    // One dropped: back to fetching (1 of 2); picked up again: bringing.
    hero.send(&ItemDropClientPacket {
        item: ThreeItem {
            id: TONIC,
            amount: 1,
        },
        coords: ByteCoords { x: 255, y: 255 },
    })
    .await;
    let dropped = expect(&mut hero, |p| match p {
        ServerPacket::ItemDrop(d) => Some(d.item_index),
        _ => None,
    })
    .await;
    assert!(hint(&mut hero).await.starts_with("Buy 2 Mossberry Tonics"));
    assert_eq!(
        book(&progress(&mut hero).await),
        [(
            "The Apothecary's Errand".into(),
            "Bring 2 Mossberry Tonics".into(),
            QuestRequirementIcon::Item,
            1,
            2
        )]
    );
    hero.send(&ItemGetClientPacket {
        item_index: dropped,
    })
    .await;
    expect(&mut hero, |p| {
        matches!(p, ServerPacket::ItemGet(_)).then_some(())
    })
    .await;
    assert_eq!(
        progress(&mut hero).await[0].description,
        "Give the tonics to Old Maple"
    );

    // Handing them over: the tonics go, the letter comes.
    let dialog = talk(&mut hero, maple, 0).await;
    answer(&mut hero, &dialog, None).await;
    let kicked = expect(&mut hero, |p| match p {
        ServerPacket::ItemKick(k) => Some(k.item),
        _ => None,
    })
    .await;
    assert_eq!((kicked.id, kicked.amount), (TONIC, 0));
    let letter = expect(&mut hero, |p| match p {
        ServerPacket::ItemObtain(o) => Some(o.item),
        _ => None,
    })
    .await;
    assert_eq!((letter.id, letter.amount), (LETTER, 1));
    assert!(hint(&mut hero).await.contains("Courier Pell"));
    let letter_dialog = expect(&mut hero, |p| match p {
        ServerPacket::QuestDialog(d) => Some(d),
        _ => None,
    })
    .await;
    assert_eq!(
        lines(&letter_dialog),
        ["Pell will know what to do with that letter."]
    );

    // Pell has his own quest (3) and Maple's letter: both are offered, his own first.
    let dialog = talk(&mut hero, pell, 0).await;
    assert_eq!(dialog.quest_id, 3);
    let offered: Vec<u16> = dialog.quest_entries.iter().map(|q| q.quest_id).collect();
    assert_eq!(offered, [2, 3]);
    let dialog = talk(&mut hero, pell, 2).await;
    assert_eq!(dialog.quest_id, 2);
    assert_eq!(
        lines(&dialog),
        ["A letter from Old Maple? I will see it delivered."]
    );
    answer(&mut hero, &dialog, None).await;
    let kicked = expect(&mut hero, |p| match p {
        ServerPacket::ItemKick(k) => Some(k.item.id),
        _ => None,
    })
    .await;
    assert_eq!(kicked, LETTER);
    let recovered = expect(&mut hero, |p| match p {
        ServerPacket::RecoverReply(r) => Some(r.experience),
        _ => None,
    })
    .await;
    assert_eq!(recovered, 60);
    let effect = expect(&mut hero, |p| match p {
        ServerPacket::EffectPlayer(e) => Some(e.effects),
        _ => None,
    })
    .await;
    assert_eq!(effect[0].effect_id, 2);
    // The `if IsGender(0)` branch, not the `else`.
    assert_eq!(
        hint(&mut hero).await,
        "Pell tips his hat: thank you, madam."
    );
    assert_eq!(history(&mut hero).await, ["The Apothecary's Errand"]);
    // Pell's own quest is still waiting to be taken.
    assert_eq!(
        book(&progress(&mut hero).await),
        [(
            "Courier Rounds".into(),
            "Talk to Courier Pell".into(),
            QuestRequirementIcon::Talk,
            0,
            0
        )]
    );

    drop(hero);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let saved = saved_character(&server, id).await;
    assert_eq!(saved.title, "Maple's Friend");
    assert!(saved.inventory.contains(&(1, 150)));
    assert!(!saved.inventory.iter().any(|(item, _)| *item == LETTER));
    server.stop().await;
}

#[tokio::test]
async fn the_daily_quest_runs_once_a_day() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/world");
    let server = start(fixtures, (1, 23, 11), |_| {}).await;
    let (mut hero, id, entered) = login(&server, "courier", |_| {}).await;
    let pell = npc_index(&mut hero, &entered, COURIER_PELL).await;

    // "Another time": forgotten (it was never done, so there is no day to remember).
    let dialog = talk(&mut hero, pell, 0).await;
    assert_eq!(dialog.quest_id, 3);
    answer(&mut hero, &dialog, Some(2)).await;
    map_barrier(&mut hero).await;
    assert!(progress(&mut hero).await.is_empty());

    let dialog = talk(&mut hero, pell, 0).await;
    answer(&mut hero, &dialog, Some(1)).await;
    assert_eq!(hint(&mut hero).await, "Carry the parcel to the east gate.");
    assert_eq!(
        book(&progress(&mut hero).await),
        [(
            "Courier Rounds".into(),
            "Run the parcel to the east gate".into(),
            QuestRequirementIcon::Step,
            0,
            0
        )]
    );
    // One step east is the gate's tile.
    hero.walk(Direction::Right, 24, 11).await;
    assert!(
        hint(&mut hero)
            .await
            .starts_with("The gate guard has the parcel")
    );
    let dialog = talk(&mut hero, pell, 0).await;
    assert_eq!(lines(&dialog), ["Back already? Here is your pay."]);
    answer(&mut hero, &dialog, None).await;
    let pay = expect(&mut hero, |p| match p {
        ServerPacket::ItemGet(g) => Some(g.taken_item),
        _ => None,
    })
    .await;
    assert_eq!((pay.id, pay.amount), (1, 25));
    map_barrier(&mut hero).await;
    // Resting until tomorrow: not in progress, and (hidden_end) never in the history.
    assert!(progress(&mut hero).await.is_empty());
    assert!(history(&mut hero).await.is_empty());

    // Again today: Pell says to come back tomorrow, and the quest rests again.
    let dialog = talk(&mut hero, pell, 0).await;
    assert_eq!(
        lines(&dialog),
        ["You did today's round already. Come back tomorrow."]
    );
    answer(&mut hero, &dialog, None).await;
    map_barrier(&mut hero).await;
    assert!(progress(&mut hero).await.is_empty());

    drop(hero);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let saved = saved_character(&server, id).await;
    let daily = saved
        .quests
        .iter()
        .find(|q| q.quest_id == 3)
        .unwrap()
        .clone();
    assert_eq!((daily.state.as_str(), daily.daily_count), ("done", 1));
    assert!(daily.daily_day > 20_000);

    // The next day (the saved day moved back one), the round is offered again.
    let (mut hero, _, entered) = login(&server, "courier", |c| {
        for q in &mut c.quests {
            q.daily_day -= 1;
        }
    })
    .await;
    let pell = npc_index(&mut hero, &entered, COURIER_PELL).await;
    let dialog = talk(&mut hero, pell, 0).await;
    assert_eq!(
        lines(&dialog)[0],
        "Need a runner: the gate guard is waiting for today's parcel."
    );
    drop(hero);
    server.stop().await;
}

/// Quest 1 with its states in another order (its progress is kept by name), and with the hunt
/// renamed (a character in it starts again).
fn reordered(original: &str) -> String {
    let hunt_at = original.find("state Hunt").unwrap();
    let report_at = original.find("state Report").unwrap();
    let hunt = &original[hunt_at..report_at];
    format!("{}{}{}", &original[..hunt_at], &original[report_at..], hunt).replacen(
        "Main",
        &format!("{}\nMain", "// reordered"),
        1,
    )
}

#[tokio::test]
async fn progress_survives_a_relog_an_edited_file_and_a_reload() {
    let world = yard_world(&[]);
    let quest_file = world.data_dir.join("quests/00001.eqf");
    let server = start(world.data_dir.clone(), (world.first_new_map, 2, 3), |_| {}).await;
    let (mut hero, _, entered) = login(&server, "keeper", |_| {}).await;
    let warden = npc_index(&mut hero, &entered, WARDEN_BRISK).await;
    let dialog = talk(&mut hero, warden, 0).await;
    answer(&mut hero, &dialog, Some(1)).await;
    kill_hopper(&mut hero).await;
    assert_eq!(progress(&mut hero).await[0].progress, 1);
    drop(hero);
    tokio::time::sleep(Duration::from_millis(300)).await;

    // The same state and count after a relog.
    let (mut hero, _, _) = login(&server, "keeper", |_| {}).await;
    let hunting = (
        "Hopper Trouble".to_owned(),
        "Kill 3 Meadow Hoppers".to_owned(),
        QuestRequirementIcon::Kill,
        1,
        3,
    );
    assert_eq!(
        book(&progress(&mut hero).await),
        std::slice::from_ref(&hunting)
    );

    // The file edited (states reordered) and reloaded: still hunting, still 1 of 3.
    let original = std::fs::read_to_string(&quest_file).unwrap();
    std::fs::write(&quest_file, reordered(&original)).unwrap();
    let reloaded = reload_quests(&server).await;
    assert_eq!(reloaded["quests"], 3);
    assert_eq!(reloaded["errors"], json!([]));
    assert_eq!(
        book(&progress(&mut hero).await),
        std::slice::from_ref(&hunting)
    );
    kill_hopper(&mut hero).await;
    assert_eq!(progress(&mut hero).await[0].progress, 2);

    // The hunt renamed: the character's state is gone, so the quest starts again.
    std::fs::write(
        &quest_file,
        original
            .replace("goto Hunt", "goto Chase")
            .replace("state Hunt", "state Chase"),
    )
    .unwrap();
    reload_quests(&server).await;
    assert_eq!(
        progress(&mut hero).await[0].description,
        "Talk to Warden Brisk"
    );
    drop(hero);
    server.stop().await;
}

#[tokio::test]
async fn a_broken_quest_file_is_named_and_the_others_run() {
    let broken = "Main { questname \"Broken\" }\nstate Begin\n{\n    action Fly(1)\n}\n";
    let world = yard_world(&[("quests/00009.eqf", broken)]);
    let server = start(world.data_dir.clone(), (world.first_new_map, 2, 3), |_| {}).await;
    let (mut hero, _, entered) = login(&server, "tester", |_| {}).await;
    let warden = npc_index(&mut hero, &entered, WARDEN_BRISK).await;
    let dialog = talk(&mut hero, warden, 0).await;
    assert_eq!(dialog.quest_id, 1);

    let reloaded = reload_quests(&server).await;
    assert_eq!(reloaded["quests"], 3);
    let errors = reloaded["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let error = errors[0].as_str().unwrap();
    assert!(
        error.contains("00009.eqf: line 4: expected an action EO+ knows; 'fly' is none"),
        "{error}"
    );

    // Fixed and reloaded: it runs too, and the others keep going.
    std::fs::write(
        world.data_dir.join("quests/00009.eqf"),
        broken.replace("Fly(1)", "ShowHint(\"fixed\")"),
    )
    .unwrap();
    let reloaded = reload_quests(&server).await;
    assert_eq!(
        (reloaded["quests"].clone(), reloaded["errors"].clone()),
        (json!(4), json!([]))
    );
    let dialog = talk(&mut hero, warden, 0).await;
    assert_eq!(dialog.quest_id, 1);
    drop(hero);
    server.stop().await;
}

#[tokio::test]
async fn quest_zero_starts_at_login_once() {
    let welcome = r#"
Main { questname "Welcome" hidden }
state Begin {
    action ShowHint("Welcome to Mossbrook!");
    action GiveItem(1, 5);
    action End();
}
"#;
    let world = yard_world(&[("quests/00000.eqf", welcome)]);
    let server = start(world.data_dir.clone(), (world.first_new_map, 2, 3), |_| {}).await;
    let (mut hero, id, _) = login(&server, "newcomer", |_| {}).await;
    assert_eq!(hint(&mut hero).await, "Welcome to Mossbrook!");
    let gold = expect(&mut hero, |p| match p {
        ServerPacket::ItemGet(g) => Some(g.taken_item.amount),
        _ => None,
    })
    .await;
    assert_eq!(gold, 5);
    // Hidden: neither in progress nor in the history.
    assert!(history(&mut hero).await.is_empty());
    drop(hero);
    tokio::time::sleep(Duration::from_millis(300)).await;

    // The next login: finished already, nothing again.
    let (mut hero, _, _) = login(&server, "newcomer", |_| {}).await;
    let seen = map_barrier(&mut hero).await;
    assert!(
        !seen
            .iter()
            .any(|p| matches!(p, ServerPacket::MessageOpen(_))),
        "{seen:?}"
    );
    let saved = saved_character(&server, id).await;
    assert_eq!(saved.quests[0].state, "end");
    assert!(saved.inventory.contains(&(1, 5)));
    drop(hero);
    server.stop().await;
}

#[tokio::test]
async fn the_other_actions_and_rules_work_on_a_quest_of_the_tests_own() {
    // Quest 0 (started at login) walks through what the bundled quests do not use; quest 51
    // is moved by it from outside.
    let tour = r#"
Main { questname "Tour" }
state Begin {
    desc "Put on the cap"
    action SetClass(2);
    action GiveStat("str", 3);
    action StartQuest(51);
    action PlayMusic(3);
    action EffectOnCoord(4, 2, 2);
    goal EquippedItem(7) goto Worn
}
state Worn {
    desc "Drink a tonic"
    if StatRpn("str 100 <") ShowHint("weak");
    elseif StatRpn("0 str >") ShowHint("strong");
    action SetQuestState(51, "Second");
    rule UsedItem(10, 1) goto Drank
}
state Drank {
    action End();
    action SetCoord(1, 16, 9);
}
"#;
    let other = r#"
Main { questname "Other" hidden }
state Begin { desc "waiting" }
state Second { action ShowHint("moved from outside"); action ResetQuest(51); }
"#;
    let world = yard_world(&[("quests/00000.eqf", tour), ("quests/00051.eqf", other)]);
    let server = start(world.data_dir.clone(), (world.first_new_map, 2, 3), |_| {}).await;
    let (mut hero, id, _) = login(&server, "tourist", |c| {
        c.inventory = vec![(7, 1), (TONIC, 1)];
        c.hp = 1;
        c.str = 5;
    })
    .await;
    let class = expect(&mut hero, |p| match p {
        ServerPacket::RecoverList(r) => Some(r.class_id),
        _ => None,
    })
    .await;
    assert_eq!(class, 2);
    let music = expect(&mut hero, |p| match p {
        ServerPacket::JukeboxPlayer(j) => Some(j.mfx_id),
        _ => None,
    })
    .await;
    assert_eq!(music, 3);
    let effect = expect(&mut hero, |p| match p {
        ServerPacket::EffectAgree(e) => Some(e.effects),
        _ => None,
    })
    .await;
    assert_eq!(
        (effect[0].effect_id, effect[0].coords.x, effect[0].coords.y),
        (4, 2, 2)
    );
    assert_eq!(progress(&mut hero).await[0].description, "Put on the cap");

    // Putting the cap on fires EquippedItem. In EOSERV's order `str 100 <` is `100 < str`
    // (false: str is 8) and `0 str >` is `str > 0`.
    hero.send(&eo_protocol::net::client::PaperdollAddClientPacket {
        item_id: 7,
        sub_loc: 0,
    })
    .await;
    assert_eq!(hint(&mut hero).await, "strong");
    assert_eq!(hint(&mut hero).await, "moved from outside");
    assert_eq!(progress(&mut hero).await[0].description, "Drink a tonic");

    // Drinking the tonic fires UsedItem: the quest ends and warps the character to the town.
    hero.send(&eo_protocol::net::client::ItemUseClientPacket { item_id: TONIC })
        .await;
    let warp = expect(&mut hero, |p| match p {
        ServerPacket::WarpRequest(w) => Some(w.map_id),
        _ => None,
    })
    .await;
    assert_eq!(warp, 1);
    assert_eq!(history(&mut hero).await, ["Tour"]);
    drop(hero);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let saved = saved_character(&server, id).await;
    assert_eq!((saved.class, saved.str), (2, 8));
    // Quest 51 was reset by its own action: forgotten.
    assert!(
        saved.quests.iter().all(|q| q.quest_id != 51),
        "{:?}",
        saved.quests
    );
    server.stop().await;
}

#[tokio::test]
async fn quest_looks_titles_and_world_quakes_reach_others() {
    // Quest 0 (at login) changes what others see of the character, and quakes every map.
    let makeover = r#"
Main { questname "Makeover" hidden }
state Begin {
    action SetRace(2);
    action SetTitle("Hero");
    action SetClass(3);
    action QuakeWorld(4);
    action End();
}
"#;
    let world = yard_world(&[("quests/00000.eqf", makeover)]);
    let server = start(world.data_dir.clone(), (world.first_new_map, 2, 3), |_| {}).await;
    // A watcher on another map, whose quest 0 is over already.
    let (mut watcher, _, _) = login(&server, "watcher", |c| {
        c.map = 1;
        c.x = 16;
        c.y = 9;
        c.quests = vec![eo_server::db::QuestProgress {
            quest_id: 0,
            state: "end".into(),
            completions: 1,
            ..Default::default()
        }];
    })
    .await;
    map_barrier(&mut watcher).await;

    let (mut hero, id, _) = login(&server, "madeover", |_| {}).await;
    // The new skin: the hero is offered a warp onto its own tile, so that its client and
    // those in view load it again.
    let request = expect(&mut hero, |p| match p {
        ServerPacket::WarpRequest(request) => Some(request),
        _ => None,
    })
    .await;
    assert_eq!(request.map_id, world.first_new_map);
    // QuakeWorld reaches the watcher's map too.
    let strength = |p: ServerPacket| match p {
        ServerPacket::EffectUse(effect) => match effect.effect_data {
            Some(eo_protocol::net::server::EffectUseServerPacketEffectData::Quake(quake)) => {
                Some(quake.quake_strength)
            }
            _ => None,
        },
        _ => None,
    };
    assert_eq!(expect(&mut watcher, strength).await, 4);
    // The online list shows the new title and class.
    let listed = common::online_list(&mut watcher)
        .await
        .into_iter()
        .find(|p| p.name == "madeover")
        .expect("madeover is online");
    assert_eq!((listed.title.as_str(), listed.class_id), ("Hero", 3));
    drop(hero);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let saved = saved_character(&server, id).await;
    assert_eq!((saved.race, saved.skin), (2, 2));
    drop(watcher);
    server.stop().await;
}
