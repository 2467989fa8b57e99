#!/usr/bin/env bash
# Start or stop this checkout's PostgreSQL, Redis and Elasticsearch on 127.0.0.1, and Kafka
# when asked (WITH_KAFKA=1, or EVENTS_BACKEND=kafka).
#   scripts/services.sh start | stop | status | database NAME | stop-X | start-X
#   scripts/services.sh analysis-plugin   (build es/plugin/ if its sources changed; print the zip)
#   scripts/services.sh apt-install PACKAGE...   (Debian packages, with sudo when not root)
#   scripts/services.sh cluster-start | cluster-stop | cluster-kill-node N | cluster-start-node N
#     (a 3-node Elasticsearch cluster for `make chaos`, ports 59250+ and 59350+)
# Missing programs are installed (Debian packages; Elasticsearch and Kafka from Maven
# Central, cached outside the work tree). Data lives in .services/ (git-ignored). Starting
# twice is harmless.
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
# A local multi-node Elasticsearch cluster for `make chaos`: node N answers HTTP on
# CLUSTER_HTTP_PORT+N-1 and talks to the others on CLUSTER_TRANSPORT_PORT+N-1.
CLUSTER_NODES=${CLUSTER_NODES:-3}
CLUSTER_HTTP_PORT=${CLUSTER_HTTP_PORT:-59250}
CLUSTER_TRANSPORT_PORT=${CLUSTER_TRANSPORT_PORT:-59350}
CLUSTER_HEAP=${CLUSTER_HEAP:-320m}
KAFKA_PORT=${KAFKA_PORT:-59092}
KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-59093}
KAFKA_VERSION=${KAFKA_VERSION:-4.4.0}
KAFKA_HEAP=${KAFKA_HEAP:-512m}
# Kafka 4.4 still logs through slf4j 1.7: log4j's binding for it.
LOG4J_VERSION=${LOG4J_VERSION:-2.25.2}
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

# Debian packages: as root directly; otherwise through sudo (it asks for a password if it
# must), so "a user who can sudo apt-get" is enough. Packages already there are skipped.
apt_install() {
  local missing=() package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$package")
  done
  [ ${#missing[@]} -gt 0 ] || return 0
  local sudo=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null \
      || die "missing ${missing[*]}: run as root, or install sudo, or apt-get install ${missing[*]}"
    sudo=(sudo)
  fi
  log "installing ${missing[*]} from Debian's packages${sudo:+ (with sudo)}"
  if [ -z "${APT_UPDATED:-}" ]; then
    "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=300 update -qq >/dev/null
    APT_UPDATED=1
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" \
    >/dev/null
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
  mkdir -p "$SERVICES_DIR"/{pg,redis,es/data,es/logs,es/config,es/tmp,kafka/data,run}
  [ "$(id -u)" = 0 ] && chown -R "$SERVICE_USER" "$(readlink -f "$SERVICES_DIR")"
  return 0
}

ensure_elasticsearch() {
  ES_HOME="$CACHE_DIR/elasticsearch-$ES_VERSION"
  [ -x "$ES_HOME/bin/elasticsearch" ] || unpack_elasticsearch
  ensure_analysis_home
}

unpack_elasticsearch() {
  mkdir -p "$CACHE_DIR"
  local zip="$CACHE_DIR/elasticsearch-$ES_VERSION.zip"
  if [ ! -s "$zip" ]; then
    log "downloading Elasticsearch $ES_VERSION from Maven Central"
    curl -fsSL --retry 3 -o "$zip.part" "$ES_MAVEN_URL" && mv "$zip.part" "$zip"
  fi
  unzip -q -o "$zip" -d "$CACHE_DIR"
  chmod -R a+rX "$ES_HOME"
}

# --- the analysis plugin (es/plugin/) ------------------------------------------------------
# The Maven Central build lacks Elasticsearch's analysis-common module (no stemmer, folding,
# synonyms); our own small plugin registers Lucene's classes under the same names. It is
# compiled once per version of its sources (a hash of es/plugin/) and installed into a home of
# its own, hard-linked from the unpacked one: a node running from the plain home is never
# changed under its feet, and every node started by this script (single or cluster) has it.
PLUGIN_SRC="$ROOT/es/plugin"
PLUGIN_NAME=store-analysis

plugin_hash() {
  (
    cd "$PLUGIN_SRC"
    find . -type f \( -name '*.java' -o -name '*.properties' \) | LC_ALL=C sort | xargs sha256sum
    echo "$ES_VERSION"
  ) | sha256sum | cut -c1-16
}

build_analysis_plugin() {  # sets PLUGIN_ZIP: the cached zip for these sources
  local hash work
  hash=$(plugin_hash)
  PLUGIN_ZIP="$CACHE_DIR/$PLUGIN_NAME-$hash.zip"
  [ -s "$PLUGIN_ZIP" ] && return 0
  command -v javac >/dev/null || apt_install openjdk-17-jdk-headless
  log "building the analysis plugin ($hash)"
  work=$(mktemp -d)
  mkdir -p "$work/classes" "$work/zip"
  # shellcheck disable=SC2046  # file names from our own tree, no spaces
  javac --release 17 -Xlint:all -Werror -cp "$ES_HOME/lib/*" -d "$work/classes" \
    $(find "$PLUGIN_SRC/src" -name '*.java' | LC_ALL=C sort) || { rm -rf "$work"; die "plugin did not compile"; }
  jar --create --no-manifest --file "$work/zip/$PLUGIN_NAME.jar" -C "$work/classes" .
  sed "s/^elasticsearch.version=.*/elasticsearch.version=$ES_VERSION/" \
    "$PLUGIN_SRC/plugin-descriptor.properties" >"$work/zip/plugin-descriptor.properties"
  (cd "$work/zip" && jar --create --no-manifest --file "$PLUGIN_ZIP.part" .)
  mv "$PLUGIN_ZIP.part" "$PLUGIN_ZIP"
  rm -rf "$work"
}

ensure_analysis_home() {  # points ES_HOME at a home with the plugin installed
  [ "${ES_ANALYSIS_PLUGIN:-1}" = 1 ] || return 0
  build_analysis_plugin
  local home="$CACHE_DIR/elasticsearch-$ES_VERSION+$(basename "$PLUGIN_ZIP" .zip)" tmp java_home
  if [ ! -f "$home/plugins/$PLUGIN_NAME/plugin-descriptor.properties" ]; then
    log "installing the analysis plugin into $home"
    tmp="$home.part.$$"
    rm -rf "$tmp"
    cp -al "$ES_HOME" "$tmp"  # hard links: no copy of the 500 MB, and the plain home untouched
    java_home=${ES_JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
    ES_JAVA_HOME="$java_home" "$tmp/bin/elasticsearch-plugin" install --batch --silent "file://$PLUGIN_ZIP" \
      || { rm -rf "$tmp"; die "the analysis plugin did not install"; }
    chmod -R a+rX "$tmp/plugins"
    [ "$(id -u)" = 0 ] && chown -R "$SERVICE_USER" "$tmp/plugins/$PLUGIN_NAME"
    rm -rf "$home" && mv "$tmp" "$home"
  fi
  ES_HOME=$home
}

# Kafka from Maven Central alone: the broker's jar and its runtime dependencies, resolved by
# Maven into the cache (a second run downloads nothing).
ensure_kafka() {
  KAFKA_HOME="$CACHE_DIR/kafka-$KAFKA_VERSION"
  [ -f "$KAFKA_HOME/libs/kafka_2.13-$KAFKA_VERSION.jar" ] && return 0
  command -v mvn >/dev/null || apt_install maven
  mkdir -p "$KAFKA_HOME"
  cat >"$KAFKA_HOME/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.store-api</groupId>
  <artifactId>kafka-runtime</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>$LOG4J_VERSION</version></dependency>
  </dependencies>
</project>
POM
  log "downloading Kafka $KAFKA_VERSION and its dependencies from Maven Central"
  rm -rf "$KAFKA_HOME/libs.part"
  mvn -B -f "$KAFKA_HOME/pom.xml" -Dmaven.repo.local="$CACHE_DIR/m2" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$KAFKA_HOME/libs.part" \
    >"$KAFKA_HOME/maven.log" 2>&1 || { tail -n 30 "$KAFKA_HOME/maven.log" >&2; die "maven failed"; }
  rm -rf "$KAFKA_HOME/libs" && mv "$KAFKA_HOME/libs.part" "$KAFKA_HOME/libs"
  chmod -R a+rX "$KAFKA_HOME"
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
es_answers() { curl -fsS "http://127.0.0.1:$ES_PORT/_cluster/health" >/dev/null 2>&1; }
es_node_pid() {
  curl -fsS "http://127.0.0.1:$ES_PORT/_nodes/_local/process?filter_path=nodes.*.process.id" 2>/dev/null \
    | grep -o '"id":[0-9]*' | cut -d: -f2
}
# The node folds accents: it has our plugin (or analysis-common, as the official image does).
es_has_analysis() {
  curl -fsS -H 'Content-Type: application/json' "http://127.0.0.1:$ES_PORT/_analyze" \
    -d '{"tokenizer":"standard","filter":["asciifolding"],"text":"\u00e9t\u00e9"}' 2>/dev/null \
    | grep -q '"token":"ete"'
}

start_postgres() {
  local bindir data="$SERVICES_DIR/pg"
  bindir=$(pg_bindir)
  if pg_ready; then log "postgres already running on $PG_PORT"; return 0; fi
  if [ ! -f "$data/PG_VERSION" ]; then
    log "initialising PostgreSQL cluster in $data"
    as_service "$bindir/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  fi
  # pg_stat_statements (when the server ships it): the checkout benchmark's queries per request.
  local preload=""
  [ -f "$(dirname "$bindir")/lib/pg_stat_statements.so" ] && preload="-c shared_preload_libraries=pg_stat_statements"
  as_service "$bindir/pg_ctl" -D "$data" -l "$SERVICES_DIR/run/postgres.log" -w -t 60 \
    -o "-h 127.0.0.1 -p $PG_PORT -k $SERVICES_DIR/run -c fsync=off -c full_page_writes=off $preload" start >/dev/null
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
  if es_answers; then
    if [ "${ES_ANALYSIS_PLUGIN:-1}" != 1 ] || es_has_analysis; then
      log "elasticsearch already running on $ES_PORT"
      wait_for elasticsearch 120 es_ready
      return 0
    fi
    # Started before the plugin existed: install it, then restart; only a node of ours (the
    # process answering on ES_PORT is the one of this SERVICES_DIR's pid file).
    if [ ! -f "$SERVICES_DIR/run/elasticsearch.pid" ] \
      || [ "$(es_node_pid)" != "$(cat "$SERVICES_DIR/run/elasticsearch.pid")" ]; then
      log "warning: the node on $ES_PORT lacks the analysis plugin and was not started from $SERVICES_DIR: left alone"
      return 0
    fi
    ensure_elasticsearch
    log "restarting elasticsearch on $ES_PORT to load the analysis plugin"
    stop_pidfile elasticsearch "$SERVICES_DIR/run/elasticsearch.pid"
  fi
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
  # In the background: the launcher (`-d`) does not always return once the node is up (seen
  # after a restart into the plugin's home: it kept waiting on the server), so the script
  # waits for the node to answer instead, and stops early if the launcher died failing.
  as_service setsid env ES_PATH_CONF="$conf" ES_JAVA_HOME="$java_home" ES_TMPDIR="$SERVICES_DIR/es/tmp" \
    ES_JAVA_OPTS="-Xms$ES_HEAP -Xmx$ES_HEAP" \
    "$ES_HOME/bin/elasticsearch" -d -p "$SERVICES_DIR/run/elasticsearch.pid" \
    >"$SERVICES_DIR/run/elasticsearch.out" 2>&1 </dev/null &
  local launcher=$!
  for _ in $(seq 120); do
    if es_ready; then log "elasticsearch is up"; return 0; fi
    if ! kill -0 "$launcher" 2>/dev/null && ! wait "$launcher"; then
      tail -n 40 "$SERVICES_DIR/run/elasticsearch.out" >&2
      die "elasticsearch failed to start"
    fi
    sleep 1
  done
  tail -n 40 "$SERVICES_DIR/run/elasticsearch.out" >&2
  die "elasticsearch did not answer within 120s"
}

# --- a multi-node cluster (make chaos) ----------------------------------------------------

cluster_dir() { echo "$SERVICES_DIR/es-cluster/node$1"; }
cluster_pidfile() { echo "$SERVICES_DIR/run/es-cluster-node$1.pid"; }

start_cluster_node() {  # N: start node N of the cluster (its data kept between starts)
  local n=$1 dir conf seeds="" masters="" i java_home
  dir=$(cluster_dir "$n")
  conf="$dir/config"
  mkdir -p "$dir"/{data,logs,tmp} "$conf"
  cp -n "$ES_HOME"/config/{jvm.options,log4j2.properties} "$conf"/ 2>/dev/null || true
  mkdir -p "$conf/jvm.options.d"
  for i in $(seq "$CLUSTER_NODES"); do
    seeds+="127.0.0.1:$((CLUSTER_TRANSPORT_PORT + i - 1)),"
    masters+="chaos-$i,"
  done
  cat >"$conf/elasticsearch.yml" <<YML
cluster.name: store-api-cluster
node.name: chaos-$n
network.host: 127.0.0.1
http.port: $((CLUSTER_HTTP_PORT + n - 1))
transport.port: $((CLUSTER_TRANSPORT_PORT + n - 1))
discovery.seed_hosts: [${seeds%,}]
cluster.initial_master_nodes: [${masters%,}]
xpack.security.enabled: false
path.data: $dir/data
path.logs: $dir/logs
action.destructive_requires_name: false
# A shared development machine: never stop allocating because its disk is fairly full.
cluster.routing.allocation.disk.threshold_enabled: false
YML
  [ "$(id -u)" = 0 ] && chown -R "$SERVICE_USER" "$dir"
  java_home=${ES_JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
  log "starting cluster node chaos-$n (http $((CLUSTER_HTTP_PORT + n - 1)), heap $CLUSTER_HEAP)"
  as_service setsid env ES_PATH_CONF="$conf" ES_JAVA_HOME="$java_home" ES_TMPDIR="$dir/tmp" \
    ES_JAVA_OPTS="-Xms$CLUSTER_HEAP -Xmx$CLUSTER_HEAP" \
    "$ES_HOME/bin/elasticsearch" -d -p "$(cluster_pidfile "$n")" >"$dir/start.out" 2>&1 || {
      tail -n 40 "$dir/start.out" >&2
      die "cluster node $n failed to start"
    }
}

cluster_url() { echo "http://127.0.0.1:$((CLUSTER_HTTP_PORT + ${1:-1} - 1))"; }

cluster_has_nodes() {  # URL COUNT: the node at URL sees COUNT nodes in its cluster
  curl -fsS "$1/_cluster/health?wait_for_nodes=$2&timeout=1s" 2>/dev/null | grep -q '"timed_out":false'
}

start_cluster() {
  local n up=""
  ensure_elasticsearch
  for n in $(seq "$CLUSTER_NODES"); do
    if curl -fsS "$(cluster_url "$n")/_cluster/health" >/dev/null 2>&1; then continue; fi
    start_cluster_node "$n"
  done
  wait_for "the $CLUSTER_NODES-node cluster" 180 cluster_has_nodes "$(cluster_url 1)" "$CLUSTER_NODES"
  for n in $(seq "$CLUSTER_NODES"); do up+="$(cluster_url "$n"),"; done
  echo "${up%,}"
}

stop_cluster() {
  local n
  for n in $(seq "$CLUSTER_NODES"); do stop_pidfile "cluster node $n" "$(cluster_pidfile "$n")"; done
}

kafka_ready() { (exec 3<>"/dev/tcp/127.0.0.1/$KAFKA_PORT") 2>/dev/null; }

start_kafka() {
  if kafka_ready; then log "kafka already running on $KAFKA_PORT"; return 0; fi
  ensure_kafka
  local dir="$SERVICES_DIR/kafka" java
  java=${KAFKA_JAVA:-$(command -v java)}
  # One process is both broker and controller (KRaft); loopback only.
  cat >"$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$dir/data
num.partitions=3
offsets.topic.replication.factor=1
share.coordinator.state.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
  cat >"$dir/log4j2.properties" <<LOG
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = file
appender.file.type = File
appender.file.name = file
appender.file.fileName = $dir/kafka.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
LOG
  [ "$(id -u)" = 0 ] && chown -R "$SERVICE_USER" "$dir"
  local classpath="$KAFKA_HOME/libs/*" logging="-Dlog4j2.configurationFile=$dir/log4j2.properties"
  if [ ! -f "$dir/data/meta.properties" ]; then
    as_service "$java" "$logging" -cp "$classpath" kafka.tools.StorageTool format \
      -t "$(as_service "$java" -cp "$classpath" kafka.tools.StorageTool random-uuid 2>/dev/null)" \
      -c "$dir/server.properties" >/dev/null
  fi
  log "starting Kafka $KAFKA_VERSION (heap $KAFKA_HEAP)"
  # Its own session (Ctrl-C in a terminal does not reach it); the shell writes the pid the
  # JVM keeps, since exec replaces the shell.
  as_service setsid sh -c 'echo $$ >"$1"; shift; exec "$@"' kafka "$SERVICES_DIR/run/kafka.pid" \
    "$java" "-Xms$KAFKA_HEAP" "-Xmx$KAFKA_HEAP" "$logging" -cp "$classpath" \
    kafka.Kafka "$dir/server.properties" >"$SERVICES_DIR/run/kafka.out" 2>&1 </dev/null &
  wait_for kafka 60 kafka_ready
}

want_kafka() { [ "${WITH_KAFKA:-}" = 1 ] || [ "${EVENTS_BACKEND:-}" = kafka ]; }

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
    if want_kafka; then start_kafka; fi
    ;;
  stop)
    [ -d "$SERVICES_DIR" ] || exit 0
    stop_cluster
    stop_pidfile kafka "$SERVICES_DIR/run/kafka.pid"
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
  analysis-plugin)  # build (once per source hash) and print the analysis plugin's zip
    ES_HOME="$CACHE_DIR/elasticsearch-$ES_VERSION"
    [ -x "$ES_HOME/bin/elasticsearch" ] || unpack_elasticsearch
    build_analysis_plugin
    echo "$PLUGIN_ZIP"
    ;;
  database)  # scripts/services.sh database NAME: a database of its own (benchmarks)
    pg_ready || die "postgres is not running: scripts/services.sh start"
    ensure_database "${2:?usage: $0 database NAME}"
    ;;
  cluster-start)  # the multi-node cluster of `make chaos`; prints its node URLs
    ensure_programs
    ensure_user
    ensure_services_dir
    start_cluster
    ;;
  cluster-stop)
    stop_cluster
    ;;
  cluster-kill-node)  # cluster-kill-node N: SIGKILL, as a crashed machine
    pidfile=$(cluster_pidfile "${2:?usage: $0 cluster-kill-node N}")
    [ -f "$pidfile" ] && kill -KILL "$(cat "$pidfile")" 2>/dev/null && log "cluster node $2 killed"
    rm -f "$pidfile"
    ;;
  cluster-start-node)  # cluster-start-node N: start it again; waits until it joined
    ensure_user
    ensure_services_dir
    ensure_elasticsearch
    start_cluster_node "${2:?usage: $0 cluster-start-node N}"
    wait_for "cluster node $2" 180 cluster_has_nodes "$(cluster_url "$2")" "$CLUSTER_NODES"
    ;;
  stop-kafka)  # used by the outage tests
    stop_pidfile kafka "$SERVICES_DIR/run/kafka.pid"
    ;;
  start-kafka)
    ensure_programs
    ensure_user
    ensure_services_dir
    start_kafka
    ;;
  apt-install)  # scripts/services.sh apt-install PACKAGE...: as root, or with sudo
    shift
    apt_install "$@"
    ;;
  status)
    pg_ready && log "postgres up" || log "postgres down"
    redis_ready && log "redis up" || log "redis down"
    es_ready && log "elasticsearch up" || log "elasticsearch down"
    kafka_ready && log "kafka up" || log "kafka down"
    ;;
  *) die "usage: $0 start|stop|status" ;;
esac
