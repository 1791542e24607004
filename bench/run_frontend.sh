#!/usr/bin/env bash
# Feature-frontend benchmark: earshot vs librosa vs torchaudio, one table.
#
#   bench/run_frontend.sh            # from anywhere; run after scripts/setup.sh
#
# Builds the `release` preset in its own directory, build/bench/build
# (frontend_bench and what it links; other bench targets are left alone, and
# build/release, which other benchmarks use, is not touched), writes 10 minutes of deterministic test audio
# (build/bench/audio.npy, float32 16 kHz), then times on that same signal:
#   * earshot (build/bench/build/bench/frontend_bench): seed-001 spectrum streaming
#     and whole-signal, log-mel with threads 1 and 2;
#   * librosa under the repo venv and torchaudio under Debian's python3, log-mel
#     with the same thread counts;
# and prints the table with earshot/peer ratios from this run.
#
# Environment: REPS (timed runs per case, default 7), AUDIO_SECONDS (600),
# VENV_PY (default .venv/bin/python), TORCH_PY (default /usr/bin/python3),
# BENCH_NICE (e.g. -10: run every timed process, earshot and peers alike, at
# that nice level, so builds of other users on the machine disturb less),
# SKIP_BUILD=1 to reuse the build, NATIVE=1 to build earshot with
# -DEARSHOT_NATIVE=ON (-march=native) in build/bench-native/build and write the
# results to build/bench-native instead.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
REPS="${REPS:-7}"
AUDIO_SECONDS="${AUDIO_SECONDS:-600}"
VENV_PY="${VENV_PY:-$ROOT/.venv/bin/python}"
TORCH_PY="${TORCH_PY:-/usr/bin/python3}"
NATIVE="${NATIVE:-0}"
if [[ "$NATIVE" == 1 ]]; then
  OUT="$ROOT/build/bench-native"
else
  OUT="$ROOT/build/bench"
fi
BUILD_DIR="$OUT/build"
BENCH="$BUILD_DIR/bench/frontend_bench"
THREADS=(1 2)
NICE=()
if [[ -n "${BENCH_NICE:-}" ]]; then NICE=(nice -n "$BENCH_NICE"); fi

say() { printf '\n== %s\n' "$*"; }

say "Machine"
model="$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -n1)"
echo "CPU: ${model:-unknown}, $(nproc) logical CPUs; $(uname -sr)"
echo "compiler: $(c++ --version | head -n1); earshot build: $BUILD_DIR$([[ "$NATIVE" == 1 ]] && echo ' (-march=native)')"
echo "earshot: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet HEAD -- runtime host 2>/dev/null || echo ' (runtime/ or host/ modified in the work tree)')"
# How busy the machine is right now: busy CPU share over 2 s from /proc/stat
# (the load average lags by minutes). Each row of the table also reports the
# CPU other processes used while it ran.
busy_pct() {
  local a b c d e f g h t1 i1 t2 i2
  read -r _ a b c d e f g h _ < /proc/stat; t1=$((a + b + c + d + e + f + g + h)); i1=$((d + e))
  sleep 2
  read -r _ a b c d e f g h _ < /proc/stat; t2=$((a + b + c + d + e + f + g + h)); i2=$((d + e))
  echo $((100 - 100 * (i2 - i1) / (t2 - t1)))
}
busy="$(busy_pct)"
echo "CPU busy before the run: ${busy}% of $(nproc) CPUs (2 s sample)${BENCH_NICE:+; timed processes run at nice $BENCH_NICE}"
if ((busy > 5)); then
  echo "WARNING: other processes are using the CPU; wall times may be pessimistic (see the others' CPU column)."
fi

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  if [[ "$NATIVE" == 1 ]]; then
    say "Build (release preset, -DEARSHOT_NATIVE=ON, in $BUILD_DIR)"
    cmake --preset release -B "$BUILD_DIR" -DEARSHOT_NATIVE=ON
    cmake --build "$BUILD_DIR" -j2 --target frontend_bench
  else
    say "Build (release preset, in $BUILD_DIR)"
    cmake --preset release -B "$BUILD_DIR"
    cmake --build "$BUILD_DIR" -j2 --target frontend_bench
  fi
fi
[[ -x "$BENCH" ]] || { echo "error: $BENCH was not built (is EARSHOT_BUILD_BENCH on?)" >&2; exit 1; }

mkdir -p "$OUT"
AUDIO="$OUT/audio.npy"
MEL="$OUT/earshot_logmel.npy"
rm -f "$OUT/earshot.json" "$OUT/peers.json"

say "Test audio"
"$BENCH" generate "$AUDIO" --seconds "$AUDIO_SECONDS"

say "earshot"
"${NICE[@]}" "$BENCH" run --audio "$AUDIO" --reps "$REPS" --mel-out "$MEL" --json "$OUT/earshot.json"

# Peers. Each runs in its own process per thread count (thread limits must be
# set before numpy / torch start their pools). A missing library is reported
# and skipped; the table then says NOT MEASURED.
have_peer() {  # have_peer <python> <module> <install hint>
  if [[ ! -x "$1" ]]; then
    echo "SKIP: $1 not found; $3"
    return 1
  fi
  if ! "$1" -c "import $2" >/dev/null 2>&1; then
    echo "SKIP: '$2' cannot be imported by $1; $3"
    return 1
  fi
}

say "Peers"
run_librosa=0
run_torch=0
have_peer "$VENV_PY" librosa "create the venv with scripts/setup.sh (librosa 0.11) or set VENV_PY" && run_librosa=1
have_peer "$TORCH_PY" torchaudio "apt-get install python3-torchaudio (Debian: torch 1.13, torchaudio 0.13) or set TORCH_PY" && run_torch=1
for t in "${THREADS[@]}"; do
  if [[ $run_librosa == 1 ]]; then
    "${NICE[@]}" "$VENV_PY" bench/peers/logmel_peers.py --peer librosa --audio "$AUDIO" --threads "$t" --reps "$REPS" \
      --reference "$MEL" --json "$OUT/peers.json"
  fi
  if [[ $run_torch == 1 ]]; then
    "${NICE[@]}" "$TORCH_PY" bench/peers/logmel_peers.py --peer torchaudio --audio "$AUDIO" --threads "$t" --reps "$REPS" \
      --reference "$MEL" --json "$OUT/peers.json"
  fi
done

say "Results"
REPORT_PY="$(command -v python3 || echo "$VENV_PY")"
"$REPORT_PY" bench/report_frontend.py "$OUT/earshot.json" "$OUT/peers.json" | tee "$OUT/frontend_report.md"
echo
echo "(table saved to $OUT/frontend_report.md; raw timings in $OUT/earshot.json and $OUT/peers.json)"
