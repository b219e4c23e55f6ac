"""The verdict line of the e2e numerical checks (stft_conv.py, dft_conv.py,
fft_check.py): `rel_err=<e> ok` when max|got - ref| / max|ref| <= tol,
`FAIL` otherwise, or the shapes when they differ."""

import numpy as np


def report(got, ref, tol):
    """Prints the verdict and returns the exit status (0: ok)."""
    if got.shape != ref.shape:
        print("shape %s, expected %s FAIL" % (got.shape, ref.shape))
        return 1
    err = float(np.abs(got - ref).max() / np.abs(ref).max())
    ok = err <= tol
    print("rel_err=%.2e %s" % (err, "ok" if ok else "FAIL"))
    return 0 if ok else 1
