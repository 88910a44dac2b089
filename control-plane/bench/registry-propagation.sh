#!/usr/bin/env bash
# How long a registry change made through one node takes to be in effect on another (see
# BENCHMARKS.md): two node JVMs in one cluster (node A with the embedded broker and Cassandra,
# node B using them), N registrations PUT through A, each followed by polling B's
# GET /api/devices/{id} every 5 ms until it answers 200; then N moves through B, polled on A.
# Prints p50, p90, p99 and the maximum of each, in milliseconds from the PUT's answer.
# Usage: control-plane/bench/registry-propagation.sh [changes=200]
set -euo pipefail
cd "$(dirname "$0")/../.."
CHANGES="${1:-200}"
OUT="target/bench/propagation"
rm -rf "$OUT" && mkdir -p "$OUT"
mvn -q -B ${MAVEN_FLAGS:-} -Dmaven.test.skip=true install
CP="fleetpulse-node/target/fleetpulse-node.jar:fleetpulse-node/target/lib/*"
common() {
  cat <<CONF
include "application"
pekko.cluster.seed-nodes = ["pekko://fleetpulse@127.0.0.1:25561"]
pekko.cluster.roles = [gateway, device]
fleetpulse.gateway.broker.url = "tcp://127.0.0.1:18833"
CONF
}
{ common; cat <<CONF
fleetpulse.node.name = "a"
fleetpulse.node.http.port = 18095
pekko.remote.artery.canonical.port = 25561
fleetpulse.gateway.broker.embedded-broker.data-directory = "$OUT/hivemq"
fleetpulse.persistence.cassandra.embedded.data-directory = "$OUT/cassandra"
fleetpulse.persistence.cassandra.embedded.native-port = 19144
fleetpulse.persistence.cassandra.embedded.storage-port = 17102
CONF
} > "$OUT/a.conf"
{ common; cat <<CONF
fleetpulse.node.name = "b"
fleetpulse.node.http.port = 18096
pekko.remote.artery.canonical.port = 25562
fleetpulse.gateway.broker.embedded = false
fleetpulse.persistence.cassandra.embedded.enabled = false
fleetpulse.persistence.cassandra.contact-points = ["127.0.0.1:19144"]
CONF
} > "$OUT/b.conf"
ready() { for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$1/health/ready" >/dev/null && return 0; sleep 0.5; done; return 1; }
java -Xmx768m -Dconfig.file="$OUT/a.conf" -cp "$CP" io.fleetpulse.node.FleetPulseNode > "$OUT/a.log" 2>&1 &
A_PID=$!
trap 'kill -TERM ${B_PID:-} $A_PID 2>/dev/null; wait 2>/dev/null || true' EXIT
ready 18095
java -Xmx768m -Dconfig.file="$OUT/b.conf" -cp "$CP" io.fleetpulse.node.FleetPulseNode > "$OUT/b.log" 2>&1 &
B_PID=$!
ready 18096

python3 - "$CHANGES" <<'PY'
import json, sys, time, urllib.request, urllib.error
changes = int(sys.argv[1])
A, B = "http://127.0.0.1:18095", "http://127.0.0.1:18096"
def put(api, device, site):
    body = json.dumps({"site": site, "profile": "rotating-machine"}).encode()
    request = urllib.request.Request(f"{api}/api/devices/{device}", data=body, method="PUT",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
def site_on(api, device):
    try:
        with urllib.request.urlopen(f"{api}/api/devices/{device}", timeout=5) as response:
            return json.load(response)["registration"]["site"]
    except urllib.error.HTTPError:
        return None
def run(label, writer, reader, site):
    delays = []
    for i in range(changes):
        device = f"prop-{i:05d}"
        put(writer, device, site)
        answered = time.monotonic()
        while site_on(reader, device) != site:
            time.sleep(0.005)
        delays.append((time.monotonic() - answered) * 1000)
    delays.sort()
    pick = lambda q: delays[min(len(delays) - 1, int(q * len(delays)))]
    print(f"{label}: {changes} changes, from the PUT's answer to the other node's view: "
          f"p50 {pick(0.5):.0f} ms, p90 {pick(0.9):.0f} ms, p99 {pick(0.99):.0f} ms, max {delays[-1]:.0f} ms")
run("registered through A, seen on B", A, B, "plant-1")
run("moved through B, seen on A", B, A, "plant-2")
PY
