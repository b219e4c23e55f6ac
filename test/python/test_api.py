"""seqc.import_onnx / import_mlir / compile / load and CompiledModel."""

import subprocess
import threading

import numpy as np
import onnx
import pytest

import seqc
from conftest import assert_close, basic_reference

# A token mixer written in the seq dialect (nothing raises ONNX to seq ops
# yet): a causal long convolution whose location names an ONNX node.
LONG_CONV_MLIR = """
func.func @main_graph(%x: tensor<1x2x?xf32> {onnx.name = "x"},
                      %k: tensor<2x4xf32> {onnx.name = "k"})
    -> (tensor<1x2x?xf32> {onnx.name = "y"}) {
  %y = seq.long_conv %x, %k {mode = #seq.conv_mode<causal>}
      : (tensor<1x2x?xf32>, tensor<2x4xf32>) -> tensor<1x2x?xf32>
      loc("conv1 (Conv)"("m.onnx":0:0))
  return %y : tensor<1x2x?xf32>
}
"""


def causal_conv(x, k):
    length = x.shape[-1]
    y = np.zeros(x.shape)
    for i in range(k.shape[-1]):
        y[..., i:] += k[:, i:i + 1] * x[..., :length - i]
    return y


#===--- import -----------------------------------------------------------===#

def test_import_from_proto_bytes_and_path(basic_model, scratch):
    path = scratch / "basic.onnx"
    onnx.save(basic_model, str(path))
    for source in (basic_model, basic_model.SerializeToString(), str(path),
                   path):
        module = seqc.import_onnx(source)
        text = str(module)
        assert "func.func @main_graph" in text
        assert "onnx.MatMul" in text and "onnx.Add" in text
        assert '"L"' in text  # the symbolic dim is kept


def test_module_mlir_with_weights_parses_again(basic_model):
    module = seqc.import_onnx(basic_model)
    text = module.mlir(weights=True)
    again = seqc.import_mlir(text)
    assert "onnx.MatMul" in str(again)
    x = np.random.default_rng(0).standard_normal((2, 5, 8), np.float32)
    assert_close(seqc.compile(again)(x), basic_reference(x))


def test_import_rejects_other_types():
    with pytest.raises(TypeError, match="path, bytes or an onnx.ModelProto"):
        seqc.import_onnx(42)
    with pytest.raises(TypeError):
        seqc.import_mlir(b"module {}")


def test_import_missing_file():
    with pytest.raises(seqc.CompileError) as e:
        seqc.import_onnx("/nonexistent/model.onnx")
    assert "/nonexistent/model.onnx" in str(e.value)


def test_import_corrupt_bytes():
    with pytest.raises(seqc.CompileError, match="not a valid ONNX model"):
        seqc.import_onnx(b"\x08\x07garbage-that-is-not-protobuf\xff\xff")


def test_import_unsupported_operators_names_nodes(basic_model):
    from onnx import helper, TensorProto
    from conftest import make_model
    model = make_model(
        [helper.make_node("Foo", ["x"], ["t"], name="foo1",
                          domain="com.example"),
         helper.make_node("Relu", ["t"], ["y"], name="r")],
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])])
    model.opset_import.append(helper.make_opsetid("com.example", 1))
    with pytest.raises(seqc.CompileError) as e:
        seqc.import_onnx(model)
    assert "Foo" in str(e.value) and "foo1" in str(e.value)
    assert all(d.startswith("<onnx.ModelProto>: error:")
               for d in e.value.diagnostics)


def test_import_mlir_errors():
    with pytest.raises(seqc.CompileError, match="expected"):
        seqc.import_mlir("func.func @main_graph( {")
    with pytest.raises(seqc.CompileError, match="no func.func @main_graph"):
        seqc.import_mlir("func.func @other() { return }")


#===--- compile ----------------------------------------------------------===#

def test_compile_and_run(basic_model):
    model = seqc.compile(basic_model)
    rng = np.random.default_rng(1)
    for length in (1, 7, 64):
        x = rng.standard_normal((2, length, 8)).astype(np.float32)
        y = model(x)
        assert y.dtype == np.float32 and y.shape == (2, length, 4)
        assert_close(y, basic_reference(x))
        assert_close(model(x=x), basic_reference(x))
        assert_close(model.run([x])[0], basic_reference(x))
        assert_close(model.run({"x": x})[0], basic_reference(x))


def test_compile_options(basic_model):
    x = np.ones((2, 3, 8), np.float32)
    for level in range(4):
        assert_close(seqc.compile(basic_model, opt_level=level)(x),
                     basic_reference(x))
    assert_close(seqc.compile(basic_model, mcpu="x86-64", mattr="")(x),
                 basic_reference(x))
    assert_close(seqc.compile(basic_model, mcpu="x86-64", mattr="+sse4.2")(x),
                 basic_reference(x))
    # A Module compiles any number of times and stays unchanged.
    module = seqc.import_onnx(basic_model)
    before = str(module)
    assert_close(module.compile()(x), basic_reference(x))
    assert_close(seqc.compile(module, opt_level=1)(x), basic_reference(x))
    assert str(module) == before


def test_compile_from_path_and_mlir_file(basic_model, scratch):
    onnx_path = scratch / "basic_path.onnx"
    onnx.save(basic_model, str(onnx_path))
    mlir_path = scratch / "basic.mlir"
    mlir_path.write_text(seqc.import_onnx(basic_model).mlir(weights=True))
    x = np.ones((2, 2, 8), np.float32)
    for source in (str(onnx_path), onnx_path, str(mlir_path)):
        assert_close(seqc.compile(source)(x), basic_reference(x))
    with pytest.raises(seqc.CompileError, match="missing.mlir"):
        seqc.compile(str(scratch / "missing.mlir"))


def test_compile_output_writes_library_and_header(basic_model, scratch):
    out = scratch / "libbasic.so"
    model = seqc.compile(basic_model, output=out)
    assert out.exists() and (scratch / "libbasic.h").exists()
    assert (scratch / "seqc_runtime.h").exists()
    assert model.path == str(out) and model.name == "basic"
    assert "basic_run" in (scratch / "libbasic.h").read_text()
    named = seqc.compile(basic_model, output=scratch / "libother.so",
                         name="custom")
    assert named.name == "custom"
    assert "custom_run" in (scratch / "libother.h").read_text()


def test_compile_error_names_node(unlowered_model):
    with pytest.raises(seqc.CompileError) as e:
        seqc.compile(unlowered_model)
    err = e.value
    assert isinstance(err, seqc.Error)
    assert any("pool (MaxRoiPool)" in d and "cannot be lowered" in d
               for d in err.diagnostics), err.diagnostics
    assert "onnx.MaxRoiPool" in str(err)


def test_compile_cuda_is_a_clear_error(basic_model):
    for target in ("cuda", "cuda:sm_80"):
        with pytest.raises(seqc.CompileError,
                           match=f"target '{target}' is not available yet"):
            seqc.compile(basic_model, target=target)


def test_compile_bad_arguments(basic_model):
    with pytest.raises(seqc.CompileError, match="optimization level 4"):
        seqc.compile(basic_model, opt_level=4)
    with pytest.raises(seqc.CompileError, match="optimization level -1"):
        seqc.compile(basic_model, opt_level=-1)
    with pytest.raises(TypeError):
        seqc.compile(basic_model, opt_level="3")
    with pytest.raises(TypeError):
        seqc.compile(basic_model, target=None)
    with pytest.raises(TypeError):
        seqc.compile(basic_model, impl=["fft"])
    with pytest.raises(TypeError):
        seqc.compile(basic_model, impl={"long_conv": 3})
    with pytest.raises(seqc.CompileError, match="not a C identifier"):
        seqc.compile(basic_model, name="9 lives")
    with pytest.raises(seqc.CompileError, match="unknown CPU 'no-such-cpu'"):
        seqc.compile(basic_model, mcpu="no-such-cpu")
    with pytest.raises(seqc.CompileError,
                       match="unknown CPU feature '\\+nofeature'"):
        seqc.compile(basic_model, mattr="+avx2,+nofeature")
    with pytest.raises(seqc.CompileError, match="unknown CPU feature 'avx2'"):
        seqc.compile(basic_model, mattr="avx2")


#===--- impl report and overrides ----------------------------------------===#

def test_impl_report_of_onnx_model_is_empty(basic_model, seqc_driver, scratch):
    # A model without token mixers: an empty report, as the driver says.
    module = seqc.import_onnx(basic_model)
    assert module.impl_report() == []
    assert seqc.compile(module).impl_report() == []
    path = scratch / "report.onnx"
    onnx.save(basic_model, str(path))
    out = subprocess.run([seqc_driver, str(path), "--print-impl",
                          "--emit=seq", "-o", str(scratch / "r.mlir")],
                         capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith("0 token mixers")


def test_impl_report_and_overrides_on_seq_ops():
    module = seqc.import_mlir(LONG_CONV_MLIR, "m.mlir")
    report = module.impl_report()
    assert [(m.op, m.node, m.impl) for m in report] == [
        ("seq.long_conv", "conv1 (Conv)", "direct")]
    assert "m.onnx" in report[0].location

    rng = np.random.default_rng(2)
    x = rng.standard_normal((1, 2, 33)).astype(np.float32)
    k = rng.standard_normal((2, 4)).astype(np.float32)
    want = causal_conv(x.astype(np.float64), k.astype(np.float64))
    compiled = seqc.compile(module)
    assert [m.impl for m in compiled.impl_report()] == ["direct"]
    assert_close(compiled(x, k), want)
    # By op (short or full name) and by node; the module is not changed.
    for impl in ({"long_conv": "fft"}, "seq.long_conv=fft", {"conv1": "fft"},
                 {"conv1 (Conv)": "fft"}):
        over = seqc.compile(module, impl=impl)
        assert [m.impl for m in over.impl_report()] == ["fft"]
        assert_close(over(x, k), want)
    assert [m.impl for m in module.impl_report()] == ["direct"]
    # An op name the model lacks is fine (nothing to override).
    assert seqc.compile(module, impl={"attention": "tiled"}).impl_report()[0] \
        .impl == "direct"


def test_impl_override_errors():
    module = seqc.import_mlir(LONG_CONV_MLIR, "m.mlir")
    with pytest.raises(seqc.CompileError,
                       match="unknown algorithm 'fastest'; expected one of: "
                             "reference, direct, fft"):
        seqc.compile(module, impl={"long_conv": "fastest"})
    with pytest.raises(seqc.CompileError,
                       match="cannot be implemented by 'tiled'"):
        seqc.compile(module, impl={"long_conv": "tiled"})
    with pytest.raises(seqc.CompileError, match="no token mixer of that name"):
        seqc.compile(module, impl={"conv9": "fft"})
    with pytest.raises(seqc.CompileError, match="is not KEY=ALGORITHM"):
        seqc.compile(module, impl="long_conv")


#===--- running ----------------------------------------------------------===#

def test_signature(compiled_basic):
    sig = compiled_basic.signature
    assert sig["inputs"] == [{"name": "x", "dtype": "float32",
                              "shape": [2, "L", 8]}]
    # Output dims are dynamic without a name (the signature names input
    # dims only).
    assert sig["outputs"] == [{"name": "y", "dtype": "float32",
                               "shape": [2, None, 4]}]
    assert compiled_basic.input_names == ["x"]
    assert compiled_basic.output_names == ["y"]
    assert compiled_basic.inputs[0] == seqc.TensorSpec("x", np.float32,
                                                       (2, "L", 8))
    assert "x: float32[2, L, 8]" in repr(compiled_basic)


def test_multiple_outputs_and_named_inputs(two_io_model):
    model = seqc.compile(two_io_model)
    a = np.arange(12, dtype=np.float32).reshape(4, 3)
    b = np.full((4, 3), 2, np.float32)
    s, p = model(a, b)
    assert_close(s, a + b)
    assert_close(p, a * b)
    s2, p2 = model(b=b, a=a)
    assert_close(s2, a + b)
    s3, _ = model(a, b=b)
    assert_close(s3, a + b)


def test_inputs_are_not_copied_outputs_are_owned(compiled_basic):
    x = np.ones((2, 4, 8), np.float32)
    bound = compiled_basic._bind((x,), {})
    assert bound[0] is x  # contiguous and float32: passed as is
    strided = np.ones((2, 8, 8), np.float32)[:, ::2, :]
    assert not strided.flags.c_contiguous
    bound = compiled_basic._bind((strided,), {})
    assert bound[0] is not strided and bound[0].flags.c_contiguous
    assert_close(compiled_basic(strided), basic_reference(strided))
    y = compiled_basic(x)
    assert y.base is not None and y.flags.c_contiguous and y.flags.writeable
    y[...] = 0  # the array owns the model's buffer


def test_lists_and_scalars_are_converted(compiled_basic, two_io_model):
    x = np.ones((2, 1, 8), np.float32)
    assert_close(compiled_basic(x.tolist()), basic_reference(x))
    model = seqc.compile(two_io_model)
    s, _ = model([[1, 2, 3]], [[1.5, 1.5, 1.5]])
    assert_close(s, [[2.5, 3.5, 4.5]])


def test_threads(compiled_basic):
    rng = np.random.default_rng(3)
    xs = [rng.standard_normal((2, 50 + i, 8)).astype(np.float32)
          for i in range(8)]
    results = [None] * len(xs)

    def work(i):
        for _ in range(5):
            results[i] = compiled_basic(xs[i])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for x, y in zip(xs, results):
        assert_close(y, basic_reference(x))


def test_set_num_threads(compiled_basic):
    # The same results on 1 and 2 OpenMP threads, and back to the default.
    x = np.random.default_rng(4).standard_normal((2, 300, 8)).astype(np.float32)
    for n in (1, 2, 0):
        compiled_basic.set_num_threads(n)
        assert_close(compiled_basic(x), basic_reference(x))
    with pytest.raises(ValueError, match="n >= 0"):
        compiled_basic.set_num_threads(-1)


#===--- input errors -----------------------------------------------------===#

def test_input_error_dtype(compiled_basic):
    with pytest.raises(seqc.InputError) as e:
        compiled_basic(np.ones((2, 3, 8), np.float64))
    err = e.value
    assert str(err).startswith(
        "input 'x': expected dtype float32, got float64")
    assert "(expected float32[2, L, 8], got float64[2, 3, 8])" in str(err)
    assert (err.input, err.status) == ("x", 2)
    assert (err.expected, err.actual) == ("float32", "float64")
    assert isinstance(err, ValueError) and isinstance(err, seqc.Error)


def test_input_error_rank(compiled_basic):
    with pytest.raises(seqc.InputError) as e:
        compiled_basic(np.ones((3, 8), np.float32))
    assert str(e.value).startswith("input 'x': expected rank 3, got 2")
    assert (e.value.status, e.value.expected, e.value.actual) == (3, "3", "2")


def test_input_error_static_dim(compiled_basic):
    with pytest.raises(seqc.InputError) as e:
        compiled_basic(np.ones((2, 3, 7), np.float32))
    assert str(e.value).startswith("input 'x': dim 2 must be 8, got 7")
    assert "got float32[2, 3, 7]" in str(e.value)
    assert (e.value.status, e.value.expected, e.value.actual) == (4, "8", "7")


def test_input_error_symbolic_dim(two_io_model):
    model = seqc.compile(two_io_model)
    with pytest.raises(seqc.InputError) as e:
        model(np.ones((3, 3), np.float32), np.ones((5, 3), np.float32))
    assert "input 'b': dim 0 ('L') is 5 but input 'a' set 'L' to 3" in \
        str(e.value)
    assert (e.value.input, e.value.expected, e.value.actual) == ("b", "3", "5")


def test_input_error_call_shape(compiled_basic, two_io_model):
    x = np.ones((2, 3, 8), np.float32)
    with pytest.raises(seqc.InputError, match="takes 1 inputs, got 2"):
        compiled_basic(x, x)
    with pytest.raises(seqc.InputError, match="no input named 'z'; its "
                                              "inputs are: x"):
        compiled_basic(z=x)
    with pytest.raises(seqc.InputError, match="input 'x' is given twice"):
        compiled_basic(x, x=x)
    model = seqc.compile(two_io_model)
    with pytest.raises(seqc.InputError) as e:
        model(np.ones((3, 3), np.float32))
    assert str(e.value) == "no value for input 'b' (expected float32[L, 3])"
    assert e.value.input == "b"


def test_input_error_unsupported_values(compiled_basic):
    with pytest.raises(seqc.InputError,
                       match="expected dtype float32, got complex64"):
        compiled_basic(np.ones((2, 3, 8), np.complex64))
    with pytest.raises(seqc.InputError, match="cannot be converted"):
        compiled_basic("not a tensor")
    with pytest.raises(seqc.InputError, match="expected rank 3, got 9"):
        compiled_basic(np.ones((1,) * 9, np.float32))


#===--- benchmark and random inputs --------------------------------------===#

def test_benchmark(compiled_basic):
    result = compiled_basic.benchmark(5, dims={"L": 16})
    assert isinstance(result, seqc.Benchmark) and len(result.times_ms) == 5
    assert 0 <= result.min_ms <= result.median_ms <= result.max_ms
    x = np.ones((2, 4, 8), np.float32)
    assert len(compiled_basic.benchmark(3, inputs=[x]).times_ms) == 3
    assert len(compiled_basic.benchmark(2, inputs={"x": x}, warmup=0)
               .times_ms) == 2
    with pytest.raises(ValueError):
        compiled_basic.benchmark(0)
    with pytest.raises(seqc.InputError, match="dim 2 must be 8"):
        compiled_basic.benchmark(2, inputs=[np.ones((2, 4, 3), np.float32)])


def test_random_inputs(compiled_basic):
    (x,) = compiled_basic.random_inputs({"L": 5}, seed=1)
    assert x.shape == (2, 5, 8) and x.dtype == np.float32
    (y,) = compiled_basic.random_inputs()
    assert y.shape == (2, 8, 8)
    assert compiled_basic(x).shape == (2, 5, 4)


#===--- load -------------------------------------------------------------===#

def test_load_library_compiled_by_the_driver(basic_model, seqc_driver,
                                             scratch):
    path = scratch / "driver.onnx"
    onnx.save(basic_model, str(path))
    lib = scratch / "libdriver.so"
    subprocess.run([seqc_driver, str(path), "-o", str(lib)], check=True)
    model = seqc.load(lib)
    assert model.name == "driver" and model.path == str(lib)
    assert model.impl_report() is None  # not recorded in a library
    x = np.random.default_rng(4).standard_normal((2, 9, 8), np.float32)
    assert_close(model(x), basic_reference(x))
    with pytest.raises(seqc.InputError, match="dim 2 must be 8, got 3"):
        model(np.ones((2, 9, 3), np.float32))
    # And one compiled from Python, loaded again.
    out = scratch / "libagain.so"
    seqc.compile(basic_model, output=out)
    assert_close(seqc.load(str(out))(x), basic_reference(x))


def test_recompiling_to_the_same_path(basic_model, two_io_model, scratch):
    # A library rewritten at a path loaded before is loaded anew.
    out = scratch / "libsame.so"
    first = seqc.compile(basic_model, output=out)
    second = seqc.compile(two_io_model, output=out)
    assert first.input_names == ["x"] and second.input_names == ["a", "b"]
    assert seqc.load(out).input_names == ["a", "b"]
    x = np.ones((2, 3, 8), np.float32)
    assert_close(first(x), basic_reference(x))  # still runs


def test_import_dash_is_a_file_name(scratch, monkeypatch):
    monkeypatch.chdir(scratch)
    with pytest.raises(seqc.CompileError):
        seqc.import_onnx("-")  # not standard input


def test_load_errors(scratch):
    with pytest.raises(seqc.LoadError, match="no such file"):
        seqc.load(scratch / "missing.so")
    text = scratch / "not-a-library.so"
    text.write_text("hello")
    with pytest.raises(seqc.LoadError, match="cannot load"):
        seqc.load(text)
    with pytest.raises(seqc.LoadError, match="not a model compiled by seqc"):
        seqc.load("/lib/x86_64-linux-gnu/libm.so.6")
    assert issubclass(seqc.LoadError, OSError)


def test_errors_and_exports():
    assert issubclass(seqc.CompileError, seqc.Error)
    assert issubclass(seqc.InputError, seqc.Error)
    err = seqc.CompileError("a: error: one\n\nb: error: two\n")
    assert err.diagnostics == ["a: error: one", "b: error: two"]
    assert str(err) == "a: error: one\nb: error: two"
    for name in seqc.__all__:
        assert hasattr(seqc, name)
    with pytest.raises(AttributeError):
        seqc.no_such_thing


#===--- unsigned integers and bfloat16 -----------------------------------===#

def test_unsigned_and_bfloat16_dtypes():
    """uint16/32/64 and bfloat16 through the package: values past the
    signed range come back exact; bfloat16 is float32 on the Python side,
    rounded to nearest even."""
    from onnx import TensorProto, helper
    t = TensorProto
    nodes = [helper.make_node("Div", ["a", "b"], ["q"]),
             helper.make_node("Max", ["c", "c2"], ["m"]),
             helper.make_node("Cast", ["e"], ["f"], to=t.UINT8),
             helper.make_node("Cast", ["x"], ["xb"], to=t.BFLOAT16),
             helper.make_node("Add", ["xb", "xb"], ["y"])]
    io = helper.make_tensor_value_info
    graph = helper.make_graph(
        nodes, "g",
        [io("a", t.UINT32, [3]), io("b", t.UINT32, [3]),
         io("c", t.UINT64, [2]), io("c2", t.UINT64, [2]),
         io("e", t.UINT16, [2]), io("x", t.FLOAT, [4])],
        [io("q", t.UINT32, [3]), io("m", t.UINT64, [2]),
         io("f", t.UINT8, [2]), io("y", t.BFLOAT16, [4])])
    model = seqc.compile(helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 13)]))
    assert [s.dtype.name for s in model.inputs] == [
        "uint32", "uint32", "uint64", "uint64", "uint16", "float32"]
    assert [s.dtype.name for s in model.outputs] == [
        "uint32", "uint64", "uint8", "float32"]
    a = np.array([4000000000, 3000000001, 7], np.uint32)
    b = np.array([3, 2147483648, 7], np.uint32)
    c = np.array([2 ** 64 - 1, 5], np.uint64)
    c2 = np.array([2 ** 63, 2 ** 63], np.uint64)
    e = np.array([65535, 300], np.uint16)
    x = np.array([1 + 2 ** -8, 1 + 3 * 2 ** -8, -2.5, np.nan], np.float32)
    q, m, f, y = model(a, b, c, c2, e, x)
    assert q.dtype == np.uint32 and (q == a // b).all()
    assert m.dtype == np.uint64 and (m == np.maximum(c, c2)).all()
    assert f.dtype == np.uint8 and (f == e.astype(np.uint8)).all()
    # 1 + 2^-8 ties down to 1 (even), 1 + 3 * 2^-8 up to 1 + 2^-6; doubled.
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y[:3], [2.0, 2 + 2 ** -5, -5.0])
    assert np.isnan(y[3])
    with pytest.raises(seqc.InputError, match="expected dtype uint32"):
        model(a.astype(np.int32), b, c, c2, e, x)
