#!/usr/bin/env bash
# Training-speed benchmark: earshot's nn::Trainer vs PyTorch eager (and Keras
# when a TensorFlow venv is there) on the three seed models, one table.
#
#   bench/run_training.sh            # from anywhere
#
# Builds earshot_train_bench with the `release` preset in build/bench-train
# (its own directory: the frontend benchmark uses build/release), then in this same run
# times the beats, bells and chords models (recipes/*.toml [model] / [train])
# on random in-memory data: earshot as built with 1 and 2 trainer threads
# (each step's batch is split into two shards whose gradients are added in a
# fixed order, so both give the same weights; Eigen without OpenMP; its float
# kernels picked at run time, AVX2+FMA when the CPU has them,
# EARSHOT_ISA=portable forces the x86-64 baseline path), PyTorch with
# torch.set_num_threads(1) and (2), Keras with 1 and 2 TensorFlow threads; and
# prints samples/s with earshot/peer ratios (earshot at 2 threads; the targets
# against the faster PyTorch setting).
# See docs/benchmarks_training.md.
#
# Environment: REPS (timed runs per case, default 3), EXAMPLES (20480),
# EPOCHS (2), WARMUP (warm-up batches, 50), TORCH_PY (default /usr/bin/python3,
# Debian's torch 1.13), KERAS_PY (default /tmp/tfvenv/bin/python; a venv with
# `pip install tensorflow-cpu`; skipped when absent), SKIP_BUILD=1 to reuse
# build/bench-train, PORTABLE=0 to skip the extra earshot run with
# EARSHOT_ISA=portable (printed, not in the table), BENCH_NICE (e.g. -10: run every timed process at that nice
# level, the same for all peers, to shield the numbers from other load).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
REPS="${REPS:-3}"
EXAMPLES="${EXAMPLES:-20480}"
EPOCHS="${EPOCHS:-2}"
WARMUP="${WARMUP:-50}"
TORCH_PY="${TORCH_PY:-/usr/bin/python3}"
KERAS_PY="${KERAS_PY:-/tmp/tfvenv/bin/python}"
BUILD_DIR="$ROOT/build/bench-train"
OUT="$BUILD_DIR/results"
BENCH="$BUILD_DIR/bench/earshot_train_bench"
THREADS=(1 2)
COMMON=(--examples "$EXAMPLES" --epochs "$EPOCHS" --reps "$REPS" --warmup-batches "$WARMUP")
NICE=()
if [[ -n "${BENCH_NICE:-}" ]]; then NICE=(nice -n "$BENCH_NICE"); fi

say() { printf '\n== %s\n' "$*"; }

say "Machine"
model="$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -n1)"
mhz="$(sed -n 's/^cpu MHz[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -n1)"
echo "CPU: ${model:-unknown}, $(nproc) logical CPUs, ${mhz:-?} MHz; $(uname -sr)"
echo "compiler: $(c++ --version | head -n1)"
echo "earshot: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet HEAD -- host 2>/dev/null || echo ' (host/ modified in the work tree)')"
read -r load1 _ < /proc/loadavg
echo "load average (1 min): $load1"
if awk -v l="$load1" 'BEGIN { exit !(l > 0.5) }'; then
  echo "WARNING: the machine is busy (load $load1); wall times will be pessimistic (see the cpu/wall table)."
fi

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  say "Build (release preset, $BUILD_DIR)"
  cmake --preset release -B "$BUILD_DIR"
  cmake --build "$BUILD_DIR" --target earshot_train_bench
fi
[[ -x "$BENCH" ]] || { echo "error: $BENCH was not built (is EARSHOT_BUILD_BENCH on?)" >&2; exit 1; }
flags="$(sed -n 's/^CMAKE_CXX_FLAGS_RELEASE:STRING=//p' "$BUILD_DIR/CMakeCache.txt")"
echo "release flags: ${flags:-?} (no -march: x86-64 baseline; the training kernels also in an AVX2+FMA copy, chosen at run time)"

mkdir -p "$OUT"
EJSON="$OUT/train_earshot.json"
PJSON="$OUT/train_peers.json"
rm -f "$EJSON" "$PJSON"

say "earshot"
"${NICE[@]}" "$BENCH" "${COMMON[@]}" --threads 1,2 --json "$EJSON"

if [[ "${PORTABLE:-1}" == 1 ]]; then
  say "earshot, portable kernels (EARSHOT_ISA=portable: what a CPU without AVX2/FMA runs)"
  EARSHOT_ISA=portable "${NICE[@]}" "$BENCH" "${COMMON[@]}" --threads 1,2 --json "$OUT/train_earshot_portable.json"
fi

have_peer() {  # have_peer <python> <module> <hint>
  if [[ ! -x "$1" ]]; then
    echo "SKIP: $1 not found; $3"
    return 1
  fi
  if ! "$1" -c "import $2" >/dev/null 2>&1; then
    echo "SKIP: '$2' cannot be imported by $1; $3"
    return 1
  fi
}

say "Peers (one process per library and thread count)"
run_torch=0
run_keras=0
have_peer "$TORCH_PY" torch "apt-get install python3-torch (Debian: torch 1.13) or set TORCH_PY" && run_torch=1
have_peer "$KERAS_PY" tensorflow "python3 -m venv /tmp/tfvenv && /tmp/tfvenv/bin/pip install tensorflow-cpu, or set KERAS_PY" && run_keras=1
for t in "${THREADS[@]}"; do
  if [[ $run_torch == 1 ]]; then
    "${NICE[@]}" "$TORCH_PY" bench/peers/train_peers.py run --peer torch --threads "$t" "${COMMON[@]}" --json "$PJSON"
  fi
done
for t in "${THREADS[@]}"; do
  if [[ $run_keras == 1 ]]; then
    TF_CPP_MIN_LOG_LEVEL=3 "${NICE[@]}" "$KERAS_PY" bench/peers/train_peers.py run --peer keras --threads "$t" \
      "${COMMON[@]}" --json "$PJSON" 2> >(grep -v -E '^(WARNING: All log messages|I0000|W0000)' >&2)
  fi
done

say "Results"
read -r load1 _ < /proc/loadavg
echo "load average (1 min) after the runs: $load1"
echo
"$(command -v python3 || echo "$TORCH_PY")" bench/peers/train_peers.py report "$EJSON" "$PJSON" | tee "$OUT/training_report.md"
echo
echo "(table saved to $OUT/training_report.md; raw timings in $EJSON and $PJSON)"
