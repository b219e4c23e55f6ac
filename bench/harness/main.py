"""bench/run's controller: seqc against onnxruntime, PyTorch and numpy.

For every workload (workloads.py) and length L, and for 1 and 2 threads:

 1. the ONNX file and the inputs (.npy) are written once; seqc compiles the
    file (a failure is recorded as "unsupported: <first line>", not fatal)
    and `seqc --print-impl` names the algorithm of each token mixer;
 2. every contender -- a long-lived process per (contender, threads): seqc
    through the compiled library's C ABI, onnxruntime-node on the same ONNX
    file, PyTorch eager and numpy with the file's weights -- loads the model
    and the same inputs;
 3. warm-up: one run each (two when it is under a second); a run that takes
    more than LIMIT_S (20 s) kills the process and the contender is skipped
    at this L and every larger one (the table says so). A warm-up run of
    more than SLOW_S (10 s) is that contender's only timed run (its
    first-touch costs are noise at that length): the table marks it
    "1 run" (raise --limit to measure a slow peer at long lengths);
 4. the warm-up outputs are compared with a float64 numpy reference: the
    error is max|out - ref| / max|ref|; above TOLERANCE the contender is
    reported "wrong" and not timed;
 5. timed runs, interleaved: round r runs every contender once, in an order
    rotated by r, so that noise from a shared machine lands on all of them;
    at least 5 rounds (more for short runs); the median is reported.

Then results.md (tables, roofline columns, machine), results.json and the
plots are written to bench/results/ (see report.py).
"""

import argparse
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import onnx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import machine  # noqa: E402
import report  # noqa: E402
import workloads  # noqa: E402

HARNESS = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HARNESS)
LIMIT_S = 20.0        # a single run longer than this: skipped here and beyond
SLOW_S = 10.0         # a warm-up run longer than this is the only timed run
TOLERANCE = 1e-3      # max|out - ref| / max|ref| above this is "wrong"
MIN_RUNS = 5
MAX_RUNS = 15
TIMED_BUDGET_S = 1.0  # per contender and configuration, before MIN_RUNS/MAX_RUNS
CONTENDERS = ["seqc", "onnxruntime", "torch", "numpy"]


class WorkerDied(Exception):
    pass


class Worker:
    """One contender process for one thread count, spoken to line by line."""

    def __init__(self, name, threads, cmd, env, log_path):
        self.name, self.threads = name, threads
        self.cmd, self.env, self.log_path = cmd, env, log_path
        self.proc = None
        self.buf = b""

    def start(self):
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=log, env=self.env, start_new_session=True)
        log.close()
        self.buf = b""

    def request(self, obj, timeout):
        """Sends one command; returns the answer, or raises TimeoutError
        (the process is then killed) or WorkerDied."""
        if self.proc is None or self.proc.poll() is not None:
            self.start()
        try:
            self.proc.stdin.write((json.dumps(obj) + "\n").encode())
            self.proc.stdin.flush()
        except BrokenPipeError:
            self.kill()
            raise WorkerDied(self._log_tail())
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                self.kill()
                raise TimeoutError()
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                chunk = os.read(fd, 65536)
                if not chunk:
                    self.kill()
                    raise WorkerDied(self._log_tail())
                self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def _log_tail(self):
        try:
            with open(self.log_path, errors="replace") as f:
                lines = [ln.strip() for ln in f.read().splitlines() if ln.strip()]
            return lines[-1] if lines else "the process exited"
        except OSError:
            return "the process exited"

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)  # its own session: only its tree
            self.proc.wait()
        self.proc = None

    def close(self):
        if self.proc is not None and self.proc.poll() is None:
            try:
                self.request({"cmd": "quit"}, 0.5)
            except Exception:
                pass
            self.kill()


def make_workers(args, tmp):
    """(contender, threads) -> Worker, for the contenders that are available."""
    py = sys.executable
    workers = {}
    for threads in args.threads:
        env = dict(os.environ)
        # seqc's runtime reads SEQC_NUM_THREADS; the OpenMP/BLAS variables pin
        # numpy (read at import) and anything OpenMP-based to the same count.
        for var in ("SEQC_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                    "MKL_NUM_THREADS"):
            env[var] = str(threads)
        # Contenders run interleaved: a thread pool that spins after a run
        # would steal the next contender's core. OpenMP (seqc's libomp,
        # PyTorch's libgomp) sleeps at once; ort_runner.js turns spinning off.
        env["OMP_WAIT_POLICY"] = "passive"
        worker_py = os.path.join(HARNESS, "worker.py")
        workers[("seqc", threads)] = [py, worker_py, "--kind", "seqc", "--threads", str(threads)]
        workers[("torch", threads)] = [py, worker_py, "--kind", "torch", "--threads", str(threads)]
        workers[("numpy", threads)] = [py, worker_py, "--kind", "numpy", "--threads", str(threads)]
        workers[("onnxruntime", threads)] = ["node", os.path.join(BENCH, "ort_runner.js"),
                                             str(threads)]
        for key in [k for k in workers if k[1] == threads]:
            log = os.path.join(tmp, "worker-%s-%dT.log" % key)
            workers[key] = Worker(key[0], threads, workers[key], env, log)
    return workers


def first_error_line(text):
    """The first line of a seqc error, without the file name in front."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if not lines:
        return "failed without a message"
    return re.sub(r"^.*?: error: ", "", lines[0])


def compile_seqc(seqc, model, lib):
    """Compiles with seqc; returns (ok, message, impls). impls: the list of
    (seq op, algorithm) that --print-impl reports during this very compile,
    one line per mixer, "seq.long_conv at loc(...): fft" (none today: nothing
    raises ONNX to seq ops yet)."""
    for attempt in range(10):
        try:
            r = subprocess.run([seqc, model, "-o", lib, "--print-impl"], capture_output=True,
                               text=True, timeout=600)
            break
        except subprocess.TimeoutExpired:
            return False, "seqc took more than 600 s to compile", []
        except OSError as e:  # e.g. the binary is being relinked right now: wait a little
            if attempt == 9:
                return False, "cannot run %s: %s" % (seqc, e.strerror), []
            time.sleep(3)
    if r.returncode != 0:
        return False, first_error_line(r.stderr or r.stdout), []
    impls = []
    for line in r.stdout.splitlines():
        m = re.match(r"^(seq\.\w+) at .*: (\w+)\s*$", line)
        if m:
            impls.append((m.group(1), m.group(2)))
    return True, "", impls


# Algorithms that skip or restructure work, preferred when a model lists
# several impls for its mixer op (e.g. a short conv kept direct beside a long
# one done by FFT): the expensive mixer is the one worth counting.
FAST_IMPLS = ["fft", "overlap_save", "tiled", "chunked", "parallel", "mixed_radix",
              "bluestein", "quadratic", "vandermonde"]


def chosen_impl(workload, impls):
    mine = [impl for op, impl in impls if op == workload.mixer]
    if not mine:
        return "as-written"
    for fast in FAST_IMPLS:
        if fast in mine:
            return fast
    return mine[0]


def mem_available():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    return 8 << 30


def fmt_len(L):
    return "%dK" % (L // 1024) if L % 1024 == 0 else str(L)


def bench_config(workers, contenders, cfg, args, log):
    """Runs one (workload, L, threads) over `contenders`; fills cfg["cells"].
    Returns the contenders that ran past LIMIT_S (to skip from now on)."""
    cells = cfg["cells"]
    over_limit = []
    load_cmd = {"cmd": "load", "workload": cfg["workload"], "model": cfg["model"],
                "lib": cfg["lib"], "inputs": cfg["inputs"]}

    def fail(c, status, note):
        cells[c] = {"status": status, "note": note}
        if c in live:
            live.remove(c)

    def run_once(c):
        try:
            r = workers[(c, cfg["threads"])].request({"cmd": "run"}, args.limit)
        except TimeoutError:
            over_limit.append(c)
            fail(c, "skipped", "> %g s" % args.limit)
            return None
        except WorkerDied as e:
            fail(c, "error", "crashed: " + str(e))
            return None
        if not r["ok"]:
            fail(c, "error", r["error"])
            return None
        return r["ms"]

    # Contenders that must run one at a time (memory) are loaded, measured and
    # unloaded in turn; the others together, interleaved.
    groups = [contenders] if not cfg["sequential"] else [[c] for c in contenders]
    for group in groups:
        live = []
        for c in group:
            try:
                r = workers[(c, cfg["threads"])].request(load_cmd, 600)
            except (TimeoutError, WorkerDied) as e:
                cells[c] = {"status": "error", "note": "load failed: %s" % (e or "timeout")}
                continue
            if r["ok"]:
                live.append(c)
            else:
                cells[c] = {"status": "error", "note": r["error"]}
        warm = {}
        slow = []
        for c in list(live):
            ms = run_once(c)
            if ms is not None and ms < 1000:
                ms = run_once(c)  # a second warm-up for short runs
            if ms is not None:
                warm[c] = ms
        for c in list(live):
            out_dir = os.path.join(cfg["dir"], "out-%s-%dT" % (c, cfg["threads"]))
            try:
                r = workers[(c, cfg["threads"])].request({"cmd": "save", "dir": out_dir}, 600)
            except (TimeoutError, WorkerDied) as e:
                r = {"ok": False, "error": "saving the outputs failed: %s" % (e or "timeout")}
            if not r["ok"]:
                fail(c, "error", r["error"])
                continue
            err = cfg["check"](r["outputs"])
            cells[c] = {"status": "ok", "err": err, "runs": []}
            if not (err <= TOLERANCE):  # NaN is wrong too
                cells[c] = {"status": "wrong", "err": err}
                live.remove(c)
            elif c in warm and warm[c] > SLOW_S * 1e3:
                cells[c]["runs"] = [warm[c]]
                cells[c]["single"] = True
                live.remove(c)
                slow.append(c)
        if live:
            slowest = max(warm[c] for c in live)
            rounds = int(min(MAX_RUNS, max(MIN_RUNS, TIMED_BUDGET_S * 1e3 / max(slowest, 1e-3))))
            rounds = max(rounds, args.min_runs)
            for rnd in range(rounds):
                order = live[rnd % len(live):] + live[:rnd % len(live)] if live else []
                for c in order:
                    ms = run_once(c)
                    if ms is not None:
                        cells[c]["runs"].append(ms)
        for c in group:
            w = workers[(c, cfg["threads"])]
            if w.proc is not None:
                try:
                    w.request({"cmd": "unload"}, 120)
                except (TimeoutError, WorkerDied):
                    pass
        for c in live + slow:
            cells[c]["ms"] = float(np.median(cells[c]["runs"]))
    return over_limit


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="L in {1K, 4K} only")
    ap.add_argument("--only", help="comma-separated workload names (default: all)")
    ap.add_argument("--lengths", help="comma-separated L (default: 1K,4K,16K,64K)")
    ap.add_argument("--threads", default="1,2", help="thread counts (default 1,2)")
    ap.add_argument("--min-runs", type=int, default=MIN_RUNS, help="timed runs (at least 5)")
    ap.add_argument("--limit", type=float, default=LIMIT_S,
                    help="seconds a single run may take before the contender is skipped")
    ap.add_argument("--build", default=os.path.join(os.path.dirname(BENCH), "build"))
    ap.add_argument("--peers", default=os.path.join(BENCH, ".peers"))
    ap.add_argument("--out", default=os.path.join(BENCH, "results"))
    args = ap.parse_args()
    args.threads = [int(t) for t in args.threads.split(",")]
    args.min_runs = max(MIN_RUNS, args.min_runs)
    if args.lengths:
        lengths = [int(x) for x in args.lengths.split(",")]
    else:
        lengths = [1024, 4096] if args.quick else [1024, 4096, 16384, 65536]
    chosen = workloads.WORKLOADS
    if args.only:
        names = args.only.split(",")
        unknown = [n for n in names if n not in workloads.BY_NAME]
        if unknown:
            sys.exit("unknown workload(s) %s; known: %s" % (
                ", ".join(unknown), ", ".join(workloads.BY_NAME)))
        chosen = [workloads.BY_NAME[n] for n in names]
    seqc = os.path.join(args.build, "bin", "seqc")
    tmp = os.path.join(args.out, "tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    t_start = time.time()

    def log(msg):
        print("[%6.1fs] %s" % (time.time() - t_start, msg), flush=True)

    log("machine: measuring fp32 peak (FMA) and bandwidth (triad)")
    mach = machine.describe(args, tmp)
    for t in args.threads:
        r = mach["roofline"][str(t)]
        log("  %d thread(s): %.0f GFLOP/s, %.1f GB/s" % (t, r["peak_gflops"], r["triad_gbs"]))

    workers = make_workers(args, tmp)
    results = []
    skipped_from = {}  # (workload, contender, threads) -> L at which it passed LIMIT_S
    try:
        for w in chosen:
            for L in lengths:
                d = os.path.join(tmp, "%s-L%d" % (w.name, L))
                os.makedirs(d)
                rng = np.random.default_rng(L)
                model, inputs = w.build(L, rng)
                model_path = os.path.join(d, "model.onnx")
                onnx.save(model, model_path)
                in_files = {}
                for name, a in inputs.items():
                    in_files[name] = os.path.join(d, name + ".npy")
                    np.save(in_files[name], a)
                lib = os.path.join(d, "lib%s.so" % w.name)
                ok, msg, impls = compile_seqc(seqc, model_path, lib)
                impl = chosen_impl(w, impls)
                flops, nbytes = w.cost(L, impl)
                log("%s L=%s: seqc %s%s" % (w.name, fmt_len(L),
                                           "compiled" if ok else "unsupported",
                                           ", impl " + impl if ok else ": " + msg))

                ref_cache = {}

                def check(files, w=w, inputs=inputs, model_path=model_path, ref_cache=ref_cache):
                    if not ref_cache:
                        ref_cache.update(w.reference(inputs, workloads.load_params(model_path)))
                    worst = 0.0
                    for name, ref in ref_cache.items():
                        if name not in files:
                            return float("nan")
                        got = np.load(files[name]).astype(np.float64)
                        if got.shape != ref.shape:
                            return float("nan")
                        scale = max(np.abs(ref).max(), 1e-30)
                        worst = max(worst, float(np.abs(got - ref).max() / scale))
                    return worst

                need = w.mem_bytes(L)
                avail = mem_available()
                for threads in args.threads:
                    cfg = {"workload": w.name, "title": w.title, "L": L, "threads": threads,
                           "dir": d, "model": model_path, "lib": lib, "inputs": in_files,
                           "impl": impl, "flops": flops, "bytes": nbytes, "cells": {},
                           "check": check, "sequential": False}
                    contenders = []
                    for c in CONTENDERS:
                        if c == "seqc" and not ok:
                            cfg["cells"][c] = {"status": "unsupported", "note": msg}
                        elif c == "numpy" and w.numpy_note is None:
                            cfg["cells"][c] = {"status": "n/a"}
                        elif L >= skipped_from.get((w.name, c, threads), float("inf")):
                            cfg["cells"][c] = {"status": "skipped", "note": "> %g s at %s" % (
                                args.limit, fmt_len(skipped_from[(w.name, c, threads)]))}
                        elif need > 0.6 * avail:
                            cfg["cells"][c] = {"status": "skipped", "note": "needs ~%.0f GB" % (
                                need / 2**30)}
                        else:
                            contenders.append(c)
                    cfg["sequential"] = need * len(contenders) > 0.6 * avail
                    over = bench_config(workers, contenders, cfg, args, log)
                    for c in over:
                        skipped_from[(w.name, c, threads)] = L
                    summary = ", ".join("%s %s" % (c, report.cell_text(cfg, c))
                                        for c in CONTENDERS)
                    log("  %dT: %s" % (threads, summary))
                    del cfg["check"]
                    results.append(cfg)
                # Free the reference; drop this length's files (logs stay in tmp/).
                ref_cache.clear()
                shutil.rmtree(d, ignore_errors=True)
    finally:
        for wk in workers.values():
            wk.close()

    wall = time.time() - t_start
    meta = {"mode": "quick" if args.quick else "full", "lengths": lengths,
            "threads": args.threads, "wall_s": wall, "limit_s": args.limit,
            "tolerance": TOLERANCE, "machine": mach,
            "workloads": {w.name: {"title": w.title, "numpy": w.numpy_note} for w in chosen}}
    report.write_all(args.out, meta, results)
    log("wrote %s (results.md, results.json, machine.md, plots)" % args.out)
    print()
    with open(os.path.join(args.out, "results.md")) as f:
        print(report.extract_table(f.read()))
    log("done in %.0f s" % (time.time() - t_start))


if __name__ == "__main__":
    main()
