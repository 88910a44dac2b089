#!/usr/bin/env bash
# Spine throughput on this machine, all cases in one run so their ratios are comparable. A durable
# node stores every message in its embedded Cassandra before acknowledging it (durable
# acknowledgement); a node with storage off (fleetpulse.persistence.enabled = false) keeps state in
# memory only and starts no Cassandra. Run in this order:
#   1. simulator -> embedded HiveMQ CE -> node, durable (the default one-command setup: one
#      connection, subscribed outside the share group, see fleetpulse.gateway.mqtt.sharing)
#   1n. the same with storage off
#   1s. only with SHARED=1: case 1 with sharing = shared (two connections in the share group)
#   2. simulator -> Mosquitto 2 -> node, durable (external broker)
#   4. raw single-row inserts into the same Cassandra node as case 2, right after it (the node
#      idle): the storage limit durable acknowledgement is compared with
#   2n. case 2 with storage off
#   3. simulator -> Mosquitto 2, no node subscribed: the raw publish ceiling of broker + simulator
# Each node case first warms the JVMs with 20,000 messages, then measures. Mosquitto is started
# afresh for cases 2, 2n and 3 (a stopped node's session would otherwise stay in the broker).
# For each measured run it prints the CPU time (user + system, /proc/PID/stat) of each process
# over that run, per message the node settled (case 3: per message sent; case 4: per row
# inserted, the client's warm-up tenth included): node JVM, its Cassandra JVM (a child of the
# node), the broker (Mosquitto's process; the embedded HiveMQ runs inside the node JVM, so it is
# in the node's figure) and the simulator JVM (its whole life, start-up included). The last line
# is for scripts:
#   durable/no-storage: <ratio> mosquitto, <ratio> embedded; durable mosquitto <N> msg/s
# (ratios of the node's settled rates, durable over storage off).
# Usage: benchmarks/bench/spine-throughput.sh [messages=150000] [devices=1000] [raw-rows=300000]
# NODE_OPTS adds -D options to every node case, e.g. NODE_OPTS=-Dfleetpulse.persistence.telemetry.max-in-flight=128
# SHARED=1 adds case 1s.
set -euo pipefail
cd "$(dirname "$0")/../.."
MESSAGES="${1:-150000}"
DEVICES="${2:-1000}"
RAW_ROWS="${3:-300000}"
WARMUP=20000
HTTP_PORT=18080
API="http://127.0.0.1:${HTTP_PORT}"
MOSQUITTO_PORT=18830
HIVEMQ_PORT=18831
OUT="target/bench"
NODE_CP="fleetpulse-node/target/fleetpulse-node.jar:fleetpulse-node/target/lib/*"
SIM_CP="simulator/target/simulator.jar:simulator/target/lib/*"
BENCH_CP="benchmarks/target/benchmarks.jar:benchmarks/target/lib/*"
TICKS=$(getconf CLK_TCK)
# The node's API wants a token: each node installs this one as its bootstrap admin token, the
# simulator provisions its edge gateways and reads the node's summary with it.
TOKEN="fpt_$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')"
mkdir -p "$OUT"
rm -f "$OUT"/*.txt "$OUT"/*.cpu "$OUT"/mosquitto.log

# package, not install: the build must not replace the artifacts in ~/.m2.
mvn -q -B -Dmaven.test.skip=true package

NODE_PID=""
CASSANDRA_PID=""
MOSQUITTO_PID=""

await_gone() { # $1 pid (not necessarily our child), $2 seconds
  for _ in $(seq 1 $(( $2 * 5 ))); do
    kill -0 "$1" 2>/dev/null || return 0
    sleep 0.2
  done
  return 1
}

stop_node() {
  if [ -n "$NODE_PID" ]; then
    kill -TERM "$NODE_PID" 2>/dev/null || true
    wait "$NODE_PID" 2>/dev/null || true
  fi
  # The node stops its Cassandra from a shutdown hook; make sure it went.
  if [ -n "$CASSANDRA_PID" ] && ! await_gone "$CASSANDRA_PID" 30; then
    echo "Cassandra (pid $CASSANDRA_PID) outlived its node: stopping it" >&2
    kill -TERM "$CASSANDRA_PID" 2>/dev/null || true
    await_gone "$CASSANDRA_PID" 30 || kill -KILL "$CASSANDRA_PID" 2>/dev/null || true
  fi
  NODE_PID=""
  CASSANDRA_PID=""
}

stop_mosquitto() {
  if [ -n "$MOSQUITTO_PID" ]; then
    kill -TERM "$MOSQUITTO_PID" 2>/dev/null || true
    wait "$MOSQUITTO_PID" 2>/dev/null || true
  fi
  MOSQUITTO_PID=""
}

cleanup() {
  stop_node
  stop_mosquitto
}
trap cleanup EXIT

start_mosquitto() {
  stop_mosquitto
  printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 1000000\nmax_inflight_messages 1000\n' \
    "$MOSQUITTO_PORT" > "$OUT/mosquitto.conf"
  mosquitto -c "$OUT/mosquitto.conf" >> "$OUT/mosquitto.log" 2>&1 &
  MOSQUITTO_PID=$!
  sleep 1
  kill -0 "$MOSQUITTO_PID" 2>/dev/null || { echo "mosquitto did not start; see $OUT/mosquitto.log" >&2; exit 1; }
}

start_node() { # $1 log name; rest: extra -D options
  local log="$OUT/$1.log"; shift
  rm -rf "$OUT/hivemq" "$OUT/cassandra"
  java -Xms512m -Xmx2g -Dfleetpulse.node.http.port="$HTTP_PORT" -Dpekko.remote.artery.canonical.port=0 \
    -Dfleetpulse.gateway.broker.embedded-broker.data-directory="$OUT/hivemq" \
    -Dfleetpulse.persistence.cassandra.embedded.data-directory="$OUT/cassandra" \
    -Dfleetpulse.persistence.cassandra.embedded.native-port=19042 \
    -Dfleetpulse.persistence.cassandra.embedded.storage-port=17000 \
    -Dfleetpulse.security.tokens.bootstrap-admin-token="$TOKEN" ${NODE_OPTS:-} "$@" \
    -cp "$NODE_CP" io.fleetpulse.node.FleetPulseNode > "$log" 2>&1 &
  NODE_PID=$!
  for _ in $(seq 1 240); do
    if curl -fsS "$API/health/ready" >/dev/null 2>&1; then
      # The embedded Cassandra, when storage is on: the node's child JVM (setsid execs in place).
      CASSANDRA_PID=$(pgrep -P "$NODE_PID" java | head -1 || true)
      return 0
    fi
    kill -0 "$NODE_PID" 2>/dev/null || break
    sleep 0.5
  done
  echo "node did not become ready; see $log" >&2
  exit 1
}

timed() { # $1 output file, rest: a command, run with its output to $1 and its CPU ticks to $1.cpu
  # A shell runs the command and, once it has exited and been reaped, writes the command's whole
  # CPU time (the shell's cutime + cstime: user + system, clock ticks) to $1.cpu.
  bash -c '"$@" > "$0" 2>&1; rc=$?
    read -r stat < /proc/$$/stat; stat=${stat##*) }; set -- $stat; echo $(( ${14} + ${15} )) > "$0.cpu"; exit $rc' "$@"
}

simulate() { # $1 broker url, $2 messages, $3 report file, rest: extra options
  local url="$1" messages="$2" report="$3"; shift 3
  FLEETPULSE_API_TOKEN="$TOKEN" timed "$report" java -Xmx1g -cp "$SIM_CP" io.fleetpulse.simulator.FleetSimulator --broker-url "$url" --devices "$DEVICES" \
    --messages "$messages" --rate 0 --progress-interval 0 --drain 1s "$@"
}

cpu_ticks() { # $1 pid or empty -> its utime + stime in clock ticks, empty when there is no such process
  [ -n "$1" ] || return 0
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
  stat=${stat##*) }
  set -- $stat
  echo $(( ${12} + ${13} ))
}

us_per() { # $1 ticks or empty, $2 count -> microseconds per unit, or "-" without a process
  if [ -z "$1" ]; then echo "-"; else awk -v t="$1" -v hz="$TICKS" -v n="$2" 'BEGIN {printf "%.0f", t * 1e6 / hz / n}'; fi
}

SAMPLE_NODE="" SAMPLE_CASSANDRA="" SAMPLE_BROKER=""
sample_before() {
  SAMPLE_NODE=$(cpu_ticks "$NODE_PID"); SAMPLE_CASSANDRA=$(cpu_ticks "$CASSANDRA_PID"); SAMPLE_BROKER=$(cpu_ticks "$MOSQUITTO_PID")
}

delta() { # $1 before, $2 after -> after - before, empty when either is
  if [ -n "$1" ] && [ -n "$2" ]; then echo $(( $2 - $1 )); fi
}

# $1 case name, $2 count divided by, $3 broker "mosquitto" or "embedded"; the simulator's ticks from $OUT/$1.txt.cpu.
# Writes "cpu µs/msg: node X, cassandra Y, broker Z, simulator W, total T" to $OUT/$1.cpu and prints it.
sample_after() {
  local name="$1" count="$2" broker="$3"
  local node cassandra mosquitto simulator broker_text total
  node=$(delta "$SAMPLE_NODE" "$(cpu_ticks "$NODE_PID")")
  cassandra=$(delta "$SAMPLE_CASSANDRA" "$(cpu_ticks "$CASSANDRA_PID")")
  mosquitto=$(delta "$SAMPLE_BROKER" "$(cpu_ticks "$MOSQUITTO_PID")")
  simulator=$(cat "$OUT/$name.txt.cpu")
  if [ "$broker" = embedded ]; then broker_text="in node"; else broker_text=$(us_per "$mosquitto" "$count"); fi
  total=$(us_per "$(( ${node:-0} + ${cassandra:-0} + ${mosquitto:-0} + simulator ))" "$count")
  echo "cpu µs/msg: node $(us_per "$node" "$count"), cassandra $(us_per "$cassandra" "$count"), broker $broker_text, simulator $(us_per "$simulator" "$count"), total $total" \
    | tee "$OUT/$name.cpu"
}

settled() { # $1 report -> messages the node settled (accepted, duplicate or rejected) in that run
  awk '/^  node (accepted|duplicates|rejected) / {sub(/^\+/, "", $3); n += $3} END {print n + 0}' "$1"
}

sent() { # $1 report -> messages sent
  awk '/^  sent / {print $2; exit}' "$1"
}

field() { # $1 report, $2 label -> the rate in parentheses
  grep -E "^  $2 " "$1" | sed -E 's/.*\(([^)]*)\).*/\1/' | head -1
}

processed() { # $1 report -> the node's settled rate, msg/s, as printed
  grep -E '^  node received' "$1" | sed -E 's/.*processed ([0-9.,]+).*/\1/' | tr -d ,
}

node_case() { # $1 case name, $2 broker url, $3 "mosquitto" or "embedded"; rest: node -D options
  local name="$1" url="$2" broker="$3"; shift 3
  start_node "$name-node" "$@"
  simulate "$url" "$WARMUP" "$OUT/$name-warmup.txt" --api-url "$API"
  sample_before
  simulate "$url" "$MESSAGES" "$OUT/$name.txt" --api-url "$API"
  local count
  count=$(settled "$OUT/$name.txt")
  if [ "$count" -le 0 ]; then
    echo "the node settled no message in case $name; see $OUT/$name.txt" >&2
    exit 1
  fi
  sample_after "$name" "$count" "$broker"
}

EMBEDDED=(-Dfleetpulse.gateway.broker.url="tcp://127.0.0.1:${HIVEMQ_PORT}") # it listens on the port of this url
EXTERNAL=(-Dfleetpulse.gateway.broker.embedded=false -Dfleetpulse.gateway.broker.url="tcp://127.0.0.1:${MOSQUITTO_PORT}")
NO_STORAGE=-Dfleetpulse.persistence.enabled=false

echo "== 1. embedded HiveMQ CE -> node, durable"
node_case hivemq "tcp://127.0.0.1:${HIVEMQ_PORT}" embedded "${EMBEDDED[@]}"
stop_node

echo "== 1n. embedded HiveMQ CE -> node, storage off"
node_case hivemq-nostorage "tcp://127.0.0.1:${HIVEMQ_PORT}" embedded "${EMBEDDED[@]}" "$NO_STORAGE"
stop_node

if [ "${SHARED:-0}" = 1 ]; then
  echo "== 1s. embedded HiveMQ CE -> node, durable, sharing = shared"
  node_case hivemq-shared "tcp://127.0.0.1:${HIVEMQ_PORT}" embedded "${EMBEDDED[@]}" -Dfleetpulse.gateway.mqtt.sharing=shared
  stop_node
fi

echo "== 2. Mosquitto -> node, durable"
start_mosquitto
node_case mosquitto "tcp://127.0.0.1:${MOSQUITTO_PORT}" mosquitto "${EXTERNAL[@]}"
# Readings per message over the node's whole run, from its own counters: rows stored / messages acknowledged.
curl -fsS -H "Authorization: Bearer $TOKEN" "$API/metrics" > "$OUT/mosquitto-metrics.txt"
ROWS_PER_MESSAGE=$(awk '/^fleetpulse_telemetry_rows_stored_total/ {rows=$2} /^fleetpulse_telemetry_requests_total/ {requests=$2} /^fleetpulse_gateway_messages_total\{outcome="acknowledged"/ {acked=$2} END {printf "%.2f", rows/acked}' "$OUT/mosquitto-metrics.txt")
REQUESTS_PER_MESSAGE=$(awk '/^fleetpulse_telemetry_requests_total/ {requests=$2} /^fleetpulse_gateway_messages_total\{outcome="acknowledged"/ {acked=$2} END {printf "%.2f", requests/acked}' "$OUT/mosquitto-metrics.txt")

echo "== 4. raw single-row inserts into the same Cassandra node"
sample_before
timed "$OUT/raw-inserts.txt" java -Xmx1g -cp "$BENCH_CP" io.fleetpulse.benchmarks.cassandra.RawInsertBenchmark 127.0.0.1:19042 "$RAW_ROWS" 64
RAW_NODE=$(delta "$SAMPLE_NODE" "$(cpu_ticks "$NODE_PID")")
RAW_CASSANDRA=$(delta "$SAMPLE_CASSANDRA" "$(cpu_ticks "$CASSANDRA_PID")")
RAW_CLIENT=$(cat "$OUT/raw-inserts.txt.cpu")
RAW_COUNT=$(( RAW_ROWS + RAW_ROWS / 10 )) # the client inserts a tenth more as its warm-up
echo "cpu µs/row: node (idle) $(us_per "$RAW_NODE" "$RAW_COUNT"), cassandra $(us_per "$RAW_CASSANDRA" "$RAW_COUNT"), client $(us_per "$RAW_CLIENT" "$RAW_COUNT"), total $(us_per "$(( ${RAW_NODE:-0} + ${RAW_CASSANDRA:-0} + RAW_CLIENT ))" "$RAW_COUNT")" \
  | tee "$OUT/raw-inserts.cpu"
stop_node

echo "== 2n. Mosquitto -> node, storage off"
start_mosquitto
node_case mosquitto-nostorage "tcp://127.0.0.1:${MOSQUITTO_PORT}" mosquitto "${EXTERNAL[@]}" "$NO_STORAGE"
stop_node

echo "== 3. Mosquitto alone (no subscriber)"
start_mosquitto
simulate "tcp://127.0.0.1:${MOSQUITTO_PORT}" "$WARMUP" "$OUT/raw-warmup.txt"
sample_before
simulate "tcp://127.0.0.1:${MOSQUITTO_PORT}" "$MESSAGES" "$OUT/raw.txt"
sample_after raw "$(sent "$OUT/raw.txt")" mosquitto
stop_mosquitto

DURABLE=$(processed "$OUT/mosquitto.txt")
RAW_LINE=$(grep -E '^raw single-row inserts:' "$OUT/raw-inserts.txt" | tail -1)
RAW=$(echo "$RAW_LINE" | sed -E 's/.*\(([0-9]+) rows\/s\).*/\1/')
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
line() { # $1 label, $2 case name
  printf '%-44s %12s %16s   %s\n' "$1" "$(field "$OUT/$2.txt" acknowledged)" "$( [ "$2" = raw ] && echo - || echo "$(processed "$OUT/$2.txt")/s")" "$(cat "$OUT/$2.cpu")"
}
echo
echo "messages=$MESSAGES devices=$DEVICES raw-rows=$RAW_ROWS cores=$(nproc) NODE_OPTS=${NODE_OPTS:-} ($(date -u +%Y-%m-%dT%H:%MZ))"
echo "durable (Mosquitto -> node): ${DURABLE} msg/s x ${ROWS_PER_MESSAGE} telemetry rows per message (rows stored / acknowledged) = $(awk -v m="$DURABLE" -v r="$ROWS_PER_MESSAGE" 'BEGIN {printf "%.0f", m*r}') rows/s"
echo "raw single-row inserts, same node: $RAW_LINE"
echo "telemetry write requests per acknowledged message (gathered batches count once): ${REQUESTS_PER_MESSAGE}"
echo "durable rows/s / raw single-row rows/s = $(awk -v m="$DURABLE" -v r="$ROWS_PER_MESSAGE" -v raw="$RAW" 'BEGIN {printf "%.2f", m*r/raw}')"
echo "durable msg/s / raw single-row rows/s = $(awk -v m="$DURABLE" -v raw="$RAW" 'BEGIN {printf "%.2f", m/raw}')"
echo "full reports: $OUT/*.txt; cpu: per message settled by the node (Mosquitto alone: sent), per row for the inserts"
printf '%-44s %12s %16s   %s\n' "case" "broker acked" "node settled" "cpu per message"
line "1. embedded HiveMQ CE -> node, durable" hivemq
line "1n. embedded HiveMQ CE -> node, no storage" hivemq-nostorage
if [ "${SHARED:-0}" = 1 ]; then line "1s. embedded HiveMQ CE, shared -> node" hivemq-shared; fi
line "2. Mosquitto -> node, durable" mosquitto
line "2n. Mosquitto -> node, no storage" mosquitto-nostorage
line "3. Mosquitto alone (raw ceiling)" raw
printf '%-44s %12s %16s   %s\n' "4. raw single-row inserts" - "${RAW} rows/s" "$(cat "$OUT/raw-inserts.cpu")"
echo "durable/no-storage: $(ratio "$DURABLE" "$(processed "$OUT/mosquitto-nostorage.txt")") mosquitto, $(ratio "$(processed "$OUT/hivemq.txt")" "$(processed "$OUT/hivemq-nostorage.txt")") embedded; durable mosquitto $(printf '%.0f' "$DURABLE") msg/s"
