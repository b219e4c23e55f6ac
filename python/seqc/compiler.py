"""Importing and compiling models: ``import_onnx``, ``import_mlir``,
``compile`` and the ``Module`` they work on."""

import json
import os
import shutil
import tempfile

from . import _seqc
from .errors import CompileError
from .runtime import CompiledModel, MixerChoice, open_library

__all__ = ["Module", "import_onnx", "import_mlir", "compile"]


class Module:
    """An imported model: MLIR in the onnx dialect (and seq ops, once the
    token mixers are raised). ``str(module)`` is its MLIR with large weights
    elided; ``module.mlir(weights=True)`` prints them too (the text then
    parses again, with ``import_mlir``)."""

    def __init__(self, native, name):
        self._native = native
        self.name = name

    def __str__(self):
        return self._native.print(False)

    def __repr__(self):
        return f"<seqc.Module from {self.name}>"

    def mlir(self, weights=False):
        """The module as MLIR text."""
        return self._native.print(bool(weights))

    def impl_report(self):
        """Each token mixer (seq op) and its algorithm, a list of
        ``MixerChoice``: what ``seqc --print-impl`` reports."""
        return _mixers(self._native.impl_report(True))

    def compile(self, **options):
        """``seqc.compile(self, **options)``."""
        return compile(self, **options)


def _mixers(report):
    return [MixerChoice(m["op"], m["node"], m["impl"], m["location"])
            for m in json.loads(report)]


def _check_import(result, name):
    native, diagnostics = result
    if native is None:
        raise CompileError(diagnostics, f"{name}: the model could not be "
                                        "imported")
    return Module(native, name)


def import_onnx(model, shape_inference=True, name=None):
    """Imports an ONNX model: a path (str or os.PathLike), the serialized
    bytes, or an ``onnx.ModelProto``; ``name`` names an in-memory model in
    diagnostics. Raises ``CompileError`` with the importer's diagnostics
    (naming the file and node) if it cannot."""
    shape_inference = bool(shape_inference)
    if isinstance(model, (str, os.PathLike)):
        path = os.fspath(model)
        # The C API reads standard input for "-"; a file of that name here.
        native_path = os.path.join(".", path) if path == "-" else path
        return _check_import(
            _seqc.import_onnx_file(native_path, shape_inference), path)
    if isinstance(model, (bytes, bytearray, memoryview)):
        data = bytes(model)
        name = name or "<bytes>"
    elif hasattr(model, "SerializeToString") and hasattr(model, "graph"):
        data = model.SerializeToString()
        name = name or "<onnx.ModelProto>"
    else:
        raise TypeError("import_onnx expects a path, bytes or an "
                        f"onnx.ModelProto, got {type(model).__name__}")
    return _check_import(_seqc.import_onnx_bytes(data, name, shape_inference),
                         name)


def import_mlir(text, name="<mlir>"):
    """Parses MLIR text holding ``func.func @main_graph`` (the onnx and seq
    dialects and the upstream ones seqc uses), e.g. a model written with seq
    ops directly, or the output of ``seqc --emit=onnx --print-weights``."""
    if not isinstance(text, str):
        raise TypeError(f"import_mlir expects str, got {type(text).__name__}")
    return _check_import(_seqc.parse_mlir(text, name), name)


def _impl_string(impl):
    if impl is None:
        return ""
    if isinstance(impl, str):
        return impl
    if isinstance(impl, dict):
        for key, algo in impl.items():
            if not isinstance(key, str) or not isinstance(algo, str):
                raise TypeError("impl maps op or node names (str) to "
                                "algorithm names (str), got "
                                f"{key!r}: {algo!r}")
            if "," in key or "=" in key:
                raise ValueError(f"impl key {key!r} may not hold ',' or '='")
        return ",".join(f"{k}={v}" for k, v in impl.items())
    raise TypeError("impl must be a dict {op or node: algorithm} or a string "
                    f"'op=algorithm,...', got {type(impl).__name__}")


def compile(model, target="cpu", opt_level=3, output=None, impl=None,
            mcpu=None, mattr=None, name=None):
    """Compiles a model ahead of time and returns a ``CompiledModel``.

    ``model`` is a ``Module``, a path (.onnx, or .mlir text), bytes or an
    ``onnx.ModelProto``. ``target`` is "cpu" ("cuda" is not available yet: a
    ``CompileError`` says so); ``opt_level`` 0 to 3; ``output`` the path of
    the shared library to keep (with its C header beside it; default: a
    temporary file, removed once loaded); ``impl`` overrides algorithm
    choices, ``{"long_conv": "fft", "node_name": "direct"}`` or
    ``"long_conv=fft"``; ``mcpu``/``mattr`` the target CPU and features
    (default: the host's); ``name`` the C prefix of the entry points (default:
    from ``output``, libfoo.so -> foo, else "model"). Raises ``CompileError``
    with the compiler's diagnostics on failure.
    """
    if not isinstance(model, Module):
        if isinstance(model, (str, os.PathLike)) and \
                os.fspath(model).endswith(".mlir"):
            path = os.fspath(model)
            try:
                with open(path, encoding="utf-8") as f:
                    text = f.read()
            except OSError as e:
                raise CompileError([f"{path}: error: {e.strerror}"]) from None
            model = import_mlir(text, path)
        else:
            model = import_onnx(model)
    if isinstance(opt_level, bool) or not isinstance(opt_level, int):
        raise TypeError(f"opt_level must be an int, got {opt_level!r}")
    if not 0 <= opt_level <= 3:
        raise CompileError([f"seqc: error: optimization level {opt_level}: "
                            "use 0 to 3"])
    if not isinstance(target, str):
        raise TypeError(f"target must be a str, got {target!r}")
    impl = _impl_string(impl)

    tmpdir = None
    if output is None:
        tmpdir = tempfile.mkdtemp(prefix="seqc-")
        so_path = os.path.join(tmpdir, "libmodel.so")
    else:
        so_path = os.path.abspath(os.fspath(output))
    try:
        ok, diagnostics, report = model._native.compile(
            so_path, target, opt_level, mcpu or "", mattr or "", impl,
            name or ("model" if output is None else ""))
        if not ok:
            raise CompileError(diagnostics)
        library, reason = (_seqc.Library.open(so_path) if tmpdir
                           else open_library(so_path))
        if library is None:
            raise CompileError([f"seqc: error: cannot load {so_path}: "
                                f"{reason}"])
    finally:
        if tmpdir is not None:
            shutil.rmtree(tmpdir, ignore_errors=True)
    return CompiledModel(library, path=None if output is None else so_path,
                         mixers=_mixers(report))

