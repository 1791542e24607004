#!/usr/bin/env python3
"""bench/run_author.sh's helper (seed 003: earshot vs EpyNN vs PyTorch on the
same clips). NumPy only; any python3 with numpy runs it.

    author_bench.py clips --features DIR --out DIR [--shuffle-seed 1] [--samples 256]
        DIR/<class>/<take>.npy, each [clips, 10000] as `earshot features TAKE.wav
        --recipe recipes/author_gru.toml` wrote it (earshot's decimation, per-file
        min-max and np.digitize), in sorted order; labels are the sorted class
        folder names' indices (0 = the first). The (clip, label) pairs are
        shuffled as the seed's prepare_dataset.py does (random.seed(S);
        random.shuffle), the first --samples kept, the first round(2/3 n) are
        training clips, the next round(1/3 n) validation clips (EpyNN's
        split_dataset with relative_size (2, 1, 0)). Writes, in that order:
          train_x.npy, train_y.npy, validation_x.npy, validation_y.npy
            (earshot's `arrays` data source), and
          clips.npy, labels.npy: train then validation, for the peers'
            --clips/--labels with --no-shuffle (their split takes the same
            171 + 85).
    author_bench.py earshot --run RUN --clips-dir DIR --predictions P.json --model M
        --threads T --shuffle-seed S --json OUT
        One record as the peers write it: validation metrics from `earshot
        predict RUN DIR/validation_x.npy --json`, training seconds from the
        run's history.json (the epochs' training loops, without the
        per-epoch validation pass: sum of samples / samples_per_second).
    author_bench.py table JSON... [--markdown]
        The table: tool, model, validation accuracy with its Wilson 95 %
        interval, recall, precision (label 0 positive, EpyNN's convention),
        training seconds, and earshot's speed ratios against EpyNN and PyTorch
        from the same run (same seed, same threads); then the accuracy over
        the shuffle seeds.
"""
from __future__ import annotations

import argparse
import glob
import json
import math
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import author_common as ac  # noqa: E402

TOOLS = ("earshot", "epynn", "pytorch")
TOOL_NAMES = {"earshot": "earshot", "epynn": "EpyNN 1.1.0", "pytorch": "PyTorch 1.13"}


def make_clips(args) -> None:
    import numpy as np

    classes = sorted(d for d in os.listdir(args.features) if os.path.isdir(os.path.join(args.features, d)))
    if len(classes) != 2:
        sys.exit(f"{args.features}: expected 2 class folders, found {classes}")
    pairs = []
    for label, c in enumerate(classes):
        for f in sorted(glob.glob(os.path.join(args.features, c, "*.npy"))):
            x = np.load(f)
            if x.ndim != 2:
                sys.exit(f"{f}: shape {x.shape}, expected [clips, samples]")
            pairs += [(row, label) for row in x]
    random.seed(args.shuffle_seed)
    random.shuffle(pairs)  # prepare_dataset.py: random.shuffle(list(zip(X, Y)))
    pairs = pairs[: args.samples]
    if len(pairs) < args.samples:
        sys.exit(f"only {len(pairs)} clips in {args.features}; the seed keeps {args.samples}: generate more takes")
    n_train, n_val = ac.split(len(pairs))
    X = np.stack([p[0] for p in pairs]).astype(np.int16)
    y = np.array([p[1] for p in pairs], dtype=np.int16)
    if not np.array_equal(X, X.astype(np.float32)) or X.min() < 0 or X.max() > 15:
        sys.exit("clips must hold levels 0..15")
    os.makedirs(args.out, exist_ok=True)
    parts = {"train": slice(0, n_train), "validation": slice(n_train, n_train + n_val)}
    for name, s in parts.items():
        np.save(os.path.join(args.out, f"{name}_x.npy"), X[s])
        np.save(os.path.join(args.out, f"{name}_y.npy"), y[s])
    np.save(os.path.join(args.out, "clips.npy"), X[: n_train + n_val])
    np.save(os.path.join(args.out, "labels.npy"), y[: n_train + n_val])
    info = {"classes": classes, "shuffle_seed": args.shuffle_seed, "n_train": n_train, "n_val": n_val,
            "train_per_class": np.bincount(y[:n_train], minlength=2).tolist(),
            "validation_per_class": np.bincount(y[n_train:n_train + n_val], minlength=2).tolist(),
            "levels_present": np.unique(X).tolist()}
    with open(os.path.join(args.out, "clips.json"), "w") as f:
        json.dump(info, f, indent=2)
    print(f"clips: {len(pairs)} of 10,000 samples, shuffle seed {args.shuffle_seed}: train {n_train} "
          f"{info['train_per_class']}, validation {n_val} {info['validation_per_class']} -> {args.out}")


def earshot_record(args) -> None:
    import numpy as np

    with open(args.predictions) as f:
        pred = json.load(f)["predictions"]
    y_val = np.load(os.path.join(args.clips_dir, "validation_y.npy")).astype(np.int64)
    p = np.array([int(np.argmax(r["scores"])) for r in pred])
    if len(p) != len(y_val):
        sys.exit(f"{len(p)} predictions for {len(y_val)} validation clips")
    with open(os.path.join(args.run, "history.json")) as f:
        hist = json.load(f)
    n_train = int(np.load(os.path.join(args.clips_dir, "train_y.npy")).shape[0])
    train_s = sum(n_train / e["samples_per_second"] for e in hist)
    proc = (None, None)
    if args.time_file:
        with open(args.time_file) as f:
            wall, user, sys_ = (float(v) for v in f.read().split()[-3:])
        proc = (wall, round(user + sys_, 3))
    rec = {
        "framework": "earshot",
        "model": args.model,
        "layers": ac.NAMES[args.model],
        "n_train": n_train,
        "n_val": len(y_val),
        "epochs": len(hist),
        "threads": args.threads,
        "shuffle_seed": args.shuffle_seed,
        "train_s": round(train_s, 4),
        "train_s_with_val": round(sum(e["seconds"] for e in hist), 4),
        # CPU seconds of the whole `earshot train` process (reading the arrays,
        # building the model, every epoch with its validation pass, writing the
        # run): an upper bound on the training loop's CPU time.
        "train_cpu_s": proc[1],
        "process_s": proc[0],
        "process_cpu_s": proc[1],
        "val": ac.metrics(y_val, p),
        "history": hist,
    }
    with open(args.json, "w") as f:
        json.dump({"threads": args.threads, "runs": [rec]}, f, indent=2)


def wilson(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    if n == 0:
        return (float("nan"), float("nan"))
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z / d * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (c - h, c + h)


def fmt(v, spec=".3f") -> str:
    return "–" if v is None else format(v, spec)


def table(args) -> None:
    rows = {}  # (shuffle_seed, threads, tool, model) -> record
    for path in args.json:
        with open(path) as f:
            doc = json.load(f)
        seed = int(os.path.basename(os.path.dirname(path)).split("seed")[-1].split("_")[0])
        for r in doc["runs"]:
            tool = r["framework"]
            rows[(seed, int(doc["threads"]), tool, r["model"])] = r
    if not rows:
        sys.exit("no results")
    md = args.markdown
    out = []
    head = ["seed", "threads", "tool", "model", "val acc [Wilson 95 %]", "recall", "precision", "train s (wall)",
            "train CPU s", "earshot ×faster vs EpyNN: wall / CPU", "vs PyTorch: wall / CPU"]
    if md:
        out.append("| " + " | ".join(head) + " |")
        out.append("|" + "---|" * len(head))
    else:
        out.append(f"{'seed':>4} {'thr':>3} {'tool':<13} {'model':<5} {'val acc':>7} {'[95% CI]':>15} {'recall':>6} "
                   f"{'prec':>6} {'train s':>9} {'CPU s':>8} {'xEpyNN wall/CPU':>16} {'xPyTorch wall/CPU':>18}")
    for (seed, thr) in sorted({(k[0], k[1]) for k in rows}):
        for model in ac.MODELS:
            e = rows.get((seed, thr, "earshot", model))
            for tool in TOOLS:
                r = rows.get((seed, thr, tool, model))
                if r is None:
                    continue
                v = r["val"]
                k = round(v["accuracy"] * r["n_val"])
                lo, hi = wilson(k, r["n_val"])
                ratios = ["", ""]
                if tool == "earshot":
                    for i, peer in enumerate(("epynn", "pytorch")):
                        p = rows.get((seed, thr, peer, model))
                        if p is not None and e["train_s"] > 0:
                            ratios[i] = f"{p['train_s'] / e['train_s']:.0f}×"
                            if p.get("train_cpu_s") and e.get("train_cpu_s"):
                                ratios[i] += f" / {p['train_cpu_s'] / e['train_cpu_s']:.0f}×"
                cells = [str(seed), str(thr), TOOL_NAMES[tool], model, f"{v['accuracy']:.3f}",
                         f"[{lo:.2f}, {hi:.2f}]", fmt(v["recall"]), fmt(v["precision"]), f"{r['train_s']:.3f}",
                         fmt(r.get("train_cpu_s")), *ratios]
                if md:
                    out.append("| " + " | ".join(cells[:4] + [f"{cells[4]} {cells[5]}"] + cells[6:]) + " |")
                else:
                    out.append(f"{cells[0]:>4} {cells[1]:>3} {cells[2]:<13} {cells[3]:<5} {cells[4]:>7} {cells[5]:>15} "
                               f"{cells[6]:>6} {cells[7]:>6} {cells[8]:>9} {cells[9]:>8} {cells[10]:>16} {cells[11]:>18}")
    # Accuracy over the shuffle seeds (each seed's clips and split; the lowest thread count's run).
    seeds = sorted({k[0] for k in rows})
    thr0 = min(k[1] for k in rows)
    out.append("")
    out.append(f"Validation accuracy over shuffle seeds {seeds} ({thr0} thread(s)); majority baseline per seed: " +
               ", ".join(f"{rows[k]['val']['majority_baseline']:.3f}" for k in sorted(rows)
                         if k[1] == thr0 and k[2] == "earshot" and k[3] == "gru"))
    if md:
        out.append("")
        out.append("| model | " + " | ".join(TOOL_NAMES[t] for t in TOOLS) + " |")
        out.append("|---|" + "---|" * len(TOOLS))
    for model in ac.MODELS:
        cells = []
        for tool in TOOLS:
            accs = [rows[(s, thr0, tool, model)]["val"]["accuracy"] for s in seeds if (s, thr0, tool, model) in rows]
            if not accs:
                cells.append("–")
                continue
            mean = sum(accs) / len(accs)
            cells.append(f"{mean:.3f} (" + ", ".join(f"{a:.3f}" for a in accs) + ")")
        if md:
            out.append(f"| {model} | " + " | ".join(cells) + " |")
        else:
            out.append(f"  {model:<4} " + "   ".join(f"{TOOL_NAMES[t]}: {c}" for t, c in zip(TOOLS, cells)))
    print("\n".join(out))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("clips")
    c.add_argument("--features", required=True)
    c.add_argument("--out", required=True)
    c.add_argument("--shuffle-seed", type=int, default=1)
    c.add_argument("--samples", type=int, default=256)
    e = sub.add_parser("earshot")
    e.add_argument("--run", required=True)
    e.add_argument("--clips-dir", required=True)
    e.add_argument("--predictions", required=True)
    e.add_argument("--model", required=True, choices=ac.MODELS)
    e.add_argument("--threads", type=int, required=True)
    e.add_argument("--shuffle-seed", type=int, required=True)
    e.add_argument("--time-file", help="/usr/bin/time -f '%%e %%U %%S' output for the whole earshot train process")
    e.add_argument("--json", required=True)
    t = sub.add_parser("table")
    t.add_argument("json", nargs="+")
    t.add_argument("--markdown", action="store_true")
    args = ap.parse_args()
    {"clips": make_clips, "earshot": earshot_record, "table": table}[args.cmd](args)


if __name__ == "__main__":
    main()
