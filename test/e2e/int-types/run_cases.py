#!/usr/bin/env python3
"""Numerical checks of unsigned integer, bfloat16 and quantization ops where
the ONNX backend data does not reach: values past the signed range (which
the signed arith variants would get wrong), int8 quantization, ties,
saturation, per-axis parameters, batched and grouped forms, symbolic dims.

Each case builds a one-node (or two-node) ONNX model, compiles it with
`seqc`, runs it with `seqc-run` and compares its outputs with a reference
computed independently in numpy: integer results exactly, floats within the
tolerance given. Quantization cases use power-of-two scales, so that the
float32 arithmetic of the spec is exact and ties are ties in the float64
reference too. Prints `ok NAME` or `FAIL NAME: why` per case, then
`N passed, M failed`.

  run_cases.py unsigned|quantization WORKDIR
"""

import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

NP2ONNX = {np.dtype(k): v for k, v in {
    "float32": TensorProto.FLOAT, "float64": TensorProto.DOUBLE,
    "int8": TensorProto.INT8, "int16": TensorProto.INT16,
    "int32": TensorProto.INT32, "int64": TensorProto.INT64,
    "uint8": TensorProto.UINT8, "uint16": TensorProto.UINT16,
    "uint32": TensorProto.UINT32, "uint64": TensorProto.UINT64,
    "bool": TensorProto.BOOL}.items()}

rng = np.random.default_rng(7)
CASES = {"unsigned": [], "quantization": []}


def case(group):
    def add(fn):
        CASES[group].append(fn)
        return fn
    return add


def model(nodes, inputs, outputs, opset=13, dims=None):
    """inputs: [(name, array)], outputs: [(name, dtype, shape)]; `dims`
    names the dims of inputs to make symbolic: {input: [dim names]}."""
    dims = dims or {}
    ins = [helper.make_tensor_value_info(n, NP2ONNX[a.dtype],
                                         dims.get(n, list(a.shape)))
           for n, a in inputs]
    outs = [helper.make_tensor_value_info(n, NP2ONNX[np.dtype(t)], s)
            for n, t, s in outputs]
    g = helper.make_graph(nodes, "g", ins, outs)
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])


def run(work, name, m, inputs):
    d = os.path.join(work, name)
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "model.onnx")
    onnx.save(m, path)
    lib = os.path.join(d, "lib.so")
    c = subprocess.run(["seqc", path, "-o", lib], capture_output=True,
                       text=True)
    if c.returncode:
        raise RuntimeError("seqc: " + (c.stderr.strip().splitlines() or ["?"])[0])
    cmd = ["seqc-run", lib, "--output-dir", os.path.join(d, "out")]
    for n, a in inputs:
        np.save(os.path.join(d, n + ".npy"), a)
        cmd += ["--input", "%s=%s" % (n, os.path.join(d, n + ".npy"))]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError("seqc-run: " + r.stderr.strip())
    return {o.name: np.load(os.path.join(d, "out", o.name + ".npy"))
            for o in m.graph.output}


def check(got, want, tol=0.0):
    if got.shape != want.shape:
        return "shape %s, expected %s" % (got.shape, want.shape)
    if got.dtype != want.dtype:
        return "dtype %s, expected %s" % (got.dtype, want.dtype)
    if np.issubdtype(want.dtype, np.integer):
        bad = np.count_nonzero(got != want)  # exact, in the integer type
    else:
        g, w = got.astype(np.float64), want.astype(np.float64)
        with np.errstate(invalid="ignore"):
            ok = (np.isnan(g) & np.isnan(w)) | (g == w) | (np.abs(g - w) <= tol)
        bad = np.count_nonzero(~ok)
    return "%d/%d elements differ" % (bad, want.size) if bad else None


def binary(op, dtype, a, b, ref, **attrs):
    a, b = np.asarray(a, dtype), np.asarray(b, dtype)
    want = ref(a, b)
    m = model([helper.make_node(op, ["a", "b"], ["y"], **attrs)],
              [("a", a), ("b", b)], [("y", want.dtype, list(want.shape))])
    return m, [("a", a), ("b", b)], {"y": want}


def big(dtype, shape):
    """Values spread over the whole unsigned range, most past the signed
    maximum."""
    info = np.iinfo(dtype)
    return rng.integers(0, int(info.max), shape, dtype=dtype, endpoint=True)


# --- unsigned ---------------------------------------------------------------

for dt in ["uint8", "uint16", "uint32", "uint64"]:
    @case("unsigned")
    def _wrap(work, dt=dt):
        """Add/Sub/Mul wrap modulo 2^N."""
        a, b = big(dt, (3, 4)), big(dt, (4,))
        out = {}
        for op, f in [("Add", np.add), ("Sub", np.subtract),
                      ("Mul", np.multiply)]:
            with np.errstate(over="ignore"):
                m, ins, want = binary(op, dt, a, b, f)
            out[op] = (run(work, "wrap_%s_%s" % (op, dt), m, ins)["y"],
                       want["y"])
        return out
    _wrap.__name__ = "wrap_" + dt

    @case("unsigned")
    def _divmod(work, dt=dt):
        """Div and Mod with dividends and divisors past the signed range
        (divsi/remsi would see negatives), Mod by larger divisors."""
        a, b = big(dt, (16,)), big(dt, (16,))
        b[b == 0] = 1
        b[:4] = [1, 3, 7, np.iinfo(dt).max]
        out = {}
        m, ins, want = binary("Div", dt, a, b, lambda x, y: x // y)
        out["Div"] = (run(work, "div_" + dt, m, ins)["y"], want["y"])
        m, ins, want = binary("Mod", dt, a, b, np.mod)
        out["Mod"] = (run(work, "mod_" + dt, m, ins)["y"], want["y"])
        return out
    _divmod.__name__ = "divmod_" + dt

    @case("unsigned")
    def _compare(work, dt=dt):
        """Max/Min/Less/GreaterOrEqual order values past the signed range."""
        a, b = big(dt, (2, 8)), big(dt, (2, 8))
        out = {}
        for op, f in [("Max", np.maximum), ("Min", np.minimum),
                      ("Less", np.less), ("GreaterOrEqual", np.greater_equal)]:
            m, ins, want = binary(op, dt, a, b, f)
            out[op] = (run(work, "cmp_%s_%s" % (op, dt), m, ins)["y"],
                       want["y"])
        return out
    _compare.__name__ = "compare_" + dt

    @case("unsigned")
    def _bitshift(work, dt=dt):
        """BitShift both ways, shifts past the width give 0."""
        w = np.dtype(dt).itemsize * 8
        a = big(dt, (12,))
        s = np.array([0, 1, w - 1, w, w + 3] + list(range(2, 9)), dt)
        out = {}
        for d, f in [("LEFT", np.left_shift), ("RIGHT", np.right_shift)]:
            m, ins, want = binary("BitShift", dt, a, s, f, direction=d)
            out[d] = (run(work, "shift_%s_%s" % (d, dt), m, ins)["y"],
                      want["y"])
        return out
    _bitshift.__name__ = "bitshift_" + dt


@case("unsigned")
def reduce_argmax_u16(work):
    """ReduceMax/ReduceMin/ArgMax/ArgMin of uint16 past 2^15."""
    x = big("uint16", (3, 5))
    nodes = [helper.make_node("ReduceMax", ["x"], ["mx"], axes=[1],
                              keepdims=0),
             helper.make_node("ReduceMin", ["x"], ["mn"], axes=[1],
                              keepdims=0),
             helper.make_node("ArgMax", ["x"], ["am"], axis=1, keepdims=0),
             helper.make_node("ArgMin", ["x"], ["an"], axis=1, keepdims=0)]
    want = {"mx": x.max(1), "mn": x.min(1), "am": x.argmax(1),
            "an": x.argmin(1)}
    m = model(nodes, [("x", x)],
              [(k, v.dtype, list(v.shape)) for k, v in want.items()])
    got = run(work, "reduce_u16", m, [("x", x)])
    return {k: (got[k], want[k]) for k in want}


@case("unsigned")
def cast_uint(work):
    """uint32 -> float32 and uint8 -> int64 read values past the signed
    range as positive; float -> uint16 and uint64 -> uint8 truncate."""
    u32 = big("uint32", (8,))
    u8 = big("uint8", (8,))
    f = rng.uniform(0, 65535, (8,)).astype(np.float32)
    u64 = big("uint64", (8,))
    nodes = [helper.make_node("Cast", ["u32"], ["a"], to=TensorProto.FLOAT),
             helper.make_node("Cast", ["u8"], ["b"], to=TensorProto.INT64),
             helper.make_node("Cast", ["f"], ["c"], to=TensorProto.UINT16),
             helper.make_node("Cast", ["u64"], ["d"], to=TensorProto.UINT8)]
    want = {"a": u32.astype(np.float32), "b": u8.astype(np.int64),
            "c": f.astype(np.uint16), "d": u64.astype(np.uint8)}
    ins = [("u32", u32), ("u8", u8), ("f", f), ("u64", u64)]
    m = model(nodes, ins, [(k, v.dtype, list(v.shape))
                           for k, v in want.items()])
    got = run(work, "cast_uint", m, ins)
    return {k: (got[k], want[k]) for k in want}


@case("unsigned")
def maxpool_clip_topk_u8(work):
    """MaxPool with padding (pad 0 never wins over data, all >= 0), Clip
    and TopK on uint8 past 127."""
    x = big("uint8", (1, 2, 5, 5))
    lo, hi = np.array(60, np.uint8), np.array(200, np.uint8)
    v = big("uint8", (2, 9))
    k = np.array([4], np.int64)
    nodes = [helper.make_node("MaxPool", ["x"], ["p"], kernel_shape=[3, 3],
                              pads=[1, 1, 1, 1], strides=[2, 2]),
             helper.make_node("Clip", ["x", "lo", "hi"], ["c"]),
             helper.make_node("TopK", ["v", "k"], ["tv", "ti"], axis=1)]
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    pool = np.zeros((1, 2, 3, 3), np.uint8)
    for i in range(3):
        for j in range(3):
            pool[:, :, i, j] = xp[:, :, 2 * i:2 * i + 3, 2 * j:2 * j + 3].max((2, 3))
    order = np.argsort(-v.astype(np.int64), axis=1, kind="stable")[:, :4]
    want = {"p": pool, "c": np.clip(x, lo, hi),
            "tv": np.take_along_axis(v, order, 1), "ti": order}
    ins = [("x", x), ("lo", lo), ("hi", hi), ("v", v), ("k", k)]
    m = model(nodes, ins, [(n, a.dtype, list(a.shape))
                           for n, a in want.items()])
    got = run(work, "pool_clip_topk_u8", m, ins)
    return {n: (got[n], want[n]) for n in want}


@case("unsigned")
def symbolic_u32(work):
    """A uint32 chain with every dim symbolic."""
    a, b = big("uint32", (3, 5)), big("uint32", (3, 5))
    b[b == 0] = 1
    nodes = [helper.make_node("Div", ["a", "b"], ["q"]),
             helper.make_node("Max", ["q", "b"], ["y"])]
    m = model(nodes, [("a", a), ("b", b)], [("y", np.uint32, ["N", "M"])],
              dims={"a": ["N", "M"], "b": ["N", "M"]})
    got = run(work, "symbolic_u32", m, [("a", a), ("b", b)])
    return {"y": (got["y"], np.maximum(a // b, b))}


def bf16_reference(x):
    """float32 -> the float32 value of the nearest bfloat16, ties to an even
    mantissa, found by comparing the two neighbours in float64."""
    out = np.empty_like(x)
    for i, v in enumerate(x):
        if np.isnan(v) or np.isinf(v):
            out[i] = v
            continue
        bits = int(np.array(v, np.float32).view(np.uint32))
        down = bits & 0xFFFF0000  # toward zero
        up = down + 0x10000       # away from zero (may reach inf)
        f = lambda b: float(np.array(b, np.uint32).view(np.float32))
        # Past the largest bfloat16 the next value up is 2^128 (IEEE
        # rounds as if the exponent were unbounded, then overflows to inf).
        fu = f(up) if np.isfinite(f(up)) else np.copysign(2.0 ** 128, v)
        dd, du = abs(float(v) - f(down)), abs(fu - float(v))
        if dd < du or (dd == du and not (down >> 16) & 1):
            out[i] = f(down)
        else:
            out[i] = f(up)
    return out


@case("unsigned")
def bfloat16_round_trip(work):
    """float32 -> bfloat16 -> float32: nearest even, ties both ways, NaN,
    infinities, overflow to infinity, subnormals."""
    special = np.array([1 + 2 ** -8, 1 + 3 * 2 ** -8, -(1 + 2 ** -8),
                        np.nan, np.inf, -np.inf, 3.4028235e38, 1e-40, 0.0,
                        -0.0, 65504.0, 1.00390625], np.float32)
    x = np.concatenate([special, rng.standard_normal(52).astype(np.float32)])
    nodes = [helper.make_node("Cast", ["x"], ["b"], to=TensorProto.BFLOAT16),
             helper.make_node("Cast", ["b"], ["y"], to=TensorProto.FLOAT)]
    m = model(nodes, [("x", x)], [("y", np.float32, [64])])
    got = run(work, "bf16", m, [("x", x)])
    return {"y": (got["y"], bf16_reference(x))}


# --- quantization -----------------------------------------------------------

def pow2(shape, lo=-3, hi=2):
    return np.power(2.0, rng.integers(lo, hi + 1, shape)).astype(np.float32)


def q_ref(v, zp, dtype):
    """saturate(round_half_even(v) + zp) in float64."""
    info = np.iinfo(dtype)
    return np.clip(np.rint(v) + zp, info.min, info.max).astype(dtype)


@case("quantization")
def quantize_int8_axis(work):
    """int8 per-axis (axis 2) with negative zero points: saturation at both
    ends and exact ties (x/scale = k + 0.5)."""
    scale = pow2((4,))
    zp = np.array([-128, -3, 0, 100], np.int8)
    x = (rng.integers(-700, 700, (2, 3, 4, 2)) / 2.0 *
         scale[None, None, :, None]).astype(np.float32)
    want = q_ref(x.astype(np.float64) / scale[:, None], zp[:, None], np.int8)
    m = model([helper.make_node("QuantizeLinear", ["x", "s", "z"], ["y"],
                                axis=2)],
              [("x", x), ("s", scale), ("z", zp)],
              [("y", np.int8, list(x.shape))])
    got = run(work, "q_int8_axis", m, [("x", x), ("s", scale), ("z", zp)])
    return {"y": (got["y"], want)}


@case("quantization")
def quantize_default_uint8(work):
    """No zero point: uint8 with zero point 0, negatives saturate to 0."""
    x = (rng.integers(-300, 900, (10,)) / 4.0).astype(np.float32)
    s = np.array(0.5, np.float32)
    want = q_ref(x.astype(np.float64) / 0.5, 0, np.uint8)
    m = model([helper.make_node("QuantizeLinear", ["x", "s"], ["y"])],
              [("x", x), ("s", s)], [("y", np.uint8, [10])])
    got = run(work, "q_default", m, [("x", x), ("s", s)])
    return {"y": (got["y"], want)}


@case("quantization")
def dequantize_forms(work):
    """int8 per-axis (axis 0), uint8 past 127, int32 without zero point."""
    x8 = rng.integers(-128, 128, (3, 5)).astype(np.int8)
    s8, z8 = pow2((3,)), np.array([-128, 0, 127], np.int8)
    xu = big("uint8", (6,))
    su, zu = np.array(0.25, np.float32), np.array(200, np.uint8)
    x32 = rng.integers(-2 ** 20, 2 ** 20, (6,)).astype(np.int32)
    s32 = np.array(0.125, np.float32)
    nodes = [helper.make_node("DequantizeLinear", ["x8", "s8", "z8"], ["a"],
                              axis=0),
             helper.make_node("DequantizeLinear", ["xu", "su", "zu"], ["b"]),
             helper.make_node("DequantizeLinear", ["x32", "s32"], ["c"])]
    want = {"a": ((x8.astype(np.float64) - z8[:, None]) * s8[:, None]),
            "b": (xu.astype(np.float64) - 200) * 0.25,
            "c": x32.astype(np.float64) * 0.125}
    want = {k: v.astype(np.float32) for k, v in want.items()}
    ins = [("x8", x8), ("s8", s8), ("z8", z8), ("xu", xu), ("su", su),
           ("zu", zu), ("x32", x32), ("s32", s32)]
    m = model(nodes, ins, [(k, np.float32, list(v.shape))
                           for k, v in want.items()])
    got = run(work, "dq_forms", m, ins)
    return {k: (got[k], want[k]) for k in want}


@case("quantization")
def dynamic_quantize_positive(work):
    """DynamicQuantizeLinear of an all-positive input (min adjusted to 0)
    and of a mixed one, against the spec's formulas in float64."""
    out = {}
    for name, x in [("pos", rng.uniform(0.5, 4, (3, 7)).astype(np.float32)),
                    ("mixed", rng.uniform(-3, 5, (21,)).astype(np.float32))]:
        lo, hi = min(0.0, float(x.min())), max(0.0, float(x.max()))
        scale = np.float32((hi - lo) / 255)
        zp = np.clip(np.rint(0 - lo / np.float64(scale)), 0, 255)
        y = q_ref(x.astype(np.float64) / np.float64(scale), zp, np.uint8)
        m = model([helper.make_node("DynamicQuantizeLinear", ["x"],
                                    ["y", "s", "z"])],
                  [("x", x)], [("y", np.uint8, list(x.shape)),
                               ("s", np.float32, []), ("z", np.uint8, [])],
                  opset=11)
        got = run(work, "dql_" + name, m, [("x", x)])
        out[name + ".y"] = (got["y"], y)
        out[name + ".s"] = (got["s"], np.array(scale, np.float32))
        out[name + ".z"] = (got["z"], np.array(zp, np.uint8))
    return out


def matmul_int_ref(a, b, azp, bzp):
    a = a.astype(np.int64) - azp
    b = b.astype(np.int64) - bzp
    return np.matmul(a, b)


@case("quantization")
def matmul_integer_batched(work):
    """uint8 A (2,3,4,5) x int8 B (5,6): per-row a_zero_point (past 127),
    per-column b_zero_point, batch broadcast."""
    a, b = big("uint8", (2, 3, 4, 5)), rng.integers(-128, 128, (5, 6)).astype(np.int8)
    azp = big("uint8", (4,))
    bzp = rng.integers(-128, 128, (6,)).astype(np.int8)
    want = matmul_int_ref(a, b, azp[:, None], bzp[None, :]).astype(np.int32)
    ins = [("a", a), ("b", b), ("azp", azp), ("bzp", bzp)]
    m = model([helper.make_node("MatMulInteger", ["a", "b", "azp", "bzp"],
                                ["y"])], ins, [("y", np.int32, [2, 3, 4, 6])],
              opset=10)
    got = run(work, "mmi_batched", m, ins)
    return {"y": (got["y"], want)}


@case("quantization")
def matmul_integer_symbolic(work):
    """MatMulInteger with every dim symbolic: the one-element zero points
    are broadcast at run time."""
    a = rng.integers(-128, 128, (2, 4, 3)).astype(np.int8)
    b = rng.integers(-128, 128, (2, 3, 5)).astype(np.int8)
    azp, bzp = np.array([5], np.int8), np.array([-7], np.int8)
    ins = [("a", a), ("b", b), ("azp", azp), ("bzp", bzp)]
    m = model([helper.make_node("MatMulInteger", ["a", "b", "azp", "bzp"],
                                ["y"])], ins, [("y", np.int32, ["B", "M", "N"])],
              opset=10, dims={"a": ["B", "M", "K"], "b": ["B", "K", "N"],
                              "azp": ["P"], "bzp": ["Q"]})
    got = run(work, "mmi_symbolic", m, ins)
    return {"y": (got["y"], matmul_int_ref(a, b, 5, -7).astype(np.int32))}


@case("quantization")
def matmul_integer_large_uint8_weights(work):
    """A uint8 weight initializer large enough to be stored as a resource
    blob keeps its bytes (values past 127) through the signless rewrite."""
    from onnx import numpy_helper
    w = big("uint8", (256, 300))
    wzp = np.array(131, np.uint8)
    a, azp = big("uint8", (4, 256)), np.array(7, np.uint8)
    g = helper.make_graph(
        [helper.make_node("MatMulInteger", ["a", "w", "azp", "wzp"], ["y"])],
        "g", [helper.make_tensor_value_info("a", TensorProto.UINT8, [4, 256]),
              helper.make_tensor_value_info("azp", TensorProto.UINT8, [])],
        [helper.make_tensor_value_info("y", TensorProto.INT32, [4, 300])],
        initializer=[numpy_helper.from_array(w, "w"),
                     numpy_helper.from_array(wzp, "wzp")])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    got = run(work, "mmi_weights", m, [("a", a), ("azp", azp)])
    return {"y": (got["y"], matmul_int_ref(a, w, 7, 131).astype(np.int32))}


def conv_ref(x, w, stride, pad, groups):
    """Plain loops in int64: x (N,C,H,W), w (M,C/g,kh,kw)."""
    n, c, h, wd = x.shape
    m, cg, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    oh = (h + 2 * pad - kh) // stride + 1
    ow = (wd + 2 * pad - kw) // stride + 1
    y = np.zeros((n, m, oh, ow), np.int64)
    mg = m // groups
    for o in range(m):
        g = o // mg
        for i in range(oh):
            for j in range(ow):
                patch = xp[:, g * cg:(g + 1) * cg, i * stride:i * stride + kh,
                           j * stride:j * stride + kw]
                y[:, o, i, j] = (patch * w[o]).sum((1, 2, 3))
    return y


@case("quantization")
def conv_integer_grouped(work):
    """ConvInteger: uint8 x with zero point 200 (pads read as the zero
    point), int8 w with per-channel zero points, groups 2, stride 2."""
    x = big("uint8", (1, 4, 5, 5))
    w = rng.integers(-128, 128, (6, 2, 3, 3)).astype(np.int8)
    xzp = np.array(200, np.uint8)
    wzp = rng.integers(-5, 5, (6,)).astype(np.int8)
    want = conv_ref(x.astype(np.int64) - 200,
                    w.astype(np.int64) - wzp[:, None, None, None], 2, 1, 2)
    ins = [("x", x), ("w", w), ("xzp", xzp), ("wzp", wzp)]
    m = model([helper.make_node("ConvInteger", ["x", "w", "xzp", "wzp"], ["y"],
                                pads=[1, 1, 1, 1], strides=[2, 2], group=2)],
              ins, [("y", np.int32, list(want.shape))], opset=10)
    got = run(work, "convint", m, ins)
    return {"y": (got["y"], want.astype(np.int32))}


@case("quantization")
def qlinear_matmul_per_axis(work):
    """QLinearMatMul int8: per-row a_scale/y_scale/y_zero_point, per-column
    b_scale, saturating at both ends."""
    a = rng.integers(-128, 128, (4, 6)).astype(np.int8)
    b = rng.integers(-128, 128, (6, 3)).astype(np.int8)
    as_, bs, ys = pow2((4,), -6, -3), pow2((3,), -6, -3), pow2((4,), -4, -1)
    azp = np.array(3, np.int8)
    bzp = np.array(-2, np.int8)
    yzp = np.array([-100, 0, 50, 127], np.int8)
    acc = matmul_int_ref(a, b, 3, -2).astype(np.float64)
    v = acc * (as_[:, None].astype(np.float64) * bs[None, :]) / ys[:, None]
    want = q_ref(v, yzp[:, None], np.int8)
    ins = [("a", a), ("as", as_), ("azp", azp), ("b", b), ("bs", bs),
           ("bzp", bzp), ("ys", ys), ("yzp", yzp)]
    m = model([helper.make_node("QLinearMatMul", [n for n, _ in ins], ["y"])],
              ins, [("y", np.int8, [4, 3])], opset=10)
    got = run(work, "qlmm", m, ins)
    return {"y": (got["y"], want)}


@case("quantization")
def qlinear_conv_bias(work):
    """QLinearConv: uint8 x and y, int8 w with per-channel scales and zero
    points 0, int32 bias, padding and stride 2."""
    x = big("uint8", (1, 3, 6, 6))
    w = rng.integers(-128, 128, (4, 3, 3, 3)).astype(np.int8)
    xs, xzp = np.array(2.0 ** -4, np.float32), np.array(128, np.uint8)
    ws, wzp = pow2((4,), -7, -5), np.zeros((4,), np.int8)
    ys, yzp = np.array(2.0 ** -1, np.float32), np.array(100, np.uint8)
    bias = rng.integers(-5000, 5000, (4,)).astype(np.int32)
    acc = conv_ref(x.astype(np.int64) - 128, w.astype(np.int64), 2, 1, 1)
    acc = acc + bias[None, :, None, None]
    v = acc.astype(np.float64) * (float(xs) * ws[None, :, None, None]) / float(ys)
    want = q_ref(v, 100, np.uint8)
    ins = [("x", x), ("xs", xs), ("xzp", xzp), ("w", w), ("ws", ws),
           ("wzp", wzp), ("ys", ys), ("yzp", yzp), ("bias", bias)]
    m = model([helper.make_node("QLinearConv", [n for n, _ in ins], ["y"],
                                pads=[1, 1, 1, 1], strides=[2, 2])],
              ins, [("y", np.uint8, list(want.shape))], opset=10)
    got = run(work, "qlconv", m, ins)
    return {"y": (got["y"], want)}


def main():
    group, work = sys.argv[1], sys.argv[2]
    passed = failed = 0
    for fn in CASES[group]:
        try:
            results = fn(work)
            why = ["%s: %s" % (k, r) for k, (g, w) in results.items()
                   for r in [check(g, w)] if r]
        except Exception as e:  # a compile or run failure is a failure
            why = [str(e)]
        if why:
            failed += 1
            print("FAIL %s: %s" % (fn.__name__, "; ".join(why)))
        else:
            passed += 1
            print("ok %s" % fn.__name__)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
