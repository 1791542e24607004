#!/usr/bin/env python3
"""Seed 003's three models trained in EpyNN (PyPI `epynn`), as its notebook
EpyNN/epynnlive/author_music/train.ipynb does, on given or synthetic clips.

    .venv-epynn/bin/python bench/peers/epynn_author.py [--clips X.npy --labels Y.npy]
        [--model ff|rnn|gru|all] [--epochs 3] [--threads 1] [--samples 256] [--json OUT]
        [--epynn-eval] [--epynn-src DIR]

Setup (EpyNN's wheel only carries a tarball of its sources):
    python3 -m venv .venv-epynn
    .venv-epynn/bin/pip install epynn "numpy<2" termcolor tabulate texttable matplotlib pygments
    mkdir -p .venv-epynn/src && tar -xf .venv-epynn/lib/python3*/site-packages/EpyNN/EpyNN.tar -C .venv-epynn/src

What runs, as the notebook: Embedding(X_encode=True, Y_encode=True,
batch_size=16, relative_size=(2, 1, 0)); layers [embedding, (RNN(1,
sequences=True) | GRU(1, sequences=True) | nothing), Flatten(), Dense(64,
relu), Dropout(0.5), Dense(2, softmax)]; se_hPars learning_rate 0.01,
softmax_temperature 1 (schedule 'steady'); model.initialize(loss='MSE',
seed=--seed, metrics=['accuracy', 'recall', 'precision']); model.train(epochs).
The clips' order and split: bench/peers/author_common.py.

Timing (wall clock, time.perf_counter): encode_s = building the Embedding
(EpyNN's one-hot encoding, done once and shared by the models, as the
notebook shares it); initialize_s = model.initialize() (one dry forward and
backward pass, no update); train_s = model.train(). By default EpyNN's
per-epoch evaluation of the training and validation sets (model.evaluate()
and its table) is switched off during train() so that train_s is the
training work alone; --epynn-eval keeps it (the notebook's behaviour, whose
printed TIME also counts initialize and those evaluations). train_cpu_s is
the process's CPU time over the same span (time.process_time), which other
work on a shared machine inflates less than the wall clock.

Metrics on the validation part: "val" with dropout off (drop_prob set to 0
for the evaluation; standard inference), and "val_epynn" as EpyNN's own
model.evaluate() reports them, which runs Dropout(0.5) at evaluation time too
(EpyNN's Dropout has no inference mode), so they are noisy. Recall and
precision count label 0 as positive (EpyNN's convention).
"""
from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import author_common as ac  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ac.add_arguments(ap)
    ap.add_argument("--epynn-src", default=os.path.join(REPO, ".venv-epynn", "src", "EpyNN"),
                    help="directory holding the epynn package (extracted EpyNN.tar)")
    ap.add_argument("--epynn-eval", action="store_true",
                    help="keep EpyNN's per-epoch evaluation inside train() (the notebook's behaviour)")
    args = ap.parse_args()
    ac.set_thread_env(args.threads)
    with contextlib.redirect_stdout(sys.stderr):  # EpyNN prints its progress to stdout; JSON goes there
        records = run(args)
    ac.emit(args, records)


def run(args) -> list:

    import numpy as np

    if not os.path.isdir(os.path.join(args.epynn_src, "epynn")):
        sys.exit(f"no epynn package under {args.epynn_src}: see the setup in this script's docstring")
    sys.path.insert(0, args.epynn_src)
    from epynn.commons.maths import relu, softmax
    from epynn.dense.models import Dense
    from epynn.dropout.models import Dropout
    from epynn.embedding.models import Embedding
    from epynn.flatten.models import Flatten
    from epynn.gru.models import GRU
    from epynn.network.models import EpyNN
    from epynn.rnn.models import RNN
    from epynn.settings import se_hPars

    np.seterr(all="warn")
    np.seterr(under="ignore")

    X, y, source = ac.load_data(args)
    n_train, n_val = ac.split(len(X))

    t0 = time.perf_counter()
    embedding = Embedding(X_data=X, Y_data=y, X_encode=True, Y_encode=True, batch_size=16,
                          relative_size=(2, 1, 0))
    encode_s = time.perf_counter() - t0
    assert embedding.dtrain.X.shape[0] == n_train and embedding.dval.X.shape[0] == n_val
    assert np.array_equal(embedding.dval.y, y[n_train:n_train + n_val])

    records = []
    for name in ac.MODELS if args.model == "all" else (args.model,):
        hp = se_hPars.copy()
        hp["learning_rate"] = 0.01
        hp["softmax_temperature"] = 1
        recurrent = {"ff": [], "rnn": [RNN(1, sequences=True)], "gru": [GRU(1, sequences=True)]}[name]
        dropout = Dropout(0.5)
        layers = [embedding, *recurrent, Flatten(), Dense(64, relu), dropout, Dense(2, softmax)]
        model = EpyNN(layers=layers, name=name)

        t0 = time.perf_counter()
        model.initialize(loss="MSE", seed=args.seed, metrics=["accuracy", "recall", "precision"],
                         se_hPars=hp, end="\r")
        initialize_s = time.perf_counter() - t0
        if not args.epynn_eval:
            model.evaluate = lambda: None
            model.report = lambda: None
        t0, c0 = time.perf_counter(), time.process_time()
        model.train(epochs=args.epochs, init_logs=False)
        train_s, train_cpu_s = time.perf_counter() - t0, time.process_time() - c0
        print()

        t0 = time.perf_counter()
        p = dropout.d["d"]
        dropout.d["d"] = 0.0  # uniform(0, 1) > 0: every unit kept, scale 1
        val_pred = np.argmax(model.forward(embedding.dval.X), axis=1)
        train_pred = np.argmax(model.forward(embedding.dtrain.X), axis=1)
        dropout.d["d"] = p
        eval_s = time.perf_counter() - t0
        model.metrics = {m: [[] for _ in range(3)] for m in model.metrics}
        type(model).evaluate(model)  # EpyNN's own, dropout active
        val_epynn = {m: float(v[1][-1]) for m, v in model.metrics.items()}

        records.append({
            "framework": "epynn",
            "model": name,
            "layers": ac.NAMES[name],
            "data": source,
            "steps": int(X.shape[1]),
            "one_hot_depth": int(embedding.d["e"]),
            "n_train": n_train,
            "n_val": n_val,
            "epochs": args.epochs,
            "batch_size": 16,
            "batches_per_epoch": len(model.embedding.batch_dtrain),
            "seed": args.seed,
            "epynn_eval_in_train": args.epynn_eval,
            "encode_s": round(encode_s, 3),
            "initialize_s": round(initialize_s, 3),
            "train_s": round(train_s, 3),
            "train_cpu_s": round(train_cpu_s, 3),
            "eval_s": round(eval_s, 3),
            "val": ac.metrics(y[n_train:n_train + n_val], val_pred),
            "train": ac.metrics(y[:n_train], train_pred),
            "val_epynn": val_epynn,
        })
    return records


if __name__ == "__main__":
    main()
