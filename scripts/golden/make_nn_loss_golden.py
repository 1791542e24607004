#!/usr/bin/python3
"""Reference data for earshot's losses and optimizers (Keras semantics).

Writes tests/golden/nn_loss/*.npy and STAMP.json. The C++ tests
tests/host/nn_loss_test.cc and tests/host/nn_optimizer_test.cc read them.
Nothing here imports earshot: every reference is torch float64 (autograd for
loss gradients), written to mirror Keras' formulas explicitly.

Run with Debian's Python (torch 1.13 and numpy are installed there):

    /usr/bin/python3 scripts/golden/make_nn_loss_golden.py

Deterministic: fixed seeds; only the date in STAMP.json changes between runs.
All inputs are rounded to float32 first (stored as float64), so the float32
and float64 C++ paths see exactly the same input values.

Losses (Keras semantics; R = number of rows of width K = last axis):
    L = sum_r w(example of r) * l_r / R            (SUM_OVER_BATCH_SIZE)
    BCE probs:   q = clamp(p, 1e-7, 1 - 1e-7); l = mean_k -(y log q + (1-y) log(1-q))
    BCE logits:  l = mean_k max(z,0) - z y + log1p(exp(-|z|))
    CCE probs:   q = clamp(p / sum_k p, 1e-7, 1 - 1e-7); l = -sum_k y log q   (Keras renormalises)
    CCE logits:  l = -sum_k y log_softmax(z)
    sparse probs:  q = clamp(p, eps, 1-eps); l = -log_softmax(log q)[c]      (Keras: log(q) as logits)
    sparse logits: l = -log_softmax(z)[c]
    MSE: mean_k (p - y)^2;  MAE: mean_k |p - y|
torch.clamp's gradient passes where eps <= p <= 1 - eps and is 0 outside,
like TF's clip_by_value.

Optimizers (Keras 2 update rules; see host/src/nn/optimizer.cc):
  * SGD: explicit torch tensor ops of the Keras rule (v = m v - lr g;
    nesterov p += m v - lr g; else p += v). torch.optim.SGD keeps
    buf = m buf + g and steps p -= lr (g + m buf) [nesterov] / p -= lr buf:
    the same for a constant lr, different once lr decays (Keras folds each
    step's lr into the velocity, torch scales the whole buffer by today's lr).
    STAMP.json records the measured difference per config.
  * Adam: torch.optim.Adam, with lr set per step to Keras' decayed lr and eps
    set per step to eps_keras / sqrt(1 - beta_2^t). Keras adds epsilon to
    sqrt(v) (uncorrected, "epsilon hat"), torch to sqrt(v / (1 - beta_2^t));
    the per-step eps makes them identical. Cross-checked against explicit ops.
  * RMSprop: explicit ops (acc = rho acc + (1-rho) g^2; p -= lr g / (sqrt(acc) + eps)),
    cross-checked against torch.optim.RMSprop(alpha=rho) with per-step lr.
  * Clipping (explicit ops, tf.keras order): clipvalue, then per-parameter
    clipnorm (g * c / ||g|| when ||g|| > c), then global_clipnorm.
"""

from __future__ import annotations

import datetime
import json
import platform
import sys
from pathlib import Path

import numpy as np
import torch

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "tests" / "golden" / "nn_loss"
EPS = 1e-7

torch.set_default_dtype(torch.float64)


def f32(a) -> np.ndarray:
    """Round to float32 values, keep float64 storage."""
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def save(name: str, arr, written: list[str]) -> None:
    arr = np.ascontiguousarray(np.asarray(arr, dtype=np.float64))
    np.save(OUT / f"{name}.npy", arr)
    written.append(f"{name}.npy")


# ----------------------------------------------------------------------------
# Losses
# ----------------------------------------------------------------------------


def reduce(per_row: torch.Tensor, w: torch.Tensor | None) -> torch.Tensor:
    """per_row: [B, ...] losses of each row; w: [B] or None."""
    if w is not None:
        per_row = per_row * w.reshape((-1,) + (1,) * (per_row.dim() - 1))
    return per_row.sum() / per_row.numel()


def keras_loss(kind: str, logits: bool, p: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Per-row losses (last axis reduced), explicit Keras formulas."""
    if kind == "bce":
        if logits:
            e = torch.clamp(p, min=0) - p * y + torch.log1p(torch.exp(-torch.abs(p)))
        else:
            q = torch.clamp(p, EPS, 1 - EPS)
            e = -(y * torch.log(q) + (1 - y) * torch.log(1 - q))
        return e.mean(dim=-1)
    if kind == "cce":
        if logits:
            return -(y * torch.log_softmax(p, dim=-1)).sum(dim=-1)
        q = torch.clamp(p / p.sum(dim=-1, keepdim=True), EPS, 1 - EPS)
        return -(y * torch.log(q)).sum(dim=-1)
    if kind == "sparse":
        logit = p if logits else torch.log(torch.clamp(p, EPS, 1 - EPS))
        ls = torch.log_softmax(logit, dim=-1)
        idx = y.reshape(ls.shape[:-1] + (1,)).long()
        return -ls.gather(-1, idx).squeeze(-1)
    if kind == "mse":
        return ((p - y) ** 2).mean(dim=-1)
    if kind == "mae":
        return torch.abs(p - y).mean(dim=-1)
    raise ValueError(kind)


def torch_builtin_check(kind: str, logits: bool, p: np.ndarray, y: np.ndarray, w, value: float) -> float | None:
    """|ours - torch.nn.functional| where torch has the same loss (no clip involved)."""
    import torch.nn.functional as F

    pt, yt = torch.tensor(p), torch.tensor(y)
    if kind == "bce" and logits:
        per = F.binary_cross_entropy_with_logits(pt, yt, reduction="none").mean(-1)
    elif kind == "cce" and logits:
        per = F.cross_entropy(pt.reshape(-1, pt.shape[-1]), yt.reshape(-1, yt.shape[-1]), reduction="none").reshape(pt.shape[:-1])
    elif kind == "sparse" and logits:
        per = F.cross_entropy(pt.reshape(-1, pt.shape[-1]), yt.reshape(-1).long(), reduction="none").reshape(pt.shape[:-1])
    elif kind == "mse":
        per = F.mse_loss(pt, yt, reduction="none").mean(-1)
    elif kind == "mae":
        per = F.l1_loss(pt, yt, reduction="none").mean(-1)
    else:
        return None
    ref = reduce(per, None if w is None else torch.tensor(w)).item()
    return abs(ref - value)


def loss_cases(rng: np.random.Generator) -> list[dict]:
    """(name, kind, logits, pred, target) with pred/target as float64 arrays."""
    cases = []
    B, K = 5, 4

    # BCE from probabilities: interior values, plus clipped ones (exact 0 and 1,
    # below 1e-7). Upper clipping only with y = 1: in float32 1 - 1e-7 rounds
    # to 0.99999988, so -log(1 - q) at the upper clip is -log(1.19e-7) in
    # float32 (Keras float32 alike) vs -log(1e-7) in float64.
    p = f32(rng.uniform(0.02, 0.98, (B, K)))
    y = (rng.uniform(size=(B, K)) < 0.5).astype(np.float64)
    p[0, 0], y[0, 0] = 0.0, 1.0      # lower clip, y = 1 (loss 16.1, zero gradient)
    p[0, 1], y[0, 1] = 0.0, 0.0      # lower clip, y = 0
    p[1, 2], y[1, 2] = 1.0, 1.0      # upper clip, y = 1
    p[2, 3], y[2, 3] = f32(3e-8), 1.0  # below eps
    p[3, 1], y[3, 1] = f32(2e-6), 1.0  # just inside: large gradient
    y[4] = f32([0.3, 0.7, 0.1, 0.9])   # soft targets
    cases.append(dict(name="bce_prob", kind="bce", logits=False, pred=p, target=y))

    # BCE, seed 000 layout (4 sigmoid outputs) is the above; seed 001: one output.
    p1 = f32(rng.uniform(0.01, 0.99, (6, 1)))
    y1 = np.array([[0], [1], [0], [0], [1], [0]], dtype=np.float64)
    cases.append(dict(name="bce_prob_k1", kind="bce", logits=False, pred=p1, target=y1))

    z = f32(rng.normal(0, 3, (B, K)))
    z[0, 0], z[1, 1], z[2, 2] = 25.0, -25.0, 0.5
    yz = (rng.uniform(size=(B, K)) < 0.5).astype(np.float64)
    yz[3] = f32([0.25, 0.5, 0.75, 1.0])
    cases.append(dict(name="bce_logit", kind="bce", logits=True, pred=z, target=yz))

    # Rank 3: [B, T, K], rows are (b, t); the divisor is B * T.
    p3 = f32(rng.uniform(0.05, 0.95, (3, 2, 4)))
    y3 = (rng.uniform(size=(3, 2, 4)) < 0.5).astype(np.float64)
    cases.append(dict(name="bce_prob_rank3", kind="bce", logits=False, pred=p3, target=y3))

    # CCE from probabilities: softmax-like rows, one not summing to 1 (Keras
    # renormalises), one with exact zeros (clipped after normalising), one
    # one-hot-like row (upper clip of the true class, y = 1).
    raw = rng.uniform(0.05, 1.0, (B, K))
    pc = f32(raw / raw.sum(axis=1, keepdims=True))
    pc[1] = f32(pc[1] * 1.3)
    pc[2] = f32([0.0, 0.6, 0.4, 0.0])
    pc[3] = f32([1.0, 0.0, 0.0, 0.0])
    yc = np.eye(K)[rng.integers(0, K, B)]
    yc[2] = [0, 1, 0, 0]
    yc[3] = [1, 0, 0, 0]
    yc[4] = f32([0.1, 0.2, 0.3, 0.4])  # soft
    cases.append(dict(name="cce_prob", kind="cce", logits=False, pred=pc, target=yc))

    zc = f32(rng.normal(0, 3, (B, K)))
    zc[0] = f32([30.0, -30.0, 1.0, 0.0])
    yzc = np.eye(K)[rng.integers(0, K, B)]
    yzc[4] = f32([0.5, 0.5, 0.25, 0.0])  # soft, sum 1.25: gradient is softmax * sum(y) - y
    cases.append(dict(name="cce_logit", kind="cce", logits=True, pred=zc, target=yzc))

    # Sparse from probabilities (Keras: log of the clipped probabilities as logits).
    ps = f32(raw / raw.sum(axis=1, keepdims=True))
    ps[2] = f32([0.0, 0.7, 0.3, 0.0])
    ps[3] = f32(ps[3] * 0.8)
    ys = rng.integers(0, K, B).astype(np.float64)
    ys[2] = 1
    cases.append(dict(name="sparse_prob", kind="sparse", logits=False, pred=ps, target=ys))

    zs = f32(rng.normal(0, 3, (B, K)))
    zs[1] = f32([-20.0, 20.0, 0.0, 3.0])
    yzs = rng.integers(0, K, (B, 1)).astype(np.float64)  # [B, 1] form
    cases.append(dict(name="sparse_logit", kind="sparse", logits=True, pred=zs, target=yzs))

    # Rank 3 logits [B, T, K] (per-frame softmax): rows are (b, t), divisor B * T.
    z3 = f32(rng.normal(0, 2, (3, 2, 4)))
    y3c = np.eye(4)[rng.integers(0, 4, (3, 2))]
    cases.append(dict(name="cce_logit_rank3", kind="cce", logits=True, pred=z3, target=y3c))

    pm = f32(rng.normal(0, 1, (B, 3)))
    ym = f32(pm + rng.choice([-1, 1], (B, 3)) * rng.uniform(0.05, 1.0, (B, 3)))  # never equal
    cases.append(dict(name="mse", kind="mse", logits=False, pred=pm, target=ym))
    cases.append(dict(name="mae", kind="mae", logits=False, pred=pm, target=ym))

    # Seed 004: MAE on a Dense(1) regression head.
    pr = f32(rng.normal(0, 1, (6, 1)))
    yr = f32(pr + rng.choice([-1, 1], (6, 1)) * rng.uniform(0.05, 1.0, (6, 1)))
    cases.append(dict(name="mae_k1", kind="mae", logits=False, pred=pr, target=yr))
    return cases


def make_losses(rng: np.random.Generator, written: list[str]) -> list[dict]:
    meta = []
    for case in loss_cases(rng):
        B = case["pred"].shape[0]
        # Includes a zero weight: it still counts in the divisor.
        wv = f32(np.r_[[0.5, 2.0, 0.0, 1.3], rng.uniform(0.2, 3.0, max(B - 4, 0))][:B])
        weights = {"unweighted": None, "weighted": wv}
        for wname, w in weights.items():
            name = f"loss_{case['name']}_{wname}"
            pt = torch.tensor(case["pred"], requires_grad=True)
            yt = torch.tensor(case["target"])
            per = keras_loss(case["kind"], case["logits"], pt, yt)
            val = reduce(per, None if w is None else torch.tensor(w))
            (grad,) = torch.autograd.grad(val, pt)
            save(f"{name}_pred", case["pred"], written)
            save(f"{name}_target", case["target"], written)
            if w is not None:
                save(f"{name}_weight", w, written)
            save(f"{name}_value", np.array([val.item()]), written)
            save(f"{name}_grad", grad.numpy(), written)
            check = torch_builtin_check(case["kind"], case["logits"], case["pred"], case["target"], w, val.item())
            entry = {
                "name": name,
                "loss": {"bce": "binary_crossentropy", "cce": "categorical_crossentropy",
                         "sparse": "sparse_categorical_crossentropy", "mse": "mean_squared_error",
                         "mae": "mean_absolute_error"}[case["kind"]],
                "from_logits": case["logits"],
                "weighted": w is not None,
                "pred_shape": list(case["pred"].shape),
                "target_shape": list(case["target"].shape),
                "value": val.item(),
            }
            if check is not None:
                entry["abs_diff_vs_torch_nn_functional"] = check
                assert check < 1e-12, (name, check)
            meta.append(entry)
    return meta


# ----------------------------------------------------------------------------
# Optimizers
# ----------------------------------------------------------------------------

PARAM_SHAPES = [(3, 4), (4,), (2, 2, 3)]
STEPS = 5

OPT_CONFIGS = [
    dict(name="sgd_plain", kind="sgd", learning_rate=0.01),
    dict(name="sgd_momentum", kind="sgd", learning_rate=0.01, momentum=0.9),
    dict(name="sgd_nesterov_seed002", kind="sgd", learning_rate=0.01, momentum=0.9, decay=1e-6, nesterov=True),
    dict(name="sgd_nesterov_decay", kind="sgd", learning_rate=0.1, momentum=0.9, decay=0.5, nesterov=True),
    dict(name="sgd_momentum_decay", kind="sgd", learning_rate=0.1, momentum=0.8, decay=0.3),
    dict(name="adam_default", kind="adam", learning_rate=0.001),
    dict(name="adam_decay_bigeps", kind="adam", learning_rate=0.05, decay=0.2, epsilon=0.1, beta_1=0.8, beta_2=0.99),
    dict(name="rmsprop_default", kind="rmsprop", learning_rate=0.001),
    dict(name="rmsprop_decay_bigeps", kind="rmsprop", learning_rate=0.01, rho=0.8, decay=0.25, epsilon=0.05),
    dict(name="sgd_clipvalue", kind="sgd", learning_rate=0.1, momentum=0.5, clipvalue=0.4),
    dict(name="adam_clipnorm", kind="adam", learning_rate=0.01, clipnorm=0.8),
    dict(name="sgd_global_clipnorm", kind="sgd", learning_rate=0.1, momentum=0.9, nesterov=True, global_clipnorm=1.5),
]

DEFAULTS = dict(learning_rate=0.001, momentum=0.0, nesterov=False, decay=0.0, beta_1=0.9, beta_2=0.999,
                epsilon=1e-7, rho=0.9, clipnorm=0.0, clipvalue=0.0, global_clipnorm=0.0)


def full(cfg: dict) -> dict:
    out = dict(DEFAULTS)
    out.update(cfg)
    return out


def keras_lr(c: dict, it: int) -> float:
    return c["learning_rate"] * (1.0 / (1.0 + c["decay"] * it))


def clip(c: dict, grads: list[torch.Tensor]) -> list[torch.Tensor]:
    g = [x.clone() for x in grads]
    if c["clipvalue"] > 0:
        g = [torch.clamp(x, -c["clipvalue"], c["clipvalue"]) for x in g]
    if c["clipnorm"] > 0:
        out = []
        for x in g:
            n = torch.sqrt((x * x).sum()).item()
            out.append(x * (c["clipnorm"] / n) if n > c["clipnorm"] else x)
        g = out
    if c["global_clipnorm"] > 0:
        n = float(np.sqrt(sum((x * x).sum().item() for x in g)))
        if n > c["global_clipnorm"]:
            g = [x * (c["global_clipnorm"] / n) for x in g]
    return g


def run_explicit(c: dict, init: list[np.ndarray], grads: list[np.ndarray]) -> list[np.ndarray]:
    """Keras 2 rules as explicit torch ops; returns per param [STEPS, ...]."""
    p = [torch.tensor(x) for x in init]
    s1 = [torch.zeros_like(x) for x in p]
    s2 = [torch.zeros_like(x) for x in p]
    hist = [[] for _ in p]
    for it in range(STEPS):
        lr = keras_lr(c, it)
        g = clip(c, [torch.tensor(gr[it]) for gr in grads])
        for i in range(len(p)):
            if c["kind"] == "sgd":
                s1[i] = c["momentum"] * s1[i] - lr * g[i]
                if c["nesterov"]:
                    p[i] = p[i] + c["momentum"] * s1[i] - lr * g[i]
                else:
                    p[i] = p[i] + s1[i]
            elif c["kind"] == "adam":
                t = it + 1
                a = lr * (np.sqrt(1.0 - c["beta_2"] ** t) / (1.0 - c["beta_1"] ** t))
                s1[i] = c["beta_1"] * s1[i] + (1 - c["beta_1"]) * g[i]
                s2[i] = c["beta_2"] * s2[i] + (1 - c["beta_2"]) * g[i] * g[i]
                p[i] = p[i] - a * s1[i] / (torch.sqrt(s2[i]) + c["epsilon"])
            elif c["kind"] == "rmsprop":
                s1[i] = c["rho"] * s1[i] + (1 - c["rho"]) * g[i] * g[i]
                p[i] = p[i] - lr * g[i] / (torch.sqrt(s1[i]) + c["epsilon"])
            hist[i].append(p[i].numpy().copy())
    return [np.stack(h) for h in hist]


def run_torch_optim(c: dict, init, grads, keras_eps: bool) -> list[np.ndarray] | None:
    """torch.optim with per-step lr (Keras decay); Adam eps per step when keras_eps."""
    p = [torch.tensor(x, requires_grad=True) for x in init]
    if c["kind"] == "sgd":
        opt = torch.optim.SGD(p, lr=c["learning_rate"], momentum=c["momentum"], nesterov=c["nesterov"])
    elif c["kind"] == "adam":
        opt = torch.optim.Adam(p, lr=c["learning_rate"], betas=(c["beta_1"], c["beta_2"]), eps=c["epsilon"])
    else:
        opt = torch.optim.RMSprop(p, lr=c["learning_rate"], alpha=c["rho"], eps=c["epsilon"])
    hist = [[] for _ in p]
    for it in range(STEPS):
        g = clip(c, [torch.tensor(gr[it]) for gr in grads])
        for x, gx in zip(p, g):
            x.grad = gx.clone()
        for group in opt.param_groups:
            group["lr"] = keras_lr(c, it)
            if c["kind"] == "adam" and keras_eps:
                group["eps"] = c["epsilon"] / np.sqrt(1.0 - c["beta_2"] ** (it + 1))
        opt.step()
        for i, x in enumerate(p):
            hist[i].append(x.detach().numpy().copy())
    return [np.stack(h) for h in hist]


def max_rel_step_diff(a: list[np.ndarray], b: list[np.ndarray], init: list[np.ndarray]) -> float:
    """max |a - b| / max |b - init| over params and steps."""
    num = max(float(np.max(np.abs(x - y))) for x, y in zip(a, b))
    den = max(float(np.max(np.abs(y - i0))) for y, i0 in zip(b, init))
    return num / den


def make_optimizers(rng: np.random.Generator, written: list[str]) -> list[dict]:
    init = [f32(rng.normal(0, 1, s)) for s in PARAM_SHAPES]
    grads = [f32(rng.normal(0, 1, (STEPS,) + s) * np.array([1.0, 0.3, 2.0, 0.05, 1.0]).reshape((STEPS,) + (1,) * len(s)))
             for s in PARAM_SHAPES]
    # A few exact zeros (Adam/RMSprop with zero state and zero gradient).
    grads[1][0, 2] = 0.0
    grads[1][:, 3] = 0.0
    for i, (x, g) in enumerate(zip(init, grads)):
        save(f"opt_init_p{i}", x, written)
        save(f"opt_grads_p{i}", g, written)
    meta = []
    for cfg in OPT_CONFIGS:
        c = full(cfg)
        explicit = run_explicit(c, init, grads)
        torch_opt = run_torch_optim(c, init, grads, keras_eps=True)
        diff_torch = max_rel_step_diff(torch_opt, explicit, init)
        entry = {k: c[k] for k in DEFAULTS}
        entry.update(name=cfg["name"], kind=c["kind"])
        if c["kind"] == "adam":
            ref = torch_opt  # torch.optim.Adam with Keras' eps per step
            entry["reference"] = "torch.optim.Adam, lr and eps set per step (eps_t = eps / sqrt(1 - beta_2^t))"
            entry["rel_diff_explicit_keras_ops"] = max_rel_step_diff(explicit, ref, init)
            naive = run_torch_optim(c, init, grads, keras_eps=False)
            entry["rel_diff_torch_adam_constant_eps"] = max_rel_step_diff(naive, ref, init)
            assert entry["rel_diff_explicit_keras_ops"] < 1e-12, entry
        else:
            ref = explicit
            entry["reference"] = "explicit torch tensor ops of the Keras 2 rule"
            entry["rel_diff_torch_optim"] = diff_torch
            same_lr = c["decay"] == 0.0
            if c["kind"] == "rmsprop" or same_lr:
                assert diff_torch < 1e-12, (cfg["name"], diff_torch)
        for i, h in enumerate(ref):
            save(f"opt_{cfg['name']}_expected_p{i}", h, written)
        meta.append(entry)
    return meta


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.npy"):
        old.unlink()
    written: list[str] = []
    rng = np.random.default_rng(20240601)
    losses = make_losses(rng, written)
    opts = make_optimizers(rng, written)
    stamp = {
        "generator": "scripts/golden/make_nn_loss_golden.py",
        "command": "/usr/bin/python3 scripts/golden/make_nn_loss_golden.py",
        "date": datetime.date.today().isoformat(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "numpy": np.__version__,
        "dtype": "all references are torch float64; inputs are float32 values stored as float64",
        "loss_reduction": "sum_r w_r * l_r / R (Keras SUM_OVER_BATCH_SIZE; R counts rows incl. zero weights)",
        "clip_epsilon": EPS,
        "losses": losses,
        "optimizer_param_shapes": [list(s) for s in PARAM_SHAPES],
        "optimizer_steps": STEPS,
        "optimizer_notes": [
            "SGD references are explicit torch ops of the Keras rule, not torch.optim.SGD: torch's "
            "buf = m*buf + g, p -= lr*(g + m*buf) equals Keras' v = m*v - lr*g, p += m*v - lr*g only for a "
            "constant lr; with decay they differ (rel_diff_torch_optim).",
            "Adam: Keras adds epsilon to sqrt(v) (epsilon hat), torch to sqrt(v / (1 - beta_2^t)); the "
            "reference is torch.optim.Adam with eps_t = eps / sqrt(1 - beta_2^t) set per step "
            "(rel_diff_torch_adam_constant_eps shows the constant-eps difference).",
            "RMSprop: Keras 2's rule equals torch.optim.RMSprop(alpha=rho) (eps outside the sqrt); the "
            "reference is explicit ops, cross-checked (rel_diff_torch_optim).",
            "Decay: lr_t = lr * (1 / (1 + decay * iterations)), iterations = steps before this one; set per "
            "step in torch.optim's param_groups.",
            "Clipping order as tf.keras: clipvalue, clipnorm (per parameter), global_clipnorm; scale c/||g|| "
            "only when ||g|| > c.",
            "expected_p<i> arrays are [steps, ...]: parameter i after each step.",
        ],
        "optimizers": opts,
        "files": sorted(written),
    }
    with open(OUT / "STAMP.json", "w") as fh:
        json.dump(stamp, fh, indent=2)
        fh.write("\n")
    total = sum((OUT / f).stat().st_size for f in written)
    print(f"wrote {len(written)} arrays ({total / 1e3:.1f} kB) and STAMP.json to {OUT}")
    for o in opts:
        extra = {k: v for k, v in o.items() if k.startswith("rel_diff")}
        print(f"  {o['name']:24s} {extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
