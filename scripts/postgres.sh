#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the store's tests, on a free port of 127.0.0.1.
#
#   eval "$(bash scripts/postgres.sh start)"   # exports LIKELY_TEST_POSTGRES_URL and _DIR
#   bash scripts/postgres.sh restart DIR       # the same cluster stopped and started again
#   bash scripts/postgres.sh stop [DIR]        # stops it and removes its folder (default: $LIKELY_TEST_POSTGRES_DIR)
#
# `start` prints only the export lines on stdout (progress goes to stderr). The cluster lives in a
# temporary folder owned by the `postgres` user (PostgreSQL refuses to run as root), with trust
# authentication, its socket in that folder, and a database `likely_test`. Installs Debian's
# postgresql package when no initdb is found.
set -euo pipefail

log() { printf '[postgres] %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

pg_bin_dir() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [ -z "$dir" ] || [ ! -x "$dir/initdb" ]; then
    log "installing Debian's postgresql"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >/dev/null
    dir="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  fi
  printf '%s\n' "$dir"
}

# Runs a PostgreSQL program as the postgres user when we are root, as ourselves otherwise.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
  local bin dir port
  bin="$(pg_bin_dir)"
  dir="$(mktemp -d "${TMPDIR:-/tmp}/likely-pg.XXXXXX")"
  chmod 0755 "$dir"
  mkdir -p "$dir/data" "$dir/socket"
  if [ "$(id -u)" = 0 ]; then chown -R postgres:postgres "$dir"; fi
  log "initdb in $dir/data"
  as_pg "$bin/initdb" -D "$dir/data" -A trust -U postgres --no-sync >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  # A port can be taken between choosing and binding it: try a few.
  local tries=0
  until port="$(free_port)" && as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir/socket" start >/dev/null; do
    tries=$((tries + 1))
    if [ "$tries" -ge 5 ]; then cat "$dir/server.log" >&2; die "PostgreSQL did not start"; fi
  done
  as_pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres likely_test
  log "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (folder $dir)"
  printf 'export LIKELY_TEST_POSTGRES_URL=%q\n' "postgres://postgres@127.0.0.1:$port/likely_test"
  printf 'export LIKELY_TEST_POSTGRES_DIR=%q\n' "$dir"
}

stop() {
  local dir="${1:-${LIKELY_TEST_POSTGRES_DIR:-}}"
  [ -n "$dir" ] || die "stop: give the cluster's folder or set LIKELY_TEST_POSTGRES_DIR"
  case "$(basename "$dir")" in
    likely-pg.*) ;;
    *) die "stop: $dir is not a folder made by this script" ;;
  esac
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_pg "$(pg_bin_dir)/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || log "pg_ctl stop failed"
  fi
  rm -rf "$dir"
  log "stopped and removed $dir"
}

# Restarts a cluster this script made, with the same port and options (`pg_ctl restart` reads them
# from postmaster.opts): what a test of "the database restarted under the server" needs.
restart() {
  local dir="${1:-}"
  case "$(basename "$dir")" in
    likely-pg.*) ;;
    *) die "restart: $dir is not a folder made by this script" ;;
  esac
  as_pg "$(pg_bin_dir)/pg_ctl" -D "$dir/data" -l "$dir/server.log" -m fast -w -t 60 restart >/dev/null \
    || { cat "$dir/server.log" >&2; die "PostgreSQL did not restart"; }
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  restart) restart "${2:-}" ;;
  *) die "usage: $0 start | stop [DIR] | restart DIR" ;;
esac
