#!/usr/bin/python3
"""PyTorch reference data for the earshot training layers.

Writes tests/golden/nn/<case>/*.npy and tests/golden/nn/STAMP.json. The C++
test tests/host/nn_layers_test.cc builds each layer from the earshot config
stored in STAMP.json (make_layer), loads the parameters, runs forward and
backward in float32 and compares with these arrays. Nothing here imports
earshot: the references come from torch.nn.functional, in float64, on inputs
and parameters that are exactly representable in float32 (they are stored as
float32 and read back before use).

Run with Debian's interpreter (torch 1.13 and NumPy come from Debian packages):

    /usr/bin/python3 scripts/golden/make_nn_golden.py

Layouts are earshot's (Keras, channels last):
    Dense   x [B, ..., in]      kernel [in, out]
    Conv1D  x [B, T, Cin]       kernel [k, Cin, Cout]         (torch: [Cout, Cin, k])
    Conv2D  x [B, H, W, Cin]    kernel [kh, kw, Cin, Cout]    (torch: [Cout, Cin, kh, kw])
TensorFlow 'same' padding, pad_total = max((out - 1) * s + k - in, 0) with the
smaller half before, is applied explicitly with F.pad (zeros for convolution,
-inf for max pooling); torch's own padding='same' is not used.

Per case, files: x, dy (upstream gradient of the layer output), the layer's
parameters under their earshot names (kernel, bias, gamma, beta, moving_mean,
moving_variance), y, dx, d<param> for trainable parameters, and for batch
normalisation in training mode <moving>_after (Keras update with the biased
batch variance).

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

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "tests" / "golden" / "nn"
SEED = 20261122

torch.set_grad_enabled(True)


def f32(a) -> np.ndarray:
    """Round to float32 (what the C++ side sees)."""
    return np.asarray(a, dtype=np.float32)


def t64(a: np.ndarray, grad: bool = False) -> torch.Tensor:
    return torch.tensor(np.asarray(a, dtype=np.float64), dtype=torch.float64, requires_grad=grad)


def same_pads(n: int, k: int, s: int) -> tuple[int, int]:
    out = -(-n // s)
    total = max((out - 1) * s + k - n, 0)
    return total // 2, total - total // 2


def act(name: str, z: torch.Tensor) -> torch.Tensor:
    if name == "linear":
        return z
    if name == "relu":
        return torch.relu(z)
    if name == "sigmoid":
        return torch.sigmoid(z)
    if name == "tanh":
        return torch.tanh(z)
    if name == "softmax":
        return torch.softmax(z, dim=-1)
    raise ValueError(name)


class Redraw(Exception):
    pass


class Gen:
    def __init__(self) -> None:
        self.rng = np.random.default_rng(SEED)
        self.cases: dict[str, dict] = {}
        self.worst_relu_margin = np.inf

    def normal(self, shape, scale=1.0, loc=0.0) -> np.ndarray:
        return f32(loc + scale * self.rng.standard_normal(shape))

    def uniform(self, shape, lo, hi) -> np.ndarray:
        return f32(self.rng.uniform(lo, hi, shape))

    def glorot(self, shape, fan_in, fan_out) -> np.ndarray:
        lim = np.sqrt(6.0 / (fan_in + fan_out))
        return self.uniform(shape, -lim, lim)

    def save(self, name: str, config: dict, training: bool, arrays: dict[str, np.ndarray], note: str) -> None:
        d = OUT / name
        d.mkdir(parents=True, exist_ok=True)
        files = {}
        for key, a in arrays.items():
            a = f32(a)
            np.save(d / f"{key}.npy", a)
            files[key] = list(a.shape)
        self.cases[name] = {"config": config, "training": training, "note": note, "arrays": files}

    def check_relu_margin(self, name: str, z: torch.Tensor, activation: str) -> None:
        # A pre-activation within float32 rounding (~1e-6 here) of 0 could take
        # the other branch of relu in float32: such a draw is rejected and the
        # case drawn again from the same stream (see retry()).
        if activation != "relu":
            return
        m = float(z.detach().abs().min())
        if m <= 1e-4:
            raise Redraw(f"{name}: relu pre-activation {m:.2e} too close to 0")
        self.worst_relu_margin = min(self.worst_relu_margin, m)

    def retry(self, method, *args, **kwargs) -> None:
        for _ in range(20):
            try:
                return method(*args, **kwargs)
            except Redraw as e:
                print(f"redraw: {e}", file=sys.stderr)
        raise RuntimeError("no acceptable draw in 20 attempts")

    # ---- layers -------------------------------------------------------------

    def dense(self, name, x_shape, units, activation="linear", use_bias=True):
        x = self.normal(x_shape)
        fan_in = x_shape[-1]
        kernel = self.glorot((fan_in, units), fan_in, units)
        bias = self.normal((units,), 0.5) if use_bias else None
        xt, kt = t64(x, True), t64(kernel, True)
        z = xt @ kt
        bt = None
        if use_bias:
            bt = t64(bias, True)
            z = z + bt
        self.check_relu_margin(name, z, activation)
        y = act(activation, z)
        dy = self.normal(y.shape)
        y.backward(t64(dy))
        arrays = {"x": x, "dy": dy, "kernel": kernel, "y": y.detach().numpy(), "dx": xt.grad.numpy(),
                  "dkernel": kt.grad.numpy()}
        if use_bias:
            arrays.update(bias=bias, dbias=bt.grad.numpy())
        cfg = {"type": "dense", "units": units, "activation": activation, "use_bias": use_bias}
        self.save(name, cfg, False, arrays, f"x @ kernel + bias, {activation}")

    def conv1d(self, name, x_shape, filters, k, stride=1, padding="valid", activation="linear", use_bias=True):
        b, n, cin = x_shape
        x = self.normal(x_shape)
        kernel = self.glorot((k, cin, filters), k * cin, k * filters)
        bias = self.normal((filters,), 0.5) if use_bias else None
        xt, kt = t64(x, True), t64(kernel, True)
        bt = t64(bias, True) if use_bias else None
        xc = xt.permute(0, 2, 1)  # [B, Cin, T]
        pads = same_pads(n, k, stride) if padding == "same" else (0, 0)
        xc = F.pad(xc, pads)
        z = F.conv1d(xc, kt.permute(2, 1, 0), bt, stride=stride).permute(0, 2, 1)  # [B, T', Cout]
        self.check_relu_margin(name, z, activation)
        y = act(activation, z)
        dy = self.normal(y.shape)
        y.backward(t64(dy))
        arrays = {"x": x, "dy": dy, "kernel": kernel, "y": y.detach().numpy(), "dx": xt.grad.numpy(),
                  "dkernel": kt.grad.numpy()}
        if use_bias:
            arrays.update(bias=bias, dbias=bt.grad.numpy())
        cfg = {"type": "conv1d", "filters": filters, "kernel_size": k, "strides": stride, "padding": padding,
               "activation": activation, "use_bias": use_bias}
        self.save(name, cfg, False, arrays, f"F.conv1d, TF pads {pads}")

    def conv2d(self, name, x_shape, filters, k, stride=(1, 1), padding="valid", activation="linear",
               use_bias=True):
        b, h, w, cin = x_shape
        x = self.normal(x_shape)
        kernel = self.glorot((k[0], k[1], cin, filters), k[0] * k[1] * cin, k[0] * k[1] * filters)
        bias = self.normal((filters,), 0.5) if use_bias else None
        xt, kt = t64(x, True), t64(kernel, True)
        bt = t64(bias, True) if use_bias else None
        xc = xt.permute(0, 3, 1, 2)  # [B, Cin, H, W]
        ph = same_pads(h, k[0], stride[0]) if padding == "same" else (0, 0)
        pw = same_pads(w, k[1], stride[1]) if padding == "same" else (0, 0)
        xc = F.pad(xc, (pw[0], pw[1], ph[0], ph[1]))
        z = F.conv2d(xc, kt.permute(3, 2, 0, 1), bt, stride=stride).permute(0, 2, 3, 1)
        self.check_relu_margin(name, z, activation)
        y = act(activation, z)
        dy = self.normal(y.shape)
        y.backward(t64(dy))
        arrays = {"x": x, "dy": dy, "kernel": kernel, "y": y.detach().numpy(), "dx": xt.grad.numpy(),
                  "dkernel": kt.grad.numpy()}
        if use_bias:
            arrays.update(bias=bias, dbias=bt.grad.numpy())
        cfg = {"type": "conv2d", "filters": filters, "kernel_size": list(k), "strides": list(stride),
               "padding": padding, "activation": activation, "use_bias": use_bias}
        self.save(name, cfg, False, arrays, f"F.conv2d, TF pads h {ph} w {pw}")

    def maxpool1d(self, name, x_shape, pool, stride, padding="valid"):
        x = self.normal(x_shape)
        xt = t64(x, True)
        xc = xt.permute(0, 2, 1)
        pads = same_pads(x_shape[1], pool, stride) if padding == "same" else (0, 0)
        xc = F.pad(xc, pads, value=-np.inf)
        y = F.max_pool1d(xc, pool, stride).permute(0, 2, 1)
        dy = self.normal(y.shape)
        y.backward(t64(dy))
        cfg = {"type": "max_pool1d", "pool_size": pool, "strides": stride, "padding": padding}
        self.save(name, cfg, False, {"x": x, "dy": dy, "y": y.detach().numpy(), "dx": xt.grad.numpy()},
                  f"F.max_pool1d, -inf pads {pads}")

    def maxpool2d(self, name, x_shape, pool, stride, padding="valid"):
        x = self.normal(x_shape)
        xt = t64(x, True)
        xc = xt.permute(0, 3, 1, 2)
        ph = same_pads(x_shape[1], pool[0], stride[0]) if padding == "same" else (0, 0)
        pw = same_pads(x_shape[2], pool[1], stride[1]) if padding == "same" else (0, 0)
        xc = F.pad(xc, (pw[0], pw[1], ph[0], ph[1]), value=-np.inf)
        y = F.max_pool2d(xc, pool, stride).permute(0, 2, 3, 1)
        dy = self.normal(y.shape)
        y.backward(t64(dy))
        cfg = {"type": "max_pool2d", "pool_size": list(pool), "strides": list(stride), "padding": padding}
        self.save(name, cfg, False, {"x": x, "dy": dy, "y": y.detach().numpy(), "dx": xt.grad.numpy()},
                  f"F.max_pool2d, -inf pads h {ph} w {pw}")

    def global_pool(self, name, x_shape, op):
        x = self.normal(x_shape)
        xt = t64(x, True)
        flat = xt.reshape(x_shape[0], -1, x_shape[-1])  # [B, P, C]
        y = flat.max(dim=1).values if op == "max" else flat.mean(dim=1)
        dy = self.normal(y.shape)
        y.backward(t64(dy))
        rank = len(x_shape) - 2
        cfg = {"type": f"global_{op}_pool{rank}d"}
        self.save(name, cfg, False, {"x": x, "dy": dy, "y": y.detach().numpy(), "dx": xt.grad.numpy()},
                  f"torch {op} over positions")

    def batch_norm(self, name, x_shape, training, momentum=0.99, eps=1e-3):
        c = x_shape[-1]
        x = self.normal(x_shape, 3.0, 2.0)
        gamma = self.uniform((c,), 0.5, 1.5)
        beta = self.normal((c,), 0.5)
        mm = self.normal((c,), 0.5)
        mv = self.uniform((c,), 0.5, 2.0)
        xt, gt, bt = t64(x, True), t64(gamma, True), t64(beta, True)
        perm = [0, len(x_shape) - 1] + list(range(1, len(x_shape) - 1))  # channels second for torch
        inv = np.argsort(perm).tolist()
        rm, rv = t64(mm), t64(mv)
        y = F.batch_norm(xt.permute(*perm), rm, rv, gt, bt, training=training, momentum=1.0 - momentum,
                         eps=eps).permute(*inv)
        dy = self.normal(y.shape)
        y.backward(t64(dy))
        arrays = {"x": x, "dy": dy, "gamma": gamma, "beta": beta, "moving_mean": mm, "moving_variance": mv,
                  "y": y.detach().numpy(), "dx": xt.grad.numpy(), "dgamma": gt.grad.numpy(),
                  "dbeta": bt.grad.numpy()}
        if training:
            # Keras: moving = moving * momentum + batch * (1 - momentum), biased
            # batch variance (torch's running_var would use the unbiased one).
            xd = x.astype(np.float64).reshape(-1, c)
            arrays["moving_mean_after"] = mm * momentum + xd.mean(axis=0) * (1 - momentum)
            arrays["moving_variance_after"] = mv * momentum + xd.var(axis=0) * (1 - momentum)
        cfg = {"type": "batch_norm", "momentum": momentum, "epsilon": eps}
        self.save(name, cfg, training, arrays, "F.batch_norm " + ("training" if training else "inference"))

    def softmax(self, name, x_shape, temperature):
        x = self.normal(x_shape, 2.0)
        xt = t64(x, True)
        y = torch.softmax(xt / temperature, dim=-1)
        dy = self.normal(y.shape)
        y.backward(t64(dy))
        cfg = {"type": "activation", "activation": "softmax", "temperature": temperature}
        self.save(name, cfg, False, {"x": x, "dy": dy, "y": y.detach().numpy(), "dx": xt.grad.numpy()},
                  f"torch.softmax(x / {temperature}, dim=-1)")

    def activation(self, name, x_shape, activation):
        x = self.normal(x_shape, 2.0)
        xt = t64(x, True)
        y = act(activation, xt)
        dy = self.normal(y.shape)
        y.backward(t64(dy))
        cfg = {"type": "activation", "activation": activation}
        self.save(name, cfg, False, {"x": x, "dy": dy, "y": y.detach().numpy(), "dx": xt.grad.numpy()},
                  f"torch {activation}")


def main() -> None:
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    g = Gen()

    g.dense("dense_linear", (4, 10), 6)
    g.retry(g.dense, "dense_relu", (4, 10), 6, "relu")
    g.dense("dense_sigmoid", (4, 10), 6, "sigmoid")
    g.dense("dense_tanh", (4, 10), 6, "tanh")
    g.dense("dense_softmax", (4, 10), 5, "softmax")
    g.dense("dense_nobias", (3, 7), 4, use_bias=False)
    g.dense("dense_3d", (2, 5, 7), 3, "tanh")  # Dense over the last axis

    g.conv1d("conv1d_valid", (3, 12, 5), 4, 3)
    g.retry(g.conv1d, "conv1d_seed001_relu", (2, 32, 48), 8, 3, activation="relu")  # seed 001 first layer
    g.conv1d("conv1d_same_k4", (3, 12, 5), 4, 4, padding="same")  # pads (1, 2)
    g.conv1d("conv1d_same_s2", (2, 11, 3), 4, 4, stride=2, padding="same")  # out 6, pads (1, 2)
    g.conv1d("conv1d_same_s3_k2", (2, 10, 2), 3, 2, stride=3, padding="same")  # out 4, pads (0, 1)
    g.conv1d("conv1d_valid_s2", (2, 13, 3), 2, 3, stride=2, activation="sigmoid")
    g.conv1d("conv1d_nobias", (2, 9, 4), 3, 2, use_bias=False)

    g.conv2d("conv2d_valid", (2, 7, 6, 3), 4, (3, 2))
    g.conv2d("conv2d_same", (2, 6, 5, 2), 3, (4, 3), padding="same")  # pads h (1, 2) w (1, 1)
    g.conv2d("conv2d_same_s2", (2, 7, 8, 2), 3, (3, 3), stride=(2, 2), padding="same")  # h (1, 1) w (0, 1)
    g.retry(g.conv2d, "conv2d_valid_s21_relu", (2, 9, 6, 3), 2, (3, 2), stride=(2, 1), activation="relu")
    g.conv2d("conv2d_seed002", (4, 36, 3, 1), 4, (5, 3), use_bias=False)  # seed 002: (32, 1, 4)

    g.maxpool1d("max_pool1d_valid", (2, 10, 3), 2, 2)
    g.maxpool1d("max_pool1d_p3s1", (2, 9, 3), 3, 1)
    g.maxpool1d("max_pool1d_same_s2", (2, 11, 3), 3, 2, "same")  # out 6, pads (1, 1)
    g.maxpool2d("max_pool2d_valid", (2, 6, 7, 2), (2, 2), (2, 2))
    g.maxpool2d("max_pool2d_same", (2, 5, 7, 3), (3, 2), (2, 1), "same")  # h (1, 1) w (0, 1)

    g.global_pool("global_max_pool1d", (3, 9, 4), "max")
    g.global_pool("global_max_pool2d", (2, 5, 4, 3), "max")
    g.global_pool("global_avg_pool1d", (3, 9, 4), "avg")
    g.global_pool("global_avg_pool2d", (2, 5, 4, 3), "avg")

    g.batch_norm("batch_norm_2d", (6, 4), True)
    g.batch_norm("batch_norm_3d", (3, 5, 4), True)
    g.batch_norm("batch_norm_4d", (2, 3, 3, 4), True)
    g.batch_norm("batch_norm_inference", (5, 3), False)

    g.softmax("softmax_t1", (4, 6), 1.0)
    g.softmax("softmax_t05", (4, 6), 0.5)
    g.softmax("softmax_t2_3d", (2, 3, 5), 2.0)
    g.activation("activation_relu", (3, 7), "relu")
    g.activation("activation_sigmoid", (3, 7), "sigmoid")
    g.activation("activation_tanh", (3, 7), "tanh")

    total = sum(p.stat().st_size for p in OUT.rglob("*.npy"))
    stamp = {
        "generator": "scripts/golden/make_nn_golden.py",
        "command": "/usr/bin/python3 scripts/golden/make_nn_golden.py",
        "date": datetime.date.today().isoformat(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "numpy": np.__version__,
        "seed": SEED,
        "reference": "torch.nn.functional in float64 on float32-representable inputs; stored float32",
        "layout": "channels last (earshot/Keras); kernels [in, out], [k, Cin, Cout], [kh, kw, Cin, Cout]",
        "same_padding": "TensorFlow rule via F.pad: pad_total = max((out-1)*s + k - in, 0), pad_before = total // 2",
        "batch_norm_moving": "moving*momentum + batch*(1-momentum), biased batch variance (Keras)",
        "tolerance": "|out - ref| <= 1e-5 + 1e-4 * |ref| elementwise (float32 C++ vs float64 reference)",
        "worst_relu_margin": g.worst_relu_margin,
        "total_bytes_npy": total,
        "cases": g.cases,
    }
    (OUT / "STAMP.json").write_text(json.dumps(stamp, indent=2) + "\n")
    print(f"{len(g.cases)} cases, {total} bytes of .npy in {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
