"""The benchmark workloads: each one is an ONNX graph, its inputs, a float64
numpy reference, and the same computation written for the peers.

A workload knows four things about itself:

  build(L, rng)       the ONNX model (weights as initializers) and the inputs;
  reference(...)      the outputs in float64 numpy, written independently of
                      the ONNX graph (FFT convolution, chunked attention,
                      explicit loops), so that a shared mistake is unlikely;
  torch_fn / numpy_fn the computation for PyTorch (eager, float32) and, where
                      numpy has a natural way to do it, for numpy; both read
                      the weights from the ONNX file's initializers, so every
                      contender computes with the same numbers;
  cost(L, impl)       FLOPs and bytes of the algorithm `impl` (see COUNTING).

COUNTING. FLOPs count one per add, multiply, compare, exp or erf (an FMA is
two). "as-written" is the algorithm the ONNX graph spells out (a dense
depthwise convolution, a dense masked attention, a step-by-step Scan); a
`seq` impl reported by `seqc --print-impl` (direct, fft, tiled, ...)
replaces the token mixer's part of the count with that algorithm's. A real
FFT of size N counts 2.5 N log2 N (half a complex FFT's 5 N log2 N), a
complex multiply 6. Bytes are the compulsory traffic of the algorithm: every
input, weight and output once, plus the intermediates the algorithm cannot
avoid materialising -- the L x L probabilities of a dense attention (written
once, read once) and the spectra of an FFT convolution; everything else is
assumed to stay in cache. These are the numbers the roofline columns divide
by the measured peak FLOP/s and triad bandwidth.
"""

import math

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17  # DFT and LayerNormalization need 17


# ----------------------------------------------------------------------------
# Helpers


def _vi(name, shape, elem=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, elem, list(shape))


def _init(name, array):
    return numpy_helper.from_array(np.asarray(array), name)


def _model(name, nodes, inputs, outputs, inits):
    graph = helper.make_graph(nodes, name, inputs, outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="seqc-bench")
    model.ir_version = 8  # readable by onnxruntime and by the ONNX 1.12 seqc links
    onnx.checker.check_model(model)
    return model


def next_pow2(n):
    return 1 << max(0, (int(n) - 1).bit_length())


def fft_flops(n):
    """FLOPs of one real FFT (or inverse) of size n."""
    return 2.5 * n * math.log2(n)


def causal_conv_f64(x, taps):
    """y[..., t] = sum_j taps[..., j] x[..., t - j] (zero history), in float64
    via FFT: x (..., L), taps (..., K) broadcastable."""
    L, K = x.shape[-1], taps.shape[-1]
    n = next_pow2(L + K - 1)
    spec = np.fft.rfft(x.astype(np.float64), n) * np.fft.rfft(taps.astype(np.float64), n)
    return np.fft.irfft(spec, n)[..., :L]


def torch_rfft_conv(torch, taps):
    """Hyena's fftconv in PyTorch, y = irfft(rfft(x, n) * rfft(taps, n), n)[..., :L]
    with n = next_pow2(L + K - 1), the kernel's spectrum kept across calls."""
    taps = torch.as_tensor(taps)
    K = taps.shape[-1]
    cache = {}

    def run(t):
        x = t["x"]
        L = x.shape[-1]
        n = next_pow2(L + K - 1)
        if n not in cache:
            cache[n] = torch.fft.rfft(taps, n=n)
        return {"y": torch.fft.irfft(torch.fft.rfft(x, n=n) * cache[n], n=n)[..., :L]}
    return run


def numpy_rfft_conv(taps):
    """The same FFT convolution with np.fft (float64 inside)."""
    K = taps.shape[-1]
    cache = {}

    def run(t):
        x = t["x"]
        L = x.shape[-1]
        n = next_pow2(L + K - 1)
        if n not in cache:  # the kernel's spectrum is a constant of the model
            cache[n] = np.fft.rfft(taps, n)
        return {"y": np.fft.irfft(np.fft.rfft(x, n) * cache[n], n)[..., :L].astype(np.float32)}
    return run


def conv_weight_to_taps(w):
    """An ONNX Conv weight (C, 1, K) with left padding K-1 is a
    cross-correlation: y[t] = sum_k w[k] x[t + k - K + 1]; as a causal
    convolution its taps are the weight reversed (tap j = lag j)."""
    return w[:, 0, ::-1]


def masked_attention_f64(q, k, v, window):
    """Causal attention with keys t - window < j <= t (window None: all
    j <= t), float64, by blocks of query rows to bound memory.
    q, k, v: (B, H, L, D)."""
    q, k, v = (a.astype(np.float64) for a in (q, k, v))
    B, H, L, D = q.shape
    out = np.empty_like(q)
    scale = 1.0 / math.sqrt(D)
    j = np.arange(L)
    for r0 in range(0, L, 1024):
        r1 = min(L, r0 + 1024)
        t = np.arange(r0, r1)[:, None]
        allowed = j[None, :] <= t
        if window is not None:
            allowed &= j[None, :] > t - window
        s = np.einsum("bhtd,bhjd->bhtj", q[:, :, r0:r1], k) * scale
        s = np.where(allowed, s, -np.inf)
        s -= s.max(axis=-1, keepdims=True)
        p = np.exp(s)
        p /= p.sum(axis=-1, keepdims=True)
        out[:, :, r0:r1] = np.einsum("bhtj,bhjd->bhtd", p, v)
    return out


def attention_pairs(L, window):
    """Number of (query, key) pairs a causal (window None) or sliding-window
    attention actually needs: sum_t min(t + 1, window)."""
    if window is None or window >= L:
        return L * (L + 1) // 2
    return window * (window + 1) // 2 + (L - window) * window


def add_masked_attention(nodes, inits, prefix, q, k, v, L, D, window, out):
    """Appends the dense masked attention an exporter writes for
    softmax(q k^T / sqrt(D) masked) v: the mask is built in the graph
    (ConstantOfShape + Trilu, as torch.ones(L, L).tril() exports) and
    applied with Where(mask, scores, -inf) (masked_fill)."""
    p = prefix
    inits += [
        _init(p + "scale", np.array(1.0 / math.sqrt(D), np.float32)),
        _init(p + "LL", np.array([L, L], np.int64)),
        _init(p + "neginf", np.array(-np.inf, np.float32)),
    ]
    nodes += [
        helper.make_node("Transpose", [k], [p + "kT"], perm=[0, 1, 3, 2]),
        helper.make_node("MatMul", [q, p + "kT"], [p + "s"]),
        helper.make_node("Mul", [p + "s", p + "scale"], [p + "ss"]),
        helper.make_node("ConstantOfShape", [p + "LL"], [p + "ones"],
                         value=numpy_helper.from_array(np.array([1.0], np.float32))),
        helper.make_node("Trilu", [p + "ones"], [p + "tril"], upper=0),
    ]
    band = p + "tril"
    if window is not None:
        # keep j >= t - (window - 1): an upper triangle with k = -(window - 1)
        inits.append(_init(p + "wk", np.array(-(window - 1), np.int64)))
        nodes.append(helper.make_node("Trilu", [p + "tril", p + "wk"], [p + "band"], upper=1))
        band = p + "band"
    nodes += [
        helper.make_node("Cast", [band], [p + "mask"], to=TensorProto.BOOL),
        helper.make_node("Where", [p + "mask", p + "ss", p + "neginf"], [p + "sm"]),
        helper.make_node("Softmax", [p + "sm"], [p + "prob"], axis=-1),
        helper.make_node("MatMul", [p + "prob", v], [out]),
    ]


def torch_masked_attention(torch, q, k, v, mask):
    """The same dense masked attention in eager PyTorch (mask: bool, True =
    attend), as a model's forward would write it."""
    s = torch.matmul(q, k.transpose(-1, -2)) * (1.0 / math.sqrt(q.shape[-1]))
    s = s.masked_fill(~mask, float("-inf"))
    return torch.matmul(torch.softmax(s, dim=-1), v)


def band_mask(L, window):
    """Bool (L, L): True where query t may attend key j."""
    t = np.arange(L)[:, None]
    j = np.arange(L)[None, :]
    m = j <= t
    if window is not None:
        m &= j > t - window
    return m


# ----------------------------------------------------------------------------
# Workloads


class Workload:
    name = ""         # file-name friendly identifier
    title = ""        # the table's label
    mixer = ""        # the seq op whose impl (seqc --print-impl) decides the count
    numpy_note = None  # how the numpy contender computes it (None: not meaningful)

    def build(self, L, rng):
        raise NotImplementedError

    def reference(self, inputs, params):
        raise NotImplementedError

    def torch_fn(self, torch, params):
        raise NotImplementedError

    def numpy_fn(self, params):
        return None

    def cost(self, L, impl):
        raise NotImplementedError

    def mem_bytes(self, L):
        """Rough peak memory of one contender at length L (for deciding
        whether contenders can be loaded side by side, or at all)."""
        return 0


class LongConv(Workload):
    """Depthwise causal convolution, C channels, kernel K = L or fixed: ONNX
    Conv with group = C and left padding K - 1."""
    mixer = "seq.long_conv"
    numpy_note = "FFT convolution (np.fft, float64 inside)"
    C = 16

    def __init__(self, fixed_k=None, channels=16):
        self.fixed_k = fixed_k
        self.C = channels
        prefix = "" if channels == 16 else "_c%d" % channels
        self.name = "longconv%s_k%s" % (prefix, fixed_k or "L")
        self.title = "depthwise conv %sK=%s" % (
            "" if channels == 16 else "C=%d " % channels, fixed_k or "L")

    def K(self, L):
        return min(self.fixed_k, L) if self.fixed_k else L

    def build(self, L, rng):
        C, K = self.C, self.K(L)
        # Decaying filters keep the outputs O(1) for any K.
        decay = np.exp(-np.arange(K)[::-1] / max(1.0, K / 8))
        w = (rng.standard_normal((C, 1, K)) * decay / math.sqrt(K / 8 + 1)).astype(np.float32)
        x = rng.standard_normal((1, C, L)).astype(np.float32)
        node = helper.make_node("Conv", ["x", "w"], ["y"], group=C, kernel_shape=[K],
                                pads=[K - 1, 0])
        m = _model(self.name, [node], [_vi("x", x.shape)], [_vi("y", x.shape)], [_init("w", w)])
        return m, {"x": x}

    def reference(self, inputs, params):
        return {"y": causal_conv_f64(inputs["x"], conv_weight_to_taps(params["w"]))}

    def torch_fn(self, torch, params):
        """K = L: the rfft-based convolution long-convolution models write
        (Hyena's fftconv, kernel spectrum kept across calls); fixed K:
        F.conv1d."""
        F = torch.nn.functional
        w = torch.from_numpy(params["w"])
        K = w.shape[-1]
        if self.fixed_k:
            return lambda t: {"y": F.conv1d(F.pad(t["x"], (K - 1, 0)), w,
                                            groups=w.shape[0])}
        return torch_rfft_conv(torch, torch.flip(w[:, 0, :], dims=[-1]))

    def numpy_fn(self, params):
        return numpy_rfft_conv(np.ascontiguousarray(conv_weight_to_taps(params["w"])))

    def cost(self, L, impl):
        C, K = self.C, self.K(L)
        io = 4 * (2 * C * L + C * K)
        if impl == "fft":  # input FFT, product, inverse FFT; kernel spectrum precomputed
            n = next_pow2(L + K - 1)
            return C * (2 * fft_flops(n) + 6 * (n // 2 + 1)), io + 2 * 8 * C * (n // 2 + 1)
        if impl == "overlap_save":  # blocks of n = 2K with K - 1 samples overlap
            n = next_pow2(2 * K)
            blocks = math.ceil(L / (n - K + 1))
            return C * blocks * (2 * fft_flops(n) + 6 * (n // 2 + 1)), io
        # direct / reference / as-written: every tap of the padded input
        return 2 * C * L * K, io


class DFTConv(Workload):
    """Hyena's FFT convolution written out with ONNX DFT ops, K = L:
    y = irfft(rfft(x, n=N) * rfft(k, n=N), n=N)[..., :L] with N = 2L, the
    onesided product extended by its conjugated mirror (ONNX has no onesided
    inverse) and the complex product spelled as torch exports it. seqc
    raises the subgraph to one seq.long_conv; onnxruntime runs the graph
    as written (its DFT kernels)."""
    mixer = "seq.long_conv"
    numpy_note = "FFT convolution (np.fft, float64 inside)"
    name = "fftconv_dft"
    title = "FFT conv as DFT ops C=64 K=L"
    C = 64

    def build(self, L, rng):
        C, n = self.C, next_pow2(2 * L - 1)
        decay = np.exp(-np.arange(L) / max(1.0, L / 8))
        k = (rng.standard_normal((C, L)) * decay / math.sqrt(L / 8 + 1)).astype(np.float32)
        nodes, inits = [], [_init("k", k)]
        count = [0]

        def const(v, dtype=np.int64):
            name = "c%d" % len(inits)
            inits.append(_init(name, np.array(v, dtype=dtype)))
            return name

        def op(kind, ins, **attrs):
            count[0] += 1
            out = "t%d" % count[0]
            nodes.append(helper.make_node(kind, ins, [out], name=out, **attrs))
            return out

        def part(z, p):  # z[..., p:p+1]
            return op("Slice", [z, const([p]), const([p + 1]), const([-1])])

        xf = op("DFT", [op("Unsqueeze", ["x", const([-1])]), const(n)], axis=2, onesided=1)
        kf = op("DFT", [op("Unsqueeze", ["k", const([-1])]), const(n)], axis=1, onesided=1)
        xr, xi, kr, ki = part(xf, 0), part(xf, 1), part(kf, 0), part(kf, 1)
        re = op("Sub", [op("Mul", [xr, kr]), op("Mul", [xi, ki])])
        im = op("Add", [op("Mul", [xr, ki]), op("Mul", [xi, kr])])
        spec = op("Concat", [re, im], axis=-1)
        mirror = op("Slice", [spec, const([-2]), const([0]), const([2]), const([-1])])
        mirror = op("Mul", [mirror, const([1.0, -1.0], np.float32)])
        full = op("Concat", [spec, mirror], axis=2)
        y = op("DFT", [full], axis=2, inverse=1)
        y = op("Squeeze", [part(y, 0), const([-1])])
        nodes.append(helper.make_node("Slice", [y, const([0]), const([L]), const([2])], ["y"],
                                      name="cut"))
        x = rng.standard_normal((1, C, L)).astype(np.float32)
        m = _model(self.name, nodes, [_vi("x", x.shape)], [_vi("y", x.shape)], inits)
        return m, {"x": x}

    def reference(self, inputs, params):
        return {"y": causal_conv_f64(inputs["x"], params["k"])}

    def torch_fn(self, torch, params):
        return torch_rfft_conv(torch, torch.from_numpy(params["k"]))

    def numpy_fn(self, params):
        return numpy_rfft_conv(params["k"])

    def cost(self, L, impl):
        C, n = self.C, next_pow2(2 * L - 1)
        io = 4 * (2 * C * L + C * L)
        if impl == "direct":
            return 2 * C * L * L, io
        # fft / overlap_save (one block at K = L) / as-written: two transforms
        # and the product (the kernel's spectrum a constant for seqc).
        return C * (2 * fft_flops(n) + 6 * (n // 2 + 1)), io + 2 * 8 * C * (n // 2 + 1)


class RFFT(Workload):
    """Real FFT of length L over B signals: ONNX DFT (opset 17, onesided)."""
    name = "rfft"
    title = "rfft"
    mixer = "seq.rfft"
    numpy_note = "np.fft.rfft (float64 inside)"
    B = 16

    def build(self, L, rng):
        x = rng.standard_normal((self.B, L, 1)).astype(np.float32)
        node = helper.make_node("DFT", ["x"], ["y"], axis=1, onesided=1)
        m = _model(self.name, [node], [_vi("x", x.shape)], [_vi("y", (self.B, L // 2 + 1, 2))], [])
        return m, {"x": x}

    def reference(self, inputs, params):
        f = np.fft.rfft(inputs["x"][..., 0].astype(np.float64), axis=1)
        return {"y": np.stack([f.real, f.imag], axis=-1)}

    def torch_fn(self, torch, params):
        return lambda t: {"y": torch.view_as_real(torch.fft.rfft(t["x"][..., 0], dim=1))}

    def numpy_fn(self, params):
        def run(t):
            f = np.fft.rfft(t["x"][..., 0], axis=1)
            return {"y": np.stack([f.real, f.imag], axis=-1).astype(np.float32)}
        return run

    def cost(self, L, impl):
        io = 4 * self.B * (L + 2 * (L // 2 + 1))
        if impl == "reference":  # the DFT's definition: re and im per (k, n)
            return self.B * (L // 2 + 1) * L * 4, io
        if impl == "bluestein":  # three complex FFTs of a power of two >= 2L - 1
            m = next_pow2(2 * L - 1)
            return self.B * 3 * 5 * m * math.log2(m), io
        return self.B * fft_flops(L), io  # as-written / mixed_radix: an FFT


class Attention(Workload):
    """Single-layer attention, H heads of width D, causal or sliding-window,
    as a dense masked ONNX graph (what exporters produce)."""
    mixer = "seq.attention"
    numpy_note = "dense masked softmax attention (BLAS matmuls)"
    H, D = 2, 32

    def __init__(self, window=None):
        self.window = window
        self.name = "attn_causal" if window is None else "attn_window%d" % window
        self.title = "attention causal" if window is None else "attention window %d" % window

    def build(self, L, rng):
        shape = (1, self.H, L, self.D)
        ins = {n: rng.standard_normal(shape).astype(np.float32) for n in ("q", "k", "v")}
        nodes, inits = [], []
        add_masked_attention(nodes, inits, "", "q", "k", "v", L, self.D, self.window, "y")
        m = _model(self.name, nodes, [_vi(n, shape) for n in ins], [_vi("y", shape)], inits)
        return m, ins

    def reference(self, inputs, params):
        return {"y": masked_attention_f64(inputs["q"], inputs["k"], inputs["v"], self.window)}

    def torch_fn(self, torch, params):
        masks = {}

        def run(t):
            L = t["q"].shape[2]
            if L not in masks:  # a registered buffer in a real module
                masks[L] = torch.from_numpy(band_mask(L, self.window))
            return {"y": torch_masked_attention(torch, t["q"], t["k"], t["v"], masks[L])}
        return run

    def numpy_fn(self, params):
        masks = {}

        def run(t):
            q, k, v = t["q"], t["k"], t["v"]
            L = q.shape[2]
            if L not in masks:
                masks[L] = band_mask(L, self.window)
            s = np.matmul(q, k.transpose(0, 1, 3, 2)) * np.float32(1.0 / math.sqrt(q.shape[-1]))
            s = np.where(masks[L], s, np.float32(-np.inf))
            s -= s.max(axis=-1, keepdims=True)
            np.exp(s, out=s)
            s /= s.sum(axis=-1, keepdims=True)
            return {"y": np.matmul(s, v)}
        return run

    def cost(self, L, impl):
        H, D = self.H, self.D
        io = 4 * 4 * H * L * D  # q, k, v, y
        if impl == "tiled":  # only the pairs the mask allows, nothing L x L stored
            n = attention_pairs(L, self.window)
            return H * n * (4 * D + 5), io
        # dense: QK^T and PV over every pair, ~5 flops of scale/mask/softmax per
        # score; the probabilities (H x L x L) are written and read once
        return H * L * L * (4 * D + 5), io + 2 * 4 * H * L * L

    def mem_bytes(self, L):
        return 4 * L * L * (3 * self.H + 2)


class LinearScan(Workload):
    """h_t = a_t * h_{t-1} + b_t over C channels, written as an ONNX Scan
    (opset 16+ semantics, scan axis 0) whose body is a Mul and an Add."""
    name = "scan"
    title = "linear recurrence (Scan)"
    mixer = "seq.linear_scan"
    C = 16

    def build(self, L, rng):
        C = self.C
        a = rng.uniform(0.5, 1.0, (L, C)).astype(np.float32)
        b = rng.standard_normal((L, C)).astype(np.float32)
        body = helper.make_graph(
            [helper.make_node("Mul", ["a_t", "h_prev"], ["ah"]),
             helper.make_node("Add", ["ah", "b_t"], ["h_next"]),
             helper.make_node("Identity", ["h_next"], ["y_t"])],
            "step",
            [_vi("h_prev", [C]), _vi("a_t", [C]), _vi("b_t", [C])],
            [_vi("h_next", [C]), _vi("y_t", [C])])
        node = helper.make_node("Scan", ["h0", "a", "b"], ["h_last", "y"], num_scan_inputs=2,
                                body=body)
        m = _model(self.name, [node], [_vi("a", a.shape), _vi("b", b.shape)],
                   [_vi("y", (L, C))], [_init("h0", np.zeros(C, np.float32))])
        return m, {"a": a, "b": b}

    def reference(self, inputs, params):
        a = inputs["a"].astype(np.float64)
        b = inputs["b"].astype(np.float64)
        y = np.empty_like(b)
        h = params["h0"].astype(np.float64)
        for t in range(len(b)):
            h = a[t] * h + b[t]
            y[t] = h
        return {"y": y}

    def torch_fn(self, torch, params):
        h0 = torch.from_numpy(params["h0"])

        def run(t):  # eager PyTorch has no scan: a step loop, as models write it
            a, b = t["a"], t["b"]
            y = torch.empty_like(b)
            h = h0
            for i in range(b.shape[0]):
                torch.addcmul(b[i], a[i], h, out=y[i])
                h = y[i]
            return {"y": y}
        return run

    def cost(self, L, impl):
        io = 4 * 3 * L * self.C
        if impl == "parallel":  # Blelloch: ~2L combines of 3 flops
            return 6 * L * self.C, io
        if impl == "chunked":  # in-chunk scan plus the carry pass
            return 4 * L * self.C, io
        return 2 * L * self.C, io  # recurrent / as-written: one FMA per step


class CumSum(Workload):
    """ONNX CumSum along the sequence axis of (1, L, D)."""
    name = "cumsum"
    title = "CumSum"
    mixer = "seq.linear_scan"
    numpy_note = "np.cumsum"
    D = 64

    def build(self, L, rng):
        x = rng.standard_normal((1, L, self.D)).astype(np.float32)
        node = helper.make_node("CumSum", ["x", "axis"], ["y"])
        m = _model(self.name, [node], [_vi("x", x.shape)], [_vi("y", x.shape)],
                   [_init("axis", np.array(1, np.int64))])
        return m, {"x": x}

    def reference(self, inputs, params):
        return {"y": np.cumsum(inputs["x"].astype(np.float64), axis=1)}

    def torch_fn(self, torch, params):
        return lambda t: {"y": torch.cumsum(t["x"], dim=1)}

    def numpy_fn(self, params):
        return lambda t: {"y": np.cumsum(t["x"], axis=1)}

    def cost(self, L, impl):
        flops = {"parallel": 3, "chunked": 2}.get(impl, 1) * L * self.D
        return flops, 4 * 2 * L * self.D


def _erf(x):
    return np.frompyfunc(math.erf, 1, 1)(x).astype(np.float64)


def _layer_norm_f64(x, g, b, eps=1e-5):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * g + b


class TransformerBlock(Workload):
    """Pre-LN transformer block: x + MHA(LN(x)) with a causal mask, then
    + MLP(LN(.)) with an exact (erf) GELU; d model width, H heads, F hidden."""
    name = "transformer"
    title = "transformer block"
    mixer = "seq.attention"
    d, H, F = 64, 2, 256

    def build(self, L, rng):
        d, H, F = self.d, self.H, self.F
        hd = d // H

        def lin(i, o):
            return (rng.standard_normal((i, o)) / math.sqrt(i)).astype(np.float32)
        p = {
            "g1": (1 + 0.1 * rng.standard_normal(d)).astype(np.float32),
            "b1": (0.1 * rng.standard_normal(d)).astype(np.float32),
            "wqkv": lin(d, 3 * d), "bqkv": (0.1 * rng.standard_normal(3 * d)).astype(np.float32),
            "wo": lin(d, d), "bo": (0.1 * rng.standard_normal(d)).astype(np.float32),
            "g2": (1 + 0.1 * rng.standard_normal(d)).astype(np.float32),
            "b2": (0.1 * rng.standard_normal(d)).astype(np.float32),
            "w1": lin(d, F), "bf1": (0.1 * rng.standard_normal(F)).astype(np.float32),
            "w2": lin(F, d), "bf2": (0.1 * rng.standard_normal(d)).astype(np.float32),
        }
        inits = [_init(k, v) for k, v in p.items()] + [
            _init("split3", np.array([d, d, d], np.int64)),
            _init("heads", np.array([1, L, H, hd], np.int64)),
            _init("flat", np.array([1, L, d], np.int64)),
            _init("half", np.array(0.5, np.float32)),
            _init("one", np.array(1.0, np.float32)),
            _init("rsqrt2", np.array(1 / math.sqrt(2), np.float32)),
        ]
        N = helper.make_node
        nodes = [
            N("LayerNormalization", ["x", "g1", "b1"], ["ln1"], axis=-1, epsilon=1e-5),
            N("MatMul", ["ln1", "wqkv"], ["qkv0"]),
            N("Add", ["qkv0", "bqkv"], ["qkv"]),
            N("Split", ["qkv", "split3"], ["q0", "k0", "v0"], axis=-1),
        ]
        for n in ("q", "k", "v"):
            nodes += [N("Reshape", [n + "0", "heads"], [n + "1"]),
                      N("Transpose", [n + "1"], [n], perm=[0, 2, 1, 3])]
        add_masked_attention(nodes, inits, "att_", "q", "k", "v", L, hd, None, "att")
        nodes += [
            N("Transpose", ["att"], ["attT"], perm=[0, 2, 1, 3]),
            N("Reshape", ["attT", "flat"], ["attF"]),
            N("MatMul", ["attF", "wo"], ["o0"]),
            N("Add", ["o0", "bo"], ["o"]),
            N("Add", ["x", "o"], ["h"]),
            N("LayerNormalization", ["h", "g2", "b2"], ["ln2"], axis=-1, epsilon=1e-5),
            N("MatMul", ["ln2", "w1"], ["f0"]),
            N("Add", ["f0", "bf1"], ["f"]),
            # GELU(f) = 0.5 f (1 + erf(f / sqrt 2)), as torch exports it
            N("Mul", ["f", "rsqrt2"], ["fs"]),
            N("Erf", ["fs"], ["fe"]),
            N("Add", ["fe", "one"], ["fe1"]),
            N("Mul", ["f", "fe1"], ["fg0"]),
            N("Mul", ["fg0", "half"], ["fg"]),
            N("MatMul", ["fg", "w2"], ["m0"]),
            N("Add", ["m0", "bf2"], ["m"]),
            N("Add", ["h", "m"], ["y"]),
        ]
        x = rng.standard_normal((1, L, d)).astype(np.float32)
        m = _model(self.name, nodes, [_vi("x", x.shape)], [_vi("y", x.shape)], inits)
        return m, {"x": x}

    def reference(self, inputs, p):
        d, H = self.d, self.H
        hd = d // H
        x = inputs["x"].astype(np.float64)
        p = {k: v.astype(np.float64) for k, v in p.items()}
        L = x.shape[1]
        qkv = _layer_norm_f64(x, p["g1"], p["b1"]) @ p["wqkv"] + p["bqkv"]
        q, k, v = (qkv[..., i * d:(i + 1) * d].reshape(1, L, H, hd).transpose(0, 2, 1, 3)
                   for i in range(3))
        att = masked_attention_f64(q, k, v, None).transpose(0, 2, 1, 3).reshape(1, L, d)
        h = x + att @ p["wo"] + p["bo"]
        f = _layer_norm_f64(h, p["g2"], p["b2"]) @ p["w1"] + p["bf1"]
        g = 0.5 * f * (1 + _erf(f / math.sqrt(2)))
        return {"y": h + g @ p["w2"] + p["bf2"]}

    def torch_fn(self, torch, params):
        F = torch.nn.functional
        p = {k: torch.from_numpy(v) for k, v in params.items()}
        d, H = self.d, self.H
        hd = d // H
        masks = {}

        def run(t):
            x = t["x"]
            L = x.shape[1]
            if L not in masks:
                masks[L] = torch.from_numpy(band_mask(L, None))
            qkv = F.layer_norm(x, (d,), p["g1"], p["b1"], 1e-5) @ p["wqkv"] + p["bqkv"]
            q, k, v = (z.reshape(1, L, H, hd).transpose(1, 2) for z in qkv.split(d, dim=-1))
            att = torch_masked_attention(torch, q, k, v, masks[L]).transpose(1, 2).reshape(1, L, d)
            h = x + att @ p["wo"] + p["bo"]
            f = F.layer_norm(h, (d,), p["g2"], p["b2"], 1e-5) @ p["w1"] + p["bf1"]
            return {"y": h + F.gelu(f) @ p["w2"] + p["bf2"]}
        return run

    def cost(self, L, impl):
        d, H, F = self.d, self.H, self.F
        hd = d // H
        dense = 2 * L * d * 3 * d + 2 * L * d * d + 2 * 2 * L * d * F  # projections and MLP
        other = 2 * 8 * L * d + 8 * L * F + 6 * L * d  # 2 LayerNorms, GELU, biases/residuals
        weights = 4 * (3 * d * d + d * d + 2 * d * F + 8 * d + F)
        io = 4 * 2 * L * d + weights
        if impl == "tiled":
            n = attention_pairs(L, None)
            return dense + other + H * n * (4 * hd + 5), io
        return dense + other + H * L * L * (4 * hd + 5), io + 2 * 4 * H * L * L

    def mem_bytes(self, L):
        return 4 * L * L * (3 * self.H + 2)


class HyenaBlock(Workload):
    """Hyena-style gated long-convolution block (order 2): in-projection to
    (x1, x2, v), a short depthwise conv (K=3) on all three, y = out-proj(x2 *
    longconv_h(x1 * v)) with an explicit per-channel filter h of length L."""
    name = "hyena"
    title = "Hyena block"
    mixer = "seq.long_conv"
    numpy_note = "matmuls + FFT long convolution"
    d = 16

    def build(self, L, rng):
        d = self.d
        decay = np.exp(-np.arange(L)[::-1] / (L / 8))  # filter taps, reversed (Conv correlates)
        p = {
            "win": (rng.standard_normal((d, 3 * d)) / math.sqrt(d)).astype(np.float32),
            "bin": (0.1 * rng.standard_normal(3 * d)).astype(np.float32),
            "ws": (rng.standard_normal((3 * d, 1, 3)) / math.sqrt(3)).astype(np.float32),
            "h": (rng.standard_normal((d, 1, L)) * decay / math.sqrt(L / 8)).astype(np.float32),
            "wout": (rng.standard_normal((d, d)) / math.sqrt(d)).astype(np.float32),
            "bout": (0.1 * rng.standard_normal(d)).astype(np.float32),
        }
        N = helper.make_node
        nodes = [
            N("MatMul", ["x", "win"], ["u0"]),
            N("Add", ["u0", "bin"], ["u"]),
            N("Transpose", ["u"], ["ut"], perm=[0, 2, 1]),
            N("Conv", ["ut", "ws"], ["us"], group=3 * d, kernel_shape=[3], pads=[2, 0]),
            N("Split", ["us", "split3"], ["x1", "x2", "v"], axis=1),
            N("Mul", ["x1", "v"], ["z0"]),
            N("Conv", ["z0", "h"], ["z1"], group=d, kernel_shape=[L], pads=[L - 1, 0]),
            N("Mul", ["x2", "z1"], ["z2"]),
            N("Transpose", ["z2"], ["zt"], perm=[0, 2, 1]),
            N("MatMul", ["zt", "wout"], ["y0"]),
            N("Add", ["y0", "bout"], ["y"]),
        ]
        inits = [_init(k, v) for k, v in p.items()] + [_init("split3", np.array([d] * 3, np.int64))]
        x = rng.standard_normal((1, L, d)).astype(np.float32)
        m = _model(self.name, nodes, [_vi("x", x.shape)], [_vi("y", x.shape)], inits)
        return m, {"x": x}

    def reference(self, inputs, p):
        d = self.d
        p = {k: v.astype(np.float64) for k, v in p.items()}
        x = inputs["x"].astype(np.float64)
        u = (x @ p["win"] + p["bin"]).transpose(0, 2, 1)  # (1, 3d, L)
        us = causal_conv_f64(u, conv_weight_to_taps(p["ws"]))
        x1, x2, v = us[:, :d], us[:, d:2 * d], us[:, 2 * d:]
        z = x2 * causal_conv_f64(x1 * v, conv_weight_to_taps(p["h"]))
        return {"y": z.transpose(0, 2, 1) @ p["wout"] + p["bout"]}

    def torch_fn(self, torch, params):
        F = torch.nn.functional
        p = {k: torch.from_numpy(v) for k, v in params.items()}
        d = self.d
        K = p["h"].shape[-1]

        def run(t):
            u = (t["x"] @ p["win"] + p["bin"]).transpose(1, 2)
            us = F.conv1d(F.pad(u, (2, 0)), p["ws"], groups=3 * d)
            x1, x2, v = us.split(d, dim=1)
            z = x2 * F.conv1d(F.pad(x1 * v, (K - 1, 0)), p["h"], groups=d)
            return {"y": z.transpose(1, 2) @ p["wout"] + p["bout"]}
        return run

    def numpy_fn(self, params):
        d = self.d
        taps_s = np.ascontiguousarray(conv_weight_to_taps(params["ws"]))
        taps_h = np.ascontiguousarray(conv_weight_to_taps(params["h"]))
        n = next_pow2(2 * taps_h.shape[-1] - 1)
        H = np.fft.rfft(taps_h, n)  # the filter's spectrum: a constant of the model

        def run(t):
            u = (t["x"] @ params["win"] + params["bin"]).transpose(0, 2, 1)
            L = u.shape[-1]
            us = taps_s[:, 0:1] * u  # short conv by shifts: lags 0, 1, 2
            us[..., 1:] += taps_s[:, 1:2] * u[..., :-1]
            us[..., 2:] += taps_s[:, 2:3] * u[..., :-2]
            x1, x2, v = us[:, :d], us[:, d:2 * d], us[:, 2 * d:]
            z = x2 * np.fft.irfft(np.fft.rfft(x1 * v, n) * H, n)[..., :L].astype(np.float32)
            return {"y": z.transpose(0, 2, 1) @ params["wout"] + params["bout"]}
        return run

    def cost(self, L, impl):
        d = self.d
        other = 2 * L * d * 3 * d + 2 * 3 * d * L * 3 + 2 * L * d * d + 2 * d * L + 4 * d * L
        io = 4 * (2 * L * d + d * 3 * d + 3 * d * 3 + d * L + d * d + 4 * d)
        if impl == "fft":
            n = next_pow2(2 * L - 1)
            return other + d * (2 * fft_flops(n) + 6 * (n // 2 + 1)), io + 2 * 8 * d * (n // 2 + 1)
        if impl == "overlap_save":  # K = L: one block, same as fft
            return self.cost(L, "fft")
        return other + 2 * d * L * L, io


WORKLOADS = [
    LongConv(None), LongConv(512), LongConv(None, channels=256), DFTConv(), RFFT(),
    Attention(None), Attention(512),
    LinearScan(), CumSum(), TransformerBlock(), HyenaBlock(),
]
BY_NAME = {w.name: w for w in WORKLOADS}


def load_params(model_path):
    """The initializers of an ONNX file as numpy arrays (what torch and numpy
    contenders compute with, so all contenders share the weights)."""
    m = onnx.load(model_path)
    return {t.name: numpy_helper.to_array(t).copy() for t in m.graph.initializer}
