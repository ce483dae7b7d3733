#!/usr/bin/env bash
# One load figure: starts the release server with a scenario's config, runs the eo-bots
# swarm against it on 127.0.0.1, and appends the swarm's JSON line (with the scenario, the
# machine's load average and the commit) to target/load/results.jsonl.
#
#   load/run.sh SCENARIO BOTS [SECONDS] [WALK_HZ] [CHAT_HZ] [EXTRA eo-bots ARGS...]
#
# SCENARIO is square or spread (load/SCENARIO.toml). LOAD_SERVER names another server
# binary to measure (default target/release/eo-server); LOAD_PORT another port (18078);
# LOAD_LOG_FILTER the server's log filter (info: logins and every dropped client, in
# target/load/server.log); LOAD_SERVER_CPUS and LOAD_BOT_CPUS pin the server and the bots to
# CPU sets (taskset lists, e.g. 0 and 1: each its own core). Each scenario keeps its database in
# target/load/, so the accounts and characters made by the first run are reused by later
# ones (delete target/load/SCENARIO.db* to start afresh). The server and the bots share this
# machine: the JSON has the CPU of each.
set -euo pipefail
cd "$(dirname "$0")/.."

scenario=${1:?usage: load/run.sh square|spread BOTS [SECONDS] [WALK_HZ] [CHAT_HZ] [ARGS...]}
bots=${2:?usage: load/run.sh square|spread BOTS [SECONDS] [WALK_HZ] [CHAT_HZ] [ARGS...]}
seconds=${3:-60}
walk_hz=${4:-1}
chat_hz=${5:-0.1}
shift $(( $# < 5 ? $# : 5 ))
config="load/$scenario.toml"
[[ -f $config ]] || { echo "no $config (scenarios: square, spread)" >&2; exit 2; }

cargo build --release -q -p eo-server -p eo-bots
out=target/load
mkdir -p "$out"
port=${LOAD_PORT:-18078}

ulimit -n "$(ulimit -Hn)"
server_pin=() bot_pin=()
[[ -z ${LOAD_SERVER_CPUS:-} ]] || server_pin=(taskset -c "$LOAD_SERVER_CPUS")
[[ -z ${LOAD_BOT_CPUS:-} ]] || bot_pin=(taskset -c "$LOAD_BOT_CPUS")
EO_SERVER_LISTEN="127.0.0.1:$port" \
EO_DATABASE_PATH="$out/$scenario.db" \
EO_LOG_FILTER="${LOAD_LOG_FILTER:-info}" \
EO_CONTROL_SOCKET="$out/$scenario.sock" \
    "${server_pin[@]}" "${LOAD_SERVER:-target/release/eo-server}" --config "$config" >"$out/server.log" 2>&1 &
server=$!
stop() { kill -TERM "$server" 2>/dev/null && wait "$server" 2>/dev/null || true; }
trap stop EXIT
# Wait until the server listens.
for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
done

kill -0 "$server" 2>/dev/null || { echo "the server did not start:" >&2; cat "$out/server.log" >&2; exit 2; }
# (The server refuses unknown EO_* variables, so this script's own are LOAD_*.)

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
set +e
"${bot_pin[@]}" target/release/eo-bots --addr "127.0.0.1:$port" --bots "$bots" --seconds "$seconds" \
    --walk-hz "$walk_hz" --chat-hz "$chat_hz" --prefix "${scenario:0:2}" \
    --server-pid "$server" "$@" | tee "$out/last.txt"
status=${PIPESTATUS[0]}
set -e
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
line=$(tail -n 1 "$out/last.txt")
[[ $line == "{"* ]] || { echo "eo-bots gave no figures (exit $status)" >&2; exit "$status"; }
extra=$(printf '{"scenario":"%s","server_cpus":"%s","bot_cpus":"%s","loadavg_before":"%s","loadavg_after":"%s","commit":"%s","date":"%s"}' \
    "$scenario" "${LOAD_SERVER_CPUS:-all}" "${LOAD_BOT_CPUS:-all}" "$load_before" "$load_after" "$(git rev-parse --short HEAD)" "$(date -u +%FT%TZ)")
python3 -c 'import json,sys; a=json.loads(sys.argv[1]); a.update(json.loads(sys.argv[2])); print(json.dumps(a, sort_keys=True))' \
    "$line" "$extra" >> "$out/results.jsonl"
echo "load: $scenario, $bots bots; load average $load_before before, $load_after after; appended to $out/results.jsonl"
exit "$status"
