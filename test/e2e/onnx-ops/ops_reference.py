#!/usr/bin/env python3
"""Numerical checks of ONNX operator lowerings against numpy in float64.

Each case builds a one-node ONNX model with onnx.helper, draws its inputs,
compiles it with `seqc model.onnx -o lib.so` (with --dynamic, every input dim
symbolic), runs it with `seqc-run --input ... --output-dir` and compares each
output with a numpy computation of the operator's ONNX definition written
here (float64 for floats):

    |got - want| <= atol + rtol * |want|     (integers: exactly)

The cases cover forms the ONNX backend node tests leave out (Det with
pivoting and singular matrices, RoiAlign max and adaptive sampling,
NonMaxSuppression on random boxes, Unique on integers and unsorted slices,
run-time reduction axes, MaxPool indices with pads and dilations, MaxUnpool,
LRN with an even size, indices out of range, ...). Prints `PASS name` or `FAIL name: why` per case
and `N passed, M failed`; exits 1 on any failure. `--perturb` changes every
reference a little: every case must then FAIL, which shows the comparison
can fail.
"""

import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper

F32, I64 = TensorProto.FLOAT, TensorProto.INT64
NP_TO_ONNX = {np.dtype(np.float32): F32, np.dtype(np.float64): TensorProto.DOUBLE,
              np.dtype(np.int64): I64, np.dtype(np.int32): TensorProto.INT32,
              np.dtype(np.bool_): TensorProto.BOOL}


class Case:
    def __init__(self, op, inputs, outputs, attrs=None, opset=17,
                 rtol=1e-4, atol=1e-5, f64=False):
        self.op = op
        self.inputs = inputs      # list of (name, array)
        self.outputs = outputs    # list of (name, reference array)
        self.attrs = attrs or {}
        self.opset = opset
        self.rtol, self.atol = rtol, atol
        self.f64 = f64            # float outputs are f64 (else f32)


def model_of(case, dynamic):
    ins = []
    for k, (name, a) in enumerate(case.inputs):
        shape = ["d%d_%d" % (k, j) for j in range(a.ndim)] if dynamic else list(a.shape)
        ins.append(helper.make_tensor_value_info(name, NP_TO_ONNX[a.dtype], shape))
    def elem(r):
        t = np.asarray(r).dtype
        if t == np.float64 and not case.f64:
            return F32
        return NP_TO_ONNX[t]

    outs = [helper.make_tensor_value_info(
        name, elem(r),
        ["o%d_%d" % (k, j) for j in range(np.ndim(r))] if dynamic
        else list(np.shape(r)))
        for k, (name, r) in enumerate(case.outputs)]
    node = helper.make_node(case.op, [n for n, _ in case.inputs],
                            [n for n, _ in case.outputs], **case.attrs)
    g = helper.make_graph([node], "g", ins, outs)
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", case.opset)])


def run_case(name, case, workdir, dynamic, perturb):
    d = os.path.join(workdir, name)
    os.makedirs(d, exist_ok=True)
    onnx.save(model_of(case, dynamic), os.path.join(d, "model.onnx"))
    lib = os.path.join(d, "lib.so")
    c = subprocess.run(["seqc", os.path.join(d, "model.onnx"), "-o", lib],
                       capture_output=True, text=True)
    if c.returncode != 0:
        return "compile: " + (c.stderr.strip().splitlines() or ["?"])[0]
    cmd = ["seqc-run", lib, "--output-dir", d]
    for n, a in case.inputs:
        np.save(os.path.join(d, n + ".npy"), a)
        cmd += ["--input", "%s=%s" % (n, os.path.join(d, n + ".npy"))]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        return "run: " + (r.stdout + r.stderr).strip()[-300:]
    for n, want in case.outputs:
        got = np.load(os.path.join(d, n + ".npy"))
        want = np.asarray(want)
        if perturb:
            want = want + 1 if want.size else np.zeros((1,) + want.shape[1:], want.dtype)
        if got.shape != want.shape:
            return "%s: shape %s, want %s" % (n, got.shape, want.shape)
        if np.issubdtype(want.dtype, np.floating):
            err = np.atleast_1d(np.abs(got.astype(np.float64) - want))
            err[np.atleast_1d(got == want)] = 0  # infinities
            bad = err > case.atol + case.rtol * np.atleast_1d(np.abs(want))
            if bad.any():
                return "%s: max abs err %g at %d elements" % (n, err.max(), bad.sum())
        elif not np.array_equal(got, want):
            return "%s: differs\n got %s\n want %s" % (n, got.tolist(), want.tolist())
    return None


# --------------------------------------------------------------------------
# References (the ONNX definitions, in numpy)
# --------------------------------------------------------------------------


def ref_roi_align(X, rois, bidx, oh, ow, ratio, scale, mode, half_pixel):
    R, (N, C, H, W) = rois.shape[0], X.shape
    Y = np.zeros((R, C, oh, ow))
    X = X.astype(np.float64)
    off = 0.5 if half_pixel else 0.0
    for r in range(R):
        x0, y0, x1, y1 = [float(v) * scale - off for v in rois[r]]
        rw, rh = x1 - x0, y1 - y0
        if not half_pixel:
            rw, rh = max(rw, 1.0), max(rh, 1.0)
        bh, bw = rh / oh, rw / ow
        gh = ratio if ratio > 0 else int(np.ceil(rh / oh))
        gw = ratio if ratio > 0 else int(np.ceil(rw / ow))
        for ph in range(oh):
            for pw in range(ow):
                acc = np.zeros(C) if mode == "avg" else np.full(C, -np.inf)
                for iy in range(gh):
                    y = y0 + ph * bh + (iy + 0.5) * bh / gh
                    for ix in range(gw):
                        x = x0 + pw * bw + (ix + 0.5) * bw / gw
                        if y < -1 or y > H or x < -1 or x > W:
                            vals = np.zeros((4, C))
                        else:
                            y, x = max(y, 0.0), max(x, 0.0)
                            yl, xl = int(y), int(x)
                            if yl >= H - 1:
                                yl = yh = H - 1
                                y = float(yl)
                            else:
                                yh = yl + 1
                            if xl >= W - 1:
                                xl = xh = W - 1
                                x = float(xl)
                            else:
                                xh = xl + 1
                            ly, lx = y - yl, x - xl
                            hy, hx = 1 - ly, 1 - lx
                            b = bidx[r]
                            vals = np.stack([hy * hx * X[b, :, yl, xl], hy * lx * X[b, :, yl, xh],
                                             ly * hx * X[b, :, yh, xl], ly * lx * X[b, :, yh, xh]])
                        if mode == "avg":
                            acc += vals.sum(0)
                        else:
                            acc = np.maximum(acc, vals.max(0))
                if mode == "avg":
                    Y[r, :, ph, pw] = acc / max(gh * gw, 1)
                else:
                    Y[r, :, ph, pw] = acc if gh * gw > 0 else 0
    return Y


def ref_nms(boxes, scores, max_out, iou_thr, score_thr, center):
    out = []

    def corners(b):
        if center:
            xc, yc, w, h = b
            return yc - h / 2, xc - w / 2, yc + h / 2, xc + w / 2
        return min(b[0], b[2]), min(b[1], b[3]), max(b[0], b[2]), max(b[1], b[3])

    def iou(p, q):
        p, q = corners(p), corners(q)
        ih = min(p[2], q[2]) - max(p[0], q[0])
        iw = min(p[3], q[3]) - max(p[1], q[1])
        if ih <= 0 or iw <= 0:
            return 0.0
        inter = ih * iw
        ap = (p[2] - p[0]) * (p[3] - p[1])
        aq = (q[2] - q[0]) * (q[3] - q[1])
        if ap <= 0 or aq <= 0:
            return 0.0
        return inter / (ap + aq - inter)

    B, C, N = scores.shape
    for b in range(B):
        for c in range(C):
            order = sorted((i for i in range(N) if scores[b, c, i] > score_thr),
                           key=lambda i: (-scores[b, c, i], i))
            kept = []
            for i in order:
                if len(kept) >= max_out:
                    break
                if all(iou(boxes[b, i], boxes[b, k]) <= iou_thr for k in kept):
                    kept.append(i)
            out += [[b, c, k] for k in kept]
    return np.array(out, dtype=np.int64).reshape(-1, 3)


def ref_unique(x, axis, sorted_):
    if axis is None:
        flat = x.reshape(-1)
        keys = [(v,) for v in flat]
        slices = list(flat)
    else:
        moved = np.moveaxis(x, axis, 0)
        keys = [tuple(s.reshape(-1).tolist()) for s in moved]
        slices = list(moved)
    first = {}
    for i, k in enumerate(keys):
        first.setdefault(k, i)
    uniq = sorted(first) if sorted_ else sorted(first, key=lambda k: first[k])
    pos = {k: j for j, k in enumerate(uniq)}
    idx = np.array([first[k] for k in uniq], dtype=np.int64)
    inv = np.array([pos[k] for k in keys], dtype=np.int64)
    cnt = np.array([sum(1 for kk in keys if kk == k) for k in uniq], dtype=np.int64)
    if axis is None:
        y = np.array([slices[i] for i in idx], dtype=x.dtype)
    else:
        y = np.moveaxis(np.stack([slices[i] for i in idx]), 0, axis)
    return y, idx, inv, cnt


def ref_maxpool(x, kernel, strides, pads, dil, storage_order):
    N, C, H, W = x.shape
    kh, kw = kernel
    oh = (H + pads[0] + pads[2] - ((kh - 1) * dil[0] + 1)) // strides[0] + 1
    ow = (W + pads[1] + pads[3] - ((kw - 1) * dil[1] + 1)) // strides[1] + 1
    y = np.full((N, C, oh, ow), -np.inf, dtype=np.float32)
    ind = np.zeros((N, C, oh, ow), dtype=np.int64)
    for n in range(N):
        for c in range(C):
            for i in range(oh):
                for j in range(ow):
                    for a in range(kh):
                        for b in range(kw):
                            h = i * strides[0] + a * dil[0] - pads[0]
                            w = j * strides[1] + b * dil[1] - pads[1]
                            if 0 <= h < H and 0 <= w < W and x[n, c, h, w] > y[n, c, i, j]:
                                y[n, c, i, j] = x[n, c, h, w]
                                ind[n, c, i, j] = (((n * C + c) * W + w) * H + h) if storage_order \
                                    else (((n * C + c) * H + h) * W + w)
    return y, ind


def ref_lrn(x, size, alpha, beta, bias):
    x = x.astype(np.float64)
    C = x.shape[1]
    sq = np.zeros_like(x)
    for c in range(C):
        lo, hi = max(0, c - (size - 1) // 2), min(C - 1, c + int(np.ceil((size - 1) / 2)))
        sq[:, c] = (x[:, lo:hi + 1] ** 2).sum(1)
    return x / (bias + alpha / size * sq) ** beta


def ref_det(a):
    return np.linalg.det(a.astype(np.float64))


def ref_mel(nb, dl, sr, lo, hi):
    # As the ONNX 1.12 reference: num_mel_bins + 2 points, step / (nb + 2).
    bins = np.arange(nb + 2, dtype=np.float64)
    mel = lambda f: 2595 * np.log10(1 + f / 700)  # noqa: E731
    step = (mel(hi) - mel(lo)) / (nb + 2)
    hz = 700 * (10 ** ((bins * step + mel(lo)) / 2595) - 1)
    f = np.floor((dl + 1) * hz / sr).astype(np.int64)
    out = np.zeros((dl // 2 + 1, nb))
    for i in range(nb):
        lo_, c, hi_ = f[i], f[i + 1], f[i + 2]
        if c == lo_:
            out[c, i] = 1
        else:
            for j in range(lo_, c + 1):
                out[j, i] = (j - lo_) / (c - lo_)
        if hi_ > c:
            for j in range(c, hi_):
                out[j, i] = (hi_ - j) / (hi_ - c)
    return out


# --------------------------------------------------------------------------
# Cases
# --------------------------------------------------------------------------


def cases(rng):
    f32 = lambda *s: rng.standard_normal(s).astype(np.float32)  # noqa: E731
    out = {}

    a = f32(6, 4, 4)
    a[1, 0, 0] = 0.0                       # needs a row swap
    a[2, 3] = a[2, 1] * 2.0                # singular
    a[3] = np.eye(4, dtype=np.float32)[[2, 0, 3, 1]]  # a permutation
    out["det_batched_pivoting_singular"] = Case(
        "Det", [("x", a)], [("y", ref_det(a))], rtol=1e-4, atol=1e-4)
    b = f32(2, 3, 5, 5)
    out["det_4d"] = Case("Det", [("x", b)], [("y", ref_det(b))], atol=1e-4)

    X = rng.random((2, 3, 9, 11)).astype(np.float32)
    rois = np.array([[0.5, 1.0, 7.2, 6.3], [2.0, 0.0, 10.0, 8.5],
                     [-2.0, -1.5, 3.0, 4.0], [4.0, 4.0, 4.5, 4.2]], dtype=np.float32)
    bidx = np.array([1, 0, 1, 0], dtype=np.int64)
    for mode, half, ratio in [("max", True, 0), ("avg", False, 0), ("max", False, 3)]:
        name = "roialign_%s_%s_ratio%d" % (mode, "half" if half else "output_half", ratio)
        out[name] = Case(
            "RoiAlign", [("X", X), ("rois", rois), ("batch_indices", bidx)],
            [("Y", ref_roi_align(X, rois, bidx, 3, 4, ratio, 0.8, mode, half))],
            attrs=dict(mode=mode, output_height=3, output_width=4, sampling_ratio=ratio,
                       spatial_scale=0.8,
                       coordinate_transformation_mode="half_pixel" if half else "output_half_pixel"))

    for center in (0, 1):
        B, C, N = 2, 3, 12
        xy = rng.random((B, N, 2)).astype(np.float32) * 10
        wh = rng.random((B, N, 2)).astype(np.float32) * 4 + 0.5
        if center:
            boxes = np.concatenate([xy, wh], -1)
        else:
            # (y1, x1, y2, x2) with some corners flipped
            boxes = np.concatenate([xy[..., ::-1], xy[..., ::-1] + wh[..., ::-1]], -1)
            boxes[:, ::3] = boxes[:, ::3][..., [2, 3, 0, 1]]
        boxes = boxes.astype(np.float32)
        scores = rng.random((B, C, N)).astype(np.float32)
        ins = [("boxes", boxes), ("scores", scores),
               ("max_output_boxes_per_class", np.array([4], np.int64)),
               ("iou_threshold", np.array([0.3], np.float32)),
               ("score_threshold", np.array([0.2], np.float32))]
        out["nms_random_center%d" % center] = Case(
            "NonMaxSuppression", ins,
            [("selected_indices", ref_nms(boxes, scores, 4, 0.3, 0.2, center))],
            attrs=dict(center_point_box=center))

    xi = rng.integers(0, 3, (4, 6)).astype(np.int64)
    xi[:, 4] = xi[:, 1]
    for axis, srt in [(None, 0), (1, 0), (1, 1), (0, 1)]:
        y, i, inv, c = ref_unique(xi, axis, srt)
        attrs = dict(sorted=srt)
        if axis is not None:
            attrs["axis"] = axis
        out["unique_int_axis%s_sorted%d" % (axis, srt)] = Case(
            "Unique", [("X", xi)], [("Y", y), ("indices", i), ("inverse_indices", inv),
                                    ("counts", c)], attrs=attrs)

    r = f32(3, 4, 5, 2)
    for axes, keep in [([0, 2], 1), ([-1], 0), ([1, 3], 0), ([], 0)]:
        want = r.astype(np.float64).sum(axis=tuple(axes) if axes else None, keepdims=bool(keep))
        out["reduce_sum_runtime_axes_%s_keep%d" % ("_".join(map(str, axes)) or "none", keep)] = Case(
            "ReduceSum", [("data", r), ("axes", np.array(axes, np.int64))],
            [("reduced", want)], attrs=dict(keepdims=keep), opset=13)

    p = f32(2, 3, 7, 8)
    for pads, strides, dil, so in [([1, 0, 1, 1], [2, 2], [1, 1], 0),
                                   ([0, 1, 1, 0], [1, 2], [2, 1], 1)]:
        y, ind = ref_maxpool(p, [3, 2], strides, pads, dil, so)
        out["maxpool_indices_p%s_s%s_d%s_so%d" % ("".join(map(str, pads)), "".join(map(str, strides)),
                                                  "".join(map(str, dil)), so)] = Case(
            "MaxPool", [("x", p)], [("y", y), ("ind", ind)],
            attrs=dict(kernel_shape=[3, 2], pads=pads, strides=strides, dilations=dil,
                       storage_order=so), opset=12)

    v = f32(2, 3, 3, 4)
    _, ind = ref_maxpool(rng.standard_normal((2, 3, 6, 8)).astype(np.float32), [2, 2], [2, 2],
                         [0, 0, 0, 0], [1, 1], 0)
    unp = np.zeros(2 * 3 * 6 * 8)
    unp[ind.reshape(-1)] = v.reshape(-1)
    out["maxunpool_from_maxpool"] = Case(
        "MaxUnpool", [("x", v), ("i", ind)], [("y", unp.reshape(2, 3, 6, 8))],
        attrs=dict(kernel_shape=[2, 2], strides=[2, 2]), opset=11)

    l = f32(2, 6, 3, 3)
    out["lrn_even_size"] = Case("LRN", [("x", l)], [("y", ref_lrn(l, 4, 3e-3, 0.6, 1.5))],
                                attrs=dict(size=4, alpha=3e-3, beta=0.6, bias=1.5))

    m = f32(2, 3, 4, 5)
    mu = m.astype(np.float64).mean(axis=(1, 3), keepdims=True)
    sd = m.astype(np.float64).std(axis=(1, 3), keepdims=True)
    out["mvn_axes_1_3"] = Case("MeanVarianceNormalization", [("x", m)],
                               [("y", (m - mu) / (sd + 1e-9))], attrs=dict(axes=[1, 3]),
                               rtol=1e-3, atol=1e-4)

    nz = f32(3, 1, 4)
    nz[nz < 0.3] = 0
    out["nonzero_float_3d"] = Case("NonZero", [("x", nz)],
                                   [("y", np.array(np.nonzero(nz), dtype=np.int64))])

    rs = f32(3, 5, 2)
    lens = np.array([5, 1, 3], np.int64)
    want = rs.copy()
    for bi, n in enumerate(lens):
        want[bi, :n] = rs[bi, :n][::-1]
    out["reversesequence_batch0_time1"] = Case(
        "ReverseSequence", [("x", rs), ("sequence_lens", lens)], [("y", want)],
        attrs=dict(batch_axis=0, time_axis=1))

    for op, coeffs in [("HannWindow", [0.5, -0.5]), ("HammingWindow", [25 / 46, -21 / 46]),
                       ("BlackmanWindow", [0.42, -0.5, 0.08])]:
        n = 7
        k = np.arange(n)
        want = sum(c * np.cos(2 * np.pi * i * k / n) for i, c in enumerate(coeffs))
        out["%s_double_periodic" % op.lower()] = Case(
            op, [("size", np.array(n, np.int64))], [("y", want)],
            attrs=dict(output_datatype=TensorProto.DOUBLE), rtol=1e-9, atol=1e-12,
            f64=True)

    # Indices out of range (an invalid model) are clamped into the dim: the
    # documented behaviour that keeps every access in bounds.
    gd = f32(5, 3)
    gi = np.array([[0, 7], [-9, 100000]], np.int64)
    clamp = lambda i, n: min(max(i + n if i < 0 else i, 0), n - 1)  # noqa: E731
    out["gather_out_of_range_clamped"] = Case(
        "Gather", [("data", gd), ("indices", gi)],
        [("y", gd[np.vectorize(lambda i: clamp(i, 5))(gi)])], attrs=dict(axis=0))
    sd = f32(4, 3)
    si = np.array([[1], [1000000], [-100]], np.int64)
    su = f32(3, 3)
    want = sd.astype(np.float64).copy()
    for r, u in zip(si[:, 0], su):
        want[clamp(int(r), 4)] = u
    out["scatternd_out_of_range_clamped"] = Case(
        "ScatterND", [("data", sd), ("indices", si), ("updates", su)], [("y", want)])

    out["melweightmatrix_16k"] = Case(
        "MelWeightMatrix",
        [("num_mel_bins", np.array(10, np.int64)), ("dft_length", np.array(64, np.int64)),
         ("sample_rate", np.array(16000, np.int64)),
         ("lower_edge_hertz", np.array(100.0, np.float32)),
         ("upper_edge_hertz", np.array(7000.0, np.float32))],
        [("output", ref_mel(10, 64, 16000, 100.0, 7000.0))])
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dynamic", action="store_true")
    ap.add_argument("--perturb", action="store_true")
    ap.add_argument("--filter", default="")
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    rng = np.random.default_rng(7)
    work = args.out or tempfile.mkdtemp(prefix="seqc-ops-")
    os.makedirs(work, exist_ok=True)
    passed = failed = 0
    for name, case in cases(rng).items():
        if args.filter not in name:
            continue
        why = run_case(name, case, work, args.dynamic, args.perturb)
        if why:
            print("FAIL %s: %s" % (name, why))
            failed += 1
        else:
            print("PASS %s" % name)
            passed += 1
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
