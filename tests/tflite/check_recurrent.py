#!/usr/bin/env python3
"""Runs a recurrent export (`earshot export RUN` of a simple_rnn or gru model:
step.tflite, head.tflite, vectors_input.npy, vectors_output.npy) the way a
TFLite or TFLite Micro user would, and requires the board's outputs that
earshot wrote into vectors_output.npy, bit for bit:

    for each clip:
        h = zeros                      # int16, scale 2^-15
        for each step t:
            x = one-hot of code t      # 1 is round(1 / x's scale), or the int16 vector
            h = step(x, h)             # step.tflite: inputs x, h; output h'
            keep h (flatten: all of them; else the last)
        scores = head(kept)            # head.tflite, once per clip

in TensorFlow Lite (PyPI ai-edge-litert, reference kernels) and TensorFlow
Lite Micro (PyPI tflite-micro). earshot's side is rt::RecurrentStream (fused
step kernels, the head's first dense layer as running sums) plus the head's
tail: a different computation of the same integers.

    check_recurrent.py EXPORT_DIR
"""
import os
import sys
import time

import numpy as np


def load(d):
    step = open(os.path.join(d, "step.tflite"), "rb").read()
    head = open(os.path.join(d, "head.tflite"), "rb").read()
    xs = np.load(os.path.join(d, "vectors_input.npy"))
    want = np.load(os.path.join(d, "vectors_output.npy"))
    return step, head, xs, want


class Litert:
    name = "tflite (ai-edge-litert, reference kernels)"

    def __init__(self, model):
        from ai_edge_litert.interpreter import Interpreter, OpResolverType
        self.it = Interpreter(model_content=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
        self.it.allocate_tensors()
        self.ins = self.it.get_input_details()
        self.outs = self.it.get_output_details()

    def input(self, k):
        return self.ins[k]

    def run(self, values):
        for d, v in zip(self.ins, values):
            self.it.set_tensor(d["index"], v.reshape(d["shape"]).astype(d["dtype"]))
        self.it.invoke()
        return self.it.get_tensor(self.outs[0]["index"]).copy()


class Tflm:
    name = "tflite-micro"

    def __init__(self, model):
        from tflite_micro.python.tflite_micro import runtime
        self.it = runtime.Interpreter.from_bytes(model, arena_size=1 << 21)
        self.n = len(Litert(model).ins)

    def input(self, k):
        return self.it.get_input_details(k)

    def run(self, values):
        for k, v in enumerate(values):
            d = self.it.get_input_details(k)
            self.it.set_input(v.reshape(d["shape"]).astype(d["dtype"]), k)
        self.it.invoke()
        return self.it.get_output(0).copy()


def run_clips(kind, step_bytes, head_bytes, xs):
    step, head = kind(step_bytes), kind(head_bytes)
    lit = Litert(step_bytes)
    names = [d["name"] for d in lit.ins]
    if names != ["x", "h"]:
        raise SystemExit(f"step.tflite inputs are {names}, expected ['x', 'h']")
    xd, hd = lit.ins[0], lit.ins[1]
    depth = int(xd["shape"][-1])
    units = int(hd["shape"][-1])
    one = int(round(1.0 / xd["quantization_parameters"]["scales"][0]))
    head_in = int(np.prod(Litert(head_bytes).ins[0]["shape"]))
    flatten = head_in != units
    got = []
    for clip in xs:
        h = np.zeros((1, units), np.int16)
        kept = []
        for t in range(clip.shape[0]):
            if clip.ndim == 1:
                x = np.zeros((1, depth), np.int16)
                x[0, int(clip[t])] = one
            else:
                x = clip[t].reshape(1, depth).astype(np.int16)
            h = step.run([x, h])
            if flatten:
                kept.append(h.copy())
        v = np.concatenate(kept, axis=1) if flatten else h
        got.append(head.run([v]).reshape(-1))
    return np.stack(got)


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    step, head, xs, want = load(sys.argv[1])
    status = 0
    for kind in (Litert, Tflm):
        t0 = time.time()
        got = run_clips(kind, step, head, xs).astype(np.int32)
        ok = got.shape == want.shape and np.array_equal(got, want.astype(np.int32))
        steps = xs.shape[0] * xs.shape[1]
        print(f"{kind.name}: {xs.shape[0]} clips x {xs.shape[1]} steps ({steps / (time.time() - t0):.0f} steps/s): "
              + ("outputs equal earshot's bit for bit" if ok else f"MISMATCH\n  got  {got.tolist()}\n  want {want.tolist()}"))
        status |= 0 if ok else 1
    sys.exit(status)


if __name__ == "__main__":
    main()
