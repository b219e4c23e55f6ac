"""An STFT written as a Conv1d (audio front ends: a constant windowed DFT
basis as weights, stride = hop) against the float64 convolution.

  stft_conv.py OUT --n N --hop H --length T [--sign -1|1] [--dynamic]
      [--window hann|ones] [--perturb]

Builds Conv(x: 2 x 1 x T, W: 2F x 1 x N, strides H, pads N/2 both sides),
W rows w[n] cos(2 pi k n / N) then sign * w[n] sin(2 pi k n / N), k < F =
N/2 + 1; --perturb changes one weight (then it is no longer a basis and
must stay a Conv). Compiles with seqc --print-impl, runs with seqc-run and
prints `rel_err=<e> ok` when max|y - ref| / max|ref| <= 1e-4.
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--n", type=int, default=256)
    ap.add_argument("--hop", type=int, default=64)
    ap.add_argument("--length", type=int, default=1000)
    ap.add_argument("--sign", type=int, default=-1)
    ap.add_argument("--dynamic", action="store_true")
    ap.add_argument("--window", default="hann")
    ap.add_argument("--perturb", action="store_true")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    n, pad = a.n, a.n // 2
    win = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n) / n)
           if a.window == "hann" else np.ones(n))
    k = np.arange(n // 2 + 1)[:, None]
    t = np.arange(n)[None, :]
    basis = np.concatenate([np.cos(2 * np.pi * k * t / n),
                            a.sign * np.sin(2 * np.pi * k * t / n)]) * win
    w = basis[:, None, :].astype(np.float32)
    if a.perturb:
        w[3, 0, 5] += 0.01
    node = helper.make_node("Conv", ["x", "w"], ["y"], name="stft_conv",
                            strides=[a.hop], pads=[pad, pad], kernel_shape=[n])
    dim = "T" if a.dynamic else a.length
    graph = helper.make_graph(
        [node], "stft_conv",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 1, dim])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        [numpy_helper.from_array(w, "w")])
    path = os.path.join(a.out, "model.onnx")
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path)
    lib = os.path.join(a.out, "lib.so")
    r = subprocess.run(["seqc", path, "-o", lib, "--print-impl"],
                       capture_output=True, text=True)
    sys.stdout.write(r.stdout)
    if r.returncode:
        sys.stderr.write(r.stderr)
        return 1
    x = np.random.default_rng(a.length).standard_normal((2, 1, a.length)).astype(np.float32)
    np.save(os.path.join(a.out, "x.npy"), x)
    subprocess.run(["seqc-run", lib, "--input", "x=" + os.path.join(a.out, "x.npy"),
                    "--output-dir", a.out], check=True, stdout=subprocess.DEVNULL)
    y = np.load(os.path.join(a.out, "y.npy"))
    xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (pad, pad)))
    frames = (xp.shape[2] - n) // a.hop + 1
    w64 = w[:, 0, :].astype(np.float64)
    ref = np.stack([np.stack([w64 @ xp[b, 0, f * a.hop:f * a.hop + n]
                              for f in range(frames)], 1) for b in range(2)])
    return relerr.report(y, ref, 1e-4)


if __name__ == "__main__":
    sys.exit(main())
