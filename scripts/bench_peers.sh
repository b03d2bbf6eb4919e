#!/usr/bin/env bash
# The peer comparison of docs/benchmarks.md: installs the Debian packages it needs, builds
# peers_bench (Release, in build-peers/), starts redis-server and a throw-away PostgreSQL 15
# cluster on 127.0.0.1 (bench/peers/servers.sh), runs the driver against every peer, stops the
# servers, and writes results.json, report.md and the charts (PNG) into the output directory.
#
#   scripts/bench_peers.sh [--smoke|--full] [--durable] [--out DIR] [-- peers_bench flags...]
#
#   --smoke    small graph, every workload once, one repetition (about a minute; what CI runs)
#   --full     Slashdot0902 + synthetic celebrities, 3 interleaved repetitions (the default)
#   --durable  durability class B (fsync per acknowledged write) for every peer
#   --out DIR  where results go (default build-peers/peers-<mode>)
#   CACHE_MB   cache budget per peer in MiB (block cache, SQLite cache_size, PostgreSQL
#              shared_buffers); default 2048 for --full, 256 for --smoke
#   PEERS      comma list of peers to run (default: all seven)
#   after --, flags for peers_bench itself, e.g. -- --workloads W1,W2,W4 --reps 1
#              (W6, 1 then 2 client threads sharing one store, runs by default after W5;
#              -- --w6-seconds S sets the length of each of its runs, -- --workloads W2,W6
#              runs it alone on the loaded graph)
#
# Exit status: the driver's (non-zero on any error or divergence between a peer and the
# expected answers); timings never fail the run.
set -euo pipefail

mode=full
durability=nosync
out=""
extra=()
while (($#)); do
  case $1 in
    --smoke) mode=smoke ;;
    --full) mode=full ;;
    --durable) durability=durable ;;
    --out) out=${2:?--out needs a directory}; shift ;;
    --) shift; extra=("$@"); break ;;
    *) echo "usage: $0 [--smoke|--full] [--durable] [--out DIR] [-- peers_bench flags]" >&2; exit 2 ;;
  esac
  shift
done

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$repo/build-peers
suffix=""
[[ $durability == durable ]] && suffix=-durable
out=${out:-$build/peers-$mode$suffix}
mkdir -p "$out"
out=$(cd "$out" && pwd)

packages=(
  cmake g++ make pkg-config librocksdb-dev libboost1.81-dev libboost-container1.81-dev libfmt-dev
  libxxhash-dev libutf8proc-dev libbenchmark-dev doctest-dev libcli11-dev zlib1g-dev
  redis-server redis-tools libhiredis-dev postgresql-15 libpq-dev libsqlite3-dev gnuplot-nox
)
missing=()
for pkg in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ $status == "install ok installed" ]] || missing+=("$pkg")
done
if ((${#missing[@]})); then
  sudo=()
  ((EUID == 0)) || sudo=(sudo)
  echo "bench_peers: installing ${missing[*]}" >&2
  "${sudo[@]}" apt-get update
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi

cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Release -DPUPPIES_BUILD_PYTHON=OFF >/dev/null
cmake --build "$build" -j2 --target peers_bench

# A short run directory: PostgreSQL's unix socket path must stay under 107 bytes.
rundir=$(mktemp -d /tmp/peers-run-XXXXXX)
# shellcheck source=../bench/peers/servers.sh
source "$repo/bench/peers/servers.sh"
cleanup() {
  peers_stop "$rundir"
  rm -rf "$rundir"
}
trap cleanup EXIT
cache_mb=${CACHE_MB:-$([[ $mode == smoke ]] && echo 256 || echo 2048)}
PEERS_DURABILITY=$durability PEERS_PG_SHARED_BUFFERS_MB=$cache_mb peers_start "$rundir"

revision=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
git -C "$repo" diff --quiet HEAD 2>/dev/null || revision+=" with uncommitted changes"
start=$(date +%s)
status=0
"$build/bench/peers_bench" --preset "$mode" --durability "$durability" \
  --peers "${PEERS:-puppies,rocksdb,sqlite,sqlite_push,redis,pg_pull,pg_push}" \
  --note "source $revision" --cache-mb "$cache_mb" --work-dir "$rundir/work" --json "$out/results.json" "${extra[@]}" ||
  status=$?
echo "bench_peers: driver finished in $(($(date +%s) - start)) s with status $status" >&2

if [[ -f $out/results.json ]]; then
  /usr/bin/python3 "$repo/bench/peers/report.py" "$out/results.json" --out "$out" --charts
  echo "bench_peers: $out/report.md" >&2
fi
exit "$status"
