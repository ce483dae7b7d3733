//! `eo-admin import`: the real binary reads databases made with EOSERV's, etheos's and
//! reoserv's schemas and sends them to a real server; a real client then logs in with the
//! original passwords and finds its characters as they were.
//!
//! The MySQL/MariaDB runs need a server: `TEST_MYSQL_URL` names one (a URL without a
//! database, of a user that may create databases; `.ci/run` starts one). Without it they say
//! so and pass without running.

#[path = "../../server/tests/common/mod.rs"]
mod common;
#[path = "import/sources.rs"]
mod sources;

use std::path::Path;
use std::process::Output;

use common::{TestClient, TestServer, create_character, enter_character};
use eo_protocol::AdminLevel;
use eo_protocol::net::server::LoginReply;
use eo_server::db::{Account, Character, Db};
use serde_json::Value;

/// Runs `eo-admin --socket SOCKET --json import ARGS...` (off the runtime's threads); returns
/// the exit code and the report.
async fn import(socket: &Path, args: &[&str]) -> (Option<i32>, Value) {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_eo-admin"));
    command
        .arg("--socket")
        .arg(socket)
        .arg("--json")
        .arg("import")
        .args(args);
    let output: Output = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let report = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "{args:?}: not a JSON report ({e}): {stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status.code(), report)
}

/// The server's database, opened beside it.
async fn db(server: &TestServer) -> Db {
    Db::open(&server.dir.path().join("test.db")).await.unwrap()
}

async fn account(server: &TestServer, name: &str) -> Option<Account> {
    db(server).await.account_by_name(name).await.unwrap()
}

/// The saved character named `name` of the account `account`.
async fn character(server: &TestServer, account: &str, name: &str) -> Character {
    let db = db(server).await;
    let owner = db.account_by_name(account).await.unwrap().unwrap();
    let list = db.characters_of(owner.id).await.unwrap();
    let found = list.iter().find(|c| c.name == name).unwrap();
    db.load_character(found.id).await.unwrap().unwrap()
}

/// The status of every record of a report: ("account NAME" or "character NAME", status).
fn statuses(report: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for account in report["accounts"].as_array().unwrap() {
        let status = account["status"].as_str().unwrap().to_owned();
        out.push((
            format!("account {}", account["username"].as_str().unwrap()),
            status,
        ));
        for character in account["characters"].as_array().unwrap() {
            let status = character["status"].as_str().unwrap().to_owned();
            out.push((
                format!("character {}", character["name"].as_str().unwrap()),
                status,
            ));
        }
    }
    out
}

fn status_of(report: &Value, record: &str) -> String {
    statuses(report)
        .into_iter()
        .find(|(what, _)| what == record)
        .map(|(_, status)| status)
        .unwrap_or_else(|| panic!("no {record} in {report:#}"))
}

/// The reason a record was refused.
fn reason_of(report: &Value, record: &str) -> String {
    let (kind, name) = record.split_once(' ').unwrap();
    for account in report["accounts"].as_array().unwrap() {
        if kind == "account" && account["username"] == name {
            return account["reason"].as_str().unwrap_or("").to_owned();
        }
        for character in account["characters"].as_array().unwrap() {
            if kind == "character" && character["name"] == name {
                return character["reason"].as_str().unwrap_or("").to_owned();
            }
        }
    }
    panic!("no {record} in {report:#}")
}

/// The status of every guild of a report: (tag, status).
fn guild_statuses(report: &Value) -> Vec<(String, String)> {
    report["guilds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["tag"].as_str().unwrap().to_owned(),
                g["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// A character's guild here: (tag, rank, rank name).
async fn guild_of(server: &TestServer, character: i64) -> Option<(String, u8, String)> {
    let membership = db(server).await.guild_membership(character).await.unwrap();
    membership.map(|m| (m.tag, m.rank, m.rank_name))
}

/// One quest's progress: (quest, state, counters, daily day and count, completions).
type QuestRow<'a> = (u16, &'a str, Vec<(&'a str, u32)>, (u32, u32), u32);

/// A character's quest progress.
fn quests_of(character: &Character) -> Vec<QuestRow<'_>> {
    character
        .quests
        .iter()
        .map(|q| {
            (
                q.quest_id,
                q.state.as_str(),
                q.counters.iter().map(|(k, n)| (k.as_str(), *n)).collect(),
                (q.daily_day, q.daily_count),
                q.completions,
            )
        })
        .collect()
}

fn not_yet(report: &Value) -> Vec<(String, u64)> {
    report["not_imported_yet"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["what"].as_str().unwrap().to_owned(),
                n["count"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// Logs in with `password`; the reply code.
async fn login(server: &TestServer, name: &str, password: &str) -> (TestClient, LoginReply) {
    let mut client = TestClient::connected(server.addr).await;
    let reply = client.login(name, password).await;
    (client, reply.reply_code)
}

/// A wrong password is refused and leaves the kept hash; the right one logs in and replaces
/// it with argon2id, which then takes the same password.
async fn logs_in_and_rehashes(server: &TestServer, name: &str, password: &str) -> TestClient {
    let kept = account(server, name).await.unwrap().password_hash;
    assert!(!kept.starts_with("$argon2"), "{kept}");
    let (_, wrong) = login(server, name, "not-the-password").await;
    assert_eq!(wrong, LoginReply::WrongUserPassword);
    assert_eq!(account(server, name).await.unwrap().password_hash, kept);
    let (client, right) = login(server, name, password).await;
    assert_eq!(right, LoginReply::Ok, "{name} with its original password");
    let now = account(server, name).await.unwrap().password_hash;
    assert!(
        now.starts_with("$argon2id$"),
        "rehashed after the login: {now}"
    );
    // The new hash takes the same password (on another connection; this one stays).
    let (_, again) = login(server, name, password).await;
    assert_eq!(
        again,
        LoginReply::LoggedIn,
        "the password is right; the account is in use"
    );
    client
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eoserv_sqlite_dry_run_import_rerun_and_login() {
    let server = TestServer::start(|_| {}).await;
    // Names the server has already: an account "clash" with a character "clash".
    let mut owner = TestClient::connected(server.addr).await;
    create_character(&mut owner, "clash").await;
    drop(owner);
    let dir = tempfile::tempdir().unwrap();
    let source = sources::sqlite(dir.path(), "eoserv.db", &sources::eoserv());
    let source = source.to_str().unwrap();
    let salt = ["--password-salt", sources::SALT_AS_WRITTEN];

    // Without the salt EOSERV's hashes cannot be checked: nothing is read.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_eo-admin"))
        .args([
            "--socket",
            server.socket.to_str().unwrap(),
            "import",
            "eoserv",
            source,
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--password-salt"));

    // A dry run reports everything and writes nothing.
    let mut args = vec!["eoserv", source, "--dry-run"];
    args.extend(salt);
    let (code, dry) = import(&server.socket, &args).await;
    assert_eq!(code, Some(1), "refusals make the exit status 1: {dry:#}");
    assert_eq!(dry["dry_run"], true);
    let expected = [
        ("account alice", "would_import"),
        ("character wanda", "would_import"),
        ("character wilma", "refused"),
        ("account clash", "refused"),
        ("account carol", "would_import"),
        ("character clash", "refused"),
        ("character cora", "would_import"),
        ("account dave", "would_import"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(statuses(&dry), expected);
    assert!(reason_of(&dry, "character wilma").contains("item 999 (inventory)"));
    assert!(reason_of(&dry, "character wilma").contains("quest 9"));
    let guilds_expected: Vec<(String, String)> = [
        ("ABC", "would_import"),
        ("NOM", "would_import"),
        ("Q1", "refused"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(guild_statuses(&dry), guilds_expected);
    assert!(reason_of(&dry, "account clash").contains("already exists"));
    assert!(reason_of(&dry, "character clash").contains("already exists"));
    let unreadable = dry["unreadable"].as_array().unwrap();
    assert_eq!(unreadable.len(), 1, "{unreadable:?}");
    assert_eq!(unreadable[0]["what"], "character dora");
    assert!(
        unreadable[0]["reason"]
            .as_str()
            .unwrap()
            .contains("inventory")
    );
    assert_eq!(not_yet(&dry), [("bans".to_owned(), 1)]);
    assert_eq!(
        account(&server, "alice").await,
        None,
        "a dry run writes nothing"
    );
    assert_eq!(account(&server, "carol").await, None);

    // The import itself.
    let mut args = vec!["eoserv", source];
    args.extend(salt);
    let (code, done) = import(&server.socket, &args).await;
    assert_eq!(code, Some(1));
    let imported: Vec<(String, String)> = expected
        .iter()
        .map(|(what, status)| (what.clone(), status.replace("would_import", "imported")))
        .collect();
    assert_eq!(statuses(&done), imported);
    let guilds_imported: Vec<(String, String)> = guilds_expected
        .iter()
        .map(|(tag, status)| (tag.clone(), status.replace("would_import", "imported")))
        .collect();
    assert_eq!(guild_statuses(&done), guilds_imported);
    let abc = db(&server).await.guild("ABC").await.unwrap().unwrap();
    assert_eq!(
        (abc.name.as_str(), abc.description.as_str(), abc.bank),
        ("Alphabet", "Letters", 2500)
    );
    assert_eq!(abc.created_at, 1_500_000_000);
    assert_eq!(
        (
            abc.ranks[0].as_str(),
            abc.ranks[1].as_str(),
            abc.ranks[8].as_str()
        ),
        ("Leader", "Recruiter", "New Member")
    );
    let stored = account(&server, "alice").await.unwrap();
    assert!(
        stored.password_hash.starts_with("$eoserv-sha256$"),
        "{}",
        stored.password_hash
    );
    assert_eq!(stored.real_name, "Full alice");
    assert_eq!(stored.email, "alice@example.com");
    assert_eq!(stored.hdid, "123456");
    assert_eq!(stored.created_ip, "10.1.2.3");

    // Run again, leaving out what the pub files lack: what came before is already there,
    // wilma comes now without her unknown item.
    let mut args = vec!["eoserv", source, "--drop-unknown-ids"];
    args.extend(salt);
    let (_, again) = import(&server.socket, &args).await;
    assert_eq!(status_of(&again, "account alice"), "already_imported");
    assert_eq!(status_of(&again, "character wanda"), "already_imported");
    assert_eq!(status_of(&again, "character wilma"), "imported");
    assert_eq!(status_of(&again, "account clash"), "refused");
    assert_eq!(
        guild_statuses(&again)[0],
        ("ABC".into(), "already_imported".into())
    );
    let wilma = character(&server, "alice", "wilma").await;
    assert_eq!(wilma.inventory, vec![(1, 5)]);
    assert!(wilma.quests.is_empty(), "quest 9 is not loaded here");
    assert_eq!(
        guild_of(&server, wilma.id).await,
        Some(("ABC".into(), 9, "New Member".into()))
    );

    // Wanda as EOSERV had her.
    let wanda = character(&server, "alice", "wanda").await;
    assert_eq!(
        wanda.admin_level, 4,
        "EOSERV's game master is the protocol's 4"
    );
    assert_eq!(
        (wanda.level, wanda.experience, wanda.usage),
        (12, 3456, 321)
    );
    assert_eq!(
        [
            wanda.str, wanda.intl, wanda.wis, wanda.agi, wanda.con, wanda.cha
        ],
        [11, 12, 13, 14, 15, 16]
    );
    assert_eq!(
        (wanda.stat_points, wanda.skill_points, wanda.karma),
        (6, 2, 1010)
    );
    assert_eq!(
        (wanda.gender, wanda.skin, wanda.hair_style, wanda.hair_color),
        (1, 2, 5, 3)
    );
    assert_eq!(
        (wanda.map, wanda.x, wanda.y, wanda.direction),
        (1, 12, 9, 3)
    );
    assert_eq!(
        (wanda.title.as_str(), wanda.home.as_str()),
        ("the Bold", "Aeven")
    );
    assert_eq!(wanda.inventory, vec![(1, 500), (10, 3), (13, 1)]);
    assert_eq!(wanda.bank, vec![(5, 1), (11, 4)]);
    assert_eq!((wanda.gold_bank, wanda.bank_level), (777, 2));
    assert_eq!(wanda.spells, vec![(1, 3), (2, 0)]);
    // EOSERV's founder (rank 0) leads here.
    assert_eq!(
        guild_of(&server, wanda.id).await,
        Some(("ABC".into(), 1, "Leader".into()))
    );
    assert_eq!(
        quests_of(&wanda),
        [
            (1, "hunt", vec![("npc/4", 2)], (0, 0), 0),
            (2, "begin", vec![], (0, 0), 0),
            (3, "done", vec![], (20_000, 1), 0),
        ]
    );
    assert_eq!(wanda.quests[0].roll, 3);
    let doll = wanda.equipment;
    assert_eq!(
        (doll.boots, doll.armor, doll.hat, doll.weapon),
        (9, 6, 7, 2)
    );

    // Alice logs in with her EOSERV password; a real client sees Wanda as she was.
    let mut client = logs_in_and_rehashes(&server, "alice", "secret1").await;
    let entered = enter_character(&mut client, wanda.id as i32).await;
    let select = entered.select;
    assert_eq!(select.name, "wanda");
    assert_eq!(select.admin, AdminLevel::GameMaster);
    assert_eq!((select.level, select.experience), (12, 3456));
    assert_eq!(select.stats.base.str, 11);
    assert_eq!(select.stats.base.cha, 16);
    assert_eq!((select.equipment.boots, select.equipment.armor), (9, 6));
    assert_eq!((select.equipment.hat, select.equipment.weapon), (7, 2));
    let items: Vec<(u16, u32)> = entered
        .enter
        .items
        .iter()
        .map(|i| (i.id, i.amount))
        .collect();
    assert_eq!(items, vec![(1, 500), (10, 3), (13, 1)]);
    let spells: Vec<(u16, u16)> = entered
        .enter
        .spells
        .iter()
        .map(|s| (s.id, s.level))
        .collect();
    assert_eq!(spells, vec![(1, 3), (2, 0)]);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn etheos_sha256_and_bcrypt_passwords() {
    let server = TestServer::start(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let source = sources::sqlite(dir.path(), "etheos.db", &sources::etheos());
    let args = [
        "eoserv",
        source.to_str().unwrap(),
        "--password-salt",
        sources::SALT_AS_WRITTEN,
    ];
    let (code, report) = import(&server.socket, &args).await;
    assert_eq!(code, Some(0), "{report:#}");
    let stored = account(&server, "fern").await.unwrap().password_hash;
    assert!(stored.starts_with("$etheos-bcrypt$"), "{stored}");
    logs_in_and_rehashes(&server, "erik", "erikpw1").await;
    logs_in_and_rehashes(&server, "fern", "fernpw1").await;
    server.stop().await;
}

/// Imports the reoserv database at `source` and checks what came.
async fn reoserv_import(server: &TestServer, source: &str) {
    let (code, dry) = import(&server.socket, &["reoserv", source, "--dry-run"]).await;
    assert_eq!(code, Some(0), "{dry:#}");
    assert_eq!(
        account(server, "erin").await,
        None,
        "a dry run writes nothing"
    );
    let (code, report) = import(&server.socket, &["reoserv", source]).await;
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(
        statuses(&report),
        [
            ("account erin", "imported"),
            ("character faye", "imported"),
            ("account henry", "imported"),
            ("character gwen", "imported"),
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    assert_eq!(
        guild_statuses(&report),
        [("GLD".to_owned(), "imported".to_owned())]
    );
    assert_eq!(not_yet(&report), [("bans".to_owned(), 1)]);
    let gld = db(server).await.guild("GLD").await.unwrap().unwrap();
    assert_eq!((gld.description.as_str(), gld.bank), ("Gathered", 1234));
    assert_eq!(gld.created_at, 1_709_209_805, "2024-02-29 12:30:05 UTC");
    let gwen = character(server, "henry", "gwen").await;
    assert_eq!(
        guild_of(server, gwen.id).await,
        Some(("GLD".into(), 1, "Chief".into()))
    );
    assert_eq!(gld.ranks[8], "Rookie");
    // The fifth state of quest 1 ends it: Gwen finished it.
    assert_eq!(
        quests_of(&gwen),
        [(1, "end", vec![("players", 1)], (20_454, 0), 1)]
    );
    let faye = character(server, "erin", "faye").await;
    assert_eq!((faye.admin_level, faye.class, faye.level), (2, 2, 30));
    assert_eq!(
        (faye.experience, faye.usage, faye.karma),
        (98_765, 4321, 900)
    );
    assert_eq!(
        [faye.str, faye.intl, faye.wis, faye.agi, faye.con, faye.cha],
        [21, 22, 23, 24, 25, 26]
    );
    assert_eq!(
        (faye.gender, faye.skin, faye.hair_style, faye.hair_color),
        (0, 1, 4, 2)
    );
    assert_eq!((faye.map, faye.x, faye.y, faye.direction), (1, 14, 9, 0));
    assert_eq!(faye.title, "Scout");
    assert_eq!(faye.inventory, vec![(1, 1200), (10, 2)]);
    assert_eq!(faye.bank, vec![(8, 1), (15, 6)]);
    assert_eq!((faye.gold_bank, faye.bank_level), (5000, 1));
    assert_eq!(faye.spells, vec![(1, 2)]);
    // reoserv kept the states by position: the quest files here name them.
    assert_eq!(
        quests_of(&faye),
        [
            (1, "hunt", vec![("npc/4", 2)], (0, 0), 0),
            (2, "begin", vec![], (0, 0), 0),
            (3, "begin", vec![], (20_792, 1), 1),
        ]
    );
    assert_eq!(guild_of(server, faye.id).await, None);
    let doll = faye.equipment;
    assert_eq!((doll.boots, doll.hat, doll.weapon), (9, 7, 3));

    // Erin's reoserv password hashed "Erin" with it: she logs in as "erin" all the same.
    let mut client = logs_in_and_rehashes(server, "erin", "hunter22").await;
    let entered = enter_character(&mut client, faye.id as i32).await;
    assert_eq!(entered.select.name, "faye");
    assert_eq!(entered.select.admin, AdminLevel::LightGuide);
    let items: Vec<(u16, u32)> = entered
        .enter
        .items
        .iter()
        .map(|i| (i.id, i.amount))
        .collect();
    assert_eq!(items, vec![(1, 1200), (10, 2)]);
    let spells: Vec<(u16, u16)> = entered
        .enter
        .spells
        .iter()
        .map(|s| (s.id, s.level))
        .collect();
    assert_eq!(spells, vec![(1, 2)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reoserv_sqlite_import_and_login() {
    let server = TestServer::start(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let source = sources::sqlite(dir.path(), "reoserv.db", &sources::reoserv());
    reoserv_import(&server, source.to_str().unwrap()).await;
    server.stop().await;
}

/// The MySQL/MariaDB server of `TEST_MYSQL_URL`, if one is named.
fn mysql_server(test: &str) -> Option<String> {
    let url = std::env::var("TEST_MYSQL_URL")
        .ok()
        .filter(|u| !u.is_empty());
    if url.is_none() {
        eprintln!(
            "{test}: TEST_MYSQL_URL is not set, so no MySQL/MariaDB server to import from; \
             not run (`.ci/run` starts one)"
        );
    }
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reoserv_mysql_import_and_login() {
    let Some(mysql) = mysql_server("reoserv_mysql_import_and_login") else {
        return;
    };
    let name = format!("eo_import_reoserv_{}", std::process::id());
    let sql = sources::reoserv();
    let url = {
        let (mysql, name) = (mysql.clone(), name.clone());
        tokio::task::spawn_blocking(move || sources::mysql(&mysql, &name, &sql))
            .await
            .unwrap()
    };
    let server = TestServer::start(|_| {}).await;
    reoserv_import(&server, &url).await;
    server.stop().await;
    tokio::task::spawn_blocking(move || sources::drop_mysql(&mysql, &name))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eoserv_mysql_import_and_login() {
    let Some(mysql) = mysql_server("eoserv_mysql_import_and_login") else {
        return;
    };
    let name = format!("eo_import_eoserv_{}", std::process::id());
    let sql = sources::eoserv();
    let url = {
        let (mysql, name) = (mysql.clone(), name.clone());
        tokio::task::spawn_blocking(move || sources::mysql(&mysql, &name, &sql))
            .await
            .unwrap()
    };
    let server = TestServer::start(|_| {}).await;
    let args = [
        "eoserv",
        url.as_str(),
        "--password-salt",
        sources::SALT_AS_WRITTEN,
    ];
    let (code, report) = import(&server.socket, &args).await;
    assert_eq!(code, Some(1), "wilma, dora: {report:#}");
    assert_eq!(status_of(&report, "character wanda"), "imported");
    assert_eq!(
        status_of(&report, "character clash"),
        "imported",
        "no clash on this server"
    );
    let wanda = character(&server, "alice", "wanda").await;
    assert_eq!(wanda.inventory, vec![(1, 500), (10, 3), (13, 1)]);
    assert_eq!(wanda.bank, vec![(5, 1), (11, 4)]);
    assert_eq!(wanda.spells, vec![(1, 3), (2, 0)]);
    assert_eq!(wanda.equipment.weapon, 2);
    logs_in_and_rehashes(&server, "alice", "secret1").await;
    server.stop().await;
    tokio::task::spawn_blocking(move || sources::drop_mysql(&mysql, &name))
        .await
        .unwrap();
}
