"""seqc.torch.compile_module on PyTorch modules (torch 1.13's exporter):
causal multi-head attention (written out), nn.MultiheadAttention with a
causal boolean attn_mask (its export computes the packed q/k/v slice bounds
from Shape), a depthwise Conv1d, a GRU and an LSTM run and match torch
(|diff| <= 1e-4 max(1, max|want|) + 1e-4 |want|)."""

import math
import warnings

import numpy as np
import onnx
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

import seqc
import seqc.torch
from conftest import assert_close

# The exporter warns about constant folding and shape inference.
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


class CausalSelfAttention(nn.Module):
    """Multi-head attention with a causal mask (masked_fill with -inf)."""

    def __init__(self, width=16, heads=4):
        super().__init__()
        self.heads = heads
        self.q, self.k, self.v = (nn.Linear(width, width) for _ in range(3))
        self.out = nn.Linear(width, width)

    def forward(self, x):
        b, length, d = x.shape
        q, k, v = (f(x).reshape(b, length, self.heads, d // self.heads)
                   .transpose(1, 2) for f in (self.q, self.k, self.v))
        scores = q @ k.transpose(-2, -1) / math.sqrt(d // self.heads)
        mask = torch.triu(torch.ones(length, length), diagonal=1).bool()
        att = scores.masked_fill(mask, float("-inf")).softmax(-1)
        return self.out((att @ v).transpose(1, 2).reshape(b, length, d))


class TorchMultiheadAttention(nn.Module):
    """nn.MultiheadAttention with a causal attn_mask."""

    def __init__(self, width=16, heads=4):
        super().__init__()
        self.attn = nn.MultiheadAttention(width, heads, batch_first=True)

    def forward(self, x):
        length = x.shape[1]
        mask = torch.triu(torch.ones(length, length), diagonal=1).bool()
        return self.attn(x, x, x, attn_mask=mask, need_weights=False)[0]


class DepthwiseConv(nn.Module):
    def __init__(self, channels=8, k=5):
        super().__init__()
        self.conv = nn.Conv1d(channels, channels, k, groups=channels)
        self.k = k

    def forward(self, x):
        return self.conv(F.pad(x, (self.k - 1, 0)))


class Recurrent(nn.Module):
    def __init__(self, cell):
        super().__init__()
        self.rnn = cell(8, 12, batch_first=True)

    def forward(self, x):
        return self.rnn(x)[0]


def compile_quietly(*args, **kwargs):
    with warnings.catch_warnings():  # the exporter's UserWarnings
        warnings.simplefilter("ignore")
        return seqc.torch.compile_module(*args, **kwargs)


def check_against_torch(module, compiled, shapes):
    for i, shape in enumerate(shapes):
        torch.manual_seed(i)
        x = torch.randn(*shape)
        with torch.no_grad():
            want = module(x).double().numpy()
        assert_close(compiled(x.numpy()), want, atol=1e-4, rtol=1e-4)
        assert_close(compiled(x), want, atol=1e-4, rtol=1e-4)  # a tensor


def test_causal_multihead_attention():
    torch.manual_seed(0)
    module = CausalSelfAttention().eval()
    compiled = compile_quietly(module, (torch.randn(1, 10, 16),),
                               dynamic_axes={"x": {1: "L"}, "y": {1: "L"}})
    assert compiled.input_names == ["x"] and compiled.output_names == ["y"]
    assert compiled.signature["inputs"][0]["shape"] == [1, "L", 16]
    check_against_torch(module, compiled, [(1, 10, 16), (1, 37, 16)])


def test_depthwise_conv1d():
    torch.manual_seed(0)
    module = DepthwiseConv().eval()
    compiled = compile_quietly(module, torch.randn(2, 8, 20),
                               dynamic_axes={"x": {2: "L"}, "y": {2: "L"}},
                               opt_level=2)
    check_against_torch(module, compiled, [(2, 8, 20), (2, 8, 65)])


def test_torch_multihead_attention():
    torch.manual_seed(0)
    module = TorchMultiheadAttention().eval()
    compiled = compile_quietly(module, (torch.randn(1, 10, 16),),
                               dynamic_axes={"x": {1: "L"}, "y": {1: "L"}})
    check_against_torch(module, compiled, [(1, 10, 16), (1, 23, 16)])


@pytest.mark.parametrize("cell", [nn.GRU, nn.LSTM])
def test_recurrent_cells(cell):
    torch.manual_seed(0)
    module = Recurrent(cell).eval()
    compiled = compile_quietly(module, torch.randn(1, 6, 8),
                               dynamic_axes={"x": {1: "L"}})
    check_against_torch(module, compiled, [(1, 6, 8), (1, 19, 8)])


def test_export():
    module = DepthwiseConv().eval()
    data = seqc.torch.export(module, torch.randn(1, 8, 12),
                             input_names=["signal"], output_names=["out"])
    model = onnx.load_from_string(data)
    assert [i.name for i in model.graph.input] == ["signal"]
    assert [o.name for o in model.graph.output] == ["out"]
    assert module.training is False


def test_multiple_inputs_and_outputs():
    class Two(nn.Module):
        def forward(self, a, b):
            return a + b, a * b

    compiled = compile_quietly(Two(), (torch.ones(3, 4), torch.ones(3, 4)))
    assert compiled.input_names == ["a", "b"]
    assert compiled.output_names == ["y0", "y1"]
    a, b = np.full((3, 4), 2, np.float32), np.full((3, 4), 3, np.float32)
    s, p = compiled(a, b)
    assert_close(s, a + b)
    assert_close(p, a * b)


def test_export_failure_is_a_compile_error():
    class Spectrum(nn.Module):
        def forward(self, x):
            return torch.fft.rfft(x).abs()

    with pytest.raises(seqc.CompileError,
                       match="Spectrum: error: torch.onnx.export failed"):
        compile_quietly(Spectrum(), torch.randn(4, 16))
