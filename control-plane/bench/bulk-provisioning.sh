#!/usr/bin/env bash
# Devices registered per second by POST /api/devices/bulk (see BENCHMARKS.md): one node with its
# embedded Cassandra in a fresh directory, one CSV upload of N devices, the time until the last
# line's result arrived, and the CPU seconds the node and Cassandra spent meanwhile (/proc).
# Usage: control-plane/bench/bulk-provisioning.sh [devices=5000]
set -euo pipefail
cd "$(dirname "$0")/../.."
DEVICES="${1:-5000}"
OUT="target/bench/bulk"
HTTP_PORT=18097
rm -rf "$OUT" && mkdir -p "$OUT"
mvn -q -B ${MAVEN_FLAGS:-} -Dmaven.test.skip=true install

cat > "$OUT/node.conf" <<CONF
include "application"
fleetpulse.node.http.port = $HTTP_PORT
fleetpulse.gateway.broker.url = "tcp://127.0.0.1:18832"
fleetpulse.gateway.broker.embedded-broker.data-directory = "$OUT/hivemq"
fleetpulse.persistence.cassandra.embedded.data-directory = "$OUT/cassandra"
fleetpulse.persistence.cassandra.embedded.native-port = 19143
fleetpulse.persistence.cassandra.embedded.storage-port = 17101
pekko.remote.artery.canonical.port = 0
CONF
java -Xmx1g -Dconfig.file="$OUT/node.conf" -cp "fleetpulse-node/target/fleetpulse-node.jar:fleetpulse-node/target/lib/*" \
  io.fleetpulse.node.FleetPulseNode > "$OUT/node.log" 2>&1 &
NODE_PID=$!
trap 'kill -TERM $NODE_PID 2>/dev/null; wait $NODE_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do
  curl -sf "http://127.0.0.1:$HTTP_PORT/health/ready" >/dev/null && break
  sleep 0.5
done
CASSANDRA_PID=$(pgrep -f "$OUT/cassandra" | head -1)

{ echo "id,site,profile"; for i in $(seq 1 "$DEVICES"); do echo "bench-$i,plant-$((i % 7)),rotating-machine,serial=SN-$i"; done; } > "$OUT/fleet.csv"
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
TICKS=$(getconf CLK_TCK)
NODE_CPU0=$(cpu "$NODE_PID"); CASSANDRA_CPU0=$(cpu "$CASSANDRA_PID")
START=$(date +%s.%N)
curl -s -X POST -H 'Content-Type: text/csv' --data-binary @"$OUT/fleet.csv" "http://127.0.0.1:$HTTP_PORT/api/devices/bulk" > "$OUT/results.jsonl"
END=$(date +%s.%N)
NODE_CPU1=$(cpu "$NODE_PID"); CASSANDRA_CPU1=$(cpu "$CASSANDRA_PID")

REGISTERED=$(grep -c '"outcome":"registered"' "$OUT/results.jsonl" || true)
python3 - "$DEVICES" "$REGISTERED" "$START" "$END" "$NODE_CPU0" "$NODE_CPU1" "$CASSANDRA_CPU0" "$CASSANDRA_CPU1" "$TICKS" <<'PY'
import sys
devices, registered = int(sys.argv[1]), int(sys.argv[2])
start, end = float(sys.argv[3]), float(sys.argv[4])
node = (int(sys.argv[6]) - int(sys.argv[5])) / int(sys.argv[9])
cassandra = (int(sys.argv[8]) - int(sys.argv[7])) / int(sys.argv[9])
secs = end - start
print(f"{registered} of {devices} devices registered in {secs:.1f} s: {registered / secs:.0f} devices/s; "
      f"CPU per device: node {node / registered * 1000:.1f} ms, Cassandra {cassandra / registered * 1000:.1f} ms")
PY
