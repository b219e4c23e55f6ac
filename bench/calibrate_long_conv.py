#!/usr/bin/env python3
"""Calibrates the long_conv cost model of seq-select-impl on this machine.

seq-select-impl chooses among the direct sum, the FFT convolution and
overlap-save by comparing estimated times, flops / rate, with one sustained
rate (GFLOP/s, one thread) per path: CostModel::longConvDirect, longConvFFT
and longConvOverlapSave (passes/Select/CostModel.h). This script measures the
three rates.

Method
  1. For C channels (default 256, batch 1) and each (L, K) pair it builds an
     ONNX model holding one depthwise causal Conv (group = C, weight C x 1 x K
     as an initializer, pads [K-1, 0], no bias): what seq-raise-onnx turns
     into a seq.long_conv with a constant kernel.
  2. It compiles each model once per path with seqc --impl=long_conv=<path>
     and times each library with `seqc-run lib.so --random --bench N` under
     SEQC_NUM_THREADS=1 (the median of N runs after one warm-up run; the
     last output line is `median_ms: X`).
  3. It counts the flops of each run with the formulas of
     include/seqc/Dialect/Seq/IR/ImplWork.h, per
     channel times C:
       direct:       2 L K
       fft:          2 * 5 N log2 N + 6 N, N the power of two >= L+K-1 (the
                     kernel's spectrum is computed at compile time, so the
                     input transform and the inverse remain)
       overlap_save: L * (2 * 5 n log2 n + 6 n) / (n - K + 1), n the block
                     length of ImplWork.h's overlapSaveLength (a power of two >= 2K, at
                     most 16384); only where n < N
     and takes each run's rate, flops / time. A path's sustained rate is the
     geometric mean of its runs' rates (a least-squares fit of
     log time = log flops - log rate: no single size dominates the fit).
     Each timed run includes the call's fixed costs (input checks, output
     allocation), which the rates absorb; the pairs are sized so that the
     convolution dominates (>= a few ms per run).
  4. It prints every measurement, the three rates, and the crossover the
     model then predicts: for each L the smallest K at which the model
     leaves the direct sum, and for each measured pair whether the model's
     choice agrees with the fastest measured path.

Usage
  bench/calibrate_long_conv.py [--seqc build/bin/seqc] [--seqc-run ...]
      [--channels 256] [--pairs 4096:16,4096:64,...] [--bench 5]
Takes one to two minutes with the defaults on a 2-core machine (most of it
compiling). Copy the three printed rates into passes/Select/CostModel.h (and
the defaults of seq-select-impl's options in Passes.td), or pass them to
seqc-opt --seq-select-impl='long-conv-direct-gflops=... long-conv-fft-gflops=...
long-conv-overlap-save-gflops=...' to try them first.
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

DEFAULT_PAIRS = ("1024:1024,4096:64,4096:256,4096:1024,4096:4096,"
                 "16384:128,16384:512,16384:2048,16384:8192,65536:256,"
                 "65536:1024,65536:4096")


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


MAX_OVERLAP_SAVE = 16384  # kMaxOverlapSaveLength in ImplWork.h


def os_per_output(size, n):
    return (2 * 5.0 * n * math.log2(n) + 6.0 * n) / (n - size + 1)


def os_length(size):
    """ImplWork.h overlapSaveLength: the power of two >= 2K with the
    fewest flops per output, at most MAX_OVERLAP_SAVE (0: none)."""
    best, n = 0, 2
    while n <= MAX_OVERLAP_SAVE:
        if n >= 2 * size and (best == 0 or os_per_output(size, n) <
                              os_per_output(size, best)):
            best = n
        n *= 2
    return best


def os_flops(length, size):
    """None where overlap-save does not apply (blocks too long, or not
    shorter than the single FFT)."""
    n = os_length(size)
    full = 1 << max(0, (length + size - 2).bit_length())
    if n == 0 or n >= full:
        return None
    return length * os_per_output(size, n)


FLOPS = {"direct": direct_flops, "fft": fft_flops, "overlap_save": os_flops}


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


def choose(length, size, rates):
    """The model's choice: the smallest flops / rate."""
    est = {impl: FLOPS[impl](length, size) / rates[impl] for impl in rates
           if FLOPS[impl](length, size) is not None}
    return min(est, key=est.get)


def crossover(length, rates):
    """Smallest K at which the model leaves the direct sum (None: none up to
    L)."""
    for size in range(1, length + 1):
        if choose(length, size, rates) != "direct":
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
    impls = list(FLOPS)
    print("%7s %6s " % ("L", "K") + " ".join("%12s" % (i[:7] + "_ms") for i in impls)
          + " " + " ".join("%9s" % (i[:6] + "GF/s") for i in impls) + "   faster")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for length, size in pairs:
            times, rates = {}, {}
            for impl in impls:
                flops = FLOPS[impl](length, size)
                if flops is None:
                    continue
                times[impl] = compile_and_time(args, tmp, length, size, impl)
                rates[impl] = args.channels * flops / times[impl] * 1e-9
            fastest = min(times, key=times.get)
            rows.append((length, size, times, rates))
            print("%7d %6d " % (length, size) +
                  " ".join("%12s" % ("%.3f" % (times[i] * 1e3) if i in times else "-")
                           for i in impls) + " " +
                  " ".join("%9s" % ("%.2f" % rates[i] if i in rates else "-")
                           for i in impls) + "   " + fastest, flush=True)

    model_rates = {i: geomean([r[3][i] for r in rows if i in r[3]]) for i in impls}
    print()
    agree = 0
    for length, size, times, _ in rows:
        model = choose(length, size, model_rates)
        measured = min(times, key=times.get)
        agree += model == measured
        print("L=%-6d K=%-5d model: %-12s measured: %-12s%s" % (
            length, size, model, measured,
            "" if model == measured else "  (disagree, %.2fx)" %
            (times[model] / times[measured])))
    print("model agrees with the measurement on %d of %d pairs" % (
        agree, len(rows)))
    print()
    for length in (1024, 4096, 16384, 65536, 1 << 20):
        print("crossover L=%-7d K* = %s" % (length, crossover(length, model_rates)))
    print("elapsed_s: %.0f" % (time.time() - start))
    print("long-conv-direct-gflops = %.2f" % model_rates["direct"])
    print("long-conv-fft-gflops = %.2f" % model_rates["fft"])
    print("long-conv-overlap-save-gflops = %.2f" % model_rates["overlap_save"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
