#!/usr/bin/env bash
# Builds the libFuzzer targets with the `fuzz` preset (clang++ 14, ASan + UBSan, build-fuzz/)
# and runs each one for SECONDS (default 30) on a fresh copy of its committed corpus
# (tests/fuzz/corpus/<target>/), then prints one summary line per target and exits non-zero
# if any target crashed. Crash inputs and logs stay in build-fuzz/fuzz-runs/<target>/; to keep
# one as a regression input, copy it into tests/fuzz/corpus/<target>/.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]      e.g. scripts/fuzz.sh 900 fuzz_engine_model
#   FUZZ_JOBS=2 scripts/fuzz.sh 900            two targets at a time (one core each)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds=${1:-30}
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "usage: $0 [SECONDS] [TARGET...]" >&2; exit 2; }
shift $(($# > 0 ? 1 : 0))
targets=("$@")
((${#targets[@]})) || targets=(fuzz_cursor fuzz_records fuzz_validation fuzz_engine_model)
jobs=${FUZZ_JOBS:-1}
runs=build-fuzz/fuzz-runs

bash scripts/setup.sh clang libclang-rt-14-dev libfuzzer-14-dev
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz

# Flags per target, on top of the common ones below.
extra_flags() {
  case "$1" in
    # The engine keeps RocksDB state across inputs, so every input "allocates more than it
    # frees" and libFuzzer would run a full leak scan after each one (3x slower). Leaks are
    # still caught by fuzz_regress_fuzz_engine_model in the asan-ubsan preset. At ~60 exec/s
    # libFuzzer's slow input-length growth would keep inputs under ~80 bytes (~30 operations)
    # for a whole 15-minute run: allow 512 bytes (64 operations) from the start.
    fuzz_engine_model) echo "-detect_leaks=0 -len_control=0 -max_len=512" ;;
  esac
  [[ -f "tests/fuzz/$1.dict" ]] && echo "-dict=tests/fuzz/$1.dict"
  return 0
}

run_one() {
  local target=$1 dir="$runs/$1"
  rm -rf "$dir"
  mkdir -p "$dir/corpus" "$dir/tmp"
  cp tests/fuzz/corpus/"$target"/* "$dir/corpus/"
  # TMPDIR: the engine target's databases go here (and are left behind only by a crash).
  local code=0
  # shellcheck disable=SC2046
  TMPDIR="$PWD/$dir/tmp" "build-fuzz/tests/fuzz/$target" -max_total_time="$seconds" \
    -timeout=60 -print_final_stats=1 -artifact_prefix="$dir/" $(extra_flags "$target") \
    "$dir/corpus" >"$dir/log" 2>&1 || code=$?
  echo "$code" >"$dir/exit_code"
}

summary() {
  local target=$1 dir="$runs/$1"
  local execs rate cov ft files kb crashes code
  execs=$(awk '/stat::number_of_executed_units/ {print $2}' "$dir/log" | tail -1)
  rate=$(awk '/stat::average_exec_per_sec/ {print $2}' "$dir/log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$dir/log" | tail -1 | cut -d' ' -f2)
  ft=$(grep -o 'ft: [0-9]*' "$dir/log" | tail -1 | cut -d' ' -f2)
  files=$(find "$dir/corpus" -type f | wc -l)
  kb=$(($(du -sb "$dir/corpus" | cut -f1) / 1024))
  crashes=$(find "$dir" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' \
    -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
  code=$(cat "$dir/exit_code")
  if ((code != 0 && crashes == 0)); then crashes=1; fi
  printf '%-18s %5s s %10s execs %7s exec/s  cov %5s  ft %6s  corpus %4s files %5s KB  crashes %s\n' \
    "$target" "$seconds" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "$files" "$kb" "$crashes"
  ((crashes == 0))
}

echo "fuzz: ${#targets[@]} target(s), ${seconds} s each, ${jobs} at a time; logs in $runs/"
for target in "${targets[@]}"; do
  while (($(jobs -rp | wc -l) >= jobs)); do wait -n || true; done
  run_one "$target" &
done
wait

failed=0
for target in "${targets[@]}"; do summary "$target" || failed=1; done
if ((failed)); then
  echo "fuzz: crashes found; see $runs/<target>/log and the crash-* inputs beside it" >&2
fi
exit "$failed"
