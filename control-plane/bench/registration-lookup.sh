#!/usr/bin/env bash
# What requiring registration costs the spine (see BENCHMARKS.md): one node with its embedded
# broker and Cassandra, the simulator's fleet sending N messages as fast as the node takes them.
# Each case starts from an empty data directory: a first run sends one message per device, which
# auto-provisions the fleet through the registry's entities; the node is started again on that
# directory with registration.required = false, or = true (every message looked up in the node's
# registry view and accepted as registered), warmed up, left to settle, and measured. Reports
# messages per second settled by the node and the node's CPU per message (/proc), and their ratios.
# Usage: control-plane/bench/registration-lookup.sh [messages=60000] [devices=1000]
set -euo pipefail
cd "$(dirname "$0")/../.."
MESSAGES="${1:-60000}"
DEVICES="${2:-1000}"
OUT="target/bench/registration-lookup"
HTTP_PORT=18098
BROKER="tcp://127.0.0.1:18833"
API="http://127.0.0.1:$HTTP_PORT"
rm -rf "$OUT" && mkdir -p "$OUT"
mvn -q -B ${MAVEN_FLAGS:-} -Dmaven.test.skip=true install

cat > "$OUT/node.conf" <<CONF
include "application"
fleetpulse.node.http.port = $HTTP_PORT
fleetpulse.gateway.broker.url = "$BROKER"
fleetpulse.gateway.broker.embedded-broker.data-directory = "$OUT/hivemq"
fleetpulse.persistence.cassandra.embedded.data-directory = "$OUT/cassandra"
fleetpulse.persistence.cassandra.embedded.native-port = 19144
fleetpulse.persistence.cassandra.embedded.storage-port = 17102
pekko.remote.artery.canonical.port = 0
CONF
NODE_PID=""
trap '[ -n "$NODE_PID" ] && kill -TERM $NODE_PID 2>/dev/null; wait 2>/dev/null || true' EXIT
start_node() { # $1: registration required
  java -Xms512m -Xmx2g -Dconfig.file="$OUT/node.conf" -Dfleetpulse.gateway.registration.required="$1" \
    -cp "fleetpulse-node/target/fleetpulse-node.jar:fleetpulse-node/target/lib/*" \
    io.fleetpulse.node.FleetPulseNode >> "$OUT/node-required-$1.log" 2>&1 &
  NODE_PID=$!
  for _ in $(seq 1 300); do
    curl -sf "$API/health/ready" >/dev/null && return 0
    sleep 0.5
  done
  echo "node did not become ready; see $OUT/node-required-$1.log" >&2
  exit 1
}
stop_node() {
  kill -TERM "$NODE_PID"; wait "$NODE_PID" 2>/dev/null || true; NODE_PID=""
}
simulate() { # $1 messages, $2 report
  java -Xmx1g -cp "simulator/target/simulator.jar:simulator/target/lib/*" io.fleetpulse.simulator.FleetSimulator \
    --broker-url "$BROKER" --api-url "$API" --devices "$DEVICES" --messages "$1" --rate 0 --progress-interval 0 \
    --drain 1s > "$2" 2>&1
}
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
settle() { # waits until the node has no message in flight
  for _ in $(seq 1 240); do
    curl -fsS -m 10 "$API/api/fleet/summary" 2>/dev/null \
      | python3 -c 'import json,sys; sys.exit(json.load(sys.stdin)["messages"]["inFlight"] != 0)' 2>/dev/null && return 0
    sleep 1
  done
  echo "node did not settle" >&2
  exit 1
}
measure() { # $1 registration required; writes "msg/s cpu-ms-per-message rejected" to $OUT/result-$1
  rm -rf "$OUT/hivemq" "$OUT/cassandra"
  start_node false
  simulate "$DEVICES" "$OUT/provisioning-$1.txt"
  settle
  stop_node
  start_node "$1"
  # The warm-up may outrun the node's API while its actors recover: its report is not used.
  simulate 20000 "$OUT/warmup-required-$1.txt" || true
  settle
  local before after
  before=$(cpu "$NODE_PID")
  simulate "$MESSAGES" "$OUT/required-$1.txt"
  after=$(cpu "$NODE_PID")
  local rate
  rate=$(grep -E '^  node received' "$OUT/required-$1.txt" | sed -E 's/.*processed ([0-9.,]+).*/\1/' | tr -d ,)
  local rejected
  rejected=$(curl -fsS -m 30 "$API/api/fleet/summary" \
    | python3 -c 'import json,sys; print(sum(json.load(sys.stdin).get("rejectsByReason", {}).values()))' 2>/dev/null || echo "?")
  stop_node
  echo "$rate $(awk -v t="$((after - before))" -v hz="$(getconf CLK_TCK)" -v m="$MESSAGES" 'BEGIN {printf "%.3f", t / hz * 1000 / m}') $rejected" > "$OUT/result-$1"
}

measure false
measure true
read -r FREE_RATE FREE_CPU FREE_REJECTED < "$OUT/result-false"
read -r REQUIRED_RATE REQUIRED_CPU REQUIRED_REJECTED < "$OUT/result-true"
echo
echo "messages=$MESSAGES devices=$DEVICES cores=$(nproc) ($(date -u +%Y-%m-%dT%H:%MZ))"
printf '%-26s %14s %20s %10s\n' "registration" "settled msg/s" "node CPU ms/message" "rejected"
printf '%-26s %14s %20s %10s\n' "not required" "$FREE_RATE" "$FREE_CPU" "$FREE_REJECTED"
printf '%-26s %14s %20s %10s\n' "required (all registered)" "$REQUIRED_RATE" "$REQUIRED_CPU" "$REQUIRED_REJECTED"
awk -v a="$FREE_RATE" -v b="$REQUIRED_RATE" -v c="$FREE_CPU" -v d="$REQUIRED_CPU" \
  'BEGIN {printf "required / not required: throughput %.3f, node CPU per message %.3f\n", b / a, d / c}'
