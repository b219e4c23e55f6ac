"""A model whose FFT runs as forall tasks on two threads, loaded, run,
dropped (the library is dlclose()d) and the interpreter exits: the worker
threads' caches of large blocks must not call back into the unloaded
library when the workers exit (it crashed at exit: seqc_alloc.c).
Prints `ok` and exits 0."""
import gc
import sys

import numpy as np
import seqc

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from fft_check import mlir  # noqa: E402

# 32 signals of 2018 samples: two tasks whose planes (2048 x 16 floats)
# are large enough for the block cache.
model = seqc.compile(seqc.import_mlir(mlir("rfft", [32, 2018], 1, None, False, False),
                                      "m.mlir"))
model.set_num_threads(2)
x = np.random.default_rng(0).standard_normal((32, 2018)).astype(np.float32)
for _ in range(3):
    yr, yi = model(x)
ref = np.fft.rfft(x.astype(np.float64), axis=1)
err = float(np.abs(yr + 1j * yi - ref).max() / np.abs(ref).max())
del model
gc.collect()
print("ok" if err <= 1e-5 else "FAIL rel_err=%.2e" % err)
