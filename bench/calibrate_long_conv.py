#!/usr/bin/env python3
"""Calibrates the long_conv cost model of seq-select-impl on this machine.

passes/SelectImpl.cpp chooses between the direct sum and the FFT convolution
by comparing estimated times, flops / rate, with one sustained rate (GFLOP/s,
one thread) per path: kDirectGflops and kFftGflops. This script measures
both rates.

Method
  1. For C channels (default 256, batch 1) and each (L, K) pair it builds an
     ONNX model holding one depthwise causal Conv (group = C, weight C x 1 x K
     as an initializer, pads [K-1, 0], no bias): what seq-raise-onnx turns
     into a seq.long_conv with a constant kernel.
  2. It compiles each model twice with seqc, --impl=long_conv=direct and
     --impl=long_conv=fft, and times each library with
     `seqc-run lib.so --random --bench N` under SEQC_NUM_THREADS=1 (the
     median of N runs after one warm-up run; the last output line is
     `median_ms: X`).
  3. It counts the flops of each run with SelectImpl.cpp's formulas, per
     channel times C:
       direct: 2 L K
       fft:    transforms * 5 N log2 N + 6 N, N the power of two >= L+K-1,
               transforms = 2 (constant kernel: its spectrum is computed at
               compile time, so the input transform and the inverse remain)
     and takes each run's rate, flops / time. A path's sustained rate is the
     geometric mean of its runs' rates (a least-squares fit of
     log time = log flops - log rate: no single size dominates the fit).
     Each timed run includes the call's fixed costs (input checks, output
     allocation), which the rates absorb; the pairs are sized so that the
     convolution dominates (>= a few ms per run).
  4. It prints every measurement, the two rates, and the crossover the model
     then predicts: for each L the smallest K at which the FFT estimate is
     below the direct one, and for each measured pair whether the model's
     choice agrees with the faster measured path.

Usage
  bench/calibrate_long_conv.py [--seqc build/bin/seqc] [--seqc-run ...]
      [--channels 256] [--pairs 4096:16,4096:64,...] [--bench 5]
Takes one to two minutes with the defaults on a 2-core machine (most of it
compiling). Copy the two printed rates into passes/SelectImpl.cpp.
"""

import argparse
import math
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

DEFAULT_PAIRS = ("1024:1024,2048:64,2048:256,4096:16,4096:32,4096:64,"
                 "4096:128,4096:256,8192:32,8192:128,16384:16,16384:32,"
                 "16384:64,16384:128,16384:256,65536:128")


def build_model(path, channels, length, size):
    w = (np.random.default_rng(0).standard_normal((channels, 1, size)) /
         math.sqrt(size)).astype(np.float32)
    node = helper.make_node("Conv", ["x", "w"], ["y"], name="dwconv",
                            group=channels, kernel_shape=[size],
                            pads=[size - 1, 0])
    shape = [1, channels, length]
    graph = helper.make_graph(
        [node], "long_conv",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, shape)],
        [numpy_helper.from_array(w, "w")])
    onnx.save(helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 17)]), path)


def direct_flops(length, size):
    return 2.0 * length * size


def fft_flops(length, size, transforms=2):
    n = 1 << max(0, (length + size - 2).bit_length())
    return transforms * 5.0 * n * math.log2(n) + 6.0 * n


def compile_and_time(args, tmp, length, size, impl):
    model = os.path.join(tmp, "conv_%d_%d.onnx" % (length, size))
    if not os.path.exists(model):
        build_model(model, args.channels, length, size)
    lib = os.path.join(tmp, "lib_%d_%d_%s.so" % (length, size, impl))
    subprocess.run([args.seqc, model, "-o", lib, "--impl=long_conv=" + impl],
                   check=True, capture_output=True, text=True)
    env = dict(os.environ, SEQC_NUM_THREADS="1", OMP_NUM_THREADS="1")
    out = subprocess.run([args.seqc_run, lib, "--random", "--bench",
                          str(args.bench)], check=True, capture_output=True,
                         text=True, env=env).stdout
    m = re.search(r"median_ms:\s*([0-9.eE+-]+)\s*$", out.strip())
    if not m:
        sys.exit("no median_ms in seqc-run output:\n" + out)
    return float(m.group(1)) * 1e-3


def geomean(values):
    return math.exp(sum(math.log(v) for v in values) / len(values))


def crossover(length, direct_rate, fft_rate, transforms=2):
    """Smallest K with the FFT estimate below the direct one (None: none up
    to L)."""
    for size in range(1, length + 1):
        if fft_flops(length, size, transforms) / fft_rate < \
                direct_flops(length, size) / direct_rate:
            return size
    return None


def tool(name, given):
    path = given or shutil.which(name)
    if not path:
        here = os.path.dirname(os.path.abspath(__file__))
        path = os.path.join(here, "..", "build", "bin", name)
    if not os.path.exists(path):
        sys.exit("%s not found: give --%s" % (name, name))
    return path


def main():
    ap = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seqc")
    ap.add_argument("--seqc-run")
    ap.add_argument("--channels", type=int, default=256)
    ap.add_argument("--pairs", default=DEFAULT_PAIRS,
                    help="L:K,L:K,... (default: %(default)s)")
    ap.add_argument("--bench", type=int, default=5)
    args = ap.parse_args()
    args.seqc = tool("seqc", args.seqc)
    args.seqc_run = tool("seqc-run", args.seqc_run)
    pairs = [tuple(int(v) for v in p.split(":"))
             for p in args.pairs.split(",")]

    start = time.time()
    print("# calibrate_long_conv: C=%d, batch 1, 1 thread, median of %d runs"
          % (args.channels, args.bench))
    print("# %s, %s, %s" % (time.strftime("%Y-%m-%d %H:%M"),
                            platform.node(), platform.processor() or
                            platform.machine()))
    print("%7s %6s %11s %11s %9s %9s %9s" % (
        "L", "K", "direct_ms", "fft_ms", "dir_GF/s", "fft_GF/s", "faster"))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for length, size in pairs:
            td = compile_and_time(args, tmp, length, size, "direct")
            tf = compile_and_time(args, tmp, length, size, "fft")
            fd = args.channels * direct_flops(length, size)
            ff = args.channels * fft_flops(length, size)
            rows.append((length, size, td, tf, fd / td * 1e-9, ff / tf * 1e-9))
            print("%7d %6d %11.3f %11.3f %9.2f %9.2f %9s" % (
                length, size, td * 1e3, tf * 1e3, rows[-1][4], rows[-1][5],
                "fft" if tf < td else "direct"), flush=True)

    direct_rate = geomean([r[4] for r in rows])
    fft_rate = geomean([r[5] for r in rows])
    print()
    agree = 0
    for length, size, td, tf, _, _ in rows:
        model = ("fft" if fft_flops(length, size) / fft_rate <
                 direct_flops(length, size) / direct_rate else "direct")
        measured = "fft" if tf < td else "direct"
        agree += model == measured
        print("L=%-6d K=%-5d model: %-6s measured: %-6s%s" % (
            length, size, model, measured,
            "" if model == measured else "  (disagree, %.2fx)" %
            (max(td, tf) / min(td, tf))))
    print("model agrees with the measurement on %d of %d pairs" % (
        agree, len(rows)))
    print()
    for length in (1024, 4096, 16384, 65536, 1 << 20):
        print("crossover L=%-7d K* = %s" % (
            length, crossover(length, direct_rate, fft_rate)))
    print("elapsed_s: %.0f" % (time.time() - start))
    print("kDirectGflops = %.2f" % direct_rate)
    print("kFftGflops = %.2f" % fft_rate)
    return 0


if __name__ == "__main__":
    sys.exit(main())
