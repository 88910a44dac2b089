#!/usr/bin/env bash
# The same benchmark as pool-benchmark.sh with ONNX Runtime's CUDA build (Maven profile `gpu`) and
# CUDA selected strictly, so a machine without a working CUDA 12 + cuDNN fails loudly instead of
# quietly measuring the CPU. Prepared, not yet run: no CUDA machine has been available.
# Usage: model-serving/bench/pool-benchmark-gpu.sh [seconds per case=5] [registry dir] [model]
set -euo pipefail
cd "$(dirname "$0")"
MAVEN_FLAGS="-Pgpu ${MAVEN_FLAGS:-}" \
FLEETPULSE_INFERENCE_PROVIDER=cuda \
JAVA_OPTS="-Dfleetpulse.serving.execution.strict=true ${JAVA_OPTS:-}" \
  ./pool-benchmark.sh "$@"
