#!/usr/bin/env bash
# The long crash run (TESTING.md C1, C2, C4, C12): builds puppies_crash as a Release build with
# kill points compiled in (build directory build-crash/; the `release` preset leaves them out) and runs every mode with N kills
# (default 1000): random SIGKILL with sync=false and sync=true, kill points, kills during
# recovery, and restarts with the clock set back. Prints each mode's summary line; on failure,
# the mode prints where it kept the database and the report log. Exit status 1 if any mode failed.
#
#   scripts/crash.sh [--kills N] [--seed S] [--build-dir DIR]
# ctest runs the same modes with fewer kills (label "crash").
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

kills=1000
seed=$(date +%s)
build_dir=build-crash
while (($# > 0)); do
  case "$1" in
    --kills) kills="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --build-dir) build_dir="$2"; shift 2 ;;
    *) echo "usage: $0 [--kills N] [--seed S] [--build-dir DIR]" >&2; exit 2 ;;
  esac
done

bash scripts/setup.sh >/dev/null
if [[ "$build_dir" == build-crash ]]; then
  cmake -S . -B build-crash -DCMAKE_BUILD_TYPE=Release -DPUPPIES_KILL_POINTS=ON \
    -DPUPPIES_BUILD_PYTHON=OFF -DPUPPIES_BUILD_BENCH=OFF >/dev/null
fi
cmake --build "$build_dir" -j2 --target puppies_crash
crash="$build_dir/tests/crash/puppies_crash"

status=0
run() {
  echo "crash.sh: $*" >&2
  # Summary lines, kill point counts, violations and the FAILED line go to stdout.
  "$crash" "$@" --seed "$seed" || status=1
}
run --mode random --sync 0 --kills "$kills"
run --mode random --sync 1 --kills "$kills"
# Half the kills aim at one kill point each (those not fired yet first): with fewer than 100
# kills, coverage is only reported.
if ((kills >= 100)); then
  run --mode killpoint --kills "$kills" --must-hit all
else
  run --mode killpoint --kills "$kills"
fi
run --mode recovery --kills "$kills"
run --mode clock --kills "$kills"
exit "$status"
