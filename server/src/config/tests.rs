//! Built only for tests: `config.rs` declares this module under #[cfg(test)].
//!
//! Tests of the configuration as a whole (defaults, the documented example, a full file), and
//! the fixtures the sections' own tests share.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use super::*;

pub(super) const FULL: &str = r#"
[server]
listen = "127.0.0.1:9000"
max_connections = 1000
max_players = 500
max_connections_per_ip = 0
ip_reconnect_limit_secs = 0
hangup_delay_secs = 5
ping_rate_secs = 30
enforce_sequence = false
min_version = "0.0.29"
trusted_proxies = ["127.0.0.1", "10.0.0.0/8"]
write_coalesce_ms = 3

[database]
path = "/var/lib/eo/eo.db"
url = "postgres://eo@localhost/eo"

[world]
data_dir = "/srv/eo/world"
save_interval_secs = 300
spawn_map = 2
spawn_x = 3
spawn_y = 15
spawn_areas = [{ map = 1, x = 16, y = 9, radius = 4 }, { map = 2, x = 3, y = 15 }]
max_characters = 2
news = ["Hello", "second line"]

[control]
socket = "/run/eo/eo.sock"

[log]
filter = "info,eo_server=debug"
offender_interval_secs = 5
format = "json"

[admin]
kick = 2
mute = 3
info = 0
warp = 3
warptome = 3
warpmeto = 1
hide = 1
ban = 3
unban = 4
announce = 2
shutdown = 5
give = 5
promote = 5
skick = 2
smute = 2
sban = 3
jail = 3
sjail = 3
unjail = 3
freeze = 3
unfreeze = 3
sitem = 5
ditem = 5
quake = 3
snpc = 5
dnpc = 5
evacuate = 5
set = 5
learn = 5
strip = 5
paperdoll = 2
inventory = 2
uptime = 1
request = 1
admin_chat = 2
remap = 5
repub = 3
[npcs]
tick_ms = 50
speeds_ms = [100, 200, 300, 400, 500, 600, 700]
chase_distance = 5
bored_ms = 1000
path_limit = 50
respawn_rate = 0.5
spawn_radius = 0
seed = 7
speech_ms = 5000
[combat]
ranged_distance = 3
exp_rate = 2.0
pk_maps = [1, 3]
death_hp_percent = 100
respawn_home = true

[items]
drop_distance = 3
drop_protect_player_secs = 6
drop_protect_npc_secs = 40
ground_item_secs = 0
max_ground_items = 100
max_item_amount = 1000
max_drop_amount = 500
enforce_weight = false

[flood]
walk_ms = 400
attack_ms = 0
face_ms = 100
chat_ms = 250
action_burst = 2
packets_per_sec = 100
packet_burst = 200
max_refused = 5

[login]
max_attempts = 5
max_account_failures = 0
max_address_failures = 50
failure_window_secs = 60
lockout_secs = 120
max_hashing_per_address = 1
[metrics]
enabled = true
listen = "0.0.0.0:9100"
[jail]
map = 2
x = 3
y = 4
free_map = 3
free_x = 5
free_y = 6
[barber]
base_cost = 10
cost_per_level = 150
[boards]
max_posts = 30
max_user_posts = 3
max_recent_posts = 1
recent_post_secs = 600
max_subject_length = 20
max_post_length = 500
date_posts = false
admin_board = 5
admin_max_posts = 50
admin_level = 2
moderator_level = 3
[jukebox]
cost = 40
max_track_id = 10
track_secs = 30
instruments = [7]
max_note_id = 20
[doors]
close_secs = 10
[bank]
max_gold = 1000000
base_size = 10
size_step = 2
max_item_amount = 50
upgrade_base = 500
upgrade_step = 250
max_upgrades = 3
[chests]
slots = 8
max_item_amount = 5000
[inns]
sleep_base_cost = 20
sleep_cost_per_hp = 2
sleep_cost_per_tp = 0
subscribe_anytime = true
[shops]
default_max_amount = 20
[skill_masters]
max_spells = 12
[parties]
max_size = 4
share_mode = "even"
[spells]
cooldown_ms = 250
[trade]
max_amount = 5000
protected_items = [17, 20]
[map_effects]
spike_ms = 1000
spike_damage_percent = 25
drain_ms = 10000
drain_hp_percent = 15
drain_tp_percent = 5
quake_ms = 4000
[guilds]
required_members = 3
create_cost = 100
recruit_cost = 10
min_tag_length = 1
max_tag_length = 2
max_name_length = 20
max_description_length = 100
max_rank_name_length = 10
min_deposit = 5
max_bank = 1000
max_members = 50
edit_rank = 2
kick_rank = 3
promote_rank = 2
recruit_rank = 4
disband_rank = 2
default_ranks = ["Boss", "B", "C", "D", "E", "F", "G", "H", "Newbie"]
[marriage]
approval_cost = 50
divorce_cost = 60
min_level = 2
male_outfit = 5
female_outfit = 6
ring = 0
start_delay_secs = 1
line_secs = 2
answer_secs = 3
"#;

pub(super) fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

pub(super) fn parse_err(text: &str) -> ConfigError {
    Config::from_toml_str(text).expect_err("should be rejected")
}

pub(super) fn invalid(edit: impl FnOnce(&mut Config)) -> ConfigError {
    let mut c = Config::default();
    edit(&mut c);
    c.validate().expect_err("should be invalid")
}

pub(super) fn env_err(pairs: &[(&str, &str)]) -> ConfigError {
    let mut c = Config::default();
    let err = c.apply_env(env(pairs)).expect_err("should be rejected");
    assert_eq!(
        c,
        Config::default(),
        "a failed apply_env must not change the config"
    );
    err
}

#[test]
fn defaults_match_the_documented_table() {
    let c = Config::default();
    assert_eq!(
        c.server.listen,
        "0.0.0.0:8078".parse::<SocketAddr>().unwrap()
    );
    assert_eq!(c.server.max_connections, 300);
    assert_eq!(c.server.max_players, 200);
    assert_eq!(c.server.max_connections_per_ip, 3);
    assert_eq!(c.server.ip_reconnect_limit_secs, 10);
    assert_eq!(c.server.hangup_delay_secs, 10);
    assert_eq!(c.server.ping_rate_secs, 60);
    assert_eq!(c.server.write_coalesce_ms, 0);
    assert!(c.server.enforce_sequence);
    assert_eq!(c.server.min_version, ClientVersion::new(0, 0, 28));
    assert_eq!(c.database.path, PathBuf::from("eo-server.db"));
    assert_eq!(c.world.data_dir, PathBuf::new(), "the bundled world");
    assert_eq!(c.world.save_interval_secs, 60);
    assert_eq!(c.control.socket, PathBuf::from("eo-server.sock"));
    assert_eq!(c.log.filter, "info");
    assert_eq!(c.log.offender_interval(), Duration::from_secs(60));
    assert_eq!(c.admin, AdminConfig::default());
    assert_eq!((c.flood.walk_ms, c.flood.attack_ms), (360, 480));
    assert_eq!((c.flood.face_ms, c.flood.chat_ms), (120, 500));
    assert_eq!((c.flood.packets_per_sec, c.flood.packet_burst), (30, 60));
    assert_eq!((c.flood.action_burst, c.flood.max_refused), (4, 20));
    assert_eq!(c.login.max_attempts, 3);
    assert_eq!(
        (c.login.max_account_failures, c.login.max_address_failures),
        (10, 20)
    );
    assert_eq!(c.login.failure_window(), Duration::from_secs(600));
    assert_eq!(c.login.lockout(), Duration::from_secs(600));
    assert_eq!(c.login.max_hashing_per_address, 4);
    assert_eq!(c.admin.level("kick"), Some(1));
    assert_eq!(c.admin.level("shutdown"), Some(4));
    c.validate().unwrap();

    assert_eq!(c.server.hangup_delay(), Duration::from_secs(10));
    assert_eq!(c.server.ping_rate(), Duration::from_secs(60));
    assert_eq!(c.server.ip_reconnect_limit(), Some(Duration::from_secs(10)));
    assert_eq!(c.world.save_interval(), Duration::from_secs(60));
}

#[test]
fn empty_file_and_module_doc_example_give_defaults() {
    assert_eq!(Config::from_toml_str("").unwrap(), Config::default());
    let doc: String = include_str!("../config.rs")
        .lines()
        .skip_while(|l| *l != "//! ```toml")
        .skip(1)
        .take_while(|l| *l != "//! ```")
        .map(|l| format!("{}\n", l.trim_start_matches("//!").trim_start()))
        .collect();
    assert!(doc.contains("[log]"), "example not found: {doc}");
    assert_eq!(Config::from_toml_str(&doc).unwrap(), Config::default());
}

#[test]
fn full_file_parses_and_round_trips() {
    let c = Config::from_toml_str(FULL).unwrap();
    c.validate().unwrap();
    assert_eq!(
        c.server.listen,
        "127.0.0.1:9000".parse::<SocketAddr>().unwrap()
    );
    assert_eq!(c.server.max_connections, 1000);
    assert_eq!(c.server.max_players, 500);
    assert_eq!(c.server.max_connections_per_ip, 0);
    assert_eq!(c.server.ip_reconnect_limit(), None);
    assert_eq!(c.server.hangup_delay(), Duration::from_secs(5));
    assert_eq!(c.server.write_coalesce(), Some(Duration::from_millis(3)));
    assert_eq!(c.server.ping_rate(), Duration::from_secs(30));
    assert!(!c.server.enforce_sequence);
    assert_eq!(c.server.min_version, ClientVersion::new(0, 0, 29));
    assert_eq!(c.database.path, PathBuf::from("/var/lib/eo/eo.db"));
    assert_eq!(c.database.url, "postgres://eo@localhost/eo");
    assert_eq!(c.world.data_dir, PathBuf::from("/srv/eo/world"));
    assert_eq!(c.world.save_interval(), Duration::from_secs(300));
    assert_eq!(c.control.socket, PathBuf::from("/run/eo/eo.sock"));
    assert_eq!(c.log.filter, "info,eo_server=debug");
    assert_eq!(c.admin.kick, 2);
    assert_eq!(c.admin.level("show"), Some(1));
    assert_eq!(c.admin.level("shutdown"), Some(5));
    assert_eq!(c.admin.level("save"), None);
    assert_eq!((c.admin.promote, c.admin.admin_chat), (5, 2));
    assert_eq!(c.npcs.speech_ms, 5000);
    assert_eq!((c.inns.sleep_base_cost, c.inns.sleep_cost_per_hp), (20, 2));
    assert_eq!(c.inns.sleep_cost_per_tp, 0);
    assert!(c.inns.subscribe_anytime);
    assert_eq!(
        (c.shops.default_max_amount, c.skill_masters.max_spells),
        (20, 12)
    );
    assert_eq!(
        (c.parties.max_size, c.parties.share_mode),
        (4, ShareMode::Even)
    );
    assert_eq!(c.spells.cooldown_ms, 250);
    assert_eq!(
        (c.trade.max_amount, c.trade.protected_items.as_slice()),
        (5000, [17, 20].as_slice())
    );
    assert_eq!(
        (c.map_effects.spike_ms, c.map_effects.drain_hp_percent),
        (1000, 15)
    );
    assert_eq!(
        (
            c.guilds.required_members,
            c.guilds.recruit_rank,
            c.guilds.max_bank
        ),
        (3, 4, 1000)
    );
    assert_eq!(c.guilds.starting_ranks()[0], "Boss");
    assert_eq!(
        (
            c.marriage.approval_cost,
            c.marriage.ring,
            c.marriage.answer_secs
        ),
        (50, 0, 3)
    );

    let printed = c.to_toml_string();
    assert_eq!(Config::from_toml_str(&printed).unwrap(), c);
    let defaults = Config::default().to_toml_string();
    assert!(defaults.contains("[server]") && defaults.contains("min_version = \"0.0.28\""));
    assert_eq!(Config::from_toml_str(&defaults).unwrap(), Config::default());
}

#[test]
fn partial_file_fills_defaults() {
    let c =
        Config::from_toml_str("[server]\nmax_players = 50\n[log]\nfilter = \"debug\"\n").unwrap();
    let mut expected = Config::default();
    expected.server.max_players = 50;
    expected.log.filter = "debug".into();
    assert_eq!(c, expected);

    let c = Config::from_toml_str("[world]\n").unwrap();
    assert_eq!(c, Config::default());
}

#[test]
fn env_overrides_every_section() {
    let mut c = Config::default();
    c.apply_env(env(&[
        ("EO_SERVER_LISTEN", "127.0.0.1:9000"),
        ("EO_SERVER_MAX_PLAYERS", "50"),
        ("EO_SERVER_ENFORCE_SEQUENCE", "false"),
        ("EO_SERVER_MIN_VERSION", "0.1.0"),
        ("EO_DATABASE_PATH", "/tmp/x.db"),
        ("EO_WORLD_DATA_DIR", "/srv/world"),
        ("EO_WORLD_SAVE_INTERVAL_SECS", "120"),
        ("EO_CONTROL_SOCKET", "/run/eo.sock"),
        ("EO_LOG_FILTER", "debug"),
        ("PATH", "/usr/bin"),
        ("RUST_LOG", "trace"),
    ]))
    .unwrap();
    let mut expected = Config::default();
    expected.server.listen = "127.0.0.1:9000".parse().unwrap();
    expected.server.max_players = 50;
    expected.server.enforce_sequence = false;
    expected.server.min_version = ClientVersion::new(0, 1, 0);
    expected.database.path = "/tmp/x.db".into();
    expected.world.data_dir = "/srv/world".into();
    expected.world.save_interval_secs = 120;
    expected.control.socket = "/run/eo.sock".into();
    expected.log.filter = "debug".into();
    assert_eq!(c, expected);
}

#[test]
fn a_write_hold_above_a_second_is_refused() {
    let mut c = Config::default();
    c.server.write_coalesce_ms = 1_000;
    c.validate().unwrap();
    c.server.write_coalesce_ms = 1_001;
    let error = c.validate().unwrap_err();
    assert_eq!(error.key, "server.write_coalesce_ms", "{error}");
}
