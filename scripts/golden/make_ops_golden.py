#!/usr/bin/env python3
"""Golden cases for the runtime's inference kernels (runtime/src/ops), computed
by TensorFlow Lite Micro's reference kernels.

Every case is a single-op .tflite model built in memory with the flatbuffers
object API of the schema module that tflite_micro ships, run through
tflite_micro's Python interpreter. Nothing here imports or calls earshot.

Output: tests/golden/ops/<name>.bin and STAMP.json (see docs/golden.md).

File format (little endian):
  magic b"EOPS", u32 format version (1), u32 case count, then per case
  u32 field count, then per field: u8 dtype (0 int32, 1 float32, 2 int8),
  u32 element count, the elements.
Field 0 of every case holds int32 parameters, field 1 float32 parameters;
the remaining fields are the op's arrays (FIELDS below; "fields" per file in STAMP.json).

Run: /work/main/.venv/bin/python scripts/golden/make_ops_golden.py
"""

import datetime
import json
import os
import struct
import sys

import flatbuffers
import numpy as np
from tflite_micro.python.tflite_micro import runtime as tflm_runtime
from tflite_micro.python.tflite_micro import _version as tflm_version
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as fb

SEED = 20261122
N_INT8 = int(os.environ.get("EOPS_N_INT8", "1000"))
N_FLOAT = int(os.environ.get("EOPS_N_FLOAT", "40"))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT_DIR = os.path.join(ROOT, "tests", "golden", "ops")

# What each file's fields hold (after the two parameter vectors).
FIELDS = {
    "conv2d": "ints [N,H,W,Cin,Cout,Kh,Kw,stride_h,stride_w,dil_h,dil_w,padding,act,in_zp,out_zp,has_bias]; "
              "floats [in_scale,out_scale]; filter_scales f32; input i8 [N,H,W,Cin]; filter i8 [Cout,Kh,Kw,Cin]; "
              "bias i32 [Cout] (empty if none); output i8 [N,Ho,Wo,Cout]",
    "fully_connected": "ints [N,D,U,act,in_zp,out_zp,has_bias]; floats [in_scale,out_scale]; filter_scales f32; "
                       "input i8 [N,D]; weights i8 [U,D]; bias i32 [U] or empty; output i8 [N,U]",
    "max_pool2d": "ints [N,H,W,C,Kh,Kw,stride_h,stride_w,padding,act,zp]; floats [scale]; input i8; output i8",
    "avg_pool2d": "same as max_pool2d",
    "softmax": "ints [rows,depth,in_zp]; floats [beta,in_scale]; input i8 [rows,depth]; output i8",
    "logistic": "ints [size,in_zp]; floats [in_scale]; input i8; output i8 (scale 1/256, zp -128)",
    "tanh": "ints [size,in_zp]; floats [in_scale]; input i8; output i8 (scale 1/128, zp 0)",
    "relu": "ints [size,in_zp,out_zp]; floats [in_scale,out_scale]; input i8; output i8",
    "relu6": "ints [size,zp]; floats [scale]; input i8; output i8 (output quantization = input's)",
    "quantize": "ints [size,zp]; floats [scale]; input f32; output i8",
    "dequantize": "ints [size,zp]; floats [scale]; input i8; output f32",
    "conv2d_f32": "ints as conv2d (zps 0); floats []; input f32; filter f32; bias f32 or empty; output f32",
    "fully_connected_f32": "ints as fully_connected; floats []; input f32; weights f32; bias f32 or empty; output f32",
    "max_pool2d_f32": "ints as max_pool2d; floats []; input f32; output f32",
    "avg_pool2d_f32": "ints as max_pool2d; floats []; input f32; output f32",
    "softmax_f32": "ints [rows,depth,0]; floats [beta]; input f32; output f32",
    "logistic_f32": "ints [size,0]; floats []; input f32; output f32",
    "tanh_f32": "ints [size,0]; floats []; input f32; output f32",
    "relu_f32": "ints [size,0,0]; floats []; input f32; output f32",
    "relu6_f32": "ints [size,0]; floats []; input f32; output f32",
}

BO = fb.BuiltinOperator
TT = fb.TensorType


# ---------------------------------------------------------------- model building

class Graph:
    def __init__(self):
        self.tensors = []
        self.buffers = [fb.BufferT()]  # buffer 0: the empty sentinel

    def tensor(self, shape, ttype, scale=None, zp=None, data=None, qdim=0):
        t = fb.TensorT()
        t.shape = list(shape)
        t.type = ttype
        t.name = "t%d" % len(self.tensors)
        if scale is not None:
            q = fb.QuantizationParametersT()
            q.scale = [float(s) for s in np.atleast_1d(scale)]
            q.zeroPoint = [int(z) for z in np.atleast_1d(zp)]
            q.quantizedDimension = qdim
            t.quantization = q
        if data is not None:
            b = fb.BufferT()
            b.data = np.frombuffer(np.ascontiguousarray(data).tobytes(), dtype=np.uint8)
            self.buffers.append(b)
            t.buffer = len(self.buffers) - 1
        else:
            t.buffer = 0
        self.tensors.append(t)
        return len(self.tensors) - 1

    def build(self, opcode, inputs, outputs, options_type=0, options=None, graph_inputs=None):
        code = fb.OperatorCodeT()
        code.builtinCode = opcode
        code.deprecatedBuiltinCode = min(opcode, 127)
        code.version = 1
        op = fb.OperatorT()
        op.opcodeIndex = 0
        op.inputs = list(inputs)
        op.outputs = list(outputs)
        op.builtinOptionsType = options_type
        op.builtinOptions = options
        sg = fb.SubGraphT()
        sg.tensors = self.tensors
        sg.inputs = list(graph_inputs if graph_inputs is not None else inputs[:1])
        sg.outputs = list(outputs)
        sg.operators = [op]
        m = fb.ModelT()
        m.version = 3
        m.operatorCodes = [code]
        m.subgraphs = [sg]
        m.buffers = self.buffers
        m.description = "earshot ops golden"
        b = flatbuffers.Builder(1024)
        b.Finish(m.Pack(b), file_identifier=b"TFL3")
        return bytes(b.Output())


def run(model, x):
    interp = tflm_runtime.Interpreter.from_bytes(model, arena_size=64 * 1024)
    interp.set_input(x, 0)
    interp.invoke()
    return np.array(interp.get_output(0))


# ---------------------------------------------------------------- helpers

def loguniform(rng, lo, hi, size=None):
    return np.exp(rng.uniform(np.log(lo), np.log(hi), size))


def out_size(padding, n, k, s, d=1):
    eff = (k - 1) * d + 1
    return (n + s - 1) // s if padding == 0 else (n + s - eff) // s


def rand_i8(rng, shape):
    return rng.integers(-128, 128, size=shape, dtype=np.int64).astype(np.int8)


def f32(x):
    return np.float32(x)


# ---------------------------------------------------------------- ops

def conv2d_case(rng, float_mode=False):
    while True:
        n = int(rng.choice([1, 1, 1, 2]))
        h, w = int(rng.integers(1, 9)), int(rng.integers(1, 9))
        cin, cout = int(rng.integers(1, 5)), int(rng.integers(1, 6))
        kh, kw = int(rng.integers(1, 5)), int(rng.integers(1, 5))
        sh, sw = int(rng.integers(1, 4)), int(rng.integers(1, 4))
        dh, dw = (1, 1) if rng.random() < 0.6 else (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
        pad = int(rng.integers(0, 2))
        ho, wo = out_size(pad, h, kh, sh, dh), out_size(pad, w, kw, sw, dw)
        if ho >= 1 and wo >= 1:
            break
    act = int(rng.integers(0, 4))
    has_bias = int(rng.random() < 0.8)
    g = Graph()
    if float_mode:
        x = rng.standard_normal((n, h, w, cin)).astype(np.float32)
        filt = rng.standard_normal((cout, kh, kw, cin)).astype(np.float32)
        bias = rng.standard_normal(cout).astype(np.float32)
        xi = g.tensor(x.shape, TT.FLOAT32)
        fi = g.tensor(filt.shape, TT.FLOAT32, data=filt)
        bi = g.tensor([cout], TT.FLOAT32, data=bias) if has_bias else -1
        oi = g.tensor((n, ho, wo, cout), TT.FLOAT32)
        in_zp = out_zp = 0
    else:
        in_scale = f32(loguniform(rng, 1e-3, 1.0))
        in_zp = int(rng.integers(-128, 128))
        per_channel = rng.random() < 0.8
        nsc = cout if per_channel else 1
        # Per-channel scales spread over orders of magnitude.
        fscales = loguniform(rng, 1e-4, 1e-1, nsc).astype(np.float32)
        x = rand_i8(rng, (n, h, w, cin))
        filt = rng.integers(-127, 128, size=(cout, kh, kw, cin)).astype(np.int8)
        k = kh * kw * cin
        typical = float(in_scale) * float(np.median(fscales)) * 60.0 * np.sqrt(k)
        out_scale = f32(typical * loguniform(rng, 0.05, 3.0))
        if rng.random() < 0.05:
            out_scale = f32(float(in_scale) * float(np.max(fscales)) * loguniform(rng, 0.02, 0.9))  # multiplier > 1
        out_zp = int(rng.integers(-128, 128))
        bscale = (float(in_scale) * fscales.astype(np.float64)).astype(np.float32)
        bias = rng.integers(-(1 << 14), 1 << 14, size=cout).astype(np.int32)
        xi = g.tensor(x.shape, TT.INT8, in_scale, in_zp)
        fi = g.tensor(filt.shape, TT.INT8, fscales, [0] * nsc, data=filt, qdim=0)
        bi = (g.tensor([cout], TT.INT32, bscale if per_channel else bscale[:1], [0] * nsc, data=bias)
              if has_bias else -1)
        oi = g.tensor((n, ho, wo, cout), TT.INT8, out_scale, out_zp)
    opt = fb.Conv2DOptionsT()
    opt.padding, opt.strideH, opt.strideW = pad, sh, sw
    opt.dilationHFactor, opt.dilationWFactor = dh, dw
    opt.fusedActivationFunction = act
    y = run(g.build(BO.CONV_2D, [xi, fi, bi], [oi], fb.BuiltinOptions.Conv2DOptions, opt, [xi]), x)
    ints = [n, h, w, cin, cout, kh, kw, sh, sw, dh, dw, pad, act, in_zp, out_zp, has_bias]
    if float_mode:
        return [ints, [], x, filt, bias if has_bias else np.zeros(0, np.float32), y]
    return [ints, [in_scale, out_scale], fscales, x, filt,
            bias if has_bias else np.zeros(0, np.int32), y]


def fc_case(rng, float_mode=False):
    n, d, u = int(rng.integers(1, 5)), int(rng.integers(1, 41)), int(rng.integers(1, 13))
    act = int(rng.integers(0, 4))
    has_bias = int(rng.random() < 0.8)
    g = Graph()
    if float_mode:
        x = rng.standard_normal((n, d)).astype(np.float32)
        wts = rng.standard_normal((u, d)).astype(np.float32)
        bias = rng.standard_normal(u).astype(np.float32)
        xi = g.tensor(x.shape, TT.FLOAT32)
        wi = g.tensor(wts.shape, TT.FLOAT32, data=wts)
        bi = g.tensor([u], TT.FLOAT32, data=bias) if has_bias else -1
        oi = g.tensor((n, u), TT.FLOAT32)
        in_zp = out_zp = 0
    else:
        in_scale = f32(loguniform(rng, 1e-3, 1.0))
        in_zp = int(rng.integers(-128, 128))
        per_channel = rng.random() < 0.5
        nsc = u if per_channel else 1
        fscales = loguniform(rng, 1e-4, 1e-1, nsc).astype(np.float32)
        x = rand_i8(rng, (n, d))
        wts = rng.integers(-127, 128, size=(u, d)).astype(np.int8)
        typical = float(in_scale) * float(np.median(fscales)) * 60.0 * np.sqrt(d)
        out_scale = f32(typical * loguniform(rng, 0.05, 3.0))
        if rng.random() < 0.05:
            out_scale = f32(float(in_scale) * float(np.max(fscales)) * loguniform(rng, 0.02, 0.9))
        out_zp = int(rng.integers(-128, 128))
        # TFLM checks |in*w - bias_scale| / out_scale <= 0.02 (per tensor).
        bscale = (in_scale * fscales).astype(np.float32)
        bias = rng.integers(-(1 << 14), 1 << 14, size=u).astype(np.int32)
        xi = g.tensor(x.shape, TT.INT8, in_scale, in_zp)
        wi = g.tensor(wts.shape, TT.INT8, fscales, [0] * nsc, data=wts, qdim=0)
        bi = g.tensor([u], TT.INT32, bscale, [0] * nsc, data=bias) if has_bias else -1
        oi = g.tensor((n, u), TT.INT8, out_scale, out_zp)
    opt = fb.FullyConnectedOptionsT()
    opt.fusedActivationFunction = act
    y = run(g.build(BO.FULLY_CONNECTED, [xi, wi, bi], [oi], fb.BuiltinOptions.FullyConnectedOptions,
                    opt, [xi]), x)
    ints = [n, d, u, act, in_zp, out_zp, has_bias]
    if float_mode:
        return [ints, [], x, wts, bias if has_bias else np.zeros(0, np.float32), y]
    return [ints, [in_scale, out_scale], fscales, x, wts, bias if has_bias else np.zeros(0, np.int32), y]


def pool_case(rng, opcode, float_mode=False):
    while True:
        n = int(rng.choice([1, 1, 2]))
        h, w, c = int(rng.integers(1, 10)), int(rng.integers(1, 10)), int(rng.integers(1, 5))
        kh, kw = int(rng.integers(1, 5)), int(rng.integers(1, 5))
        sh, sw = int(rng.integers(1, 4)), int(rng.integers(1, 4))
        pad = int(rng.integers(0, 2))
        ho, wo = out_size(pad, h, kh, sh), out_size(pad, w, kw, sw)
        if ho >= 1 and wo >= 1:
            break
    act = int(rng.integers(0, 4))
    g = Graph()
    if float_mode:
        x = (rng.standard_normal((n, h, w, c)) * 3).astype(np.float32)
        xi = g.tensor(x.shape, TT.FLOAT32)
        oi = g.tensor((n, ho, wo, c), TT.FLOAT32)
        scale, zp = f32(0), 0
    else:
        scale, zp = f32(loguniform(rng, 1e-3, 0.5)), int(rng.integers(-128, 128))
        x = rand_i8(rng, (n, h, w, c))
        xi = g.tensor(x.shape, TT.INT8, scale, zp)
        oi = g.tensor((n, ho, wo, c), TT.INT8, scale, zp)
    opt = fb.Pool2DOptionsT()
    opt.padding, opt.strideH, opt.strideW = pad, sh, sw
    opt.filterHeight, opt.filterWidth = kh, kw
    opt.fusedActivationFunction = act
    y = run(g.build(opcode, [xi], [oi], fb.BuiltinOptions.Pool2DOptions, opt), x)
    ints = [n, h, w, c, kh, kw, sh, sw, pad, act, zp]
    return [ints, [] if float_mode else [scale], x, y]


def softmax_case(rng, float_mode=False):
    rows, depth = int(rng.integers(1, 5)), int(rng.integers(1, 41))
    beta = f32(1.0) if rng.random() < 0.5 else f32(loguniform(rng, 0.1, 4.0))
    g = Graph()
    if float_mode:
        x = (rng.standard_normal((rows, depth)) * 4).astype(np.float32)
        xi = g.tensor(x.shape, TT.FLOAT32)
        oi = g.tensor(x.shape, TT.FLOAT32)
        in_scale, in_zp = None, 0
    else:
        # 5 % with large input scales: beta * scale * 2^26 is capped at 2^31 - 1.
        hi = 100.0 if rng.random() < 0.05 else 1.0
        in_scale, in_zp = f32(loguniform(rng, 1e-3, hi)), int(rng.integers(-128, 128))
        x = rand_i8(rng, (rows, depth))
        xi = g.tensor(x.shape, TT.INT8, in_scale, in_zp)
        oi = g.tensor(x.shape, TT.INT8, f32(1.0 / 256), -128)
    opt = fb.SoftmaxOptionsT()
    opt.beta = float(beta)
    y = run(g.build(BO.SOFTMAX, [xi], [oi], fb.BuiltinOptions.SoftmaxOptions, opt), x)
    return [[rows, depth, in_zp], [beta] if float_mode else [beta, in_scale], x, y]


def unary_case(rng, opcode, out_q, float_mode=False):
    """LOGISTIC, TANH: out_q is the fixed output (scale, zp)."""
    size = int(rng.integers(1, 65))
    g = Graph()
    if float_mode:
        x = (rng.standard_normal(size) * 5).astype(np.float32)
        xi, oi = g.tensor([size], TT.FLOAT32), g.tensor([size], TT.FLOAT32)
        y = run(g.build(opcode, [xi], [oi]), x)
        return [[size, 0], [], x, y]
    in_scale, in_zp = f32(loguniform(rng, 1e-3, 4.0)), int(rng.integers(-128, 128))
    x = rand_i8(rng, size)
    xi = g.tensor([size], TT.INT8, in_scale, in_zp)
    oi = g.tensor([size], TT.INT8, f32(out_q[0]), out_q[1])
    y = run(g.build(opcode, [xi], [oi]), x)
    return [[size, in_zp], [in_scale], x, y]


def relu_case(rng, float_mode=False):
    size = int(rng.integers(1, 65))
    g = Graph()
    if float_mode:
        x = (rng.standard_normal(size) * 5).astype(np.float32)
        xi, oi = g.tensor([size], TT.FLOAT32), g.tensor([size], TT.FLOAT32)
        return [[size, 0, 0], [], x, run(g.build(BO.RELU, [xi], [oi]), x)]
    in_scale, in_zp = f32(loguniform(rng, 1e-3, 0.5)), int(rng.integers(-128, 128))
    if rng.random() < 0.2:
        out_scale, out_zp = in_scale, in_zp
    else:
        out_scale, out_zp = f32(in_scale * loguniform(rng, 0.2, 5.0)), int(rng.integers(-128, 128))
    x = rand_i8(rng, size)
    xi = g.tensor([size], TT.INT8, in_scale, in_zp)
    oi = g.tensor([size], TT.INT8, out_scale, out_zp)
    return [[size, in_zp, out_zp], [in_scale, out_scale], x, run(g.build(BO.RELU, [xi], [oi]), x)]


def relu6_case(rng, float_mode=False):
    size = int(rng.integers(1, 65))
    g = Graph()
    if float_mode:
        x = (rng.standard_normal(size) * 5).astype(np.float32)
        xi, oi = g.tensor([size], TT.FLOAT32), g.tensor([size], TT.FLOAT32)
        return [[size, 0], [], x, run(g.build(BO.RELU6, [xi], [oi]), x)]
    scale, zp = f32(loguniform(rng, 1e-3, 0.5)), int(rng.integers(-128, 128))
    x = rand_i8(rng, size)
    xi = g.tensor([size], TT.INT8, scale, zp)
    oi = g.tensor([size], TT.INT8, scale, zp)
    return [[size, zp], [scale], x, run(g.build(BO.RELU6, [xi], [oi]), x)]


def quantize_case(rng):
    size = int(rng.integers(1, 65))
    scale, zp = f32(loguniform(rng, 1e-3, 1.0)), int(rng.integers(-128, 128))
    x = (rng.uniform(-200, 200, size) * scale).astype(np.float32)
    ties = rng.random(size) < 0.3  # exact halves, to see the rounding rule
    x[ties] = ((rng.integers(-150, 150, ties.sum()) + 0.5) * float(scale)).astype(np.float32)
    g = Graph()
    xi = g.tensor([size], TT.FLOAT32)
    oi = g.tensor([size], TT.INT8, scale, zp)
    return [[size, zp], [scale], x, run(g.build(BO.QUANTIZE, [xi], [oi]), x)]


def dequantize_case(rng):
    size = int(rng.integers(1, 65))
    scale, zp = f32(loguniform(rng, 1e-4, 2.0)), int(rng.integers(-128, 128))
    x = rand_i8(rng, size)
    g = Graph()
    xi = g.tensor([size], TT.INT8, scale, zp)
    oi = g.tensor([size], TT.FLOAT32)
    return [[size, zp], [scale], x, run(g.build(BO.DEQUANTIZE, [xi], [oi]), x)]


# ---------------------------------------------------------------- output

DTYPES = {np.dtype(np.int32): 0, np.dtype(np.float32): 1, np.dtype(np.int8): 2}


def field_bytes(v, index):
    if index == 0:
        a = np.asarray(v, dtype=np.int32)
    elif index == 1:
        a = np.asarray(v, dtype=np.float32)
    else:
        a = np.ascontiguousarray(v)
    if a.dtype not in DTYPES:
        raise SystemExit("unexpected dtype %s" % a.dtype)
    a = a.reshape(-1).astype(a.dtype.newbyteorder("<"))
    return struct.pack("<BI", DTYPES[a.dtype], a.size) + a.tobytes()


def write(name, cases):
    parts = [b"EOPS", struct.pack("<II", 1, len(cases))]
    for c in cases:
        parts.append(struct.pack("<I", len(c)))
        parts.extend(field_bytes(v, i) for i, v in enumerate(c))
    data = b"".join(parts)
    with open(os.path.join(OUT_DIR, name + ".bin"), "wb") as f:
        f.write(data)
    return len(data)


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    rng = np.random.default_rng(SEED)
    gens = [
        ("conv2d", N_INT8, lambda: conv2d_case(rng)),
        ("fully_connected", N_INT8, lambda: fc_case(rng)),
        ("max_pool2d", N_INT8, lambda: pool_case(rng, BO.MAX_POOL_2D)),
        ("avg_pool2d", N_INT8, lambda: pool_case(rng, BO.AVERAGE_POOL_2D)),
        ("softmax", N_INT8, lambda: softmax_case(rng)),
        ("logistic", N_INT8, lambda: unary_case(rng, BO.LOGISTIC, (1.0 / 256, -128))),
        ("tanh", N_INT8, lambda: unary_case(rng, BO.TANH, (1.0 / 128, 0))),
        ("relu", N_INT8, lambda: relu_case(rng)),
        ("relu6", N_INT8, lambda: relu6_case(rng)),
        ("quantize", N_INT8, lambda: quantize_case(rng)),
        ("dequantize", N_INT8, lambda: dequantize_case(rng)),
        ("conv2d_f32", N_FLOAT, lambda: conv2d_case(rng, True)),
        ("fully_connected_f32", N_FLOAT, lambda: fc_case(rng, True)),
        ("max_pool2d_f32", N_FLOAT, lambda: pool_case(rng, BO.MAX_POOL_2D, True)),
        ("avg_pool2d_f32", N_FLOAT, lambda: pool_case(rng, BO.AVERAGE_POOL_2D, True)),
        ("softmax_f32", N_FLOAT, lambda: softmax_case(rng, True)),
        ("logistic_f32", N_FLOAT, lambda: unary_case(rng, BO.LOGISTIC, None, True)),
        ("tanh_f32", N_FLOAT, lambda: unary_case(rng, BO.TANH, None, True)),
        ("relu_f32", N_FLOAT, lambda: relu_case(rng, True)),
        ("relu6_f32", N_FLOAT, lambda: relu6_case(rng, True)),
    ]
    only = set(sys.argv[1:])
    files = {}
    total = 0
    for name, count, gen in gens:
        if only and name not in only:
            continue
        cases = [gen() for _ in range(count)]
        size = write(name, cases)
        files[name + ".bin"] = {"cases": count, "bytes": size, "fields": FIELDS[name]}
        total += size
        print("%-22s %5d cases %8d bytes" % (name, count, size))
    if only:
        return
    stamp = {
        "generator": "scripts/golden/make_ops_golden.py",
        "command": "/work/main/.venv/bin/python scripts/golden/make_ops_golden.py",
        "date": datetime.date.today().isoformat(),
        "python": "%d.%d.%d" % sys.version_info[:3],
        "numpy": np.__version__,
        "flatbuffers": getattr(flatbuffers, "__version__", "unknown"),
        "tflite_micro": tflm_version.__version__,
        "seed": SEED,
        "reference": "tflite_micro Python interpreter (reference kernels), one single-op model per case",
        "format": __doc__.split("File format")[1].split("Run:")[0].strip(),
        "int8_tolerance": "bit-exact",
        "float_tolerance": "|out - ref| <= 1e-5 + 1e-5 * |ref|",
        "total_bytes": total,
        "files": files,
    }
    with open(os.path.join(OUT_DIR, "STAMP.json"), "w") as f:
        json.dump(stamp, f, indent=2)
        f.write("\n")
    print("total %d bytes" % total)


if __name__ == "__main__":
    main()
