#!/usr/bin/env python3
"""Mask semantics: #seq.mask attributes against the papers' definitions.

Draws random mask forms with random parameters and sequence lengths (fewer,
equal or more queries than keys), writes each as a seq.attention, asks
`seqc-opt --test-seq-mask-matrix` for the boolean matrix the attribute denotes
(MaskAttr::contains), and compares it with the matrix built directly from the
paper's definition in masks.py. Exits 1 on any mismatch.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import masks as M  # noqa: E402


def draw(rng, lq, lk, depth=0):
    """Returns (attribute body, expected matrix, description)."""
    kind = rng.integers(0, 11 if depth == 0 else 10)
    if kind == 0:
        return "causal", M.causal(lq, lk), "causal"
    if kind == 1:
        l, r = (int(x) for x in rng.integers(-1, 7, 2))
        return "window<%d, %d>" % (l, r), M.fa2_window(lq, lk, l, r), "FA2 window"
    if kind == 2:
        w = int(rng.integers(0, 10))
        return ("window<%d, %d>" % (w // 2, w // 2), M.longformer_window(lq, lk, w),
                "Longformer window w=%d" % w)
    if kind == 3:
        w, d = int(rng.integers(0, 9)), int(rng.integers(1, 5))
        return ("dilated<%d, %d>" % (w, d), M.longformer_dilated(lq, lk, w, d),
                "Longformer dilated w=%d d=%d" % (w, d))
    if kind == 4:
        g = sorted(set(int(x) for x in rng.integers(0, lk + 2, rng.integers(1, 4))))
        return ("global<[%s]>" % ", ".join(map(str, g)), M.longformer_global(lq, lk, g),
                "Longformer global %s" % g)
    if kind == 5:
        w = int(rng.integers(0, 8))
        g = sorted(set(int(x) for x in rng.integers(0, lk, rng.integers(1, 3))))
        return ("window<%d, %d> or global<[%s]>" % (w // 2, w // 2, ", ".join(map(str, g))),
                M.longformer_window(lq, lk, w) | M.longformer_global(lq, lk, g),
                "Longformer window+global")
    if kind == 6:
        n = int(rng.integers(0, 6))
        return "sinks<%d>" % n, M.streaming_sinks(lq, lk, n), "sinks"
    if kind == 7:
        start, recent = int(rng.integers(1, 5)), int(rng.integers(1, 6))
        return ("causal and (sinks<%d> or window<%d, 0>)" % (start, recent - 1),
                M.streaming_llm(lq, lk, start, recent), "StreamingLLM")
    if kind == 8:
        nl, ng = int(rng.integers(1, 8)), int(rng.integers(0, 4))
        return ("causal and (window<%d, -1> or sinks<%d>)" % (nl - 1, ng),
                M.lm_infinite(lq, lk, nl, ng), "LM-Infinite")
    if kind == 9:
        b = int(rng.integers(1, 5))
        nb = -(-lk // b)
        lay = M.bigbird_layout(nb, int(rng.integers(0, 3)), rng)
        return ("blocks<%d, %s>" % (b, M.layout_attr(lay)),
                M.bigbird_tokens(lq, lk, b, lay), "BigBird b=%d" % b)
    a_attr, a_m, a_d = draw(rng, lq, lk, depth + 1)
    b_attr, b_m, b_d = draw(rng, lq, lk, depth + 1)
    if rng.integers(0, 2):
        return ("(%s) and (%s)" % (a_attr, b_attr), a_m & b_m, "(%s) and (%s)" % (a_d, b_d))
    return ("(%s) or (%s)" % (a_attr, b_attr), a_m | b_m, "(%s) or (%s)" % (a_d, b_d))


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--trials", type=int, default=300)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--seqc-opt", default=shutil.which("seqc-opt"))
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    funcs, expected = [], []
    for t in range(args.trials):
        lk = int(rng.integers(1, 20))
        lq = int(rng.integers(1, 20)) if rng.integers(0, 3) == 0 else int(rng.integers(1, lk + 1))
        attr, m, desc = draw(rng, lq, lk)
        expected.append((m, desc, attr))
        funcs.append(
            "func.func @t%d(%%q: tensor<1x1x%dx4xf32>, %%k: tensor<1x1x%dx4xf32>) {\n"
            "  %%o = seq.attention %%q, %%k, %%k {mask = #seq.mask<%s>, scale = 1.0 : f32}"
            " : (tensor<1x1x%dx4xf32>, tensor<1x1x%dx4xf32>, tensor<1x1x%dx4xf32>)"
            " -> tensor<1x1x%dx4xf32>\n  return\n}\n" % (t, lq, lk, attr, lq, lk, lk, lq))
    with tempfile.NamedTemporaryFile("w", suffix=".mlir", delete=False) as f:
        f.write("".join(funcs))
        path = f.name
    try:
        res = subprocess.run([args.seqc_opt, path, "--test-seq-mask-matrix",
                              "-o", os.devnull], capture_output=True, text=True)
    finally:
        os.unlink(path)
    if res.returncode != 0:
        print("seqc-opt failed:\n" + res.stderr[:4000])
        return 1
    lines = res.stdout.splitlines()
    pos, failed = 0, 0
    for t, (m, desc, attr) in enumerate(expected):
        header = lines[pos].split()
        rows = int(header[2].split("x")[0])
        got = np.array([[c == "1" for c in lines[pos + 1 + r]] for r in range(rows)],
                       dtype=bool).reshape(m.shape)
        pos += 1 + rows
        if not np.array_equal(got, m):
            failed += 1
            print("FAIL trial %d: %s as #seq.mask<%s>, %dx%d\n got:\n%s\n want:\n%s" % (
                t, desc, attr, m.shape[0], m.shape[1], got.astype(int), m.astype(int)))
    print("%d passed, %d failed" % (len(expected) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
