#!/usr/bin/env bash
# Issue 5: the generated C++ model (earshot export --format cpp), compiled for
# the host and run by rt::Detector with incremental convolution, gives exactly
# the raw int8 outputs and events of `earshot detect` (the Executor over the
# same int8 graph, recomputing every window in full). Then the generated
# rt::CompiledGraph of the graphs tests/tflite/make_graphs.cc writes (two
# heads; int16 and int8 state carried across invocations; the int16 ops and
# the int8 and int16 GRU steps), fed the same inputs as `earshot invoke`,
# gives its outputs bit for bit.
#   check_codegen.sh EARSHOT_BINARY RUNTIME_LIBRARY MAKE_GRAPHS_BINARY [WORK_DIR]
set -euo pipefail
EARSHOT=$1
RTLIB=$2
MAKE_GRAPHS=$3
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=${4:-$(mktemp -d)}
mkdir -p "$WORK"
[[ -z ${4:-} ]] && trap 'rm -rf "$WORK"' EXIT
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

# Generated graphs: two heads, and state carried from one invocation to the next.
PY=$ROOT/.venv/bin/python  # with NumPy and ai-edge-litert (scripts/setup.sh --python)
"$MAKE_GRAPHS" graphs >/dev/null
for dir in graphs/*/; do
  dir=${dir%/}
  [[ -f $dir/earshot_model.cc ]] || continue
  # shellcheck disable=SC2086
  ${CXX:-c++} -std=c++17 -O1 ${EARSHOT_CXXFLAGS:-} -Wall -Wextra -Werror -I "$ROOT/runtime/include" -I "$dir" \
    "$ROOT/tests/codegen/graph_main.cc" "$dir/earshot_model.cc" "$RTLIB" -lm -o "$dir/run_generated"
  $PY - "$dir/model.tflite" "$dir/inputs.npy" "$dir/inputs.bin" "$ROOT/tests/tflite" <<'PYEOF'
import sys
import numpy as np
sys.path.insert(0, sys.argv[4])
from compare_interpreters import io_layout  # the data input (not state)
from ai_edge_litert.interpreter import Interpreter
model = open(sys.argv[1], "rb").read()
d = Interpreter(model_content=model).get_input_details()[io_layout(model)[0]]
# 200 inputs: N(0, 1) for float inputs, integers in [-100, 100] otherwise.
rng = np.random.default_rng(5)
x = rng.normal(0.0, 1.0, size=(200, int(np.prod(d["shape"])))).astype(np.float32)
if d["dtype"] != np.float32:
    x = rng.integers(-100, 101, size=x.shape).astype(d["dtype"])
np.save(sys.argv[2], x)
x.tofile(sys.argv[3])
PYEOF
  "$EARSHOT" invoke "$dir/model.tflite" "$dir/inputs.npy" --out "$dir/host" --quiet
  "$dir/run_generated" "$dir/inputs.bin" "$dir/generated"
  $PY - "$dir" <<'PYEOF'
import glob, sys
import numpy as np
d = sys.argv[1]
host = sorted(glob.glob(d + "/host*.npy"))
for k, h in enumerate(host):
    want = np.load(h)
    got = np.fromfile(f"{d}/generated.{k}.bin", dtype=want.dtype).reshape(want.shape)
    bad = np.flatnonzero(got.reshape(-1) != want.reshape(-1))
    assert bad.size == 0, f"{d} output {k}: {bad.size} of {want.size} values differ from earshot invoke"
print(f"{d}: generated graph = earshot invoke on {len(host)} outputs, every value equal")
PYEOF
done
