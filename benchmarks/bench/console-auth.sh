#!/usr/bin/env bash
# What the console's gate (issue 25) costs a read route: GET /api/profiles bare, as before, and
# behind ConsoleSecurity with an API token, a session cookie and an OIDC JWT, in one JVM and one
# run, interleaved: a warm-up round and five measured rounds in rotating order, medians printed
# (ConsoleAuthBenchmark). About 2 minutes with the defaults.
# Usage: benchmarks/bench/console-auth.sh [clients=16] [seconds-per-variant-and-round=5]
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -q -B -DskipTests package -pl benchmarks -am
exec java -Xmx1g -cp "benchmarks/target/benchmarks.jar:benchmarks/target/lib/*" \
  io.fleetpulse.benchmarks.console.ConsoleAuthBenchmark "${1:-16}" "${2:-5}"
