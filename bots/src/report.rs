//! The report of a whole run: the summary in words and, last, the one JSON line the load
//! scripts read (docs/load.md lists its fields).

use serde_json::json;

use crate::stats::{Counters, Summary, round};
use crate::swarm::Swarm;
use crate::{Args, flood, procfs};

/// The figures of a whole run.
pub struct Report<'a> {
    pub args: &'a Args,
    pub swarm: &'a Swarm,
    pub login_secs: f64,
    pub play_secs: f64,
    pub in_game_at_end: u64,
    /// The server's CPU during play.
    pub server_cpu: Option<procfs::CpuUsed>,
    pub server_rss_before: Option<(u64, u64)>,
    pub server_rss: Option<(u64, u64)>,
    /// Read and write syscalls of the server during play.
    pub server_syscalls: Option<(u64, u64)>,
    pub own_cpu_percent: Option<f64>,
    pub flood: &'a flood::FloodCounters,
}

impl Report<'_> {
    pub fn print(&self) {
        let (args, swarm) = (self.args, self.swarm);
        let c = &swarm.counters;
        let get = Counters::get;
        let logins_ok = get(&c.logins_ok);
        let logins_per_sec = logins_ok as f64 / self.login_secs.max(0.001);
        let login = Summary::of(&swarm.login_latency.all());
        let walk = swarm.walk_latency.all();
        let chat = swarm.chat_latency.all();
        let mut all = walk.clone();
        all.extend_from_slice(&chat);
        all.sort_unstable();
        let (walk, chat, all) = (Summary::of(&walk), Summary::of(&chat), Summary::of(&all));
        let per_player_kib = match (self.server_rss_before, self.server_rss) {
            (Some((before, _)), Some((after, _))) if self.in_game_at_end > 0 => {
                Some(after.saturating_sub(before) as f64 / self.in_game_at_end as f64)
            }
            _ => None,
        };
        let percent = |p: Option<f64>| p.map_or("n/a".to_string(), |p| format!("{p:.0}%"));
        println!(
            "logins: {logins_ok} of {} in {:.1} s ({logins_per_sec:.1}/s), {} failed; accounts created {}, characters created {}, maps downloaded {}",
            args.bots,
            self.login_secs,
            get(&c.logins_failed),
            get(&c.accounts_created),
            get(&c.characters_created),
            get(&c.maps_downloaded),
        );
        println!("login latency: {}", Summary::line(login));
        println!(
            "play: {:.1} s, {} in the game at the end, {} disconnects, {} errors",
            self.play_secs,
            self.in_game_at_end,
            get(&c.disconnects),
            swarm.errors.total()
        );
        for (kind, count) in swarm.errors.by_kind() {
            println!("  error: {kind}: {count}");
        }
        println!(
            "sent: {} walks ({:.0}/s, {} refused), {} chats ({:.0}/s)",
            get(&c.walks_sent),
            get(&c.walks_sent) as f64 / self.play_secs,
            get(&c.walks_refused),
            get(&c.chats_sent),
            get(&c.chats_sent) as f64 / self.play_secs,
        );
        println!(
            "received by the bots during play: {} packets ({:.0}/s), of them {} walks and {} chats ({} more before play)",
            get(&c.received),
            get(&c.received) as f64 / self.play_secs,
            get(&c.walks_received),
            get(&c.chats_received),
            get(&c.received_before_play),
        );
        println!(
            "broadcast latency (walks and chats): {}",
            Summary::line(all)
        );
        println!("  walks: {}", Summary::line(walk));
        println!("  chats: {}", Summary::line(chat));
        println!(
            "  unmatched walk broadcasts {}, observer overflow {}",
            get(&c.unmatched),
            get(&c.observer_overflow)
        );
        let flood_sent = self.flood.sent.load(std::sync::atomic::Ordering::Relaxed);
        let flood_dropped = self
            .flood
            .dropped
            .load(std::sync::atomic::Ordering::Relaxed);
        let flood_entered = self
            .flood
            .entered
            .load(std::sync::atomic::Ordering::Relaxed);
        if args.flooders > 0 {
            println!(
                "flooders: {}, entered the game {flood_entered} times, sent {flood_sent} walks, dropped by the server {flood_dropped} times",
                args.flooders
            );
        }
        println!(
            "cpu during play (100% = one core): server {}, bots {}",
            percent(self.server_cpu.map(|used| used.percent)),
            percent(self.own_cpu_percent)
        );
        // What a delivered packet cost the server: its CPU during play over the packets the
        // bots received during play (pings included, observers' packets not).
        let cpu_us_per_packet = self
            .server_cpu
            .filter(|_| get(&c.received) > 0)
            .map(|used| used.seconds * 1e6 / get(&c.received) as f64);
        if let (Some(used), Some(us)) = (self.server_cpu, cpu_us_per_packet) {
            println!(
                "server cpu during play: {:.2} s, {us:.2} µs a packet the bots received",
                used.seconds
            );
        }
        let packets_per_write = self
            .server_syscalls
            .filter(|(_, writes)| *writes > 0)
            .map(|(_, writes)| get(&c.received) as f64 / writes as f64);
        if let Some((_, writes)) = self.server_syscalls {
            println!(
                "server socket writes during play: {writes} ({} packets the bots received per write)",
                packets_per_write.map_or("n/a".into(), |p| format!("{p:.2}"))
            );
        }
        if let Some((rss, peak)) = self.server_rss {
            println!(
                "server memory: {} KiB resident, {} KiB peak{}",
                rss,
                peak,
                per_player_kib.map_or(String::new(), |kib| format!(
                    ", {kib:.1} KiB per player in the game (over the {} KiB before the run)",
                    self.server_rss_before.map_or(0, |r| r.0)
                ))
            );
        }
        let errors: serde_json::Map<String, serde_json::Value> = swarm
            .errors
            .by_kind()
            .into_iter()
            .map(|(k, v)| (k, v.into()))
            .collect();
        let line = json!({
            "addr": swarm.addr.to_string(),
            "bots": args.bots,
            "observers": args.observers,
            "walk_hz": args.walk_hz,
            "chat_hz": args.chat_hz,
            "seconds": args.seconds,
            "logins_ok": logins_ok,
            "logins_failed": get(&c.logins_failed),
            "accounts_created": get(&c.accounts_created),
            "characters_created": get(&c.characters_created),
            "maps_downloaded": get(&c.maps_downloaded),
            "login_secs": round(self.login_secs),
            "logins_per_sec": round(logins_per_sec),
            "login_latency_ms": Summary::json(login),
            "play_secs": round(self.play_secs),
            "in_game_at_end": self.in_game_at_end,
            "walks_sent": get(&c.walks_sent),
            "walks_refused": get(&c.walks_refused),
            "chats_sent": get(&c.chats_sent),
            "received": get(&c.received),
            "walks_received": get(&c.walks_received),
            "chats_received": get(&c.chats_received),
            "latency_ms": Summary::json(all),
            "walk_latency_ms": Summary::json(walk),
            "chat_latency_ms": Summary::json(chat),
            "unmatched": get(&c.unmatched),
            "observer_overflow": get(&c.observer_overflow),
            "disconnects": get(&c.disconnects),
            "errors": swarm.errors.total(),
            "error_kinds": errors,
            "bots_cpu_percent": self.own_cpu_percent.map(round),
            "server_pid": args.server_pid,
            "server_cpu_percent": self.server_cpu.map(|used| round(used.percent)),
            "server_rss_kib": self.server_rss.map(|r| r.0),
            "server_rss_peak_kib": self.server_rss.map(|r| r.1),
            "server_rss_before_kib": self.server_rss_before.map(|r| r.0),
            "server_kib_per_player": per_player_kib.map(round),
            "server_write_syscalls": self.server_syscalls.map(|s| s.1),
            "packets_per_server_write": packets_per_write.map(round),
        });
        // (Outside the macro, which has a recursion limit.)
        let mut line = line;
        line["received_before_play"] = get(&c.received_before_play).into();
        line["received_kinds"] = c
            .received_kinds
            .lock()
            .map(|kinds| json!(*kinds))
            .unwrap_or_default();
        line["server_cpu_secs"] = self.server_cpu.map(|used| round(used.seconds)).into();
        line["server_cpu_us_per_packet"] = cpu_us_per_packet.map(round).into();
        line["flooders"] = args.flooders.into();
        line["flood_entered"] = flood_entered.into();
        line["flood_walks_sent"] = flood_sent.into();
        line["flood_dropped"] = flood_dropped.into();
        println!("{line}");
    }
}
