#!/usr/bin/env python3
"""Checks that EpyNN's RNN and GRU compute the cells the recurrent golden
data describe: Keras SimpleRNN (torch.nn.RNN) and Keras GRU with
reset_after=False (docs/epynn_notes.md).

    .venv-epynn/bin/python scripts/golden/check_rnn_golden_epynn.py [--epynn-src DIR]

For each golden case of those two cells (tests/golden/nn_rnn, written by
make_rnn_golden.py), the Keras-layout weights are given to EpyNN's layer
(kernel [D, k*u] = [Uz | Ur | Uhh] for the GRU, U for the RNN; likewise the
recurrent kernel and the bias), the stored input goes forward and the stored
dy backward (clip_gradients off), and the output and every gradient are
compared with the references. Prints the worst relative error per case;
exits 1 above 1e-10.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GOLDEN = os.path.join(REPO, "tests", "golden", "nn_rnn")
GATES = ("z", "r", "hh")  # EpyNN's names in Keras' order


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--epynn-src", default=os.path.join(REPO, ".venv-epynn", "src", "EpyNN"))
    args = ap.parse_args()
    sys.path.insert(0, args.epynn_src)
    from epynn.gru.models import GRU
    from epynn.rnn.models import RNN
    from epynn.settings import se_hPars

    stamp = json.load(open(os.path.join(GOLDEN, "STAMP.json")))
    worst_all = 0.0
    for case, c in stamp["cases"].items():
        cfg = c["config"]
        if not (cfg["type"] == "simple_rnn" and cfg["activation"] == "tanh"
                or cfg["type"] == "gru" and not cfg["reset_after"]) or not cfg["use_bias"]:
            continue
        arr = {k: np.load(os.path.join(GOLDEN, case, k + ".npy")) for k in c["arrays"]}
        u, seq, v = cfg["units"], cfg["return_sequences"], cfg["one_hot_input"]
        x = np.eye(v)[arr["x"].astype(int)] if v else arr["x"]
        gru = cfg["type"] == "gru"
        layer = (GRU if gru else RNN)(u, sequences=seq, clip_gradients=False)
        layer.se_hPars, layer.np_rng = se_hPars, np.random.default_rng(0)
        layer.compute_shapes(x)
        layer.initialize_parameters()
        K, R, b = arr["kernel"], arr["recurrent_kernel"], arr["bias"]
        if gru:
            for i, g in enumerate(GATES):
                cols = slice(i * u, (i + 1) * u)
                layer.p["U" + g], layer.p["V" + g], layer.p["b" + g] = K[:, cols], R[:, cols], b[cols].reshape(1, u)
        else:
            layer.p["U"], layer.p["V"], layer.p["b"] = K, R, b.reshape(1, u)
        out = {"y": layer.forward(x)}
        dx = layer.backward(arr["dy"].copy())
        layer.compute_gradients()
        names = GATES if gru else ("",)
        out["dkernel"] = np.concatenate([layer.g["dU" + g] for g in names], axis=1)
        out["drecurrent_kernel"] = np.concatenate([layer.g["dV" + g] for g in names], axis=1)
        out["dbias"] = np.concatenate([layer.g["db" + g].reshape(-1) for g in names])
        if not v:
            out["dx"] = dx
        errs = {k: float(np.max(np.abs(o - arr[k]) / (1e-12 + np.abs(arr[k])))) for k, o in out.items()}
        worst_all = max(worst_all, *errs.values())
        print(f"epynn {case}: " + " ".join(f"{k} {e:.1e}" for k, e in errs.items()))
    print(f"worst relative error {worst_all:.1e}")
    return 0 if worst_all <= 1e-10 else 1


if __name__ == "__main__":
    sys.exit(main())
