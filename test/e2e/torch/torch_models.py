#!/usr/bin/env python3
"""PyTorch models of the end-to-end tests, exported with torch.onnx.export.

  torch_models.py export NAME OPSET OUT.onnx   write the model
  torch_models.py check NAME OUT_DIR L LIB     run torch and the compiled
        library (through seqc-run) at length L and compare, |diff| <= 1e-4

Models (a fixed seed makes the weights reproducible):
  transformer  pre-LN encoder block: multi-head causal attention whose mask
               is built with triu/masked_fill (ONNX Trilu/Where), LayerNorm,
               GELU (erf) MLP; input (1, L, 32), L dynamic
  convblock    depthwise Conv1d (k=7, causal padding) + pointwise Conv1d +
               GELU; input (1, 16, L), L dynamic
  mha          torch.nn.MultiheadAttention, batch_first, causal float
               attn_mask built from L; input (2, L, 32), L dynamic;
               rtol 1e-4 (atol 1e-6)
  mha_seqfirst the same without mask, sequence first (need_weights=True);
               input (L, 2, 32), L dynamic
  mha_cross    cross-attention (kdim 16, vdim 24): queries (2, L, 32), keys
               and values (2, L + 3, *) of a second dynamic length S
  mha_padmask  self-attention with a boolean key_padding_mask input (2, L)
"""

import math
import os
import subprocess
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class Transformer(nn.Module):
    def __init__(self, d=32, heads=4):
        super().__init__()
        self.h = heads
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.fc1, self.fc2 = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)

    def forward(self, x):
        b, l, d = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(d, dim=-1)
        q, k, v = (t.reshape(b, l, self.h, d // self.h).transpose(1, 2) for t in (q, k, v))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(d // self.h)
        mask = torch.triu(torch.ones(l, l), diagonal=1).bool()
        att = att.masked_fill(mask, float("-inf")).softmax(-1)
        o = (att @ v).transpose(1, 2).reshape(b, l, d)
        x = x + self.proj(o)
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x))))


class ConvBlock(nn.Module):
    def __init__(self, c=16, k=7):
        super().__init__()
        self.dw = nn.Conv1d(c, c, k, groups=c, padding=0)
        self.pw = nn.Conv1d(c, 2 * c, 1)
        self.k = k

    def forward(self, x):
        x = F.pad(x, (self.k - 1, 0))
        return F.gelu(self.pw(self.dw(x)))


class MHA(nn.Module):
    """torch.nn.MultiheadAttention self-attention. batch_first: (B, L, E)
    with a causal float mask built from L; otherwise (L, B, E), no mask,
    and the averaged attention weights as a second, unused result."""

    def __init__(self, batch_first=True, d=32, heads=4):
        super().__init__()
        self.batch_first = batch_first
        self.attn = nn.MultiheadAttention(d, heads, batch_first=batch_first)

    def forward(self, x):
        if not self.batch_first:
            return self.attn(x, x, x)[0]
        l = x.shape[1]
        mask = torch.triu(torch.full((l, l), float("-inf")), diagonal=1)
        return self.attn(x, x, x, attn_mask=mask, need_weights=False)[0]


class MHACross(nn.Module):
    """nn.MultiheadAttention cross-attention: queries (B, L, 32) over a
    memory of another length S with kdim 16 and vdim 24."""

    def __init__(self):
        super().__init__()
        self.attn = nn.MultiheadAttention(32, 4, batch_first=True, kdim=16, vdim=24)

    def forward(self, q, k, v):
        return self.attn(q, k, v, need_weights=False)[0]


class MHAPadMask(nn.Module):
    """nn.MultiheadAttention self-attention with a boolean key_padding_mask
    (B, L) input."""

    def __init__(self):
        super().__init__()
        self.attn = nn.MultiheadAttention(32, 4, batch_first=True)

    def forward(self, x, pad):
        return self.attn(x, x, x, key_padding_mask=pad, need_weights=False)[0]


def padding_mask(l):
    pad = torch.rand(2, l) < 0.3
    pad[:, 0] = False  # no query row without keys (torch gives NaN there)
    return pad


MODELS = {"transformer": (Transformer, lambda l: torch.randn(1, l, 32), {1: "L"}),
          "convblock": (ConvBlock, lambda l: torch.randn(1, 16, l), {2: "L"}),
          "mha": (MHA, lambda l: torch.randn(2, l, 32), {1: "L"}),
          "mha_seqfirst": (lambda: MHA(batch_first=False),
                           lambda l: torch.randn(l, 2, 32), {0: "L"}),
          # Several inputs: a tuple of tensors and one axes dict per input.
          "mha_cross": (MHACross, lambda l: (torch.randn(2, l, 32),
                                             torch.randn(2, l + 3, 16),
                                             torch.randn(2, l + 3, 24)),
                        [{1: "L"}, {1: "S"}, {1: "S"}]),
          "mha_padmask": (MHAPadMask, lambda l: (torch.randn(2, l, 32),
                                                 padding_mask(l)),
                          [{1: "L"}, {1: "L"}])}
# Elementwise tolerance (rtol, atol) where a test asks for one; else the max
# abs error must be <= 1e-4.
RTOL = {name: (1e-4, 1e-6) for name in
        ["mha", "mha_seqfirst", "mha_cross", "mha_padmask"]}


def build(name):
    torch.manual_seed(0)
    cls, make_input, axes = MODELS[name]
    return cls().eval(), make_input, axes


def main():
    cmd, name = sys.argv[1], sys.argv[2]
    model, make_input, axes = build(name)
    several = isinstance(axes, list)
    names = ["x%d" % i for i in range(len(axes))] if several else ["x"]
    in_axes = axes if several else [axes]
    if cmd == "export":
        opset, out = int(sys.argv[3]), sys.argv[4]
        x = make_input(16)
        dyn = dict(zip(names, in_axes))
        dyn["y"] = in_axes[0]
        torch.onnx.export(model, tuple(x) if several else (x,), out,
                          opset_version=opset, input_names=names,
                          output_names=["y"], dynamic_axes=dyn)
        return 0
    out_dir, length, lib = sys.argv[3], int(sys.argv[4]), sys.argv[5]
    torch.manual_seed(length)
    x = make_input(length)
    xs = tuple(x) if several else (x,)
    with torch.no_grad():
        want = model(*xs).numpy()
    os.makedirs(out_dir, exist_ok=True)
    cmd = ["seqc-run", lib, "--output-dir", out_dir]
    for n, t in zip(names, xs):
        np.save(os.path.join(out_dir, n + ".npy"), t.numpy())
        cmd += ["--input", "%s=%s" % (n, os.path.join(out_dir, n + ".npy"))]
    subprocess.run(cmd, check=True)
    got = np.load(os.path.join(out_dir, "y.npy"))
    err = float(np.max(np.abs(got - want))) if got.shape == want.shape else float("inf")
    ok = err <= 1e-4
    if name in RTOL and got.shape == want.shape:
        rtol, atol = RTOL[name]
        ok = bool(np.allclose(got, want, rtol=rtol, atol=atol))
    print("%s L=%d: shape %s, max abs diff %.3g %s" % (
        name, length, got.shape, err, "ok" if ok else "TOO LARGE"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
