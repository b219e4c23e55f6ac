"""Compiling PyTorch modules: export with ``torch.onnx.export``, then
``seqc.compile``.

    import seqc.torch
    model = seqc.torch.compile_module(block, (torch.randn(1, 64, 32),),
                                      dynamic_axes={"x": {1: "L"}})
    y = model(x.numpy())

Operators seqc cannot lower yet (today: recurrent ops such as ONNX GRU and
LSTM) raise ``seqc.CompileError`` naming the operator and its node.
"""

import inspect
import io

import torch

from .compiler import compile as _compile
from .compiler import import_onnx
from .errors import CompileError

__all__ = ["compile_module", "export"]


def _as_tuple(example_inputs):
    if isinstance(example_inputs, torch.Tensor):
        return (example_inputs,)
    return tuple(example_inputs)


def _input_names(module, count):
    """The forward() parameter names, else x0, x1, ..."""
    try:
        params = [p.name for p in
                  inspect.signature(module.forward).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        params = []
    if len(params) >= count:
        return params[:count]
    return ["x"] if count == 1 else [f"x{i}" for i in range(count)]


def _output_count(module, inputs):
    with torch.no_grad():
        out = module(*inputs)
    return len(out) if isinstance(out, (tuple, list)) else 1


def export(module, example_inputs, dynamic_axes=None, input_names=None,
           output_names=None, opset_version=17):
    """Exports ``module`` (in eval mode) to ONNX and returns the serialized
    model. Inputs are named after forward()'s parameters and outputs y (or
    y0, y1, ...) unless ``input_names``/``output_names`` say otherwise;
    ``dynamic_axes`` is torch.onnx.export's ({"x": {1: "L"}, ...}); output
    axes that share a name with an input axis follow it."""
    inputs = _as_tuple(example_inputs)
    was_training = module.training
    module.eval()
    try:
        if input_names is None:
            input_names = _input_names(module, len(inputs))
        if output_names is None:
            count = _output_count(module, inputs)
            output_names = ["y"] if count == 1 else [f"y{i}"
                                                     for i in range(count)]
        buffer = io.BytesIO()
        with torch.no_grad():
            torch.onnx.export(module, inputs, buffer,
                              input_names=list(input_names),
                              output_names=list(output_names),
                              dynamic_axes=dynamic_axes,
                              opset_version=opset_version,
                              do_constant_folding=True)
    except CompileError:
        raise
    except Exception as e:  # torch's exporter raises many kinds
        raise CompileError([f"{type(module).__name__}: error: "
                            f"torch.onnx.export failed: {e}"]) from e
    finally:
        module.train(was_training)
    return buffer.getvalue()


def compile_module(module, example_inputs, dynamic_axes=None,
                   input_names=None, output_names=None, opset_version=17,
                   **options):
    """Exports a ``torch.nn.Module`` with ``torch.onnx.export`` (see
    ``export``) and compiles it with ``seqc.compile(**options)``
    (target, opt_level, output, impl, ...). Returns a ``CompiledModel``,
    which also accepts CPU tensors as inputs."""
    onnx_bytes = export(module, example_inputs, dynamic_axes, input_names,
                        output_names, opset_version)
    module_ir = import_onnx(onnx_bytes, name=f"{type(module).__name__}.onnx")
    return _compile(module_ir, **options)
