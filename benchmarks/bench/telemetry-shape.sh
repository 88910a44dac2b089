#!/usr/bin/env bash
# What a stored telemetry message costs Cassandra by the shape it is written in (see BENCHMARKS.md):
# one row per reading (before schema v8), one row per message (the node now), message rows of many
# devices in one batch, and a journal-shaped
# group of 64 messages in one partition, in alternating rounds against one embedded Cassandra node
# with a synced commit log, as the node runs it.
# Usage: benchmarks/bench/telemetry-shape.sh [messages per round=20000] [devices=1000] [rounds=2] [in-flight=32] [outstanding=1000] [concurrent-writes=64]
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -q -B -DskipTests package -pl benchmarks -am
java -cp "benchmarks/target/benchmarks.jar:benchmarks/target/lib/*" io.fleetpulse.benchmarks.cassandra.TelemetryShapeBenchmark \
  "${1:-20000}" "${2:-1000}" "${3:-2}" "${4:-32}" "${5:-1000}" "${6:-64}" cassandra-runtime/target/lib 2>&1 | grep -v " INFO \| WARN "
