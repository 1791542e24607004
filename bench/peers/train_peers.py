#!/usr/bin/env python3
"""Training-speed peers for bench/train_bench.cc: PyTorch eager and Keras.

    train_peers.py run --peer torch|keras --threads T [--model beats|bells|chords|all]
                       [--examples 20480] [--epochs 2] [--reps 3] [--warmup-batches 50]
                       [--json OUT.json]
    train_peers.py report EARSHOT.json PEERS.json [--targets beats=10,bells=3,chords=10]

`run` times the three seed models (recipes/{beats,bells,chords}.toml [model] and
[train]) the way earshot_train_bench does: random in-memory data from a fixed
seed (standard-normal inputs, valid labels), made before timing; a warm-up of
--warmup-batches batches; then --reps timed runs of --epochs epochs over all
examples, shuffled every epoch (a new permutation per epoch, batches gathered
by index, as nn::Trainer does). Only the training loop is timed. It appends
one record per model to --json (a JSON list), so the runs for several peers
and thread counts can share one file.

PyTorch (Debian's python3, torch 1.13): an eager loop, the way one writes it
by hand: randperm, index_select, zero_grad(set_to_none=True), forward, loss,
backward, step. The losses are the fused, numerically stable forms a PyTorch
user writes for these heads (cross_entropy on logits with one-hot
probability targets, binary_cross_entropy_with_logits), which are the same
functions as earshot's softmax/sigmoid + cross-entropy. No metric is computed
(earshot and Keras also compute accuracy, so this favours PyTorch slightly).
Channels-first layouts (Conv1d [B, 48, 32], Conv2d [B, 1, 36, 3]) are made
with the data, outside the timing.

Keras (TensorFlow 2.x with Keras 3, in a venv): Sequential models exactly as in
the recipes, compile(metrics=["accuracy"]) with Keras' default jit_compile,
model.fit(batch_size, epochs, shuffle=True, verbose=0). The warm-up is a fit()
on the first warm-up batches (traces the train function, which later fits
reuse).

Threads are set before the library starts its pools: torch.set_num_threads(T)
(plus OMP_NUM_THREADS / MKL_NUM_THREADS), TensorFlow's intra- and inter-op
pools = T. Run one process per thread count.
"""
import argparse
import json
import os
import statistics
import sys
import time

MODELS = ("beats", "bells", "chords")
# Batch sizes and optimizers from the recipes' [train] sections.
BATCH = {"beats": 40, "bells": 128, "chords": 128}
SHAPE = {"beats": (500,), "bells": (32, 48), "chords": (36, 3, 1)}  # channels last (earshot, Keras)
CLASSES = {"beats": 4, "bells": 0, "chords": 2}  # 0: one 0/1 target


def make_data(model, n, seed):
    import numpy as np

    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n,) + SHAPE[model], dtype=np.float32)
    k = CLASSES[model]
    labels = rng.integers(0, 2 if k == 0 else k, size=n)
    if k == 0:
        y = labels.astype(np.float32).reshape(n, 1)
    else:
        y = np.zeros((n, k), dtype=np.float32)
        y[np.arange(n), labels] = 1.0
    return x, y


# ----------------------------------------------------------------------------- PyTorch


def torch_case(model, threads, args):
    import numpy as np
    import torch
    import torch.nn as tnn
    import torch.nn.functional as F

    torch.set_num_threads(threads)
    torch.manual_seed(1)
    x_np, y_np = make_data(model, args.examples, 12345)
    if model == "bells":
        x_np = np.ascontiguousarray(x_np.transpose(0, 2, 1))  # [n, 48, 32]
    elif model == "chords":
        x_np = np.ascontiguousarray(x_np.transpose(0, 3, 1, 2))  # [n, 1, 36, 3]
    x = torch.from_numpy(x_np)
    y = torch.from_numpy(y_np)

    class GlobalMax2d(tnn.Module):
        def forward(self, t):
            return torch.amax(t, dim=(2, 3))

    if model == "beats":
        net = tnn.Sequential(tnn.Linear(500, 125), tnn.ReLU(), tnn.Linear(125, 4))  # + softmax in the loss
        opt = torch.optim.Adam(net.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)

        def loss_fn(out, t):
            return F.cross_entropy(out, t)
    elif model == "bells":
        net = tnn.Sequential(tnn.Conv1d(48, 8, 3), tnn.ReLU(), tnn.Conv1d(8, 8, 3), tnn.ReLU(), tnn.Flatten(),
                             tnn.Linear(224, 1))  # + sigmoid in the loss
        opt = torch.optim.Adam(net.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)

        def loss_fn(out, t):
            return F.binary_cross_entropy_with_logits(out, t)
    else:
        net = tnn.Sequential(tnn.Conv2d(1, 8, (5, 3), bias=False), GlobalMax2d(), tnn.ReLU(), tnn.Linear(8, 2))
        opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9, nesterov=True)

        def loss_fn(out, t):
            return F.cross_entropy(out, t)
    decay = 1e-6 if model == "chords" else 0.0  # Keras 2 time decay: lr / (1 + decay * iterations)
    lr0 = opt.param_groups[0]["lr"]
    bs = BATCH[model]
    n = args.examples
    gen = torch.Generator().manual_seed(1)
    it = [0]

    def train_step(idx):
        xb = x.index_select(0, idx)
        yb = y.index_select(0, idx)
        if decay:
            for g in opt.param_groups:
                g["lr"] = lr0 / (1.0 + decay * it[0])
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(net(xb), yb)
        loss.backward()
        opt.step()
        it[0] += 1
        return loss

    def run(epochs, max_batches=None):
        loss = None
        done = 0
        for _ in range(epochs):
            perm = torch.randperm(n, generator=gen)
            for start in range(0, n, bs):
                loss = train_step(perm[start:start + bs])
                done += 1
                if max_batches is not None and done >= max_batches:
                    return float(loss)
        return float(loss)

    net.train()
    if args.warmup_batches > 0:
        run(1, args.warmup_batches)
    return time_reps(lambda: run(args.epochs), args)


# ----------------------------------------------------------------------------- Keras


def keras_case(model, threads, args):
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)
    import keras
    from keras import layers

    keras.utils.set_random_seed(1)
    x, y = make_data(model, args.examples, 12345)
    if model == "beats":
        net = keras.Sequential([keras.Input((500,)), layers.Dense(125, activation="relu"),
                                layers.Dense(4, activation="softmax")])
        opt = keras.optimizers.Adam()
        loss = "categorical_crossentropy"
    elif model == "bells":
        net = keras.Sequential([keras.Input((32, 48)), layers.Conv1D(8, 3, activation="relu"),
                                layers.Conv1D(8, 3, activation="relu"), layers.Flatten(),
                                layers.Dense(1, activation="sigmoid")])
        opt = keras.optimizers.Adam()
        loss = "binary_crossentropy"
    else:
        net = keras.Sequential([keras.Input((36, 3, 1)), layers.Conv2D(8, (5, 3), padding="valid", use_bias=False),
                                layers.GlobalMaxPooling2D(), layers.Activation("relu"), layers.Dense(2),
                                layers.Activation("softmax")])
        # Keras 3 dropped `decay`; InverseTimeDecay(decay_steps=1) is the same lr / (1 + decay * iterations).
        lr = keras.optimizers.schedules.InverseTimeDecay(0.01, decay_steps=1, decay_rate=1e-6)
        opt = keras.optimizers.SGD(learning_rate=lr, momentum=0.9, nesterov=True)
        loss = "categorical_crossentropy"
    net.compile(optimizer=opt, loss=loss, metrics=["accuracy"])
    bs = BATCH[model]
    if args.warmup_batches > 0:
        w = min(args.examples, args.warmup_batches * bs)
        w -= w % bs  # whole batches only: a partial batch would trace a second function
        net.fit(x[:max(w, bs)], y[:max(w, bs)], batch_size=bs, epochs=1, shuffle=True, verbose=0)

    def run():
        h = net.fit(x, y, batch_size=bs, epochs=args.epochs, shuffle=True, verbose=0)
        return float(h.history["loss"][-1])

    rec = time_reps(run, args)
    rec["jit_compile"] = bool(getattr(net, "jit_compile", False))
    return rec


# ----------------------------------------------------------------------------- timing


def time_reps(fn, args):
    rates, ratios = [], []
    last = None
    samples = args.examples * args.epochs
    for _ in range(args.reps):
        c0 = time.process_time()
        t0 = time.perf_counter()
        last = fn()
        wall = time.perf_counter() - t0
        cpu = time.process_time() - c0
        rates.append(samples / wall)
        ratios.append(cpu / wall)
    return {"samples_per_second": statistics.median(rates), "samples_per_second_best": max(rates),
            "samples_per_second_all": rates, "cpu_over_wall": statistics.median(ratios), "last_loss": last}


def cmd_run(args):
    if args.peer == "torch":
        os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
        os.environ.setdefault("MKL_NUM_THREADS", str(args.threads))
        import torch

        version = torch.__version__
        fn = torch_case
    else:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        import tensorflow as tf
        import keras

        version = f"tensorflow {tf.__version__}, keras {keras.__version__}"
        fn = keras_case
    models = MODELS if args.model == "all" else (args.model,)
    records = []
    for m in models:
        rec = fn(m, args.threads, args)
        bs = BATCH[m]
        rec.update({"peer": args.peer, "version": version, "model": m, "threads": args.threads, "batch_size": bs,
                    "examples": args.examples, "epochs": args.epochs,
                    "batches": args.epochs * -(-args.examples // bs), "shuffle": True})
        extra = f"  jit_compile {rec['jit_compile']}" if "jit_compile" in rec else ""
        print(f"{args.peer:6s} {version:>10s} threads {args.threads}  {m:7s} batch {bs:4d}  "
              f"{rec['samples_per_second']:10.0f} samples/s (median; best {rec['samples_per_second_best']:.0f})  "
              f"cpu/wall {rec['cpu_over_wall']:.2f}  last loss {rec['last_loss']:.4f}{extra}", flush=True)
        records.append(rec)
    if args.json:
        old = []
        if os.path.exists(args.json):
            with open(args.json) as f:
                old = json.load(f)
        with open(args.json, "w") as f:
            json.dump(old + records, f, indent=2)


# ----------------------------------------------------------------------------- report


def fmt_rate(r):
    return f"{r / 1e3:,.1f}k" if r is not None else "not run"


def contended(r):
    """A multi-threaded PyTorch run that did not get its cores: its OpenMP
    threads stay busy when they have the CPUs (cpu/wall ~ threads), so a much
    lower ratio means another process held a core and the barrier waited."""
    return r["peer"] == "torch" and r["threads"] > 1 and r["cpu_over_wall"] < 0.75 * r["threads"]


def cmd_report(args):
    with open(args.earshot) as f:
        runs = json.load(f)
    # earshot at each thread count it ran with (earshot_train_bench --threads 1,2)
    ours = {(r["model"], r["threads"]): r for r in runs}
    our_threads = sorted({r["threads"] for r in runs})
    top = our_threads[-1]
    peers = []
    if os.path.exists(args.peers):
        with open(args.peers) as f:
            peers = json.load(f)
    targets = dict((kv.split("=")[0], float(kv.split("=")[1])) for kv in args.targets.split(",") if kv)
    cols = sorted({(r["peer"], r["threads"]) for r in peers}, key=lambda p: (p[0] != "torch", p[0], p[1]))
    name = {"torch": "PyTorch", "keras": "Keras"}
    by = {(r["peer"], r["threads"], r["model"]): r for r in peers}
    models = [m for m in MODELS if (m, top) in ours]

    head = ["model", "batch", "batches"] + [f"earshot {t}T" for t in our_threads] + \
           [f"{name.get(p, p)} {t}T" for p, t in cols] + \
           [f"earshot {top}T / {name.get(p, p)} {t}T" for p, t in cols]
    if top != 1 and ("torch", 1) in cols and 1 in our_threads:
        head.append("earshot 1T / PyTorch 1T")
    print("samples/second (median of the timed runs; k = 1000); ratio = earshot samples/s / peer samples/s")
    print()
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join(["---"] * 3 + ["---:"] * (len(head) - 3)) + "|")
    for m in models:
        e = ours[(m, top)]
        row = [m, str(e["batch_size"]), str(e["batches"])]
        row += [fmt_rate(ours[(m, t)]["samples_per_second"]) if (m, t) in ours else "not run" for t in our_threads]
        ratios = []
        for p, t in cols:
            r = by.get((p, t, m))
            mark = " (contended)" if r and contended(r) else ""
            row.append(fmt_rate(r["samples_per_second"]) + mark if r else "not run")
            ratios.append(f"{e['samples_per_second'] / r['samples_per_second']:.1f}x{mark}" if r else "-")
        if len(head) > len(row) + len(ratios):
            r, o = by.get(("torch", 1, m)), ours.get((m, 1))
            ratios.append(f"{o['samples_per_second'] / r['samples_per_second']:.1f}x" if r and o else "-")
        print("| " + " | ".join(row + ratios) + " |")

    print()
    print("cpu/wall (1.00 = one core busy the whole time, 2.00 = two; a run well below its thread count waited for "
          "the CPU. A multi-threaded PyTorch run below 0.75 x threads is marked contended)")
    print()
    print("| model | " + " | ".join([f"earshot {t}T" for t in our_threads] +
                                    [f"{name.get(p, p)} {t}T" for p, t in cols]) + " |")
    print("|---|" + "---:|" * (len(our_threads) + len(cols)))
    for m in models:
        cells = [f"{ours[(m, t)]['cpu_over_wall']:.2f}" if (m, t) in ours else "-" for t in our_threads]
        for p, t in cols:
            r = by.get((p, t, m))
            cells.append(f"{r['cpu_over_wall']:.2f}" if r else "-")
        print(f"| {m} | " + " | ".join(cells) + " |")

    print()
    print("earshot arithmetic rate (FLOPs per example = 3 x 2 x Model::macs())")
    print()
    print("| model | MACs/example | " + " | ".join(f"GFLOP/s {t}T" for t in our_threads) + " |")
    print("|---|---:|" + "---:|" * len(our_threads))
    for m in models:
        print(f"| {m} | {ours[(m, top)]['macs_per_example']:,} | " +
              " | ".join(f"{ours[(m, t)]['gflops']:.2f}" if (m, t) in ours else "-" for t in our_threads) + " |")

    torch_cols = [t for p, t in cols if p == "torch"]
    if torch_cols and targets:
        print()
        print(f"targets: earshot at {top} thread(s) / PyTorch, judged against the faster PyTorch thread setting "
              "(runs marked contended are left out)")
        print()
        for m in models:
            if m not in targets:
                continue
            rs = [by[("torch", t, m)] for t in torch_cols if ("torch", t, m) in by and not contended(by[("torch", t, m)])]
            if not rs:
                continue
            best = max(rs, key=lambda r: r["samples_per_second"])
            ratio = ours[(m, top)]["samples_per_second"] / best["samples_per_second"]
            verdict = "MET" if ratio >= targets[m] else "MISSED"
            print(f"- {m}: {ratio:.1f}x vs PyTorch {best['threads']}T (target >= {targets[m]:g}x): {verdict}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--peer", choices=("torch", "keras"), required=True)
    r.add_argument("--threads", type=int, default=1)
    r.add_argument("--model", choices=MODELS + ("all",), default="all")
    r.add_argument("--examples", type=int, default=20480)
    r.add_argument("--epochs", type=int, default=2)
    r.add_argument("--reps", type=int, default=3)
    r.add_argument("--warmup-batches", type=int, default=50)
    r.add_argument("--json")
    p = sub.add_parser("report")
    p.add_argument("earshot")
    p.add_argument("peers")
    p.add_argument("--targets", default="beats=10,bells=3,chords=10")
    args = ap.parse_args()
    if args.cmd == "run":
        cmd_run(args)
    else:
        cmd_report(args)


if __name__ == "__main__":
    sys.exit(main())
