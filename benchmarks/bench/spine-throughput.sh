#!/usr/bin/env bash
# Spine throughput on this machine, all cases in one run so their ratios are comparable. The node
# stores every message in its embedded Cassandra before acknowledging it (durable acknowledgement).
#   1. simulator -> embedded HiveMQ CE -> node (the default one-command setup: one connection,
#      subscribed outside the share group, see fleetpulse.gateway.mqtt.sharing)
#   1s. the same with sharing = shared (two connections in the share group, as before it)
#   2. simulator -> Mosquitto 2 -> node (external broker)
#   3. simulator -> Mosquitto 2, no node subscribed: the raw publish ceiling of broker + simulator
#   4. raw single-row inserts into the same Cassandra node as case 2, right after it (the node
#      idle): the storage limit durable acknowledgement is compared with
# Each node case first warms the JVMs with 20,000 messages, then measures.
# Usage: benchmarks/bench/spine-throughput.sh [messages=150000] [devices=1000] [raw-rows=300000]
# NODE_OPTS adds -D options to the node, e.g. NODE_OPTS=-Dfleetpulse.persistence.telemetry.max-in-flight=128
set -euo pipefail
cd "$(dirname "$0")/../.."
MESSAGES="${1:-150000}"
DEVICES="${2:-1000}"
RAW_ROWS="${3:-300000}"
HTTP_PORT=18080
API="http://127.0.0.1:${HTTP_PORT}"
MOSQUITTO_PORT=18830
HIVEMQ_PORT=18831
OUT="target/bench"
NODE_CP="fleetpulse-node/target/fleetpulse-node.jar:fleetpulse-node/target/lib/*"
SIM_CP="simulator/target/simulator.jar:simulator/target/lib/*"
BENCH_CP="benchmarks/target/benchmarks.jar:benchmarks/target/lib/*"
mkdir -p "$OUT"

mvn -q -B -Dmaven.test.skip=true install

NODE_PID=""
MOSQUITTO_PID=""
cleanup() {
  [ -n "$NODE_PID" ] && kill -TERM "$NODE_PID" 2>/dev/null && wait "$NODE_PID" 2>/dev/null || true
  [ -n "$MOSQUITTO_PID" ] && kill -TERM "$MOSQUITTO_PID" 2>/dev/null && wait "$MOSQUITTO_PID" 2>/dev/null || true
}
trap cleanup EXIT

start_mosquitto() {
  printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 1000000\nmax_inflight_messages 1000\n' \
    "$MOSQUITTO_PORT" > "$OUT/mosquitto.conf"
  mosquitto -c "$OUT/mosquitto.conf" > "$OUT/mosquitto.log" 2>&1 &
  MOSQUITTO_PID=$!
  sleep 1
}

start_node() { # $@: extra -D options
  rm -rf "$OUT/hivemq" "$OUT/cassandra"
  java -Xms512m -Xmx2g -Dfleetpulse.node.http.port="$HTTP_PORT" -Dpekko.remote.artery.canonical.port=0 \
    -Dfleetpulse.gateway.broker.embedded-broker.data-directory="$OUT/hivemq" \
    -Dfleetpulse.persistence.cassandra.embedded.data-directory="$OUT/cassandra" \
    -Dfleetpulse.persistence.cassandra.embedded.native-port=19042 \
    -Dfleetpulse.persistence.cassandra.embedded.storage-port=17000 ${NODE_OPTS:-} "$@" \
    -cp "$NODE_CP" io.fleetpulse.node.FleetPulseNode > "$OUT/node.log" 2>&1 &
  NODE_PID=$!
  for _ in $(seq 1 240); do
    curl -fsS "$API/health/ready" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "node did not become ready; see $OUT/node.log" >&2
  exit 1
}

stop_node() {
  kill -TERM "$NODE_PID"; wait "$NODE_PID" 2>/dev/null || true; NODE_PID=""
}

simulate() { # $1 broker url, $2 messages, $3 report file, rest: extra options
  local url="$1" messages="$2" report="$3"; shift 3
  java -Xmx1g -cp "$SIM_CP" io.fleetpulse.simulator.FleetSimulator --broker-url "$url" --devices "$DEVICES" \
    --messages "$messages" --rate 0 --progress-interval 0 --drain 1s "$@" > "$report" 2>&1
}

field() { # $1 report, $2 label -> the rate in parentheses
  grep -E "^  $2 " "$1" | sed -E 's/.*\(([^)]*)\).*/\1/' | head -1
}

echo "== 1. embedded HiveMQ CE -> node"
# The embedded broker listens on the port of the gateway's broker url.
start_node -Dfleetpulse.gateway.broker.url="tcp://127.0.0.1:${HIVEMQ_PORT}"
simulate "tcp://127.0.0.1:${HIVEMQ_PORT}" 20000 "$OUT/hivemq-warmup.txt" --api-url "$API"
simulate "tcp://127.0.0.1:${HIVEMQ_PORT}" "$MESSAGES" "$OUT/hivemq.txt" --api-url "$API"
stop_node

echo "== 1s. embedded HiveMQ CE -> node, sharing = shared"
start_node -Dfleetpulse.gateway.broker.url="tcp://127.0.0.1:${HIVEMQ_PORT}" -Dfleetpulse.gateway.mqtt.sharing=shared
simulate "tcp://127.0.0.1:${HIVEMQ_PORT}" 20000 "$OUT/hivemq-shared-warmup.txt" --api-url "$API"
simulate "tcp://127.0.0.1:${HIVEMQ_PORT}" "$MESSAGES" "$OUT/hivemq-shared.txt" --api-url "$API"
stop_node

echo "== 2. Mosquitto -> node"
start_mosquitto
start_node -Dfleetpulse.gateway.broker.embedded=false -Dfleetpulse.gateway.broker.url="tcp://127.0.0.1:${MOSQUITTO_PORT}"
simulate "tcp://127.0.0.1:${MOSQUITTO_PORT}" 20000 "$OUT/mosquitto-warmup.txt" --api-url "$API"
simulate "tcp://127.0.0.1:${MOSQUITTO_PORT}" "$MESSAGES" "$OUT/mosquitto.txt" --api-url "$API"
# Readings per message over the node's whole run, from its own counters: rows stored / messages acknowledged.
curl -fsS "$API/metrics" > "$OUT/mosquitto-metrics.txt"
ROWS_PER_MESSAGE=$(awk '/^fleetpulse_telemetry_rows_stored_total/ {rows=$2} /^fleetpulse_gateway_messages_total\{outcome="acknowledged"/ {acked=$2} END {printf "%.2f", rows/acked}' "$OUT/mosquitto-metrics.txt")

echo "== 4. raw single-row inserts into the same Cassandra node"
java -Xmx1g -cp "$BENCH_CP" io.fleetpulse.benchmarks.cassandra.RawInsertBenchmark 127.0.0.1:19042 "$RAW_ROWS" 64 > "$OUT/raw-inserts.txt" 2>&1
stop_node

echo "== 3. Mosquitto alone (no subscriber)"
simulate "tcp://127.0.0.1:${MOSQUITTO_PORT}" 20000 "$OUT/raw-warmup.txt"
simulate "tcp://127.0.0.1:${MOSQUITTO_PORT}" "$MESSAGES" "$OUT/raw.txt"

echo
echo "messages=$MESSAGES devices=$DEVICES cores=$(nproc) ($(date -u +%Y-%m-%dT%H:%MZ))"
printf '%-34s %16s %22s\n' "case" "acked by broker" "settled by node"
printf '%-34s %16s %22s\n' "embedded HiveMQ CE -> node" "$(field "$OUT/hivemq.txt" acknowledged)" "$(grep -E '^  node received' "$OUT/hivemq.txt" | sed -E 's/.*processed ([^)]*)\).*/\1/')"
printf '%-34s %16s %22s\n' "embedded HiveMQ CE, shared -> node" "$(field "$OUT/hivemq-shared.txt" acknowledged)" "$(grep -E '^  node received' "$OUT/hivemq-shared.txt" | sed -E 's/.*processed ([^)]*)\).*/\1/')"
printf '%-34s %16s %22s\n' "Mosquitto -> node" "$(field "$OUT/mosquitto.txt" acknowledged)" "$(grep -E '^  node received' "$OUT/mosquitto.txt" | sed -E 's/.*processed ([^)]*)\).*/\1/')"
printf '%-34s %16s %22s\n' "Mosquitto alone (raw ceiling)" "$(field "$OUT/raw.txt" acknowledged)" "-"
DURABLE=$(grep -E '^  node received' "$OUT/mosquitto.txt" | sed -E 's/.*processed ([0-9.,]+).*/\1/' | tr -d ,)
RAW=$(sed -E 's/.*\(([0-9]+) rows\/s\).*/\1/' "$OUT/raw-inserts.txt" | tail -1)
echo
echo "durable (Mosquitto -> node): ${DURABLE} msg/s x ${ROWS_PER_MESSAGE} readings = $(awk -v m="$DURABLE" -v r="$ROWS_PER_MESSAGE" 'BEGIN {printf "%.0f", m*r}') rows/s"
echo "raw single-row inserts, same node: $(tail -1 "$OUT/raw-inserts.txt")"
echo "durable rows/s / raw single-row rows/s = $(awk -v m="$DURABLE" -v r="$ROWS_PER_MESSAGE" -v raw="$RAW" 'BEGIN {printf "%.2f", m*r/raw}')"
echo "durable msg/s / raw single-row rows/s = $(awk -v m="$DURABLE" -v raw="$RAW" 'BEGIN {printf "%.2f", m/raw}')"
echo "full reports: $OUT/*.txt"
