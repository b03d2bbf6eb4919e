#!/usr/bin/env bash
# Installs the Debian packages, then configures, builds and tests puppies with the `dev`
# workflow preset (build directory: build/). ctest prints its summary line last.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh
cmake --workflow --preset dev
