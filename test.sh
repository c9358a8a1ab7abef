#!/usr/bin/env bash
# kubesim quick start, step 2: build and run every test — the cmocka suites, every example in
# configs/, and the notebooks executed headless — through CTest. Warnings are errors here.
# Set BUILD_DIR and extra CMake options (e.g. -DKS_SANITIZE=ON) to build another variant.
set -euo pipefail
cd "$(dirname "$0")"
build="${BUILD_DIR:-build-test}"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" -DKS_WERROR=ON "$@" >/dev/null
cmake --build "$build" -j "$(nproc)"
ctest --test-dir "$build" --output-on-failure -j "$(nproc)"
