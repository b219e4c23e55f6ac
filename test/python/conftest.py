"""Fixtures of the seqc Python tests: small ONNX models built with
onnx.helper, the seqc driver of this build tree, and a scratch folder."""

import os
import pathlib
import tempfile

import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper

import seqc

# Compiled float32 against float64 references: the suite's tolerance
# |got - want| <= ATOL * max(1, max|want|) + RTOL * |want|.
ATOL, RTOL = 2e-5, 1e-4


def assert_close(got, want, atol=ATOL, rtol=RTOL):
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    assert got.shape == want.shape
    scale = max(1.0, float(np.abs(want).max(initial=0)))
    err = np.abs(got - want)
    bound = atol * scale + rtol * np.abs(want)
    assert np.all(err <= bound), (
        f"max error {err.max():.3g} (bound {atol * scale:.3g} + "
        f"{rtol} |want|) at {np.unravel_index(err.argmax(), err.shape)}")


def make_model(nodes, inputs, outputs, initializers=(), opset=17,
               name="g"):
    graph = helper.make_graph(nodes, name, inputs, outputs, list(initializers))
    model = helper.make_model(graph,
                              opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    return model


W = np.arange(32, dtype=np.float32).reshape(8, 4) / 10


@pytest.fixture(scope="session")
def basic_model():
    """y = x W + 1, x float32 (2, L, 8) -> y (2, L, 4)."""
    return make_model(
        [helper.make_node("MatMul", ["x", "w"], ["xw"], name="mm"),
         helper.make_node("Add", ["xw", "one"], ["y"], name="add")],
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, "L", 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, "L", 4])],
        [numpy_helper.from_array(W, "w"),
         numpy_helper.from_array(np.array(1, np.float32), "one")])


def basic_reference(x):
    return x.astype(np.float64) @ W + 1


@pytest.fixture(scope="session")
def two_io_model():
    """a, b float32 (L, 3) -> sum = a + b, prod = a * b."""
    spec = lambda n: helper.make_tensor_value_info(n, TensorProto.FLOAT,
                                                   ["L", 3])
    return make_model(
        [helper.make_node("Add", ["a", "b"], ["sum"], name="add"),
         helper.make_node("Mul", ["a", "b"], ["prod"], name="mul")],
        [spec("a"), spec("b")], [spec("sum"), spec("prod")])


@pytest.fixture(scope="session")
def unlowered_model():
    """A node seqc imports but does not lower yet (MaxRoiPool, named
    'pool')."""
    return make_model(
        [helper.make_node("MaxRoiPool", ["x", "r"], ["y"], name="pool",
                          pooled_shape=[2, 2])],
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 4, 4]),
         helper.make_tensor_value_info("r", TensorProto.FLOAT, [1, 5])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 1, 2, 2])])


@pytest.fixture(scope="session")
def compiled_basic(basic_model):
    return seqc.compile(basic_model)


@pytest.fixture(scope="session")
def scratch():
    """A scratch folder: $SEQC_TEST_TMP (set by the lit test) or a temp."""
    root = os.environ.get("SEQC_TEST_TMP")
    if root:
        os.makedirs(root, exist_ok=True)
        return pathlib.Path(tempfile.mkdtemp(dir=root))
    return pathlib.Path(tempfile.mkdtemp(prefix="seqc-pytest-"))


@pytest.fixture(scope="session")
def seqc_driver():
    """The seqc driver of the build tree the package comes from."""
    path = pathlib.Path(seqc.__file__).resolve().parents[2] / "bin" / "seqc"
    if not path.exists():
        pytest.fail(f"the seqc driver is not built: {path}")
    return str(path)
