#!/usr/bin/env python3
"""Numerical check of seq-lower-reference against numpy in float64.

For each named case: draw random float32 inputs, write an MLIR module that
applies one seq op to them (as constants, optionally cast to dynamic shapes),
lower it with `seqc-opt --seqc-reference-to-llvm`, run it with mlir-runner,
parse the printed results and compare them with a float64 numpy computation
of the op's definition:

    |got - want| <= atol * max(1, max|want|) + rtol * |want|

Prints `PASS name (max err ...)` or `FAIL name ...` per case and exits 1 if
any case fails. `--perturb` adds a small error to the numpy result: every case
must then FAIL, which shows the comparison can fail.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import masks as M  # noqa: E402

# --------------------------------------------------------------------------
# MLIR text helpers
# --------------------------------------------------------------------------


def ttype(shape, cplx=False, dynamic=False):
    dims = "".join(("?" if dynamic else str(d)) + "x" for d in shape)
    return "tensor<%s%s>" % (dims, "complex<f32>" if cplx else "f32")


def fmt(x):
    return repr(float(np.float32(x)))


def dense(arr):
    arr = np.asarray(arr)
    if arr.ndim == 0:
        if np.iscomplexobj(arr):
            return "(%s, %s)" % (fmt(arr.real), fmt(arr.imag))
        return fmt(arr)
    return "[" + ", ".join(dense(a) for a in arr) + "]"


class Op:
    """One seq op applied to named inputs."""

    def __init__(self, name, operands, attrs, results, extra_types=()):
        self.name = name            # e.g. "seq.attention"
        self.operands = operands    # list of (keyword or None, input index)
        self.attrs = attrs          # attribute dictionary text, or ""
        self.results = results      # list of (shape, is_complex)
        self.extra_types = extra_types


def build_module(inputs, op, dynamic):
    """inputs: list of numpy arrays (float32 or complex64)."""
    lines = [
        "func.func private @printMemrefF32(tensor<*xf32>)",
        "func.func private @printMemrefC32(tensor<*xcomplex<f32>>)",
        "func.func @main() {",
    ]
    names, types = [], []
    for i, a in enumerate(inputs):
        c = np.iscomplexobj(a)
        st = ttype(a.shape, c)
        lines.append("  %%in%d = arith.constant dense<%s> : %s" % (i, dense(a), st))
        if dynamic:
            dt = ttype(a.shape, c, dynamic=True)
            lines.append("  %%dyn%d = tensor.cast %%in%d : %s to %s" % (i, i, st, dt))
            names.append("%%dyn%d" % i)
            types.append(dt)
        else:
            names.append("%%in%d" % i)
            types.append(st)
    parts = []
    operand_types = []
    for kw, idx in op.operands:
        parts.append(("%s " % kw if kw else "") + names[idx])
        operand_types.append(types[idx])
    text = ""
    for i, p in enumerate(parts):
        if i == 0:
            text = p
        elif p.split(" ")[0].startswith("%"):
            text += ", " + p
        else:
            text += " " + p
    res_types = [ttype(s, c, dynamic) for s, c in op.results]
    nres = len(op.results)
    lhs = "%r" if nres == 1 else "%%r:%d" % nres
    lines.append("  %s = %s %s %s : (%s) -> (%s)" % (
        lhs, op.name, text, op.attrs, ", ".join(operand_types),
        ", ".join(res_types)))
    for i, (shape, c) in enumerate(op.results):
        ref = "%r" if nres == 1 else "%%r#%d" % i
        elt = "complex<f32>" if c else "f32"
        lines.append("  %%u%d = tensor.cast %s : %s to tensor<*x%s>" % (
            i, ref, res_types[i], elt))
        lines.append("  call @printMemref%s(%%u%d) : (tensor<*x%s>) -> ()" % (
            "C32" if c else "F32", i, elt))
    lines += ["  return", "}"]
    return "\n".join(lines) + "\n"


NUM = r"[-+]?(?:nan|inf|\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)"


def parse_output(text, results):
    chunks = text.split("Unranked Memref")[1:]
    if len(chunks) != len(results):
        raise RuntimeError("expected %d printed results, got %d:\n%s" % (
            len(results), len(chunks), text[:2000]))
    out = []
    for chunk, (shape, c) in zip(chunks, results):
        data = chunk.split("data =", 1)[1]
        if c:
            pairs = re.findall(r"\((%s),\s*(%s)\)" % (NUM, NUM), data)
            vals = np.array([float(a) + 1j * float(b) for a, b in pairs])
        else:
            vals = np.array([float(v) for v in re.findall(NUM, data)])
        out.append(vals.reshape(shape))
    return out


# --------------------------------------------------------------------------
# Float64 references of the op definitions
# --------------------------------------------------------------------------


def ref_attention(q, k, v, masks, scale, softcap=None, bias=None):
    q, k, v = (x.astype(np.float64) for x in (q, k, v))
    B, Hq, Lq, _ = q.shape
    Hkv, Lk = k.shape[1], k.shape[2]
    g = Hq // Hkv
    out = np.zeros((B, Hq, Lq, v.shape[3]))
    bb = None if bias is None else np.broadcast_to(bias.astype(np.float64),
                                                   (B, Hq, Lq, Lk))
    for h in range(Hq):
        s = scale * np.einsum("brd,bjd->brj", q[:, h], k[:, h // g])
        if softcap:
            s = softcap * np.tanh(s / softcap)
        if bb is not None:
            s = s + bb[:, h]
        m = masks[h] if isinstance(masks, list) else masks
        s = np.where(m[None], s, -np.inf)
        mx = np.max(s, axis=-1, keepdims=True)
        e = np.where(m[None], np.exp(s - np.where(np.isfinite(mx), mx, 0)), 0.0)
        den = e.sum(-1, keepdims=True)
        o = np.einsum("brj,bje->bre", e, v[:, h // g])
        out[:, h] = np.where(den > 0, o / np.where(den > 0, den, 1), 0.0)
    return [out]


def ref_linear_attention(q, k, v, decay=None, s0=None, norm="none"):
    q, k, v = (x.astype(np.float64) for x in (q, k, v))
    B, H, L, Dk = q.shape
    S = np.zeros((B, H, Dk, v.shape[3])) if s0 is None else s0.astype(np.float64)
    n = np.zeros((B, H, Dk))
    out = np.zeros((B, H, L, v.shape[3]))
    for t in range(L):
        if decay is not None:
            a = decay[:, :, t].astype(np.float64)
            a = a[..., None] if a.ndim == 3 else a[..., None, None]
            S = a * S
            n = (a[..., 0] if decay.ndim == 4 else a[..., 0, 0][..., None]) * n
        S = S + np.einsum("bhi,bhj->bhij", k[:, :, t], v[:, :, t])
        n = n + k[:, :, t]
        o = np.einsum("bhij,bhi->bhj", S, q[:, :, t])
        if norm != "none":
            den = np.einsum("bhi,bhi->bh", n, q[:, :, t])[..., None]
            if norm == "clamped":
                den = np.maximum(np.abs(den), 1.0)
            o = o / den
        out[:, :, t] = o
    return [out, S]


def ref_selective_scan(u, dt, A, Bm, Cm, D=None, z=None, dbias=None,
                       softplus=False):
    u, dt, A, Bm, Cm = (x.astype(np.float64) for x in (u, dt, A, Bm, Cm))
    Bsz, Dch, L = u.shape
    N = A.shape[1]
    if Bm.ndim == 4:
        G = Bm.shape[1]
        Bm = np.repeat(Bm, Dch // G, axis=1)  # (B, D, N, L)
        Cm = np.repeat(Cm, Dch // G, axis=1)
    else:
        Bm = np.broadcast_to(Bm[:, None], (Bsz, Dch, N, L))
        Cm = np.broadcast_to(Cm[:, None], (Bsz, Dch, N, L))
    d = dt + (0 if dbias is None else dbias.astype(np.float64)[None, :, None])
    if softplus:
        d = np.log1p(np.exp(d))
    h = np.zeros((Bsz, Dch, N))
    y = np.zeros((Bsz, Dch, L))
    for t in range(L):
        h = np.exp(d[:, :, t, None] * A[None]) * h + \
            d[:, :, t, None] * Bm[:, :, :, t] * u[:, :, t, None]
        y[:, :, t] = np.sum(Cm[:, :, :, t] * h, axis=-1)
    if D is not None:
        y = y + D.astype(np.float64)[None, :, None] * u
    if z is not None:
        z = z.astype(np.float64)
        y = y * z / (1 + np.exp(-z))
    return [y, h]


def ref_linear_scan(a, b, axis, h0=None, reverse=False, last=False):
    a = np.broadcast_to(a.astype(np.float64), b.shape)
    b = b.astype(np.float64)
    a, b = np.moveaxis(a, axis, 0), np.moveaxis(b, axis, 0)
    h = np.zeros(b.shape[1:]) if h0 is None else h0.astype(np.float64)
    out = np.zeros(b.shape)
    order = range(b.shape[0] - 1, -1, -1) if reverse else range(b.shape[0])
    for t in order:
        h = a[t] * h + b[t]
        out[t] = h
    return [h] if last else [np.moveaxis(out, 0, axis)]


def ref_long_conv(x, k, bias=None, centered=False):
    x, k = x.astype(np.float64), k.astype(np.float64)
    B, C, L = x.shape
    K = k.shape[1]
    s = (K - 1) // 2 if centered else 0
    y = np.zeros((B, C, L))
    for b in range(B):
        for c in range(C):
            y[b, c] = np.convolve(x[b, c], k[c])[s:s + L]
    if bias is not None:
        y += bias.astype(np.float64)[None, :, None]
    return [y]


def ref_ssm_kernel(A, Bp, Cp, log_dt, L, bilinear=False):
    A, Bp, Cp = (x.astype(np.complex128) for x in (A, Bp, Cp))
    dt = np.exp(log_dt.astype(np.float64))[:, None]
    dA = dt * A
    if bilinear:
        Abar = (1 + dA / 2) / (1 - dA / 2)
        Bbar = dt * Bp / (1 - dA / 2)
    else:
        Abar = np.exp(dA)
        Bbar = (np.exp(dA) - 1) / A * Bp
    l = np.arange(L)
    powers = Abar[:, :, None] ** l[None, None, :]      # (C, N, L)
    K = 2 * np.real(np.einsum("cn,cnl->cl", Cp * Bbar, powers))
    return [K]


# --------------------------------------------------------------------------
# Cases
# --------------------------------------------------------------------------


def rnd(rng, *shape):
    return rng.standard_normal(shape).astype(np.float32)


def crnd(rng, *shape):
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(np.complex64)


def attention_case(rng, B, Hq, Hkv, Lq, Lk, D, Dv, mask_attr, masks,
                   scale=None, softcap=None, bias_shape=None):
    q, k, v = rnd(rng, B, Hq, Lq, D), rnd(rng, B, Hkv, Lk, D), rnd(rng, B, Hkv, Lk, Dv)
    scale = scale or 1.0 / np.sqrt(D)
    inputs = [q, k, v]
    operands = [(None, 0), (None, 1), (None, 2)]
    bias = None
    if bias_shape:
        bias = rnd(rng, *bias_shape)
        inputs.append(bias)
        operands.append(("bias", 3))
    attrs = "mask = %s, scale = %s : f32" % (mask_attr, fmt(scale))
    if softcap:
        attrs += ", softcap = %s : f32" % fmt(softcap)
    op = Op("seq.attention", operands, "{%s}" % attrs, [((B, Hq, Lq, Dv), False)])
    want = ref_attention(q, k, v, masks, np.float32(scale), softcap, bias)
    return inputs, op, want


def case_attention_full(rng):
    return attention_case(rng, 2, 2, 2, 5, 5, 4, 3, "#seq.mask<full>", M.full(5, 5))


def case_attention_causal_gqa(rng):
    return attention_case(rng, 1, 4, 2, 6, 6, 8, 4, "#seq.mask<causal>", M.causal(6, 6))


def case_attention_mqa_window_bias_softcap(rng):
    return attention_case(rng, 2, 3, 1, 7, 7, 4, 4, "#seq.mask<window<2, 1>>",
                          M.fa2_window(7, 7, 2, 1), softcap=2.0, bias_shape=(1, 7, 7))


def case_attention_lm_infinite(rng):
    # Fewer queries than keys: bottom-right alignment matters.
    lq, lk = 5, 12
    return attention_case(rng, 1, 2, 2, lq, lk, 4, 4,
                          "#seq.mask<causal and (window<2, -1> or sinks<2>)>",
                          M.lm_infinite(lq, lk, 3, 2))


def case_attention_per_head(rng):
    L, blk = 8, 4
    layout = np.array([[True, False], [True, True]])
    attrs = ["#seq.mask<sinks<3>>", "#seq.mask<global<[1, 6]>>",
             "#seq.mask<dilated<4, 2>>",
             "#seq.mask<blocks<%d, %s>>" % (blk, M.layout_attr(layout))]
    masks = [M.streaming_sinks(L, L, 3), M.longformer_global(L, L, [1, 6]),
             M.longformer_dilated(L, L, 4, 2), M.bigbird_tokens(L, L, blk, layout)]
    return attention_case(rng, 1, 4, 4, L, L, 4, 2, "[%s]" % ", ".join(attrs), masks)


def case_attention_empty_rows(rng):
    # Rows p >= 4 see no key: they must be zeros.
    L = 8
    m = M.fa2_window(L, L, 1, -1) & M.streaming_sinks(L, L, 3)
    return attention_case(rng, 1, 1, 1, L, L, 4, 4,
                          "#seq.mask<window<1, -1> and sinks<3>>", m)


def random_masks_case(rng):
    """Six heads, each with a random mask form drawn as in the mask-semantics
    test: checks the lowered IR predicate against the papers' matrices."""
    import masksem
    lk = int(rng.integers(4, 14))
    lq = int(rng.integers(1, lk + 1))
    drawn = [masksem.draw(rng, lq, lk) for _ in range(6)]
    attrs = "[%s]" % ", ".join("#seq.mask<%s>" % a for a, _, _ in drawn)
    return attention_case(rng, 1, 6, 3, lq, lk, 4, 3, attrs, [m for _, m, _ in drawn])


def case_attention_random_masks_0(rng):
    return random_masks_case(rng)


def case_attention_random_masks_1(rng):
    return random_masks_case(rng)


def case_attention_random_masks_2(rng):
    return random_masks_case(rng)


def case_linear_attention_plain(rng):
    q, k, v = rnd(rng, 1, 2, 6, 3), rnd(rng, 1, 2, 6, 3), rnd(rng, 1, 2, 6, 4)
    op = Op("seq.linear_attention", [(None, 0), (None, 1), (None, 2)], "",
            [((1, 2, 6, 4), False), ((1, 2, 3, 4), False)])
    return [q, k, v], op, ref_linear_attention(q, k, v)


def case_linear_attention_decay_state_clamped(rng):
    q, k, v = rnd(rng, 2, 2, 5, 3), rnd(rng, 2, 2, 5, 3), rnd(rng, 2, 2, 5, 2)
    a = rng.uniform(0.5, 1.0, (2, 2, 5)).astype(np.float32)
    s0 = rnd(rng, 2, 2, 3, 2)
    op = Op("seq.linear_attention", [(None, 0), (None, 1), (None, 2), ("decay", 3),
                                     ("state0", 4)],
            "{normalizer = #seq.normalizer<clamped>}",
            [((2, 2, 5, 2), False), ((2, 2, 3, 2), False)])
    return [q, k, v, a, s0], op, ref_linear_attention(q, k, v, a, s0, "clamped")


def case_linear_attention_vector_decay_sum(rng):
    # Positive features (as phi = elu + 1 gives) keep n . q away from zero.
    q = rng.uniform(0.5, 1.5, (1, 2, 5, 3)).astype(np.float32)
    k = rng.uniform(0.5, 1.5, (1, 2, 5, 3)).astype(np.float32)
    v = rnd(rng, 1, 2, 5, 4)
    a = rng.uniform(0.5, 1.0, (1, 2, 5, 3)).astype(np.float32)
    op = Op("seq.linear_attention", [(None, 0), (None, 1), (None, 2), ("decay", 3)],
            "{normalizer = #seq.normalizer<sum>}",
            [((1, 2, 5, 4), False), ((1, 2, 3, 4), False)])
    return [q, k, v, a], op, ref_linear_attention(q, k, v, a, None, "sum")


def case_selective_scan_plain(rng):
    u, dt = rnd(rng, 2, 3, 7), rng.uniform(0.01, 0.5, (2, 3, 7)).astype(np.float32)
    A = -rng.uniform(0.5, 2.0, (3, 4)).astype(np.float32)
    Bm, Cm = rnd(rng, 2, 4, 7), rnd(rng, 2, 4, 7)
    op = Op("seq.selective_scan", [(None, i) for i in range(5)], "",
            [((2, 3, 7), False), ((2, 3, 4), False)])
    return [u, dt, A, Bm, Cm], op, ref_selective_scan(u, dt, A, Bm, Cm)


def case_selective_scan_full(rng):
    u, dt = rnd(rng, 1, 4, 6), rnd(rng, 1, 4, 6)
    A = -rng.uniform(0.5, 2.0, (4, 3)).astype(np.float32)
    Bm, Cm = rnd(rng, 1, 2, 3, 6), rnd(rng, 1, 2, 3, 6)
    D, z, db = rnd(rng, 4), rnd(rng, 1, 4, 6), rnd(rng, 4)
    op = Op("seq.selective_scan",
            [(None, 0), (None, 1), (None, 2), (None, 3), (None, 4), ("D", 5),
             ("z", 6), ("delta_bias", 7)], "{delta_softplus}",
            [((1, 4, 6), False), ((1, 4, 3), False)])
    return ([u, dt, A, Bm, Cm, D, z, db], op,
            ref_selective_scan(u, dt, A, Bm, Cm, D, z, db, softplus=True))


def case_linear_scan_all(rng):
    a, b = rng.uniform(0.5, 1.0, (1, 3, 9)).astype(np.float32), rnd(rng, 2, 3, 9)
    op = Op("seq.linear_scan", [(None, 0), (None, 1)], "{axis = 2 : i64}",
            [((2, 3, 9), False)])
    return [a, b], op, ref_linear_scan(a, b, 2)


def case_linear_scan_reverse_last_h0(rng):
    a, b, h0 = rnd(rng, 6, 1), rnd(rng, 6, 4), rnd(rng, 4)
    op = Op("seq.linear_scan", [(None, 0), (None, 1), ("h0", 2)],
            "{axis = 0 : i64, reverse, last}", [((4,), False)])
    return [a, b, h0], op, ref_linear_scan(a, b, 0, h0, reverse=True, last=True)


def case_cumsum_as_scan(rng):
    a, b = np.ones((1, 1), dtype=np.float32), rnd(rng, 3, 8)
    op = Op("seq.linear_scan", [(None, 0), (None, 1)], "{axis = 1 : i64}",
            [((3, 8), False)])
    return [a, b], op, [np.cumsum(b.astype(np.float64), axis=1)]


def case_long_conv_causal(rng):
    x, k = rnd(rng, 2, 3, 16), rnd(rng, 3, 16)
    op = Op("seq.long_conv", [(None, 0), (None, 1)], "", [((2, 3, 16), False)])
    return [x, k], op, ref_long_conv(x, k)


def case_long_conv_centered_bias(rng):
    x, k, b = rnd(rng, 1, 4, 11), rnd(rng, 4, 6), rnd(rng, 4)
    op = Op("seq.long_conv", [(None, 0), (None, 1), ("bias", 2)],
            "{mode = #seq.conv_mode<centered>}", [((1, 4, 11), False)])
    return [x, k, b], op, ref_long_conv(x, k, b, centered=True)


def fft_case(rng, name, shape, axis, length=None, inverse=False):
    cplx = name != "seq.rfft"
    x = crnd(rng, *shape) if cplx else rnd(rng, *shape)
    n = length or (2 * (shape[axis] - 1) if name == "seq.irfft" else shape[axis])
    attrs = ["axis = %d : i64" % axis]
    if inverse:
        attrs.append("inverse")
    if length:
        attrs.append("length = %d : i64" % length)
    xs = x.astype(np.complex128 if cplx else np.float64)
    out_shape = list(shape)
    if name == "seq.fft":
        want = (np.fft.ifft if inverse else np.fft.fft)(xs, n=n, axis=axis)
        out_shape[axis] = n
    elif name == "seq.rfft":
        want = np.fft.rfft(xs, n=n, axis=axis)
        out_shape[axis] = n // 2 + 1
    else:
        want = np.fft.irfft(xs, n=n, axis=axis)
        out_shape[axis] = n
    op = Op(name, [(None, 0)], "{%s}" % ", ".join(attrs),
            [(tuple(out_shape), name != "seq.irfft")])
    return [x], op, [want]


def case_fft_composite(rng):
    return fft_case(rng, "seq.fft", (2, 12), 1)


def case_fft_inverse_prime(rng):
    return fft_case(rng, "seq.fft", (13, 2), 0, inverse=True)


def case_fft_pad_and_truncate(rng):
    return fft_case(rng, "seq.fft", (3, 10), 1, length=15)


def case_fft_truncate(rng):
    return fft_case(rng, "seq.fft", (3, 10), 1, length=7)


def case_rfft_even(rng):
    return fft_case(rng, "seq.rfft", (2, 16), 1)


def case_rfft_odd_padded(rng):
    return fft_case(rng, "seq.rfft", (2, 9), 1, length=11)


def case_irfft_even(rng):
    return fft_case(rng, "seq.irfft", (2, 9), 1)


def case_irfft_odd_length(rng):
    return fft_case(rng, "seq.irfft", (6, 3), 0, length=11)


def ssm_case(rng, bilinear):
    C, N, L = 3, 4, 20
    A = (-rng.uniform(0.1, 1.0, (C, N)) + 1j * np.pi * np.arange(N)[None]).astype(np.complex64)
    Bp, Cp = crnd(rng, C, N), crnd(rng, C, N)
    log_dt = rng.uniform(np.log(1e-2), np.log(1e-1), C).astype(np.float32)
    attrs = "{discretization = #seq.discretization<%s>}" % ("bilinear" if bilinear else "zoh")
    op = Op("seq.ssm_kernel", [(None, 0), (None, 1), (None, 2), (None, 3)], attrs,
            [((C, L), False)])
    return [A, Bp, Cp, log_dt], op, ref_ssm_kernel(A, Bp, Cp, log_dt, L, bilinear)


def case_ssm_kernel_zoh(rng):
    return ssm_case(rng, False)


def case_ssm_kernel_bilinear(rng):
    return ssm_case(rng, True)


CASES = {name[len("case_"):]: fn for name, fn in globals().items()
         if name.startswith("case_")}

# Cases that also run with every input dim made dynamic (ssm_kernel needs a
# length operand when dynamic and is covered statically).
DYNAMIC_OK = {n for n in CASES if not n.startswith("ssm_kernel")}


def run_case(name, args, dynamic):
    rng = np.random.default_rng(args.seed + sum(map(ord, name)))
    inputs, op, want = CASES[name](rng)
    if args.perturb:
        want = [w + 1e-2 * (1 + np.abs(w)) for w in want]
    module = build_module(inputs, op, dynamic)
    label = name + (" [dynamic]" if dynamic else "")
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, name + ".mlir")
        with open(src, "w") as f:
            f.write(module)
        lowered = subprocess.run([args.seqc_opt, src, "--seqc-reference-to-llvm"],
                                 capture_output=True, text=True)
        if lowered.returncode != 0:
            print("FAIL %s: seqc-opt failed:\n%s" % (label, lowered.stderr[:3000]))
            return False
        libs = ",".join(os.path.join(args.libdir, l) for l in
                        ("libmlir_runner_utils.so", "libmlir_c_runner_utils.so"))
        ran = subprocess.run([args.runner, "-e", "main", "-entry-point-result=void",
                              "-shared-libs=" + libs], input=lowered.stdout,
                             capture_output=True, text=True)
        if ran.returncode != 0:
            print("FAIL %s: mlir-runner failed:\n%s" % (label, ran.stderr[:3000]))
            return False
    got = parse_output(ran.stdout, op.results)
    ok = True
    worst = 0.0
    for g, w in zip(got, want):
        w = np.asarray(w)
        scale = max(1.0, float(np.max(np.abs(w))) if w.size else 1.0)
        err = np.abs(g - w)
        bound = args.atol * scale + args.rtol * np.abs(w)
        if not np.all(err <= bound) or np.any(np.isnan(g)):
            ok = False
        worst = max(worst, float(np.max(err / scale)) if err.size else 0.0)
    print("%s %s (max err / max|ref| = %.2e)" % ("PASS" if ok else "FAIL", label, worst))
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cases", nargs="*", help="case names or prefixes (default: all)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--dynamic", action="store_true",
                    help="also run each case with all input dims dynamic")
    ap.add_argument("--perturb", action="store_true",
                    help="corrupt the reference: every case must fail")
    ap.add_argument("--rtol", type=float, default=1e-4)
    ap.add_argument("--atol", type=float, default=2e-5)
    ap.add_argument("--seqc-opt", default=shutil.which("seqc-opt"))
    ap.add_argument("--runner", default=shutil.which("mlir-runner"))
    ap.add_argument("--libdir", default="/usr/lib/llvm-22/lib")
    ap.add_argument("--list", action="store_true")
    args = ap.parse_args()
    if args.list:
        print("\n".join(sorted(CASES)))
        return 0
    names = sorted(n for n in CASES if not args.cases or
                   any(n.startswith(c) for c in args.cases))
    if not names:
        print("no case matches %s" % args.cases)
        return 2
    results = []
    for n in names:
        results.append(run_case(n, args, False))
        if args.dynamic and n in DYNAMIC_OK:
            results.append(run_case(n, args, True))
    passed = sum(results)
    print("%d passed, %d failed" % (passed, len(results) - passed))
    if args.perturb:
        return 0 if passed == 0 else 1
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
