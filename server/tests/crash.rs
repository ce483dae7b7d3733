//! `kill -9` of the real server, then a look at what it left on disk.
//!
//! - Under a crowd of players being created: every account and character whose creation was
//!   acknowledged is there after the kill, and the database is intact.
//! - Under players handing items to each other (issue 14): a loop of start, trade, `kill -9`
//!   at a random moment, read the database. No item's total across all characters (their
//!   inventories, equipment and banks, and any other table that holds items) ever grows, and
//!   every character is saved where it stood within a save interval of the kill. The number
//!   of kills is `DUPE_KILLS` (200 by default; `just dupe-soak` runs more, in release mode).

#[path = "common/binary.rs"]
mod binary;
mod common;
#[path = "common/creator.rs"]
mod creator;
#[path = "common/ledger.rs"]
mod ledger;
#[path = "common/trader.rs"]
mod trader;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use binary::{BinaryServer, config_in};
use common::TestClient;
use eo_protocol::net::server::{LoginReply, LoginReplyServerPacketReplyCodeData};
use eo_server::config::Config;
use rand::Rng;
use rand::seq::SliceRandom;
use tokio::time::Instant;

const PASSWORD: &str = "secret1";
const SAVE_INTERVAL: Duration = Duration::from_secs(1);
/// How long a reply may take to reach a bot, and a save to commit, beyond the interval.
const SLACK: Duration = Duration::from_millis(750);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_while_creating_loses_no_acknowledged_account_or_character() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path(), |c| {
        c.world.save_interval_secs = SAVE_INTERVAL.as_secs();
    });
    let db_path = config.database.path.clone();
    let mut server = BinaryServer::start(dir.path(), config.clone());

    // Bots join every 60 ms until the kill, so creations are under way when it comes.
    let acks: creator::Acks = Arc::default();
    let started = Instant::now();
    let mut bots = Vec::new();
    let mut n = 0;
    while started.elapsed() < Duration::from_millis(3_000) {
        // Character names are letters only: crashaa, crashab, ...
        let letter = |i: usize| char::from(b'a' + (i % 26) as u8);
        let name = format!("crash{}{}", letter(n / 26), letter(n));
        bots.push(tokio::spawn(creator::bot(
            server.addr,
            name,
            PASSWORD,
            Arc::clone(&acks),
        )));
        n += 1;
        tokio::time::sleep(Duration::from_millis(60)).await;
    }
    server.kill_hard();
    for bot in bots {
        let _ = bot.await;
    }
    let acks = std::mem::take(&mut *acks.lock().unwrap());
    let accounts: Vec<&String> = acks
        .iter()
        .filter(|(_, a)| a.account)
        .map(|(n, _)| n)
        .collect();
    let characters = acks.values().filter(|a| a.character).count();
    let walked = acks.values().filter(|a| a.steps > 1).count();
    eprintln!(
        "{n} bots; acknowledged before the kill: {} accounts, {characters} characters, {walked} of them walked",
        accounts.len(),
    );
    assert!(
        accounts.len() >= 10 && characters >= 5 && walked >= 3,
        "enough load"
    );
    assert_eq!(
        ledger::integrity(&ledger::open(&db_path)),
        "ok",
        "right after the kill"
    );

    // The same database, a new process.
    let mut server = BinaryServer::start(dir.path(), config);
    // Every acknowledged account logs in, and lists its acknowledged character. (Where the
    // characters stand is the trading test's business: it moves them off their first tile.)
    for name in &accounts {
        let mut client = TestClient::connected(server.addr).await;
        let reply = client.login(name, PASSWORD).await;
        assert_eq!(reply.reply_code, LoginReply::Ok, "{name}");
        let Some(LoginReplyServerPacketReplyCodeData::Ok(list)) = reply.reply_code_data else {
            panic!("{name}: no character list");
        };
        let has_character = list.characters.iter().any(|c| &c.name == *name);
        if acks[*name].character {
            assert!(has_character, "{name}'s acknowledged character");
        }
    }
    assert!(server.stop().success());
    assert_eq!(
        ledger::integrity(&ledger::open(&db_path)),
        "ok",
        "after the restart"
    );
}

// Trading under `kill -9` (issue 14).

/// The number of kills, from the environment (not an `EO_` name: those are config keys).
const KILLS_VAR: &str = "DUPE_KILLS";
const DEFAULT_KILLS: usize = 200;
/// Independent servers killed side by side, each with its own directory and traders (the
/// machine has two cores, and a lane mostly waits).
const LANES: usize = 2;
/// Traders in one lane.
const TRADERS: usize = 5;
/// When the kill comes after the last trader entered the game. Each lane's kills are spread
/// evenly over this range (one in each of as many equal slices, at random within its slice,
/// in random order), so they land before, during and well after periodic saves.
const KILL_AFTER_MS: std::ops::Range<u64> = 100..2_500;
/// Traders connect at random over this much time, as players do, so whatever runs on a
/// timer that starts with a connection (a player's own save timer) is out of step, as players'
/// are.
const CONNECT_SPREAD_MS: u64 = 500;
/// What each trader holds when a server starts: gold (it weighs nothing), tonics, arrows and
/// an armlet, and boots on. All of them together (5 x (3 + 2 + 2) plus one's boots, 39) weigh
/// less than anyone may carry (70), so every pick-up is whole.
const START_INVENTORY: [(i64, i64); 4] = [(1, 1_000), (10, 3), (4, 2), (20, 1)];
const START_EQUIPMENT: [(&str, i64); 1] = [("boots", 9)];
/// Piles of others picked up per kill, on average, below which the loop proved little.
const MIN_TAKEN_PER_KILL: usize = 10;

fn trading_config(dir: &Path) -> Config {
    config_in(dir, |c| {
        c.world.save_interval_secs = SAVE_INTERVAL.as_secs();
        // Anyone may take a drop at once.
        c.items.drop_protect_player_secs = 0;
        // A trader acts 40 times a second (trader::ACTION_EVERY), beyond the default 30.
        c.flood.packets_per_sec = 100;
        c.flood.packet_burst = 100;
    })
}

/// The binary on `dir` and `config` (started off the async threads: it waits for the log).
async fn start(dir: &Path, config: &Config) -> BinaryServer {
    let (dir, config) = (dir.to_owned(), config.clone());
    tokio::task::spawn_blocking(move || BinaryServer::start(&dir, config))
        .await
        .unwrap()
}

async fn kill(mut server: BinaryServer) {
    tokio::task::spawn_blocking(move || server.kill_hard())
        .await
        .unwrap();
}

/// One server's directory and its traders' characters.
struct Lane {
    index: usize,
    dir: tempfile::TempDir,
    config: Config,
    /// Name and character id, trader by trader (trader `i` walks `trader::column(i)`).
    characters: Vec<(String, i64)>,
}

/// Creates the lane's accounts and characters through the protocol, kills the server as soon
/// as all are acknowledged, and checks that they survived. Then, with no server running,
/// gives the accounts a cheap password hash: logins happen at every kill, and their cost is
/// not what is tested.
async fn set_up(index: usize) -> Lane {
    let dir = tempfile::tempdir().unwrap();
    let config = trading_config(dir.path());
    let server = start(dir.path(), &config).await;
    let letter = |i: usize| char::from(b'a' + u8::try_from(i).unwrap());
    let mut creations = Vec::new();
    for i in 0..TRADERS {
        let (addr, name) = (server.addr, format!("trader{}{}", letter(index), letter(i)));
        creations.push(tokio::spawn(async move {
            let mut client = TestClient::connected(addr).await;
            let id = common::create_character(&mut client, &name).await;
            (name, i64::from(id))
        }));
    }
    let mut characters = Vec::new();
    for creation in creations {
        characters.push(creation.await.unwrap());
    }
    kill(server).await;

    let conn = ledger::open(&config.database.path);
    for (name, id) in &characters {
        let (saved, account): (String, String) = conn
            .query_row(
                "SELECT c.name, a.username FROM characters c JOIN accounts a \
                 ON a.id = c.account_id WHERE c.id = ?1",
                [id],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .unwrap_or_else(|e| panic!("{name}'s acknowledged creation is lost: {e}"));
        assert_eq!((&saved, &account), (name, name));
    }
    let hasher = eo_server::auth::PasswordHasher::with_cost(
        1,
        1,
        eo_server::auth::HashCost::insecure_fast(),
    )
    .unwrap();
    let cheap = hasher.hash(PASSWORD.into()).await.unwrap();
    conn.execute("UPDATE accounts SET password_hash = ?1", [cheap])
        .unwrap();
    Lane {
        index,
        dir,
        config,
        characters,
    }
}

/// What one kill showed.
struct Round {
    taken: usize,
    amount_taken: u64,
    /// Whether every trader had left its first tile more than a save interval and the slack
    /// before the kill: then a character never saved since it entered fails the position check.
    bit: bool,
    before: BTreeMap<i64, i64>,
    after: BTreeMap<i64, i64>,
}

/// One kill: a known state in the database, the server started, the traders in and trading,
/// `kill -9` `kill_after` the last one entered, and the checks on what is left on disk.
async fn round(lane: &Lane, kill_after: Duration, rng: &mut impl Rng) -> Result<Round, String> {
    let db = &lane.config.database.path;
    let mut start_rows = Vec::new();
    let before = {
        let mut conn = ledger::open(db);
        for (i, (_, id)) in lane.characters.iter().enumerate() {
            let row = trader::TOP_ROW + rng.random_range(0..3);
            let at = (1, trader::column(i), row);
            ledger::set_character(&mut conn, *id, &START_INVENTORY, &START_EQUIPMENT, at);
            start_rows.push(row);
        }
        ledger::totals(&conn)
    };

    let round_start = Instant::now();
    let server = start(lane.dir.path(), &lane.config).await;
    let (entered_tx, mut entered) = tokio::sync::mpsc::unbounded_channel();
    let mut traders = Vec::new();
    for (i, (name, id)) in lane.characters.iter().enumerate() {
        let trader = trader::Trader {
            addr: server.addr,
            name: name.clone(),
            password: PASSWORD.into(),
            character_id: i32::try_from(*id).unwrap(),
            x: trader::column(i),
            start_row: start_rows[i],
            connect_after: Duration::from_millis(rng.random_range(0..CONNECT_SPREAD_MS)),
        };
        traders.push(tokio::spawn(trader::trade(trader, i, entered_tx.clone())));
    }
    drop(entered_tx);
    let mut last_entered = round_start;
    for _ in 0..TRADERS {
        match tokio::time::timeout(Duration::from_secs(20), entered.recv()).await {
            Ok(Some((_, at))) => last_entered = last_entered.max(at),
            _ => {
                kill(server).await;
                let mut why = Vec::new();
                for trader in traders {
                    if let Ok(Err(error)) =
                        tokio::time::timeout(Duration::from_secs(10), trader).await
                    {
                        why.push(error.to_string());
                    }
                }
                return Err(format!("not every trader entered the game: {why:?}"));
            }
        }
    }
    tokio::time::sleep_until(last_entered + kill_after).await;
    let killed = Instant::now();
    kill(server).await;
    let mut reports = Vec::new();
    for trader in traders {
        match tokio::time::timeout(Duration::from_secs(10), trader).await {
            Ok(Ok(report)) => reports.push(report),
            Ok(Err(error)) => return Err(format!("a trader failed: {error}")),
            Err(_) => return Err("a trader's connection outlived the server".into()),
        }
    }
    let taken = reports.iter().map(|r| r.taken_from_others as usize).sum();
    let amount_taken = reports.iter().map(|r| r.amount_taken_from_others).sum();
    for (i, report) in reports.iter().enumerate() {
        if report.ended_at.is_some_and(|at| at < killed) {
            return Err(format!(
                "{}'s connection ended before the kill ({}): the test's traders must not be \
                 disconnected",
                report.name, report.ended
            ));
        }
        let start = (trader::column(i), start_rows[i]);
        if report.entered_on != Some(start) {
            return Err(format!(
                "{} entered at {:?}, not where it was saved, {start:?}",
                report.name, report.entered_on
            ));
        }
    }

    let conn = ledger::open(db);
    let integrity = ledger::integrity(&conn);
    if integrity != "ok" {
        return Err(format!("the database after the kill: {integrity}"));
    }
    let after = ledger::totals(&conn);
    let grown: Vec<String> = after
        .iter()
        .filter(|(item, n)| **n > before.get(item).copied().unwrap_or(0))
        .map(|(item, n)| {
            let was = before.get(item).copied().unwrap_or(0);
            format!("item {item}: {was} before, {n} after")
        })
        .collect();
    if !grown.is_empty() {
        let held: Vec<String> = lane
            .characters
            .iter()
            .map(|(name, id)| format!("{name}: {:?}", ledger::holdings(&conn, *id)))
            .collect();
        return Err(format!(
            "an item's total grew (a dupe): {}; {taken} piles changed hands in this round; \
             totals before {before:?}, after {after:?}; the characters now: {held:#?}",
            grown.join(", ")
        ));
    }

    // Where each character is saved: a tile it held within a save interval and the slack
    // before the kill.
    let window_start = killed
        .checked_sub(SAVE_INTERVAL + SLACK)
        .unwrap_or(round_start);
    let mut bit = true;
    for (i, ((name, id), report)) in lane.characters.iter().zip(&reports).enumerate() {
        let start = (trader::column(i), start_rows[i]);
        let mut positions = vec![(round_start, start)];
        positions.extend(report.positions.iter().copied());
        let (map, x, y) = ledger::position(&conn, *id);
        if map != 1 || !held_during(&positions, (x, y), window_start, killed) {
            return Err(format!(
                "{name} is saved at map {map} ({x},{y}), not where it stood in the last {:?} \
                 before the kill; it stood at {:?}",
                SAVE_INTERVAL + SLACK,
                positions
                    .iter()
                    .map(|(at, tile)| (killed.saturating_duration_since(*at), *tile))
                    .collect::<Vec<_>>()
            ));
        }
        bit &= !held_during(&positions, start, window_start, killed);
    }
    Ok(Round {
        taken,
        amount_taken,
        bit,
        before,
        after,
    })
}

/// Whether `at` is a place the character held at some time in `[since, until]`.
fn held_during(
    positions: &[(Instant, (u8, u8))],
    at: (u8, u8),
    since: Instant,
    until: Instant,
) -> bool {
    positions.iter().enumerate().any(|(i, (from, place))| {
        let to = positions.get(i + 1).map_or(until, |(next, _)| *next);
        *place == at && *from <= until && to >= since
    })
}

/// `n` kill delays spread evenly over [`KILL_AFTER_MS`], in random order.
fn kill_delays(n: usize, rng: &mut impl Rng) -> Vec<Duration> {
    let (low, high) = (KILL_AFTER_MS.start as f64, KILL_AFTER_MS.end as f64);
    let slice = (high - low) / n as f64;
    let mut delays: Vec<Duration> = (0..n)
        .map(|i| {
            let ms = low + slice * (i as f64 + rng.random::<f64>());
            Duration::from_secs_f64(ms / 1000.0)
        })
        .collect();
    delays.shuffle(rng);
    delays
}

/// What one lane did.
#[derive(Default)]
struct LaneSummary {
    kills: usize,
    taken: usize,
    amount_taken: u64,
    bit: usize,
    before: BTreeMap<i64, i64>,
    /// The most of each item found after a kill.
    most_after: BTreeMap<i64, i64>,
}

/// Sets a lane up and kills its server `kills` times; the first failure, with the kill it
/// came at (`done` counts the kills of all lanes).
async fn run_lane(
    index: usize,
    kills: usize,
    done: Arc<std::sync::atomic::AtomicUsize>,
) -> Result<LaneSummary, String> {
    use std::sync::atomic::Ordering;
    let lane = set_up(index).await;
    let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::from_os_rng();
    let mut summary = LaneSummary::default();
    for (n, kill_after) in kill_delays(kills, &mut rng).into_iter().enumerate() {
        let round = round(&lane, kill_after, &mut rng).await.map_err(|error| {
            format!(
                "lane {}, its kill {} of {kills} ({} kills done by all lanes before it), \
                 {kill_after:?} after the last trader entered: {error}",
                lane.index,
                n + 1,
                done.load(Ordering::SeqCst),
            )
        })?;
        done.fetch_add(1, Ordering::SeqCst);
        summary.kills += 1;
        summary.taken += round.taken;
        summary.amount_taken += round.amount_taken;
        summary.bit += usize::from(round.bit);
        summary.before = round.before;
        for (item, n) in round.after {
            let most = summary.most_after.entry(item).or_default();
            *most = (*most).max(n);
        }
    }
    Ok(summary)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_while_players_trade_makes_no_item() {
    let kills = match std::env::var(KILLS_VAR) {
        Ok(value) => value
            .parse::<usize>()
            .unwrap_or_else(|_| panic!("{KILLS_VAR}={value}: not a number")),
        Err(_) => DEFAULT_KILLS,
    };
    // Each lane's last slice of kill times (see KILL_AFTER_MS) then lies beyond a save
    // interval and the slack, where the position check bites.
    assert!(
        kills >= LANES * 5,
        "{KILLS_VAR}={kills}: at least {} kills",
        LANES * 5
    );
    let started = Instant::now();
    let done = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut lanes = tokio::task::JoinSet::new();
    for index in 0..LANES {
        let n = kills / LANES + usize::from(index < kills % LANES);
        lanes.spawn(run_lane(index, n, Arc::clone(&done)));
    }
    let mut summaries = Vec::new();
    while let Some(joined) = lanes.join_next().await {
        match joined {
            Ok(Ok(summary)) => summaries.push(summary),
            Ok(Err(failure)) => {
                lanes.abort_all();
                panic!("{failure}");
            }
            Err(error) => {
                lanes.abort_all();
                std::panic::resume_unwind(error.into_panic());
            }
        }
    }
    let killed: usize = summaries.iter().map(|s| s.kills).sum();
    let taken: usize = summaries.iter().map(|s| s.taken).sum();
    let amount: u64 = summaries.iter().map(|s| s.amount_taken).sum();
    let bit: usize = summaries.iter().map(|s| s.bit).sum();
    let mut most_after: BTreeMap<i64, i64> = BTreeMap::new();
    for summary in &summaries {
        for (item, n) in &summary.most_after {
            let most = most_after.entry(*item).or_default();
            *most = (*most).max(*n);
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    eprintln!(
        "crash and dupe: {killed} kills in {seconds:.0} s ({:.2} s a kill, {LANES} lanes of \
         {TRADERS} traders); {taken} piles ({amount} items) changed hands; {bit} kills came \
         when a character never saved would have shown; totals at each start {:?}, the most \
         after a kill {most_after:?}",
        seconds / killed.max(1) as f64,
        summaries
            .first()
            .map(|s| s.before.clone())
            .unwrap_or_default(),
    );
    assert_eq!(killed, kills);
    assert!(
        taken >= kills * MIN_TAKEN_PER_KILL,
        "too little changed hands to mean anything: {taken} piles in {kills} kills"
    );
    assert!(
        bit * 5 >= kills,
        "too few kills came late enough for the position check to bite: {bit} of {kills}"
    );
}
