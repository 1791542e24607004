#!/usr/bin/env python3
"""Runs an earshot .tflite export in the official interpreters and compares
their outputs with earshot's (runtime/ kernels, written by `earshot invoke`).

    compare_interpreters.py MODEL.tflite INPUTS.npy EARSHOT_OUT.npy... [--arena-json FILE]
    compare_interpreters.py make-inputs MODEL.tflite beats|unit|normal OUT.npy [--n 1000]

- TensorFlow Lite (PyPI ai-edge-litert) with its reference kernels
  (OpResolverType.BUILTIN_REF: the reference arithmetic TFLite Micro shares)
- TensorFlow Lite Micro (PyPI tflite-micro)

A model with state (earshot writes it as a step model: each state tensor
"s" is an extra input, its new value the output "s/next") runs its inputs in
order, feeding every "s/next" back into "s" (starting from the zero point),
as `earshot invoke` carries the state; only the other outputs are compared.

int8 outputs must be equal bit for bit; float32 outputs of float models must
agree within 1e-5 (absolute, plus 1e-5 relative); float32 outputs of int8
models (DEQUANTIZE at the end) must be equal exactly. Prints one line per
interpreter and exits 1 on any mismatch. With --arena-json, also records the
arena TFLite Micro reports for the file (smallest arena that allocates, found
by bisection, and RecordingMicroAllocator's figures).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np


def versions():
    import ai_edge_litert
    import tflite_micro
    from importlib.metadata import version
    return {"ai-edge-litert": version("ai-edge-litert"), "tflite-micro": version("tflite-micro"),
            "numpy": np.__version__}


def io_layout(model_bytes):
    """(data input position, [(state input position, its output position)],
    [other output positions]) in the subgraph's input and output order."""
    from ai_edge_litert.interpreter import Interpreter
    it = Interpreter(model_content=model_bytes)
    ins = [d["name"] for d in it.get_input_details()]
    outs = [d["name"] for d in it.get_output_details()]
    states = [(ins.index(o[:-len("/next")]), k) for k, o in enumerate(outs)
              if o.endswith("/next") and o[:-len("/next")] in ins]
    state_in = {i for i, _ in states}
    data = [i for i in range(len(ins)) if i not in state_in]
    if len(data) != 1:
        raise SystemExit(f"expected one data input besides the state, got {len(data)}")
    plain = [k for k in range(len(outs)) if k not in {o for _, o in states}]
    return data[0], states, plain


def zero_state(details):
    zp = details["quantization_parameters"]["zero_points"]
    return np.full(details["shape"], zp[0] if len(zp) else 0, dtype=details["dtype"])


def run_litert(model_bytes, inputs):
    from ai_edge_litert.interpreter import Interpreter, OpResolverType
    it = Interpreter(model_content=model_bytes, experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    it.allocate_tensors()
    data, states, plain = io_layout(model_bytes)
    ins = it.get_input_details()
    outs = it.get_output_details()
    state = {i: zero_state(ins[i]) for i, _ in states}
    results = [[] for _ in plain]
    for x in inputs:
        it.set_tensor(ins[data]["index"], x.reshape(ins[data]["shape"]).astype(ins[data]["dtype"]))
        for i, v in state.items():
            it.set_tensor(ins[i]["index"], v)
        it.invoke()
        for i, k in states:
            state[i] = it.get_tensor(outs[k]["index"]).copy()
        for r, k in zip(results, plain):
            r.append(it.get_tensor(outs[k]["index"]).copy())
    return [np.stack(r) for r in results]


def tflm_interpreter(model_bytes, arena_size):
    from tflite_micro.python.tflite_micro import runtime
    return runtime.Interpreter.from_bytes(model_bytes, arena_size=arena_size)


def run_tflm(model_bytes, inputs):
    it = tflm_interpreter(model_bytes, 1 << 20)
    data, states, plain = io_layout(model_bytes)
    d = it.get_input_details(data)
    state = {i: zero_state(it.get_input_details(i)) for i, _ in states}
    results = [[] for _ in plain]
    for x in inputs:
        it.set_input(x.reshape(d["shape"]).astype(d["dtype"]), data)
        for i, v in state.items():
            it.set_input(v, i)
        it.invoke()
        for i, k in states:
            state[i] = it.get_output(k).copy()
        for r, k in zip(results, plain):
            r.append(it.get_output(k).copy())
    return [np.stack(r) for r in results]


def tflm_arena(model_bytes, model_path):
    """Smallest arena TFLite Micro allocates and runs the model in (bisection),
    and the RecordingMicroAllocator's printout for that size."""
    def works(size):
        # In a child process: TFLite Micro may crash instead of failing
        # cleanly when the arena is far too small.
        code = ("import sys, numpy as np\n"
                "from tflite_micro.python.tflite_micro import runtime\n"
                "it = runtime.Interpreter.from_bytes(open(sys.argv[1], 'rb').read(), arena_size=int(sys.argv[2]))\n"
                "d = it.get_input_details(0)\n"
                "it.set_input(np.zeros(d['shape'], d['dtype']), 0)\n"
                "it.invoke()\n")
        r = subprocess.run([sys.executable, "-c", code, model_path, str(size)], capture_output=True)
        return r.returncode == 0
    lo, hi = 16, 1 << 20
    if not works(hi):
        return None
    while hi - lo > 16:
        mid = (lo + hi) // 2 // 16 * 16
        if works(mid):
            hi = mid
        else:
            lo = mid
    # Capture the allocator's report (printed by C++ to stderr).
    it = tflm_interpreter(model_bytes, hi)
    d = it.get_input_details(0)
    it.set_input(np.zeros(d["shape"], d["dtype"]), 0)
    it.invoke()
    with tempfile.TemporaryFile(mode="w+b") as tmp:
        saved = os.dup(2)
        os.dup2(tmp.fileno(), 2)
        try:
            it.print_allocations()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        tmp.seek(0)
        report = tmp.read().decode(errors="replace")
    return {"min_arena_bytes": hi, "allocations": report.strip().splitlines()}


def make_inputs(model_path, kind, n, seed, out):
    """n inputs for the model's input tensor: 'beats' (values 0, 1, 2 as beat
    vectors hold), 'unit' (uniform [0, 1), like scaled CQT windows) or
    'normal' (N(0, 1), like normalised spectra). An int8 input gets them
    quantized with the input's own scale and zero point."""
    from ai_edge_litert.interpreter import Interpreter
    data, _, _ = io_layout(open(model_path, "rb").read())
    d = Interpreter(model_path=model_path).get_input_details()[data]
    shape = (n,) + tuple(int(v) for v in d["shape"][1:])
    rng = np.random.default_rng(seed)
    if kind == "beats":
        x = rng.choice([0.0, 0.0, 0.0, 1.0, 2.0], size=shape)
    elif kind == "unit":
        x = rng.uniform(0.0, 1.0, size=shape)
    elif kind == "normal":
        x = rng.normal(0.0, 1.0, size=shape)
    else:
        raise SystemExit(f"unknown input kind {kind}")
    x = x.astype(np.float32)
    if d["dtype"] in (np.int8, np.int16):
        scale, zp = d["quantization"]
        info = np.iinfo(d["dtype"])
        x = np.clip(np.round(x / scale) + zp, info.min, info.max).astype(d["dtype"])
    np.save(out, x)


def compare(name, got, want, exact):
    if len(got) != len(want):
        return f"{name}: {len(got)} outputs, earshot has {len(want)}"
    for k, (g, w) in enumerate(zip(got, want)):
        g = g.reshape(w.shape)
        if g.dtype != w.dtype:
            return f"{name}: output {k} is {g.dtype}, earshot's is {w.dtype}"
        if exact or g.dtype != np.float32:
            bad = np.flatnonzero(g.reshape(-1) != w.reshape(-1))
            if bad.size:
                i = bad[0]
                return (f"{name}: output {k}: {bad.size} of {g.size} values differ; first at flat index {i}: "
                        f"{g.reshape(-1)[i]} vs earshot {w.reshape(-1)[i]}")
        else:
            err = np.abs(g - w) - (1e-5 + 1e-5 * np.abs(w))
            if (err > 0).any():
                return f"{name}: output {k}: max abs difference {np.abs(g - w).max():.3g} exceeds 1e-5"
    return None


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "make-inputs":
        mp = argparse.ArgumentParser(prog="compare_interpreters.py make-inputs")
        mp.add_argument("cmd")
        mp.add_argument("model")
        mp.add_argument("kind", choices=["beats", "unit", "normal"])
        mp.add_argument("out")
        mp.add_argument("--n", type=int, default=1000)
        mp.add_argument("--seed", type=int, default=1)
        m = mp.parse_args()
        make_inputs(m.model, m.kind, m.n, m.seed, m.out)
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model")
    ap.add_argument("inputs")
    ap.add_argument("earshot_outputs", nargs="+", help="one .npy per model output, in order")
    ap.add_argument("--arena-json", help="write TFLite Micro's arena figures here")
    ap.add_argument("--interpreter", choices=["tflite", "tflm", "both"], default="both",
                    help="which interpreter to compare with (earshot's outputs from "
                         "`earshot invoke --match tflite` or `--match tflm`)")
    a = ap.parse_args()
    model = open(a.model, "rb").read()
    inputs = np.load(a.inputs)
    want = [np.load(p) for p in a.earshot_outputs]
    from ai_edge_litert.interpreter import Interpreter
    probe = Interpreter(model_content=model)
    # Quantized models: every output equal bit for bit (DEQUANTIZE is exact too).
    exact = any(t["dtype"] in (np.int8, np.int16) for t in probe.get_tensor_details())
    failures = []
    runners = []
    if a.interpreter in ("tflite", "both"):
        runners.append(("TFLite (ai-edge-litert, reference kernels)", lambda: run_litert(model, inputs)))
    if a.interpreter in ("tflm", "both"):
        runners.append(("TFLite Micro", lambda: run_tflm(model, inputs)))
    for name, fn in runners:
        got = fn()
        err = compare(name, got, want, exact)
        kind = "bit-exact" if exact else "within 1e-5"
        if err:
            failures.append(err)
            print("FAIL " + err)
        else:
            print(f"ok   {name}: {len(inputs)} inputs, {sum(w.size for w in want)} output values {kind} with earshot")
    if a.arena_json:
        arena = tflm_arena(model, a.model)
        rec = {"model": os.path.basename(a.model), "model_bytes": len(model), "tflm": arena,
               "generator": "tests/tflite/compare_interpreters.py", "versions": versions()}
        with open(a.arena_json, "w") as f:
            json.dump(rec, f, indent=2)
        if arena:
            print(f"TFLite Micro: smallest working arena {arena['min_arena_bytes']} bytes")
    print("versions: " + ", ".join(f"{k} {v}" for k, v in versions().items()))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
