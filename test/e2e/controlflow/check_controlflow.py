#!/usr/bin/env python3
"""If, Loop and Scan compiled by seqc and run, against float64 numpy
references written from the ONNX operator definitions (onnx 1.12 has no
onnx.reference evaluator).

  vad        a voice-activity-detector-like model: an If on a run-time
             condition (the mean of the input is positive) whose branches
             each run an LSTM with weights captured from the outer graph and
             then a nested If (on a second input) that reads values of both
             enclosing graphs; then a Loop whose condition the body computes
             (it stops after k+1 steps or at M) accumulating a state and
             stacking it, and a counted Loop (no condition) over the result.
             Every combination of both branch outcomes, and two k.
  loop_cond  a Loop whose condition input the body passes on (M steps, or
             none when it starts false).
  scan_axes  Scan with two scan inputs on different axes, one backwards, and
             two scan outputs on different axes, one written backwards.
  scan_dyn   the same with every input dim symbolic.
  scan8      Scan-8 with a batch axis, sequence_lens and a backward input.

Tolerance: |got - want| <= 1e-4 + 1e-4 * max|want| (float32 against float64).
Prints one line per case and `N passed, M failed`."""

import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

SEQC = os.environ.get("SEQC", "seqc")
SEQC_RUN = os.environ.get("SEQC_RUN", "seqc-run")

T, I, H = 5, 3, 4
M_LOOP = 6     # trip count of the condition-driven Loop
M_COUNTED = 3  # trip count of the counted Loop


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def lstm_last(x, w, r, b, h, c):
    """ONNX LSTM, forward, default activations; gates i, o, f, c. x (T,1,I),
    w (1,4H,I), r (1,4H,H), b (1,8H), h and c (1,1,H). Returns Y_h."""
    w, r, b = w[0], r[0], b[0]
    hh, cc = h[0], c[0]
    bias = b[:4 * H] + b[4 * H:]
    for t in range(x.shape[0]):
        g = x[t] @ w.T + hh @ r.T + bias
        i, o, f, z = (g[:, k * H:(k + 1) * H] for k in range(4))
        cc = sigmoid(f) * cc + sigmoid(i) * np.tanh(z)
        hh = sigmoid(o) * np.tanh(cc)
    return hh[None]


def vi(name, elem, shape):
    return helper.make_tensor_value_info(name, elem, shape)


def vad_model(rng):
    F = TensorProto.FLOAT
    inits = {
        "Wa": rng.standard_normal((1, 4 * H, I)) * 0.5,
        "Ra": rng.standard_normal((1, 4 * H, H)) * 0.5,
        "Ba": rng.standard_normal((1, 8 * H)) * 0.1,
        "Wb": rng.standard_normal((1, 4 * H, I)) * 0.5,
        "Rb": rng.standard_normal((1, 4 * H, H)) * 0.5,
        "Bb": rng.standard_normal((1, 8 * H)) * 0.1,
        "gain": rng.uniform(0.5, 1.5, (H,)),
        "Wl": rng.standard_normal((H, H)) * 0.5,
        "zero": np.zeros((), np.float64),
        "shape2d": np.array([1, H], np.int64),
        "M": np.array(M_LOOP, np.int64),
        "Mc": np.array(M_COUNTED, np.int64),
        "true": np.array(True),
        "half": np.array(0.5),
    }
    inits = {k: (v.astype(np.float32) if v.dtype == np.float64 else v)
             for k, v in inits.items()}

    def branch(tag, w, r, b, inner_then, inner_else):
        lstm = helper.make_node("LSTM", ["x", w, r, b, "", "h0", "c0"],
                                ["", f"yh_{tag}"], hidden_size=H)
        then_g = helper.make_graph(inner_then(f"yh_{tag}", f"t_{tag}"),
                                   f"inner_then_{tag}", [],
                                   [vi(f"t_{tag}", F, [1, 1, H])])
        else_g = helper.make_graph(inner_else(f"yh_{tag}", f"e_{tag}"),
                                   f"inner_else_{tag}", [],
                                   [vi(f"e_{tag}", F, [1, 1, H])])
        inner = helper.make_node("If", ["mode"], [f"out_{tag}"],
                                 then_branch=then_g, else_branch=else_g)
        return helper.make_graph([lstm, inner], f"branch_{tag}", [],
                                 [vi(f"out_{tag}", F, [1, 1, H])])

    speech = branch(
        "a", "Wa", "Ra", "Ba",
        lambda y, o: [helper.make_node("Mul", [y, "gain"], [o])],
        lambda y, o: [helper.make_node("Tanh", [y], [o])])
    silence = branch(
        "b", "Wb", "Rb", "Bb",
        lambda y, o: [helper.make_node("Add", [y, "gain"], [o])],
        lambda y, o: [helper.make_node("Sigmoid", [y], [o])])

    # s' = tanh(s Wl + hs); continue while i < k; stack s'.
    loop_body = helper.make_graph(
        [helper.make_node("MatMul", ["s_in", "Wl"], ["sw"]),
         helper.make_node("Add", ["sw", "hs"], ["pre"]),
         helper.make_node("Tanh", ["pre"], ["s_out"]),
         helper.make_node("Less", ["i", "k"], ["go"]),
         helper.make_node("Identity", ["s_out"], ["s_scan"])],
        "accumulate",
        [vi("i", TensorProto.INT64, []), vi("c_in", TensorProto.BOOL, []),
         vi("s_in", F, [1, H])],
        [vi("go", TensorProto.BOOL, []), vi("s_out", F, [1, H]),
         vi("s_scan", F, [1, H])])
    # acc' = acc * 0.5 + s_final * i; stack acc'.
    counted_body = helper.make_graph(
        [helper.make_node("Cast", ["j"], ["jf"], to=TensorProto.FLOAT),
         helper.make_node("Mul", ["s_final", "jf"], ["sj"]),
         helper.make_node("Mul", ["a_in", "half"], ["ah"]),
         helper.make_node("Add", ["ah", "sj"], ["a_out"]),
         helper.make_node("Identity", ["cc_in"], ["cc_out"]),
         helper.make_node("Identity", ["a_out"], ["a_scan"])],
        "counted",
        [vi("j", TensorProto.INT64, []), vi("cc_in", TensorProto.BOOL, []),
         vi("a_in", F, [1, H])],
        [vi("cc_out", TensorProto.BOOL, []), vi("a_out", F, [1, H]),
         vi("a_scan", F, [1, H])])

    nodes = [
        helper.make_node("ReduceMean", ["x"], ["mean"], keepdims=0),
        helper.make_node("Greater", ["mean", "zero"], ["is_speech"]),
        helper.make_node("If", ["is_speech"], ["h"], then_branch=speech,
                         else_branch=silence),
        helper.make_node("Reshape", ["h", "shape2d"], ["hs"]),
        helper.make_node("Loop", ["M", "true", "hs"], ["s_final", "trace"],
                         body=loop_body),
        helper.make_node("Loop", ["Mc", "", "s_final"], ["acc", "acc_trace"],
                         body=counted_body),
    ]
    graph = helper.make_graph(
        nodes, "vad",
        [vi("x", F, [T, 1, I]), vi("h0", F, [1, 1, H]), vi("c0", F, [1, 1, H]),
         vi("mode", TensorProto.BOOL, []), vi("k", TensorProto.INT64, [])],
        [vi("h", F, [1, 1, H]), vi("s_final", F, [1, H]),
         vi("trace", F, ["n", 1, H]), vi("acc", F, [1, H]),
         vi("acc_trace", F, [M_COUNTED, 1, H])],
        [numpy_helper.from_array(v, k) for k, v in inits.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model, inits


def vad_reference(p, x, h0, c0, mode, k):
    p = {n: v.astype(np.float64) if v.dtype == np.float32 else v
         for n, v in p.items()}
    x, h0, c0 = (a.astype(np.float64) for a in (x, h0, c0))
    if x.mean() > 0:
        y = lstm_last(x, p["Wa"], p["Ra"], p["Ba"], h0, c0)
        h = y * p["gain"] if mode else np.tanh(y)
    else:
        y = lstm_last(x, p["Wb"], p["Rb"], p["Bb"], h0, c0)
        h = y + p["gain"] if mode else sigmoid(y)
    hs = h.reshape(1, H)
    s, trace = hs, []
    for i in range(M_LOOP):
        s = np.tanh(s @ p["Wl"] + hs)
        trace.append(s)
        if not i < k:
            break
    acc, acc_trace = s, []
    for j in range(M_COUNTED):
        acc = acc * 0.5 + s * j
        acc_trace.append(acc)
    return {"h": h, "s_final": s, "trace": np.stack(trace), "acc": acc,
            "acc_trace": np.stack(acc_trace)}


def compile_model(model, tmp, name):
    mp = os.path.join(tmp, name + ".onnx")
    onnx.save(model, mp)
    lib = os.path.join(tmp, "lib" + name + ".so")
    c = subprocess.run([SEQC, mp, "-o", lib], capture_output=True, text=True)
    if c.returncode:
        return None, "compile-error " + c.stderr.strip().splitlines()[-1]
    return lib, None


def run_and_compare(lib, tmp, inputs, want):
    out = tempfile.mkdtemp(dir=tmp)
    args = [SEQC_RUN, lib, "--output-dir", out]
    for n, v in inputs.items():
        f = os.path.join(out, "in_" + n + ".npy")
        np.save(f, v)
        args += ["--input", f"{n}={f}"]
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode:
        return "run-error " + (r.stderr.strip().splitlines() or ["?"])[-1]
    for o, w in want.items():
        got = np.load(os.path.join(out, o + ".npy"))
        if got.shape != w.shape:
            return f"wrong {o} shape {got.shape} != {w.shape}"
        err = np.abs(got - w).max() if w.size else 0.0
        if err > 1e-4 + 1e-4 * np.abs(w).max(initial=0):
            return f"wrong {o} max|diff| {err:.3g}"
    return "pass"


def vad_cases(tmp):
    rng = np.random.default_rng(7)
    model, params = vad_model(rng)
    lib, err = compile_model(model, tmp, "vad")
    results = []
    base = rng.standard_normal((T, 1, I)).astype(np.float32)
    h0 = rng.standard_normal((1, 1, H)).astype(np.float32) * 0.5
    c0 = rng.standard_normal((1, 1, H)).astype(np.float32) * 0.5
    for speech in (True, False):
        x = base - base.mean() + (0.3 if speech else -0.3)
        for mode in (True, False):
            for k in (1, 10):
                name = (f"vad_{'speech' if speech else 'silence'}_"
                        f"{'mode' if mode else 'nomode'}_k{k}")
                if err:
                    results.append((name, err))
                    continue
                inputs = {"x": x.astype(np.float32), "h0": h0, "c0": c0,
                          "mode": np.array(mode), "k": np.array(k, np.int64)}
                want = vad_reference(params, x, h0, c0, mode, k)
                results.append((name, run_and_compare(lib, tmp, inputs, want)))
    return results


def scan_model(dynamic):
    F = TensorProto.FLOAT
    # state s (2,); u scanned on axis 1 of (2, L) backwards, v on axis 0 of
    # (L, 2) forwards; s' = s * 0.5 + u_t * v_t; outputs: s' stacked on axis
    # 1 (2, L) written backwards, and s' + v_t stacked on axis 0 (L, 2).
    body = helper.make_graph(
        [helper.make_node("Mul", ["u_t", "v_t"], ["uv"]),
         helper.make_node("Mul", ["s_in", "half"], ["sh"]),
         helper.make_node("Add", ["sh", "uv"], ["s_out"]),
         helper.make_node("Identity", ["s_out"], ["y1"]),
         helper.make_node("Add", ["s_out", "v_t"], ["y2"])],
        "step",
        [vi("s_in", F, [2]), vi("u_t", F, [2]), vi("v_t", F, [2])],
        [vi("s_out", F, [2]), vi("y1", F, [2]), vi("y2", F, [2])])
    node = helper.make_node(
        "Scan", ["s0", "u", "v"], ["s_last", "y1s", "y2s"], body=body,
        num_scan_inputs=2, scan_input_axes=[1, 0], scan_input_directions=[1, 0],
        scan_output_axes=[1, 0], scan_output_directions=[1, 0])
    L = "L" if dynamic else 6
    two = "two" if dynamic else 2
    graph = helper.make_graph(
        [node], "scan_axes",
        [vi("s0", F, [two]), vi("u", F, [two, L]), vi("v", F, [L, two])],
        [vi("s_last", F, [two]), vi("y1s", F, [two, L]), vi("y2s", F, [L, two])],
        [numpy_helper.from_array(np.array(0.5, np.float32), "half")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def scan_reference(s0, u, v):
    s = s0.astype(np.float64)
    L = v.shape[0]
    y1 = np.zeros((2, L))
    y2 = np.zeros((L, 2))
    for t in range(L):
        s = s * 0.5 + u[:, L - 1 - t] * v[t]
        y1[:, L - 1 - t] = s
        y2[t] = s + v[t]
    return {"s_last": s, "y1s": y1, "y2s": y2}


def scan_cases(tmp):
    rng = np.random.default_rng(3)
    results = []
    for dynamic in (False, True):
        name = "scan_dyn" if dynamic else "scan_axes"
        lib, err = compile_model(scan_model(dynamic), tmp, name)
        if err:
            results.append((name, err))
            continue
        L = 6
        inputs = {"s0": rng.standard_normal(2).astype(np.float32),
                  "u": rng.standard_normal((2, L)).astype(np.float32),
                  "v": rng.standard_normal((L, 2)).astype(np.float32)}
        results.append((name, run_and_compare(
            lib, tmp, inputs, scan_reference(**inputs))))
    return results


def scan8_model():
    """Scan-8 (opset 8): batch axis 0, scan axis 1, sequence_lens; x scanned
    forwards and backwards (directions [0, 1]); s' = s * 0.5 + xf + 2 xr."""
    F = TensorProto.FLOAT
    body = helper.make_graph(
        [helper.make_node("Mul", ["s_in", "half"], ["sh"]),
         helper.make_node("Add", ["sh", "xf"], ["a"]),
         helper.make_node("Add", ["xr", "xr"], ["xr2"]),
         helper.make_node("Add", ["a", "xr2"], ["s_out"]),
         helper.make_node("Identity", ["s_out"], ["y"])],
        "step", [vi("s_in", F, [2]), vi("xf", F, [2]), vi("xr", F, [2])],
        [vi("s_out", F, [2]), vi("y", F, [2])])
    node = helper.make_node("Scan", ["lens", "s0", "x", "x"], ["s_last", "ys"],
                            body=body, num_scan_inputs=2, directions=[0, 1])
    graph = helper.make_graph(
        [node], "scan8",
        [vi("lens", TensorProto.INT64, [3]), vi("s0", F, [3, 2]),
         vi("x", F, [3, 5, 2])],
        [vi("s_last", F, [3, 2]), vi("ys", F, [3, 5, 2])],
        [numpy_helper.from_array(np.array(0.5, np.float32), "half")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 8)])
    model.ir_version = 4
    onnx.checker.check_model(model)
    return model


def scan8_reference(lens, s0, x):
    """Per batch element b: lens[b] steps, the backward input read from
    step lens[b]-1 down; outputs past lens[b] are zero (the padding
    onnxruntime writes; the spec says only that they are padded)."""
    s_last = np.zeros(s0.shape)
    ys = np.zeros(x.shape)
    for b in range(x.shape[0]):
        s = s0[b].astype(np.float64)
        n = lens[b]
        for t in range(n):
            s = s * 0.5 + x[b, t] + 2 * x[b, n - 1 - t]
            ys[b, t] = s
        s_last[b] = s
    return {"s_last": s_last, "ys": ys}


def scan8_cases(tmp):
    rng = np.random.default_rng(5)
    lib, err = compile_model(scan8_model(), tmp, "scan8")
    if err:
        return [("scan8_sequence_lens", err)]
    inputs = {"lens": np.array([5, 2, 1], np.int64),
              "s0": rng.standard_normal((3, 2)).astype(np.float32),
              "x": rng.standard_normal((3, 5, 2)).astype(np.float32)}
    return [("scan8_sequence_lens", run_and_compare(
        lib, tmp, inputs, scan8_reference(**inputs)))]


def loop_cond_model():
    """Loop(M, cond, y): the body passes cond on, y' = 2 y + i, stacks y'."""
    F = TensorProto.FLOAT
    body = helper.make_graph(
        [helper.make_node("Identity", ["c_in"], ["c_out"]),
         helper.make_node("Cast", ["i"], ["fi"], to=F),
         helper.make_node("Add", ["y_in", "y_in"], ["y2"]),
         helper.make_node("Add", ["y2", "fi"], ["y_out"]),
         helper.make_node("Identity", ["y_out"], ["y_scan"])],
        "body", [vi("i", TensorProto.INT64, []), vi("c_in", TensorProto.BOOL, []),
                 vi("y_in", F, [3])],
        [vi("c_out", TensorProto.BOOL, []), vi("y_out", F, [3]),
         vi("y_scan", F, [3])])
    graph = helper.make_graph(
        [helper.make_node("Loop", ["M", "cond", "y"], ["y_last", "ys"],
                          body=body)],
        "loop_cond",
        [vi("M", TensorProto.INT64, []), vi("cond", TensorProto.BOOL, []),
         vi("y", F, [3])],
        [vi("y_last", F, [3]), vi("ys", F, ["n", 3])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def loop_cond_cases(tmp):
    lib, err = compile_model(loop_cond_model(), tmp, "loop_cond")
    results = []
    y = np.array([0.5, -1.0, 2.0], np.float32)
    for cond in (True, False):
        name = f"loop_cond_{str(cond).lower()}"
        if err:
            results.append((name, err))
            continue
        yy, ys = y.astype(np.float64), []
        for i in range(4 if cond else 0):
            yy = 2 * yy + i
            ys.append(yy)
        want = {"y_last": yy, "ys": np.array(ys).reshape(len(ys), 3)}
        inputs = {"M": np.array(4, np.int64), "cond": np.array(cond), "y": y}
        results.append((name, run_and_compare(lib, tmp, inputs, want)))
    return results


def main():
    with tempfile.TemporaryDirectory() as tmp:
        results = (vad_cases(tmp) + loop_cond_cases(tmp) + scan_cases(tmp) +
                   scan8_cases(tmp))
    failed = 0
    for name, r in results:
        print(f"{name:40s} {r}")
        failed += r != "pass"
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
