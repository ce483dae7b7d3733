#!/usr/bin/env bash
# What a login costs the server: starts the release server (the spread scenario's config, a
# fresh database in a temporary folder), lets BOTS bots create their accounts and characters
# once, then logs them all in and into the game again, three times, and prints the server's
# CPU (user + system, from /proc) over each round divided by the logins, and its user and
# system totals at the end.
#
#   load/login_cost.sh [BOTS]        (200 by default)
#
# LOAD_SERVER names another server binary to measure (default target/release/eo-server).
set -euo pipefail
cd "$(dirname "$0")/.."
bots=${1:-200}

cargo build --release -q -p eo-server -p eo-bots
tmp=$(mktemp -d)
port=${LOAD_PORT:-18079}
EO_SERVER_LISTEN="127.0.0.1:$port" EO_DATABASE_PATH="$tmp/db" EO_CONTROL_SOCKET="$tmp/sock" \
    "${LOAD_SERVER:-target/release/eo-server}" --config load/spread.toml >"$tmp/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -rf "$tmp"' EXIT
sleep 1
ticks=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$server/stat"; }
bots() {
    target/release/eo-bots --addr "127.0.0.1:$port" --bots "$bots" --seconds 1 \
        --walk-hz 0 --chat-hz 0 >"$tmp/bots.json" 2>/dev/null || true
    sleep 1 # the last logins' entering is counted too
}
bots # accounts and characters made; their hashing is not counted
for round in 1 2 3; do
    before=$(cpu)
    bots
    after=$(cpu)
    ok=$(tail -n 1 "$tmp/bots.json" | python3 -c 'import json, sys; print(json.load(sys.stdin)["logins_ok"])')
    echo "round $round: $ok logins, server CPU $(( (after - before) * 1000 / ticks )) ms," \
        "$(python3 -c "print(round(($after - $before) * 1000 / $ticks / max(1, $ok), 1))") ms a login" \
        "(load average $(cut -d ' ' -f 1 /proc/loadavg))"
done
awk -v t="$ticks" '{printf "server totals: user %.2f s, system %.2f s\n", $14 / t, $15 / t}' "/proc/$server/stat"
