#!/bin/sh
# pg.sh - a throwaway PostgreSQL 15 for the tests.
#
#   tests/pg/pg.sh start DIR   initdb into DIR/data as an unprivileged user, start the
#                              server on a Unix socket in DIR only (no TCP), create the
#                              database "catwalk", print the URI to use:
#                              postgresql://USER@/catwalk?host=DIR
#   tests/pg/pg.sh stop DIR    stop the server and remove DIR
#
# PostgreSQL refuses to run as root, and CI runs as root: the server then runs
# as the system user catwalk-test (created when missing), which owns DIR.  If
# the server cannot start, start fails (non-zero) and prints the log's tail:
# the PostgreSQL tests then fail loudly instead of skipping.
set -eu

BIN=${CW_PG_BIN:-/usr/lib/postgresql/15/bin}
USER_NAME=catwalk-test
cmd=${1:-}
dir=${2:-}

die() { echo "tests/pg/pg.sh: $*" >&2; exit 1; }

[ -n "$cmd" ] && [ -n "$dir" ] || die "usage: pg.sh start|stop DIR"

# Run a command as the server's user (ourselves unless we are root).
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        su -s /bin/sh "$USER_NAME" -c "$*"
    else
        sh -c "$*"
    fi
}

owner() { if [ "$(id -u)" -eq 0 ]; then echo "$USER_NAME"; else id -un; fi; }

start() {
    [ -x "$BIN/initdb" ] || die "no PostgreSQL 15 in $BIN (apt-get install postgresql)"
    if [ "$(id -u)" -eq 0 ] && ! id "$USER_NAME" >/dev/null 2>&1; then
        useradd --system --no-create-home --shell /usr/sbin/nologin "$USER_NAME" ||
            die "cannot create the system user $USER_NAME"
    fi
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    [ "$(id -u)" -eq 0 ] && chown "$USER_NAME" "$dir"
    chmod 700 "$dir"
    as_owner "'$BIN/initdb' -D '$dir/data' -U '$(owner)' -A trust -E UTF8 --no-locale" \
        >"$dir/initdb.log" 2>&1 || { tail -n 20 "$dir/initdb.log" >&2; die "initdb failed"; }
    # every role is trusted on the socket but one, which must give its password
    # (tests/unit/test_db.c checks password_env / password_file against it)
    as_owner "sed -i '1i local all cw_password_test scram-sha-256' '$dir/data/pg_hba.conf'" ||
        die "cannot edit pg_hba.conf"
    # Unix socket in $dir only; fsync off: the data is thrown away anyway
    if ! as_owner "'$BIN/pg_ctl' -D '$dir/data' -l '$dir/server.log' -w -t 60 \
            -o \"-c listen_addresses='' -c unix_socket_directories='$dir' -c fsync=off \
            -c synchronous_commit=off -c full_page_writes=off\" start" >/dev/null 2>&1; then
        tail -n 20 "$dir/server.log" >&2 2>/dev/null || true
        die "the PostgreSQL server did not start (log: $dir/server.log)"
    fi
    as_owner "'$BIN/createdb' -h '$dir' -U '$(owner)' catwalk" >>"$dir/initdb.log" 2>&1 ||
        { tail -n 20 "$dir/server.log" >&2; die "createdb failed"; }
    echo "postgresql://$(owner)@/catwalk?host=$dir"
}

stop() {
    [ -d "$dir" ] || return 0
    if [ -f "$dir/data/postmaster.pid" ]; then
        as_owner "'$BIN/pg_ctl' -D '$dir/data' -m immediate -w stop" >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
}

case "$cmd" in
start) start ;;
stop) stop ;;
*) die "usage: pg.sh start|stop DIR" ;;
esac
