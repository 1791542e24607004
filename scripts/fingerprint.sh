#!/usr/bin/env bash
# Trains beats, bells and chords at their recipes' seeds, exports every format,
# and prints a sha256 per file: weights, .tflite, C and generated C++. Two runs
# of this script from two commits must print the same lines when a change is
# meant to leave behaviour alone (refactors). Usage:
#   scripts/fingerprint.sh [BUILD_DIR] [WORK_DIR] > hashes.txt
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-build/dev}
W=${2:-build/fingerprint}
E=$B/cli/earshot
rm -rf "$W"; mkdir -p "$W"
$E generate bells --out "$W/bells-data" --seed 1 --recordings 60 --seconds 60 >/dev/null
for r in beats bells chords; do
  data=(); [[ $r == bells ]] && data=(--data "$W/bells-data")
  $E train recipes/$r.toml "${data[@]}" --out "$W/$r" >/dev/null
  fmt=tflite,c,cpp
  $E export "$W/$r" --format $fmt --out "$W/$r/export-int8" >/dev/null
  $E export "$W/$r" --format $fmt --io int8 --out "$W/$r/export-int8io" >/dev/null
  $E export "$W/$r" --float --format tflite,c --out "$W/$r/export-float" >/dev/null
done
cd "$W"
find . -path ./bells-data -prune -o -type f \( -name '*.safetensors' -o -name '*.tflite' \
  -o -name '*.c' -o -name '*.h' -o -name '*.cc' -o -name '*.npy' \) -print | sort | xargs sha256sum
