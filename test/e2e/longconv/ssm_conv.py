"""SSMs in convolution mode: seq.ssm_kernel folded at compile time
(seq-fold-ssm-kernel) and the S4D convolution it feeds, against float64
numpy.

  ssm_conv.py kernel --disc zoh|bilinear [--c C] [--n N] [--l L]
      The kernel alone: a module holding constant S4D parameters (S4D-Lin
      A = -1/2 + i pi n, random complex B and C, log dt in [log 1e-3,
      log 1e-1]) and a seq.ssm_kernel, folded by seqc-opt (the output must
      hold no seq.ssm_kernel), run with mlir-runner.
  ssm_conv.py conv --disc zoh|bilinear [--c C] [--n N] [--l L]
      y = long_conv(x, ssm_kernel(...)) with x a constant: folded, algorithm
      chosen by seq-select-impl (printed), lowered by seq-lower-long-conv
      (FFT with the kernel spectrum computed at compile time), run with
      mlir-runner.
  ssm_conv.py model [--c C] [--n N] [--k K] [--lengths L1,L2]
      The same layer written in MLIR with a symbolic length (x: 1 x C x ?)
      and a K-tap SSM kernel, through the Python API (seqc.import_mlir,
      seqc.compile: the whole CPU pipeline, which folds the kernel) at each
      length; prints the mixers left after raising and selection.

Each check prints `<what> L=<n> rel_err=<e> ok` with rel_err =
max|got - ref| / max|ref| and ok meaning rel_err <= 1e-4; the exit status is
1 on any failure.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tools"))
from refcheck import dense, parse_output, ref_ssm_kernel  # noqa: E402

RUNTIME_LIBS = ("libmlir_runner_utils.so", "libmlir_c_runner_utils.so")


def s4d_params(c, n, seed):
    """S4D-Lin parameters (one of each conjugate pair), float32/complex64."""
    rng = np.random.default_rng(seed)
    a = (-0.5 + 1j * np.pi * np.arange(n))[None].repeat(c, 0)
    b = rng.standard_normal((c, n)) + 1j * rng.standard_normal((c, n))
    cc = (rng.standard_normal((c, n)) + 1j * rng.standard_normal((c, n))) * 0.5
    log_dt = rng.uniform(np.log(1e-3), np.log(1e-1), c)
    return (a.astype(np.complex64), b.astype(np.complex64),
            cc.astype(np.complex64), log_dt.astype(np.float32))


def ctype(shape, elt):
    return "tensor<%sx%s>" % ("x".join(str(d) for d in shape), elt)


def param_lines(params):
    a, b, cc, log_dt = params
    cshape = ctype(a.shape, "complex<f32>")
    return [
        "  %%A = arith.constant dense<%s> : %s" % (dense(a), cshape),
        "  %%B = arith.constant dense<%s> : %s" % (dense(b), cshape),
        "  %%C = arith.constant dense<%s> : %s" % (dense(cc), cshape),
        "  %%dt = arith.constant dense<%s> : %s" % (dense(log_dt),
                                                   ctype(log_dt.shape, "f32")),
    ]


def ssm_line(params, length, disc, dyn=False):
    c = params[0].shape[0]
    cshape = ctype(params[0].shape, "complex<f32>")
    ktype = ctype((c, "?" if dyn else length), "f32")
    return ("  %%K = seq.ssm_kernel %%A, %%B, %%C, %%dt {discretization = "
            "#seq.discretization<%s>} : (%s, %s, %s, %s) -> %s" % (
                disc, cshape, cshape, cshape, ctype((c,), "f32"), ktype))


def print_lines(value, shape):
    t = ctype(shape, "f32")
    return ["  %%u = tensor.cast %s : %s to tensor<*xf32>" % (value, t),
            "  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()"]


def run_mlir(text, passes, tmp):
    """seqc-opt `passes` then the reference pipeline, run with mlir-runner;
    returns (IR after `passes`, runner stdout)."""
    src = os.path.join(tmp, "in.mlir")
    with open(src, "w") as f:
        f.write(text)
    opt = shutil.which("seqc-opt")
    mid = subprocess.run([opt, src] + passes, capture_output=True, text=True,
                         check=True).stdout
    low = subprocess.run([opt, "--seqc-reference-to-llvm"], input=mid,
                         capture_output=True, text=True, check=True).stdout
    libs = ",".join(os.path.join("/usr/lib/llvm-22/lib", l)
                    for l in RUNTIME_LIBS)
    ran = subprocess.run([shutil.which("mlir-runner"), "-e", "main",
                          "-entry-point-result=void", "-shared-libs=" + libs],
                         input=low, capture_output=True, text=True, check=True)
    return mid, ran.stdout


def report(what, length, got, ref):
    err = float(np.abs(got - ref).max() / np.abs(ref).max())
    good = got.shape == ref.shape and bool(err <= 1e-4)
    print("%s L=%d rel_err=%.2e %s" % (what, length, err,
                                       "ok" if good else "FAIL"))
    return good


def causal_conv64(x, k):
    """float64 causal per-channel convolution, x (B, C, L), k (C, K)."""
    length, size = x.shape[-1], k.shape[-1]
    n = length + size - 1
    y = np.fft.irfft(np.fft.rfft(x, n) * np.fft.rfft(k, n), n)
    return y[..., :length]


def check_kernel(a):
    params = s4d_params(a.c, a.n, a.seed)
    lines = ["func.func private @printMemrefF32(tensor<*xf32>)",
             "func.func @main() {"] + param_lines(params)
    lines.append(ssm_line(params, a.l, a.disc))
    lines += print_lines("%K", (a.c, a.l)) + ["  return", "}"]
    with tempfile.TemporaryDirectory() as tmp:
        mid, out = run_mlir("\n".join(lines) + "\n",
                            ["--seq-fold-ssm-kernel"], tmp)
    print("folded: %s" % ("no" if "seq.ssm_kernel" in mid else "yes"))
    got = parse_output(out, [((a.c, a.l), False)])[0]
    ref = ref_ssm_kernel(*params, a.l, bilinear=a.disc == "bilinear")[0]
    return report("kernel " + a.disc, a.l, got, ref)


def check_conv(a):
    params = s4d_params(a.c, a.n, a.seed)
    x = np.random.default_rng(a.seed + 1).standard_normal(
        (1, a.c, a.l)).astype(np.float32)
    xt = ctype(x.shape, "f32")
    lines = ["func.func private @printMemrefF32(tensor<*xf32>)",
             "func.func @main() {"] + param_lines(params)
    lines.append("  %%x = arith.constant dense<%s> : %s" % (dense(x), xt))
    lines.append(ssm_line(params, a.l, a.disc))
    lines.append("  %%y = seq.long_conv %%x, %%K : (%s, %s) -> %s" % (
        xt, ctype((a.c, a.l), "f32"), xt))
    lines += print_lines("%y", x.shape) + ["  return", "}"]
    with tempfile.TemporaryDirectory() as tmp:
        mid, out = run_mlir("\n".join(lines) + "\n",
                            ["--seq-fold-ssm-kernel", "--seq-select-impl",
                             "--seq-lower-long-conv"], tmp)
        # The algorithm seq-select-impl chose, from the IR before lowering.
        chosen = subprocess.run(
            [shutil.which("seqc-opt"), os.path.join(tmp, "in.mlir"),
             "--seq-fold-ssm-kernel", "--seq-select-impl"],
            capture_output=True, text=True, check=True).stdout
    impl = "fft" if "#seq.impl<fft>" in chosen else (
        "direct" if "#seq.impl<direct>" in chosen else "none")
    print("folded: %s, long_conv impl: %s, left to the reference: %s" % (
        "no" if "seq.ssm_kernel" in chosen else "yes", impl,
        "yes" if "seq.long_conv" in mid else "no"))
    got = parse_output(out, [(x.shape, False)])[0]
    k = ref_ssm_kernel(*params, a.l, bilinear=a.disc == "bilinear")[0]
    return report("s4d conv " + a.disc, a.l, got,
                  causal_conv64(x.astype(np.float64), k))


def check_model(a):
    import seqc

    params = s4d_params(a.c, a.n, a.seed)
    xt = "tensor<1x%dx?xf32>" % a.c
    lines = ["func.func @main_graph(%%x: %s) -> %s {" % (xt, xt)]
    lines += param_lines(params)
    lines.append(ssm_line(params, a.k, "zoh"))
    lines.append("  %%y = seq.long_conv %%x, %%K : (%s, %s) -> %s" % (
        xt, ctype((a.c, a.k), "f32"), xt))
    lines += ["  return %%y : %s" % xt, "}"]
    model = seqc.compile(seqc.import_mlir("\n".join(lines) + "\n",
                                          "s4d_conv"))
    # Every seq op left after raising and selection: a folded kernel leaves
    # the long convolution alone.
    mixers = model.impl_report()
    for m in mixers:
        print("%s: %s" % (m.op, m.impl))
    print("%d token mixer%s" % (len(mixers), "" if len(mixers) == 1 else "s"))
    k = ref_ssm_kernel(*params, a.k)[0]
    ok = True
    for n in [int(v) for v in a.lengths.split(",")]:
        x = np.random.default_rng(n).standard_normal(
            (1, a.c, n)).astype(np.float32)
        ok &= report("s4d model", n, model(x),
                     causal_conv64(x.astype(np.float64), k))
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["kernel", "conv", "model"])
    ap.add_argument("--disc", choices=["zoh", "bilinear"], default="zoh")
    ap.add_argument("--c", type=int, default=4)
    ap.add_argument("--n", type=int, default=16)
    ap.add_argument("--l", type=int, default=1024)
    ap.add_argument("--k", type=int, default=1024)
    ap.add_argument("--lengths", default="500,3000")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    check = {"kernel": check_kernel, "conv": check_conv,
             "model": check_model}[a.cmd]
    return 0 if check(a) else 1


if __name__ == "__main__":
    sys.exit(main())
