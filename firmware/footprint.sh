#!/usr/bin/env bash
# Footprint of the bell detector's firmware (issue 5, item 6), measured on the
# mps2-an386 build under QEMU:
#   flash: code and constants per part (runtime/, generated model, app, C library)
#   RAM:   .data + .bss, the detector's memory (frontend + ring + model arena),
#          stack (measured high-water mark and worst case from -fcallgraph-info)
#   compute: instructions per inference (QEMU -icount shift=0: SysTick ticks
#          are a fixed number of instructions, calibrated by a known loop),
#          MACs per instruction in total and per op (single-step trace of one
#          inference), for -Os (MinSizeRel, as the cortex-m4 preset) and -O2
#   TFLite Micro for the same model: its arena (tests/tflite/compare_interpreters.py,
#          when .venv has tflite-micro)
#
#   firmware/footprint.sh EARSHOT_BINARY [RUN_DIR] [WORK_DIR]
# Without RUN_DIR it trains the bell recipe briefly (3 epochs on generated
# recordings): sizes and instruction counts depend on the shapes, not on the
# weights' values.
set -euo pipefail
EARSHOT=$(realpath "$1")
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUN=${2:-}
WORK=${3:-$(mktemp -d)}
mkdir -p "$WORK"
[[ -z ${3:-} ]] && trap 'rm -rf "$WORK"' EXIT
[[ -n $RUN ]] && RUN=$(realpath "$RUN")
cd "$WORK"

if [[ -z $RUN ]]; then
  "$EARSHOT" generate bells --out bells-data --seed 5 --count 3 --seconds 40 >/dev/null
  "$EARSHOT" train "$ROOT/recipes/bells.toml" --data bells-data --out bells-run --epochs 3 --quiet >/dev/null
  RUN=$WORK/bells-run
fi
"$EARSHOT" export "$RUN" --format cpp --out model-cpp >/dev/null
"$EARSHOT" export "$RUN" --io int8 --out model-tflite >/dev/null  # same graph, as .tflite, for TFLite Micro
"$EARSHOT" generate bells --out test-rec --seed 9 --count 1 --seconds 20 >/dev/null

build() {  # dir build_type trace
  cmake -S "$ROOT/firmware/mps2-an386" -B "$1" -G Ninja -DCMAKE_BUILD_TYPE="$2" -DEARSHOT_FW_TRACE="$3" \
        -DEARSHOT_MODEL_DIR="$WORK/model-cpp" -DEARSHOT_RECORDING="$WORK/test-rec/audio_0.wav" >"$1.log" 2>&1
  cmake --build "$1" -j 2 >>"$1.log" 2>&1 || { cat "$1.log" >&2; exit 1; }
}
qemu() {  # elf out [extra args]
  local elf=$1 out=$2
  shift 2
  timeout 600 qemu-system-arm -M mps2-an386 -nographic -semihosting "$@" -kernel "$elf" </dev/null >"$out"
}

for opt in MinSizeRel:Os Release:O2; do
  type=${opt%%:*}
  tag=${opt#*:}
  build "fw-$tag" "$type" OFF
  build "fw-$tag-trace" "$type" ON
  qemu "fw-$tag/earshot_fw.elf" "run-$tag.txt" -icount shift=0
  qemu "fw-$tag-trace/earshot_fw.elf" "trace-$tag.txt" -icount shift=0 -singlestep -d exec,nochain -D "trace-$tag.log"
done

TFLM_JSON=""
PY=$ROOT/.venv/bin/python
if [[ -x $PY ]] && $PY -c "import tflite_micro" 2>/dev/null; then
  $PY "$ROOT/tests/tflite/compare_interpreters.py" make-inputs model-tflite/model.tflite normal inputs.npy --n 20
  "$EARSHOT" invoke model-tflite/model.tflite inputs.npy --out earshot-out --match tflm --quiet
  $PY "$ROOT/tests/tflite/compare_interpreters.py" model-tflite/model.tflite inputs.npy earshot-out.npy \
      --interpreter tflm --arena-json tflm_arena.json >tflm.log
  TFLM_JSON=tflm_arena.json
fi

python3 "$ROOT/firmware/tools/footprint_report.py" --work "$WORK" --root "$ROOT" --memory model-cpp/memory.json --export-json model-cpp/export.json \
  ${TFLM_JSON:+--tflm "$TFLM_JSON"} --tflite model-tflite/model.tflite
