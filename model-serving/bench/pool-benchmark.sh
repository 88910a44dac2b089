#!/usr/bin/env bash
# Inference pool vs session.run per request, at concurrency 1, 8, 64 and 512, plus the URLLC
# lane's latency under an mMTC flood, all in one run (see BENCHMARKS.md).
# Usage: model-serving/bench/pool-benchmark.sh [seconds per case=5] [registry dir] [model]
# GPU: add -Pgpu to MAVEN_FLAGS and FLEETPULSE_INFERENCE_PROVIDER=cuda (needs CUDA 12 + cuDNN).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_CASE="${1:-5}"
REGISTRY="${2:-src/test/resources/models}"
MODEL="${3:-scorer}"
mvn -q -B ${MAVEN_FLAGS:-} -f ../pom.xml -pl model-serving -am install -DskipTests
mvn -q -B ${MAVEN_FLAGS:-} test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
java -Xmx2g ${JAVA_OPTS:-} -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  io.fleetpulse.serving.bench.PoolBenchmark "$REGISTRY" "$MODEL" "$SECONDS_PER_CASE"
