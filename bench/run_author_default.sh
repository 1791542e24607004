#!/usr/bin/env bash
# The default guitarist recipe's figures, with one command: recipes/author_default.toml
# trained with 5 seeds on generated two-player takes split by recording,
# scored on its test takes and on takes rendered elsewhere (another
# SoundFont, another generator seed), with Wilson 95% intervals.
#
#   bench/run_author_default.sh             # from anywhere; see docs/recipes.md
#
# Environment: EARSHOT (default build/dev/cli/earshot), RECIPE
# (recipes/author_default.toml), OUT (out/author_default: data, runs,
# results.json), SEEDS ("1 2 3 4 5"), THREADS (2), RECORDINGS (80 takes per
# player), SECONDS (10 per take), ELSEWHERE_RECORDINGS (15 per player),
# ELSEWHERE_SOUNDFONT (TimGM6mb, Debian timgm6mb-soundfont), DATA_SEED (1),
# ELSEWHERE_SEED (2). Data already in OUT is reused (delete it to
# regenerate).
#
# Intervals: Wilson score intervals at 95% over the clips of one run
# (clips of one take are not independent, so these are narrow), and the
# same accuracy counted over takes instead of clips (n = takes: the
# conservative end). The 5 seeds give the spread due to training.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
EARSHOT="${EARSHOT:-$ROOT/build/dev/cli/earshot}"
RECIPE="${RECIPE:-$ROOT/recipes/author_default.toml}"
OUT="${OUT:-$ROOT/out/author_default}"
SEEDS="${SEEDS:-1 2 3 4 5}"
THREADS="${THREADS:-2}"
RECORDINGS="${RECORDINGS:-80}"
SECONDS_PER_TAKE="${SECONDS:-10}"
ELSEWHERE_RECORDINGS="${ELSEWHERE_RECORDINGS:-15}"
ELSEWHERE_SOUNDFONT="${ELSEWHERE_SOUNDFONT:-/usr/share/sounds/sf2/TimGM6mb.sf2}"
DATA_SEED="${DATA_SEED:-1}"
ELSEWHERE_SEED="${ELSEWHERE_SEED:-2}"

[[ -x "$EARSHOT" ]] || { echo "no $EARSHOT: cmake --preset dev && cmake --build --preset dev -j2" >&2; exit 1; }
mkdir -p "$OUT/runs"
DATA="$OUT/data"
ELSEWHERE="$OUT/elsewhere"
if [[ ! -f "$DATA/takes.csv" ]]; then
  echo "== generating $DATA: $RECORDINGS takes of $SECONDS_PER_TAKE s per player, seed $DATA_SEED"
  "$EARSHOT" generate guitarists --out "$DATA" --seed "$DATA_SEED" --recordings "$RECORDINGS" \
    --seconds "$SECONDS_PER_TAKE"
fi
if [[ ! -f "$ELSEWHERE/takes.csv" ]]; then
  echo "== generating $ELSEWHERE: $ELSEWHERE_RECORDINGS takes per player, $ELSEWHERE_SOUNDFONT, seed $ELSEWHERE_SEED"
  "$EARSHOT" generate guitarists --out "$ELSEWHERE" --seed "$ELSEWHERE_SEED" \
    --recordings "$ELSEWHERE_RECORDINGS" --seconds "$SECONDS_PER_TAKE" --soundfont "$ELSEWHERE_SOUNDFONT"
fi

for seed in $SEEDS; do
  run="$OUT/runs/seed$seed"
  echo "== seed $seed: train ($THREADS threads)"
  rm -rf "$run"
  # wall and CPU (user + system) seconds of the whole training command,
  # features included; on a shared machine the CPU time is the steadier figure
  /usr/bin/time -f "%e %U %S" -o "$run.time" \
    "$EARSHOT" train "$RECIPE" --data "$DATA" --out "$run" --seed "$seed" --threads "$THREADS" --quiet
  mv "$run.time" "$run/train_time.txt"
  "$EARSHOT" eval "$run" --threads "$THREADS" --json > "$run/eval_test.json"
  "$EARSHOT" eval "$run" --data "$ELSEWHERE" --threads "$THREADS" --json > "$run/eval_elsewhere.json"
done

python3 - "$OUT" "$SEEDS" "$RECORDINGS" "$ELSEWHERE_RECORDINGS" <<'PY'
import json, math, statistics, sys
out, seeds = sys.argv[1], sys.argv[2].split()

def wilson(p, n, z=1.959964):
    if n == 0:
        return (float("nan"), float("nan"))
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z / d * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (c - h, c + h)

def fmt(p, n, takes):
    lo, hi = wilson(p, n)
    tlo, thi = wilson(p, takes)
    return f"{p:.3f} [{lo:.3f}, {hi:.3f}] (takes: [{tlo:.3f}, {thi:.3f}])"

def clips(ev):
    return sum(sum(row) for row in ev["confusion"]["matrix"])

rows, summary = [], {}
for s in seeds:
    run = f"{out}/runs/seed{s}"
    info = json.load(open(f"{run}/run.json"))
    hist = json.load(open(f"{run}/history.json"))
    best = info.get("best_epoch", -1)
    # history.json: one row per epoch; the weights kept are the best epoch's (by val_loss)
    row = next((r for r in hist if r.get("epoch") == best), hist[-1])
    val = row.get("val_accuracy")
    split = info.get("split", {})
    def takes(name):
        sp = split.get(name, {})
        r = sp.get("recordings")
        if isinstance(r, dict):
            return sum(r.values())
        if isinstance(r, list):
            return sum(r)
        return r or 0
    ev_t = json.load(open(f"{run}/eval_test.json"))
    ev_e = json.load(open(f"{run}/eval_elsewhere.json"))
    wall, user, system = (float(v) for v in open(f"{run}/train_time.txt").read().split()[-3:])
    rows.append(dict(seed=int(s), best_epoch=best, val=val, val_takes=takes("validation"),
                     val_n=sum(split.get("validation", {}).get("clips", {}).values()),
                     test=ev_t["confusion"]["accuracy"], test_n=clips(ev_t), test_takes=takes("test"),
                     elsewhere=ev_e["confusion"]["accuracy"], elsewhere_n=clips(ev_e),
                     elsewhere_takes=2 * int(sys.argv[4]), train_seconds=wall, train_cpu_seconds=user + system))

print()
print("| seed | best epoch | validation (clips, 95% Wilson) | test (clips, 95% Wilson) | elsewhere (clips, 95% Wilson) | train wall s | train CPU s |")
print("|---|---|---|---|---|---|---|")
for r in rows:
    v = fmt(r["val"], r["val_n"], r["val_takes"]) if r["val"] is not None else "?"
    print(f"| {r['seed']} | {r['best_epoch']} | {v} | {fmt(r['test'], r['test_n'], r['test_takes'])} | "
          f"{fmt(r['elsewhere'], r['elsewhere_n'], r['elsewhere_takes'])} | {r['train_seconds']:.0f} | {r['train_cpu_seconds']:.0f} |")
for key in ("val", "test", "elsewhere"):
    xs = [r[key] for r in rows if r[key] is not None]
    if not xs:
        continue
    m = statistics.mean(xs)
    sd = statistics.stdev(xs) if len(xs) > 1 else 0.0
    n = rows[0].get(f"{key}_n", 0)
    summary[key] = dict(mean=m, sd=sd, min=min(xs), max=max(xs))
    line = f"{key}: mean {m:.3f} sd {sd:.3f} (min {min(xs):.3f}, max {max(xs):.3f})"
    if n:
        lo, hi = wilson(m, n)
        summary[key].update(n=n, wilson=[lo, hi])
        line += f"; Wilson 95% on the mean over {n} clips: [{lo:.3f}, {hi:.3f}]"
    print(line)
t = [r["train_seconds"] for r in rows]
c = [r["train_cpu_seconds"] for r in rows]
print(f"training wall time: mean {statistics.mean(t):.0f} s (min {min(t):.0f}, max {max(t):.0f}); "
      f"CPU time: mean {statistics.mean(c):.0f} s")
json.dump(dict(rows=rows, summary=summary), open(f"{out}/results.json", "w"), indent=2)
PY
