# Recipes for the eo-server workspace. `just --list` shows them.

# Run the server on its embedded defaults.
run *ARGS:
    cargo run --release -p eo-server -- {{ARGS}}

# Every test of the workspace (the README's test command).
test:
    cargo test --workspace --all-features

# Formatting and lints, as CI runs them.
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets --all-features -- -D warnings

# Rebuild the bundled world (fixtures/world) from its sources (fixtures/world-src); `just world --check` only compares.
world *ARGS:
    cargo run -p eo-worldgen -- {{ARGS}}

# Regenerate the packet code from the eo-protocol XML (default: ../shared/eo-protocol/xml).
generate XML_DIR="../shared/eo-protocol/xml":
    python3 protocol/codegen/generate.py {{XML_DIR}}

# Build the fuzz targets' seed corpora (protocol/fuzz/corpus/, gitignored) from the captures.
fuzz-seed:
    protocol/fuzz/seed.sh

# Run one fuzz target for SECONDS (e.g. `just fuzz client_packet 600`), seeding its corpus first.
fuzz TARGET SECONDS="60": fuzz-seed
    cd protocol/fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run {{TARGET}} -- -max_total_time={{SECONDS}}

# Every fuzz target, the protocol's and the server's, 30 seconds each (corpora seeded first); fails at the first crash.
fuzz-smoke: fuzz-seed fuzz-server-seed
    #!/usr/bin/env bash
    set -euo pipefail
    for dir in protocol/fuzz server/fuzz; do
        for target in $(cd "$dir" && RUSTC_BOOTSTRAP=1 cargo fuzz list); do
            echo "== $dir $target"
            (cd "$dir" && RUSTC_BOOTSTRAP=1 cargo fuzz run "$target" -- -max_total_time=30)
        done
    done

# Write the seed inputs of the server's fuzz target (server/fuzz/corpus/, gitignored).
fuzz-server-seed:
    cd server/fuzz && cargo run --quiet --example seed

# Byte streams into a live server connection for SECONDS (one process, a real server inside it; about both cores).
fuzz-server SECONDS="600": fuzz-server-seed
    cd server/fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run live_connection -- -max_total_time={{SECONDS}}

# The crash-and-dupe test alone, with KILLS kills of the release server (about 0.9 s a kill; see docs/sturdiness.md).
dupe-soak KILLS="2000":
    DUPE_KILLS={{KILLS}} cargo test --release -p eo-server --test crash kill_9_while_players_trade -- --nocapture

# The protocol benchmark: our crate against eolib 3.3.2 on the captured-packet mix.
bench:
    cargo bench -p eo-protocol --bench packets

# One load figure: the release server with load/SCENARIO.toml (square or spread) and the eo-bots swarm.
load SCENARIO BOTS SECONDS="60" WALK_HZ="1" CHAT_HZ="0.1":
    load/run.sh {{SCENARIO}} {{BOTS}} {{SECONDS}} {{WALK_HZ}} {{CHAT_HZ}}

# The load table of docs/load.md: both scenarios at 100, 1,000 and 5,000 bots (about 25 minutes).
load-table:
    load/table.sh

# The same swarm against reoserv 1.16.2 (built from its source) and eo-server, one row each (load/side_by_side.sh).
load-side-by-side BOTS="240" SECONDS="30" WALK_HZ="0" CHAT_HZ="1":
    load/side_by_side.sh {{BOTS}} {{SECONDS}} {{WALK_HZ}} {{CHAT_HZ}}
