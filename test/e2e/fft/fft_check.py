"""Generated FFT code (seq-lower-fft) against numpy.fft in float64.

  fft_check.py OP SHAPE AXIS [--length N] [--inverse] [--dynamic]
      [--dynamic-dim D]

OP is fft, rfft or irfft; SHAPE like 4x1000 (the input's shape; for irfft
the number of bins along AXIS). The model is written in MLIR (complex
tensors are built from and split into real planes, since the C ABI carries
real tensors), compiled through seqc's Python package and run on random
data. Prints the algorithm chosen and `rel_err=<e> ok` where rel_err is
max|y - ref| / max|ref| and ok means rel_err <= 1e-5 (the issue's bound).
--dynamic makes the transform axis symbolic (Bluestein at run time);
--dynamic-dim D makes another dim symbolic (a run-time batch).
"""
import argparse
import os
import sys

import numpy as np
import seqc

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import relerr  # noqa: E402


def mlir(op, shape, axis, length, inverse, dynamic, dynamic_dim=None):
    rank = len(shape)
    dyn = axis if dynamic else dynamic_dim
    dims = ["?" if d == dyn else str(s) for d, s in enumerate(shape)]
    ty = lambda el, ds=dims: "tensor<%sx%s>" % ("x".join(ds), el)
    n = length
    if n is None:
        n = 2 * (shape[axis] - 1) if op == "irfft" else shape[axis]
    out = list(dims)
    if op == "rfft":
        out[axis] = "?" if dynamic and length is None else str(n // 2 + 1)
    elif op != "fft" or length is not None:
        out[axis] = "?" if dynamic and length is None else str(n)
    idx = "(%s)" % ", ".join("d%d" % i for i in range(rank))
    amap = "affine_map<%s -> %s>" % (idx, idx)
    iters = ", ".join(['"parallel"'] * rank)
    dynamic = dyn is not None
    dyn_in = "%%d" if dynamic else ""
    lines = ["func.func @main_graph("]
    cplx_in = op in ("fft", "irfft")
    args = ['%%xr: %s {onnx.name = "xr"}' % ty("f32")]
    if cplx_in:
        args.append('%%xi: %s {onnx.name = "xi"}' % ty("f32"))
    res_el = "f32"
    outs = ['%s {onnx.name = "yr"}' % ty("f32", out)]
    if op != "irfft":
        outs.append('%s {onnx.name = "yi"}' % ty("f32", out))
    body = []
    if dynamic:
        body.append("%%c = arith.constant %d : index" % dyn)
        body.append("%d = tensor.dim %xr, %c : " + ty("f32"))
    x = "%xr"
    if cplx_in:
        body.append("%%e = tensor.empty(%s) : %s" % (dyn_in.replace("%%", "%"), ty("complex<f32>")))
        body.append("%%z = linalg.generic {indexing_maps = [%s, %s, %s], iterator_types = [%s]} "
                    "ins(%%xr, %%xi : %s, %s) outs(%%e : %s) {\n"
                    "  ^bb0(%%a: f32, %%b: f32, %%o: complex<f32>):\n"
                    "    %%v = complex.create %%a, %%b : complex<f32>\n"
                    "    linalg.yield %%v : complex<f32>\n  } -> %s"
                    % (amap, amap, amap, iters, ty("f32"), ty("f32"), ty("complex<f32>"),
                       ty("complex<f32>")))
        x = "%z"
    attrs = ["axis = %d : i64" % axis]
    if length is not None:
        attrs.append("length = %d : i64" % length)
    if inverse:
        attrs.append("inverse")
    yty = ty("f32" if op == "irfft" else "complex<f32>", out)
    body.append("%%y = seq.%s %s {%s} : (%s) -> %s loc(\"%s1\"(\"m.mlir\":0:0))" % (
        op, x, ", ".join(attrs), ty("complex<f32>" if cplx_in else "f32"), yty, op))
    if op == "irfft":
        rets = ["%y"]
    else:
        dyn_out = ""
        if "?" in out:
            body.append("%%c2 = arith.constant %d : index" % dyn)
            body.append("%%d2 = tensor.dim %%y, %%c2 : %s" % yty)
            dyn_out = "%d2"
        for part in ("re", "im"):
            body.append("%%o%s = tensor.empty(%s) : %s" % (part, dyn_out, ty("f32", out)))
            body.append("%%y%s = linalg.generic {indexing_maps = [%s, %s], iterator_types = [%s]} "
                        "ins(%%y : %s) outs(%%o%s : %s) {\n"
                        "  ^bb0(%%a: complex<f32>, %%o: f32):\n"
                        "    %%v = complex.%s %%a : complex<f32>\n"
                        "    linalg.yield %%v : f32\n  } -> %s"
                        % (part, amap, amap, iters, yty, part, ty("f32", out), part, ty("f32", out)))
        rets = ["%yre", "%yim"]
    text = "func.func @main_graph(%s)\n    -> (%s) {\n  %s\n  return %s : %s\n}\n" % (
        ", ".join(args), ", ".join(outs), "\n  ".join(body), ", ".join(rets),
        ", ".join([ty("f32", out)] * len(rets)))
    return text


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("op", choices=["fft", "rfft", "irfft"])
    ap.add_argument("shape")
    ap.add_argument("axis", type=int)
    ap.add_argument("--length", type=int)
    ap.add_argument("--inverse", action="store_true")
    ap.add_argument("--dynamic", action="store_true")
    ap.add_argument("--dynamic-dim", type=int)
    ap.add_argument("--print-mlir", action="store_true")
    a = ap.parse_args()
    shape = [int(v) for v in a.shape.split("x")]
    text = mlir(a.op, shape, a.axis, a.length, a.inverse, a.dynamic, a.dynamic_dim)
    if a.print_mlir:
        print(text)
    model = seqc.compile(seqc.import_mlir(text, "m.mlir"))
    print(" ".join("%s: %s" % (m.op, m.impl) for m in model.impl_report()))
    rng = np.random.default_rng(sum(shape))
    xr = rng.standard_normal(shape).astype(np.float32)
    xi = rng.standard_normal(shape).astype(np.float32)
    n = a.length
    if a.op == "fft":
        z = xr.astype(np.float64) + 1j * xi.astype(np.float64)
        ref = (np.fft.ifft if a.inverse else np.fft.fft)(z, n=n, axis=a.axis)
        yr, yi = model(xr, xi)
        got = yr.astype(np.float64) + 1j * yi
    elif a.op == "rfft":
        ref = np.fft.rfft(xr.astype(np.float64), n=n, axis=a.axis)
        yr, yi = model(xr)
        got = yr.astype(np.float64) + 1j * yi
    else:
        z = xr.astype(np.float64) + 1j * xi.astype(np.float64)
        ref = np.fft.irfft(z, n=n, axis=a.axis)
        got = model(xr, xi)
        got = got[0] if isinstance(got, (list, tuple)) else got
        got = got.astype(np.float64)
    return relerr.report(got, ref, 1e-5)


if __name__ == "__main__":
    sys.exit(main())
