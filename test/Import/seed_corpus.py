#!/usr/bin/env python3
"""Fills a libFuzzer seed corpus: every .onnx under MODELS (recursively) and
the 60 smallest models of the ONNX node tests. Usage: seed_corpus.py MODELS OUT"""

import os
import shutil
import sys

models, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
n = 0
for root, _, files in os.walk(models):
    for f in files:
        if f.endswith(".onnx"):
            shutil.copy(os.path.join(root, f), os.path.join(out, "m%03d.onnx" % n))
            n += 1
node = "/usr/share/libonnx-testdata/data/node"
paths = [os.path.join(node, d, "model.onnx") for d in os.listdir(node)]
paths = sorted((p for p in paths if os.path.exists(p)), key=os.path.getsize)[:60]
for p in paths:
    shutil.copy(p, os.path.join(out, "n%03d.onnx" % n))
    n += 1
print("%d seeds" % n)
