#!/usr/bin/env bash
# The load table of docs/load.md: both scenarios at 100, 1,000 and 5,000 bots, each walking at
# 1 step/s and chatting every 10 s for 60 s (load/run.sh; its JSON lines go to
# target/load/results.jsonl). The first run of a scenario also creates its accounts (at
# about 20 a second: argon2id hashing on the server's two hashing threads).
set -euo pipefail
cd "$(dirname "$0")/.."
for scenario in square spread; do
    for bots in 100 1000 5000; do
        load/run.sh "$scenario" "$bots" 60 1 0.1 || echo "load: $scenario $bots exited $?" >&2
    done
done
