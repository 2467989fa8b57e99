#!/usr/bin/env bash
# Start or stop this checkout's PostgreSQL, Redis and Elasticsearch on 127.0.0.1.
#   scripts/services.sh start | stop | status
# Missing programs are installed (Debian packages; Elasticsearch from Maven Central, cached
# outside the work tree). Data lives in .services/ (git-ignored). Starting twice is harmless.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SERVICES_DIR=${SERVICES_DIR:-$ROOT/.services}
PG_PORT=${PG_PORT:-55432}
REDIS_PORT=${REDIS_PORT:-56379}
ES_PORT=${ES_PORT:-59200}
ES_TRANSPORT_PORT=${ES_TRANSPORT_PORT:-59300}
ES_VERSION=${ES_VERSION:-8.19.21}
ES_HEAP=${ES_HEAP:-768m}
ES_MAVEN_URL="https://repo1.maven.org/maven2/org/elasticsearch/distribution/integ-test-zip/elasticsearch/$ES_VERSION/elasticsearch-$ES_VERSION.zip"
DB_NAME=${DB_NAME:-store}
DB_USER=${DB_USER:-store}
DB_PASSWORD=${DB_PASSWORD:-store}
SERVICE_USER=${SERVICE_USER:-storeapi}

log() { printf '[services] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Root runs the servers as an unprivileged user (PostgreSQL and Elasticsearch refuse root).
if [ "$(id -u)" = 0 ]; then
  CACHE_DIR=${STORE_CACHE_DIR:-/var/cache/store-api}
  as_service() { runuser -u "$SERVICE_USER" -- "$@"; }
else
  CACHE_DIR=${STORE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/store-api}
  as_service() { "$@"; }
fi

apt_install() {
  [ "$(id -u)" = 0 ] || die "missing $*: install it (apt-get install $*) or run as root"
  log "installing $* from Debian's packages"
  if [ -z "${APT_UPDATED:-}" ]; then
    apt-get update -qq >/dev/null
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

pg_bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

ensure_programs() {
  [ -n "$(pg_bindir)" ] && [ -x "$(pg_bindir)/pg_ctl" ] || apt_install postgresql
  command -v redis-server >/dev/null || apt_install redis-server
  command -v java >/dev/null || apt_install openjdk-17-jre-headless
  command -v unzip >/dev/null || apt_install unzip
  command -v curl >/dev/null || apt_install curl
}

ensure_user() {
  [ "$(id -u)" = 0 ] || return 0
  id "$SERVICE_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$SERVICE_USER"
}

# The service user must reach the data folder; if the checkout sits under a private
# directory (such as /root), keep the data in /var/tmp and link it from the checkout.
ensure_services_dir() {
  mkdir -p "$SERVICES_DIR"
  if [ "$(id -u)" = 0 ] && ! as_service test -x "$SERVICES_DIR" 2>/dev/null; then
    local alt
    alt=/var/tmp/store-api-$(printf '%s' "$SERVICES_DIR" | sha1sum | cut -c1-12)
    mkdir -p "$alt"
    rmdir "$SERVICES_DIR" 2>/dev/null || true
    [ -L "$SERVICES_DIR" ] || ln -s "$alt" "$SERVICES_DIR"
    log "checkout not readable by $SERVICE_USER: data kept in $alt"
  fi
  mkdir -p "$SERVICES_DIR"/{pg,redis,es/data,es/logs,es/config,es/tmp,run}
  [ "$(id -u)" = 0 ] && chown -R "$SERVICE_USER" "$(readlink -f "$SERVICES_DIR")"
  return 0
}

ensure_elasticsearch() {
  ES_HOME="$CACHE_DIR/elasticsearch-$ES_VERSION"
  [ -x "$ES_HOME/bin/elasticsearch" ] && return 0
  mkdir -p "$CACHE_DIR"
  local zip="$CACHE_DIR/elasticsearch-$ES_VERSION.zip"
  if [ ! -s "$zip" ]; then
    log "downloading Elasticsearch $ES_VERSION from Maven Central"
    curl -fsSL --retry 3 -o "$zip.part" "$ES_MAVEN_URL" && mv "$zip.part" "$zip"
  fi
  unzip -q -o "$zip" -d "$CACHE_DIR"
  chmod -R a+rX "$ES_HOME"
}

wait_for() {  # name, seconds, command...
  local name=$1 seconds=$2
  shift 2
  for _ in $(seq "$seconds"); do
    if "$@" >/dev/null 2>&1; then log "$name is up"; return 0; fi
    sleep 1
  done
  die "$name did not answer within ${seconds}s"
}

pg_ready() { "$(pg_bindir)/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" 2>/dev/null; }
redis_ready() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; }
es_ready() { curl -fsS "http://127.0.0.1:$ES_PORT/_cluster/health?wait_for_status=yellow&timeout=1s" 2>/dev/null | grep -q '"status"'; }

start_postgres() {
  local bindir data="$SERVICES_DIR/pg"
  bindir=$(pg_bindir)
  if pg_ready; then log "postgres already running on $PG_PORT"; return 0; fi
  if [ ! -f "$data/PG_VERSION" ]; then
    log "initialising PostgreSQL cluster in $data"
    as_service "$bindir/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  fi
  as_service "$bindir/pg_ctl" -D "$data" -l "$SERVICES_DIR/run/postgres.log" -w -t 60 \
    -o "-h 127.0.0.1 -p $PG_PORT -k $SERVICES_DIR/run -c fsync=off -c full_page_writes=off" start >/dev/null
  wait_for postgres 60 pg_ready
  ensure_database "$DB_NAME"
}

ensure_database() {  # name: the role and the database, created when missing
  local psql="$(pg_bindir)/psql -h 127.0.0.1 -p $PG_PORT -U postgres -v ON_ERROR_STOP=1 -qAt"
  if [ "$($psql -c "SELECT 1 FROM pg_roles WHERE rolname='$DB_USER'")" != 1 ]; then
    $psql -c "CREATE ROLE $DB_USER LOGIN CREATEDB PASSWORD '$DB_PASSWORD'"
  fi
  if [ "$($psql -c "SELECT 1 FROM pg_database WHERE datname='$1'")" != 1 ]; then
    $psql -c "CREATE DATABASE $1 OWNER $DB_USER"
  fi
}

start_redis() {
  if redis_ready; then log "redis already running on $REDIS_PORT"; return 0; fi
  as_service redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$SERVICES_DIR/redis" \
    --daemonize yes --pidfile "$SERVICES_DIR/run/redis.pid" --logfile "$SERVICES_DIR/run/redis.log" \
    --appendonly yes --save ''
  wait_for redis 30 redis_ready
}

start_elasticsearch() {
  if es_ready; then log "elasticsearch already running on $ES_PORT"; return 0; fi
  ensure_elasticsearch
  local conf="$SERVICES_DIR/es/config"
  cp -n "$ES_HOME"/config/{jvm.options,log4j2.properties} "$conf"/ 2>/dev/null || true
  mkdir -p "$conf/jvm.options.d"
  cat >"$conf/elasticsearch.yml" <<YML
cluster.name: store-api-local
node.name: local
discovery.type: single-node
network.host: 127.0.0.1
http.port: $ES_PORT
transport.port: $ES_TRANSPORT_PORT
xpack.security.enabled: false
path.data: $SERVICES_DIR/es/data
path.logs: $SERVICES_DIR/es/logs
action.destructive_requires_name: false
YML
  [ "$(id -u)" = 0 ] && chown -R "$SERVICE_USER" "$conf"
  local java_home
  java_home=${ES_JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
  log "starting Elasticsearch $ES_VERSION (heap $ES_HEAP, Java at $java_home)"
  as_service setsid env ES_PATH_CONF="$conf" ES_JAVA_HOME="$java_home" ES_TMPDIR="$SERVICES_DIR/es/tmp" \
    ES_JAVA_OPTS="-Xms$ES_HEAP -Xmx$ES_HEAP" \
    "$ES_HOME/bin/elasticsearch" -d -p "$SERVICES_DIR/run/elasticsearch.pid" \
    >"$SERVICES_DIR/run/elasticsearch.out" 2>&1 || {
      tail -n 40 "$SERVICES_DIR/run/elasticsearch.out" >&2
      die "elasticsearch failed to start"
    }
  wait_for elasticsearch 120 es_ready
}

stop_pidfile() {  # name, pidfile
  local pid
  [ -f "$2" ] || return 0
  pid=$(cat "$2")
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    log "$1 stopped"
  fi
  rm -f "$2"
}

case "${1:-start}" in
  start)
    ensure_programs
    ensure_user
    ensure_services_dir
    start_postgres
    start_redis
    start_elasticsearch
    ;;
  stop)
    [ -d "$SERVICES_DIR" ] || exit 0
    stop_pidfile elasticsearch "$SERVICES_DIR/run/elasticsearch.pid"
    stop_pidfile redis "$SERVICES_DIR/run/redis.pid"
    if [ -f "$SERVICES_DIR/pg/postmaster.pid" ]; then
      as_service "$(pg_bindir)/pg_ctl" -D "$SERVICES_DIR/pg" -m fast -w stop >/dev/null && log "postgres stopped"
    fi
    ;;
  stop-redis)  # used by the outage tests
    stop_pidfile redis "$SERVICES_DIR/run/redis.pid"
    ;;
  start-redis)
    ensure_user
    ensure_services_dir
    start_redis
    ;;
  stop-elasticsearch)  # used by the outage tests
    stop_pidfile elasticsearch "$SERVICES_DIR/run/elasticsearch.pid"
    ;;
  start-elasticsearch)
    ensure_user
    ensure_services_dir
    start_elasticsearch
    ;;
  database)  # scripts/services.sh database NAME: a database of its own (benchmarks)
    pg_ready || die "postgres is not running: scripts/services.sh start"
    ensure_database "${2:?usage: $0 database NAME}"
    ;;
  status)
    pg_ready && log "postgres up" || log "postgres down"
    redis_ready && log "redis up" || log "redis down"
    es_ready && log "elasticsearch up" || log "elasticsearch down"
    ;;
  *) die "usage: $0 start|stop|status" ;;
esac
