#!/usr/bin/env python3
"""Sequence operators inside a graph (rewritten into tensor ops by the
importer) compiled by seqc and run, against a reference that executes the
ONNX sequence semantics on Python lists of numpy arrays. Covers what the
ONNX backend data does not: run-time positions (positive and negative) that
turn a sequence into one stacked tensor, SequenceInsert/SequenceErase
without a position, SplitToSequence with scalar (even and uneven) and
run-time split sizes and with keepdims = 0, ConcatFromSequence with and
without new_axis on stacked sequences, and symbolic dims. Each case is
compiled once and run with several position values; exact comparison
(the ops only move data). Prints one line per case and `N passed, M failed`.
"""

import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

SEQC = os.environ.get("SEQC", "seqc")
SEQC_RUN = os.environ.get("SEQC_RUN", "seqc-run")
F, I64, I32 = TensorProto.FLOAT, TensorProto.INT64, TensorProto.INT32


def attrs(node):
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def reference(graph, feeds):
    """Runs the graph's nodes (sequence ops and Constant) on Python lists."""
    env = dict(feeds)
    for init in graph.initializer:
        env[init.name] = numpy_helper.to_array(init)
    for n in graph.node:
        a = attrs(n)
        ins = [env[i] if i else None for i in n.input]
        op = n.op_type
        if op == "Constant":
            out = numpy_helper.to_array(a["value"])
        elif op == "SequenceEmpty":
            out = []
        elif op == "SequenceConstruct":
            out = list(ins)
        elif op == "SequenceInsert":
            s = list(ins[0])
            p = len(s) if len(ins) < 3 or ins[2] is None else int(ins[2])
            s.insert(p + len(s) if p < 0 else p, ins[1])
            out = s
        elif op == "SequenceErase":
            s = list(ins[0])
            p = -1 if len(ins) < 2 or ins[1] is None else int(ins[1])
            del s[p]
            out = s
        elif op == "SequenceAt":
            out = ins[0][int(ins[1])]
        elif op == "SequenceLength":
            out = np.array(len(ins[0]), np.int64)
        elif op == "ConcatFromSequence":
            axis = a.get("axis")
            out = (np.stack(ins[0], axis) if a.get("new_axis", 0)
                   else np.concatenate(ins[0], axis))
        elif op == "SplitToSequence":
            x, axis = ins[0], a.get("axis", 0)
            d = x.shape[axis]
            if len(ins) < 2 or ins[1] is None:
                out = [np.take(x, [i] if a.get("keepdims", 1) else i, axis)
                       for i in range(d)]
            elif ins[1].ndim == 0:
                out = np.split(x, list(range(int(ins[1]), d, int(ins[1]))), axis)
            else:
                out = np.split(x, list(np.cumsum(ins[1])[:-1]), axis)
        else:
            raise ValueError(op)
        env[n.output[0]] = out
    return [env[o.name] for o in graph.output]


def pos(name):
    return helper.make_tensor_value_info(name, I64, [])


def vi(name, dtype, shape):
    return helper.make_tensor_value_info(name, dtype, shape)


def N(op, ins, outs, **kw):
    return helper.make_node(op, ins, outs, name=outs[0] + "_node", **kw)


rng = np.random.default_rng(0)


def arr(*shape):
    return rng.standard_normal(shape).astype(np.float32)


def cases():
    X, Y, Z = arr(2, 3), arr(2, 3), arr(2, 3)
    xyz = [vi("X", F, [2, 3]), vi("Y", F, [2, 3]), vi("Z", F, [2, 3])]
    sym = [vi("X", F, ["n", 3]), vi("Y", F, ["n", 3]), vi("Z", F, ["n", 3])]
    base = {"X": X, "Y": Y, "Z": Z}

    def runs(name, values):
        return [dict(base, **{name: np.array(v, np.int64)}) for v in values]

    yield ("at_runtime_position",
           [N("SequenceConstruct", ["X", "Y", "Z"], ["s"]),
            N("SequenceAt", ["s", "p"], ["out"])],
           xyz + [pos("p")], ["out"], runs("p", [0, 2, -1, -3]), 12)
    yield ("insert_runtime_position",
           [N("SequenceConstruct", ["X", "Y"], ["s"]),
            N("SequenceInsert", ["s", "Z", "p"], ["s2"]),
            N("ConcatFromSequence", ["s2"], ["out"], axis=0),
            N("SequenceLength", ["s2"], ["len"])],
           xyz + [pos("p")], ["out", "len"], runs("p", [0, 1, 2, -1, -2]), 12)
    yield ("erase_runtime_position_new_axis",
           [N("SequenceConstruct", ["X", "Y", "Z"], ["s"]),
            N("SequenceErase", ["s", "p"], ["s2"]),
            N("ConcatFromSequence", ["s2"], ["out"], axis=1, new_axis=1),
            N("SequenceLength", ["s2"], ["len"])],
           xyz + [pos("p")], ["out", "len"], runs("p", [0, 1, 2, -1, -3]), 12)
    # Insert at a run-time position, then erase the last and append without
    # positions; opset 13 (Unsqueeze with an axes input).
    yield ("insert_erase_append_opset13",
           [N("SequenceConstruct", ["X", "Y", "Z"], ["s"]),
            N("SequenceInsert", ["s", "X", "p"], ["s2"]),
            N("SequenceErase", ["s2"], ["s3"]),
            N("SequenceInsert", ["s3", "Y"], ["s4"]),
            N("ConcatFromSequence", ["s4"], ["out"], axis=-1),
            N("SequenceAt", ["s4", "q"], ["at"])],
           xyz + [pos("p"), pos("q")], ["out", "at"],
           [dict(base, p=np.array(p, np.int64), q=np.array(q, np.int64))
            for p, q in [(0, 3), (3, 0), (-2, -1), (1, -4)]], 13)
    # Built from empty with run-time positions, symbolic dims.
    yield ("empty_insert_runtime_symbolic",
           [N("SequenceEmpty", [], ["e"], dtype=F),
            N("SequenceInsert", ["e", "X", "p"], ["s1"]),
            N("SequenceInsert", ["s1", "Y", "p"], ["s2"]),
            N("SequenceInsert", ["s2", "Z", "q"], ["s3"]),
            N("ConcatFromSequence", ["s3"], ["out"], axis=-1, new_axis=1),
            N("SequenceAt", ["s3", "q"], ["at"])],
           sym + [pos("p"), pos("q")], ["out", "at"],
           [dict(base, p=np.array(0, np.int64), q=np.array(q, np.int64))
            for q in [0, 1, 2, -1]], 12)
    W = arr(6, 4, 5)
    w = [vi("W", F, [6, 4, 5])]
    yield ("split_scalar_even_at",
           [N("Constant", [], ["two"],
              value=numpy_helper.from_array(np.array(2, np.int64))),
            N("SplitToSequence", ["W", "two"], ["s"], axis=0),
            N("SequenceAt", ["s", "p"], ["out"]),
            N("SequenceLength", ["s"], ["len"]),
            N("ConcatFromSequence", ["s"], ["cat"], axis=2)],
           w + [pos("p")], ["out", "len", "cat"],
           [{"W": W, "p": np.array(v, np.int64)} for v in [0, 2, -1]], 12)
    yield ("split_scalar_uneven_int32",
           [N("Constant", [], ["four"],
              value=numpy_helper.from_array(np.array(4, np.int32))),
            N("Constant", [], ["last"],
              value=numpy_helper.from_array(np.array(-1, np.int32))),
            N("SplitToSequence", ["W", "four"], ["s"], axis=-3),
            N("SequenceAt", ["s", "last"], ["out"]),
            N("SequenceErase", ["s", "last"], ["s2"]),
            N("SequenceInsert", ["s2", "W"], ["s3"]),
            N("SequenceLength", ["s3"], ["len"]),
            N("ConcatFromSequence", ["s3"], ["cat"], axis=0)],
           w, ["out", "len", "cat"], [{"W": W}], 12)
    yield ("split_ones_keepdims0_new_axis",
           [N("SplitToSequence", ["W"], ["s"], axis=1, keepdims=0),
            N("SequenceAt", ["s", "p"], ["out"]),
            N("ConcatFromSequence", ["s"], ["cat"], axis=2, new_axis=1),
            N("SequenceLength", ["s"], ["len"])],
           [vi("W", F, [6, "k", 5]), pos("p")], ["out", "cat", "len"],
           [{"W": W, "p": np.array(v, np.int64)} for v in [0, 3, -1]], 12)
    yield ("split_ones_keepdims_erase_concat",
           [N("SplitToSequence", ["W"], ["s"], axis=2),
            N("SequenceErase", ["s", "p"], ["s2"]),
            N("ConcatFromSequence", ["s2"], ["cat"], axis=2)],
           w + [pos("p")], ["cat"],
           [{"W": W, "p": np.array(v, np.int64)} for v in [0, 4, -2]], 12)
    V = arr(9)
    yield ("split_runtime_sizes",
           [N("SplitToSequence", ["V", "sizes"], ["s"]),
            N("SequenceAt", ["s", "one"], ["mid"]),
            N("ConcatFromSequence", ["s"], ["cat"], axis=0),
            N("SequenceLength", ["s"], ["len"])],
           [vi("V", F, ["n"]), vi("sizes", I64, [3])], ["mid", "cat", "len"],
           [{"V": V, "sizes": np.array(s, np.int64)}
            for s in [[2, 3, 4], [1, 7, 1], [5, 1, 3]]], 12,
           [numpy_helper.from_array(np.array(1, np.int64), "one")])


def case(name, nodes, inputs, outputs, runs, opset, inits=()):
    graph = helper.make_graph(nodes, name, inputs, [], initializer=list(inits))
    graph.output.extend([vi(o, 0, None) for o in outputs])
    first = reference(graph, runs[0])
    del graph.output[:]
    graph.output.extend(
        [vi(o, onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[np.asarray(v).dtype], None)
         for o, v in zip(outputs, first)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    with tempfile.TemporaryDirectory() as tmp:
        mp = os.path.join(tmp, "m.onnx")
        onnx.save(model, mp)
        lib = os.path.join(tmp, "m.so")
        c = subprocess.run([SEQC, mp, "-o", lib], capture_output=True, text=True)
        if c.returncode:
            return "compile-error " + (c.stderr.strip().splitlines() or ["?"])[0]
        for k, feeds in enumerate(runs):
            want = reference(graph, feeds)
            out_dir = os.path.join(tmp, "out%d" % k)
            args = [SEQC_RUN, lib, "--output-dir", out_dir]
            for n, v in feeds.items():
                if n not in [i.name for i in inputs]:
                    continue
                p = os.path.join(tmp, "in%d_%s.npy" % (k, n))
                np.save(p, v)
                args += ["--input", "%s=%s" % (n, p)]
            r = subprocess.run(args, capture_output=True, text=True)
            if r.returncode:
                return "run-error " + (r.stderr.strip().splitlines() or ["?"])[0]
            for o, w in zip(outputs, want):
                got = np.load(os.path.join(out_dir, o + ".npy"))
                w = np.asarray(w)
                if got.shape != w.shape or got.dtype != w.dtype:
                    return "wrong %s (run %d): %s %s, expected %s %s" % (
                        o, k, got.dtype, list(got.shape), w.dtype, list(w.shape))
                if not np.array_equal(got, w):
                    return "wrong %s (run %d): values differ" % (o, k)
    return "pass"


def main():
    failed = total = 0
    for c in cases():
        r = case(*c)
        total += 1
        print("%-40s %s" % (c[0], r))
        failed += r != "pass"
    print("%d passed, %d failed" % (total - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
