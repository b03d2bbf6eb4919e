#!/usr/bin/env bash
# Installs the Debian packages, builds the `puppies` tool (Release, build-release/) and runs
# `puppies demo`: the facebook graph plus a celebrity, posts, feeds and a consistency check,
# on a fresh temporary database that is removed afterwards. Extra arguments go to the demo.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh
cmake --preset release
cmake --build --preset release --target puppies_cli
build-release/src/cli/puppies demo "$@"
