#!/bin/sh
# A private PostgreSQL server for perfkit's tests and benchmarks: initdb into
# a temporary directory, postgres listening on a unix socket in that
# directory only (no TCP), password authentication (scram-sha-256) for the
# superuser "perfkit", a database "perfkit".
#
#   sh tests/pg.sh start DIR [durable]   start; prints the server's URL
#                                        (also in DIR/url); DIR must not exist
#   sh tests/pg.sh stop DIR              stop the server and remove DIR
#   sh tests/pg.sh available             exit 0 when the binaries are here
#
# Tests run with fsync off (a server crash is not what they test); `durable`
# keeps PostgreSQL's defaults (bench/history_store.sh measures with it).
# postgres refuses to run as root: as root the server runs as the user
# "postgres" (else "nobody") and DIR is given to that user; the socket
# directory stays reachable for every user. PGBIN overrides where the
# binaries are (default: the newest /usr/lib/postgresql/*/bin).
set -eu

pgbin() {
    if [ -n "${PGBIN:-}" ]; then echo "$PGBIN"; return; fi
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r); do
        if [ -x "$d/postgres" ] && [ -x "$d/initdb" ]; then echo "$d"; return; fi
    done
    echo ""
}

BIN=$(pgbin)
cmd=${1:-}

# as_owner CMD...: run CMD as the server's user
as_owner() {
    if [ "$(id -u)" -ne 0 ]; then "$@"; return; fi
    (cd / && runuser -u "$OWNER" -- "$@")
}

owner() {
    if [ "$(id -u)" -ne 0 ]; then id -un; return; fi
    if id postgres >/dev/null 2>&1; then echo postgres; else echo nobody; fi
}

case "$cmd" in
available)
    [ -n "$BIN" ]
    ;;
start)
    DIR=${2:?usage: pg.sh start DIR [durable]}
    MODE=${3:-fast}
    if [ -z "$BIN" ]; then
        echo "pg.sh: PostgreSQL binaries not found (/usr/lib/postgresql/*/bin; Debian package postgresql)" >&2
        exit 77
    fi
    [ ! -e "$DIR" ] || { echo "pg.sh: $DIR exists" >&2; exit 2; }
    OWNER=$(owner)
    mkdir -p "$DIR"
    DIR=$(cd "$DIR" && pwd)
    chmod 755 "$DIR"
    mkdir "$DIR/sock"
    secret=pk$(od -An -N8 -tx8 /dev/urandom | tr -d ' \n')
    printf '%s\n' "$secret" > "$DIR/pw"
    [ "$(id -u)" -ne 0 ] || chown -R "$OWNER" "$DIR"
    chmod 1777 "$DIR/sock"
    as_owner "$BIN/initdb" -D "$DIR/data" -U perfkit --pwfile="$DIR/pw" -A scram-sha-256 \
        -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 ||
        { cat "$DIR/initdb.log" >&2; exit 3; }
    # a free port: the socket file's name only (no TCP), unique per server
    port=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000 ))
    {
        echo "listen_addresses = ''"
        echo "unix_socket_directories = '$DIR/sock'"
        echo "port = $port"
        echo "max_connections = 100"
        echo "shared_buffers = 32MB"
        if [ "$MODE" != durable ]; then
            echo "fsync = off"
            echo "synchronous_commit = off"
            echo "full_page_writes = off"
        fi
    } >> "$DIR/data/postgresql.conf"
    as_owner "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 start >/dev/null ||
        { cat "$DIR/server.log" >&2; exit 3; }
    url="postgres://perfkit:$secret@/perfkit?host=$DIR/sock&port=$port"
    PGPASSWORD=$secret "$BIN/createdb" -h "$DIR/sock" -p "$port" -U perfkit perfkit
    printf '%s\n' "$port" > "$DIR/port"
    printf '%s\n' "$url" > "$DIR/url"
    echo "$url"
    ;;
stop)
    DIR=${2:?usage: pg.sh stop DIR}
    OWNER=$(owner)
    if [ -d "$DIR/data" ] && [ -n "$BIN" ]; then
        as_owner "$BIN/pg_ctl" -D "$DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$DIR"
    ;;
*)
    echo "usage: sh tests/pg.sh start DIR [durable] | stop DIR | available" >&2
    exit 2
    ;;
esac
