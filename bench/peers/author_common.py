"""Shared by bench/peers/epynn_author.py and torch_author.py (seed 003, "which
guitarist is playing"): the clips, the seed's shuffle and split, the one-hot
depth, synthetic clips, the metrics and the JSON record. NumPy only.

Data: --clips CLIPS.npy, integer digitised clips [N, steps] (the seed's 16
levels), and --labels LABELS.npy [N] in {0, 1} (0 = the "true" author, which
EpyNN's recall and precision count as the positive class). Without --clips,
synthetic clips are made (see synthetic_clips).

Order and split, as the seed: the (clip, label) pairs are shuffled with
Python's random.seed(S); random.shuffle (prepare_dataset.py; --no-shuffle
keeps the file order), the first --samples are kept (the seed keeps 256),
then EpyNN's Embedding split_dataset() with relative sizes (2, 1, 0): the
first round(2/3 n) train, the next round(1/3 n) validation, no test set.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys

MODELS = ("ff", "rnn", "gru")
NAMES = {
    "ff": "Flatten-Dense(64,relu)-Dropout(0.5)-Dense(2,softmax)",
    "rnn": "RNN(1,seq)-Flatten-Dense(64,relu)-Dropout(0.5)-Dense(2,softmax)",
    "gru": "GRU(1,seq)-Flatten-Dense(64,relu)-Dropout(0.5)-Dense(2,softmax)",
}


def add_arguments(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--clips", help="int digitised clips [N, steps] (.npy); default: synthetic")
    ap.add_argument("--labels", help="labels [N] in {0, 1} (.npy); required with --clips")
    ap.add_argument("--model", choices=MODELS + ("all",), default="all")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1, help="BLAS / intra-op threads")
    ap.add_argument("--samples", type=int, default=256, help="clips kept after the shuffle (the seed: 256)")
    ap.add_argument("--shuffle-seed", type=int, default=1, help="random.seed() before random.shuffle (seed: 1)")
    ap.add_argument("--no-shuffle", action="store_true", help="keep the file order (clips already shuffled)")
    ap.add_argument("--seed", type=int, default=1, help="model seed (EpyNN model.initialize(seed=...))")
    ap.add_argument("--synthetic-steps", type=int, default=10000, help="length of synthetic clips")
    ap.add_argument("--json", help="also write the record here")


def set_thread_env(threads: int) -> None:
    """Before NumPy / torch start their pools."""
    for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[k] = str(threads)


def synthetic_clips(n: int, steps: int, seed: int = 3):
    """Two classes of digitised tones, to run the scripts before real data exists.

    Each clip: a plucked-string-like tone (fundamental plus 2 harmonics with a
    decaying envelope, restarted at random onsets) plus noise, at 11,025 Hz;
    class 0 draws fundamentals from 150-300 Hz, class 1 from 200-400 Hz
    (overlapping) and has a faster decay. Min-max normalised per clip and
    digitised with the seed's rule, np.digitize(x, [i/15 for i in 0..15], right=True).
    Not music: only a learnable stand-in."""
    import numpy as np

    rng = np.random.default_rng(seed)
    sr = 11025.0
    t = np.arange(steps) / sr
    labels = rng.integers(0, 2, n)
    clips = np.empty((n, steps), dtype=np.int64)
    bins = [i / 15 for i in range(16)]
    for i, y in enumerate(labels):
        lo, hi, decay = (150.0, 300.0, 4.0) if y == 0 else (200.0, 400.0, 9.0)
        x = np.zeros(steps)
        onset = 0
        while onset < steps:
            f0 = rng.uniform(lo, hi)
            tt = t[: steps - onset]
            env = np.exp(-decay * tt)
            x[onset:] += env * (np.sin(2 * np.pi * f0 * tt) + 0.5 * np.sin(4 * np.pi * f0 * tt)
                                + 0.25 * np.sin(6 * np.pi * f0 * tt))
            onset += int(rng.uniform(0.15, 0.5) * sr)
        x += 0.2 * rng.standard_normal(steps)
        x = (x - x.min()) / (x.max() - x.min())
        clips[i] = np.digitize(x, bins, right=True)
    return clips, labels


def load_data(args):
    """(X int [n, steps], y int [n], description) in the seed's order, truncated to --samples."""
    import numpy as np

    if args.clips:
        if not args.labels:
            sys.exit("--clips needs --labels")
        X = np.load(args.clips)
        y = np.load(args.labels).astype(np.int64).reshape(-1)
        if X.ndim != 2 or len(X) != len(y):
            sys.exit(f"clips {X.shape} and labels {y.shape} do not match: need [N, steps] and [N]")
        if not np.array_equal(X, np.round(X)):
            sys.exit("clips must hold integer levels")
        X = X.astype(np.int64)
        source = {"clips": os.path.abspath(args.clips), "labels": os.path.abspath(args.labels)}
    else:
        X, y = synthetic_clips(args.samples, args.synthetic_steps)
        source = {"synthetic": f"synthetic_clips({args.samples}, {args.synthetic_steps}, seed=3)"}
    if set(np.unique(y).tolist()) - {0, 1}:
        sys.exit("labels must be 0 or 1")
    order = list(range(len(X)))
    if not args.no_shuffle:
        pairs = list(zip(order, y.tolist()))
        random.seed(args.shuffle_seed)
        random.shuffle(pairs)  # prepare_dataset.py: random.shuffle(list(zip(X, Y)))
        order = [i for i, _ in pairs]
    order = order[: args.samples]
    return X[order], y[order], source


def split(n: int):
    """EpyNN embedding/dataset.py split_dataset() with relative_size (2, 1, 0): (train, val) lengths."""
    n_train = round(2 / 3 * n)
    n_val = round(1 / 3 * n)
    return n_train, n_val


def one_hot_levels(X):
    """EpyNN commons/io.py index_elements_auto(): the sorted distinct values present
    map to 0..e-1 (e = 16 when every level occurs). Returns (indices, e)."""
    import numpy as np

    levels = np.unique(X)
    return np.searchsorted(levels, X), len(levels)


def metrics(y_true, y_pred) -> dict:
    """Accuracy, and recall / precision with label 0 as the positive class
    (EpyNN commons/metrics.py counts tp as P == 0 and y == 0)."""
    import numpy as np

    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    tp = int(np.sum((y_pred == 0) & (y_true == 0)))
    fp = int(np.sum((y_pred == 0) & (y_true == 1)))
    fn = int(np.sum((y_pred == 1) & (y_true == 0)))
    return {
        "accuracy": float(np.mean(y_pred == y_true)),
        "recall": tp / (tp + fn) if tp + fn else None,
        "precision": tp / (tp + fp) if tp + fp else None,
        "majority_baseline": float(max(np.mean(y_true == 0), np.mean(y_true == 1))),
    }


def emit(args, records: list) -> None:
    out = {
        "host": platform.node(),
        "python": platform.python_version(),
        "threads": args.threads,
        "loadavg_at_end": [round(v, 2) for v in os.getloadavg()],  # other work on the machine inflates *_s
        "runs": records,
    }
    text = json.dumps(out, indent=2)
    print(text)
    if args.json:
        with open(args.json, "w") as f:
            f.write(text + "\n")
