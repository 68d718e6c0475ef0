#!/usr/bin/env bash
# CI: a PostgreSQL server for the store tests. Run as root on Debian 12; idempotent.
# Installs the server when missing, starts the packaged cluster (or a private one made with
# initdb when there is none), creates the role and the database, and prints on stdout the line
# to evaluate:  eval "$(.ci/postgres.sh)"   ->   export STORYLINE_TEST_PG=postgresql://...
# Everything else goes to stderr.
set -euo pipefail

PG_USER=storyline
PG_PASSWORD=storyline
PG_DB=storyline_test
PG_PORT=${STORYLINE_PG_PORT:-5432}
PRIVATE_DATA=${STORYLINE_PG_DATA:-/var/tmp/storyline-pg}

log() { echo "postgres.sh: $*" >&2; }

server_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$dir" ] && [ -x "$dir/postgres" ] && echo "$dir"
}

if [ -z "$(server_bin)" ]; then
  log "installing postgresql"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi
BIN=$(server_bin)
VERSION=$(basename "$(dirname "$BIN")")

as_postgres() { runuser -u postgres -- "$@"; }

ready() { "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; }

if ready; then
  log "a server already answers on port $PG_PORT"
elif command -v pg_ctlcluster >/dev/null 2>&1 && [ -d "/etc/postgresql/$VERSION/main" ]; then
  log "starting cluster $VERSION/main"
  pg_ctlcluster "$VERSION" main start >&2 || true
else
  # no packaged cluster: a private one, owned by postgres, listening on localhost only
  id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql postgres
  if [ ! -f "$PRIVATE_DATA/PG_VERSION" ]; then
    log "initdb into $PRIVATE_DATA"
    install -d -o postgres -g postgres -m 700 "$PRIVATE_DATA"
    as_postgres "$BIN/initdb" -D "$PRIVATE_DATA" -U postgres --auth-local=trust \
      --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >&2
  fi
  install -d -o postgres -g postgres /var/run/postgresql
  log "starting the private cluster in $PRIVATE_DATA"
  as_postgres "$BIN/pg_ctl" -D "$PRIVATE_DATA" -l "$PRIVATE_DATA/server.log" -w \
    -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k /var/run/postgresql" start >&2
fi

for _ in $(seq 1 30); do
  ready && break
  sleep 1
done
ready || { log "the server did not start"; exit 1; }

psql_admin() { as_postgres psql -h /var/run/postgresql -p "$PG_PORT" -v ON_ERROR_STOP=1 -qtA "$@"; }

if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$PG_USER'")" != "1" ]; then
  log "creating role $PG_USER"
  psql_admin -c "CREATE ROLE $PG_USER LOGIN PASSWORD '$PG_PASSWORD'" >&2
fi
if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'")" != "1" ]; then
  log "creating database $PG_DB"
  psql_admin -c "CREATE DATABASE $PG_DB OWNER $PG_USER ENCODING 'UTF8' TEMPLATE template0" >&2
fi

echo "export STORYLINE_TEST_PG=postgresql://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/$PG_DB"
