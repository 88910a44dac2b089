#!/usr/bin/env bash
# What the embedded broker's access control costs: the same HiveMQ CE broker with FleetPulse's
# access extension and without any, in one JVM and one run (BrokerAccessBenchmark): CONNECTs per
# second (each client its own PBKDF2-hashed secret) and QoS 1 PUBLISHes per second through it,
# with the process's CPU time per CONNECT and per message. The second of two rounds is printed.
# Usage: benchmarks/bench/broker-access.sh [clients=500] [messages=200000] [pbkdf2-iterations=10000]
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -q -B -DskipTests package -pl benchmarks -am
exec java -Xmx1g -cp "benchmarks/target/benchmarks.jar:benchmarks/target/lib/*" \
  io.fleetpulse.benchmarks.broker.BrokerAccessBenchmark "${1:-500}" "${2:-200000}" "${3:-10000}"
