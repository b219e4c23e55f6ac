#!/usr/bin/env python3
"""Import speed and memory of `seqc --emit=onnx` on a model with large weights.

Writes an ONNX model holding SIZE_MB of float32 initializers (a chain of
MatMul-free Adds over 64 weights of equal size, so the graph itself is
trivial), once inline in the .onnx file and once as external data, then
imports each with `seqc --emit=onnx -o /dev/null` REPEAT times and reports the
median wall time and the peak resident memory (ru_maxrss of the child) as a
multiple of the weights' size. Targets (issue 3): < 5 s and < 2x.

Usage: import_bench.py --seqc build/bin/seqc [--size-mb 500] [--repeat 3]
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def make_model(path, size_mb, external):
    n = 64
    per = size_mb * 1024 * 1024 // 4 // n
    inits, nodes = [], []
    prev = "x"
    for i in range(n):
        w = numpy_helper.from_array(np.full(per, float(i), np.float32), "w%d" % i)
        inits.append(w)
        nodes.append(helper.make_node("Add", [prev, "w%d" % i], ["a%d" % i], name="add%d" % i))
        prev = "a%d" % i
    g = helper.make_graph(nodes, "big", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [per])],
                          [helper.make_tensor_value_info(prev, TensorProto.FLOAT, [per])], inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    if external:
        onnx.save(m, path, save_as_external_data=True, all_tensors_to_one_file=True,
                  location="weights.bin", size_threshold=0)
    else:
        onnx.save(m, path)


def run(seqc, path):
    t0 = time.perf_counter()
    # A fresh child per run: ru_maxrss of RUSAGE_CHILDREN is the largest
    # child so far, so each run is measured in its own helper process.
    r = subprocess.run([sys.executable, "-c",
                        "import resource,subprocess,sys;"
                        "p=subprocess.run(sys.argv[1:]);"
                        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss);"
                        "sys.exit(p.returncode)",
                        seqc, "--emit=onnx", path, "-o", os.devnull],
                       capture_output=True, text=True)
    dt = time.perf_counter() - t0
    if r.returncode != 0:
        sys.exit("seqc failed: " + r.stderr)
    return dt, int(r.stdout.strip()) * 1024


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seqc", required=True)
    ap.add_argument("--size-mb", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    size = args.size_mb * 1024 * 1024
    print("| model | weights | median import time | peak RSS | RSS / weights |")
    print("|---|---|---|---|---|")
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        for external in (False, True):
            d = os.path.join(tmp, "ext" if external else "inline")
            os.makedirs(d)
            path = os.path.join(d, "model.onnx")
            make_model(path, args.size_mb, external)
            runs = [run(args.seqc, path) for _ in range(args.repeat)]
            t = statistics.median(r[0] for r in runs)
            rss = max(r[1] for r in runs)
            ratio = rss / size
            ok &= t < 5.0 and ratio < 2.0
            print("| %s | %d MB | %.2f s | %.0f MB | %.2fx |" % (
                "external data" if external else "inline", args.size_mb, t,
                rss / 2**20, ratio))
    print("targets (< 5 s, < 2x): %s" % ("met" if ok else "NOT met"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
