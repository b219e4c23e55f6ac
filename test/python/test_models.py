"""seqc.models: each layer compiled and run against its float64 numpy
reference, at a static length and with a symbolic length at two lengths.
Tolerance: the suite's |got - want| <= 2e-5 max(1, max|want|) + 1e-4 |want|
(float32 compute against float64)."""

import math

import numpy as np
import onnx
import pytest

import seqc
import seqc.models as models
from conftest import assert_close

BUILDERS = {
    "transformer_block": lambda length: models.transformer_block(
        length=length, width=16, heads=2, seed=1),
    "hyena": lambda length: models.hyena(
        length=length, width=16, kernel_size=None if length == 48 else 64,
        seed=2),
    "s4d": lambda length: models.s4d(length=length, width=8, state_size=16,
                                     seed=3),
    "sgconv": lambda length: models.sgconv(length=length, width=8,
                                           kernel_size=None if length == 48
                                           else 80, seed=4),
}


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_static_length(name):
    layer = BUILDERS[name](48)
    assert isinstance(layer.model, onnx.ModelProto)
    onnx.checker.check_model(layer.model)
    dims = layer.model.graph.input[0].type.tensor_type.shape.dim
    assert [d.dim_value for d in dims] == [1, 48, layer.input_shape[2]]
    compiled = seqc.compile(layer.model)
    for seed in (0, 1):
        x = layer.example_input(seed=seed)
        want = layer.reference(x)
        assert want.dtype == np.float64
        assert_close(compiled(x), want)


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_symbolic_length(name):
    layer = BUILDERS[name]("L")
    dims = layer.model.graph.input[0].type.tensor_type.shape.dim
    assert dims[1].dim_param == "L"
    compiled = seqc.compile(layer.model)
    assert compiled.signature["inputs"][0]["shape"][1] == "L"
    for length in (17, 100):
        x = layer.example_input(length, seed=length)
        y = compiled(x)
        assert y.shape == x.shape
        assert_close(y, layer.reference(x))


def test_reference_is_causal():
    # Changing the future of a causal layer does not change its past.
    for name, build in BUILDERS.items():
        layer = build(32)
        x = layer.example_input()
        x2 = x.copy()
        x2[:, 20:, :] += 1
        a, b = layer.reference(x), layer.reference(x2)
        assert np.allclose(a[:, :20], b[:, :20]), name
        assert not np.allclose(a[:, 20:], b[:, 20:]), name


def test_s4d_kernel_is_the_ssm_impulse_response():
    rng = np.random.default_rng(0)
    h, half, size = 3, 4, 20
    log_dt = rng.uniform(math.log(1e-3), math.log(1e-1), h)
    a_real = np.log(0.5 * np.ones((h, half)))
    a_imag = np.pi * np.tile(np.arange(half), (h, 1))
    b = np.ones((h, half))
    c = rng.standard_normal((h, half)) + 1j * rng.standard_normal((h, half))
    kernel = models.s4d_kernel(log_dt, a_real, a_imag, b, c, size)
    # Step the discretized (ZOH) system on an impulse.
    a = -np.exp(a_real) + 1j * a_imag
    dt = np.exp(log_dt)[:, None]
    da, db = np.exp(dt * a), (np.exp(dt * a) - 1) / a * b
    state = np.zeros((h, half), complex)
    for l in range(size):
        state = da * state + db * (1.0 if l == 0 else 0.0)
        assert np.allclose(kernel[:, l], 2 * np.real((c * state).sum(1)))


def test_sgconv_kernel():
    sub = np.random.default_rng(0).standard_normal((3, 2, 4))
    kernel = models.sgconv_kernel(sub, 30, decay=0.5)
    assert kernel.shape == (2, 30)  # 4 + 8 + 16 = 28 taps, zero-padded
    assert np.allclose(np.linalg.norm(kernel, axis=1), 1)
    assert np.all(kernel[:, 28:] == 0)
    assert models.sgconv_kernel(sub, 10).shape == (2, 10)


def test_builder_errors():
    with pytest.raises(ValueError, match="length"):
        models.hyena(length=0)
    with pytest.raises(ValueError, match="length"):
        models.s4d(length="not a name")
    with pytest.raises(ValueError, match="width"):
        models.sgconv(width=0)
    with pytest.raises(ValueError, match="heads"):
        models.transformer_block(width=10, heads=4)
    with pytest.raises(ValueError, match="state_size"):
        models.s4d(state_size=3)
    with pytest.raises(ValueError, match="order"):
        models.hyena(order=1)
    with pytest.raises(ValueError, match="kernel_size"):
        models.sgconv(kernel_size=0)
    with pytest.raises(ValueError, match="give a length"):
        models.s4d(length="L").example_input()


def test_seed_and_order():
    a = models.hyena(length=16, width=4, seed=0)
    b = models.hyena(length=16, width=4, seed=0)
    c = models.hyena(length=16, width=4, seed=1)
    x = a.example_input()
    assert np.array_equal(a.reference(x), b.reference(x))
    assert not np.allclose(a.reference(x), c.reference(x))
    third = models.hyena(length=24, width=8, order=3, seed=5)
    assert_close(seqc.compile(third.model)(third.example_input()),
                 third.reference(third.example_input()))


def test_batch():
    layer = models.sgconv(length=20, width=4, batch=3, seed=0)
    x = layer.example_input()
    assert x.shape == (3, 20, 4)
    assert_close(seqc.compile(layer.model)(x), layer.reference(x))
