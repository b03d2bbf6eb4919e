#!/usr/bin/env bash
# The README's test command, and what CI runs. Installs the Debian packages, then:
#   1. configures, builds and tests puppies with the `dev` workflow preset (build/): unit,
#      engine, crash (short), power-loss, I/O-error, fuzz-corpus, Python and bench smoke tests;
#   2. the peer benchmark smoke (scripts/bench_peers.sh --smoke: Redis and PostgreSQL started on
#      127.0.0.1 by the script, every workload once; fails only on errors or divergence);
#   3. 30 s of libFuzzer per target (scripts/fuzz.sh, clang build in build-fuzz/);
#   4. the whole ctest suite again under ASan+UBSan (scripts/sanitize.sh asan-ubsan, build-asan/).
# ctest's summary line of the sanitizer run is printed last. `--quick` runs step 1 only.
# Takes about 40 minutes on 2 cores from scratch; step 1 alone about 10.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

quick=false
case "${1:-}" in
  --quick) quick=true ;;
  "") ;;
  *) echo "usage: $0 [--quick]" >&2; exit 2 ;;
esac

bash scripts/setup.sh
cmake --workflow --preset dev
if $quick; then exit 0; fi

bash scripts/bench_peers.sh --smoke --out build/peers-smoke
FUZZ_JOBS=2 bash scripts/fuzz.sh 30
bash scripts/sanitize.sh asan-ubsan
