#!/usr/bin/env bash
# Predictions and roll-ups gathered per partition vs one request per row (see BENCHMARKS.md): the
# same prediction stream through RecordsWriter with max-batch 1 and with the configured batch, in
# alternating rounds against one embedded Cassandra node (synced commit log, as the node runs it).
# Usage: benchmarks/bench/records-write.sh [predictions per round=20000] [devices=50] [rounds=2] [max-batch=32] [outstanding=4000]
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -q -B -DskipTests package -pl benchmarks -am
java -cp "benchmarks/target/benchmarks.jar:benchmarks/target/lib/*" io.fleetpulse.benchmarks.cassandra.RecordsWriteBenchmark \
  "${1:-20000}" "${2:-50}" "${3:-2}" "${4:-32}" "${5:-4000}" cassandra-runtime/target/lib 2>&1 | grep -v " INFO \| WARN "
