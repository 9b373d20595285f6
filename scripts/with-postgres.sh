#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL server:
#
#   scripts/with-postgres.sh <command> [args...]
#
# - installs Debian's `postgresql` package when no PostgreSQL server binaries are found (as root);
# - creates a cluster in a temporary folder (initdb) and starts it (pg_ctl) on 127.0.0.1 only, on a
#   free port, with a random password; it is never reachable from another machine;
# - runs the command with DATABASE_URL=postgres://otp_test:<password>@127.0.0.1:<port>/otp_test;
# - always stops the server and removes the folder, and exits with the command's status.
#
# PostgreSQL refuses to run as root: under root the server runs as the `postgres` user that the
# Debian package creates. The settings favour speed over durability (fsync off): test data only.
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 <command> [args...]" >&2
  exit 2
fi

log() { echo "with-postgres: $*" >&2; }

# The newest server binaries: Debian keeps them in /usr/lib/postgresql/<version>/bin.
find_pg_bin() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/postgres" ]; then
      echo "$dir"
      return 0
    fi
  done
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v initdb)")"
    return 0
  fi
  return 1
}

install_postgres() {
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    log "PostgreSQL is not installed; install it (Debian: apt-get install postgresql) and retry"
    exit 1
  fi
  log "installing Debian's postgresql package"
  # The package would create and start a 'main' cluster on port 5432; this run needs none.
  local dropin=/etc/postgresql-common/createcluster.d/nestjs-otp-tests.conf
  mkdir -p "$(dirname "$dropin")"
  echo 'create_main_cluster = false' >"$dropin"
  local status=0
  {
    apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql
  } >&2 || status=$?
  rm -f "$dropin"
  if [ "$status" -ne 0 ]; then
    log "apt-get install postgresql failed ($status)"
    exit "$status"
  fi
}

PG_BIN="$(find_pg_bin || true)"
if [ -z "$PG_BIN" ]; then
  install_postgres
  PG_BIN="$(find_pg_bin)"
fi

# As root, the server and its files belong to the postgres user.
as_server_user() { "$@"; }
if [ "$(id -u)" -eq 0 ]; then
  if ! id postgres >/dev/null 2>&1; then
    log "running as root, but there is no 'postgres' user to run the server as"
    exit 1
  fi
  as_server_user() { runuser -u postgres -- "$@"; }
fi

# Under root the folder must be reachable by the postgres user: /tmp rather than root's TMPDIR.
if [ "$(id -u)" -eq 0 ]; then BASE_DIR=/tmp; else BASE_DIR="${TMPDIR:-/tmp}"; fi
WORK_DIR="$(mktemp -d "$BASE_DIR/nestjs-otp-pg.XXXXXX")"
DATA_DIR="$WORK_DIR/data"
started=0

cleanup() {
  local status=$?
  if [ "$started" -eq 1 ]; then
    as_server_user "$PG_BIN/pg_ctl" -D "$DATA_DIR" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK_DIR"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

chmod 700 "$WORK_DIR"
if [ "$(id -u)" -eq 0 ]; then chown postgres: "$WORK_DIR"; fi

PASSWORD="$(node -e "process.stdout.write(require('node:crypto').randomBytes(18).toString('hex'))")"
(umask 077 && printf '%s\n' "$PASSWORD" >"$WORK_DIR/pwfile")
if [ "$(id -u)" -eq 0 ]; then chown postgres: "$WORK_DIR/pwfile"; fi

as_server_user "$PG_BIN/initdb" -D "$DATA_DIR" -U otp_test --pwfile="$WORK_DIR/pwfile" \
  --auth-local=scram-sha-256 --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 \
  --no-sync >"$WORK_DIR/initdb.log" 2>&1 || {
  cat "$WORK_DIR/initdb.log" >&2
  log "initdb failed"
  exit 1
}
rm -f "$WORK_DIR/pwfile"

free_port() {
  node -e "const s = require('node:net').createServer();
    s.listen(0, '127.0.0.1', () => { process.stdout.write(String(s.address().port)); s.close(); });"
}

# A port found free may be taken before the server binds it: try a few.
for attempt in 1 2 3 4 5; do
  PORT="$(free_port)"
  if as_server_user "$PG_BIN/pg_ctl" -D "$DATA_DIR" -l "$WORK_DIR/server.log" -w -t 60 start \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -c unix_socket_directories='$WORK_DIR' \
        -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    >/dev/null; then
    started=1
    break
  fi
  log "the server did not start on port $PORT (attempt $attempt)"
  cat "$WORK_DIR/server.log" >&2 || true
done
if [ "$started" -ne 1 ]; then
  log "could not start PostgreSQL"
  exit 1
fi

export PGPASSWORD="$PASSWORD"
"$PG_BIN/psql" -q -h 127.0.0.1 -p "$PORT" -U otp_test -d postgres -v ON_ERROR_STOP=1 \
  -c 'CREATE DATABASE otp_test' >&2
unset PGPASSWORD

export DATABASE_URL="postgres://otp_test:$PASSWORD@127.0.0.1:$PORT/otp_test"
log "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT ($WORK_DIR)"

# In the background, so that a signal to this script stops the command and then the server at
# once (bash runs traps only between foreground commands).
"$@" &
child=$!
trap 'kill -TERM "$child" 2>/dev/null || true; wait "$child" || true; exit 130' INT
trap 'kill -TERM "$child" 2>/dev/null || true; wait "$child" || true; exit 143' TERM
status=0
wait "$child" || status=$?
exit "$status"
