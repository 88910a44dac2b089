#!/usr/bin/env bash
# Passivation when memory is short: active devices beyond active-entity-limit (see BENCHMARKS.md).
# Usage: fleet-actors/bench/device-limit.sh [devices=150000] [limit=50000 (0: none)] [rounds=3] [profile=rotating-machine]
# Set HEAP (default 4g).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B ${MAVEN_FLAGS:-} -f ../pom.xml -pl fleet-actors -am install -DskipTests
mvn -q -B ${MAVEN_FLAGS:-} test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
java -Xmx"${HEAP:-4g}" -XX:+UseG1GC ${JAVA_OPTS:-} -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  io.fleetpulse.fleet.bench.DeviceLimitBenchmark "${1:-150000}" "${2:-50000}" "${3:-3}" "${4:-rotating-machine}"
