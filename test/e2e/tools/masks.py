"""Attention masks built directly from the papers' definitions.

Each function returns the boolean matrix M[r, j] (query row r, key j) for Lq
queries and Lk keys, with query row r at position p = r + (Lk - Lq)
(bottom-right alignment, as FlashAttention and ONNX Attention). These are
written from the papers, independently of seqc's mask algebra, and are the
expected values of the mask-semantics test and of the attention numerics.
"""

import numpy as np


def positions(lq, lk):
    p = np.arange(lq)[:, None] + (lk - lq)
    j = np.arange(lk)[None, :]
    return p, j


def full(lq, lk):
    return np.ones((lq, lk), dtype=bool)


def causal(lq, lk):
    """Autoregressive: a query sees itself and the past."""
    p, j = positions(lq, lk)
    return j <= p


def fa2_window(lq, lk, left, right):
    """FlashAttention-2 window_size=(left, right): keys in
    [p - left, p + right], -1 meaning unbounded on that side."""
    p, j = positions(lq, lk)
    lo = np.ones_like(j <= p) if left < 0 else (j >= p - left)
    hi = np.ones_like(j <= p) if right < 0 else (j <= p + right)
    return lo & hi


def longformer_window(lq, lk, w):
    """Longformer sliding window of size w: |i - j| <= w/2."""
    p, j = positions(lq, lk)
    return np.abs(p - j) <= w // 2


def longformer_dilated(lq, lk, w, d):
    """Longformer dilated window: j = i + k*d with |k| <= w/2."""
    p, j = positions(lq, lk)
    diff = j - p
    return (diff % d == 0) & (np.abs(diff) // d <= w // 2)


def longformer_global(lq, lk, tokens):
    """Longformer global attention (symmetric): i in G or j in G."""
    p, j = positions(lq, lk)
    return np.isin(p, list(tokens)) | np.isin(j, list(tokens))


def streaming_sinks(lq, lk, n):
    """StreamingLLM attention sinks: the first n keys."""
    _, j = positions(lq, lk)
    return np.broadcast_to(j < n, (lq, lk)).copy()


def lm_infinite(lq, lk, n_local, n_global):
    """LM-Infinite Lambda mask: j <= i and (i - j < n_local or j < n_global)."""
    p, j = positions(lq, lk)
    return (j <= p) & (((p - j) < n_local) | (j < n_global))


def streaming_llm(lq, lk, start, recent):
    """StreamingLLM cache: first `start` keys plus the last `recent` ones
    (the query itself included), causally."""
    p, j = positions(lq, lk)
    return (j <= p) & ((j < start) | (p - j < recent))


def bigbird_layout(nb, rand_blocks, rng):
    """BigBird block layout (nb x nb): 3 sliding blocks, first/last blocks
    global (rows and columns), and `rand_blocks` random blocks per row."""
    lay = np.zeros((nb, nb), dtype=bool)
    for i in range(nb):
        for j in range(nb):
            if abs(i - j) <= 1 or j in (0, nb - 1) or i in (0, nb - 1):
                lay[i, j] = True
        if 0 < i < nb - 1 and rand_blocks:
            for j in rng.choice(nb, size=min(rand_blocks, nb), replace=False):
                lay[i, j] = True
    return lay


def bigbird_tokens(lq, lk, block, layout):
    """The token-level BigBird pattern: query i attends key j iff their
    blocks are connected in `layout`; blocks outside the layout are masked."""
    p, j = positions(lq, lk)
    bq = np.floor_divide(np.broadcast_to(p, (lq, lk)), block)
    bk = np.floor_divide(np.broadcast_to(j, (lq, lk)), block)
    ok = (bq >= 0) & (bq < layout.shape[0]) & (bk >= 0) & (bk < layout.shape[1])
    out = np.zeros((lq, lk), dtype=bool)
    out[ok] = layout[bq[ok], bk[ok]]
    return out


def layout_attr(layout):
    rows = ", ".join("[" + ", ".join("true" if x else "false" for x in r) + "]"
                     for r in layout)
    return "dense<[%s]> : tensor<%dx%dxi1>" % (rows, layout.shape[0],
                                               layout.shape[1])
