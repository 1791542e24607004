#!/usr/bin/env bash
# Issue 5: the generated C++ model (earshot export --format cpp), compiled for
# the host and run by rt::Detector with incremental convolution, gives exactly
# the raw int8 outputs and events of `earshot detect` (the Executor over the
# same int8 graph, recomputing every window in full).
#   check_codegen.sh EARSHOT_BINARY RUNTIME_LIBRARY [WORK_DIR]
set -euo pipefail
EARSHOT=$1
RTLIB=$2
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=${3:-$(mktemp -d)}
mkdir -p "$WORK"
[[ -z ${3:-} ]] && trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
"$EARSHOT" generate bells --out data --seed 5 --count 3 --seconds 40 >/dev/null
"$EARSHOT" train "$ROOT/recipes/bells.toml" --data data --out run --epochs 3 --quiet >/dev/null
"$EARSHOT" export run --format cpp --out gen >/dev/null
"$EARSHOT" generate bells --out test --seed 9 --count 1 --seconds 30 >/dev/null
# EARSHOT_CXXFLAGS: the flags the runtime library was built with (CTest passes
# them, so an ASan/UBSan build links and runs the harness under the sanitizers).
# shellcheck disable=SC2086
${CXX:-c++} -std=c++17 -O1 ${EARSHOT_CXXFLAGS:-} -Wall -Wextra -Werror -I "$ROOT/runtime/include" -I gen \
  "$ROOT/tests/codegen/detect_main.cc" gen/earshot_model.cc "$RTLIB" -lm -o detect_generated
# 16-bit PCM of the WAV (earshot writes 44-byte RIFF headers; find "data" to be safe).
python3 - test/audio_0.wav test.pcm <<'PYEOF'
import struct, sys
b = open(sys.argv[1], "rb").read()
i = b.index(b"data")
n = struct.unpack("<I", b[i + 4:i + 8])[0]
open(sys.argv[2], "wb").write(b[i + 8:i + 8 + n])
PYEOF
./detect_generated test.pcm > generated.json
"$EARSHOT" detect run test/audio_0.wav --json > host.json
python3 - generated.json host.json <<'PYEOF'
import json, sys
g = json.load(open(sys.argv[1])); h = json.load(open(sys.argv[2]))
assert g["windows"] == h["windows"], (g["windows"], h["windows"])
assert g["outputs"] == h["outputs"], "raw int8 outputs differ: first at window %d" % next(
    i for i, (a, b) in enumerate(zip(g["outputs"], h["outputs"])) if a != b)
ge = [(e["onset_sample"], e["offset_sample"], e["label"]) for e in g["events"]]
he = [(e["onset_sample"], e["offset_sample"], e["label"]) for e in h["events"]]
assert ge == he, (ge, he)
print(f"generated model (incremental) = host executor (full windows): {g['windows']} windows, "
      f"{len(ge)} events, every raw int8 output equal")
PYEOF
