#!/usr/bin/env bash
# A single-node Apache Kafka 3.9.1 (KRaft, broker + controller) on 127.0.0.1, built from Kafka's own
# jars on Maven Central (no tarball, no Docker; docs/design.md §6). Idempotent: `up` when running returns.
#   scripts/stack/kafka.sh up|down|status
# Env: STACK_DIR (data, logs, env.d; default <repo>/.stack), KAFKA_LIBS (jar cache, default
# ~/.cache/llmpt/kafka-3.9.1/libs), KAFKA_PORT (39092), KAFKA_CONTROLLER_PORT (39093),
# KAFKA_PARTITIONS (3), KAFKA_HEAP ("-Xmx512m -Xms256m"), KAFKA_READY_TIMEOUT (seconds, 90).
# Security (docs/deploying.md "Local stack"): KAFKA_SASL_SSL_PORT (39094: SASL_SSL with SCRAM-SHA-256,
# SCRAM-SHA-512 and PLAIN), KAFKA_SSL_PORT (39095: TLS with a required client certificate, principal =
# the certificate's CN), KAFKA_PLAINTEXT (true; false = no plaintext listener for clients),
# KAFKA_SCRAM_USERS (space-separated; passwords random at format time, in $STACK_DIR/kafka/users.env;
# users of a storage formatted without them get SCRAM credentials at start, ScramUsers.java).
# Certificates are made at first start in $STACK_DIR/kafka/tls/. The authorizer is on: super users are
# User:ANONYMOUS (plaintext and controller listeners), User:llmpt-admin and User:llmpt-broker (the
# broker's own certificate, inter-broker over mTLS when there is no plaintext listener).
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
SASL_SSL_PORT="${KAFKA_SASL_SSL_PORT:-39094}"
SSL_PORT="${KAFKA_SSL_PORT:-39095}"
PLAINTEXT="${KAFKA_PLAINTEXT:-true}"
case "$PLAINTEXT" in true|false) ;; *) echo "[kafka] KAFKA_PLAINTEXT must be true or false, got $PLAINTEXT" >&2; exit 2 ;; esac
ADMIN_USER=llmpt-admin
SCRAM_USERS="${KAFKA_SCRAM_USERS:-llmpt-admin llmpt-discovery llmpt-scraper llmpt-normalizer llmpt-sink llmpt-notifier llmpt-verifier llmpt-ops llmpt-consumer llmpt-stranger}"
case " $SCRAM_USERS " in *" $ADMIN_USER "*) ;; *) SCRAM_USERS="$ADMIN_USER $SCRAM_USERS" ;; esac
TLS="$DIR/tls"
USERS_ENV="$DIR/users.env"
SASL_SSL_BROKERS="127.0.0.1:$SASL_SSL_PORT"
SSL_BROKERS="127.0.0.1:$SSL_PORT"
if [ "$PLAINTEXT" = true ]; then BROKERS="127.0.0.1:$PORT"; else BROKERS="$SASL_SSL_BROKERS"; fi

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
# broker accepts connections before it has registered with the controller. Plaintext when there is a
# plaintext listener; otherwise SASL_SSL as the admin (the password goes through the environment).
metadata_ok() {
  local secure=""
  [ "$PLAINTEXT" = true ] || secure="$TLS/ca.crt"
  (cd "$ROOT" && STACK_READY_CA="$secure" STACK_READY_PASSWORD="$( [ -z "$secure" ] || user_password "$ADMIN_USER")" \
    timeout 15 node -e '
    const { createRequire } = require("node:module");
    const fs = require("node:fs");
    const req = createRequire(process.cwd() + "/packages/runtime/package.json");
    const { Kafka, logLevel } = req("kafkajs");
    const ca = process.env.STACK_READY_CA;
    const security = ca ? { ssl: { ca: [fs.readFileSync(ca, "utf8")] },
      sasl: { mechanism: "scram-sha-512", username: process.argv[2], password: process.env.STACK_READY_PASSWORD } } : {};
    const kafka = new Kafka({ clientId: "stack-ready", brokers: [process.argv[1]], logLevel: logLevel.NOTHING,
      connectionTimeout: 1000, requestTimeout: 3000, retry: { retries: 0 }, ...security });
    const admin = kafka.admin();
    admin.connect()
      .then(() => admin.describeCluster())
      .then((c) => admin.disconnect().then(() => process.exit(c.brokers.length > 0 && c.controller !== null ? 0 : 1)))
      .catch(() => process.exit(1));
  ' "$BROKERS" "$ADMIN_USER") >/dev/null 2>&1
}

ensure_jars() {
  if [ -f "$CACHE/kafka_2.13-$KAFKA_VERSION.jar" ] && [ -f "$CACHE/reload4j-1.2.25.jar" ]; then return 0; fi
  log "downloading Kafka $KAFKA_VERSION jars from Maven Central into $CACHE"
  mkdir -p "$CACHE"
  mvn -B -q -f "$HERE/kafka-pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$CACHE"
}

# One random password per SCRAM user, made once, before the first format (which stores them as SCRAM
# credentials in the metadata log); PLAIN checks the same passwords through the SASL_SSL listener's JAAS.
ensure_users() {
  mkdir -p "$DIR"
  local u missing=()
  (umask 077; touch "$USERS_ENV")
  for u in $SCRAM_USERS; do
    [[ "$u" =~ ^[A-Za-z0-9_-]+$ ]] || { log "KAFKA_SCRAM_USERS: bad user name '$u' (letters, digits, _ and -)"; exit 2; }
    grep -q "^$(password_var "$u")=" "$USERS_ENV" || missing+=("$u")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  for u in "${missing[@]}"; do echo "$(password_var "$u")=$(openssl rand -hex 18)" >> "$USERS_ENV"; done
  # Storage formatted before these users existed (e.g. by an older kafka.sh): their SCRAM credentials
  # are added once the broker runs (add_pending_scram_users).
  if [ -f "$DIR/data/meta.properties" ]; then printf '%s\n' "${missing[@]}" >> "$DIR/scram-pending"; fi
}

# SCRAM credentials for users the format did not make, through the admin API (ScramUsers.java) on the
# plaintext listener, whose ANONYMOUS principal is a super user. Passwords go through stdin.
add_pending_scram_users() {
  [ -s "$DIR/scram-pending" ] || return 0
  if [ "$PLAINTEXT" != true ]; then
    log "users without SCRAM credentials (PLAIN and mTLS only): $(sort -u "$DIR/scram-pending" | tr '\n' ' ');" \
      "start once with the plaintext listener to add them, or reformat (remove $DIR/data)"
    return 0
  fi
  local u
  if sort -u "$DIR/scram-pending" | while read -r u; do [ -z "$u" ] || echo "$u $(user_password "$u")"; done |
    java -Xmx128m -cp "$CACHE/*" "-Dlog4j.configuration=file:$DIR/log4j-tools.properties" \
      "$HERE/ScramUsers.java" "127.0.0.1:$PORT" >> "$DIR/logs/scram.log" 2>&1; then
    log "SCRAM credentials added for $(sort -u "$DIR/scram-pending" | tr '\n' ' ')"
    rm -f "$DIR/scram-pending"
  else
    log "could not add SCRAM credentials for $(sort -u "$DIR/scram-pending" | tr '\n' ' ')(see $DIR/logs/scram.log);" \
      "the next up retries"
  fi
}

password_var() { echo "KAFKA_USER_${1//-/_}_PASSWORD"; }
user_password() { sed -n "s/^$(password_var "$1")=//p" "$USERS_ENV"; }

new_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; chmod 600 "$1"; }

# A certificate signed by the stack's CA: $1 path without extension, $2 subject, $3 extensions (one a line).
sign_cert() {
  local base="$1" subj="$2" ext="$3"
  new_key "$base.key"
  openssl req -new -key "$base.key" -subj "$subj" -out "$base.csr"
  printf '%s\n' "$ext" > "$base.ext"
  openssl x509 -req -in "$base.csr" -CA "$TLS/ca.crt" -CAkey "$TLS/ca.key" -set_serial "0x$(openssl rand -hex 16)" \
    -days 825 -extfile "$base.ext" -out "$base.crt" 2>/dev/null
  rm -f "$base.csr" "$base.ext"
}

# A self-signed CA: $1 path without extension, $2 common name.
make_ca() {
  new_key "$1.key"
  printf '[req]\ndistinguished_name=dn\n[dn]\n[v3]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n' > "$1.cnf"
  openssl req -new -x509 -key "$1.key" -subj "/CN=$2" -days 3650 -config "$1.cnf" -extensions v3 -out "$1.crt"
  rm -f "$1.cnf"
}

# openssl 3.0's x509 cannot back-date a certificate; `openssl ca` takes explicit start and end dates.
expired_cert() {
  local user="$1" work="$TLS/expired-work"
  mkdir -p "$work"; : > "$work/index.txt"; openssl rand -hex 16 > "$work/serial"
  printf '%s\n' "[ca]" "default_ca=stack" "[stack]" "database=$work/index.txt" "new_certs_dir=$work" \
    "certificate=$TLS/ca.crt" "private_key=$TLS/ca.key" "serial=$work/serial" "default_md=sha256" "policy=any" "unique_subject=no" \
    "[any]" "commonName=supplied" "[ext]" "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature" \
    "extendedKeyUsage=clientAuth" > "$work/ca.cnf"
  new_key "$TLS/clients/expired.key"
  openssl req -new -key "$TLS/clients/expired.key" -subj "/CN=$user" -out "$work/expired.csr"
  openssl ca -batch -config "$work/ca.cnf" -extensions ext -notext \
    -startdate 20200101000000Z -enddate 20201231000000Z -in "$work/expired.csr" -out "$TLS/clients/expired.crt" 2>"$work/ca.log" || { cat "$work/ca.log" >&2; exit 1; }
  rm -rf "$work"
}

# Made once, at first start: the stack's CA (ca.crt: what clients trust); the broker's certificate
# (127.0.0.1 and localhost, CN llmpt-broker) in a PKCS12 keystore; one client certificate per user
# (clients/<user>.crt/.key, CN = user name) for the mTLS listener; for the failure tests an EXPIRED
# client certificate of llmpt-scraper (clients/expired.*, valid in 2020 only) and an unrelated CA (other-ca.crt).
ensure_tls() {
  if [ ! -f "$TLS/.complete" ]; then
    log "generating the stack's CA and certificates in $TLS"
    rm -rf "$TLS"; mkdir -p "$TLS/clients"; chmod 700 "$TLS"
    make_ca "$TLS/ca" "llmpt local stack CA"
    make_ca "$TLS/other-ca" "llmpt unrelated CA"
    sign_cert "$TLS/broker" "/CN=llmpt-broker" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=IP:127.0.0.1,DNS:localhost"
    (umask 077; openssl rand -hex 12 > "$TLS/keystore.password")
    openssl pkcs12 -export -in "$TLS/broker.crt" -inkey "$TLS/broker.key" -certfile "$TLS/ca.crt" -name broker \
      -out "$TLS/broker.p12" -passout "file:$TLS/keystore.password"
    expired_cert llmpt-scraper
    touch "$TLS/.complete"
  fi
  # Every user has a client certificate, also one added to KAFKA_SCRAM_USERS after the first start.
  local u
  for u in $SCRAM_USERS; do
    [ -f "$TLS/clients/$u.crt" ] || sign_cert "$TLS/clients/$u" "/CN=$u" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth"
  done
}

write_config() {
  mkdir -p "$DIR/data" "$DIR/logs"
  local listeners advertised inter plain_users="" u
  listeners="SASL_SSL://127.0.0.1:$SASL_SSL_PORT,SSL://127.0.0.1:$SSL_PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT"
  advertised="SASL_SSL://127.0.0.1:$SASL_SSL_PORT,SSL://127.0.0.1:$SSL_PORT"
  if [ "$PLAINTEXT" = true ]; then
    listeners="PLAINTEXT://127.0.0.1:$PORT,$listeners"
    advertised="PLAINTEXT://127.0.0.1:$PORT,$advertised"
    inter=PLAINTEXT
  else
    inter=SSL # the broker's certificate is its client certificate too: User:llmpt-broker, a super user
  fi
  for u in $SCRAM_USERS; do plain_users+=" user_$u=\"$(user_password "$u")\""; done
  (umask 077; cat > "$DIR/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=$listeners
advertised.listeners=$advertised
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,SSL:SSL,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=$inter
# TLS: the broker's certificate on both TLS listeners; clients of the SSL listener must show a
# certificate of the stack's CA, and their principal is its CN (the same names as the SCRAM users).
ssl.keystore.type=PKCS12
ssl.keystore.location=$TLS/broker.p12
ssl.keystore.password=$(cat "$TLS/keystore.password")
ssl.truststore.type=PEM
ssl.truststore.location=$TLS/ca.crt
listener.name.ssl.ssl.client.auth=required
ssl.principal.mapping.rules=RULE:^CN=([^,]+)\$/\$1/,DEFAULT
# SASL over TLS: SCRAM credentials are in the metadata log (made at format time); PLAIN checks the
# same passwords, listed here.
sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512,PLAIN
listener.name.sasl_ssl.sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512,PLAIN
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required$plain_users;
# ACLs: nothing is allowed without one, except to the super users (ANONYMOUS: the plaintext and
# controller listeners, so plaintext clients keep every right; llmpt-broker: inter-broker over mTLS).
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:ANONYMOUS;User:$ADMIN_USER;User:llmpt-broker
allow.everyone.if.no.acl.found=false
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
  )
  chmod 600 "$DIR/server.properties" # PLAIN passwords and the keystore password
  # Command-line tools (ScramUsers.java): warnings only, to stderr, not into the broker's log.
  printf '%s\n' 'log4j.rootLogger=WARN, stderr' 'log4j.appender.stderr=org.apache.log4j.ConsoleAppender' \
    'log4j.appender.stderr.Target=System.err' 'log4j.appender.stderr.layout=org.apache.log4j.PatternLayout' \
    'log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n' > "$DIR/log4j-tools.properties"
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
  local scram=() u pw
  for u in $SCRAM_USERS; do
    pw="$(user_password "$u")"
    scram+=(--add-scram "SCRAM-SHA-256=[name=$u,password=$pw]" --add-scram "SCRAM-SHA-512=[name=$u,password=$pw]")
  done
  # The passwords are in the arguments for the few seconds of the format (the host's own processes only).
  java_cmd kafka.tools.StorageTool format -t "$id" -c "$DIR/server.properties" "${scram[@]}" >> "$DIR/logs/format.log" 2>&1 || {
    tail -n 20 "$DIR/logs/format.log" >&2; exit 1; }
}

write_env() {
  mkdir -p "$STACK_DIR/env.d"
  # Not KAFKA_SSL_CA_FILE: stack.sh exports env.d into every plaintext client, where a TLS setting
  # without a TLS protocol is refused as a contradiction (docs/deploying.md).
  { echo "KAFKA_BROKERS=$BROKERS"
    echo "KAFKA_SASL_SSL_BROKERS=$SASL_SSL_BROKERS"
    echo "KAFKA_SSL_BROKERS=$SSL_BROKERS"
    echo "KAFKA_STACK_PLAINTEXT=$PLAINTEXT"
    echo "KAFKA_STACK_CA_FILE=$TLS/ca.crt"
    echo "KAFKA_STACK_TLS_DIR=$TLS"
    echo "KAFKA_STACK_USERS_FILE=$USERS_ENV"
  } > "$STACK_DIR/env.d/kafka.env"
}

wait_ready() {
  local pid="$1" deadline=$(( $(date +%s) + READY_TIMEOUT ))
  until metadata_ok; do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "broker process $pid exited during start; its errors, then the last log lines ($LOG, $DIR/logs/stdout.log):"
      # The cause (a port in use, a bad setting) comes long before the shutdown lines that end the log.
      grep -E '\] (ERROR|FATAL) |Exception|Address already in use' "$LOG" 2>/dev/null | head -n 15 >&2 || true
      tail -n 25 "$LOG" "$DIR/logs/stdout.log" >&2 2>/dev/null || true
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

# A listener port bound by another socket makes the broker exit at start (often a client connection
# whose ephemeral port is ours: keep listener ports below /proc/sys/net/ipv4/ip_local_port_range).
# TIME-WAIT is no conflict (the JVM binds with SO_REUSEADDR). Without ss (iproute2) the broker's own
# log says it.
check_ports_free() {
  command -v ss >/dev/null || return 0
  local p busy
  for p in $([ "$PLAINTEXT" = true ] && echo "$PORT") "$CONTROLLER_PORT" "$SASL_SSL_PORT" "$SSL_PORT"; do
    busy="$(ss -Htan "( sport = :$p )" 2>/dev/null | { grep -v '^TIME-WAIT' || true; } | head -n 3)"
    [ -z "$busy" ] || { log "port $p is already in use on this machine, the broker cannot listen there:"; echo "$busy" >&2; exit 1; }
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
  ensure_users
  ensure_tls
  write_config
  format_storage
  check_ports_free
  # java directly (not through a function or subshell) so that the PID file names the JVM itself.
  nohup java "${JVM_OPTS[@]}" kafka.Kafka "$DIR/server.properties" > "$DIR/logs/stdout.log" 2>&1 < /dev/null &
  pid=$!
  echo "$pid" > "$PID_FILE"
  wait_ready "$pid"
  add_pending_scram_users
  write_env
  log "up (pid $pid) on $BROKERS (SASL_SSL $SASL_SSL_BROKERS, mTLS $SSL_BROKERS) in $(( ($(date +%s%N) - t0) / 1000000 ))ms"
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
