#!/usr/bin/env bash
# Installs every Debian 12 package puppies needs to build, test and run its demo.
# Idempotent: when all packages are already installed it exits at once.
# Extra package names given as arguments are installed too (scripts/fuzz.sh adds clang).
set -euo pipefail

packages=(
  cmake g++ make pkg-config ccache git
  librocksdb-dev libboost1.81-dev libboost-container1.81-dev libfmt-dev libxxhash-dev libutf8proc-dev
  doctest-dev libbenchmark-dev pybind11-dev python3-dev python3-pytest python3-mypy libcli11-dev zlib1g-dev
  libclang-rt-14-dev  # FuzzedDataProvider.h, for the fuzz_regress_* tests
  "$@"
)

missing=()
for pkg in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#packages[@]} packages already installed"
  exit 0
fi

sudo=()
if ((EUID != 0)); then sudo=(sudo); fi

echo "setup: missing ${missing[*]}; installing"
"${sudo[@]}" apt-get update
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y --no-install-recommends "${packages[@]}"
