#!/usr/bin/python3
"""Seed 003's three models trained in PyTorch (CPU, eager), with EpyNN's loss,
initialisation and update rule, on given or synthetic clips.

    /usr/bin/python3 bench/peers/torch_author.py [--clips X.npy --labels Y.npy]
        [--model ff|rnn|gru|all] [--epochs 3] [--threads 1] [--samples 256] [--json OUT]
        [--init epynn|torch]

Debian's python3 with python3-torch (1.13) and python3-numpy. Clips, order and
split as bench/peers/epynn_author.py (bench/peers/author_common.py); inputs
one-hot [B, steps, levels] in float32, made before timing.

Models (what EpyNN builds, module for module):
    ff   Flatten -> Linear(steps*levels, 64) -> relu -> Dropout(0.5) -> Linear(64, 2) -> softmax
    rnn  nn.RNN(levels, 1, tanh) every step -> Flatten -> the same head
    gru  nn.GRU(levels, 1) every step -> Flatten -> the same head
Loss: EpyNN's MSE (commons/loss.py), per example the mean over the 2 outputs
of (y - a)^2, summed over the batch (not divided by it). Update: plain SGD,
lr 0.01, batches of 16, the training set reshuffled every epoch and the last
n mod 16 examples of the shuffled order dropped (embedding/dataset.py
mini_batches()). The RNN's gradients are clipped as EpyNN's RNN does by
default (commons/maths.py clip_gradient(): if the L2 norm of all of that
layer's gradients exceeds 0.25 they are scaled to norm 0.25); the GRU's are
not (EpyNN's GRU default clip_gradients=False).

--init epynn (default): EpyNN's initial distributions and parameter sets:
Linear and RNN weights Xavier normal, N(0, 2 / (fan_in + fan_out)); GRU
kernels orthogonal per gate (EpyNN's orthogonal()); all biases zero; torch's
second bias bias_hh is held at zero and not trained, so each cell has
EpyNN's parameters (for the GRU with one unit, torch's reset-after cell with
b_hn = 0 computes EpyNN's reset-before cell: (r h) U = r (h U) for scalars).
--init torch: torch's default initialisation and both biases trained.

Timed (time.perf_counter): the epoch loop only (train_s; train_cpu_s the
process's CPU time over it, all threads). Evaluation with
model.eval() (dropout off). Recall and precision count label 0 as positive.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import author_common as ac  # noqa: E402

CLIP_NORM = 0.25  # EpyNN commons/maths.py clip_gradient(max_norm=0.25)


def build(kind: str, steps: int, depth: int, init: str):
    import torch
    import torch.nn as nn

    class Seed003(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = {"ff": None, "rnn": lambda: nn.RNN(depth, 1, batch_first=True),
                        "gru": lambda: nn.GRU(depth, 1, batch_first=True)}[kind]
            self.rnn = self.rnn() if self.rnn else None
            self.fc1 = nn.Linear(steps * (depth if kind == "ff" else 1), 64)
            self.drop = nn.Dropout(0.5)
            self.fc2 = nn.Linear(64, 2)

        def forward(self, x):
            if self.rnn is not None:
                x, _ = self.rnn(x)
            x = torch.relu(self.fc1(x.flatten(1)))
            return torch.softmax(self.fc2(self.drop(x)), dim=1)

    m = Seed003()
    if init == "epynn":
        def xavier(w):  # EpyNN xavier(): standard normal * sqrt(2 / (fan_in + fan_out))
            with torch.no_grad():
                w.normal_(0.0, 1.0).mul_((2.0 / (w.shape[0] + w.shape[1])) ** 0.5)

        with torch.no_grad():
            for fc in (m.fc1, m.fc2):
                xavier(fc.weight)
                fc.bias.zero_()
            if kind == "rnn":
                xavier(m.rnn.weight_ih_l0)
                xavier(m.rnn.weight_hh_l0)
            if kind == "gru":
                for w in (m.rnn.weight_ih_l0, m.rnn.weight_hh_l0):
                    u = w.shape[0] // 3
                    for g in range(3):  # each gate's block [u, D] on its own, as EpyNN's Uz, Ur, Uhh
                        nn.init.orthogonal_(w[g * u:(g + 1) * u])
            if m.rnn is not None:
                m.rnn.bias_ih_l0.zero_()
                m.rnn.bias_hh_l0.zero_()
                m.rnn.bias_hh_l0.requires_grad_(False)
    return m


def clip_(params) -> None:
    """EpyNN clip_gradient(): one L2 norm over the layer's gradients, scaled to 0.25 when above."""
    import torch

    grads = [p.grad for p in params if p.grad is not None]
    total = torch.sqrt(sum(torch.sum(g.double() ** 2) for g in grads))
    coef = CLIP_NORM / (float(total) + 1e-16)
    if coef < 1:
        for g in grads:
            g.mul_(coef)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ac.add_arguments(ap)
    ap.add_argument("--init", choices=("epynn", "torch"), default="epynn")
    args = ap.parse_args()
    ac.set_thread_env(args.threads)

    import torch
    import torch.nn.functional as F

    torch.set_num_threads(args.threads)
    X, y, source = ac.load_data(args)
    n_train, n_val = ac.split(len(X))
    idx, depth = ac.one_hot_levels(X)
    onehot = F.one_hot(torch.from_numpy(idx), depth).float()  # [n, steps, depth]
    Y = F.one_hot(torch.from_numpy(y), 2).float()
    x_tr, y_tr = onehot[:n_train], Y[:n_train]
    x_val = onehot[n_train:n_train + n_val]

    records = []
    for kind in ac.MODELS if args.model == "all" else (args.model,):
        torch.manual_seed(args.seed)
        gen = torch.Generator().manual_seed(args.seed)
        model = build(kind, X.shape[1], depth, args.init)
        params = [p for p in model.parameters() if p.requires_grad]
        rnn_params = [p for p in model.rnn.parameters() if p.requires_grad] if kind == "rnn" else []
        opt = torch.optim.SGD(params, lr=0.01)
        n_batch = max(n_train // 16, 1)

        model.train()
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(args.epochs):
            order = torch.randperm(n_train, generator=gen)[: n_batch * 16]
            for b in range(n_batch):
                sel = order[b * 16:(b + 1) * 16]
                a = model(x_tr.index_select(0, sel))
                loss = ((y_tr.index_select(0, sel) - a) ** 2).mean(dim=1).sum()
                opt.zero_grad(set_to_none=True)
                loss.backward()
                if rnn_params:
                    clip_(rnn_params)
                opt.step()
        train_s, train_cpu_s = time.perf_counter() - t0, time.process_time() - c0

        model.eval()
        t0 = time.perf_counter()
        with torch.no_grad():
            val_pred = torch.cat([model(x_val[i:i + 64]).argmax(1) for i in range(0, n_val, 64)]).numpy()
            train_pred = torch.cat([model(x_tr[i:i + 64]).argmax(1) for i in range(0, n_train, 64)]).numpy()
        eval_s = time.perf_counter() - t0
        records.append({
            "framework": "pytorch",
            "torch": torch.__version__,
            "model": kind,
            "layers": ac.NAMES[kind],
            "init": args.init,
            "data": source,
            "steps": int(X.shape[1]),
            "one_hot_depth": int(depth),
            "n_train": n_train,
            "n_val": n_val,
            "epochs": args.epochs,
            "batch_size": 16,
            "batches_per_epoch": n_batch,
            "seed": args.seed,
            "train_s": round(train_s, 3),
            "train_cpu_s": round(train_cpu_s, 3),
            "eval_s": round(eval_s, 3),
            "val": ac.metrics(y[n_train:n_train + n_val], val_pred),
            "train": ac.metrics(y[:n_train], train_pred),
        })
        del model, opt
    ac.emit(args, records)


if __name__ == "__main__":
    main()
