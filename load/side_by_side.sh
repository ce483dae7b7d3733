#!/usr/bin/env bash
# The same bot swarm against reoserv 1.16.2 and eo-server, one after the other, both serving
# the bundled world with every new character on one tile of Mossbrook; prints one table row
# per server and appends each run's JSON line (with "server") to target/load/results.jsonl.
#
#   load/side_by_side.sh [BOTS] [SECONDS] [WALK_HZ] [CHAT_HZ] [EXTRA eo-bots ARGS...]
#
# Defaults: 240 bots, 30 s of play, no walking, a chat line a second each (the crowd of
# issue 15). See docs/load.md, "Side by side with reoserv".
#
# SBS_ORDER    the servers in the order run (default "reoserv eo-server");
# SBS_ROUNDS   how many times to run them (default 1; each round reverses the order of the
#              last, so with 2 each server runs once first and once second);
# SBS_PAUSE    seconds between two runs (default 20), for the last run's sockets to close;
# SBS_KEEP_DB  1 keeps each server's database from the last run (default: each run starts
#              from an empty one, so both make the same accounts and characters, and every
#              character starts on the spawn tile, not where a walking run left it);
# REOSERV_GIT, REOSERV_REF  where reoserv comes from (load/reoserv.sh);
# LOAD_PORT    eo-server's port (18078; reoserv gets the next one);
# LOAD_LOG_FILTER  both servers' log filter (info: logins and dropped clients), their logs in
#              target/load/side-by-side-SERVER.log.
set -euo pipefail
cd "$(dirname "$0")/.."

bots=${1:-240}
seconds=${2:-30}
walk_hz=${3:-0}
chat_hz=${4:-1}
shift $(( $# < 4 ? $# : 4 ))
order=${SBS_ORDER:-reoserv eo-server}
rounds=${SBS_ROUNDS:-1}
pause=${SBS_PAUSE:-20}
port=${LOAD_PORT:-18078}
reoserv_port=$((port + 1))
log_filter=${LOAD_LOG_FILTER:-info}
# The one tile every new character starts on: Mossbrook's relog point, where reoserv puts
# everyone entering map 1 in any case.
spawn_map=1 spawn_x=16 spawn_y=9
out=target/load
mkdir -p "$out"

reoserv_run=$(load/reoserv.sh "$reoserv_port" "$spawn_map" "$spawn_x" "$spawn_y")
reoserv_bin=$PWD/target/load/reoserv/target/release/reoserv
reoserv_version="reoserv $(sed -n 's/^version = "\(.*\)"/\1/p' target/load/reoserv/Cargo.toml | head -n 1) ($(git -C target/load/reoserv rev-parse --short HEAD))"
cargo build --release -q -p eo-server -p eo-bots
commit=$(git rev-parse --short HEAD)
ulimit -n "$(ulimit -Hn)"

this_run=$(mktemp)
server=
stop() {
    [[ -n $server ]] || return 0
    kill -TERM "$server" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$server" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    server=
}
trap 'stop; rm -f "$this_run"' EXIT

# Starts server $1 on a fresh (or kept) database; sets $server (its pid) and $addr.
start() {
    local name=$1 log="$out/side-by-side-$1.log"
    case $name in
        reoserv)
            [[ ${SBS_KEEP_DB:-0} == 1 ]] || rm -f "$reoserv_run"/reoserv.db*
            addr=127.0.0.1:$reoserv_port
            (cd "$reoserv_run" && RUST_LOG=$log_filter exec "$reoserv_bin") >"$log" 2>&1 &
            ;;
        eo-server)
            [[ ${SBS_KEEP_DB:-0} == 1 ]] || rm -f "$out"/side-by-side.db*
            addr=127.0.0.1:$port
            EO_SERVER_LISTEN="$addr" \
            EO_DATABASE_PATH="$out/side-by-side.db" \
            EO_CONTROL_SOCKET="$out/side-by-side.sock" \
            EO_LOG_FILTER="$log_filter" \
            EO_WORLD_SPAWN_MAP=$spawn_map EO_WORLD_SPAWN_X=$spawn_x EO_WORLD_SPAWN_Y=$spawn_y \
                target/release/eo-server --config load/side_by_side.toml >"$log" 2>&1 &
            ;;
        *) echo "SBS_ORDER: unknown server $name (reoserv, eo-server)" >&2; exit 2 ;;
    esac
    server=$!
    for _ in $(seq 300); do
        (exec 3<>"/dev/tcp/${addr%:*}/${addr#*:}") 2>/dev/null && return 0
        kill -0 "$server" 2>/dev/null || break
        sleep 0.1
    done
    echo "$name did not start:" >&2
    tail -n 20 "$log" >&2
    exit 2
}

# One run against server $1: the swarm's report, and its JSON line appended to both files.
measure() {
    local name=$1 round=$2 status line version load_before load_after
    shift 2
    start "$name"
    version=$([[ $name == reoserv ]] && echo "$reoserv_version" || echo "eo-server $commit")
    echo "== $version on $addr (pid $server), round $round" >&2
    load_before=$(cut -d' ' -f1-3 /proc/loadavg)
    set +e
    target/release/eo-bots --addr "$addr" --bots "$bots" --seconds "$seconds" \
        --walk-hz "$walk_hz" --chat-hz "$chat_hz" --prefix sb --server-pid "$server" "$@" \
        | tee "$out/side-by-side-$name.txt"
    status=${PIPESTATUS[0]}
    set -e
    load_after=$(cut -d' ' -f1-3 /proc/loadavg)
    stop
    line=$(tail -n 1 "$out/side-by-side-$name.txt")
    if [[ $line != "{"* ]]; then
        echo "eo-bots gave no figures against $name (exit $status); its log: $out/side-by-side-$name.log" >&2
        failed=1
        return 0
    fi
    [[ $status == 0 ]] || failed=1
    python3 -c '
import json, sys
run, extra = json.loads(sys.argv[1]), json.loads(sys.argv[2])
run.update(extra)
if extra["server"] == "reoserv":
    # It writes each packet with send(2), which the syscall count eo-bots reads (syscw of
    # /proc/PID/io: write and writev) does not include.
    run["server_write_syscalls"] = run["packets_per_server_write"] = None
    run["server_write_syscalls_note"] = "send(2), not counted"
print(json.dumps(run, sort_keys=True))' \
        "$line" "$(printf '{"scenario":"side-by-side","server":"%s","server_version":"%s","round":%d,"loadavg_before":"%s","loadavg_after":"%s","commit":"%s","date":"%s"}' \
            "$name" "$version" "$round" "$load_before" "$load_after" "$commit" "$(date -u +%FT%TZ)")" \
        | tee -a "$out/results.jsonl" >>"$this_run"
}

failed=0
read -r -a servers <<<"$order"
for round in $(seq "$rounds"); do
    for name in "${servers[@]}"; do
        [[ -z ${ran_one:-} ]] || sleep "$pause"
        ran_one=1
        measure "$name" "$round" "$@"
    done
    reversed=()
    for name in "${servers[@]}"; do reversed=("$name" "${reversed[@]}"); done
    servers=("${reversed[@]}")
done

echo
echo "side by side: $bots bots, ${seconds} s of play, walk $walk_hz Hz, chat $chat_hz Hz (load/side_by_side.sh $bots $seconds $walk_hz $chat_hz)"
python3 - "$this_run" <<'EOF'
import json, sys

print("| server | players (in game at end) | packets/s to the bots | p50 | p99 "
      "| server CPU during play | µs of server CPU a delivered packet "
      "| server RSS after play | load avg before |")
print("|---|---|---|---|---|---|---|---|---|")
for line in open(sys.argv[1]):
    r = json.loads(line)
    lat = r.get("latency_ms", {})
    ms = lambda v: "n/a" if v is None else f"{v:.2f} ms"
    cpu = r.get("server_cpu_secs")
    cpu_text = "n/a" if cpu is None else f"{cpu:.2f} s ({r['server_cpu_percent'] / 100:.2f} of a core)"
    us = r.get("server_cpu_us_per_packet")
    rss = r.get("server_rss_kib")
    print(f"| {r['server_version']} | {r['bots']} ({r['in_game_at_end']}) "
          f"| {r['received'] / max(r['play_secs'], 0.001):,.0f} | {ms(lat.get('p50'))} | {ms(lat.get('p99'))} "
          f"| {cpu_text} | {'n/a' if us is None else f'{us:.2f}'} "
          f"| {'n/a' if rss is None else f'{rss / 1024:.1f} MiB'} | {r['loadavg_before'].split()[0]} |")
EOF
echo "appended to $out/results.jsonl"
exit "$failed"
