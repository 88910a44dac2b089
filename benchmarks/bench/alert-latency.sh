#!/usr/bin/env bash
# Alert latency under load (issue 26): from a faulty device's reading being published to its alert
# arriving on fleet/{site}/alerts (MQTT) and on GET /api/alerts/stream (Server-Sent Events), both
# after the alert was stored, while the fleet simulator loads the node at a fixed rate with healthy
# devices. One node with the embedded HiveMQ CE broker and Cassandra (commit log synced before it
# answers), as ./fleetpulse up runs it; simulator, broker, node, Cassandra and the measuring
# program share this machine's cores. Per case, on a fresh node:
#   1. the simulator registers 1,000 healthy devices and publishes <rate> msg/s from them until the
#      end of the case
#   2. AlertLatencyBenchmark waits until the node settles about <rate> msg/s (it has started the
#      devices' actors and worked off the backlog; it gives up after 5 minutes), then its
#      <faulty-devices> rotating machines raise and resolve a bearing-overheat alert every twelve
#      readings (one reading each every 200 ms): 30 s warm-up, then <measure-s> measured; it also
#      prints what the node settled per second meanwhile (<rate> plus the faulty devices' readings
#      when it kept up)
# Choose <rate> at about half the node's durable rate on the machine (spine-throughput.sh; on the
# 2-core development machine 764 to 1,257 msg/s with the embedded broker, BENCHMARKS.md).
# With BASELINE_DIR set (a worktree of another commit, built with
# `mvn -q -B -DskipTests package -pl fleetpulse-node -am` there), the same case runs against that
# commit's node right after, in the same run: e.g. the event stream before it was pushed.
# Usage: benchmarks/bench/alert-latency.sh [rate=400] [faulty-devices=5] [measure-s=120]
# SKIP_BUILD=1 runs the jars already built; NODE_OPTS adds -D options to the node.
set -euo pipefail
cd "$(dirname "$0")/../.."
RATE="${1:-400}"
FAULTY="${2:-5}"
MEASURE_S="${3:-120}"
DEVICES=1000
WARM_UP_S=30
CATCH_UP_S=300
INTERVAL_MS=200
DRAIN_S=10
SITE=plant-1
# Ports of their own, so that ./fleetpulse up or spine-throughput.sh may run beside it.
HTTP_PORT=18090
API="http://127.0.0.1:${HTTP_PORT}"
MQTT_PORT=18841
BROKER="tcp://127.0.0.1:${MQTT_PORT}"
OUT="target/bench/alert-latency"
SIM_CP="simulator/target/simulator.jar:simulator/target/lib/*"
BENCH_CP="benchmarks/target/benchmarks.jar:benchmarks/target/lib/*"
mkdir -p "$OUT"

if [ -z "${SKIP_BUILD:-}" ]; then
  mvn -q -B -DskipTests package -pl fleetpulse-node,simulator,benchmarks -am
fi

NODE_PID=""
SIM_PID=""
cleanup() {
  [ -n "$SIM_PID" ] && kill -TERM "$SIM_PID" 2>/dev/null && wait "$SIM_PID" 2>/dev/null || true
  [ -n "$NODE_PID" ] && kill -TERM "$NODE_PID" 2>/dev/null && wait "$NODE_PID" 2>/dev/null || true
}
trap cleanup EXIT

start_node() { # $1 directory of the build whose node runs, $2 output directory
  local build="$1" out="$2"
  rm -rf "$out" && mkdir -p "$out"
  FLEETPULSE_LOCAL_ADMIN_TOKEN_FILE="$out/admin-token" java -Xms512m -Xmx2g \
    -Dfleetpulse.node.http.port="$HTTP_PORT" -Dpekko.remote.artery.canonical.port=0 \
    -Dfleetpulse.gateway.broker.url="$BROKER" \
    -Dfleetpulse.gateway.broker.embedded-broker.tls.port=0 \
    -Dfleetpulse.gateway.broker.embedded-broker.data-directory="$out/hivemq" \
    -Dfleetpulse.persistence.cassandra.embedded.data-directory="$out/cassandra" \
    -Dfleetpulse.persistence.cassandra.embedded.native-port=19052 \
    -Dfleetpulse.persistence.cassandra.embedded.storage-port=17010 ${NODE_OPTS:-} \
    -cp "$build/fleetpulse-node/target/fleetpulse-node.jar:$build/fleetpulse-node/target/lib/*" \
    io.fleetpulse.node.FleetPulseNode > "$out/node.log" 2>&1 &
  NODE_PID=$!
  for _ in $(seq 1 480); do # 4 minutes: a busy machine takes one to apply the schema
    curl -fsS "$API/health/ready" >/dev/null 2>&1 && [ -s "$out/admin-token" ] && return 0
    kill -0 "$NODE_PID" 2>/dev/null || break
    sleep 0.5
  done
  echo "node did not become ready; see $out/node.log" >&2
  exit 1
}

stop_node() {
  kill -TERM "$NODE_PID"; wait "$NODE_PID" 2>/dev/null || true; NODE_PID=""
}

measure() { # $1 label, $2 directory of the build whose node runs
  local label="$1" out="$OUT/$1"
  echo "== $label: node of $(git -C "$2" log -1 --format='%h %s')"
  start_node "$2" "$out"
  local token
  token="$(cat "$out/admin-token")"
  FLEETPULSE_API_TOKEN="$token" java -Xmx1g -cp "$SIM_CP" io.fleetpulse.simulator.FleetSimulator \
    --broker-url "$BROKER" --api-url "$API" --devices "$DEVICES" --tuning.register-devices true --faulty-share 0 \
    --rate "$RATE" --progress-interval 10s --drain 1s > "$out/load.txt" 2>&1 &
  SIM_PID=$!
  sleep 10 # the simulator has registered its devices and is publishing
  FLEETPULSE_API_TOKEN="$token" java -Xmx512m -cp "$BENCH_CP" io.fleetpulse.benchmarks.alerts.AlertLatencyBenchmark \
    "$API" "$BROKER" "$RATE" "$SITE" "$FAULTY" "$INTERVAL_MS" "$WARM_UP_S" "$MEASURE_S" "$DRAIN_S" "$CATCH_UP_S" \
    > "$out/latency.txt" 2>&1 || true
  kill -TERM "$SIM_PID" 2>/dev/null || true; wait "$SIM_PID" || true # it prints its report
  SIM_PID=""
  stop_node
  echo "load (whole case): $(grep -E '^  (acknowledged|node received) ' "$out/load.txt" | sed -E 's/^ *//' | paste -sd ';')"
  grep -v '^RESULT' "$out/latency.txt" | grep -v -E '^[0-9]{2}:[0-9]{2}:' || true
}

measure current .
if [ -n "${BASELINE_DIR:-}" ]; then
  measure baseline "$BASELINE_DIR"
fi

echo
echo "rate=$RATE msg/s devices=$DEVICES faulty=$FAULTY measured=${MEASURE_S}s cores=$(nproc) ($(date -u +%Y-%m-%dT%H:%MZ))"
for label in current baseline; do
  [ -f "$OUT/$label/latency.txt" ] || continue
  grep '^RESULT' "$OUT/$label/latency.txt" | sed "s/^RESULT/$label/"
done
echo "full reports: $OUT/*/"
