#!/usr/bin/python3
"""PyTorch reference data for earshot's recurrent layers (SimpleRNN, GRU, LSTM).

Writes tests/golden/nn_rnn/<case>/*.npy and tests/golden/nn_rnn/STAMP.json,
checked by tests/host/nn_rnn_golden_test.cc in float64 and float32. Nothing
here imports earshot. Run with Debian's interpreter (python3-torch, 1.13):

    /usr/bin/python3 scripts/golden/make_rnn_golden.py

References, all in float64:
    simple_rnn             torch.nn.RNN (nonlinearity tanh or relu)
    gru, reset_after=true  torch.nn.GRU (the same cell as Keras' default GRU)
    lstm                   torch.nn.LSTM
    gru, reset_after=false no torch module: keras_cell() below, Keras'
                           GRUCell(reset_after=False) written out in torch
                           ops, with autograd for the gradients (EpyNN's GRU
                           is this cell: check_rnn_golden_epynn.py).
One-hot cases feed F.one_hot(indices) to the same modules. For the torch
modules, keras_cell() on the Keras-layout arrays must also reproduce their
output (to 1e-12), which checks the layout conversion below.

Layouts. earshot stores Keras': kernel [D, k*u], recurrent_kernel [u, k*u],
bias [k*u] (GRU reset_after: [2, k*u], input row then recurrent row), gate
blocks of u columns in Keras order (GRU z, r, h; LSTM i, f, c, o). torch
stores weight_ih_l0 [k*u, D] = kernel^T and weight_hh_l0 [k*u, u] =
recurrent_kernel^T with gate blocks of u rows in torch order (GRU r, z, n;
LSTM i, f, g, o, which is Keras' order). Keras SimpleRNN and LSTM have one
bias: it goes to bias_ih_l0 and bias_hh_l0 is zero. Gradients are converted
back to Keras layout the same way.

Per case, files (float64 .npy): x (inputs, or indices [B, T] for one-hot
cases), dy = w (the objective is sum(w * y) for a fixed random w, so dy is
the upstream gradient), kernel, recurrent_kernel, bias (if any), y, dx (zeros
for one-hot cases: indices carry no gradient), dkernel, drecurrent_kernel,
dbias. Every input and parameter value is a float32 number (drawn, rounded to
float32, stored as float64), so the float32 test sees the same inputs.

Deterministic: fixed seed; the only wall-clock input is the date in STAMP.json.
"""

from __future__ import annotations

import datetime
import json
import platform
import shutil
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_nn_golden as nn_golden  # noqa: E402  (Gen's draws and retry(), Redraw, t64)
from make_nn_golden import Redraw, t64  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "tests" / "golden" / "nn_rnn"
SEED = 20261203
GATES = {"simple_rnn": 1, "gru": 3, "lstm": 4}


def keras_to_torch_rows(cell: str, a: np.ndarray, u: int) -> np.ndarray:
    """Gate blocks along the last axis (Keras order) -> along the first (torch order), transposed."""
    a = np.asarray(a)
    if cell == "gru":  # Keras z, r, h -> torch r, z, n
        a = np.concatenate([a[..., u:2 * u], a[..., 0:u], a[..., 2 * u:3 * u]], axis=-1)
    return a.T if a.ndim == 2 else a


def torch_to_keras_cols(cell: str, a: np.ndarray, u: int) -> np.ndarray:
    """Inverse of keras_to_torch_rows."""
    a = np.asarray(a)
    a = a.T if a.ndim == 2 else a
    if cell == "gru":  # torch r, z, n -> Keras z, r, h
        a = np.concatenate([a[..., u:2 * u], a[..., 0:u], a[..., 2 * u:3 * u]], axis=-1)
    return a


def keras_cell(cell: str, inp, W, U, b, u: int, activation: str, reset_after: bool) -> torch.Tensor:
    """Keras' cells in torch ops, Keras layout, zero initial state; [B, T, u] states.
        SimpleRNN h = act(x W + h U + b)
        GRU       z = sigmoid(x Wz + h Uz + bz), r = sigmoid(x Wr + h Ur + br)
                  reset_after:  n = tanh(x Wh + bh + r * (h Uh + rbh))   (b = [input row, recurrent row])
                  reset before: n = tanh(x Wh + (r * h) Uh + bh)
                  h = z * h + (1 - z) * n
        LSTM      i, f, o = sigmoid(...), g = tanh(...); c = f * c + i * g; h = o * tanh(c)"""
    B, T = inp.shape[0], inp.shape[1]
    h = torch.zeros(B, u, dtype=torch.float64)
    c = torch.zeros(B, u, dtype=torch.float64)
    f = torch.relu if activation == "relu" else torch.tanh
    bi, bh = (b[0], b[1]) if b is not None and b.dim() == 2 else (b, None)
    outs = []
    for t in range(T):
        xw = inp[:, t, :] @ W
        if bi is not None:
            xw = xw + bi
        if cell == "simple_rnn":
            h = f(xw + h @ U)
        elif cell == "gru":
            hu = h @ U[:, :2 * u]
            z = torch.sigmoid(xw[:, :u] + hu[:, :u] + (bh[:u] if bh is not None else 0))
            r = torch.sigmoid(xw[:, u:2 * u] + hu[:, u:] + (bh[u:2 * u] if bh is not None else 0))
            if reset_after:
                n = f(xw[:, 2 * u:] + r * (h @ U[:, 2 * u:] + (bh[2 * u:] if bh is not None else 0)))
            else:
                n = f(xw[:, 2 * u:] + (r * h) @ U[:, 2 * u:])
            h = z * h + (1 - z) * n
        else:
            a = xw + h @ U
            i, fg, g, o = (a[:, j * u:(j + 1) * u] for j in range(4))
            c = torch.sigmoid(fg) * c + torch.sigmoid(i) * f(g)
            h = torch.sigmoid(o) * f(c)
        outs.append(h)
    return torch.stack(outs, dim=1)


class Gen(nn_golden.Gen):
    """normal(), uniform() (float32 values) and retry() from make_nn_golden's Gen, on this file's seed."""

    def __init__(self) -> None:
        super().__init__()
        self.rng = np.random.default_rng(SEED)

    def save(self, name: str, config: dict, arrays: dict[str, np.ndarray], note: str) -> None:
        d = OUT / name
        d.mkdir(parents=True, exist_ok=True)
        files = {}
        for key, a in arrays.items():
            a = np.ascontiguousarray(a, dtype=np.float64)
            np.save(d / f"{key}.npy", a)
            files[key] = list(a.shape)
        self.cases[name] = {"config": config, "note": note, "arrays": files}

    def draw(self, cell: str, batch: int, steps: int, depth: int, units: int, one_hot: int, use_bias: bool,
             reset_after: bool):
        """Inputs and Keras-layout parameters."""
        k = GATES[cell]
        if one_hot:
            x = self.rng.integers(0, one_hot, (batch, steps)).astype(np.float64)
            depth = one_hot
        else:
            x = self.normal((batch, steps, depth))
        lim = np.sqrt(6.0 / (depth + k * units))
        params = {
            "kernel": self.uniform((depth, k * units), -lim, lim),
            # Not orthogonal: a plain random matrix of comparable size exercises the same arithmetic.
            "recurrent_kernel": self.normal((units, k * units), 0.8 / np.sqrt(units)),
        }
        if use_bias:
            shape = (2, k * units) if cell == "gru" and reset_after else (k * units,)
            params["bias"] = self.normal(shape, 0.5)
        return x, params

    def case(self, name: str, cell: str, *, batch=3, steps=6, depth=4, units=5, activation="tanh",
             return_sequences=True, use_bias=True, reset_after=True, one_hot=0) -> None:
        x, p = self.draw(cell, batch, steps, depth, units, one_hot, use_bias, reset_after)
        if cell == "gru" and not reset_after:
            y_all, xt, grads = self.gru_reset_before(x, p, units, one_hot, use_bias)
            keras_layout = True
            ref = "torch ops: GRU with the reset gate before the recurrent kernel (Keras reset_after=False)"
        else:
            y_all, xt, grads = self.torch_module(cell, x, p, units, activation, one_hot, use_bias)
            keras_layout = False
            ref = {"simple_rnn": f"torch.nn.RNN(nonlinearity='{activation}')", "gru": "torch.nn.GRU",
                   "lstm": "torch.nn.LSTM"}[cell]
        y = y_all if return_sequences else y_all[:, -1, :]
        w = self.normal(tuple(y.shape))  # objective sum(w * y)
        (y * t64(w)).sum().backward()
        arrays = {"x": x, "dy": w, **p, "y": y.detach().numpy()}
        arrays["dx"] = np.zeros(x.shape) if one_hot else xt.grad.numpy()
        for key, g in grads.items():
            arrays["d" + key] = g.grad.numpy() if keras_layout else self.keras_grad(cell, key, g, units)
        cfg = {"type": cell, "units": units, "activation": activation, "use_bias": use_bias,
               "return_sequences": return_sequences, "one_hot_input": one_hot}
        if cell == "gru":
            cfg["reset_after"] = reset_after
        if activation == "relu":
            a = self.simple_rnn_preactivations(x, p, y_all.detach().numpy(), one_hot, use_bias)
            self.check_relu_margin(name, t64(a), activation)
        note = ref + (f", one-hot depth {one_hot}" if one_hot else "")
        self.save(name, cfg, arrays, note)

    # ---- references ----------------------------------------------------------

    def torch_module(self, cell, x, p, units, activation, one_hot, use_bias):
        depth = p["kernel"].shape[0]
        if cell == "simple_rnn":
            m = torch.nn.RNN(depth, units, nonlinearity=activation, bias=use_bias, batch_first=True)
        elif cell == "gru":
            assert activation == "tanh"
            m = torch.nn.GRU(depth, units, bias=use_bias, batch_first=True)
        else:
            assert activation == "tanh"
            m = torch.nn.LSTM(depth, units, bias=use_bias, batch_first=True)
        m = m.double()
        with torch.no_grad():
            m.weight_ih_l0.copy_(t64(keras_to_torch_rows(cell, p["kernel"], units)))
            m.weight_hh_l0.copy_(t64(keras_to_torch_rows(cell, p["recurrent_kernel"], units)))
            if use_bias:
                b = p["bias"]
                if cell == "gru":  # reset_after: [input row, recurrent row]
                    m.bias_ih_l0.copy_(t64(keras_to_torch_rows(cell, b[0], units)))
                    m.bias_hh_l0.copy_(t64(keras_to_torch_rows(cell, b[1], units)))
                else:
                    m.bias_ih_l0.copy_(t64(b))
                    m.bias_hh_l0.zero_()
        xt = t64(x, grad=not one_hot)
        inp = F.one_hot(xt.long(), one_hot).double() if one_hot else xt
        y_all, _ = m(inp)  # zero initial state
        # The layout conversion above, checked: Keras' equations on the Keras
        # arrays give torch's output.
        with torch.no_grad():
            b = t64(p["bias"]) if use_bias else None
            mine = keras_cell(cell, inp, t64(p["kernel"]), t64(p["recurrent_kernel"]), b, units, activation, True)
            assert torch.allclose(mine, y_all, rtol=1e-12, atol=1e-14), (cell, float((mine - y_all).abs().max()))
        grads = {"kernel": m.weight_ih_l0, "recurrent_kernel": m.weight_hh_l0}
        if use_bias:
            grads["bias"] = (m.bias_ih_l0, m.bias_hh_l0)
        return y_all, xt, grads

    def gru_reset_before(self, x, p, units, one_hot, use_bias):
        """The reference for GRU reset_after=False: keras_cell() with autograd, in Keras layout."""
        W, U = t64(p["kernel"], True), t64(p["recurrent_kernel"], True)
        b = t64(p["bias"], True) if use_bias else None
        xt = t64(x, grad=not one_hot)
        inp = F.one_hot(xt.long(), one_hot).double() if one_hot else xt
        grads = {"kernel": W, "recurrent_kernel": U}
        if use_bias:
            grads["bias"] = b
        return keras_cell("gru", inp, W, U, b, units, "tanh", reset_after=False), xt, grads

    @staticmethod
    def keras_grad(cell, key, g, units) -> np.ndarray:
        """A torch parameter's gradient (bias: the pair bias_ih, bias_hh) in Keras layout."""
        if key == "bias":
            gi, gh = g[0].grad.numpy(), g[1].grad.numpy()
            if cell == "gru":
                return np.stack([torch_to_keras_cols(cell, gi, units), torch_to_keras_cols(cell, gh, units)])
            # One Keras bias standing for bias_ih + bias_hh: both get the same gradient.
            assert np.allclose(gi, gh, rtol=1e-12, atol=1e-14), (gi, gh)
            return gi
        return torch_to_keras_cols(cell, g.grad.numpy(), units)

    @staticmethod
    def simple_rnn_preactivations(x, p, y_all, one_hot, use_bias) -> np.ndarray:
        """x W + h' U + b of every step, from the states; check_relu_margin() rejects a
        draw where one lies within float32 rounding of 0 (float32 could take the other
        branch of relu)."""
        inp = np.eye(one_hot)[x.astype(int)] if one_hot else np.asarray(x, dtype=np.float64)
        h_prev = np.concatenate([np.zeros_like(y_all[:, :1, :]), y_all[:, :-1, :]], axis=1)
        a = inp @ p["kernel"].astype(np.float64) + h_prev @ p["recurrent_kernel"].astype(np.float64)
        return a + p["bias"] if use_bias else a


def main() -> None:
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    g = Gen()

    g.case("simple_rnn_tanh_seq", "simple_rnn")
    g.case("simple_rnn_tanh_last", "simple_rnn", return_sequences=False)
    g.retry(g.case, "simple_rnn_relu_seq", "simple_rnn", activation="relu")
    g.retry(g.case, "simple_rnn_relu_last", "simple_rnn", activation="relu", return_sequences=False, batch=2)
    g.case("simple_rnn_nobias", "simple_rnn", use_bias=False, units=3)
    g.case("gru_seq", "gru")
    g.case("gru_last", "gru", return_sequences=False)
    g.case("gru_nobias", "gru", use_bias=False, units=3)
    g.case("gru_long", "gru", batch=2, steps=300, depth=2, units=3)
    g.case("gru_before_seq", "gru", reset_after=False)
    g.case("gru_before_last", "gru", reset_after=False, return_sequences=False)
    g.case("gru_before_nobias", "gru", reset_after=False, use_bias=False, units=3)
    g.case("lstm_seq", "lstm")
    g.case("lstm_last", "lstm", return_sequences=False)
    g.case("lstm_nobias", "lstm", use_bias=False, units=3)
    # Seed 003's input: one-hot of 16 levels into one unit, every step's state.
    g.case("simple_rnn_onehot16_u1", "simple_rnn", one_hot=16, units=1, steps=40, batch=2)
    g.case("gru_onehot16_u1", "gru", one_hot=16, units=1, steps=40, batch=2)
    g.case("gru_before_onehot16_u1", "gru", one_hot=16, units=1, steps=40, batch=2, reset_after=False)
    g.case("lstm_onehot5_last", "lstm", one_hot=5, units=3, steps=8, return_sequences=False)

    total = sum(p.stat().st_size for p in OUT.rglob("*.npy"))
    stamp = {
        "generator": "scripts/golden/make_rnn_golden.py",
        "command": "/usr/bin/python3 scripts/golden/make_rnn_golden.py",
        "date": datetime.date.today().isoformat(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "numpy": np.__version__,
        "seed": SEED,
        "reference": "torch.nn.RNN / GRU / LSTM in float64 (GRU reset_after=false: torch ops); "
                     "float32-representable inputs and parameters; stored float64",
        "layout": "Keras: kernel [D, k*u], recurrent_kernel [u, k*u], bias [k*u] or [2, 3u] (GRU reset_after); "
                  "gates GRU z, r, h and LSTM i, f, c, o; torch r, z, n and i, f, g, o",
        "objective": "sum(w * y), w = dy fixed and random; gradients of it",
        "tolerance": "|out - ref| <= atol + rtol * |ref| elementwise: float64 rtol 1e-6 atol 1e-9, "
                     "float32 rtol 1e-4 atol 1e-5",
        "worst_relu_margin": g.worst_relu_margin,
        "total_bytes_npy": total,
        "cases": g.cases,
    }
    (OUT / "STAMP.json").write_text(json.dumps(stamp, indent=2) + "\n")
    print(f"{len(g.cases)} cases, {total} bytes of .npy in {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
