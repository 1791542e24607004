#!/usr/bin/env bash
# Issue-4 interpreter check, run by CTest: trains the beats, bells and chords
# recipes briefly, exports each as int8 (float32 and int8 input/output) and as
# float32, runs 1,000 inputs through earshot's runtime/ kernels
# (`earshot invoke`) and through TFLite (ai-edge-litert, reference kernels) and
# TFLite Micro (tflite-micro), and requires int8 outputs equal bit for bit and
# float32 outputs within 1e-5. Also checks that model_data.c holds exactly the
# .tflite bytes, and records TFLite Micro's arena next to earshot's plan.
# Then the same comparison for the graphs tests/tflite/make_graphs.cc writes:
# a two-head model (softmax head and linear head; float, int8 with float32
# and with int8 input/output), int16 and int8 state carried from one
# invocation to the next (the interpreters feed it back; earshot keeps it),
# the int16 ops side by side (general and power-of-two LOGISTIC/TANH input
# scales) and a GRU step of stock ops with its hidden state carried over the
# 1,000 invocations (float, int8, int16). Last, recurrent models exported as a
# step model and a head model (tests/tflite/check_recurrent.py).
#   check_exports.sh EARSHOT_BINARY MAKE_GRAPHS_BINARY [WORK_DIR]
set -euo pipefail
shopt -s nullglob
EARSHOT=$1
MAKE_GRAPHS=$2
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PY=$ROOT/.venv/bin/python
if [[ ! -x $PY ]] || ! $PY -c "import ai_edge_litert, tflite_micro" 2>/dev/null; then
  echo "check_exports: $PY with ai-edge-litert and tflite-micro is missing; run: bash scripts/setup.sh --python" >&2
  exit 1
fi
WORK=${3:-$(mktemp -d)}
mkdir -p "$WORK"
[[ -z ${3:-} ]] && trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

"$EARSHOT" generate bells --out bells-data --seed 5 --count 3 --seconds 40 >/dev/null
"$EARSHOT" train "$ROOT/recipes/bells.toml" --data bells-data --out bells-run --epochs 3 --quiet >/dev/null
"$EARSHOT" train "$ROOT/recipes/beats.toml" --out beats-run --epochs 1 --quiet >/dev/null
"$EARSHOT" train "$ROOT/recipes/chords.toml" --out chords-run --epochs 1 --quiet >/dev/null

status=0
for task in beats:beats bells:normal chords:unit; do
  name=${task%%:*}
  kind=${task#*:}
  for variant in int8:float32 int8:int8 float:float32; do
    type=${variant%%:*}
    io=${variant#*:}
    out=$name-$type-$io
    "$EARSHOT" export "$name-run" --$type --io "$io" --out "$out" --calibration-examples 200 >/dev/null
    # The C array holds exactly the .tflite bytes.
    $PY - "$out/model_data.c" "$out/model.tflite" <<'PYEOF'
import re, sys
src = open(sys.argv[1]).read()
body = src[src.index("{") + 1:src.index("};")]
arr = bytes(int(v, 16) for v in re.findall(r"0x([0-9a-f]{2})", body))
tfl = open(sys.argv[2], "rb").read()
assert arr == tfl, f"{sys.argv[1]}: C array ({len(arr)} bytes) differs from the .tflite ({len(tfl)} bytes)"
assert f"model_tflite_len = {len(tfl)};" in src
PYEOF
    $PY "$ROOT/tests/tflite/compare_interpreters.py" make-inputs "$out/model.tflite" "$kind" "$out/inputs.npy" --n 1000
    # TFLite Micro's reference requantizes with double rounding; TFLite
    # (ai-edge-litert) rounds its dense layers once (TFLITE_SINGLE_ROUNDING).
    # earshot reproduces either.
    "$EARSHOT" invoke "$out/model.tflite" "$out/inputs.npy" --out "$out/earshot" --match tflm --quiet
    "$EARSHOT" invoke "$out/model.tflite" "$out/inputs.npy" --out "$out/earshot_single" --match tflite --quiet
    outs=("$out"/earshot.npy "$out"/earshot.[0-9]*.npy)
    outs_single=("$out"/earshot_single.npy "$out"/earshot_single.[0-9]*.npy)
    arena_args=()
    [[ $type == int8 && $io == int8 ]] && arena_args=(--arena-json "$out/tflm_arena.json")
    echo "== $out"
    if ! $PY "$ROOT/tests/tflite/compare_interpreters.py" "$out/model.tflite" "$out/inputs.npy" "${outs[@]}" \
        --interpreter tflm "${arena_args[@]}"; then
      status=1
    fi
    if ! $PY "$ROOT/tests/tflite/compare_interpreters.py" "$out/model.tflite" "$out/inputs.npy" "${outs_single[@]}" \
        --interpreter tflite; then
      status=1
    fi
    if [[ ${#arena_args[@]} -gt 0 ]]; then
      $PY - "$out/memory.json" "$out/tflm_arena.json" <<'PYEOF'
import json, sys
ours = json.load(open(sys.argv[1]))["total"]
tflm = json.load(open(sys.argv[2]))["tflm"]
head = next(int(l.split()[-2]) for l in tflm["allocations"] if "allocation head" in l)
print(f"arena: earshot plan {ours['arena_bytes']} bytes (+ {ours['op_data_bytes']} op data); "
      f"TFLite Micro head {head} bytes, smallest working arena {tflm['min_arena_bytes']} bytes")
assert ours["arena_bytes"] <= head * 1.03, "earshot's planned arena exceeds TFLite Micro's by more than 3 %"
PYEOF
    fi
  done
done

"$MAKE_GRAPHS" graphs >/dev/null
for out in graphs/*/; do
  out=${out%/}
  echo "== $out"
  $PY "$ROOT/tests/tflite/compare_interpreters.py" make-inputs "$out/model.tflite" normal "$out/inputs.npy" --n 1000
  for match in tflm tflite; do
    "$EARSHOT" invoke "$out/model.tflite" "$out/inputs.npy" --out "$out/earshot_$match" --match $match --quiet
    mapfile -t outs < <(ls "$out"/earshot_$match.npy "$out"/earshot_$match.[0-9]*.npy 2>/dev/null | sort -V)
    interp=$([[ $match == tflm ]] && echo tflm || echo tflite)
    if ! $PY "$ROOT/tests/tflite/compare_interpreters.py" "$out/model.tflite" "$out/inputs.npy" "${outs[@]}" \
        --interpreter "$interp"; then
      status=1
    fi
  done
done
# Recurrent models (issue 11): step.tflite looped with h fed back, then
# head.tflite, in both interpreters, against the outputs of earshot's
# rt::RecurrentStream that the export wrote (tests/tflite/check_recurrent.py):
# the seed's GRU(1) (reset before, one-hot, flatten -> dense as running
# sums), a GRU(4) with reset after over dense input, a SimpleRNN(6) read at
# its last state; two-player recordings from the guitarists generator.
"$EARSHOT" generate guitarists --out players --seed 3 --recordings 4 --seconds 8 >/dev/null
for recipe in gru_seed gru_dense rnn_last; do
  echo "== recurrent $recipe"
  "$EARSHOT" train "$ROOT/tests/tflite/recurrent/$recipe.toml" --data players --out "run-$recipe" --quiet >/dev/null
  "$EARSHOT" export "run-$recipe" --out "recurrent-$recipe" >/dev/null
  $PY "$ROOT/tests/tflite/check_recurrent.py" "recurrent-$recipe" || status=1
done
exit $status
