"""ONNX models of the long-sequence layers seqc serves, with float64 numpy
references.

Each builder returns a ``LayerModel``: ``.model`` (an ``onnx.ModelProto`` at
opset 17, one float32 input ``x`` of shape (batch, length, width) and one
output ``y`` of the same shape), ``.reference(x)`` (the layer in float64
numpy, the same weights) and ``.example_input(length)``. ``length`` may be an
int or a symbolic name (str: a dynamic dim of the ONNX model). Weights are
drawn from ``seed``.

    transformer_block  pre-LayerNorm block: causal multi-head attention, GELU
                       MLP
    hyena              Hyena operator (order N): projections, short causal
                       convs, implicit long filters (an FFN of positional
                       features, exponentially windowed), gating
    s4d                S4D layer in convolution mode: the kernel
                       K[h, l] = 2 Re(sum_n C B' exp(dt A)^l) computed here,
                       then a depthwise causal Conv + D skip, GELU, GLU output
    sgconv             SGConv layer: a multi-scale kernel of upsampled,
                       decaying sub-kernels, as a depthwise causal Conv + D
                       skip, GELU, output linear

The long convolutions are ONNX depthwise Convs (group = width, pads
[K-1, 0]), the form exporters produce; the kernel length K is
``kernel_size`` (default: ``length`` when it is an int, 256 otherwise).
"""

import math
from typing import Callable, NamedTuple, Tuple, Union

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

__all__ = ["LayerModel", "transformer_block", "hyena", "s4d", "sgconv"]

OPSET = 17


class LayerModel(NamedTuple):
    """A built layer: the ONNX model and its float64 numpy reference."""

    model: onnx.ModelProto
    reference: Callable[[np.ndarray], np.ndarray]
    input_shape: Tuple[int, Union[int, str], int]

    def example_input(self, length=None, seed=0):
        """A float32 input (batch, length, width) from a normal distribution;
        ``length`` is required when the model's length is symbolic."""
        batch, model_length, width = self.input_shape
        if length is None:
            if not isinstance(model_length, int):
                raise ValueError(f"the model's length is '{model_length}': "
                                 "give a length")
            length = model_length
        rng = np.random.default_rng(seed)
        return rng.standard_normal((batch, length, width)).astype(np.float32)


#===----------------------------------------------------------------------===#
# Building ONNX graphs
#===----------------------------------------------------------------------===#

class _Graph:
    """Nodes and float32 initializers with fresh names."""

    def __init__(self, name):
        self.name = name
        self.nodes, self.initializers = [], []
        self._count = 0

    def _fresh(self, base):
        self._count += 1
        return f"{base}_{self._count}"

    def const(self, array, base="w", dtype=np.float32):
        name = self._fresh(base)
        self.initializers.append(
            numpy_helper.from_array(np.asarray(array, dtype=dtype), name))
        return name

    def op(self, op_type, *inputs, outputs=1, **attrs):
        names = [self._fresh(op_type.lower()) for _ in range(outputs)]
        self.nodes.append(helper.make_node(
            op_type, list(inputs), names, name=self._fresh(op_type), **attrs))
        return names[0] if outputs == 1 else names

    # Compound layers --------------------------------------------------------

    def linear(self, x, w, b=None):
        y = self.op("MatMul", x, self.const(w))
        return self.op("Add", y, self.const(b)) if b is not None else y

    def layer_norm(self, x, gamma, beta):
        return self.op("LayerNormalization", x, self.const(gamma),
                       self.const(beta), axis=-1, epsilon=1e-5)

    def gelu(self, x):
        scaled = self.op("Mul", x, self.const(1 / math.sqrt(2), "c"))
        erf1 = self.op("Add", self.op("Erf", scaled), self.const(1.0, "c"))
        return self.op("Mul", self.op("Mul", x, erf1), self.const(0.5, "c"))

    def causal_depthwise_conv(self, x, kernel, bias=None):
        """x (B, C, L), kernel (C, K):
        y[c, t] = sum_j kernel[c, j] x[c, t - j]."""
        channels, size = kernel.shape
        # ONNX Conv is a correlation: flip the taps.
        w = self.const(kernel[:, ::-1].reshape(channels, 1, size))
        inputs = [x, w] + ([self.const(bias)] if bias is not None else [])
        return self.op("Conv", *inputs, group=channels, kernel_shape=[size],
                       pads=[size - 1, 0])

    def to_channels_first(self, x):
        return self.op("Transpose", x, perm=[0, 2, 1])

    def model(self, batch, length, width, x, y):
        shape = [batch, length, width]
        graph = helper.make_graph(
            self.nodes, self.name,
            [helper.make_tensor_value_info(x, TensorProto.FLOAT, shape)],
            [helper.make_tensor_value_info(y, TensorProto.FLOAT, shape)],
            self.initializers)
        model = helper.make_model(
            graph, producer_name="seqc.models",
            opset_imports=[helper.make_opsetid("", OPSET)])
        model.ir_version = 8
        onnx.checker.check_model(model)
        return model


#===----------------------------------------------------------------------===#
# float64 references
#===----------------------------------------------------------------------===#

def _ref_layer_norm(x, gamma, beta):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + 1e-5) * gamma + beta


def _ref_gelu(x):
    erf = np.vectorize(math.erf, otypes=[np.float64])
    return 0.5 * x * (1 + erf(x / math.sqrt(2)))


def _ref_causal_conv(x, kernel):
    """x (B, C, L), kernel (C, K): the causal per-channel convolution (FFT in
    float64: exact to ~1e-15)."""
    length, size = x.shape[-1], kernel.shape[-1]
    n = length + size - 1
    y = np.fft.irfft(np.fft.rfft(x, n) * np.fft.rfft(kernel, n), n)
    return y[..., :length]


def _ref_sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _check(length, width, batch):
    if not (isinstance(length, int) and length > 0) and \
            not (isinstance(length, str) and length.isidentifier()):
        raise ValueError(f"length must be a positive int or a symbolic name, "
                         f"got {length!r}")
    if not isinstance(width, int) or width < 1:
        raise ValueError(f"width must be a positive int, got {width!r}")
    if not isinstance(batch, int) or batch < 1:
        raise ValueError(f"batch must be a positive int, got {batch!r}")


def _kernel_size(length, kernel_size):
    if kernel_size is None:
        kernel_size = length if isinstance(length, int) else 256
    if not isinstance(kernel_size, int) or kernel_size < 1:
        raise ValueError(f"kernel_size must be a positive int, got "
                         f"{kernel_size!r}")
    return kernel_size


def _dense(rng, fan_in, fan_out):
    return rng.standard_normal((fan_in, fan_out)) / math.sqrt(fan_in)


#===----------------------------------------------------------------------===#
# Layers
#===----------------------------------------------------------------------===#

def transformer_block(length=128, width=32, heads=4, mlp_ratio=4, seed=0,
                      batch=1):
    """Pre-LayerNorm transformer block:
    h = x + W_o MHA(LN(x)) (causal), y = h + W_2 GELU(W_1 LN(h))."""
    _check(length, width, batch)
    if width % heads:
        raise ValueError(f"heads ({heads}) must divide width ({width})")
    rng = np.random.default_rng(seed)
    d, dh, hidden = width, width // heads, width * mlp_ratio
    def small(n):
        return 0.1 * rng.standard_normal(n)

    p = {
        "g1": 1 + small(d), "b1": small(d),
        "wq": _dense(rng, d, d), "wk": _dense(rng, d, d),
        "wv": _dense(rng, d, d),
        "bq": small(d), "bk": small(d), "bv": small(d),
        "wo": _dense(rng, d, d), "bo": small(d),
        "g2": 1 + small(d), "b2": small(d),
        "w1": _dense(rng, d, hidden), "c1": small(hidden),
        "w2": _dense(rng, hidden, d), "c2": small(d),
    }
    masked = -1e9  # exp underflows to 0 in float32 and float64 alike

    g = _Graph("transformer_block")
    h = g.layer_norm("x", p["g1"], p["b1"])
    split_heads = g.const([0, -1, heads, dh], "shape", np.int64)

    def heads_of(w, b, perm):
        t = g.op("Reshape", g.linear(h, w, b), split_heads)
        return g.op("Transpose", t, perm=perm)

    q = heads_of(p["wq"], p["bq"], [0, 2, 1, 3])   # (B, H, L, dh)
    k = heads_of(p["wk"], p["bk"], [0, 2, 3, 1])   # (B, H, dh, L)
    v = heads_of(p["wv"], p["bv"], [0, 2, 1, 3])
    scores = g.op("Mul", g.op("MatMul", q, k), g.const(1 / math.sqrt(dh), "c"))
    # The causal mask from the runtime length: triu(ones(L, L), 1) * -1e9.
    seq_len = g.op("Gather", g.op("Shape", "x"), g.const([1], "i", np.int64),
                   axis=0)
    ones = g.op("ConstantOfShape", g.op("Concat", seq_len, seq_len, axis=0),
                value=helper.make_tensor("one", TensorProto.FLOAT, [1], [1.0]))
    mask = g.op("Mul", g.op("Trilu", ones, g.const(1, "k", np.int64), upper=1),
                g.const(masked, "c"))
    att = g.op("Softmax", g.op("Add", scores, mask), axis=-1)
    o = g.op("Transpose", g.op("MatMul", att, v), perm=[0, 2, 1, 3])
    o = g.op("Reshape", o, g.const([0, -1, d], "shape", np.int64))
    h1 = g.op("Add", "x", g.linear(o, p["wo"], p["bo"]))
    m = g.gelu(g.linear(g.layer_norm(h1, p["g2"], p["b2"]), p["w1"], p["c1"]))
    g.nodes.append(helper.make_node(
        "Add", [h1, g.linear(m, p["w2"], p["c2"])], ["y"],
        name="residual_mlp"))
    model = g.model(batch, length, width, "x", "y")

    def reference(x):
        x = np.asarray(x, np.float64)
        b, n, _ = x.shape
        h = _ref_layer_norm(x, p["g1"], p["b1"])

        def split(t):
            return t.reshape(b, n, heads, dh).transpose(0, 2, 1, 3)

        q, k, v = (split(h @ p["w" + c] + p["b" + c]) for c in "qkv")
        s = q @ k.transpose(0, 1, 3, 2) / math.sqrt(dh)
        s = s + np.triu(np.ones((n, n)), 1) * masked
        s = np.exp(s - s.max(-1, keepdims=True))
        att = s / s.sum(-1, keepdims=True)
        o = (att @ v).transpose(0, 2, 1, 3).reshape(b, n, d)
        h1 = x + o @ p["wo"] + p["bo"]
        m = _ref_layer_norm(h1, p["g2"], p["b2"]) @ p["w1"] + p["c1"]
        m = _ref_gelu(m)
        return h1 + m @ p["w2"] + p["c2"]

    return LayerModel(model, reference, (batch, length, width))


def _hyena_filters(rng, count, width, size, emb_dim=5, hidden=32, freq=1.0,
                   fast_decay=0.3, slow_decay=1.5):
    """Implicit long filters (count, width, size): an FFN with sine
    activations of positional features (t, cos, sin of multiples of t),
    times an exponential window whose rate differs per channel."""
    t = np.arange(size)[:, None] / max(size - 1, 1)             # (K, 1)
    bands = (emb_dim - 1) // 2
    f = np.linspace(1e-4, bands - 1, bands)[None, :]
    z = np.concatenate([t, np.cos(2 * np.pi * f * t),
                        np.sin(2 * np.pi * f * t)], axis=1)     # (K, emb)
    h = np.sin(freq * (z @ _dense(rng, z.shape[1], hidden)))
    h = np.sin(freq * (h @ _dense(rng, hidden, hidden)))
    h = h @ _dense(rng, hidden, count * width)                  # (K, count*w)
    h = h.T.reshape(count, width, size)
    rates = np.linspace(math.log(1e-2) / fast_decay,
                        math.log(1e-2) / slow_decay, width)     # negative
    window = np.exp(rates[:, None] * t[:, 0][None, :])          # (w, K)
    return h * window / size ** 0.5


def hyena(length=128, width=32, order=2, kernel_size=None, short_size=3,
          seed=0, batch=1):
    """The Hyena operator of order N (Poli et al. 2023): u W_in -> N+1
    streams (x_0..x_{N-1}, v), each through a short causal depthwise conv;
    then for i = N-1..1: v = h_i * (v x_i) + bias_i (v x_i) with implicit
    long filters h_i (length ``kernel_size``); y = (v x_0) W_out."""
    _check(length, width, batch)
    if not isinstance(order, int) or order < 2:
        raise ValueError(f"order must be an int >= 2, got {order!r}")
    size = _kernel_size(length, kernel_size)
    rng = np.random.default_rng(seed)
    d, streams = width, order + 1
    w_in = _dense(rng, d, streams * d)
    b_in = 0.1 * rng.standard_normal(streams * d)
    short = (rng.standard_normal((streams * d, short_size)) /
             math.sqrt(short_size))
    short_bias = 0.1 * rng.standard_normal(streams * d)
    filters = _hyena_filters(rng, order - 1, d, size)
    skip = rng.standard_normal((order - 1, d))
    w_out, b_out = _dense(rng, d, d), 0.1 * rng.standard_normal(d)

    g = _Graph("hyena")
    u = g.to_channels_first(g.linear("x", w_in, b_in))        # (B, 3D, L)
    u = g.causal_depthwise_conv(u, short, short_bias)
    parts = g.op("Split", u, g.const([d] * streams, "split", np.int64),
                 axis=1, outputs=streams)
    *xs, v = parts
    for i in range(order - 1, 0, -1):
        v = g.op("Mul", v, xs[i])
        conv = g.causal_depthwise_conv(v, filters[i - 1])
        v = g.op("Add", conv,
                 g.op("Mul", v, g.const(skip[i - 1].reshape(d, 1), "skip")))
    v = g.op("Transpose", g.op("Mul", v, xs[0]), perm=[0, 2, 1])
    g.nodes.append(helper.make_node(
        "Add", [g.op("MatMul", v, g.const(w_out)), g.const(b_out)], ["y"],
        name="out_proj"))
    model = g.model(batch, length, width, "x", "y")

    def reference(x):
        x = np.asarray(x, np.float64)
        u = (x @ w_in + b_in).transpose(0, 2, 1)
        u = _ref_causal_conv(u, short) + short_bias[:, None]
        *xs, v = np.split(u, streams, axis=1)
        for i in range(order - 1, 0, -1):
            v = v * xs[i]
            v = _ref_causal_conv(v, filters[i - 1]) + v * skip[i - 1][:, None]
        return (v * xs[0]).transpose(0, 2, 1) @ w_out + b_out

    return LayerModel(model, reference, (batch, length, width))


def s4d_kernel(log_dt, a_real, a_imag, b, c, size):
    """The S4D convolution kernel (H, size) with zero-order hold:
    dA = exp(dt A), dB = (dA - 1) / A B, K[h, l] = 2 Re(sum_n C dB dA^l)."""
    dt = np.exp(log_dt)[:, None]                               # (H, 1)
    a = -np.exp(a_real) + 1j * a_imag                          # (H, N/2)
    da = np.exp(dt * a)
    db = (da - 1) / a * b
    powers = np.exp(dt[:, :, None] * a[:, :, None] * np.arange(size))
    return 2 * np.real(np.einsum("hn,hnl->hl", c * db, powers))


def s4d(length=128, width=32, state_size=64, kernel_size=None, seed=0,
        batch=1):
    """S4D layer (Gu et al. 2022, S4D-Lin init) in convolution mode: the SSM
    kernel (width, kernel_size) is computed at build time (``s4d_kernel``);
    y = x + GLU(W (GELU(K * u + D u))) with u = x channels first."""
    _check(length, width, batch)
    if not isinstance(state_size, int) or state_size < 2 or state_size % 2:
        raise ValueError(f"state_size must be an even int >= 2, got "
                         f"{state_size!r}")
    size = _kernel_size(length, kernel_size)
    rng = np.random.default_rng(seed)
    h, half = width, state_size // 2
    log_dt = rng.uniform(math.log(1e-3), math.log(1e-1), h)
    a_real = np.log(0.5 * np.ones((h, half)))
    a_imag = np.pi * np.tile(np.arange(half), (h, 1))
    b = np.ones((h, half))
    c = (rng.standard_normal((h, half)) +
         1j * rng.standard_normal((h, half))) * math.sqrt(0.5)
    kernel = s4d_kernel(log_dt, a_real, a_imag, b, c, size)
    skip = rng.standard_normal(h)
    w_out, b_out = _dense(rng, h, 2 * h), 0.1 * rng.standard_normal(2 * h)

    g = _Graph("s4d")
    u = g.to_channels_first("x")
    y = g.causal_depthwise_conv(u, kernel)
    y = g.op("Add", y, g.op("Mul", u, g.const(skip.reshape(h, 1), "skip")))
    y = g.linear(g.op("Transpose", g.gelu(y), perm=[0, 2, 1]), w_out, b_out)
    a, gate = g.op("Split", y, g.const([h, h], "split", np.int64), axis=2,
                   outputs=2)
    glu = g.op("Mul", a, g.op("Sigmoid", gate))
    g.nodes.append(helper.make_node("Add", ["x", glu], ["y"], name="residual"))
    model = g.model(batch, length, width, "x", "y")

    def reference(x):
        x = np.asarray(x, np.float64)
        u = x.transpose(0, 2, 1)
        y = _ref_causal_conv(u, kernel) + u * skip[:, None]
        y = _ref_gelu(y).transpose(0, 2, 1) @ w_out + b_out
        return x + y[..., :h] * _ref_sigmoid(y[..., h:])

    return LayerModel(model, reference, (batch, length, width))


def sgconv_kernel(sub_kernels, size, decay=0.5):
    """The SGConv kernel (C, size): scale i is sub-kernel i (C, d) upsampled
    (linear interpolation) to d 2^i taps and weighted by decay^i; the scales
    are concatenated and the result scaled to unit norm per channel."""
    scales = []
    channels, d = sub_kernels.shape[1:]
    for i, k in enumerate(sub_kernels):
        taps = d * 2 ** i
        grid = np.linspace(0, d - 1, taps)
        up = np.stack([np.interp(grid, np.arange(d), row) for row in k])
        scales.append(up * decay ** i)
    kernel = np.concatenate(scales, axis=1)
    if kernel.shape[1] < size:
        kernel = np.pad(kernel, ((0, 0), (0, size - kernel.shape[1])))
    kernel = kernel[:, :size]
    return kernel / np.linalg.norm(kernel, axis=1, keepdims=True)


def sgconv(length=128, width=32, kernel_size=None, sub_kernel_size=16,
           decay=0.5, seed=0, batch=1):
    """SGConv layer (Li et al. 2023): a global convolution whose kernel is
    built from multi-scale sub-kernels (``sgconv_kernel``);
    y = x + W GELU(K * u + D u) + b."""
    _check(length, width, batch)
    size = _kernel_size(length, kernel_size)
    rng = np.random.default_rng(seed)
    scales = max(1, math.ceil(math.log2(size / sub_kernel_size + 1)))
    sub = rng.standard_normal((scales, width, sub_kernel_size))
    kernel = sgconv_kernel(sub, size, decay)
    skip = rng.standard_normal(width)
    w_out, b_out = _dense(rng, width, width), 0.1 * rng.standard_normal(width)

    g = _Graph("sgconv")
    u = g.to_channels_first("x")
    y = g.causal_depthwise_conv(u, kernel)
    y = g.op("Add", y, g.op("Mul", u, g.const(skip.reshape(width, 1), "skip")))
    y = g.linear(g.op("Transpose", g.gelu(y), perm=[0, 2, 1]), w_out, b_out)
    g.nodes.append(helper.make_node("Add", ["x", y], ["y"], name="residual"))
    model = g.model(batch, length, width, "x", "y")

    def reference(x):
        x = np.asarray(x, np.float64)
        u = x.transpose(0, 2, 1)
        y = _ref_causal_conv(u, kernel) + u * skip[:, None]
        return x + _ref_gelu(y).transpose(0, 2, 1) @ w_out + b_out

    return LayerModel(model, reference, (batch, length, width))
