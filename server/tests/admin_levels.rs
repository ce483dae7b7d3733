//! Admin levels with real clients and the real control socket: an admin acts only on characters
//! below its own level (in the game, and on the socket `as` a character); a promotion or
//! demotion is in force at once, over saves, a new login, a login under way and a `kill -9`;
//! admin chat and announcements sent as packets follow `[admin]`, reloaded or not.

#[path = "common/binary.rs"]
mod binary;
mod common;

use std::path::Path;
use std::time::Duration;

use common::{Control, TestClient, TestServer, create_character, enter_game, expect};
use eo_protocol::net::client::{
    RefreshRequestClientPacket, TalkAdminClientPacket, TalkAnnounceClientPacket,
    TalkMsgClientPacket, TalkReportClientPacket, WelcomeMsgClientPacket,
    WelcomeRequestClientPacket,
};
use eo_protocol::net::server::{ServerPacket, WelcomeReplyServerPacketWelcomeCodeData};
use eo_protocol::{AdminLevel, Direction};
use serde_json::{Value, json};

async fn say(client: &mut TestClient, message: &str) {
    client
        .send(&TalkReportClientPacket {
            message: message.into(),
        })
        .await;
}

/// The answer to a `$` line (the next Talk_Server).
async fn answer(client: &mut TestClient) -> String {
    expect(client, |p| match p {
        ServerPacket::TalkServer(p) => Some(p.message),
        _ => None,
    })
    .await
}

/// World-wide chat a client hears.
#[derive(Debug, PartialEq, Eq)]
enum Heard {
    Admin(String, String),
    Announce(String, String),
    Global(String, String),
}

/// The next admin, announcement or global chat line a client hears. Global chat serves as a
/// marker: a sender's packets reach the world in order, so a global line heard first means the
/// lines the sender sent before it went nowhere.
async fn heard(client: &mut TestClient) -> Heard {
    expect(client, |p| match p {
        ServerPacket::TalkAdmin(t) => Some(Heard::Admin(t.player_name, t.message)),
        ServerPacket::TalkAnnounce(t) => Some(Heard::Announce(t.player_name, t.message)),
        ServerPacket::TalkMsg(t) => Some(Heard::Global(t.player_name, t.message)),
        _ => None,
    })
    .await
}

async fn admin_chat(client: &mut TestClient, message: &str) {
    client
        .send(&TalkAdminClientPacket {
            message: message.into(),
        })
        .await;
}

async fn announce(client: &mut TestClient, message: &str) {
    client
        .send(&TalkAnnounceClientPacket {
            message: message.into(),
        })
        .await;
}

async fn global(client: &mut TestClient, message: &str) {
    client
        .send(&TalkMsgClientPacket {
            message: message.into(),
        })
        .await;
}

fn global_line(from: &str, message: &str) -> Heard {
    Heard::Global(from.into(), message.into())
}

/// The names of everyone in the game, with their admin levels.
async fn players(control: &mut Control) -> Vec<(String, u64)> {
    let list = control.ok("players", json!({})).await;
    list["players"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_owned(),
                p["admin_level"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// The audit trail's entries as (who, command, error).
async fn audit(control: &mut Control) -> Vec<(String, String, Option<String>)> {
    let audit = control.ok("audit", json!({"limit": 100})).await;
    audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["who"].as_str().unwrap_or_default().to_owned(),
                e["command"].as_str().unwrap_or_default().to_owned(),
                e["error"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

/// A request on the control socket `as` a character.
async fn call_as(control: &mut Control, name: &str, command: &str, args: Value) -> Value {
    let request = json!({ "id": command, "command": command, "args": args, "as": name });
    control.send_raw(format!("{request}\n").as_bytes()).await;
    let reply = control.recv().await;
    assert_eq!(reply["id"], command);
    reply
}

#[tokio::test]
async fn an_admin_acts_in_the_game_only_on_characters_below_its_level() {
    let server = TestServer::start(|_| {}).await;
    let mut control = Control::connect(&server.socket).await;
    // "boss" (level 4) is offline: its level comes from the database.
    let mut boss = TestClient::connected(server.addr).await;
    create_character(&mut boss, "boss").await;
    drop(boss);
    let mut high = TestClient::connected(server.addr).await;
    enter_game(&mut high, "high").await;
    let mut lowly = TestClient::connected(server.addr).await;
    enter_game(&mut lowly, "lowly").await;
    let mut peer = TestClient::connected(server.addr).await;
    enter_game(&mut peer, "peer").await;
    let mut plain = TestClient::connected(server.addr).await;
    enter_game(&mut plain, "plain").await;
    for (name, level) in [("boss", 4), ("high", 3), ("lowly", 2), ("peer", 2)] {
        control
            .ok("promote", json!({"name": name, "level": level}))
            .await;
    }

    // Above, or level with, the giver: refused, and nothing happens.
    for (line, target) in [
        ("$kick high", "high"),
        ("$kick Peer", "peer"),
        ("$mute high 5m", "high"),
        ("$warp high 2 1 15", "high"),
        ("$warptome high", "high"),
        ("$ban boss 1h", "boss"),
    ] {
        say(&mut lowly, line).await;
        let command = line.split_whitespace().next().unwrap();
        assert_eq!(
            answer(&mut lowly).await,
            format!("You may not use {command} on {target}: their admin level is not below yours."),
            "{line}"
        );
    }
    let online: Vec<String> = players(&mut control)
        .await
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert_eq!(online, ["high", "lowly", "peer", "plain"]);
    let bans = control.ok("bans", json!({})).await;
    assert_eq!(bans["bans"], json!([]));
    // Not muted: high is heard.
    global(&mut high, "still free").await;
    assert_eq!(heard(&mut plain).await, global_line("high", "still free"));

    // Below the giver: done. Oneself: fine too.
    say(&mut high, "$mute lowly 0").await;
    assert_eq!(answer(&mut high).await, "Muted lowly for 0 seconds.");
    assert_eq!(answer(&mut lowly).await, "You are no longer muted.");
    say(&mut lowly, "$mute lowly 0").await;
    assert_eq!(answer(&mut lowly).await, "You are no longer muted.");
    assert_eq!(answer(&mut lowly).await, "Muted lowly for 0 seconds.");
    say(&mut lowly, "$kick plain").await;
    assert_eq!(answer(&mut lowly).await, "Kicked plain.");
    assert!(plain.is_closed_within(Duration::from_secs(5)).await);
    say(&mut high, "$kick peer").await;
    assert_eq!(answer(&mut high).await, "Kicked peer.");
    assert!(peer.is_closed_within(Duration::from_secs(5)).await);

    // The refusals reached the commands, so the trail has them, with the reason.
    let trail = audit(&mut control).await;
    let refused: Vec<&str> = trail
        .iter()
        .filter(|(who, _, error)| who == "lowly" && error.is_some())
        .map(|(_, command, _)| command.as_str())
        .collect();
    assert_eq!(refused, ["kick", "kick", "mute", "warp", "warptome", "ban"]);
    assert!(
        trail
            .iter()
            .filter_map(|(_, _, error)| error.as_deref())
            .all(|error| error.starts_with("forbidden: ")),
        "{trail:?}"
    );
    server.stop().await;
}

#[tokio::test]
async fn promote_gives_only_levels_below_the_givers_own() {
    let server = TestServer::start(|_| {}).await;
    let mut control = Control::connect(&server.socket).await;
    let mut chief = TestClient::connected(server.addr).await;
    enter_game(&mut chief, "chief").await;
    let mut master = TestClient::connected(server.addr).await;
    enter_game(&mut master, "master").await;
    let mut plain = TestClient::connected(server.addr).await;
    enter_game(&mut plain, "plain").await;
    control
        .ok("promote", json!({"name": "chief", "level": 4}))
        .await;
    control
        .ok("promote", json!({"name": "master", "level": 3}))
        .await;

    say(&mut chief, "$promote plain 3").await;
    assert_eq!(answer(&mut chief).await, "plain is now admin level 3.");
    say(&mut chief, "$promote plain 4").await;
    assert_eq!(
        answer(&mut chief).await,
        "You may not give admin level 4: it is not below yours (4)."
    );
    // `[admin] promote` is 4 by default.
    say(&mut master, "$promote plain 1").await;
    assert_eq!(answer(&mut master).await, "You may not use $promote.");
    // Demoting oneself is fine, and holds for the next command.
    say(&mut chief, "$promote chief 1").await;
    assert_eq!(answer(&mut chief).await, "chief is now admin level 1.");
    say(&mut chief, "$promote plain 0").await;
    assert_eq!(answer(&mut chief).await, "You may not use $promote.");
    assert_eq!(
        players(&mut control).await,
        [
            ("chief".to_owned(), 1),
            ("master".to_owned(), 3),
            ("plain".to_owned(), 3)
        ]
    );
    server.stop().await;
}

#[tokio::test]
async fn the_socket_acts_as_a_character_when_a_request_names_one() {
    let server = TestServer::start(|c| c.admin.promote = 2).await;
    let mut control = Control::connect(&server.socket).await;
    let mut guard = TestClient::connected(server.addr).await;
    enter_game(&mut guard, "guard").await;
    let mut master = TestClient::connected(server.addr).await;
    enter_game(&mut master, "master").await;
    let mut plain = TestClient::connected(server.addr).await;
    enter_game(&mut plain, "plain").await;
    control
        .ok("promote", json!({"name": "guard", "level": 2}))
        .await;
    control
        .ok("promote", json!({"name": "master", "level": 3}))
        .await;

    // Above the character acted as: forbidden.
    let reply = call_as(&mut control, "guard", "kick", json!({"name": "master"})).await;
    assert_eq!(reply["ok"], false);
    assert_eq!(reply["error"]["code"], "forbidden");
    assert_eq!(
        reply["error"]["message"],
        "guard may not use kick on master: their admin level is not below guard's."
    );
    // A command the character's level does not reach, and one characters never have.
    let reply = call_as(&mut control, "plain", "kick", json!({"name": "guard"})).await;
    assert_eq!(reply["error"]["code"], "forbidden");
    assert_eq!(
        reply["error"]["message"],
        "plain may not use kick: it needs admin level 1, plain has 0"
    );
    let reply = call_as(&mut control, "master", "save", json!({})).await;
    assert_eq!(reply["error"]["code"], "forbidden");
    // Promote: below the target and below the level given.
    let reply = call_as(
        &mut control,
        "guard",
        "promote",
        json!({"name": "plain", "level": 2}),
    )
    .await;
    assert_eq!(reply["error"]["code"], "forbidden");
    let reply = call_as(
        &mut control,
        "guard",
        "promote",
        json!({"name": "plain", "level": 1}),
    )
    .await;
    assert_eq!(reply["ok"], true, "{reply}");
    // An unknown character, and a name that is not a string.
    let reply = call_as(&mut control, "nobody", "kick", json!({"name": "plain"})).await;
    assert_eq!(reply["error"]["code"], "not_found");
    control
        .send_raw(b"{\"id\": 9, \"command\": \"status\", \"as\": 5}\n")
        .await;
    assert_eq!(control.recv().await["error"]["code"], "bad_request");

    // Below: done, as the character (any case), and audited as the peer acting as it. A ban
    // by address has no character to compare with.
    let reply = call_as(&mut control, "MASTER", "kick", json!({"name": "guard"})).await;
    assert_eq!(reply["result"]["kicked"], json!(["guard"]));
    assert!(guard.is_closed_within(Duration::from_secs(5)).await);
    let reply = call_as(&mut control, "master", "ban", json!({"ip": "10.1.2.3"})).await;
    assert_eq!(reply["ok"], true, "{reply}");
    let bans = control.ok("bans", json!({})).await;
    assert_eq!(bans["bans"][0]["banned_by"], reply_who(&bans, "master"));
    // Without "as" the operator is not limited.
    control.ok("kick", json!({"name": "master"})).await;
    assert!(master.is_closed_within(Duration::from_secs(5)).await);

    let trail = audit(&mut control).await;
    let as_gm3: Vec<(&str, bool)> = trail
        .iter()
        .filter(|(who, _, _)| who.starts_with("uid ") && who.ends_with(" as master"))
        .map(|(_, command, error)| (command.as_str(), error.is_none()))
        .collect();
    assert_eq!(as_gm3, [("kick", true), ("ban", true)]);
    let as_gm2: Vec<(&str, bool)> = trail
        .iter()
        .filter(|(who, _, _)| who.ends_with(" as guard"))
        .map(|(_, command, error)| (command.as_str(), error.is_none()))
        .collect();
    assert_eq!(
        as_gm2,
        [("kick", false), ("promote", false), ("promote", true)]
    );
    // Refused by the command's level (or an unknown name): never reached the commands.
    assert!(!trail.iter().any(|(who, _, _)| who.ends_with(" as plain")));
    server.stop().await;
}

/// The `banned_by` a ban given on the socket `as` `name` has: "control (uid N as NAME)".
fn reply_who(bans: &Value, name: &str) -> Value {
    let by = bans["bans"][0]["banned_by"].as_str().unwrap_or_default();
    assert!(
        by.starts_with("control (uid ") && by.ends_with(&format!(" as {name})")),
        "{by}"
    );
    Value::from(by)
}

#[tokio::test]
async fn a_demoted_admin_loses_its_commands_and_admin_chat_at_once() {
    let server = TestServer::start(|_| {}).await;
    let mut control = Control::connect(&server.socket).await;
    let mut master = TestClient::connected(server.addr).await;
    enter_game(&mut master, "master").await;
    let mut guide = TestClient::connected(server.addr).await;
    enter_game(&mut guide, "guide").await;
    let mut plain = TestClient::connected(server.addr).await;
    enter_game(&mut plain, "plain").await;
    control
        .ok("promote", json!({"name": "master", "level": 3}))
        .await;
    control
        .ok("promote", json!({"name": "guide", "level": 1}))
        .await;
    admin_chat(&mut master, "still staff").await;
    assert_eq!(
        heard(&mut guide).await,
        Heard::Admin("master".into(), "still staff".into())
    );

    let demoted = control
        .ok("promote", json!({"name": "master", "level": 0}))
        .await;
    assert_eq!(demoted["online"], true);
    // The very next line is refused.
    say(&mut master, "$kick plain").await;
    assert_eq!(answer(&mut master).await, "You may not use $kick.");
    // Its admin chat goes nowhere, and it no longer hears the others'.
    admin_chat(&mut master, "not any more").await;
    global(&mut master, "marker").await;
    assert_eq!(heard(&mut guide).await, global_line("master", "marker"));
    admin_chat(&mut guide, "staff only").await;
    global(&mut guide, "second marker").await;
    assert_eq!(
        heard(&mut master).await,
        global_line("guide", "second marker")
    );
    assert_eq!(heard(&mut plain).await, global_line("master", "marker"));
    assert_eq!(
        heard(&mut plain).await,
        global_line("guide", "second marker")
    );
    server.stop().await;
}

#[tokio::test]
async fn a_demotion_while_the_character_is_being_chosen_holds_once_it_is_in_the_game() {
    let server = TestServer::start(|_| {}).await;
    let mut control = Control::connect(&server.socket).await;
    let mut guide = TestClient::connected(server.addr).await;
    enter_game(&mut guide, "guide").await;
    let mut plain = TestClient::connected(server.addr).await;
    enter_game(&mut plain, "plain").await;
    control
        .ok("promote", json!({"name": "guide", "level": 1}))
        .await;
    let mut master = TestClient::connected(server.addr).await;
    let id = create_character(&mut master, "master").await as u32;
    control
        .ok("promote", json!({"name": "master", "level": 3}))
        .await;

    // Welcome_Request loads the character (level 3) ...
    master
        .send(&WelcomeRequestClientPacket { character_id: id })
        .await;
    let select = expect(&mut master, |p| match p {
        ServerPacket::WelcomeReply(r) => match r.welcome_code_data {
            Some(WelcomeReplyServerPacketWelcomeCodeData::SelectCharacter(s)) => Some(s),
            _ => None,
        },
        _ => None,
    })
    .await;
    assert_eq!(select.admin, AdminLevel::from_u32(3));
    // ... the demotion finds it in no world yet ...
    let demoted = control
        .ok("promote", json!({"name": "master", "level": 0}))
        .await;
    assert_eq!(demoted["online"], false);
    // ... and Welcome_Msg brings it into the game.
    master
        .send(&WelcomeMsgClientPacket {
            session_id: u32::from(select.session_id),
            character_id: id,
        })
        .await;
    expect(&mut master, |p| match p {
        ServerPacket::WelcomeReply(r) => match r.welcome_code_data {
            Some(WelcomeReplyServerPacketWelcomeCodeData::EnterGame(_)) => Some(()),
            _ => None,
        },
        _ => None,
    })
    .await;

    // The demotion is in force: in the world's list, for commands and for admin chat.
    assert!(
        players(&mut control)
            .await
            .contains(&("master".to_owned(), 0))
    );
    say(&mut master, "$kick plain").await;
    assert_eq!(answer(&mut master).await, "You may not use $kick.");
    admin_chat(&mut master, "stale level").await;
    global(&mut master, "marker").await;
    assert_eq!(heard(&mut guide).await, global_line("master", "marker"));
    assert_eq!(heard(&mut plain).await, global_line("master", "marker"));
    server.stop().await;
}

#[tokio::test]
async fn admin_chat_and_announcements_follow_the_admin_section_and_its_reload() {
    let server = TestServer::start(|c| {
        c.admin.admin_chat = 2;
        c.admin.announce = 1;
    })
    .await;
    let mut control = Control::connect(&server.socket).await;
    let mut guide = TestClient::connected(server.addr).await;
    enter_game(&mut guide, "guide").await;
    let mut guardian = TestClient::connected(server.addr).await;
    enter_game(&mut guardian, "guardian").await;
    let mut plain = TestClient::connected(server.addr).await;
    enter_game(&mut plain, "plain").await;
    control
        .ok("promote", json!({"name": "guide", "level": 1}))
        .await;
    control
        .ok("promote", json!({"name": "guardian", "level": 2}))
        .await;

    // announce = 1: a level-1 character announces; a player does not.
    announce(&mut guide, "from a guide").await;
    assert_eq!(
        heard(&mut plain).await,
        Heard::Announce("guide".into(), "from a guide".into())
    );
    announce(&mut plain, "from a player").await;
    global(&mut plain, "marker").await;
    assert_eq!(
        heard(&mut guardian).await,
        Heard::Announce("guide".into(), "from a guide".into())
    );
    assert_eq!(heard(&mut guardian).await, global_line("plain", "marker"));

    // admin_chat = 2: a level-1 character neither sends nor hears admin chat.
    admin_chat(&mut guide, "too low to send").await;
    global(&mut guide, "marker").await;
    assert_eq!(heard(&mut guardian).await, global_line("guide", "marker"));
    admin_chat(&mut guardian, "level 2 and up").await;
    global(&mut guardian, "marker").await;
    // (No one hears its own chat.)
    assert_eq!(heard(&mut guide).await, global_line("plain", "marker"));
    assert_eq!(heard(&mut guide).await, global_line("guardian", "marker"));

    // Reloaded to admin_chat = 1: in force at once, for sending and hearing.
    let file = server.config_file();
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("admin_chat = 2"), "{text}");
    std::fs::write(&file, text.replace("admin_chat = 2", "admin_chat = 1")).unwrap();
    let report = control.ok("reload", json!({})).await;
    assert_eq!(report["applied"][0]["key"], "admin.admin_chat", "{report}");
    admin_chat(&mut guide, "now heard").await;
    assert_eq!(
        heard(&mut guardian).await,
        Heard::Admin("guide".into(), "now heard".into())
    );
    admin_chat(&mut guardian, "and answered").await;
    assert_eq!(
        heard(&mut guide).await,
        Heard::Admin("guardian".into(), "and answered".into())
    );
    server.stop().await;
}

/// (admin level, x, y) of a character as the database has it.
fn stored(db: &Path, name: &str) -> (u8, u8, u8) {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(
        "SELECT admin_level, x, y FROM characters WHERE name = ?1",
        [name],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )
    .unwrap()
}

/// Waits until a save has stored the character at `(x, y)`; returns its stored admin level.
async fn saved_at(db: &Path, name: &str, at: (u8, u8)) -> u8 {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let (level, x, y) = stored(db, name);
        if (x, y) == at {
            return level;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no save of {name} at {at:?}: ({x}, {y})"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// One step, then a refresh, answered once the step was taken.
async fn step(client: &mut TestClient, direction: Direction, to: (u8, u8)) {
    client.walk(direction, to.0, to.1).await;
    client.send(&RefreshRequestClientPacket).await;
    expect(client, |p| match p {
        ServerPacket::RefreshReply(_) => Some(()),
        _ => None,
    })
    .await;
}

/// Logs in and enters the game with `name` again; the admin level the server greets it with.
async fn relog(addr: std::net::SocketAddr, name: &str) -> (TestClient, AdminLevel) {
    let mut client = TestClient::connected(addr).await;
    let id = create_character(&mut client, name).await;
    let entered = common::enter_character(&mut client, id).await;
    (client, entered.select.admin)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn levels_set_while_playing_survive_saves_a_relog_and_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let config = binary::config_in(dir.path(), |c| c.world.save_interval_secs = 1);
    let db = config.database.path.clone();
    let mut server = binary::BinaryServer::start(dir.path(), config.clone());
    let mut control = Control::connect(&config.control.socket).await;
    let mut keeper = TestClient::connected(server.addr).await;
    enter_game(&mut keeper, "keeper").await;

    // Promoted while playing, then walking: the periodic save that stores the walk keeps the
    // level.
    let promoted = control
        .ok("promote", json!({"name": "keeper", "level": 3}))
        .await;
    assert_eq!(promoted["online"], true);
    step(&mut keeper, Direction::Up, (16, 8)).await;
    assert_eq!(saved_at(&db, "keeper", (16, 8)).await, 3);
    // Demoted while playing: the same.
    control
        .ok("promote", json!({"name": "keeper", "level": 1}))
        .await;
    step(&mut keeper, Direction::Down, (16, 9)).await;
    assert_eq!(saved_at(&db, "keeper", (16, 9)).await, 1);

    // A new login has it.
    drop(keeper);
    let (keeper, level) = relog(server.addr, "keeper").await;
    assert_eq!(level, AdminLevel::from_u32(1));
    assert_eq!(players(&mut control).await, [("keeper".to_owned(), 1)]);

    // Demoted while playing, then kill -9 at once: the restarted server has the demotion.
    control
        .ok("promote", json!({"name": "keeper", "level": 0}))
        .await;
    server.kill_hard();
    drop(keeper);
    let server = binary::BinaryServer::start(dir.path(), config);
    assert_eq!(stored(&db, "keeper").0, 0);
    let (_keeper, level) = relog(server.addr, "keeper").await;
    assert_eq!(level, AdminLevel::Player);
}
