#!/usr/bin/env python3
"""Compiles ONNX backend node tests with seqc and checks them with
`seqc-run --compare`. Prints PASS/FAIL per test and `N passed, M failed`."""

import argparse
import os
import subprocess
import sys

ap = argparse.ArgumentParser(description=__doc__)
ap.add_argument("tests", nargs="+")
ap.add_argument("--out", required=True)
ap.add_argument("--root", default="/usr/share/libonnx-testdata/data/node")
args = ap.parse_args()
passed = failed = 0
for t in args.tests:
    d = os.path.join(args.root, t)
    lib = os.path.join(args.out, "lib%s.so" % t)
    c = subprocess.run(["seqc", os.path.join(d, "model.onnx"), "-o", lib],
                       capture_output=True, text=True)
    if c.returncode != 0:
        print("FAIL %s: compile: %s" % (t, (c.stderr.strip().splitlines() or [""])[0]))
        failed += 1
        continue
    r = subprocess.run(["seqc-run", lib, "--compare", d], capture_output=True, text=True)
    if r.returncode != 0:
        print("FAIL %s: %s" % (t, (r.stdout + r.stderr).strip().splitlines()[-1:]))
        failed += 1
    else:
        print("PASS %s" % t)
        passed += 1
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
