#!/usr/bin/env bash
# Configures, builds and tests puppies under the sanitizers, with the CMake presets of the same
# names: asan-ubsan (ASan + UBSan, build-asan/, every ctest test) and tsan (ThreadSanitizer,
# build-tsan/, the concurrency, feed, model and crash tests). Default: all (both, in turn).
# Each build takes several minutes on 2 cores; ctest prints its summary line last.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

usage() { echo "usage: $0 [asan-ubsan|tsan|all]" >&2; exit 2; }
(($# <= 1)) || usage
case "${1:-all}" in
  asan-ubsan) presets=(asan-ubsan) ;;
  tsan) presets=(tsan) ;;
  all) presets=(asan-ubsan tsan) ;;
  *) usage ;;
esac

bash scripts/setup.sh
for preset in "${presets[@]}"; do
  echo "sanitize: $preset"
  cmake --preset "$preset"
  cmake --build --preset "$preset"
  ctest --preset "$preset"
done
