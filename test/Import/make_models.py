#!/usr/bin/env python3
"""Writes the small ONNX models of the import tests into OUTDIR.

Every model is built with onnx.helper at test time; the bad ones are made by
damaging good ones. Run: make_models.py OUTDIR
"""

import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = sys.argv[1]
os.makedirs(OUT, exist_ok=True)


def vi(name, dtype, shape):
    return helper.make_tensor_value_info(name, dtype, shape)


def model(nodes, inputs, outputs, inits=(), opset=17, name="g", **kw):
    g = helper.make_graph(nodes, name, inputs, outputs, initializer=list(inits))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)],
                          producer_name="seqc-tests", **kw)
    m.ir_version = 8
    return m


def save(m, name):
    onnx.save(m, os.path.join(OUT, name + ".onnx"))


F = TensorProto.FLOAT
rng = np.random.default_rng(0)

# A small MLP block with symbolic dims and a small weight.
w = numpy_helper.from_array(rng.standard_normal((8, 8)).astype(np.float32), "w")
b = numpy_helper.from_array(np.zeros(8, np.float32), "b")
save(model([helper.make_node("MatMul", ["x", "w"], ["h"], name="mm"),
            helper.make_node("Add", ["h", "b"], ["hb"], name="add"),
            helper.make_node("Relu", ["hb"], ["y"], name="relu")],
           [vi("x", F, ["batch", "seq", 8])], [vi("y", F, ["batch", "seq", 8])],
           [w, b]), "basic")

# A large weight: a dense resource, elided when printed unless asked.
big = numpy_helper.from_array(np.arange(64 * 64, dtype=np.float32).reshape(64, 64), "big")
save(model([helper.make_node("MatMul", ["x", "big"], ["y"], name="mm")],
           [vi("x", F, [2, 64])], [vi("y", F, [2, 64])], [big]), "weights")

# The same weight in an external data file beside the model.
ext_dir = os.path.join(OUT, "ext")
os.makedirs(ext_dir, exist_ok=True)
m = model([helper.make_node("MatMul", ["x", "big"], ["y"], name="mm")],
          [vi("x", F, [2, 64])], [vi("y", F, [2, 64])], [big])
onnx.save(m, os.path.join(ext_dir, "model.onnx"), save_as_external_data=True,
          all_tensors_to_one_file=True, location="weights.bin", size_threshold=0)

# If whose branches read an outer value, inside a Loop whose body reads
# another outer value.
then_g = helper.make_graph([helper.make_node("Add", ["x", "one"], ["t"], name="then_add")],
                           "then", [], [vi("t", F, [4])])
else_g = helper.make_graph([helper.make_node("Sub", ["x", "one"], ["e"], name="else_sub")],
                           "else", [], [vi("e", F, [4])])
body = helper.make_graph(
    [helper.make_node("Add", ["acc_in", "x"], ["acc_out"], name="body_add"),
     helper.make_node("Identity", ["cond_in"], ["cond_out"], name="body_cond")],
    "body", [vi("i", TensorProto.INT64, []), vi("cond_in", TensorProto.BOOL, []),
             vi("acc_in", F, [4])],
    [vi("cond_out", TensorProto.BOOL, []), vi("acc_out", F, [4])])
one = numpy_helper.from_array(np.ones(4, np.float32), "one")
trips = numpy_helper.from_array(np.array(3, np.int64), "trips")
save(model([helper.make_node("If", ["c"], ["r"], name="branch",
                             then_branch=then_g, else_branch=else_g),
            helper.make_node("Loop", ["trips", "c", "r"], ["acc"], name="loop", body=body)],
           [vi("x", F, [4]), vi("c", TensorProto.BOOL, [])], [vi("acc", F, [4])],
           [one, trips]), "subgraphs")

# Opset 11 forms: Softmax flattening at axis 1, Split/Squeeze/Unsqueeze with
# attributes, ReduceMean axes attribute; and opset 6/2 Clip/Pad attributes.
save(model([helper.make_node("Softmax", ["x"], ["y"], name="sm", axis=1)],
           [vi("x", F, [2, 3, 4])], [vi("y", F, [2, 3, 4])], opset=11), "softmax11")
save(model([helper.make_node("Split", ["x"], ["a", "b"], name="split", axis=1, split=[1, 3]),
            helper.make_node("Squeeze", ["a"], ["s"], name="squeeze", axes=[1]),
            helper.make_node("Unsqueeze", ["s"], ["u"], name="unsqueeze", axes=[0]),
            helper.make_node("ReduceMean", ["b"], ["m"], name="mean", axes=[1], keepdims=0)],
           [vi("x", F, [2, 4])], [vi("u", F, [1, 2]), vi("m", F, [2])], opset=11), "split11")
save(model([helper.make_node("Clip", ["x"], ["c"], name="clip", min=-1.0, max=1.0),
            helper.make_node("Pad", ["c"], ["y"], name="pad", pads=[1, 1], value=2.0)],
           [vi("x", F, [3])], [vi("y", F, [5])], opset=6), "clip_pad6")
# Opset 6 broadcasting: Add with broadcast/axis, then a per-channel PRelu
# slope on symbolic dims, each followed by another node.
save(model([helper.make_node("Add", ["x", "b"], ["s"], name="add", broadcast=1, axis=1),
            helper.make_node("PRelu", ["s", "slope"], ["p"], name="prelu"),
            helper.make_node("Relu", ["p"], ["y"], name="relu")],
           [vi("x", F, ["N", 3, "L"]), vi("b", F, [3]), vi("slope", F, [3])],
           [vi("y", F, ["N", 3, "L"])], opset=6), "broadcast6")

# Sequences inside the graph (rewritten into tensor ops by the importer):
# constant positions over elements of unequal shapes; run-time positions;
# SplitToSequence/ConcatFromSequence.
I64 = TensorProto.INT64
zero = numpy_helper.from_array(np.array(0, np.int64), "zero")
one64 = numpy_helper.from_array(np.array(1, np.int64), "one")
save(model([helper.make_node("SequenceEmpty", [], ["e"], name="empty", dtype=F),
            helper.make_node("SequenceInsert", ["e", "x"], ["s1"], name="ins_x"),
            helper.make_node("SequenceInsert", ["s1", "y", "zero"], ["s2"], name="ins_y"),
            helper.make_node("SequenceAt", ["s2", "one"], ["at"], name="at"),
            helper.make_node("ConcatFromSequence", ["s2"], ["cat"], name="cat", axis=0),
            helper.make_node("SequenceLength", ["s2"], ["len"], name="len")],
           [vi("x", F, [2, 3]), vi("y", F, [1, 3])],
           [vi("at", F, [2, 3]), vi("cat", F, [3, 3]), vi("len", I64, [])],
           [zero, one64], opset=12), "seq_list")
save(model([helper.make_node("SequenceConstruct", ["x", "y"], ["s"], name="make"),
            helper.make_node("SequenceInsert", ["s", "x", "p"], ["s2"], name="ins"),
            helper.make_node("SequenceAt", ["s2", "q"], ["at"], name="at")],
           [vi("x", F, [2, 3]), vi("y", F, [2, 3]), vi("p", I64, []), vi("q", I64, [])],
           [vi("at", F, [2, 3])], opset=13), "seq_runtime")
save(model([helper.make_node("SplitToSequence", ["x"], ["s"], name="split", axis=1, keepdims=0),
            helper.make_node("ConcatFromSequence", ["s"], ["y"], name="cat", axis=-1, new_axis=1)],
           [vi("x", F, [2, 3, 4])], [vi("y", F, [2, 4, 3])], opset=13), "seq_split")

# A sequence made outside an If and used (at a constant position, and
# extended) inside its branches.
save(model([helper.make_node("SequenceConstruct", ["x", "y"], ["s"], name="make"),
            helper.make_node("If", ["c"], ["r"], name="branch",
                             then_branch=helper.make_graph(
                                 [helper.make_node("SequenceAt", ["s", "one"], ["t"], name="then_at")],
                                 "then", [], [vi("t", F, [2])]),
                             else_branch=helper.make_graph(
                                 [helper.make_node("SequenceInsert", ["s", "y", "zero"], ["s2"], name="else_ins"),
                                  helper.make_node("ConcatFromSequence", ["s2"], ["e"], name="else_cat", axis=0)],
                                 "else", [], [vi("e", F, [6])]))],
           [vi("x", F, [2]), vi("y", F, [2]), vi("c", TensorProto.BOOL, [])],
           [vi("r", F, None)], [zero, one64], opset=13), "seq_subgraph")

# PRelu-6 with one slope per channel; Add-6 with a broadcast at axis 1,
# whose result feeds another node.
save(model([helper.make_node("PRelu", ["x", "slope"], ["p"], name="prelu"),
            helper.make_node("Add", ["p", "bias"], ["a"], name="add", broadcast=1, axis=1),
            helper.make_node("Relu", ["a"], ["y"], name="relu")],
           [vi("x", F, ["n", 3, "h", "w"]), vi("slope", F, [3]), vi("bias", F, [3])],
           [vi("y", F, ["n", 3, "h", "w"])], opset=6), "prelu6")

# --- failures -----------------------------------------------------------
good = open(os.path.join(OUT, "basic.onnx"), "rb").read()
open(os.path.join(OUT, "empty.onnx"), "wb").close()
open(os.path.join(OUT, "truncated.onnx"), "wb").write(good[: len(good) // 2])
open(os.path.join(OUT, "garbage.onnx"), "wb").write(bytes(rng.integers(0, 256, 300, dtype=np.uint8)))
open(os.path.join(OUT, "text.onnx"), "w").write("this is not a model\n")
save(model([helper.make_node("Relu", ["nowhere"], ["y"], name="orphan")],
           [vi("x", F, [2])], [vi("y", F, [2])]), "undefined_input")
save(model([helper.make_node("Relu", ["b"], ["a"], name="first"),
            helper.make_node("Relu", ["a"], ["b"], name="second"),
            helper.make_node("Identity", ["x"], ["y"], name="out")],
           [vi("x", F, [2])], [vi("y", F, [2])]), "cycle")
bad = numpy_helper.from_array(np.ones((3, 3), np.float32), "w")
bad.raw_data = np.ones(4, np.float32).tobytes()  # 4 values for 9 elements
save(model([helper.make_node("Add", ["x", "w"], ["y"], name="add")],
           [vi("x", F, [3, 3])], [vi("y", F, [3, 3])], [bad]), "dims_mismatch")
m = model([helper.make_node("Foo", ["x"], ["a"], name="foo1"),
           helper.make_node("Relu", ["a"], ["b"], name="relu"),
           helper.make_node("Bar", ["b"], ["y"], name="bar1", domain="com.example")],
          [vi("x", F, [2])], [vi("y", F, [2])])
m.opset_import.append(helper.make_opsetid("com.example", 1))
save(m, "unknown_ops")
for name, location in [("escape", "../secret.bin"), ("missing", "nothere.bin"),
                       ("absolute", "/etc/passwd")]:
    d = os.path.join(OUT, "ext_" + name)
    os.makedirs(d, exist_ok=True)
    t = numpy_helper.from_array(np.ones((2, 2), np.float32), "w")
    t.ClearField("raw_data")
    t.data_location = TensorProto.EXTERNAL
    t.external_data.add(key="location", value=location)
    save_dir_model = model([helper.make_node("Add", ["x", "w"], ["y"], name="add")],
                           [vi("x", F, [2, 2])], [vi("y", F, [2, 2])], [t])
    onnx.save(save_dir_model, os.path.join(d, "model.onnx"))
open(os.path.join(OUT, "secret.bin"), "wb").write(np.ones(4, np.float32).tobytes())
d = os.path.join(OUT, "ext_short")
os.makedirs(d, exist_ok=True)
open(os.path.join(d, "w.bin"), "wb").write(b"\0" * 8)
t = numpy_helper.from_array(np.ones((2, 2), np.float32), "w")
t.ClearField("raw_data")
t.data_location = TensorProto.EXTERNAL
t.external_data.add(key="location", value="w.bin")
onnx.save(model([helper.make_node("Add", ["x", "w"], ["y"], name="add")],
                [vi("x", F, [2, 2])], [vi("y", F, [2, 2])], [t]),
          os.path.join(d, "model.onnx"))
save(model([helper.make_node("SequenceConstruct", ["x", "y"], ["s"], name="make"),
            helper.make_node("SequenceAt", ["s", "p"], ["at"], name="at_runtime")],
           [vi("x", F, [2, 3]), vi("y", F, [1, 3]), vi("p", I64, [])],
           [vi("at", F, None)], opset=13), "seq_unequal_runtime")
save(model([helper.make_node("SequenceConstruct", ["x", "x"], ["s"], name="make")],
           [vi("x", F, [2])], [helper.make_tensor_sequence_value_info("s", F, [2])],
           opset=13), "seq_output")
save(model([helper.make_node("SequenceAt", ["s", "zero"], ["y"], name="at")],
           [helper.make_tensor_sequence_value_info("s", F, [2])], [vi("y", F, [2])],
           [zero], opset=13), "seq_input")
loop_body = helper.make_graph(
    [helper.make_node("Identity", ["c_in"], ["c_out"], name="cond"),
     helper.make_node("SequenceInsert", ["s_in", "x"], ["s_out"], name="grow")],
    "body", [vi("i", I64, []), vi("c_in", TensorProto.BOOL, []),
             helper.make_tensor_sequence_value_info("s_in", F, [2])],
    [vi("c_out", TensorProto.BOOL, []),
     helper.make_tensor_sequence_value_info("s_out", F, [2])])
save(model([helper.make_node("SequenceConstruct", ["x"], ["s"], name="make"),
            helper.make_node("Loop", ["trips", "", "s"], ["s_final"], name="loop", body=loop_body),
            helper.make_node("ConcatFromSequence", ["s_final"], ["y"], name="cat", axis=0)],
           [vi("x", F, [2])], [vi("y", F, None)], [trips], opset=13), "seq_loop")
# A zero scalar split size (ONNX's shape inference would divide by it).
save(model([helper.make_node("SplitToSequence", ["x", "zero"], ["s"], name="split0"),
            helper.make_node("SequenceLength", ["s"], ["n"], name="len")],
           [vi("x", F, [4])], [vi("n", I64, [])], [zero], opset=13), "seq_split_zero")
# An int32 scalar split size whose raw_data has 8 bytes (found by the
# importer fuzzer: ONNX's inference read the first 4, a zero, and divided).
bad_split = TensorProto(name="zero", data_type=TensorProto.INT32,
                        raw_data=b"\0" * 7 + b"@")
save(model([helper.make_node("SplitToSequence", ["x", "zero"], ["s"], name="split0"),
            helper.make_node("SequenceLength", ["s"], ["n"], name="len")],
           [vi("x", F, [4])], [vi("n", I64, [])], [bad_split], opset=13),
     "seq_split_malformed")
