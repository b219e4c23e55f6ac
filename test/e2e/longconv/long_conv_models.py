"""Depthwise long-convolution models and their float64 numpy reference.

  long_conv_models.py check OUT --c C --l L --k K --mode causal|centered
      [--dynamic] [--weight-input] [--impl fft|direct|auto] [--lengths L1,L2]
      [--custom-op]

Builds an ONNX depthwise Conv (group = C, weight C x 1 x K, pads causal
(K-1, 0) or centred), compiles it with seqc (optionally forcing the
algorithm), runs it with seqc-run at each length, and compares with the
float64 reference (numpy correlation of the zero-padded input). With
--custom-op the model is one ai.seqc.LongConv node (lib/Import/SeqcOps.cpp)
with the same taps as a true-convolution kernel (C x K, the Conv weight
reversed), and the same reference. Prints one
line per length: `L=<n> rel_err=<e> ok` where rel_err is
max|y - ref| / max|ref| and ok means rel_err <= 1e-4 (the issue's bound for
FFT convolution against the direct sum). Exits 1 on any failure.
"""
import argparse
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def pads_of(k, mode):
    return [k - 1, 0] if mode == "causal" else [k - 1 - (k - 1) // 2, (k - 1) // 2]


def build(c, l, k, mode, dynamic, weight_input, custom_op=False, seed=0):
    rng = np.random.RandomState(seed)
    w = (rng.randn(c, 1, k) / np.sqrt(k)).astype(np.float32)
    b = rng.randn(c).astype(np.float32)
    dim = "L" if dynamic else l
    inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, c, dim])]
    inits = [numpy_helper.from_array(b, "b")]
    # ai.seqc.LongConv takes the kernel unflipped: the Conv weight reversed.
    wshape = [c, k] if custom_op else [c, 1, k]
    warr = np.ascontiguousarray(w[:, 0, ::-1]) if custom_op else w
    if weight_input:
        inputs.append(helper.make_tensor_value_info("w", TensorProto.FLOAT, wshape))
    else:
        inits.append(numpy_helper.from_array(warr, "w"))
    opsets = [helper.make_opsetid("", 17)]
    if custom_op:
        node = helper.make_node("LongConv", ["x", "w", "b"], ["y"], name="lconv",
                                domain="ai.seqc", mode=mode)
        opsets.append(helper.make_opsetid("ai.seqc", 1))
    else:
        node = helper.make_node("Conv", ["x", "w", "b"], ["y"], name="dwconv", group=c,
                                kernel_shape=[k], pads=pads_of(k, mode))
    out = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, c, dim])
    graph = helper.make_graph([node], "long_conv", inputs, [out], inits)
    return helper.make_model(graph, opset_imports=opsets), w, b, warr


def reference(x, w, b, mode):
    k = w.shape[2]
    pl, pr = pads_of(k, mode)
    xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (pl, pr)))
    w64 = w.astype(np.float64)
    y = np.stack([np.correlate(xp[0, ch], w64[ch, 0], "valid") for ch in range(x.shape[1])])
    return y[None] + b.astype(np.float64)[None, :, None]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["check"])
    ap.add_argument("out")
    ap.add_argument("--c", type=int, default=8)
    ap.add_argument("--l", type=int, default=64)
    ap.add_argument("--k", type=int, default=64)
    ap.add_argument("--mode", default="causal")
    ap.add_argument("--dynamic", action="store_true")
    ap.add_argument("--weight-input", action="store_true")
    ap.add_argument("--impl", default="auto")
    ap.add_argument("--lengths", default="")
    ap.add_argument("--custom-op", action="store_true")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    model, w, b, warr = build(a.c, a.l, a.k, a.mode, a.dynamic, a.weight_input,
                              a.custom_op)
    path = os.path.join(a.out, "model.onnx")
    onnx.save(model, path)
    lib = os.path.join(a.out, "libmodel.so")
    cmd = ["seqc", path, "-o", lib, "--print-impl"]
    if a.impl != "auto":
        cmd.append("--impl=long_conv=" + a.impl)
    r = subprocess.run(cmd, capture_output=True, text=True)
    sys.stdout.write(r.stdout)
    if r.returncode:
        sys.stderr.write(r.stderr)
        return 1
    lengths = [int(v) for v in a.lengths.split(",")] if a.lengths else [a.l]
    ok = True
    for l in lengths:
        rng = np.random.RandomState(l)
        x = rng.randn(1, a.c, l).astype(np.float32)
        np.save(os.path.join(a.out, "x.npy"), x)
        run = ["seqc-run", lib, "--input", "x=" + os.path.join(a.out, "x.npy"),
               "--output-dir", a.out]
        if a.weight_input:
            np.save(os.path.join(a.out, "w.npy"), warr)
            run += ["--input", "w=" + os.path.join(a.out, "w.npy")]
        subprocess.run(run, check=True, stdout=subprocess.DEVNULL)
        y = np.load(os.path.join(a.out, "y.npy"))
        ref = reference(x, w, b, a.mode)
        err = float(np.abs(y - ref).max() / np.abs(ref).max())
        good = y.shape == ref.shape and err <= 1e-4
        ok &= good
        print("L=%d rel_err=%.2e %s" % (l, err, "ok" if good else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
