#!/usr/bin/env bash
# Heap per resident device actor (see BENCHMARKS.md).
# Usage: fleet-actors/bench/device-capacity.sh [devices=100000] [profile=rotating-machine] [messages per device=20]
# Set HEAP (default 4g) for large counts, e.g. HEAP=12g for 1,000,000 devices.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B ${MAVEN_FLAGS:-} -f ../pom.xml -pl fleet-actors -am install -DskipTests
mvn -q -B ${MAVEN_FLAGS:-} test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
java -Xmx"${HEAP:-4g}" -XX:+UseG1GC ${JAVA_OPTS:-} -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  io.fleetpulse.fleet.bench.DeviceCapacityBenchmark "${1:-100000}" "${2:-rotating-machine}" "${3:-20}"
