"""Hyena's FFT convolution written with ONNX DFT ops, against float64 numpy.

  dft_conv.py OUT --c C --l L --k K --n N [--onesided] [--mul slice|gather]
      [--conj mul|concat] [--real slice|gather] [--kernel-input] [--cut M]
      [--batch B] [--dynamic-batch] [--scale S]

Builds (opset 17, onnx.helper) the graph of

    y = irfft(rfft(u, n=N) * rfft(k, n=N), n=N)[..., :M] * S

with u (B, C, L) an input, k (C, K) a constant (or an input with
--kernel-input), both Unsqueezed to a trailing real dim and transformed by
DFT at dft_length N: full spectra, or with --onesided N/2 + 1 bins whose
product is extended to the full spectrum by its conjugated mirror
(Slice step -1, conjugated by Mul with (1, -1) or by Concat(re, Neg(im))).
The complex product is spelled as torch's exporter does (parts by Slice,
or by Gather then Unsqueeze); the inverse DFT's real part is taken by
Slice + Squeeze or Gather; --cut adds a Slice [0:M) along time.

Compiles with `seqc --print-impl`, runs with seqc-run and compares with the
float64 direct convolution sum_i k[c,i] u[b,c,t-i] when N >= L + K - 1, else
with the circular one (period N) that the graph computes. Prints
`rel_err=<e> ok` when max|y - ref| / max|ref| <= 1e-4.
"""
import argparse
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import relerr  # noqa: E402


class Graph:
    def __init__(self):
        self.nodes, self.inits, self.count = [], [], 0

    def const(self, value, dtype=np.int64):
        name = "c%d" % self.count
        self.count += 1
        self.inits.append(numpy_helper.from_array(np.array(value, dtype=dtype), name))
        return name

    def op(self, kind, inputs, name=None, **attrs):
        out = "t%d" % self.count
        self.count += 1
        self.nodes.append(helper.make_node(kind, inputs, [out], name=name or out, **attrs))
        return out


def build(a):
    g = Graph()
    last = -1
    u = g.op("Unsqueeze", ["u", g.const([-1])])
    kx = g.op("Unsqueeze", ["k", g.const([-1])])
    n = g.const(a.n)
    os_ = 1 if a.onesided else 0
    uf = g.op("DFT", [u, n], name="rfft_u", axis=2, onesided=os_)
    kf = g.op("DFT", [kx, n], name="rfft_k", axis=1, onesided=os_)

    def part(x, p):
        if a.mul == "slice":
            return g.op("Slice", [x, g.const([p]), g.const([p + 1]), g.const([last])])
        return g.op("Gather", [x, g.const(p)], axis=-1)

    def pair(re, im):
        if a.mul == "gather":
            re = g.op("Unsqueeze", [re, g.const([-1])])
            im = g.op("Unsqueeze", [im, g.const([-1])])
        return g.op("Concat", [re, im], axis=-1)

    ur, ui, kr, ki = part(uf, 0), part(uf, 1), part(kf, 0), part(kf, 1)
    re = g.op("Sub", [g.op("Mul", [ur, kr]), g.op("Mul", [ui, ki])])
    im = g.op("Add", [g.op("Mul", [ur, ki]), g.op("Mul", [ui, kr])])
    spec = pair(re, im)
    if a.onesided:
        # Bins N - f for f = N/2 + 1 .. N - 1, i.e. N/2 - 1 .. 1 for even N
        # (start -2 of the N/2 + 1 bins) and (N-1)/2 .. 1 for odd N (start
        # -1), conjugated.
        start = -2 if a.n % 2 == 0 else -1
        mirror = g.op("Slice", [spec, g.const([start]), g.const([0]), g.const([2]),
                                g.const([-1])])
        if a.conj == "mul":
            mirror = g.op("Mul", [mirror, g.const([1.0, -1.0], np.float32)])
        else:
            mr = g.op("Slice", [mirror, g.const([0]), g.const([1]), g.const([last])])
            mi = g.op("Slice", [mirror, g.const([1]), g.const([2]), g.const([last])])
            mirror = g.op("Concat", [mr, g.op("Neg", [mi])], axis=-1)
        spec = g.op("Concat", [spec, mirror], axis=2)
    y = g.op("DFT", [spec, ""], name="irfft", axis=2, inverse=1)
    if a.real == "slice":
        y = g.op("Squeeze", [g.op("Slice", [y, g.const([0]), g.const([1]),
                                            g.const([last])]), g.const([-1])])
    else:
        y = g.op("Gather", [y, g.const(0)], axis=-1)
    if a.cut:
        y = g.op("Slice", [y, g.const([0]), g.const([a.cut]), g.const([2])])
    if a.scale != 1.0:
        y = g.op("Mul", [y, g.const(a.scale, np.float32)])
    g.nodes.append(helper.make_node("Identity", [y], ["y"], name="out"))

    rng = np.random.default_rng(a.l * 31 + a.k)
    kern = (rng.standard_normal((a.c, a.k)) / np.sqrt(a.k)).astype(np.float32)
    batch = "B" if a.dynamic_batch else a.batch
    inputs = [helper.make_tensor_value_info("u", TensorProto.FLOAT, [batch, a.c, a.l])]
    if a.kernel_input:
        inputs.append(helper.make_tensor_value_info("k", TensorProto.FLOAT, [a.c, a.k]))
    else:
        g.inits.append(numpy_helper.from_array(kern, "k"))
    graph = helper.make_graph(
        g.nodes, "dft_conv", inputs,
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], g.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    return model, kern


def reference(u, k, n, m):
    """float64 sum_i k[c,i] u[b,c,t-i] for t < m; circular (period n) when
    n < L + K - 1, as the graph computes it then."""
    u, k = u.astype(np.float64), k.astype(np.float64)
    b, c, l = u.shape
    kk = k.shape[1]
    if n >= l + kk - 1:
        full = np.zeros((b, c, max(m, l + kk - 1)))
        for i in range(kk):
            full[:, :, i:i + l] += k[None, :, i:i + 1] * u
        return full[:, :, :m]
    # Circular: u and k truncated/zero-padded to n, indices mod n.
    up = np.zeros((b, c, n))
    up[:, :, :min(l, n)] = u[:, :, :n]
    kp = np.zeros((c, n))
    kp[:, :min(kk, n)] = k[:, :n]
    y = np.zeros((b, c, n))
    for i in range(n):
        y += kp[None, :, i:i + 1] * np.roll(up, i, axis=2)
    return y[:, :, :m]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--c", type=int, default=4)
    ap.add_argument("--l", type=int, default=64)
    ap.add_argument("--k", type=int, default=64)
    ap.add_argument("--n", type=int, default=128)
    ap.add_argument("--batch", type=int, default=2)
    ap.add_argument("--dynamic-batch", action="store_true")
    ap.add_argument("--onesided", action="store_true")
    ap.add_argument("--mul", choices=["slice", "gather"], default="slice")
    ap.add_argument("--conj", choices=["mul", "concat"], default="mul")
    ap.add_argument("--real", choices=["slice", "gather"], default="slice")
    ap.add_argument("--kernel-input", action="store_true")
    ap.add_argument("--cut", type=int, default=0)
    ap.add_argument("--scale", type=float, default=1.0)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    model, kern = build(a)
    path = os.path.join(a.out, "model.onnx")
    onnx.save(model, path)
    lib = os.path.join(a.out, "lib.so")
    r = subprocess.run(["seqc", path, "-o", lib, "--print-impl"],
                       capture_output=True, text=True)
    sys.stdout.write(r.stdout)
    if r.returncode:
        sys.stderr.write(r.stderr)
        return 1
    rng = np.random.default_rng(a.n)
    u = rng.standard_normal((a.batch, a.c, a.l)).astype(np.float32)
    np.save(os.path.join(a.out, "u.npy"), u)
    cmd = ["seqc-run", lib, "--input", "u=" + os.path.join(a.out, "u.npy"),
           "--output-dir", a.out]
    if a.kernel_input:
        np.save(os.path.join(a.out, "k.npy"), kern)
        cmd += ["--input", "k=" + os.path.join(a.out, "k.npy")]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    y = np.load(os.path.join(a.out, "y.npy"))
    ref = a.scale * reference(u, kern, a.n, a.cut or a.n)
    return relerr.report(y, ref, 1e-4)


if __name__ == "__main__":
    sys.exit(main())
