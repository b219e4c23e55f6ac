#!/usr/bin/env python3
"""Helpers of the AOT tests: input files, small models, float64 references."""

import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

cmd = sys.argv[1]
if cmd == "mlp-inputs":
    m = onnx.load(sys.argv[2])
    w = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in m.graph.initializer}
    x = np.random.default_rng(1).standard_normal((2, 5, 8)).astype(np.float32)
    np.save(sys.argv[3] + "/x.npy", x)
    np.save(sys.argv[3] + "/y_ref.npy", np.maximum(x.astype(np.float64) @ w["w"] + w["b"], 0))
elif cmd == "check":
    got, want = np.load(sys.argv[2]), np.load(sys.argv[3])
    assert got.shape == want.shape, (got.shape, want.shape)
    err = float(np.max(np.abs(got.astype(np.float64) - want)))
    tol = 1e-5
    print("max abs error %g %s 1e-05" % (err, "within" if err <= tol else "EXCEEDS"))
    sys.exit(0 if err <= tol else 1)
elif cmd == "check-tol":
    got, want, tol = np.load(sys.argv[2]), np.load(sys.argv[3]), float(sys.argv[4])
    assert got.shape == want.shape, (got.shape, want.shape)
    err = float(np.max(np.abs(got.astype(np.float64) - want)))
    print("max abs error %g %s %s" % (err, "within" if err <= tol else "EXCEEDS", sys.argv[4]))
    sys.exit(0 if err <= tol else 1)
elif cmd == "matmul-model":
    d, m, n, k = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    g = helper.make_graph([helper.make_node("MatMul", ["a", "b"], ["c"], name="mm")], "g",
                          [helper.make_tensor_value_info("a", TensorProto.FLOAT, [m, k]),
                           helper.make_tensor_value_info("b", TensorProto.FLOAT, [k, n])],
                          [helper.make_tensor_value_info("c", TensorProto.FLOAT, [m, n])])
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), d + "/mm.onnx")
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((m, k)).astype(np.float32), rng.standard_normal((k, n)).astype(np.float32)
    np.save(d + "/a.npy", a)
    np.save(d + "/b.npy", b)
    np.save(d + "/c_ref.npy", a.astype(np.float64) @ b)
elif cmd == "bad-inputs":
    d = sys.argv[2]
    np.save(d + "/f64.npy", np.zeros((2, 5, 8), np.float64))
    np.save(d + "/rank2.npy", np.zeros((5, 8), np.float32))
    np.save(d + "/dim7.npy", np.zeros((2, 5, 7), np.float32))
    np.save(d + "/corrupt.npy", np.zeros((2, 5, 8), np.float32))
    data = open(d + "/corrupt.npy", "rb").read()
    open(d + "/corrupt.npy", "wb").write(data[:-16])
elif cmd == "two-input-model":
    d = sys.argv[2]
    vi = lambda n: helper.make_tensor_value_info(n, TensorProto.FLOAT, ["L", 4])
    g = helper.make_graph([helper.make_node("Add", ["a", "b"], ["c"], name="add")],
                          "g", [vi("a"), vi("b")], [vi("c")])
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), d + "/add.onnx")
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((3, 4)).astype(np.float32), rng.standard_normal((3, 4)).astype(np.float32)
    np.save(d + "/a_3x4.npy", a)
    np.save(d + "/b_3x4.npy", b)
    np.save(d + "/b_5x4.npy", rng.standard_normal((5, 4)).astype(np.float32))
    np.save(d + "/c_ref.npy", a.astype(np.float64) + b)
elif cmd == "unlowered-model":
    # An operator seqc imports but does not lower yet (MaxRoiPool, named
    # "pool").
    d = sys.argv[2]
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 4, 4])
    r = helper.make_tensor_value_info("r", TensorProto.FLOAT, [1, 5])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 1, 2, 2])
    g = helper.make_graph([helper.make_node("MaxRoiPool", ["x", "r"], ["y"], name="pool",
                                            pooled_shape=[2, 2])], "g", [x, r], [y])
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), d + "/unlowered.onnx")
else:
    sys.exit("unknown command " + cmd)
