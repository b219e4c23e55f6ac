"""seqc: an ahead-of-time compiler for long-sequence models, from Python.

    import seqc
    module = seqc.import_onnx("model.onnx")    # path, bytes or ModelProto
    print(module)                              # the MLIR (onnx dialect)
    model = seqc.compile(module, opt_level=3)  # a CompiledModel (.so)
    y = model(x)                               # numpy in, numpy out
    print(model.signature, model.impl_report(), model.benchmark(10))
    same = seqc.load("libmodel.so")            # a library built by `seqc`

Errors: ``seqc.CompileError`` (with the compiler's diagnostics, naming ONNX
nodes) and ``seqc.InputError`` (naming the input, expected and actual dtype,
rank or dim). ``seqc.models`` builds ONNX models of long-sequence layers with
numpy references; ``seqc.torch`` compiles ``torch.nn.Module``s.
"""

import importlib

from .compiler import Module, compile, import_mlir, import_onnx
from .errors import CompileError, Error, InputError, LoadError
from .runtime import (Benchmark, CompiledModel, MixerChoice, TensorSpec,
                      load)

__all__ = [
    "Benchmark", "CompileError", "CompiledModel", "Error", "InputError",
    "LoadError", "MixerChoice", "Module", "TensorSpec", "compile",
    "import_mlir", "import_onnx", "load",
]


def __getattr__(name):
    # seqc.models needs onnx and seqc.torch needs torch: loaded on first use.
    if name in ("models", "torch"):
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'seqc' has no attribute '{name}'")
