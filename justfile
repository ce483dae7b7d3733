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

# Every fuzz target for 30 seconds each, seeding the corpora first; fails on a crash.
fuzz-smoke: fuzz-seed
    cd protocol/fuzz && for t in $(RUSTC_BOOTSTRAP=1 cargo fuzz list); do RUSTC_BOOTSTRAP=1 cargo fuzz run $t -- -max_total_time=30 || exit 1; done

# The protocol benchmark: our crate against eolib 3.3.2 on the captured-packet mix.
bench:
    cargo bench -p eo-protocol --bench packets

# One load figure: the release server with load/SCENARIO.toml (square or spread) and the eo-bots swarm.
load SCENARIO BOTS SECONDS="60" WALK_HZ="1" CHAT_HZ="0.1":
    load/run.sh {{SCENARIO}} {{BOTS}} {{SECONDS}} {{WALK_HZ}} {{CHAT_HZ}}

# The README's load table: both scenarios at 100, 1,000 and 5,000 bots (about 25 minutes).
load-table:
    load/table.sh
