#!/usr/bin/env bash
# A throwaway MariaDB server for the import tests (admin-cli/tests/import.rs), in a folder of
# its own, run as an unprivileged user and listening on 127.0.0.1 only.
#
#   bash .ci/mariadb.sh start DIR   starts it; prints the URL for TEST_MYSQL_URL
#   bash .ci/mariadb.sh stop DIR    stops it and removes DIR
#
# Needs Debian's mariadb-server package (its programs; the packaged service is not used).
set -euo pipefail

command=${1:?start or stop}
dir=${2:?a folder}
run_as=nobody

case "$command" in
start)
    mkdir -p "$dir"
    # A free port: let the kernel pick one (without python, one of the dynamic range).
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null ||
        echo $((49152 + RANDOM % 16000)))
    if [ "$(id -u)" -eq 0 ]; then
        chown "$run_as" "$dir"
        user=(--user="$run_as")
    else
        user=()
    fi
    mariadb-install-db --no-defaults "${user[@]}" --datadir="$dir/data" \
        --auth-root-authentication-method=normal --skip-test-db >"$dir/install.log" 2>&1 ||
        { cat "$dir/install.log" >&2; exit 1; }
    mariadbd --no-defaults "${user[@]}" --datadir="$dir/data" --socket="$dir/socket" \
        --pid-file="$dir/pid" --bind-address=127.0.0.1 --port="$port" \
        --log-error="$dir/error.log" --innodb-buffer-pool-size=32M \
        </dev/null >/dev/null 2>&1 &
    echo $! >"$dir/server.pid"
    for _ in $(seq 1 300); do
        if mariadb-admin --no-defaults --socket="$dir/socket" -u root ping >/dev/null 2>&1; then
            break
        fi
        sleep 0.1
    done
    mariadb --no-defaults --socket="$dir/socket" -u root -e \
        "CREATE USER 'eo_test'@'127.0.0.1' IDENTIFIED BY 'eo_test';
         GRANT ALL PRIVILEGES ON *.* TO 'eo_test'@'127.0.0.1';" ||
        { cat "$dir/error.log" >&2; exit 1; }
    echo "mysql://eo_test:eo_test@127.0.0.1:$port"
    ;;
stop)
    if [ -f "$dir/server.pid" ]; then
        pid=$(cat "$dir/server.pid")
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
    fi
    rm -rf "$dir"
    ;;
*)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
