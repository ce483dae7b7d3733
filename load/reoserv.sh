#!/usr/bin/env bash
# reoserv, the other server of load/side_by_side.sh: fetches its public source at the commit
# of version 1.16.2, builds it (release), and lays out a run folder where it serves the
# bundled world (fixtures/world) with every new character on one tile. Prints the run
# folder; the binary is target/load/reoserv/target/release/reoserv.
#
#   load/reoserv.sh PORT SPAWN_MAP SPAWN_X SPAWN_Y
#
# REOSERV_GIT is where the source comes from (default https://github.com/sorokya/reoserv; any
# clone or bare mirror of it does, e.g. a local path when github.com is out of reach);
# REOSERV_REF the commit (default eba68a0, "Version bump" to 1.16.2 on master: the upstream
# repository tags releases without a "v", and a mirror may lack the tag, so the commit is
# named). The source is cloned once into target/load/reoserv (a folder the workspace
# excludes); later runs reuse it and cargo's own incremental build.
#
# reoserv reads everything relative to its working folder: config/Config.toml (its defaults,
# copied from its source) overridden by config/Config.local.toml (written here), the other
# config/*.ron files, data/maps/NNNNN.emf, data/pub/ (the pub files, read as they are with
# generate_pub = false), data/quests/*.eqf, data/migrations/ (its SQL schema) and
# data/news.txt; its SQLite database is reoserv.db there.
set -euo pipefail
cd "$(dirname "$0")/.."

usage="usage: load/reoserv.sh PORT SPAWN_MAP SPAWN_X SPAWN_Y"
port=${1:?$usage}
spawn_map=${2:?$usage}
spawn_x=${3:?$usage}
spawn_y=${4:?$usage}
git_url=${REOSERV_GIT:-https://github.com/sorokya/reoserv}
ref=${REOSERV_REF:-eba68a06853390144d0f8abad13e5e99ff9c9323}
src=target/load/reoserv
run=target/load/reoserv-run

mkdir -p target/load
if [[ ! -d $src/.git ]]; then
    echo "reoserv: cloning $git_url into $src" >&2
    rm -rf "$src"
    git clone -q --no-checkout "$git_url" "$src"
fi
if ! git -C "$src" cat-file -e "$ref^{commit}" 2>/dev/null; then
    git -C "$src" fetch -q --tags "$git_url" "+refs/heads/*:refs/remotes/origin/*"
fi
if [[ $(git -C "$src" rev-parse HEAD 2>/dev/null) != $(git -C "$src" rev-parse "$ref^{commit}") ]]; then
    git -C "$src" checkout -q --detach "$ref"
fi
version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$src/Cargo.toml" | head -n 1)
[[ -n ${REOSERV_REF:-} || $version == 1.16.2 ]] ||
    { echo "reoserv: $src is version $version at $ref, not 1.16.2" >&2; exit 2; }
echo "reoserv: building $version ($(git -C "$src" rev-parse --short HEAD))" >&2
# Its own lock file; its .cargo/config.toml adds --cfg tokio_unstable.
(cd "$src" && CARGO_INCREMENTAL=0 cargo build --release --locked -q)

# The run folder: its configuration and schema, our world. Rebuilt every time (the database
# is the caller's to keep or delete).
rm -rf "$run/config" "$run/data"
mkdir -p "$run/data/maps" "$run/data/pub" "$run/data/quests"
cp -r "$src/config" "$run/config"
cp -r "$src/data/migrations" "$run/data/migrations"
cp "$src/data/news.txt" "$run/data/news.txt"
cp fixtures/world/maps/*.emf "$run/data/maps/"
cp fixtures/world/pub/* "$run/data/pub/"
cp fixtures/world/quests/*.eqf "$run/data/quests/"
# Its example arenas are on maps the bundled world does not have.
echo '(arenas: [])' >"$run/config/Arenas.ron"
cat >"$run/config/Config.local.toml" <<EOF
# Written by load/reoserv.sh: what differs from reoserv's own config/Config.toml for the
# side-by-side load run. The same limits as load/square.toml gives eo-server: every bot
# comes from 127.0.0.1.
[server]
host = "127.0.0.1"
port = "$port"
max_connections = 6000
max_players = 6000
max_connections_per_ip = 0
ip_reconnect_limit = 0
hangup_delay = 60
# Every bot a player, as on eo-server (reoserv makes the first character an admin).
auto_admin = false
generate_pub = false

[database]
driver = "sqlite"
name = "reoserv"

# Every new character on one tile. (reoserv also puts everyone who enters a map that has a
# relog point on it: Mossbrook's is (16, 9).)
[new_character]
spawn_map = $spawn_map
spawn_x = $spawn_x
spawn_y = $spawn_y
spawn_direction = 0

# Its defaults name maps the bundled world does not have.
[jail]
map = $spawn_map
x = $spawn_x
y = $spawn_y
free_map = $spawn_map
free_x = $spawn_x
free_y = $spawn_y

[rescue]
map = $spawn_map
x = $spawn_x
y = $spawn_y
EOF
echo "$run"
