#!/usr/bin/env bash
# Seed 003 side by side: earshot, EpyNN and PyTorch train the seed's three
# models (feed-forward, RNN(1) and GRU(1), each -> Flatten -> Dense(64) ->
# Dropout -> Dense(2), EpyNN's MSE, SGD lr 0.01, batch 16) on the same 256
# clips with the same 171 / 85 split, the same epochs and the same thread
# count, and one table compares validation accuracy, recall, precision and
# training seconds, with earshot's speed ratios from this same run.
#
#   bench/run_author.sh [DATA_DIR]       # from anywhere
#
# 1. Data: DATA_DIR (class folders DIR/<class>/*.wav of 44.1 kHz takes), or
#    when none is given `earshot generate guitarists --out
#    build/author-bench/guitarists --seed 1` (2 players x 8 takes of 20 s,
#    352 clips) unless that folder is there already.
# 2. Clips: `earshot features TAKE.wav --recipe recipes/author_gru.toml` cuts
#    every take as the seed does (every 4th sample, min-max per file,
#    np.digitize to 16 levels, 10,000-sample clips); bench/peers/author_bench.py
#    shuffles them as the seed's prepare_dataset.py (random.seed(S);
#    random.shuffle), keeps 256 and splits 171 / 85, and writes them as .npy.
# 3. Training, for each shuffle seed S in SEEDS and thread count T in THREADS
#    (the first seed at every thread count, the other seeds at the first
#    thread count only, for accuracy); S is also every tool's model seed
#    (initial weights, batch order, dropout; each tool draws its own):
#    - earshot: recipes/author_{ff,rnn,gru}.toml with [data] source =
#      "arrays" on those .npy files (no other change), `earshot train
#      --epochs E --threads T --seed S`; validation metrics from `earshot
#      predict`.
#    - EpyNN 1.1.0: bench/peers/epynn_author.py --no-shuffle (the same order,
#      so its split is the same 171 / 85), in .venv-epynn (made here if
#      missing: numpy<2), OPENBLAS/OMP threads T.
#    - PyTorch 1.13 (Debian's python3-torch): bench/peers/torch_author.py
#      --no-shuffle, torch.set_num_threads(T).
# 4. The table (bench/peers/author_bench.py table), also written to
#    build/author-bench/results/table.txt and table.md.
#
# Training seconds: each tool's training loop only, wall clock. earshot's
# come from the run's history.json (sum over epochs of samples /
# samples_per_second: the epoch's batches, without its validation pass);
# EpyNN's from model.train() with its per-epoch evaluation switched off (the
# one-hot encoding and model.initialize() are outside, and reported in the
# JSON); PyTorch's from its epoch loop (the one-hot tensors made before).
# CPU seconds beside them: the peers' process CPU time over the same loop;
# earshot's of its whole `earshot train` process (/usr/bin/time: reading the
# arrays, every epoch's validation pass and writing the run included), an
# upper bound. On a busy machine the CPU figures are the steadier ones.
#
# Environment: SEEDS (shuffle seeds, default "1 2 3"), THREADS (default
# "1 2"), EPOCHS (default 3, every model: the notebook trains its GRU for 3),
# MODELS (default "ff rnn gru"), PEERS (default "epynn pytorch"), SEED_PEERS
# (the peers for the seeds after the first; default PEERS), KEEP_RESULTS=1
# (add to build/author-bench/results instead of starting it afresh),
# EARSHOT (an earshot binary; default: build the `release` preset's CLI in
# build/release), TORCH_PY (default /usr/bin/python3, with numpy; it also
# runs bench/peers/author_bench.py), EPYNN_VENV (default
# .venv-epynn), BENCH_NICE (e.g. -10: every timed process at that nice level).
# See docs/benchmarks.md, "Seed 003: earshot vs EpyNN vs PyTorch".
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
WORK="$ROOT/build/author-bench"
OUT="$WORK/results"
SEEDS=(${SEEDS:-1 2 3})
THREADS=(${THREADS:-1 2})
EPOCHS="${EPOCHS:-3}"
MODELS=(${MODELS:-ff rnn gru})
PEERS=(${PEERS-epynn pytorch})
SEED_PEERS=(${SEED_PEERS-${PEERS[*]}})
TORCH_PY="${TORCH_PY:-/usr/bin/python3}"
EPYNN_VENV="${EPYNN_VENV:-$ROOT/.venv-epynn}"
NICE=()
if [[ -n "${BENCH_NICE:-}" ]]; then NICE=(nice -n "$BENCH_NICE"); fi
DATA="${1:-}"

say() { printf '\n== %s [%s]\n' "$*" "$(date -u +%H:%M:%S)"; }

say "Machine"
echo "CPU: $(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -n1), $(nproc) logical CPUs; $(uname -sr)"
echo "earshot: $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- host cli 2>/dev/null || echo ' (host/ or cli/ modified)')"
read -r load1 _ < /proc/loadavg
echo "load average (1 min): $load1"
if awk -v l="$load1" 'BEGIN { exit !(l > 0.5) }'; then
  echo "WARNING: the machine is busy (load $load1); wall times are pessimistic for every tool."
fi

if [[ -z "${EARSHOT:-}" ]]; then
  say "Build the earshot CLI (release preset, build/release)"
  cmake --preset release >/dev/null
  cmake --build --preset release --target earshot -j2
  EARSHOT="$ROOT/build/release/cli/earshot"
fi
[[ -x "$EARSHOT" ]] || { echo "error: no earshot binary at $EARSHOT" >&2; exit 1; }
echo "earshot binary: $EARSHOT"

say "Python environments"
"$TORCH_PY" -c 'import torch, numpy; print("PyTorch", torch.__version__, "numpy", numpy.__version__)'
if [[ " ${PEERS[*]} " == *" epynn "* ]]; then
  if [[ ! -d "$EPYNN_VENV/src/EpyNN/epynn" ]]; then
    echo "making $EPYNN_VENV (EpyNN 1.1.0 needs numpy<2; bench/peers/epynn_author.py)"
    python3 -m venv "$EPYNN_VENV"
    "$EPYNN_VENV/bin/pip" install -q epynn "numpy<2" termcolor tabulate texttable matplotlib pygments
    mkdir -p "$EPYNN_VENV/src"
    tar -xf "$EPYNN_VENV"/lib/python3*/site-packages/EpyNN/EpyNN.tar -C "$EPYNN_VENV/src"
  fi
  "$EPYNN_VENV/bin/python" -c 'import numpy; print("EpyNN venv: numpy", numpy.__version__)'
fi

if [[ -z "$DATA" ]]; then
  DATA="$WORK/guitarists"
  if [[ ! -d "$DATA" ]]; then
    say "Generate two players (earshot generate guitarists --seed 1)"
    "$EARSHOT" generate guitarists --out "$DATA" --seed 1
  fi
fi
echo "data: $DATA"

say "Clips: earshot features per take (recipes/author_gru.toml's preprocessing)"
FEAT="$WORK/features"
rm -rf "$FEAT"
n=0
for wav in "$DATA"/*/*.wav; do
  cls="$(basename "$(dirname "$wav")")"
  mkdir -p "$FEAT/$cls"
  "$EARSHOT" features "$wav" --recipe recipes/author_gru.toml --out "$FEAT/$cls/$(basename "$wav" .wav).npy" >/dev/null
  n=$((n + 1))
done
echo "$n takes cut into clips under $FEAT"

# The recipe as shipped, with its [data] table replaced by the arrays source.
bench_recipe() {  # bench_recipe <model> -> path
  local src="recipes/author_$1.toml" dst="$WORK/recipes/author_$1.toml"
  mkdir -p "$WORK/recipes"
  awk '/^\[data\]/ { skip = 1; next } /^\[/ { skip = 0 } !skip' "$src" > "$dst"
  printf '\n[data]\nsource = "arrays"\n' >> "$dst"
  echo "$dst"
}

[[ "${KEEP_RESULTS:-0}" == 1 ]] || rm -rf "$OUT"
mkdir -p "$OUT" "$WORK/runs"
for seed in "${SEEDS[@]}"; do
  CLIPS="$WORK/clips/seed$seed"
  "$TORCH_PY" bench/peers/author_bench.py clips --features "$FEAT" --out "$CLIPS" --shuffle-seed "$seed"
  seed_threads=("${THREADS[@]}")
  peers=("${PEERS[@]}")
  if [[ "$seed" != "${SEEDS[0]}" ]]; then  # other seeds: for accuracy only
    seed_threads=("${THREADS[0]}")
    peers=("${SEED_PEERS[@]}")
  fi
  for t in "${seed_threads[@]}"; do
    RES="$OUT/seed${seed}_t$t"
    mkdir -p "$RES"
    for m in "${MODELS[@]}"; do
      say "earshot $m, seed $seed, $t thread(s), $EPOCHS epochs"
      run="$WORK/runs/seed${seed}_t${t}_$m"
      rm -rf "$run"
      recipe="$(bench_recipe "$m")"
      /usr/bin/time -f '%e %U %S' -o "$WORK/runs/time_$m" "${NICE[@]}" "$EARSHOT" train "$recipe" --data "$CLIPS" \
        --out "$run" --epochs "$EPOCHS" --threads "$t" --seed "$seed"
      "$EARSHOT" predict "$run" "$CLIPS/validation_x.npy" --json > "$run/validation_predictions.json"
      "$TORCH_PY" bench/peers/author_bench.py earshot --run "$run" --clips-dir "$CLIPS" --model "$m" --threads "$t" \
        --shuffle-seed "$seed" --predictions "$run/validation_predictions.json" \
        --time-file "$WORK/runs/time_$m" --json "$RES/earshot_$m.json"
    done
    for peer in "${peers[@]}"; do
      for m in "${MODELS[@]}"; do
        say "$peer $m, seed $seed, $t thread(s), $EPOCHS epochs (EpyNN's GRU takes about a minute, PyTorch's two)"
        args=(--clips "$CLIPS/clips.npy" --labels "$CLIPS/labels.npy" --no-shuffle --model "$m" --epochs "$EPOCHS"
          --threads "$t" --seed "$seed" --json "$RES/${peer}_$m.json")
        if [[ "$peer" == epynn ]]; then
          "${NICE[@]}" "$EPYNN_VENV/bin/python" bench/peers/epynn_author.py "${args[@]}" > /dev/null
        else
          "${NICE[@]}" "$TORCH_PY" bench/peers/torch_author.py "${args[@]}" > /dev/null
        fi
        "$TORCH_PY" -c 'import json, sys; r = json.load(open(sys.argv[1]))["runs"][0]; v = r["val"]["accuracy"]
print("train", r["train_s"], "s wall,", r["train_cpu_s"], "s CPU; validation accuracy", round(v, 3))' "$RES/${peer}_$m.json"
      done
    done
  done
done

say "Results (recall and precision: label 0 = '$("$TORCH_PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["classes"][0])' "$WORK/clips/seed${SEEDS[0]}/clips.json")' is the positive class, EpyNN's convention)"
read -r load1 _ < /proc/loadavg
echo "load average at the end (1 min): $load1"
"$TORCH_PY" bench/peers/author_bench.py table "$OUT"/*/*.json | tee "$OUT/table.txt"
"$TORCH_PY" bench/peers/author_bench.py table --markdown "$OUT"/*/*.json > "$OUT/table.md"
echo "markdown: $OUT/table.md"
