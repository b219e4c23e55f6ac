"""What the benchmarks ran on: CPU, cores, memory, the version of every
contender, and the roofline measured by roofline.c (fp32 FMA peak and STREAM
triad bandwidth, at each thread count the harness uses)."""

import json
import os
import platform
import re
import subprocess
import sys

HARNESS = os.path.dirname(os.path.abspath(__file__))


def _run(cmd, **kw):
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=120, **kw)
        return r.stdout.strip() if r.returncode == 0 else ""
    except (OSError, subprocess.TimeoutExpired):
        return ""


def _cpu():
    model, flags = "unknown", set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() == "model name" and model == "unknown":
                    model = value.strip()
                elif key.strip() == "flags" and not flags:
                    flags = set(value.split())
    except OSError:
        pass
    simd = [f for f in ("avx512f", "avx2", "fma", "sse4_2", "asimd") if f in flags]
    lscpu = _run(["lscpu"])
    extra = {}
    for key in ("CPU family", "Model", "Thread(s) per core", "L2 cache", "L3 cache",
                "Hypervisor vendor"):
        m = re.search(r"^%s:\s*(.+)$" % re.escape(key), lscpu, re.M)
        if m:
            extra[key] = m.group(1).strip()
    return model, simd, extra


def _mem_gb():
    try:
        with open("/proc/meminfo") as f:
            return int(f.readline().split()[1]) / 2**20
    except (OSError, ValueError, IndexError):
        return 0.0


def roofline(tmp, threads):
    """Builds roofline.c with cc -O3 -march=native and runs it per thread
    count: {"1": {"peak_gflops": .., "triad_gbs": ..}, ...}."""
    exe = os.path.join(tmp, "roofline")
    subprocess.run(["cc", "-O3", "-march=native", "-pthread",
                    os.path.join(HARNESS, "roofline.c"), "-o", exe], check=True)
    out = {}
    for t in threads:
        out[str(t)] = json.loads(subprocess.run([exe, str(t)], check=True, capture_output=True,
                                                text=True).stdout)
    return out


def _blas():
    """The BLAS libraries numpy and torch have loaded into this process (a
    Debian system without OpenBLAS gives both the reference netlib BLAS,
    which makes their matmuls slow: worth knowing when reading ratios)."""
    import numpy
    numpy.ones((64, 64)) @ numpy.ones((64, 64))
    try:
        import torch  # noqa: F401 (loads its libraries)
    except ImportError:
        pass
    found = []
    with open("/proc/self/maps") as f:
        for line in f:
            path = line.split()[-1] if "/" in line else ""
            name = os.path.basename(path).lower()
            if re.search(r"blas|mkl_rt|blis|libdnnl", name):
                real = os.path.realpath(path)
                if real not in found:
                    found.append(real)
    kinds = []
    for p in found:
        low = p.lower()
        kind = ("OpenBLAS" if "openblas" in low else "MKL" if "mkl" in low else
                "BLIS" if "blis" in low else "oneDNN" if "dnnl" in low else
                "reference netlib BLAS" if "/blas/" in low else "")
        kinds.append(p + (" (%s)" % kind if kind else ""))
    return kinds


def describe(args, tmp):
    model, simd, extra = _cpu()
    versions = {}
    repo = os.path.dirname(os.path.dirname(HARNESS))
    rev = _run(["git", "-C", repo, "rev-parse", "--short", "HEAD"])
    dirty = _run(["git", "-C", repo, "status", "--porcelain", "--untracked-files=no"])
    versions["seqc"] = "git %s%s" % (rev or "?", " (+ local changes)" if dirty else "")
    pkg = os.path.join(args.peers, "node_modules", "onnxruntime-node", "package.json")
    try:
        with open(pkg) as f:
            versions["onnxruntime-node"] = json.load(f)["version"]
    except (OSError, ValueError, KeyError):
        versions["onnxruntime-node"] = "not installed"
    versions["node"] = _run(["node", "--version"]) or "not installed"
    import numpy
    import onnx
    versions["numpy"] = numpy.__version__
    versions["onnx"] = onnx.__version__
    try:
        import torch
        backend = re.search(r"parallel backend: *(.+)", torch.__config__.parallel_info())
        versions["torch"] = torch.__version__ + (
            " (parallel backend: %s)" % backend.group(1).strip() if backend else "")
    except ImportError:
        versions["torch"] = "not installed"
    try:
        import matplotlib
        versions["matplotlib"] = matplotlib.__version__
    except ImportError:
        versions["matplotlib"] = "not installed"
    versions["python"] = platform.python_version() + " (" + sys.executable + ")"
    versions["cc"] = (_run(["cc", "--version"]).splitlines() or ["?"])[0]
    return {
        "cpu": model,
        "simd": simd,
        "cpu_details": extra,
        "cores": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)),
        "memory_gb": round(_mem_gb(), 1),
        "kernel": platform.release(),
        "load_average": os.getloadavg()[0],
        "blas": _blas(),
        "versions": versions,
        "roofline": roofline(tmp, args.threads),
    }
