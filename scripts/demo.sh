#!/usr/bin/env bash
# The main job: build earshot and run the demo on generated bell recordings.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release --target earshot
./build/release/cli/earshot demo --dir "${EARSHOT_DEMO_DIR:-build/demo}" "$@"
