"""Running compiled models: ``CompiledModel`` and ``seqc.load``."""

import collections
import json
import os
import shutil
import tempfile

import numpy as np

from . import _seqc
from .errors import InputError, LoadError

__all__ = ["CompiledModel", "TensorSpec", "Benchmark", "MixerChoice", "load"]

TensorSpec = collections.namedtuple("TensorSpec", ["name", "dtype", "shape"])
TensorSpec.__doc__ = """One input or output: its name, numpy dtype and shape
(ints for static dims, the symbolic name (str) or None for dynamic ones)."""

Benchmark = collections.namedtuple(
    "Benchmark", ["median_ms", "mean_ms", "min_ms", "max_ms", "times_ms"])
Benchmark.__doc__ = "Timings of CompiledModel.benchmark, in milliseconds."

MixerChoice = collections.namedtuple(
    "MixerChoice", ["op", "node", "impl", "location"])
MixerChoice.__doc__ = """A token mixer (seq op), the ONNX node it came from
and the algorithm chosen for it."""


def _format_shape(shape):
    return "[" + ", ".join("?" if d is None else str(d) for d in shape) + "]"


def _spec(entry):
    # numpy has no bfloat16: such inputs and outputs are float32 arrays here
    # (see _to_bfloat16 / _from_bfloat16).
    dtype = "float32" if entry["dtype"] == "bfloat16" else entry["dtype"]
    return TensorSpec(entry["name"], np.dtype(dtype), tuple(entry["shape"]))


_BF16_BITS = np.dtype("V2")  # how the extension passes bfloat16 tensors


def _to_bfloat16(a):
    """float32 -> bfloat16 bits, rounding to nearest even (NaN stays NaN)."""
    bits = np.ascontiguousarray(a, np.float32).view(np.uint32).astype(np.uint64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
    nan = np.isnan(np.asarray(a, np.float32))
    out = np.where(nan, (bits >> 16) | 0x40, rounded).astype(np.uint16)
    return out.view(_BF16_BITS)


def _from_bfloat16(a):
    """bfloat16 bits -> float32 (exact)."""
    return (a.view(np.uint16).astype(np.uint32) << 16).view(np.float32)


class CompiledModel:
    """A model compiled to a shared library, run on numpy arrays.

    Call it with the inputs in signature order and/or by name:
    ``model(x)``, ``model(x=x)``. It returns one numpy array if the model has
    one output, else a tuple in signature order. numpy inputs that are
    C-contiguous and of the input's dtype are passed without a copy (other
    layouts are made contiguous; a wrong dtype is an ``InputError``); lists
    and scalars are converted to the input's dtype. Outputs are numpy arrays
    that own the buffers the model allocated (no copy). A model may be
    called from several threads at once; the GIL is released while it runs.
    numpy has no bfloat16: bfloat16 inputs and outputs are float32 arrays,
    rounded to nearest even on the way in.
    """

    def __init__(self, library, path=None, mixers=None):
        self._library = library
        self.path = path
        self._mixers = mixers
        self.signature = json.loads(library.signature)
        self.name = self.signature["name"]
        self.inputs = [_spec(e) for e in self.signature["inputs"]]
        self.outputs = [_spec(e) for e in self.signature["outputs"]]
        self._bf16_inputs = [e["dtype"] == "bfloat16"
                             for e in self.signature["inputs"]]
        self._bf16_outputs = [e["dtype"] == "bfloat16"
                              for e in self.signature["outputs"]]

    def __repr__(self):
        def describe(specs):
            return ", ".join(
                f"{s.name}: {s.dtype.name}{_format_shape(s.shape)}"
                for s in specs)
        return (f"<seqc.CompiledModel {self.name}({describe(self.inputs)}) -> "
                f"({describe(self.outputs)})>")

    @property
    def input_names(self):
        return [s.name for s in self.inputs]

    @property
    def output_names(self):
        return [s.name for s in self.outputs]

    def impl_report(self):
        """Each token mixer and the algorithm chosen for it, as reported by
        ``seqc --print-impl``: a list of ``MixerChoice``. None for a library
        opened with ``seqc.load`` (a library does not record it)."""
        if self._mixers is None:
            return None
        return list(self._mixers)

    def __call__(self, *arrays, **named):
        outputs = self.run(self._bind(arrays, named))
        return outputs[0] if len(outputs) == 1 else tuple(outputs)

    def run(self, inputs):
        """Runs on a list (signature order) or dict (by name) of inputs and
        returns the list of outputs."""
        if isinstance(inputs, dict):
            inputs = self._bind((), inputs)
        else:
            inputs = self._bind(tuple(inputs), {})
        status, message, outputs = self._library.run(inputs, len(self.outputs))
        if status != _seqc.STATUS_OK:
            raise self._input_error(status, message, inputs)
        return [_from_bfloat16(o) if bf16 else o
                for o, bf16 in zip(outputs, self._bf16_outputs)]

    def set_num_threads(self, n):
        """Threads of this model's parallel loops in later runs (OpenMP);
        0 restores the default (``SEQC_NUM_THREADS``, else all cores)."""
        if not isinstance(n, int) or n < 0:
            raise ValueError(f"set_num_threads needs n >= 0, got {n!r}")
        if not self._library.set_num_threads(n):
            raise RuntimeError(f"{self.path or self.name}: this library has "
                               "no thread setting (compiled by an older seqc)")

    def benchmark(self, n=10, inputs=None, dims=None, warmup=1):
        """Times ``n`` runs (after ``warmup`` ones) on ``inputs`` (a list or
        dict; default: ``random_inputs(dims)``) and returns a ``Benchmark``."""
        if not isinstance(n, int) or n < 1:
            raise ValueError(f"benchmark needs n >= 1 runs, got {n!r}")
        if inputs is None:
            inputs = self.random_inputs(dims)
        if isinstance(inputs, dict):
            bound = self._bind((), inputs)
        else:
            bound = self._bind(tuple(inputs), {})
        status, message, times = self._library.bench(
            bound, len(self.outputs), n, warmup)
        if status != _seqc.STATUS_OK:
            raise self._input_error(status, message, bound)
        times = sorted(times)
        return Benchmark(median_ms=times[len(times) // 2],
                         mean_ms=sum(times) / len(times), min_ms=times[0],
                         max_ms=times[-1], times_ms=times)

    def random_inputs(self, dims=None, seed=0):
        """Random inputs that fit the signature; ``dims`` gives the value of
        symbolic dims by name (default 8), e.g. ``{"L": 4096}``."""
        dims = dims or {}
        rng = np.random.default_rng(seed)
        arrays = []
        for spec in self.inputs:
            shape = tuple(d if isinstance(d, int) else dims.get(d, 8)
                          for d in spec.shape)
            if spec.dtype == np.bool_:
                a = rng.random(shape) < 0.5
            elif spec.dtype.kind == "f":
                a = rng.standard_normal(shape)
            else:
                a = rng.integers(-3 if spec.dtype.kind == "i" else 0, 4, shape)
            arrays.append(np.ascontiguousarray(a, dtype=spec.dtype))
        return arrays

    # The inputs in signature order, as arrays the runtime can view.
    def _bind(self, arrays, named):
        specs = self.inputs
        if len(arrays) > len(specs):
            raise InputError(f"model '{self.name}' takes {len(specs)} inputs, "
                             f"got {len(arrays)}", _seqc.STATUS_ARGUMENT)
        values = list(arrays) + [None] * (len(specs) - len(arrays))
        given = [True] * len(arrays) + [False] * (len(specs) - len(arrays))
        index = {s.name: i for i, s in enumerate(specs)}
        for name, value in named.items():
            if name not in index:
                raise InputError(
                    f"the model has no input named '{name}'; its inputs "
                    f"are: {', '.join(self.input_names)}",
                    _seqc.STATUS_ARGUMENT, input=name)
            if given[index[name]]:
                raise InputError(f"input '{name}' is given twice",
                                 _seqc.STATUS_ARGUMENT, input=name)
            values[index[name]] = value
            given[index[name]] = True
        bound = []
        for spec, value, ok in zip(specs, values, given):
            if not ok:
                raise InputError(
                    f"no value for input '{spec.name}' (expected "
                    f"{spec.dtype.name}{_format_shape(spec.shape)})",
                    _seqc.STATUS_ARGUMENT, input=spec.name)
            bound.append(self._convert(spec, value))
        return [_to_bfloat16(v) if bf16 and v.dtype.kind == "f" else v
                for v, bf16 in zip(bound, self._bf16_inputs)]

    @staticmethod
    def _convert(spec, value):
        if not isinstance(value, np.ndarray):
            try:
                value = np.asarray(value, dtype=spec.dtype)
            except (TypeError, ValueError) as e:
                raise InputError(f"input '{spec.name}': cannot be converted "
                                 f"to {spec.dtype.name}: {e}",
                                 _seqc.STATUS_DTYPE, input=spec.name) from None
        if value.dtype.name not in _SUPPORTED_DTYPES:
            raise InputError(f"input '{spec.name}': expected dtype "
                             f"{spec.dtype.name}, got {value.dtype.name}",
                             _seqc.STATUS_DTYPE, input=spec.name)
        if value.ndim > _MAX_RANK:  # beyond what a seqc_tensor can describe
            raise InputError(f"input '{spec.name}': expected rank "
                             f"{len(spec.shape)}, got {value.ndim}",
                             _seqc.STATUS_RANK, input=spec.name)
        if not value.flags.c_contiguous:
            value = np.ascontiguousarray(value)
        return value

    def _input_error(self, status, message, bound):
        found = [i for i, s in enumerate(self.inputs)
                 if message.startswith(f"input '{s.name}'")]
        if found:
            spec, value = self.inputs[found[0]], bound[found[0]]
            message += (f" (expected {spec.dtype.name}"
                        f"{_format_shape(spec.shape)}, got "
                        f"{value.dtype.name}{_format_shape(value.shape)})")
        return InputError(message, status)


_MAX_RANK = 8  # SEQC_MAX_RANK
_SUPPORTED_DTYPES = {"float16", "float32", "float64", "int8", "int16", "int32",
                     "int64", "uint8", "uint16", "uint32", "uint64", "bool"}


def open_library(path):
    """dlopen()s ``path`` under a fresh name, so that a library rewritten at
    the same path since an earlier load (a recompilation) is loaded anew
    rather than found among the loaded ones. Returns (library, reason)."""
    folder = tempfile.mkdtemp(prefix="seqc-load-")
    try:
        alias = os.path.join(folder, os.path.basename(path))
        try:
            os.link(path, alias)  # no copy; the same file as now
        except OSError:
            shutil.copyfile(path, alias)
        return _seqc.Library.open(alias)
    except OSError as e:
        return None, str(e)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def load(path):
    """Opens a shared library compiled by ``seqc model.onnx -o libmodel.so``
    (or by ``seqc.compile(..., output=...)``) and returns a CompiledModel."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise LoadError(f"{path}: no such file")
    library, reason = open_library(os.path.abspath(path))
    if library is None:
        raise LoadError(f"cannot load {path}: {reason}")
    return CompiledModel(library, path=path)
