#!/usr/bin/env python3
"""RNN, GRU and LSTM compiled by seqc against a float64 numpy reference of
the ONNX equations: forward, reverse and bidirectional; layouts 0 and 1;
sequence_lens; initial states; peepholes; clip; GRU's linear_before_reset;
activations with alpha/beta; every output; symbolic sequence and batch dims.
Prints one line per case and `N passed, M failed`."""

import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper

SEQC = os.environ.get("SEQC", "seqc")
SEQC_RUN = os.environ.get("SEQC_RUN", "seqc-run")


def act(name, x, alpha, beta):
    n = name.lower()
    if n == "tanh":
        return np.tanh(x)
    if n == "sigmoid":
        return 1 / (1 + np.exp(-x))
    if n == "relu":
        return np.maximum(x, 0)
    if n == "leakyrelu":
        return np.where(x < 0, alpha * x, x)
    if n == "hardsigmoid":
        return np.clip(alpha * x + beta, 0, 1)
    if n == "affine":
        return alpha * x + beta
    raise ValueError(name)


DEFAULTS = {"RNN": ["Tanh"], "GRU": ["Sigmoid", "Tanh"],
            "LSTM": ["Sigmoid", "Tanh", "Tanh"]}
ALPHA = {"leakyrelu": 0.01, "hardsigmoid": 0.2}
BETA = {"hardsigmoid": 0.5}


def reference(kind, X, W, R, B, lens, h0, c0, P, direction, layout, clip,
              lbr, acts, alphas, betas):
    if layout:
        X = X.transpose(1, 0, 2)
        h0 = None if h0 is None else h0.transpose(1, 0, 2)
        c0 = None if c0 is None else c0.transpose(1, 0, 2)
    T, Bn, _ = X.shape
    D, GH, _ = W.shape
    H = R.shape[2]
    lens = np.full(Bn, T) if lens is None else lens
    fns, ai, bi = [], 0, 0
    for a in acts:
        al = ALPHA.get(a.lower(), 1.0)
        be = BETA.get(a.lower(), 0.0)
        if a.lower() in ("leakyrelu", "hardsigmoid", "affine") and ai < len(alphas):
            al = alphas[ai]; ai += 1
        if a.lower() in ("hardsigmoid", "affine") and bi < len(betas):
            be = betas[bi]; bi += 1
        fns.append(lambda x, a=a, al=al, be=be: act(a, x, al, be))
    per = len(DEFAULTS[kind])
    cl = (lambda v: np.clip(v, -clip, clip)) if clip else (lambda v: v)
    Y = np.zeros((T, D, Bn, H))
    Yh = np.zeros((D, Bn, H))
    Yc = np.zeros((D, Bn, H))
    for d in range(D):
        f = fns[d * per:(d + 1) * per]
        rev = direction == "reverse" or d == 1
        Wb = B[d, :GH] if B is not None else np.zeros(GH)
        Rb = B[d, GH:] if B is not None else np.zeros(GH)
        for b in range(Bn):
            h = h0[d, b] if h0 is not None else np.zeros(H)
            c = c0[d, b] if c0 is not None else np.zeros(H)
            L = lens[b]
            order = range(L - 1, -1, -1) if rev else range(L)
            for t in order:
                x = X[t, b]
                if kind == "RNN":
                    h = f[0](cl(W[d] @ x + R[d] @ h + Wb + Rb))
                elif kind == "GRU":
                    g = W[d] @ x + Wb
                    z = f[0](cl(g[:H] + R[d][:H] @ h + Rb[:H]))
                    r = f[0](cl(g[H:2 * H] + R[d][H:2 * H] @ h + Rb[H:2 * H]))
                    if lbr:
                        hh = f[1](cl(g[2 * H:] + r * (R[d][2 * H:] @ h + Rb[2 * H:])))
                    else:
                        hh = f[1](cl(g[2 * H:] + R[d][2 * H:] @ (r * h) + Rb[2 * H:]))
                    h = (1 - z) * hh + z * h
                else:
                    g = W[d] @ x + R[d] @ h + Wb + Rb
                    p = P[d] if P is not None else np.zeros(3 * H)
                    i = f[0](cl(g[:H] + p[:H] * c))
                    fg = f[0](cl(g[2 * H:3 * H] + p[2 * H:] * c))
                    cc = f[1](cl(g[3 * H:]))
                    c = fg * c + i * cc
                    o = f[0](cl(g[H:2 * H] + p[H:2 * H] * c))
                    h = o * f[2](c)
                Y[t, d, b] = h
            Yh[d, b] = h
            Yc[d, b] = c
    if layout:
        return Y.transpose(2, 0, 1, 3), Yh.transpose(1, 0, 2), Yc.transpose(1, 0, 2)
    return Y, Yh, Yc


def case(name, kind, T=5, Bn=3, I=4, H=6, direction="forward", layout=0,
         bias=True, lens=None, init=False, peep=False, clip=None, lbr=0,
         acts=None, alphas=(), betas=(), dynamic=False, seed=0):
    rng = np.random.default_rng(seed)
    D = 2 if direction == "bidirectional" else 1
    G = {"RNN": 1, "GRU": 3, "LSTM": 4}[kind]
    X = rng.standard_normal((Bn, T, I) if layout else (T, Bn, I)).astype(np.float32)
    W = (0.5 * rng.standard_normal((D, G * H, I))).astype(np.float32)
    R = (0.5 * rng.standard_normal((D, G * H, H))).astype(np.float32)
    B = (0.5 * rng.standard_normal((D, 2 * G * H))).astype(np.float32) if bias else None
    st = (Bn, D, H) if layout else (D, Bn, H)
    h0 = rng.standard_normal(st).astype(np.float32) if init else None
    c0 = rng.standard_normal(st).astype(np.float32) if init and kind == "LSTM" else None
    P = (0.5 * rng.standard_normal((D, 3 * H))).astype(np.float32) if peep else None
    L = np.array(lens, np.int32) if lens is not None else None
    feeds = {"X": X, "W": W, "R": R}
    names = ["X", "W", "R"]
    opt = [("B", B), ("sequence_lens", L), ("initial_h", h0)]
    if kind == "LSTM":
        opt += [("initial_c", c0), ("P", P)]
    for n, v in opt:
        names.append(n if v is not None else "")
        if v is not None:
            feeds[n] = v
    while names[-1] == "":
        names.pop()
    attrs = {"hidden_size": H, "direction": direction, "layout": layout}
    if clip:
        attrs["clip"] = clip
    if kind == "GRU":
        attrs["linear_before_reset"] = lbr
    if acts:
        attrs["activations"] = acts
    if alphas:
        attrs["activation_alpha"] = list(alphas)
    if betas:
        attrs["activation_beta"] = list(betas)
    outs = ["Y", "Y_h"] + (["Y_c"] if kind == "LSTM" else [])
    node = helper.make_node(kind, names, outs, **attrs)

    def vi(n, v):
        shape = list(v.shape)
        if dynamic and n in ("X",):
            shape = ["A", "Bd", v.shape[2]]
        dt = TensorProto.INT32 if v.dtype == np.int32 else TensorProto.FLOAT
        return helper.make_tensor_value_info(n, dt, shape)
    ys = reference(kind, X.astype(np.float64), W.astype(np.float64),
                   R.astype(np.float64), None if B is None else B.astype(np.float64),
                   L, None if h0 is None else h0.astype(np.float64),
                   None if c0 is None else c0.astype(np.float64),
                   None if P is None else P.astype(np.float64), direction,
                   layout, clip, lbr, acts or DEFAULTS[kind] * D, alphas, betas)
    graph = helper.make_graph(
        [node], name, [vi(n, v) for n, v in feeds.items()],
        [helper.make_tensor_value_info(o, TensorProto.FLOAT, None) for o in outs])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])
    with tempfile.TemporaryDirectory() as tmp:
        mp = os.path.join(tmp, "m.onnx")
        onnx.save(model, mp)
        lib = os.path.join(tmp, "m.so")
        c = subprocess.run([SEQC, mp, "-o", lib], capture_output=True, text=True)
        if c.returncode:
            return "compile-error " + (c.stderr.strip().splitlines() or ["?"])[0]
        args = [SEQC_RUN, lib, "--output-dir", tmp]
        for n, v in feeds.items():
            np.save(os.path.join(tmp, "in_" + n + ".npy"), v)
            args += ["--input", f"{n}={os.path.join(tmp, 'in_' + n + '.npy')}"]
        r = subprocess.run(args, capture_output=True, text=True)
        if r.returncode:
            return "run-error " + (r.stderr.strip().splitlines() or ["?"])[0]
        for o, want in zip(outs, ys):
            got = np.load(os.path.join(tmp, o + ".npy"))
            if got.shape != want.shape:
                return f"wrong {o} shape {got.shape} != {want.shape}"
            err = np.abs(got - want).max()
            if err > 1e-4 + 1e-4 * np.abs(want).max():
                return f"wrong {o} max|diff| {err:.3g}"
    return "pass"


CASES = [
    ("rnn_forward", dict(kind="RNN")),
    ("rnn_reverse_relu_clip", dict(kind="RNN", direction="reverse",
                                   acts=["Relu"], clip=0.8)),
    ("rnn_bidirectional_lens_layout1", dict(kind="RNN", direction="bidirectional",
                                            layout=1, lens=[5, 2, 0], init=True)),
    ("gru_forward", dict(kind="GRU")),
    ("gru_linear_before_reset", dict(kind="GRU", lbr=1, init=True)),
    ("gru_bidirectional_lens", dict(kind="GRU", direction="bidirectional",
                                    lens=[3, 5, 1], lbr=1)),
    ("gru_reverse_layout1_nobias", dict(kind="GRU", direction="reverse",
                                        layout=1, bias=False)),
    ("lstm_forward", dict(kind="LSTM")),
    ("lstm_peepholes_init", dict(kind="LSTM", peep=True, init=True)),
    ("lstm_bidirectional_lens_layout1", dict(kind="LSTM", direction="bidirectional",
                                             layout=1, lens=[4, 5, 2], peep=True,
                                             init=True)),
    ("lstm_reverse_clip_alpha", dict(kind="LSTM", direction="reverse", clip=1.5,
                                     acts=["HardSigmoid", "LeakyRelu", "Tanh"],
                                     alphas=[0.3, 0.1], betas=[0.4])),
    ("rnn_dynamic", dict(kind="RNN", dynamic=True, direction="bidirectional")),
    ("gru_dynamic_lens", dict(kind="GRU", dynamic=True, lens=[5, 3, 4])),
    ("lstm_dynamic_layout1", dict(kind="LSTM", dynamic=True, layout=1,
                                  direction="bidirectional", init=True)),
]


def main():
    failed = 0
    for name, kw in CASES:
        r = case(name, **kw)
        print(f"{name:40s} {r}")
        failed += r != "pass"
    print(f"{len(CASES) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
