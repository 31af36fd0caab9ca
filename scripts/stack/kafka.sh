#!/usr/bin/env bash
# A single-node Apache Kafka 3.9.1 (KRaft, broker + controller) on 127.0.0.1, built from Kafka's own
# jars on Maven Central (no tarball, no Docker; docs/design.md §6). Idempotent: `up` when running returns.
#   scripts/stack/kafka.sh up|down|status
# Env: STACK_DIR (data, logs, env.d; default <repo>/.stack), KAFKA_LIBS (jar cache, default
# ~/.cache/llmpt/kafka-3.9.1/libs), KAFKA_PORT (39092), KAFKA_CONTROLLER_PORT (39093),
# KAFKA_PARTITIONS (3), KAFKA_HEAP ("-Xmx512m -Xms256m"), KAFKA_READY_TIMEOUT (seconds, 90).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
STACK_DIR="${STACK_DIR:-$ROOT/.stack}"
KAFKA_VERSION=3.9.1
CACHE="${KAFKA_LIBS:-$HOME/.cache/llmpt/kafka-$KAFKA_VERSION/libs}"
PORT="${KAFKA_PORT:-39092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-39093}"
PARTITIONS="${KAFKA_PARTITIONS:-3}"
HEAP="${KAFKA_HEAP:--Xmx512m -Xms256m}"
READY_TIMEOUT="${KAFKA_READY_TIMEOUT:-90}"
DIR="$STACK_DIR/kafka"
PID_FILE="$DIR/kafka.pid"
LOG="$DIR/logs/server.log"
BROKERS="127.0.0.1:$PORT"

log() { echo "[kafka] $*" >&2; }

running_pid() {
  # The PID file alone is not proof: the PID may have been reused by another process.
  [ -f "$PID_FILE" ] || return 1
  local pid; pid="$(cat "$PID_FILE")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q 'kafka\.Kafka' || return 1
  echo "$pid"
}

# A metadata request that lists at least one broker: the port being open is not enough, a KRaft
# broker accepts connections before it has registered with the controller.
metadata_ok() {
  (cd "$ROOT" && timeout 15 node -e '
    const { createRequire } = require("node:module");
    const req = createRequire(process.cwd() + "/packages/runtime/package.json");
    const { Kafka, logLevel } = req("kafkajs");
    const kafka = new Kafka({ clientId: "stack-ready", brokers: [process.argv[1]], logLevel: logLevel.NOTHING,
      connectionTimeout: 1000, requestTimeout: 3000, retry: { retries: 0 } });
    const admin = kafka.admin();
    admin.connect()
      .then(() => admin.describeCluster())
      .then((c) => admin.disconnect().then(() => process.exit(c.brokers.length > 0 && c.controller !== null ? 0 : 1)))
      .catch(() => process.exit(1));
  ' "$BROKERS") >/dev/null 2>&1
}

ensure_jars() {
  if [ -f "$CACHE/kafka_2.13-$KAFKA_VERSION.jar" ] && [ -f "$CACHE/reload4j-1.2.25.jar" ]; then return 0; fi
  log "downloading Kafka $KAFKA_VERSION jars from Maven Central into $CACHE"
  mkdir -p "$CACHE"
  mvn -B -q -f "$HERE/kafka-pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$CACHE"
}

write_config() {
  mkdir -p "$DIR/data" "$DIR/logs"
  cat > "$DIR/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$DIR/data
num.partitions=$PARTITIONS
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=$PARTITIONS
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=$PARTITIONS
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
# Small machine (2 cores, shared with Postgres, Chromium and node): few threads.
num.network.threads=2
num.io.threads=2
num.recovery.threads.per.data.dir=1
background.threads=2
log.cleaner.threads=1
EOF
  cat > "$DIR/log4j.properties" <<EOF
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.RollingFileAppender
log4j.appender.file.File=$LOG
log4j.appender.file.MaxFileSize=20MB
log4j.appender.file.MaxBackupIndex=2
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=INFO
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.log.LogCleaner=WARN
EOF
}

# shellcheck disable=SC2206 # HEAP is a list of JVM flags
JVM_OPTS=($HEAP -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true
  "-Dlog4j.configuration=file:$DIR/log4j.properties" "-Dkafka.logs.dir=$DIR/logs" -cp "$CACHE/*")
java_cmd() { java "${JVM_OPTS[@]}" "$@"; }

format_storage() {
  [ -f "$DIR/data/meta.properties" ] && return 0
  local id; id="$(java_cmd kafka.tools.StorageTool random-uuid | tail -n1)"
  log "formatting storage (cluster id $id)"
  java_cmd kafka.tools.StorageTool format -t "$id" -c "$DIR/server.properties" >> "$DIR/logs/format.log" 2>&1 || {
    tail -n 20 "$DIR/logs/format.log" >&2; exit 1; }
}

write_env() {
  mkdir -p "$STACK_DIR/env.d"
  echo "KAFKA_BROKERS=$BROKERS" > "$STACK_DIR/env.d/kafka.env"
}

wait_ready() {
  local pid="$1" deadline=$(( $(date +%s) + READY_TIMEOUT ))
  until metadata_ok; do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "broker process $pid exited during start; last log lines ($LOG, $DIR/logs/stdout.log):"
      tail -n 40 "$LOG" "$DIR/logs/stdout.log" >&2 2>/dev/null || true
      rm -f "$PID_FILE"; exit 1
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      log "not ready after ${READY_TIMEOUT}s (no metadata from $BROKERS); last log lines ($LOG):"
      tail -n 40 "$LOG" >&2 2>/dev/null || true
      exit 1
    fi
    sleep 0.5 # poll interval, not a wait for readiness
  done
}

up() {
  local pid
  if pid="$(running_pid)"; then
    write_env
    wait_ready "$pid" # an `up` racing a starting broker still returns only once it answers
    log "already running (pid $pid) on $BROKERS"; return 0
  fi
  local t0; t0=$(date +%s%N)
  ensure_jars
  write_config
  format_storage
  # java directly (not through a function or subshell) so that the PID file names the JVM itself.
  nohup java "${JVM_OPTS[@]}" kafka.Kafka "$DIR/server.properties" > "$DIR/logs/stdout.log" 2>&1 < /dev/null &
  pid=$!
  echo "$pid" > "$PID_FILE"
  wait_ready "$pid"
  write_env
  log "up (pid $pid) on $BROKERS in $(( ($(date +%s%N) - t0) / 1000000 ))ms"
}

down() {
  local pid
  if ! pid="$(running_pid)"; then rm -f "$PID_FILE"; log "not running"; return 0; fi
  kill -TERM "$pid"
  # Controlled shutdown flushes logs and closes the metadata log cleanly; give it time, then force.
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then log "no exit after 30s, SIGKILL"; kill -KILL "$pid" || true; fi
  rm -f "$PID_FILE"
  log "stopped"
}

status() {
  local pid
  if pid="$(running_pid)" && metadata_ok; then log "up (pid $pid) on $BROKERS"; return 0; fi
  log "down"; return 1
}

case "${1:-status}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
