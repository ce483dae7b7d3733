//! `kill -9` of the real binary while two players trade, round after round: no item's total
//! across the database changes, and what is on disk is what some trade left, no older than the
//! last trade acknowledged (Trade_Use) a save's slack before the kill. The periodic save is
//! off in a round, so a trade reaches the disk through its own save or not at all.

#[path = "common/binary.rs"]
mod binary;
mod common;
#[path = "common/ledger.rs"]
mod ledger;

use std::collections::BTreeMap;
use std::time::Duration;

use common::TestClient;
use eo_protocol::net::Item;
use eo_protocol::net::client::{
    TradeAcceptClientPacket, TradeAddClientPacket, TradeAgreeClientPacket, TradeRequestClientPacket,
};
use eo_protocol::net::server::ServerPacket;

const GOLD: u16 = 1;
const ARROWS: u16 = 4;
const TONIC: u16 = 10;
const ARMLET: u16 = 20;

fn add(id: u16, amount: u32) -> TradeAddClientPacket {
    TradeAddClientPacket {
        add_item: Item { id, amount },
    }
}

fn agree(agree: bool) -> TradeAgreeClientPacket {
    TradeAgreeClientPacket { agree }
}

/// An inventory as a map from item id to amount (the order is not the point).
fn holding(inventory: &[(u16, u32)]) -> BTreeMap<u16, u32> {
    inventory.iter().copied().collect()
}

/// Rounds of start, trade, `kill -9`, check.
const KILLS: usize = 6;
/// When each round's kill comes after both traders entered: one in each of `KILLS` equal
/// slices of this range, in random order.
const KILL_AFTER_MS: std::ops::Range<u64> = 300..2_500;
/// How long a trade's save may take to commit after its Trade_Use reached a client.
const SAVE_SLACK: Duration = Duration::from_millis(750);
/// What the two traders hold when each round starts (gold weighs nothing; the rest weighs 16,
/// less than anyone may carry, so no swap is refused).
const CRASH_START: [&[(u16, u32)]; 2] = [
    &[(GOLD, 1000), (TONIC, 10)],
    &[(GOLD, 1000), (ARROWS, 4), (ARMLET, 1)],
];

type Holdings = BTreeMap<u16, u32>;

/// One trader of the crash test: its client, its id on the map, and what it holds as the
/// trades it saw acknowledged left it.
struct CrashTrader {
    client: TestClient,
    id: u16,
    holds: Holdings,
}

/// The next packet `pick` accepts, or `None` once the connection is gone.
async fn next<T>(c: &mut TestClient, pick: impl Fn(ServerPacket) -> Option<T>) -> Option<T> {
    loop {
        if let Some(found) = pick(c.try_recv(Duration::from_secs(5)).await?) {
            return Some(found);
        }
    }
}

/// A random part of something `holds` has.
fn some_of(holds: &Holdings, rng: &mut impl rand::Rng) -> (u16, u32) {
    let items: Vec<(u16, u32)> = holds.iter().map(|(id, n)| (*id, *n)).collect();
    let (id, n) = items[rng.random_range(0..items.len())];
    (id, rng.random_range(1..=n))
}

/// `holds` after giving `gives` and getting `gets`.
fn after_swap(holds: &Holdings, gives: (u16, u32), gets: (u16, u32)) -> Holdings {
    let mut after = holds.clone();
    let left = after[&gives.0] - gives.1;
    if left == 0 {
        after.remove(&gives.0);
    } else {
        after.insert(gives.0, left);
    }
    *after.entry(gets.0).or_default() += gets.1;
    after
}

/// What the traders saw: the holdings after each trade acknowledged (Trade_Use), with when,
/// the start first; and the holdings of a trade whose last agreement was sent but not yet
/// acknowledged when the server died.
#[derive(Default)]
struct TradeLog {
    states: Vec<(tokio::time::Instant, Holdings, Holdings)>,
    in_flight: Option<(Holdings, Holdings)>,
}

/// `me` offers `give`; both see the offers. `None` once a connection is gone.
async fn offer_step(me: &mut CrashTrader, other: &mut CrashTrader, give: (u16, u32)) -> Option<()> {
    me.client
        .try_send(&add(give.0, give.1))
        .await
        .then_some(())?;
    for t in [me, other] {
        next(&mut t.client, |p| {
            matches!(p, ServerPacket::TradeReply(_)).then_some(())
        })
        .await?;
    }
    Some(())
}

/// One whole trade, `a` asking; `None` once a connection is gone.
async fn one_trade(
    a: &mut CrashTrader,
    b: &mut CrashTrader,
    log: &mut TradeLog,
    rng: &mut impl rand::Rng,
) -> Option<()> {
    let (give_a, give_b) = (some_of(&a.holds, rng), some_of(&b.holds, rng));
    let sent = a
        .client
        .try_send(&TradeRequestClientPacket { player_id: b.id })
        .await;
    sent.then_some(())?;
    next(&mut b.client, |p| {
        matches!(p, ServerPacket::TradeRequest(_)).then_some(())
    })
    .await?;
    let sent = b
        .client
        .try_send(&TradeAcceptClientPacket { player_id: a.id })
        .await;
    sent.then_some(())?;
    for t in [&mut *a, &mut *b] {
        next(&mut t.client, |p| {
            matches!(p, ServerPacket::TradeOpen(_)).then_some(())
        })
        .await?;
    }
    offer_step(a, b, give_a).await?;
    offer_step(b, a, give_b).await?;
    a.client.try_send(&agree(true)).await.then_some(())?;
    next(&mut a.client, |p| {
        matches!(p, ServerPacket::TradeSpec(_)).then_some(())
    })
    .await?;
    next(&mut b.client, |p| {
        matches!(p, ServerPacket::TradeAgree(_)).then_some(())
    })
    .await?;
    let after = (
        after_swap(&a.holds, give_a, give_b),
        after_swap(&b.holds, give_b, give_a),
    );
    log.in_flight = Some(after.clone());
    b.client.try_send(&agree(true)).await.then_some(())?;
    next(&mut a.client, |p| {
        matches!(p, ServerPacket::TradeUse(_)).then_some(())
    })
    .await?;
    log.states.push((
        tokio::time::Instant::now(),
        after.0.clone(),
        after.1.clone(),
    ));
    log.in_flight = None;
    (a.holds, b.holds) = after;
    next(&mut b.client, |p| {
        matches!(p, ServerPacket::TradeUse(_)).then_some(())
    })
    .await
}

/// A character's inventory on disk.
fn inventory_on_disk(conn: &rusqlite::Connection, character: i64) -> Holdings {
    conn.prepare("SELECT item_id, amount FROM character_inventory WHERE character_id = ?1")
        .unwrap()
        .query_map([character], |row| {
            Ok((row.get::<_, u16>(0)?, row.get::<_, u32>(1)?))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_while_two_players_trade_makes_no_item_and_keeps_what_was_acknowledged() {
    use rand::Rng;
    use rand::seq::SliceRandom;
    let dir = tempfile::tempdir().unwrap();
    let config = binary::config_in(dir.path(), |c| {
        // No periodic save in a round: what a trade changed is on disk through the trade's
        // own save, or not at all.
        c.world.save_interval_secs = 3600;
        c.flood.packets_per_sec = 0;
    });
    let start = |config: &eo_server::config::Config| {
        let (dir, config) = (dir.path().to_owned(), config.clone());
        tokio::task::spawn_blocking(move || binary::BinaryServer::start(&dir, config))
    };

    // The two characters, created through the protocol; then a cheap password hash, as
    // logins happen at every round and their cost is not what is tested.
    let mut server = start(&config).await.unwrap();
    let names = ["tradera", "traderb"];
    let mut characters = Vec::new();
    for name in names {
        let mut client = TestClient::connected(server.addr).await;
        characters.push(i64::from(common::create_character(&mut client, name).await));
    }
    tokio::task::spawn_blocking(move || assert!(server.stop().success()))
        .await
        .unwrap();
    let hasher = eo_server::auth::PasswordHasher::with_cost(
        1,
        1,
        eo_server::auth::HashCost::insecure_fast(),
    )
    .unwrap();
    let cheap = hasher.hash("secret1".into()).await.unwrap();
    let mut conn = ledger::open(&config.database.path);
    conn.execute("UPDATE accounts SET password_hash = ?1", [cheap])
        .unwrap();

    let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::from_os_rng();
    let slice = (KILL_AFTER_MS.end - KILL_AFTER_MS.start) / KILLS as u64;
    let mut delays: Vec<u64> = (0..KILLS as u64)
        .map(|i| KILL_AFTER_MS.start + slice * i + rng.random_range(0..slice))
        .collect();
    delays.shuffle(&mut rng);
    let (mut trades, mut bit) = (0, 0);
    for (round, delay) in delays.into_iter().enumerate() {
        let start_holds: Vec<Holdings> = CRASH_START.iter().map(|h| holding(h)).collect();
        for (i, character) in characters.iter().enumerate() {
            let inventory: Vec<(i64, i64)> = CRASH_START[i]
                .iter()
                .map(|&(id, n)| (i64::from(id), i64::from(n)))
                .collect();
            let x = 18 + u8::try_from(i).unwrap();
            ledger::set_character(&mut conn, *character, &inventory, &[], (1, x, 9));
        }
        let before = ledger::totals(&conn);
        let round_start = tokio::time::Instant::now();
        let mut server = start(&config).await.unwrap();
        let mut traders = Vec::new();
        for (i, name) in names.iter().enumerate() {
            let mut client = TestClient::connected(server.addr).await;
            let login = client.login(name, "secret1").await;
            assert_eq!(login.reply_code, eo_protocol::net::server::LoginReply::Ok);
            let entered =
                common::enter_character(&mut client, i32::try_from(characters[i]).unwrap()).await;
            let id = entered
                .enter
                .nearby
                .characters
                .iter()
                .find(|c| c.name == *name)
                .unwrap()
                .player_id;
            traders.push(CrashTrader {
                client,
                id,
                holds: start_holds[i].clone(),
            });
        }
        let mut b = traders.pop().unwrap();
        let mut a = traders.pop().unwrap();
        let trading = tokio::spawn(async move {
            let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::from_os_rng();
            let mut log = TradeLog::default();
            log.states
                .push((round_start, a.holds.clone(), b.holds.clone()));
            while one_trade(&mut a, &mut b, &mut log, &mut rng)
                .await
                .is_some()
            {}
            log
        });
        tokio::time::sleep(Duration::from_millis(delay)).await;
        let killed = tokio::time::Instant::now();
        tokio::task::spawn_blocking(move || server.kill_hard())
            .await
            .unwrap();
        let log = tokio::time::timeout(Duration::from_secs(10), trading)
            .await
            .expect("the traders notice the kill")
            .unwrap();

        let after = ledger::totals(&conn);
        assert_eq!(after, before, "round {round}: the item totals changed");
        let on_disk = (
            inventory_on_disk(&conn, characters[0]),
            inventory_on_disk(&conn, characters[1]),
        );
        // What is on disk is what some trade left, no older than the last one acknowledged
        // a save's slack before the kill.
        let settled = log
            .states
            .iter()
            .rposition(|(at, _, _)| *at + SAVE_SLACK <= killed)
            .unwrap_or(0);
        let allowed: Vec<(Holdings, Holdings)> = log.states[settled..]
            .iter()
            .map(|(_, a, b)| (a.clone(), b.clone()))
            .chain(log.in_flight.clone())
            .collect();
        assert!(
            allowed.contains(&on_disk),
            "round {round}: on disk {on_disk:?}, not one of the states since trade {settled} of \
             {}: {allowed:?}",
            log.states.len() - 1
        );
        trades += log.states.len() - 1;
        bit += usize::from(settled > 0);
    }
    eprintln!(
        "trade crash test: {KILLS} kills, {trades} trades; {bit} kills came when a trade had to be on disk"
    );
    assert!(
        trades >= KILLS * 5,
        "too few trades to mean anything: {trades}"
    );
    assert!(
        bit * 2 >= KILLS,
        "too few kills came after a trade had to be saved: {bit}"
    );
}
