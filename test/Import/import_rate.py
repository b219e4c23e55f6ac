#!/usr/bin/env python3
"""Import rate of seqc over the ONNX backend node tests.

Imports every model.onnx under the node-test folder with `seqc --emit=onnx`,
leaving out the tests whose graphs need what seqc does not support by design:
training, random, string and sequence/optional-typed operators (or graph
inputs/outputs of those types). Prints each failure with its first error line,
then `import rate: P/N = X%` and `N passed, M failed`, and exits 1 if the rate
is below --min-rate.
"""

import argparse
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import onnx

EXCLUDED_OPS = {
    # training
    "Adagrad", "Adam", "Momentum", "Gradient",
    # random
    "Bernoulli", "Multinomial", "RandomNormal", "RandomNormalLike",
    "RandomUniform", "RandomUniformLike",
    # string
    "StringNormalizer", "TfIdfVectorizer", "RegexFullMatch", "StringConcat",
    "StringSplit",
    # sequence / optional
    "SequenceAt", "SequenceConstruct", "SequenceEmpty", "SequenceErase",
    "SequenceInsert", "SequenceLength", "SequenceMap", "SplitToSequence",
    "ConcatFromSequence", "Optional", "OptionalGetElement",
    "OptionalHasElement",
}


def all_nodes(graph):
    for n in graph.node:
        yield n
        for a in n.attribute:
            if a.HasField("g"):
                yield from all_nodes(a.g)
            for g in a.graphs:
                yield from all_nodes(g)


def excluded_reason(model):
    for vi in list(model.graph.input) + list(model.graph.output):
        t = vi.type
        if not t.HasField("tensor_type"):
            return "non-tensor graph input/output"
        if t.tensor_type.elem_type == onnx.TensorProto.STRING:
            return "string tensor"
    for n in all_nodes(model.graph):
        if n.op_type in EXCLUDED_OPS:
            return n.op_type
        if n.op_type == "Cast":
            for a in n.attribute:
                if a.name == "to" and a.i == onnx.TensorProto.STRING:
                    return "string tensor"
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seqc", required=True)
    ap.add_argument("--root", default="/usr/share/libonnx-testdata/data/node")
    ap.add_argument("--min-rate", type=float, default=95.0)
    ap.add_argument("-j", type=int, default=2)
    args = ap.parse_args()
    tests = sorted(d for d in os.listdir(args.root)
                   if os.path.exists(os.path.join(args.root, d, "model.onnx")))
    todo, skipped = [], 0
    for t in tests:
        path = os.path.join(args.root, t, "model.onnx")
        if excluded_reason(onnx.load(path, load_external_data=False)):
            skipped += 1
        else:
            todo.append((t, path))

    def run(item):
        t, path = item
        r = subprocess.run([args.seqc, "--emit=onnx", path, "-o", os.devnull],
                           capture_output=True, text=True, timeout=120)
        first = (r.stderr.strip().splitlines() or [""])[0]
        return t, r.returncode, first

    failed = []
    with ThreadPoolExecutor(args.j) as pool:
        for t, rc, first in pool.map(run, todo):
            if rc != 0:
                failed.append((t, rc, first))
    for t, rc, first in failed:
        print("FAIL %s (exit %d): %s" % (t, rc, first))
    ok = len(todo) - len(failed)
    rate = 100.0 * ok / max(1, len(todo))
    print("excluded by design (training/random/string/sequence): %d" % skipped)
    print("import rate: %d/%d = %.1f%%" % (ok, len(todo), rate))
    print("%d passed, %d failed" % (ok, len(failed)))
    crashed = [f for f in failed if f[1] not in (0, 1)]
    for t, rc, _ in crashed:
        print("CRASH %s: exit %d" % (t, rc))
    return 0 if rate >= args.min_rate and not crashed else 1


if __name__ == "__main__":
    sys.exit(main())
