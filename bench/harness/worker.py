"""A long-lived contender process: seqc (a compiled model through its C ABI,
via ctypes), PyTorch (eager) or numpy.

The controller (main.py) talks to it with one JSON object per line on
stdin/stdout -- the same protocol as bench/ort_runner.js:

  {"cmd": "load", "workload": W, "model": M.onnx, "lib": libM.so, "inputs": {name: file.npy}}
  {"cmd": "run"}             -> {"ok": true, "ms": wall time of one run}
  {"cmd": "save", "dir": D}  -> the last run's outputs as D/<name>.npy
  {"cmd": "unload"}, {"cmd": "quit"}

Every answer is {"ok": true, ...} or {"ok": false, "error": "..."}. Only the
call that computes the outputs is timed (for seqc: model_run, which checks
the inputs, runs and copies the outputs into fresh buffers -- what a caller
pays); loading, converting and freeing are not. Keeping the process alive
across runs is what lets the controller interleave the contenders run by
run. The thread count is fixed per process: SEQC_NUM_THREADS for seqc (read
by the model's runtime), OMP/OpenBLAS variables for numpy (read when numpy
is imported), torch.set_num_threads for PyTorch.
"""

import argparse
import ctypes
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import workloads  # noqa: E402

MAX_RANK = 8
DTYPE_CODES = {  # seqc_dtype in include/seqc/Runtime/seqc_runtime.h
    np.dtype(np.float32): 1, np.dtype(np.float64): 2, np.dtype(np.float16): 3,
    np.dtype(np.int8): 4, np.dtype(np.int16): 5, np.dtype(np.int32): 6,
    np.dtype(np.int64): 7, np.dtype(np.uint8): 8, np.dtype(np.bool_): 9,
}
CODE_DTYPES = {v: k for k, v in DTYPE_CODES.items()}


class SeqcTensor(ctypes.Structure):
    """struct seqc_tensor: data, dtype (a C enum), rank, shape[8]."""
    _fields_ = [("data", ctypes.c_void_p), ("dtype", ctypes.c_int),
                ("rank", ctypes.c_int32), ("shape", ctypes.c_int64 * MAX_RANK)]


class SeqcModel:
    """A model compiled by seqc, called through seqc_model_run."""

    def __init__(self, lib_path, inputs):
        self.lib = ctypes.CDLL(os.path.abspath(lib_path))
        self.lib.seqc_model_signature.restype = ctypes.c_char_p
        sig = json.loads(self.lib.seqc_model_signature().decode())
        self.out_names = [o["name"] for o in sig["outputs"]]
        self.run_fn = self.lib.seqc_model_run
        self.run_fn.restype = ctypes.c_int
        self.free_fn = self.lib.seqc_tensor_free
        # Inputs in signature order; the arrays stay alive in self.arrays.
        self.arrays = [np.ascontiguousarray(inputs[i["name"]]) for i in sig["inputs"]]
        self.ins = (SeqcTensor * len(self.arrays))()
        for t, a in zip(self.ins, self.arrays):
            t.data = a.ctypes.data
            t.dtype = DTYPE_CODES[a.dtype]
            t.rank = a.ndim
            for d, n in enumerate(a.shape):
                t.shape[d] = n
        self.outs = None
        self.err = ctypes.create_string_buffer(1024)

    def _free(self):
        if self.outs is not None:
            for t in self.outs:
                self.free_fn(ctypes.byref(t))
            self.outs = None

    def run(self):
        self._free()
        outs = (SeqcTensor * len(self.out_names))()
        t0 = time.perf_counter()
        rc = self.run_fn(self.ins, len(self.ins), outs, len(outs), self.err, len(self.err))
        ms = (time.perf_counter() - t0) * 1e3
        if rc != 0:
            raise RuntimeError("model_run returned %d: %s" % (rc, self.err.value.decode()))
        self.outs = outs
        return ms

    def outputs(self):
        result = {}
        for name, t in zip(self.out_names, self.outs):
            dtype = CODE_DTYPES[t.dtype]
            shape = tuple(t.shape[d] for d in range(t.rank))
            n = int(np.prod(shape, dtype=np.int64))
            buf = (ctypes.c_char * (n * dtype.itemsize)).from_address(t.data)
            result[name] = np.frombuffer(buf, dtype=dtype).reshape(shape).copy()
        return result

    def close(self):
        self._free()  # the library stays mapped; ctypes cannot dlclose safely


class FnModel:
    """A workload's torch or numpy function over fixed inputs."""

    def __init__(self, fn, inputs, to_numpy):
        self.fn, self.inputs, self.to_numpy = fn, inputs, to_numpy
        self.last = None

    def run(self):
        self.last = None
        t0 = time.perf_counter()
        out = self.fn(self.inputs)
        ms = (time.perf_counter() - t0) * 1e3
        self.last = out
        return ms

    def outputs(self):
        return {k: self.to_numpy(v) for k, v in self.last.items()}

    def close(self):
        self.last = None


def make_loader(kind, threads):
    """Returns load(cmd) -> model for this contender kind."""
    if kind == "seqc":
        return lambda cmd, inputs: SeqcModel(cmd["lib"], inputs)
    if kind == "torch":
        import torch
        torch.set_num_threads(threads)
        torch.set_grad_enabled(False)

        def load_torch(cmd, inputs):
            w = workloads.BY_NAME[cmd["workload"]]
            fn = w.torch_fn(torch, workloads.load_params(cmd["model"]))
            tin = {k: torch.from_numpy(v) for k, v in inputs.items()}
            return FnModel(fn, tin, lambda t: t.contiguous().numpy())
        return load_torch
    if kind == "numpy":
        def load_numpy(cmd, inputs):
            w = workloads.BY_NAME[cmd["workload"]]
            fn = w.numpy_fn(workloads.load_params(cmd["model"]))
            if fn is None:
                raise RuntimeError("no numpy version of " + w.name)
            return FnModel(fn, inputs, np.asarray)
        return load_numpy
    raise SystemExit("unknown kind " + kind)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kind", required=True, choices=["seqc", "torch", "numpy"])
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    load = make_loader(args.kind, args.threads)
    model = None
    reply_to = sys.stdout
    sys.stdout = sys.stderr  # anything a library prints goes to the log
    for line in sys.stdin:
        cmd = json.loads(line)
        try:
            if cmd["cmd"] == "load":
                if model:
                    model.close()
                model = None
                inputs = {k: np.load(v) for k, v in cmd["inputs"].items()}
                model = load(cmd, inputs)
                reply = {"ok": True}
            elif cmd["cmd"] == "run":
                reply = {"ok": True, "ms": model.run()}
            elif cmd["cmd"] == "save":
                os.makedirs(cmd["dir"], exist_ok=True)
                files = {}
                for name, a in model.outputs().items():
                    files[name] = os.path.join(cmd["dir"], name + ".npy")
                    np.save(files[name], a)
                reply = {"ok": True, "outputs": files}
            elif cmd["cmd"] == "unload":
                if model:
                    model.close()
                model = None
                reply = {"ok": True}
            elif cmd["cmd"] == "quit":
                break
            else:
                reply = {"ok": False, "error": "unknown command " + cmd["cmd"]}
        except Exception as e:  # reported to the controller, which marks the cell
            reply = {"ok": False, "error": "%s: %s" % (type(e).__name__, e)}
        reply_to.write(json.dumps(reply) + "\n")
        reply_to.flush()


if __name__ == "__main__":
    main()
