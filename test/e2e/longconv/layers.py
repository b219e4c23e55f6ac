"""Long-convolution layers (seqc.models: S4D, SGConv, Hyena) compiled end to
end with `seqc` and checked against their float64 numpy references.

  layers.py check OUT --layer s4d|sgconv|hyena [--width W] [--length L]
      [--kernel K] [--symbolic] [--lengths L1,L2,...] [--impl ALGO]

Builds the layer's ONNX model (its long convolutions are depthwise Convs,
which seq-raise-onnx turns into seq.long_conv), compiles it with
`seqc --print-impl` (the report is echoed: one line per mixer with its
algorithm), runs it with `seqc-run` at each length and prints
`<layer> L=<n> rel_err=<e> ok` with rel_err = max|y - ref| / max|ref|, ok
meaning rel_err <= 1e-4. With --symbolic the model's length is the symbolic
dim "L" and one library serves every length. Exits 1 on any failure.
"""
import argparse
import os
import subprocess
import sys

import numpy as np
import onnx

import seqc.models as models

BUILDERS = {"s4d": models.s4d, "sgconv": models.sgconv, "hyena": models.hyena}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["check"])
    ap.add_argument("out")
    ap.add_argument("--layer", choices=sorted(BUILDERS), required=True)
    ap.add_argument("--width", type=int, default=16)
    ap.add_argument("--length", type=int, default=1024)
    ap.add_argument("--kernel", type=int, default=None)
    ap.add_argument("--symbolic", action="store_true")
    ap.add_argument("--lengths", default="")
    ap.add_argument("--impl", default="")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)

    length = "L" if a.symbolic else a.length
    layer = BUILDERS[a.layer](length=length, width=a.width,
                              kernel_size=a.kernel, seed=a.seed)
    path = os.path.join(a.out, "model.onnx")
    onnx.save(layer.model, path)
    lib = os.path.join(a.out, "libmodel.so")
    cmd = ["seqc", path, "-o", lib, "--print-impl"]
    if a.impl:
        cmd.append("--impl=" + a.impl)
    r = subprocess.run(cmd, capture_output=True, text=True)
    sys.stdout.write(r.stdout)
    if r.returncode:
        sys.stderr.write(r.stderr)
        return 1

    lengths = [int(v) for v in a.lengths.split(",")] if a.lengths else [a.length]
    ok = True
    for n in lengths:
        x = layer.example_input(n, seed=n)
        xin = os.path.join(a.out, "x.npy")
        np.save(xin, x)
        subprocess.run(["seqc-run", lib, "--input", "x=" + xin,
                        "--output-dir", a.out], check=True,
                       stdout=subprocess.DEVNULL)
        y = np.load(os.path.join(a.out, "y.npy"))
        ref = layer.reference(x)
        err = float(np.abs(y - ref).max() / np.abs(ref).max())
        good = y.shape == ref.shape and bool(err <= 1e-4)
        ok &= good
        print("%s L=%d rel_err=%.2e %s" % (a.layer, n, err,
                                           "ok" if good else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
